/** One answered request, as the axon reports it to whoever keeps serving statistics. */
export interface RequestObservation {
  readonly synapse: string;
  readonly status: number;
  readonly durationMs: number;
  readonly transport: 'http' | 'ws';
  /** How the cache answered, when the request got that far. */
  readonly cache?: 'hit' | 'miss' | 'coalesced' | 'bypass';
}

export interface RequestObserver {
  observe(o: RequestObservation): void;
}

export const noopObserver: RequestObserver = { observe: () => {} };
