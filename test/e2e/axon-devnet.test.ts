/* The axon against a live metagraph: MetagraphSync on the chopsticks devnet decides who may ask. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { ChainClient, MetagraphSync } from '../../src/chain/index.js';
import type { AxonServer } from '../../src/axon/index.js';
import { Dendrite, type DendriteQuery } from '../../src/client/index.js';
import { buildServingStack } from '../../src/node/index.js';
import { defaultSynapseRegistry } from '../../src/synapses/index.js';
import { axonSchema } from '../../src/config/sections/axon.js';
import { silentLogger, systemClock } from '../../src/util/index.js';
import { DEVNET_ROLES, startTestDevnet, type Devnet } from '../helpers/devnet.js';
import { waitFor } from './chainSuite.js';

describe('axon on the chopsticks devnet', () => {
  const clock = systemClock();
  const abort = new AbortController();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  let dn: Devnet;
  let chain: ChainClient;
  let mg: MetagraphSync;
  let axon: AxonServer;
  let port: number;
  const dendrites: Dendrite[] = [];

  const ask = async (uri: string, transport: 'ws' | 'http'): Promise<number> => {
    const d = new Dendrite({ pair: keyring.addFromUri(uri) }, { clock });
    dendrites.push(d);
    const q: DendriteQuery = {
      host: '127.0.0.1',
      port,
      axonHotkey: DEVNET_ROLES.minerHotkey.ss58,
      synapse: 'Dummy',
      body: { dummy_input: 4 },
      timeoutMs: 5_000,
      transport,
    };
    const a = await d.query(q);
    if (a.status === 200) expect(a.body?.['dummy_output']).toBe(8);
    return a.status;
  };

  beforeAll(async () => {
    await cryptoWaitReady();
    dn = await startTestDevnet({ blockIntervalMs: 1_000 });
    const core = { logger: silentLogger(), metrics: null, clock, signal: abort.signal };
    chain = new ChainClient({ endpoints: [dn.endpoint], watchdogMs: 10_000, connectTimeoutMs: 15_000, reconnectMinMs: 200, reconnectMaxMs: 2_000 }, core);
    mg = new MetagraphSync({ netuid: 1, syncEveryBlocks: 2, retryMs: 500 }, { ...core, chain });
    await chain.start();
    await mg.start();
    await waitFor('metagraph', () => mg.current()?.byHotkey(DEVNET_ROLES.validatorHotkey.ss58), 60_000);
    const cfg = axonSchema.parse({ host: '127.0.0.1' });
    axon = buildServingStack(
      { axon: { ...cfg, port: 0 }, scheduler: cfg },
      {
        ...core,
        pair: keyring.addFromUri(DEVNET_ROLES.minerHotkey.uri),
        metagraph: mg,
        synapses: defaultSynapseRegistry(),
        observer: { observe: () => {} },
      },
    ).axon;
    await axon.start();
    port = axon.address().port;
  }, 240_000);

  afterAll(async () => {
    for (const d of dendrites) await d.close();
    await axon?.stop();
    await mg?.stop();
    await chain?.stop();
    await dn?.stop();
    abort.abort();
  });

  it('serves the registered validator with a permit over both forms', async () => {
    const bob = mg.current()!.byHotkey(DEVNET_ROLES.validatorHotkey.ss58)!;
    expect(bob.validatorPermit).toBe(true);
    expect(await ask(DEVNET_ROLES.validatorHotkey.uri, 'ws')).toBe(200);
    expect(await ask(DEVNET_ROLES.validatorHotkey.uri, 'http')).toBe(200);
  });

  it('refuses hotkeys the chain does not know, and the miner without a permit (403)', async () => {
    expect(await ask('//Ferdie', 'ws')).toBe(403);
    expect(await ask('//Ferdie', 'http')).toBe(403);
    const eve = mg.current()!.byHotkey(DEVNET_ROLES.minerHotkey.ss58);
    if (eve && !eve.validatorPermit) expect(await ask(DEVNET_ROLES.minerHotkey.uri, 'ws')).toBe(403);
    expect(await ask(DEVNET_ROLES.validatorHotkey.uri, 'ws')).toBe(200);
  });
});
