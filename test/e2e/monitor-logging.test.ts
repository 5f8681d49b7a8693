import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const LOGGER = resolve(ROOT, 'dist/src/util/logger.js');
const built = existsSync(LOGGER);

/** A child process logs many lines through createRootLogger, flushes and exits at once, as the daemon does on SIGTERM. */
async function runChild(pretty: boolean, lines: number): Promise<string> {
  const script = `
    const { createRootLogger, flushLogger } = await import(${JSON.stringify(LOGGER)});
    const log = createRootLogger({ level: 'info', pretty: ${pretty} }).child({ module: 'monitor' });
    log.info({ uid: 3, positionText: '12 of 187', secretPhrase: 'word word word', wallet: { password: 'pw' } }, 'standing report');
    for (let i = 0; i < ${lines}; i++) log.info({ i }, 'line');
    log.warn({ alarm: 'disk' }, 'threshold crossed');
    await flushLogger(log);
    process.exit(0);`;
  // A module file, not `--input-type=module -e`: pino-pretty's worker inherits execArgv, and
  // under npm (whose node-options adds an --import) a worker refuses --input-type.
  const dir = await mkdtemp(join(tmpdir(), 'miner-log-'));
  const file = join(dir, 'child.mjs');
  await writeFile(file, script);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [file], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!built)('root logger (compiled, real child process)', () => {
  it('JSON output: stable fields, redaction, nothing lost when the process exits right after flushLogger', async () => {
    const out = (await runChild(false, 20_000)).trim().split('\n');
    expect(out).toHaveLength(20_002);
    const first = JSON.parse(out[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ level: 'info', module: 'monitor', msg: 'standing report', uid: 3, positionText: '12 of 187', secretPhrase: '[redacted]' });
    expect((first['wallet'] as Record<string, unknown>)['password']).toBe('[redacted]');
    expect(typeof first['time']).toBe('string');
    expect(JSON.parse(out.at(-1)!)).toMatchObject({ level: 'warn', msg: 'threshold crossed', alarm: 'disk' });
    expect(out.join('\n')).not.toContain('word word word');
  });

  it('--pretty output through the pino-pretty transport, flushed before exit', async () => {
    // pino-pretty colours even into a pipe (colorize: true in createRootLogger): strip the escapes.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern matches ANSI colour escapes on purpose.
    const out = (await runChild(true, 2_000)).replace(/\u001b\[[0-9;]*m/g, '');
    expect(out).toMatch(/INFO.*standing report/);
    expect(out).toMatch(/WARN.*threshold crossed/);
    expect(out).toContain('positionText: "12 of 187"');
    expect(out).toContain('[redacted]');
    expect(out).not.toContain('word word word');
    expect(out.match(/line/g)?.length).toBeGreaterThanOrEqual(2_000);
  });
});
