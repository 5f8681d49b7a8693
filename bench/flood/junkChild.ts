/** The flood bench's handle on one junk generator process: started niced, reporting once a second. */
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { JunkOpts, JunkReport } from './junkClient.js';

const ENTRY = fileURLToPath(new URL('./junkProcess.js', import.meta.url));

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class JunkChild {
  readonly child: ChildProcess;
  last: JunkReport | null = null;
  /** (sent, answered, statuses) at the start of a window. */
  private mark: JunkReport | null = null;

  constructor(o: JunkOpts, nice: number) {
    this.child = fork(ENTRY, [JSON.stringify(o)], { stdio: 'inherit' });
    // A real flood comes from other machines: the generator must not take the axon's cores.
    if (this.child.pid !== undefined) setPriority(this.child.pid, nice);
    this.child.on('message', (m: JunkReport) => (this.last = m));
  }

  /** Resolves once the child sent its first report (it is connected and writing), or after `ms`. */
  async ready(ms: number): Promise<boolean> {
    for (const t0 = Date.now(); Date.now() - t0 < ms; await sleep(100)) if (this.last) return true;
    return false;
  }

  startWindow(): void {
    this.mark = this.last;
  }

  window(): JunkReport {
    const a = this.mark;
    const b = this.last ?? { form: 'ws', sent: 0, answered: 0, statuses: {}, reconnects: 0, skipped: 0 };
    const statuses: Record<string, number> = {};
    for (const [k, v] of Object.entries(b.statuses)) statuses[k] = v - (a?.statuses[k] ?? 0);
    return {
      form: b.form,
      sent: b.sent - (a?.sent ?? 0),
      answered: b.answered - (a?.answered ?? 0),
      statuses,
      reconnects: b.reconnects - (a?.reconnects ?? 0),
      skipped: b.skipped - (a?.skipped ?? 0),
    };
  }

  kill(): void {
    this.child.kill();
  }
}
