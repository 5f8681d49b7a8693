/**
 * Why the miner cannot serve (503) or serves in a reduced way (200, "degraded"). The names are
 * stable: alerts and scripts/monitor.sh match on them (docs/operations.md lists them).
 */
export type HealthReason = 'starting' | 'draining' | 'chain_down' | 'metagraph_not_synced' | 'metagraph_stale' | 'not_registered' | 'models_not_loaded';

export type HealthStatus = 'ok' | 'degraded' | 'unavailable';

export interface HealthInputs {
  /** The daemon finished start() and has not begun to stop. */
  started: boolean;
  draining: boolean;
  /** The axon listens and is not draining. */
  axonServing: boolean;
  chainConnected: boolean;
  /** Age of the metagraph snapshot the axon admits callers by; null before the first sync. */
  metagraphAgeSeconds: number | null;
  registered: boolean;
  modelsLoaded: boolean;
  /** Beyond this age a snapshot no longer describes who may be served (monitor.healthMaxMetagraphAgeMs). */
  maxMetagraphAgeSeconds: number;
}

export interface HealthVerdict {
  status: HealthStatus;
  reasons: HealthReason[];
}

/**
 * A miner serves only with a listening axon, loaded models and a metagraph recent enough to
 * know its validators and itself. A chain that dropped while the snapshot is still within the
 * bound leaves the miner answering from that snapshot: "degraded", still 200.
 */
export function healthVerdict(i: HealthInputs): HealthVerdict {
  const reasons: HealthReason[] = [];
  if (i.draining) reasons.push('draining');
  else if (!i.started || !i.axonServing) reasons.push('starting');
  if (!i.chainConnected && (i.metagraphAgeSeconds === null || i.metagraphAgeSeconds > i.maxMetagraphAgeSeconds)) reasons.push('chain_down');
  if (i.metagraphAgeSeconds === null) reasons.push('metagraph_not_synced');
  else if (i.metagraphAgeSeconds > i.maxMetagraphAgeSeconds) reasons.push('metagraph_stale');
  else if (!i.registered) reasons.push('not_registered');
  if (!i.modelsLoaded) reasons.push('models_not_loaded');
  if (reasons.length > 0) return { status: 'unavailable', reasons };
  if (!i.chainConnected) return { status: 'degraded', reasons: ['chain_down'] };
  return { status: 'ok', reasons: [] };
}
