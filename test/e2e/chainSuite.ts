/* The chain e2e suite, run once per chain spec by chain103.test.ts and chain218.test.ts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { AxonAnnouncer, ChainClient, MetagraphSync, encodeIp, submitExtrinsic, callByName } from '../../src/chain/index.js';
import { createRootLogger, systemClock, type Logger } from '../../src/util/index.js';
import { DEVNET_ROLES, TcpProxy, endpointPort, startTestDevnet, type Devnet, type SpecName } from '../helpers/devnet.js';

interface LogLine {
  level: string;
  msg: string;
  [k: string]: unknown;
}

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 30_000, pollMs = 200): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function chainSuite(spec: SpecName): void {
  describe(`chain on subtensor spec ${spec} (chopsticks)`, () => {
    const logs: LogLine[] = [];
    let logger: Logger;
    let dn: Devnet;
    let proxy: TcpProxy;
    let chain: ChainClient;
    let mg: MetagraphSync;
    let announcer: AxonAnnouncer;
    let maxConnections = 0;
    let sampler: NodeJS.Timeout;
    const abort = new AbortController();
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const externalIp = spec === 218 ? '2001:db8::1' : '10.0.0.1';
    const eve = DEVNET_ROLES.minerHotkey.ss58;

    beforeAll(async () => {
      await cryptoWaitReady();
      logger = createRootLogger({ level: 'debug', destination: { write: (s: string) => void logs.push(JSON.parse(s) as LogLine) } });
      const t0 = Date.now();
      dn = await startTestDevnet({ spec, blockIntervalMs: 1_000 });
      logger.info({ ms: Date.now() - t0 }, 'test devnet started');
      proxy = new TcpProxy(endpointPort(dn.endpoint));
      await proxy.up();
      sampler = setInterval(() => {
        maxConnections = Math.max(maxConnections, proxy.connections());
      }, 50);
      const core = { logger, metrics: null, clock: systemClock(), signal: abort.signal };
      chain = new ChainClient({ endpoints: [proxy.endpoint], watchdogMs: 5_000, connectTimeoutMs: 15_000, reconnectMinMs: 200, reconnectMaxMs: 2_000 }, core);
      mg = new MetagraphSync({ netuid: 1, syncEveryBlocks: 2, ownHotkey: eve, retryMs: 500 }, { ...core, chain });
      announcer = new AxonAnnouncer(
        { netuid: 1, externalIp, externalPort: 8091, version: 1_002_003 },
        { ...core, chain, metagraph: mg, pair: keyring.addFromUri(DEVNET_ROLES.minerHotkey.uri) },
      );
      await chain.start();
      await mg.start();
      await announcer.start();
      logger.info({ ms: Date.now() - t0 }, 'test services started');
    });

    afterAll(async () => {
      const notable = logs.filter((l) => l.msg.startsWith('test ') || l.level === 'warn' || l.level === 'error').slice(-40);
      process.stdout.write(`${notable.map((l) => JSON.stringify(l)).join('\n')}\n`);
      clearInterval(sampler);
      abort.abort();
      await announcer?.stop();
      await mg?.stop();
      await chain?.stop();
      await proxy?.down();
      await dn?.stop();
    });

    it('syncs the subnet and finds its own neuron', async () => {
      const standing = await waitFor('own standing', () => mg.standing());
      const snap = mg.current()!;
      expect(snap.source).toBe(spec === 218 ? 'neurons-lite' : 'storage');
      expect(snap.n).toBeGreaterThanOrEqual(2);
      expect(snap.tempo).toBe(10);
      const uid = await dn.uidOf(eve);
      expect(standing).toMatchObject({ registered: true, uid, position: 1 });
      expect(mg.ownNeuron()?.coldkey).toBe(DEVNET_ROLES.minerColdkey.ss58);
      const validator = snap.byHotkey(DEVNET_ROLES.validatorHotkey.ss58);
      expect(validator?.coldkey).toBe(DEVNET_ROLES.validatorColdkey.ss58);
      if (spec === 103) {
        expect(validator?.validatorPermit).toBe(true);
        expect(validator?.stake).toBeGreaterThanOrEqual(1000);
        expect(mg.ownNeuron()?.validatorPermit).toBe(false);
      }
      expect(standing.immunity?.immunityPeriod).toBeGreaterThan(0);
    });

    it('announces the axon with serve_axon and reads it back from chain', async () => {
      await waitFor('serve_axon success', () => announcer.result()?.ok, 60_000).catch(() => undefined);
      expect(announcer.result(), JSON.stringify(logs.filter((l) => l['module'] === 'announce'))).toMatchObject({ ok: true });
      expect(logs.filter((l) => l['module'] === 'announce' && l.level === 'error')).toEqual([]);
      const raw = await dn.api.query['subtensorModule']!['axons']!(1, eve);
      const onChain = (
        raw as unknown as {
          unwrap(): { ip: { toBigInt(): bigint }; port: { toNumber(): number }; ipType: { toNumber(): number }; version: { toNumber(): number } };
        }
      ).unwrap();
      const want = encodeIp(externalIp);
      expect(onChain.ip.toBigInt()).toBe(want.ip);
      expect(onChain.ipType.toNumber()).toBe(want.ipType);
      expect(onChain.port.toNumber()).toBe(8091);
      expect(onChain.version.toNumber()).toBe(1_002_003);
      const axon = await waitFor('axon in metagraph', () => mg.ownNeuron()?.axon, 20_000);
      expect(axon).toMatchObject({ ip: externalIp, port: 8091, ipType: want.ipType, protocol: 4 });

      // A restart with the same settings finds the same info on chain and does not call again.
      const again = new AxonAnnouncer(
        { netuid: 1, externalIp, externalPort: 8091, version: 1_002_003 },
        { logger, clock: systemClock(), signal: abort.signal, chain, metagraph: mg, pair: keyring.addFromUri(DEVNET_ROLES.minerHotkey.uri) },
      );
      const before = logs.length;
      await again.start();
      await waitFor('already announced', () => logs.slice(before).some((l) => l.msg === 'axon already announced on chain'), 10_000);
      expect(again.result()).toBeUndefined();
      await again.stop();
    });

    it('logs a rejected serve_axon with the chain error name and keeps running', async () => {
      const ferdie = keyring.addFromUri('//Ferdie');
      await dn.registerNeuron({ hotkeyUri: '//Ferdie', coldkeyUri: DEVNET_ROLES.minerColdkey.uri });
      await waitFor('ferdie in metagraph', () => mg.current()?.byHotkey(ferdie.address), 45_000);
      const bad = new AxonAnnouncer(
        { netuid: 1, externalIp: '127.0.0.1', externalPort: 8091, version: 1 },
        { logger, clock: systemClock(), signal: abort.signal, chain, metagraph: mg, pair: ferdie },
      );
      await bad.start();
      const res = await waitFor('rejection', () => (bad.result()?.chainError ? bad.result() : undefined), 120_000);
      await bad.stop();
      expect(res.ok).toBe(false);
      expect(res.chainError).toMatch(/InvalidIpAddress/);
      const line = logs.find((l) => l.msg.startsWith('serve_axon rejected'));
      expect(line?.level).toBe('error');
      expect(String(line?.['chainError'])).toMatch(/^subtensorModule\.InvalidIpAddress$/);
      expect(chain.state().connected).toBe(true);
    });

    if (spec === 103) {
      it('pays the miner after an epoch of validator weights', async () => {
        const bob = keyring.addFromUri(DEVNET_ROLES.validatorHotkey.uri);
        const uid = mg.standing()!.uid!;
        const tx = callByName(dn.api, 'subtensorModule', 'setWeights', { netuid: 1, dests: [uid], weights: [65535], versionKey: 0 });
        await submitExtrinsic(dn.api, tx, bob, { timeoutMs: 30_000 });
        const s = await waitFor(
          'incentive',
          () => {
            const st = mg.standing();
            return st && st.incentive > 0 && st.emissionRao > 0n ? st : undefined;
          },
          60_000,
        );
        expect(s.incentive).toBeGreaterThan(0.5);
        expect(s.position).toBe(1);
      });
    }

    it('notices deregistration at once and on every sync, and re-registration', async () => {
      const uid = mg.standing()!.uid!;
      const mallory = keyring.addFromUri('//Mallory').address;
      const syncsBefore = logs.filter((l) => l.msg === 'metagraph synced').length;
      await dn.setStorage({
        SubtensorModule: {
          Keys: [[[1, uid], mallory]],
          Uids: [
            [[1, eve], null],
            [[1, mallory], uid],
          ],
        },
      });
      await waitFor('deregistration', () => mg.standing()?.registered === false, 45_000);
      const dereg = logs.filter((l) => l.msg.startsWith('own hotkey DEREGISTERED'));
      expect(dereg).toHaveLength(1);
      expect(dereg[0]!.level).toBe('error');
      expect(mg.ownNeuron()).toBeUndefined();
      await waitFor(
        'repeated error',
        () => logs.filter((l) => l.msg === 'own hotkey is not registered on the subnet' && l.level === 'error').length >= 2,
        45_000,
      );
      expect(logs.filter((l) => l.msg === 'metagraph synced').length).toBeGreaterThan(syncsBefore);
      await dn.setStorage({
        SubtensorModule: {
          Keys: [[[1, uid], eve]],
          Uids: [
            [[1, eve], uid],
            [[1, mallory], null],
          ],
        },
      });
      await waitFor('registered again', () => mg.standing()?.registered === true, 45_000);
    });

    it('keeps its snapshot while the endpoint is gone, then reconnects', async () => {
      await proxy.down();
      await waitFor('disconnect', () => !chain.state().connected, 15_000);
      const held = mg.current()!;
      await sleep(3_000);
      expect(mg.current()).toBe(held);
      expect(chain.state().connected).toBe(false);
      await proxy.up();
      await waitFor('reconnect', () => chain.state().connected, 30_000);
      await waitFor('fresh snapshot', () => (mg.current()!.block > held.block ? true : undefined), 30_000);
      expect(chain.state().reconnects).toBeGreaterThanOrEqual(1);
      expect(maxConnections).toBeLessThanOrEqual(1);
    });

    it('rebuilds the connection when blocks stop (watchdog)', async () => {
      const before = chain.state().reconnects;
      dn.pauseBlocks();
      try {
        await waitFor('watchdog', () => chain.state().reconnects > before, 30_000);
        expect(logs.some((l) => l.msg === 'no new block, rebuilding chain connection')).toBe(true);
      } finally {
        dn.resumeBlocks();
      }
      const best = await waitFor('blocks again', () => (chain.state().connected ? chain.state().bestBlock : undefined), 30_000);
      await waitFor('new block', () => (chain.state().bestBlock ?? 0) > best, 30_000);
      expect(maxConnections).toBeLessThanOrEqual(1);
    });
  });
}
