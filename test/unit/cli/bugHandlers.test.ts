import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { installBugHandlers } from '../../../src/cli/bugHandlers.js';
import { createRootLogger } from '../../../src/util/index.js';

function harness() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createRootLogger({ level: 'info', destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } });
  const events = new EventEmitter();
  const exits: number[] = [];
  installBugHandlers(logger, { on: (e, fn) => void events.on(e, fn), exit: (code) => void exits.push(code) });
  return { lines, events, exits };
}

describe('bug handlers', () => {
  it('an uncaught exception is one fatal line with an error id, then exit 70', async () => {
    const h = harness();
    h.events.emit('uncaughtException', new Error('boom'));
    // The exit waits for the log to flush, not for a time.
    await vi.waitFor(() => expect(h.exits).toHaveLength(1), { interval: 1 });
    const fatal = h.lines.filter((l) => l['level'] === 'fatal');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ code: 'INTERNAL', exitCode: 70, msg: 'uncaught exception (a bug), exiting' });
    expect(String(fatal[0]!['errorId'])).toMatch(/^[0-9a-f]{8}$/);
    expect(h.exits).toEqual([70]);
  });

  it('an unhandled rejection is logged with an error id and the process keeps running', async () => {
    const h = harness();
    h.events.emit('unhandledRejection', new Error('late'));
    await new Promise((r) => setImmediate(r));
    expect(h.lines.find((l) => l['msg'] === 'unhandled promise rejection (a bug)')?.['errorId']).toMatch(/^[0-9a-f]{8}$/);
    expect(h.exits).toEqual([]);
  });
});
