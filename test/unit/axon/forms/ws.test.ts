import { describe, expect, it } from 'vitest';
import { parseWsRequest, sniffId } from '../../../../src/axon/forms/ws.js';

const B = { maxDepth: 64, maxElements: 10_000 };

const good = {
  type: 'request',
  id: 'r1',
  synapse: 'Dummy',
  timeout: 12,
  body: '{"dummy_input": 3}',
  dendrite: { hotkey: '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty', nonce: '1700000000000000000', uuid: 'u', signature: `0x${'00'.repeat(64)}` },
};

describe('WS request validation', () => {
  it('accepts a well-formed request and keeps the body string as sent', () => {
    const r = parseWsRequest(JSON.stringify(good), B);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.req.body).toBe('{"dummy_input": 3}');
  });

  it.each([
    ['not JSON', '{"id":"abc", nope'],
    ['an array', '[1,2]'],
    ['a missing id', JSON.stringify({ ...good, id: undefined })],
    ['an id over 64 chars', JSON.stringify({ ...good, id: 'x'.repeat(65) })],
    ['a wrong type', JSON.stringify({ ...good, type: 'hello' })],
    ['a non-string body', JSON.stringify({ ...good, body: { dummy_input: 3 } })],
    ['a negative timeout', JSON.stringify({ ...good, timeout: -1 })],
    ['a numeric nonce', JSON.stringify({ ...good, dendrite: { ...good.dendrite, nonce: 17 } })],
    ['a missing dendrite', JSON.stringify({ ...good, dendrite: undefined })],
  ])('refuses %s with 400', (_name, text) => {
    const r = parseWsRequest(text, B);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.spec.status).toBe(400);
  });

  it('keeps the id on errors when it can, so the caller can match the answer', () => {
    const r = parseWsRequest(JSON.stringify({ ...good, type: 'x' }), B);
    expect(r.ok ? null : r.id).toBe('r1');
    expect(sniffId('{"type":"request","id":"abc","body":"....')).toBe('abc');
  });

  it('leaves a missing signature to the pipeline (401, not 400)', () => {
    const r = parseWsRequest(JSON.stringify({ ...good, dendrite: { ...good.dendrite, signature: undefined } }), B);
    expect(r.ok).toBe(true);
  });
});
