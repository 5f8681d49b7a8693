/*
 * The README's main job, shortened only by its own time limit: `npm run demo`'s script starts
 * the devnet, the miner daemon with real OCR and the validator simulator, and must end with the
 * miner's standing showing non-zero incentive and emission, then stop everything cleanly.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/daemon.js';

describe('npm run demo', () => {
  it('shows a paying standing report and stops cleanly', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', 'demo.js')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEMO_TIMEOUT_MS: '420000' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(out, out.slice(-4000)).toContain('[demo] the miner earns:');
    const earns = /the miner earns: uid=\d+ incentive=([\d.]+) emission\/epoch=([\d.e+-]+)/.exec(out);
    expect(earns).not.toBeNull();
    expect(Number(earns![1])).toBeGreaterThan(0);
    expect(Number(earns![2])).toBeGreaterThan(0);
    expect(out).toContain('[demo] demo complete');
    expect(code).toBe(0);
  }, 540_000);
});
