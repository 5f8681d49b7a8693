import { describe, expect, it } from 'vitest';
import { healthVerdict, toHealthResponse, type HealthInputs } from '../../../src/monitor/index.js';

const serving: HealthInputs = {
  started: true,
  draining: false,
  axonServing: true,
  chainConnected: true,
  metagraphAgeSeconds: 30,
  registered: true,
  modelsLoaded: true,
  maxMetagraphAgeSeconds: 1800,
};

describe('healthVerdict', () => {
  it('is ok only when the axon serves with loaded models and a fresh metagraph naming the miner', () => {
    expect(healthVerdict(serving)).toEqual({ status: 'ok', reasons: [] });
  });

  it('is unavailable with every reason while the chain was never reached', () => {
    expect(healthVerdict({ ...serving, chainConnected: false, metagraphAgeSeconds: null, registered: false })).toEqual({
      status: 'unavailable',
      reasons: ['chain_down', 'metagraph_not_synced'],
    });
  });

  it('says degraded (still serving) when the chain drops but the snapshot is within the bound', () => {
    expect(healthVerdict({ ...serving, chainConnected: false, metagraphAgeSeconds: 600 })).toEqual({ status: 'degraded', reasons: ['chain_down'] });
  });

  it('is unavailable once the snapshot is older than the bound', () => {
    expect(healthVerdict({ ...serving, chainConnected: false, metagraphAgeSeconds: 1801 })).toEqual({
      status: 'unavailable',
      reasons: ['chain_down', 'metagraph_stale'],
    });
    expect(healthVerdict({ ...serving, metagraphAgeSeconds: 1801 })).toEqual({ status: 'unavailable', reasons: ['metagraph_stale'] });
  });

  it('names not registered, models not loaded, starting and draining', () => {
    expect(healthVerdict({ ...serving, registered: false }).reasons).toEqual(['not_registered']);
    expect(healthVerdict({ ...serving, modelsLoaded: false }).reasons).toEqual(['models_not_loaded']);
    expect(healthVerdict({ ...serving, started: false, axonServing: false }).reasons).toEqual(['starting']);
    expect(healthVerdict({ ...serving, draining: true, axonServing: false })).toEqual({ status: 'unavailable', reasons: ['draining'] });
  });
});

describe('toHealthResponse', () => {
  const extra = { uptimeSeconds: 1, version: '0.1.0', alarms: [] };
  const base = { serving: true, chainConnected: true, lastBlockAgeSeconds: 1, registered: true, modelsLoaded: true, queueDepth: 0 };

  it('carries the wiring status and reasons; degraded still counts as serving', () => {
    const r = toHealthResponse({ ...base, status: 'degraded', reasons: ['chain_down'] }, extra);
    expect(r).toMatchObject({ status: 'degraded', reasons: ['chain_down'], serving: true });
  });

  it('without a status, falls back to serving and says "starting" when it does not serve', () => {
    expect(toHealthResponse({ ...base, serving: false }, extra)).toMatchObject({ status: 'unavailable', reasons: ['starting'], serving: false });
    expect(toHealthResponse(base, extra)).toMatchObject({ status: 'ok', reasons: [] });
  });
});
