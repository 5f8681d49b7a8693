import type { EventRecord } from '@polkadot/types/interfaces';
import type { ApiPromise } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Logger } from 'pino';
import { hasCall, sudo, type SignedTx, type Tx } from './devnetCalls.js';
import { DEVNET_ROLES, DEV_KEYS } from './devKeys.js';

/** Emission per epoch seeded for the subnet (rao): the old runtime pays nothing without it. */
const EMISSION_RAO = 1_000_000_000;

export interface RegisterNeuronOpts {
  /** A development key URI (sr25519), or give hotkeyAddress (any scheme: the chain stores 32 bytes). */
  hotkeyUri?: string;
  hotkeyAddress?: string;
  coldkeyUri: string;
  /** Stake added to the hotkey, in TAO (default 0). */
  stakeTao?: number;
}

/** What bootstrapping needs of a running devnet (the Devnet class provides it); keeps the import one-way. */
export interface BootstrapTarget {
  readonly api: ApiPromise;
  readonly netuid: number;
  readonly tempo: number;
  readonly log: Logger;
  pair(uri: string): KeyringPair;
  call(name: string, args: Record<string, unknown>): Tx;
  run(txs: readonly SignedTx[]): Promise<void>;
  sudo(calls: ReadonlyArray<[string, Record<string, unknown>]>): Promise<void>;
  setStorage(storage: Record<string, unknown>): Promise<void>;
  setValidatorPermit(uid: number, permit: boolean): Promise<void>;
  uidOf(hotkey: string): Promise<number | undefined>;
  rao(tao: number): bigint;
}

export interface BootstrapOpts {
  maxAllowedValidators: number;
}

async function createSubnet(dn: BootstrapTarget): Promise<void> {
  const { netuid, tempo } = dn;
  if (hasCall(dn.api, 'sudoAddNetwork')) {
    await dn.sudo([['sudoAddNetwork', { netuid, tempo, modality: 0 }]]);
    return;
  }
  // Newer runtimes pick the netuid themselves: register networks until ours exists.
  await dn.sudo([['sudoSetNetworkRateLimit', { rateLimit: 0 }]]);
  const alice = dn.pair(DEV_KEYS.alice.uri);
  for (let i = 0; i <= netuid; i++) {
    const added = (await dn.api.query['subtensorModule']!['networksAdded']!(netuid)) as unknown as { isTrue: boolean };
    if (added.isTrue) break;
    await dn.run([{ signer: alice, tx: dn.call('registerNetwork', { hotkey: alice.address, mechid: 1 }) }]);
  }
  await dn.sudo([['sudoSetTempo', { netuid, tempo }]]);
}

/** Hyperparameters that let a fresh devnet subnet register freely and pay on every epoch; each only where the runtime has it. */
function subnetParams(dn: BootstrapTarget, o: BootstrapOpts): Array<[string, Record<string, unknown>]> {
  const netuid = dn.netuid;
  const wanted: Array<[string, Record<string, unknown>]> = [
    ['sudoSetMaxWeightLimit', { netuid, maxWeightLimit: 65535 }],
    ['sudoSetWeightsSetRateLimit', { netuid, weightsSetRateLimit: 0 }],
    ['sudoSetMinAllowedWeights', { netuid, minAllowedWeights: 1 }],
    ['sudoSetMaxAllowedValidators', { netuid, maxAllowedValidators: o.maxAllowedValidators }],
    ['sudoSetMaxRegistrationsPerBlock', { netuid, maxRegistrationsPerBlock: 256 }],
    ['sudoSetTargetRegistrationsPerInterval', { netuid, targetRegistrationsPerInterval: 256 }],
    ['sudoSetCommitRevealWeightsEnabled', { netuid, enabled: false }],
    ['sudoSetWeightsMinStake', { minStake: 0 }],
    ['sudoSetTxRateLimit', { txRateLimit: 0 }],
    ['sudoSetNetworkRegistrationAllowed', { netuid, registrationAllowed: true }],
  ];
  return wanted.filter(([name]) => hasCall(dn.api, name));
}

async function seedEmission(dn: BootstrapTarget): Promise<void> {
  if (!dn.api.query['subtensorModule']?.['emissionValues']) return;
  await dn.setStorage({ SubtensorModule: { EmissionValues: [[[dn.netuid], EMISSION_RAO]] } });
}

/** Subnet `netuid` with a short tempo, validator //Bob (coldkey //Charlie) with stake and permit, miner //Eve (coldkey //Dave). */
export async function bootstrapSubnet(dn: BootstrapTarget, o: BootstrapOpts): Promise<void> {
  const t0 = Date.now();
  await createSubnet(dn);
  await dn.sudo(subnetParams(dn, o));
  await seedEmission(dn);
  const vUid = await registerNeuron(dn, { hotkeyUri: DEVNET_ROLES.validatorHotkey.uri, coldkeyUri: DEVNET_ROLES.validatorColdkey.uri, stakeTao: 1000 });
  const mUid = await registerNeuron(dn, { hotkeyUri: DEVNET_ROLES.minerHotkey.uri, coldkeyUri: DEVNET_ROLES.minerColdkey.uri });
  await dn.setValidatorPermit(vUid, true);
  await dn.setValidatorPermit(mUid, false);
  dn.log.info({ netuid: dn.netuid, tempo: dn.tempo, validatorUid: vUid, minerUid: mUid, ms: Date.now() - t0 }, 'devnet bootstrapped');
}

async function fundIfPoor(dn: BootstrapTarget, address: string, rao: bigint): Promise<SignedTx[]> {
  const acct = (await dn.api.query['system']!['account']!(address)) as unknown as { data: { free: { toBigInt(): bigint } } };
  if (acct.data.free.toBigInt() >= rao) return [];
  const bal = dn.api.tx['balances']!;
  const transfer = bal['transferKeepAlive'] ?? bal['transferAllowDeath'] ?? bal['transfer'];
  if (!transfer) throw new Error('runtime has no balance transfer call');
  return [{ signer: dn.pair(DEV_KEYS.alice.uri), tx: transfer(address, rao * 2n) }];
}

export async function registerNeuron(dn: BootstrapTarget, o: RegisterNeuronOpts): Promise<number> {
  if (!o.hotkeyAddress && !o.hotkeyUri) throw new Error('registerNeuron needs hotkeyUri or hotkeyAddress');
  const hot = { address: o.hotkeyAddress ?? dn.pair(o.hotkeyUri!).address };
  const cold = dn.pair(o.coldkeyUri);
  const stake = dn.rao(o.stakeTao ?? 0);
  const existing = await dn.uidOf(hot.address);
  if (existing !== undefined) return existing;
  const { netuid, api } = dn;
  if (hasCall(api, 'sudoRegister')) {
    // The old runtime refuses burned_register (RegistrationDisabled); sudo registers with stake in one call.
    const tx = sudo(api, dn.call('sudoRegister', { netuid, hotkey: hot.address, coldkey: cold.address, stake, balance: 0 }));
    await dn.run([{ signer: dn.pair(DEV_KEYS.alice.uri), tx }]);
  } else {
    await dn.run(await fundIfPoor(dn, cold.address, stake + 1_000n * 1_000_000_000n));
    const txs: SignedTx[] = [{ signer: cold, tx: dn.call('burnedRegister', { netuid, hotkey: hot.address }) }];
    if (stake > 0n) txs.push({ signer: cold, tx: dn.call('addStake', { hotkey: hot.address, netuid, amountStaked: stake }) });
    await dn.run(txs);
  }
  const uid = await dn.uidOf(hot.address);
  if (uid === undefined) throw new Error(`registration of ${hot.address} left no uid`);
  return uid;
}

export type { EventRecord };
