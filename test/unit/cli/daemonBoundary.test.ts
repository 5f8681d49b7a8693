import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The daemon (src/) must run from `npm ci --omit=dev --workspaces=false`, which installs neither
 * the tool packages nor their dependencies: nothing in src/ may import them. And the two sides
 * of the wire share contracts only through src/wire, never each other's files.
 */
const SRC = resolve('src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1] ?? '');
}

const files = tsFiles(SRC).map((f) => ({ file: relative(SRC, f), imports: importsOf(f) }));

describe('daemon boundaries', () => {
  it('nothing in src/ imports a workspace package or chopsticks', () => {
    const bad = files.flatMap(({ file, imports }) =>
      imports.filter((i) => i.includes('packages/') || i.startsWith('@subnet-miner/') || i.startsWith('@acala-network/')).map((i) => `${file}: ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('axon and client reach each other only through src/wire', () => {
    const bad = files.flatMap(({ file, imports }) => {
      const side = file.split('/')[0];
      const other = side === 'axon' ? 'client' : side === 'client' ? 'axon' : undefined;
      return other ? imports.filter((i) => i.includes(`/${other}/`)).map((i) => `${file}: ${i}`) : [];
    });
    expect(bad).toEqual([]);
  });

  it('src/wire is a leaf: it imports no other subsystem', () => {
    const bad = files
      .filter(({ file }) => file.startsWith('wire/'))
      .flatMap(({ file, imports }) => imports.filter((i) => i.startsWith('../')).map((i) => `${file}: ${i}`));
    expect(bad).toEqual([]);
  });
});
