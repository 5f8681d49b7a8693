/*
 * A short run of the ingress fuzzer (bench/fuzz) against the real daemon on a devnet: every
 * family of malformed input, a fixed seed, the validator's signed queries checked between
 * batches. Zero failures, and the daemon is still running at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startTestDevnet, DEVNET_ROLES, type Devnet } from '../helpers/devnet.js';
import { DaemonProcess } from '../helpers/daemon.js';
import { FAMILIES } from '../../bench/fuzz/families.js';
import { formatSummary } from '../../bench/fuzz/report.js';
import { FUZZ_DAEMON_AXON, runFuzz } from '../../bench/fuzz/runner.js';

const SEED = 20261203;
/** 46 cases of each family: over 1,000 in all, under ~90 s with the devnet on 2 shared cores. */
const CASES = 46 * FAMILIES.length;

describe('ingress fuzz, short run (bench/fuzz)', () => {
  let dn: Devnet;
  let daemon: DaemonProcess;

  beforeAll(async () => {
    await cryptoWaitReady();
    dn = await startTestDevnet({ spec: 103 });
    daemon = await DaemonProcess.forDevnet(dn, { inference: { ocr: { enabled: false } }, axon: FUZZ_DAEMON_AXON });
    daemon.start();
    await daemon.waitForLog((r) => r.msg === 'miner serving');
  });

  afterAll(async () => {
    await daemon?.cleanup();
    await dn?.stop();
  });

  it(`survives ${CASES} malformed inputs from ${FAMILIES.length} families with no failure`, async () => {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const summary = await runFuzz(
      {
        port: daemon.axonPort,
        axonHotkey: DEVNET_ROLES.minerHotkey.ss58,
        maxPayloadBytes: FUZZ_DAEMON_AXON.maxPayloadBytes,
        alive: () => daemon.exitCode === null,
        lastWords: () => daemon.stderr.slice(-15),
      },
      {
        seed: SEED,
        cases: Array.from({ length: CASES }, (_, i) => i),
        concurrency: 8,
        checkEvery: 200,
        maxSeconds: 150,
        validator: keyring.addFromUri(DEVNET_ROLES.validatorHotkey.uri),
        stranger: keyring.addFromUri('//Ferdie'),
      },
    );
    const report = formatSummary(summary, SEED, 'node dist/bench/fuzz.js');
    expect(summary.failures, report).toEqual([]);
    expect(summary.stoppedEarly, report).toBeNull();
    expect(summary.results).toHaveLength(CASES);
    expect(new Set(summary.results.map((r) => r.family)).size).toBe(FAMILIES.length);
    expect(summary.checks.passed).toBeGreaterThanOrEqual(Math.ceil(CASES / 200));
    expect(daemon.exitCode).toBeNull();
  });
});
