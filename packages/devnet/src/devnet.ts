import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { Logger } from 'pino';
import { defineUnknownSignedExtensions } from '../../../src/chain/index.js';
import { silentLogger } from '../../../src/util/index.js';
import { ChopsticksProcess } from './chopsticksProcess.js';
import { buildCall, outcomesIn, submitAll, sudo, type SignedTx, type Tx, type TxOutcome } from './devnetCalls.js';
import { DEV_KEYS } from './devKeys.js';
import type { RegisterNeuronOpts } from './devnetBootstrap.js';

export interface DevnetOpts {
  /** Raw chain spec; default SUBTENSOR_CHAINSPEC or ../shared/chainspecs/subtensor-testfinney-spec103.raw.json. */
  chainspec?: string;
  host?: string;
  /** 0 (default): an ephemeral port. */
  port?: number;
  /** A block every this many ms; 0: blocks only on newBlocks()/run(). Default 2000. */
  blockIntervalMs?: number;
  netuid?: number;
  tempo?: number;
  /** Bootstrap the subnet, validator and miner (default true). */
  bootstrap?: boolean;
  /** Validator permits handed out per epoch (default 1: only the validator //Bob). */
  maxAllowedValidators?: number;
  logger?: Logger;
  startTimeoutMs?: number;
}

export type { RegisterNeuronOpts } from './devnetBootstrap.js';

const RAO = 1_000_000_000n;
const FUNDS = '1000000000000000000';

/** Genesis balances: every development key of the roles gets funds, so that each can pay fees. */
function genesisStorage(): Record<string, unknown> {
  return {
    Sudo: { Key: DEV_KEYS.alice.ss58 },
    System: { Account: Object.values(DEV_KEYS).map((k) => [[k.ss58], { providers: 1, data: { free: FUNDS } }]) },
  };
}

export function defaultChainspec(): string {
  return process.env['SUBTENSOR_CHAINSPEC'] ?? '../shared/chainspecs/subtensor-testfinney-spec103.raw.json';
}

/** A local subtensor chain (chopsticks, real runtime) that builds blocks at a steady pace. */
export class Devnet {
  readonly keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  private timer: NodeJS.Timeout | undefined;
  private lock: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private paused = false;
  readonly log: Logger;

  private constructor(
    readonly endpoint: string,
    readonly api: ApiPromise,
    private readonly provider: WsProvider,
    readonly netuid: number,
    readonly tempo: number,
    readonly blockIntervalMs: number,
    private readonly proc: ChopsticksProcess,
    logger: Logger,
  ) {
    this.log = logger;
  }

  static async start(opts: DevnetOpts = {}): Promise<Devnet> {
    const logger = (opts.logger ?? silentLogger()).child({ module: 'devnet' });
    await cryptoWaitReady();
    const proc = new ChopsticksProcess({
      chainspec: opts.chainspec ?? defaultChainspec(),
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 0,
      importStorage: genesisStorage(),
      startTimeoutMs: opts.startTimeoutMs ?? 180_000,
      logger,
    });
    let api: ApiPromise | undefined;
    try {
      const endpoint = await proc.start();
      const provider = new WsProvider(endpoint, 1_000);
      api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
      defineUnknownSignedExtensions(api);
      const dn = new Devnet(endpoint, api, provider, opts.netuid ?? 1, opts.tempo ?? 10, opts.blockIntervalMs ?? 2_000, proc, logger);
      logger.info({ endpoint, chopsticksPid: proc.pid, specVersion: dn.specVersion }, 'chopsticks listening');
      if (opts.bootstrap !== false) {
        const { bootstrapSubnet } = await import('./devnetBootstrap.js');
        await bootstrapSubnet(dn, { maxAllowedValidators: opts.maxAllowedValidators ?? 1 });
      }
      dn.startBlocks();
      return dn;
    } catch (err) {
      await api?.disconnect().catch(() => undefined);
      await proc.stop();
      throw err;
    }
  }

  get specVersion(): number {
    return this.api.runtimeVersion.specVersion.toNumber();
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  pair(uri: string): KeyringPair {
    return this.keyring.addFromUri(uri);
  }

  /** Runs fn with block production held, so that no block is built in between its steps. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  private async buildBlocks(count: number): Promise<`0x${string}`> {
    const hash = (await this.provider.send('dev_newBlock', [{ count }])) as `0x${string}`;
    return hash;
  }

  /** Builds n blocks now; resolves with the new best block number. */
  async newBlocks(n = 1): Promise<number> {
    await this.exclusive(() => this.buildBlocks(n));
    return this.bestBlock();
  }

  async bestBlock(): Promise<number> {
    return (await this.api.rpc.chain.getHeader()).number.toNumber();
  }

  /** Writes storage into the head block, as chopsticks' dev_setStorage takes it. */
  async setStorage(storage: Record<string, unknown>): Promise<void> {
    await this.exclusive(() => this.provider.send('dev_setStorage', [storage]));
  }

  /** Submits the transactions, builds one block, and returns each one's outcome. */
  async runTxs(txs: readonly SignedTx[]): Promise<TxOutcome[]> {
    return this.exclusive(async () => {
      const hashes = await submitAll(this.api, txs);
      const blockHash = await this.buildBlocks(1);
      return outcomesIn(this.api, blockHash, hashes);
    });
  }

  /** Like runTxs, but any failure throws with the chain's error name. */
  async run(txs: readonly SignedTx[]): Promise<void> {
    const out = await this.runTxs(txs);
    const bad = out.filter((o) => o.failure !== null);
    if (bad.length > 0) throw new Error(`devnet transaction failed: ${bad.map((b) => b.failure).join(', ')}`);
  }

  call(name: string, args: Record<string, unknown>): Tx {
    return buildCall(this.api, name, args);
  }

  /** One or more admin calls (by name, arguments by name) through sudo as //Alice, in one block. */
  async sudo(calls: ReadonlyArray<[string, Record<string, unknown>]>): Promise<void> {
    const alice = this.pair(DEV_KEYS.alice.uri);
    await this.run(calls.map(([name, args]) => ({ signer: alice, tx: sudo(this.api, this.call(name, args)) })));
  }

  /** Registers hotkeyUri under coldkeyUri on the devnet's subnet (funding the coldkey from //Alice) and returns its uid. */
  async registerNeuron(o: RegisterNeuronOpts): Promise<number> {
    const { registerNeuron } = await import('./devnetBootstrap.js');
    return registerNeuron(this, o);
  }

  async uidOf(hotkey: string): Promise<number | undefined> {
    const v = await this.api.query['subtensorModule']!['uids']!(this.netuid, hotkey);
    const opt = v as unknown as { isSome: boolean; unwrap(): { toNumber(): number } };
    return opt.isSome ? opt.unwrap().toNumber() : undefined;
  }

  /** Sets one uid's validator permit in storage; the next epoch recomputes permits from stake. */
  async setValidatorPermit(uid: number, permit: boolean): Promise<void> {
    const cur = (await this.api.query['subtensorModule']!['validatorPermit']!(this.netuid)) as unknown as { toJSON(): boolean[] };
    const permits = [...cur.toJSON()];
    const n = ((await this.api.query['subtensorModule']!['subnetworkN']!(this.netuid)) as unknown as { toNumber(): number }).toNumber();
    while (permits.length < n) permits.push(false);
    permits[uid] = permit;
    await this.setStorage({ SubtensorModule: { ValidatorPermit: [[[this.netuid], permits]] } });
  }

  rao(tao: number): bigint {
    return BigInt(Math.round(tao * 1e6)) * (RAO / 1_000_000n);
  }

  /** Stops the steady block production (newBlocks() still works); e.g. to trip a watchdog. */
  pauseBlocks(): void {
    this.paused = true;
  }

  resumeBlocks(): void {
    this.paused = false;
  }

  private startBlocks(): void {
    if (this.blockIntervalMs <= 0 || this.stopped) return;
    const tick = (): void => {
      const t0 = Date.now();
      const build = this.paused ? Promise.resolve() : this.exclusive(() => this.buildBlocks(1));
      build
        .catch((err: unknown) => this.log.warn({ err }, 'devnet block production failed'))
        .finally(() => {
          if (this.stopped) return;
          this.timer = setTimeout(tick, Math.max(0, this.blockIntervalMs - (Date.now() - t0)));
        });
    };
    this.timer = setTimeout(tick, this.blockIntervalMs);
  }

  /** Stops block production, the API connection and chopsticks; idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.lock.catch(() => undefined);
    await this.api.disconnect().catch(() => undefined);
    await this.proc.stop();
    this.log.info('devnet stopped');
  }
}

export function startDevnet(opts: DevnetOpts = {}): Promise<Devnet> {
  return Devnet.start(opts);
}
