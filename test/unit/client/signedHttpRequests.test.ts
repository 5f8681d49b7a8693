import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Keyring } from '@polkadot/keyring';
import { buildBtAuthRequest, buildEpistulaRequest, schemeOf, signerOf, type SignedHttpRequest } from '../../../src/client/signedHttpRequests.js';
import { parseBtAuthHeaders } from '../../../src/axon/forms/btauth.js';
import { parseEpistulaHeaders } from '../../../src/axon/forms/epistula.js';
import { ManualClock } from '../../../src/util/index.js';
import { admitBtAuth, admitEpistula, goldenKeys, incoming } from '../axon/forms/formHelpers.js';

const keys = await goldenKeys();
const clock = new ManualClock(1_752_076_800_000);
const now = clock.now();

describe('signed HTTP request builders', () => {
  it.each(['sr25519', 'ed25519'] as const)('btauth/1 with a %s key round-trips through the parser and verifies', (type) => {
    const pair = type === 'sr25519' ? keys.alice : keys.aliceEd;
    const req = buildBtAuthRequest({ pair, target: '/generate?x=1&y=2', bodyText: '{"a": 1}', receiver: keys.bob.address, clock });
    expect(req.method).toBe('POST');
    expect(req.headers['X-Bittensor-Nonce']).toBe(clock.nowNs().toString());
    const p = parseBtAuthHeaders(incoming(req.headers));
    expect(p.ok && p.value.scheme).toBe(type);
    expect(admitBtAuth(req, { receiver: keys.bob.address, nowMs: now })).toBe('ok');
    expect(
      admitBtAuth(buildBtAuthRequest({ pair, method: 'get', target: '/x', bodyText: '', receiver: keys.bob.address, clock, sign: signerOf(pair) }), {
        receiver: keys.bob.address,
        nowMs: now,
      }),
    ).toBe('ok');
  });

  it('sends the crypto header the caller asks for, and the accepted sr25519 spellings verify', () => {
    for (const spelling of ['sr25519', 'SR25519', '1']) {
      const req = buildBtAuthRequest({ pair: keys.alice, target: '/', bodyText: '', receiver: keys.bob.address, clock, cryptoHeader: spelling });
      expect(req.headers['X-Bittensor-Crypto']).toBe(spelling);
      expect(admitBtAuth(req, { receiver: keys.bob.address, nowMs: now })).toBe('ok');
    }
    const junk = buildBtAuthRequest({ pair: keys.alice, target: '/', bodyText: '', receiver: keys.bob.address, clock, cryptoHeader: 'ED25519' });
    expect(admitBtAuth(junk, { receiver: keys.bob.address, nowMs: now })).toBe('BAD_SIGNATURE');
  });

  it('forge can omit, override and replace the signature', () => {
    const base = { pair: keys.alice, target: '/', bodyText: '{}', receiver: keys.bob.address, clock };
    const omitted = buildBtAuthRequest({ ...base, forge: { omit: ['x-bittensor-signature'] } });
    expect(Object.keys(omitted.headers)).not.toContain('X-Bittensor-Signature');
    expect(admitBtAuth(omitted, { receiver: keys.bob.address, nowMs: now })).toBe('BAD_SIGNATURE');
    const overridden = buildBtAuthRequest({ ...base, forge: { headers: { 'x-bittensor-nonce': '01' } } });
    expect(Object.keys(overridden.headers).filter((k) => k.toLowerCase() === 'x-bittensor-nonce')).toEqual(['x-bittensor-nonce']);
    expect(admitBtAuth(overridden, { receiver: keys.bob.address, nowMs: now })).toBe('BAD_NONCE');
    const sig = buildBtAuthRequest({ ...base, forge: { signature: `0x${'00'.repeat(64)}` } });
    expect(admitBtAuth(sig, { receiver: keys.bob.address, nowMs: now })).toBe('signature');
    const ep = buildEpistulaRequest({ pair: keys.alice, target: '/', bodyText: '{}', signedFor: keys.bob.address, clock, forge: { omit: ['Epistula-Uuid'] } });
    expect(admitEpistula(ep, { receiver: keys.bob.address, nowMs: now })).toBe('BAD_SIGNATURE');
  });

  it('Epistula round-trips with a fresh uuid per request', () => {
    const a = buildEpistulaRequest({ pair: keys.alice, target: '/v1/chat/completions', bodyText: '{}', signedFor: keys.bob.address, clock });
    const b = buildEpistulaRequest({ pair: keys.alice, target: '/v1/chat/completions', bodyText: '{}', signedFor: keys.bob.address, clock });
    expect(a.headers['Epistula-Uuid']).not.toBe(b.headers['Epistula-Uuid']);
    expect(a.headers['Epistula-Timestamp']).toBe(String(now));
    expect(admitEpistula(a, { receiver: keys.bob.address, nowMs: now })).toBe('ok');
  });

  it('refuses key types the forms do not carry', () => {
    const ecdsa = new Keyring({ type: 'ecdsa' }).addFromUri('//Alice');
    expect(schemeOf(keys.aliceEd)).toBe('ed25519');
    expect(() => buildBtAuthRequest({ pair: ecdsa, target: '/', bodyText: '', receiver: null, clock })).toThrow(TypeError);
  });
});

describe('through a real node:http server', () => {
  let server: Server;
  let port = 0;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => res.end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  function send(req: SignedHttpRequest): Promise<IncomingHttpHeaders> {
    return new Promise((resolve, reject) => {
      const r = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.target, headers: req.headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(seen[seen.length - 1]!));
      });
      r.on('error', reject);
      r.end(req.body);
    });
  }

  function sendRaw(lines: string[]): Promise<IncomingHttpHeaders> {
    return new Promise((resolve, reject) => {
      const before = seen.length;
      const sock = connect(port, '127.0.0.1', () => sock.end(`${lines.join('\r\n')}\r\n\r\n`));
      sock.on('error', reject);
      sock.on('data', () => undefined);
      sock.on('close', () => (seen.length > before ? resolve(seen[seen.length - 1]!) : reject(new Error('no request'))));
    });
  }

  it('headers arrive lower-cased and parse', async () => {
    const bt = await send(buildBtAuthRequest({ pair: keys.aliceEd, target: '/generate?stream=false', bodyText: '{}', receiver: keys.bob.address, clock }));
    expect(parseBtAuthHeaders(bt).ok).toBe(true);
    const ep = await send(buildEpistulaRequest({ pair: keys.alice, target: '/availability', bodyText: '{}', signedFor: keys.bob.address, clock }));
    expect(parseEpistulaHeaders(ep).ok).toBe(true);
  });

  it('a header sent twice reaches the parser as malformed', async () => {
    const req = buildBtAuthRequest({ pair: keys.alice, target: '/', bodyText: '', receiver: keys.bob.address, clock });
    const lines = ['POST / HTTP/1.1', 'Host: x', 'Content-Length: 0', 'Connection: close', ...Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`)];
    expect(parseBtAuthHeaders(await sendRaw(lines)).ok).toBe(true);
    for (const dup of ['X-Bittensor-Nonce: 1', 'x-bittensor-hotkey: ' + keys.bob.address, 'X-BITTENSOR-VERSION: 1']) {
      const h = await sendRaw([...lines, dup]);
      const p = parseBtAuthHeaders(h);
      expect(p.ok ? 'ok' : p.code).toBe('BAD_REQUEST');
    }
  });
});
