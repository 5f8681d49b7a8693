import { describe, expect, it } from 'vitest';
import { DrainTally } from '../../../src/monitor/index.js';
import type { RequestObservation } from '../../../src/util/index.js';

const obs = (status: number): RequestObservation => ({ synapse: 'Dummy', status, durationMs: 1, transport: 'http' });

describe('DrainTally', () => {
  it('forwards every observation and counts drained and refused requests only once a drain began', () => {
    const seen: number[] = [];
    const t = new DrainTally({ observe: (o) => seen.push(o.status) });
    t.observe(obs(200));
    t.observe(obs(503));
    expect(t.result()).toEqual({ inflightAtStart: 0, drained: 0, refused: 0 });
    t.begin(3);
    for (const s of [200, 200, 408, 503, 503]) t.observe(obs(s));
    t.begin(99); // a second call keeps the first figures
    expect(t.result()).toEqual({ inflightAtStart: 3, drained: 3, refused: 2 });
    expect(seen).toEqual([200, 503, 200, 200, 408, 503, 503]);
  });
});
