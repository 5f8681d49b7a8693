import { join } from 'node:path';

/** `~` and `~/x` expand to the home directory; every other path is returned as written. */
export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return p;
}
