import { Writable } from 'node:stream';
import ort from 'onnxruntime-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DeviceSet, isDeviceError, parseDeviceList, type ModelSession, type SessionFactory } from '../../../src/inference/index.js';
import { ManualClock, MinerError } from '../../../src/util/index.js';
import { createMinerMetrics } from '../../../src/metrics/index.js';

interface Call {
  device: string;
  cost: number;
}

/**
 * Fake devices: a run takes `msPerCost[device] * cost` of the manual clock. A run either finishes
 * at once (the clock is advanced by its duration) or, while `hold` is set, waits to be released.
 */
function harness(devices: string[], msPerCost: Record<string, number>, solo = false) {
  const clock = new ManualClock();
  const calls: Call[] = [];
  const held: { device: string; finish: () => void }[] = [];
  const failing = new Map<string, string>();
  let hold = false;
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(c, _e, cb) {
        lines.push(JSON.parse(String(c)));
        cb();
      },
    }),
  );
  const createSession: SessionFactory = async (_model, _opts, spec) => {
    const session: ModelSession = {
      inputNames: ['x'],
      outputNames: ['y'],
      run: async (feeds) => {
        const x = feeds['x']!;
        const cost = x.dims.reduce((a, b) => a * b, 1);
        calls.push({ device: spec.label, cost });
        const why = failing.get(spec.label);
        if (why) throw new Error(why);
        const ms = msPerCost[spec.label]! * cost;
        if (hold) {
          await new Promise<void>((r) =>
            held.push({
              device: spec.label,
              finish: () => {
                clock.advance(ms);
                r();
              },
            }),
          );
        } else {
          clock.advance(ms);
        }
        return { y: new ort.Tensor('float32', new Float32Array(1), [1]) };
      },
      release: async () => {},
    };
    return session;
  };
  const registry = new Registry();
  const specs = parseDeviceList(devices);
  const set = new DeviceSet(
    { devices: specs, sessionOptions: specs.map(() => ({})), maxSessions: 4, maxConcurrentRuns: 4, soloSessionOptions: solo ? {} : undefined },
    { logger, clock, metrics: createMinerMetrics(registry).inference.device, createSession, modelBytes: async () => new Uint8Array(1) },
  );
  const run = (cost: number) => set.run('m', cost, 1, (s) => s.run({ x: new ort.Tensor('float32', new Float32Array(cost), [cost]) }));
  const runOn = (i: number, cost: number) => set.runOn(i, 'm', cost, 1, (s) => s.run({ x: new ort.Tensor('float32', new Float32Array(cost), [cost]) }));
  const tick = () => new Promise((r) => setImmediate(r));
  return {
    set,
    clock,
    calls,
    held,
    failing,
    lines,
    registry,
    run,
    runOn,
    tick,
    setHold: (v: boolean) => {
      hold = v;
    },
    metric: async (name: string, device: string) => (await registry.getSingleMetric(name)!.get()).values.find((v) => v.labels['device'] === device)?.value ?? 0,
  };
}

describe('DeviceSet dispatch', () => {
  it('sends a batch to the device expected to finish it first: queued work plus measured time per cost unit', async () => {
    const h = harness(['cpu', 'cpu'], { 'cpu:0': 1, 'cpu:1': 4 });
    await h.runOn(0, 10);
    await h.runOn(1, 10);
    expect(h.set.expectedFinishMs(0, 'm', 10)).toBe(10);
    expect(h.set.expectedFinishMs(1, 'm', 10)).toBe(40);

    // Idle: the faster device wins.
    h.calls.length = 0;
    await h.run(10);
    expect(h.calls.map((c) => c.device)).toEqual(['cpu:0']);

    // cpu:0 busy with 100 ms of work: a 10-unit batch finishes sooner on the slow cpu:1 (40 ms < 110 ms).
    h.setHold(true);
    const big = h.run(100);
    await h.tick();
    expect(h.calls.at(-1)!.device).toBe('cpu:0');
    expect(h.set.expectedFinishMs(0, 'm', 10)).toBe(110);
    const small = h.run(10);
    await h.tick();
    expect(h.calls.at(-1)!.device).toBe('cpu:1');

    // 80 ms later cpu:0 has 20 ms of its run left (finishes a new batch at 30) and cpu:1, whose run
    // is overdue, at 40: the next batch goes back to cpu:0.
    h.clock.advance(80);
    expect(h.set.expectedFinishMs(0, 'm', 10)).toBe(30);
    expect(h.set.expectedFinishMs(1, 'm', 10)).toBe(40);
    const third = h.run(10);
    await h.tick();
    expect(h.calls.at(-1)!.device).toBe('cpu:0');
    for (const x of h.held) x.finish();
    await Promise.all([big, small, third]);
    expect(h.set.status().map((s) => [s.device, s.state, s.batches])).toEqual([
      ['cpu:0', 'up', 4],
      ['cpu:1', 'up', 2],
    ]);
    expect(await h.metric('miner_inference_device_batches_total', 'cpu:0')).toBe(4);
  });

  it('learns from measured runs (EWMA): a device that slows down loses work to the other', async () => {
    const rates = { 'cuda:0': 1, 'cuda:1': 2 };
    const h = harness(['cuda:0', 'cuda:1'], rates);
    await h.runOn(0, 10);
    await h.runOn(1, 10);
    h.calls.length = 0;
    await h.run(10);
    // cuda:0 becomes 5x slower (throttled, or shared with another process): one measured run moves
    // its estimate (1 + 0.3 * (5 - 1) = 2.2 ms per unit) past cuda:1's 2.
    rates['cuda:0'] = 5;
    await h.run(10);
    await h.run(10);
    expect(h.calls.map((c) => c.device)).toEqual(['cuda:0', 'cuda:0', 'cuda:1']);
    expect(h.set.expectedFinishMs(0, 'm', 10)).toBeCloseTo(22, 5);
  });

  it('tries an unmeasured device as if it were as fast as the fastest measured one', async () => {
    const h = harness(['cpu', 'cpu'], { 'cpu:0': 1, 'cpu:1': 1 });
    await h.runOn(0, 10);
    expect(h.set.expectedFinishMs(1, 'm', 10)).toBe(10);
  });
});

describe('DeviceSet solo lane (CPU lanes sharing cores)', () => {
  const rates = { 'cpu:0': 2, 'cpu:1': 2, 'cpu:solo': 1 };

  it('runs a lone batch on all cores at once; batches arriving meanwhile wait for cores, then run side by side', async () => {
    const h = harness(['cpu', 'cpu'], rates, true);
    expect(h.set.size).toBe(2);
    expect(h.set.specs().map((s) => s.label)).toEqual(['cpu:0', 'cpu:1', 'cpu:solo']);
    h.setHold(true);
    const lone = h.run(10);
    await h.tick();
    expect(h.held.map((x) => x.device)).toEqual(['cpu:solo']);
    // The solo run holds both cores: the next two batches are given lanes but do not start.
    const b = h.run(10);
    const c = h.run(10);
    await h.tick();
    expect(h.held).toHaveLength(1);
    h.held.shift()!.finish();
    await lone;
    await h.tick();
    expect(h.held.map((x) => x.device).sort()).toEqual(['cpu:0', 'cpu:1']);
    for (const x of h.held.splice(0)) x.finish();
    await Promise.all([b, c]);
    expect(h.set.status().map((s) => [s.device, s.batches])).toEqual([
      ['cpu:0', 1],
      ['cpu:1', 1],
      ['cpu:solo', 1],
    ]);
  });

  it('never runs the solo lane beside a lane: a batch arriving while a lane runs takes the other lane', async () => {
    const h = harness(['cpu', 'cpu'], rates, true);
    h.setHold(true);
    const a = h.run(10);
    await h.tick();
    const b = h.run(10);
    await h.tick();
    expect(h.held.map((x) => x.device)).toEqual(['cpu:solo']);
    h.held.shift()!.finish();
    await a;
    await h.tick();
    // b waited for cores on a lane; while it runs, a new batch goes to the other lane, not solo.
    const c = h.run(10);
    await h.tick();
    expect(h.held.map((x) => x.device).sort()).toEqual(['cpu:0', 'cpu:1']);
    for (const x of h.held.splice(0)) x.finish();
    await Promise.all([b, c]);
  });

  it('a faster GPU takes a lone batch; the solo lane stands in only for CPU lanes', async () => {
    const h = harness(['cuda:0', 'cpu', 'cpu'], { 'cuda:0': 0.1, 'cpu:0': 2, 'cpu:1': 2, 'cpu:solo': 1 }, true);
    for (const i of [0, 1, 2, 3]) await h.runOn(i, 10);
    h.calls.length = 0;
    await h.run(10);
    expect(h.calls.map((c) => c.device)).toEqual(['cuda:0']);
  });

  it('a failing solo lane is taken out and its batch runs on a lane; the lanes stay in rotation', async () => {
    const h = harness(['cpu', 'cpu'], rates, true);
    h.failing.set('cpu:solo', 'session worker exited with code 1');
    await expect(h.run(10)).resolves.toBeDefined();
    await h.run(10);
    expect(h.calls.map((c) => c.device)).toEqual(['cpu:solo', 'cpu:0', 'cpu:0']);
    expect(h.set.upCount()).toBe(2);
    expect(h.set.status().map((s) => s.state)).toEqual(['up', 'up', 'out']);
    expect(h.lines.filter((l) => l['level'] === 50)[0]).toMatchObject({ device: 'cpu:solo', devicesLeft: 2 });
  });

  it('without solo options (or with one CPU lane) there is no solo lane', () => {
    expect(harness(['cpu', 'cpu'], rates).set.specs()).toHaveLength(2);
    expect(harness(['cpu'], rates, true).set.specs()).toHaveLength(1);
  });
});

describe('DeviceSet failures', () => {
  it('takes a failing device out with one error line and a metric, and retries its batch on another device', async () => {
    const h = harness(['cuda:0', 'cuda:1'], { 'cuda:0': 1, 'cuda:1': 2 });
    await h.runOn(0, 10);
    await h.runOn(1, 10);
    h.failing.set('cuda:0', 'CUDA failure 700: an illegal memory access was encountered');
    h.calls.length = 0;
    await expect(h.run(10)).resolves.toBeDefined();
    expect(h.calls.map((c) => c.device)).toEqual(['cuda:0', 'cuda:1']);
    await h.run(10);
    await h.run(10);
    expect(h.calls.map((c) => c.device)).toEqual(['cuda:0', 'cuda:1', 'cuda:1', 'cuda:1']);
    expect(h.set.status().map((s) => s.state)).toEqual(['out', 'up']);
    expect(await h.metric('miner_inference_device_available_bool', 'cuda:0')).toBe(0);
    expect(await h.metric('miner_inference_device_available_bool', 'cuda:1')).toBe(1);
    expect(await h.metric('miner_inference_device_failures_total', 'cuda:0')).toBe(1);
    const errors = h.lines.filter((l) => l['level'] === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ device: 'cuda:0', devicesLeft: 1, msg: 'inference device failed, taken out of rotation' });
  });

  it('an input error fails only its batch; the device stays in rotation', async () => {
    const h = harness(['cpu', 'cpu'], { 'cpu:0': 1, 'cpu:1': 1 });
    h.failing.set('cpu:0', 'Got invalid dimensions for input: x for the following indices');
    h.failing.set('cpu:1', 'Got invalid dimensions for input: x for the following indices');
    await expect(h.runOn(0, 5)).rejects.toThrow(/invalid dimensions/);
    const err = await h.run(5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(h.calls).toHaveLength(2);
    expect(h.set.upCount()).toBe(2);
  });

  it('retries once per device; with none left, requests fail with INFERENCE_FAILED and the status says so', async () => {
    const h = harness(['cpu', 'cpu', 'cpu'], { 'cpu:0': 1, 'cpu:1': 1, 'cpu:2': 1 });
    for (const d of ['cpu:0', 'cpu:1', 'cpu:2']) h.failing.set(d, 'session worker exited with code 1');
    const err = await h.run(5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MinerError);
    expect((err as MinerError).code).toBe('INFERENCE_FAILED');
    expect(h.calls.map((c) => c.device).sort()).toEqual(['cpu:0', 'cpu:1', 'cpu:2']);
    expect(h.set.upCount()).toBe(0);
    expect(h.set.status().every((s) => s.state === 'out')).toBe(true);
    h.calls.length = 0;
    const again = await h.run(5).catch((e: unknown) => e);
    expect((again as MinerError).message).toMatch(/no inference device is left/);
    expect(h.calls).toHaveLength(0);
  });

  it('a batch queued on a device that is taken out meanwhile moves to another device', async () => {
    const h = harness(['cuda:0', 'cuda:1'], { 'cuda:0': 1, 'cuda:1': 1 });
    h.setHold(true);
    const a = h.run(10);
    const b = h.run(10);
    await h.tick();
    expect(h.held.map((x) => x.device)).toEqual(['cuda:0', 'cuda:1']);
    h.failing.set('cuda:1', 'CUDA error: device lost');
    h.setHold(false);
    for (const x of h.held) x.finish();
    await Promise.all([a, b]);
    await h.run(10);
    await h.run(10);
    expect(h.set.status().map((s) => s.state)).toEqual(['up', 'up']);
    expect(h.set.upCount()).toBe(2);
    // cuda:1's next run fails: it is taken out and the batch is answered by cuda:0.
    const before = h.calls.length;
    const results = await Promise.all([h.run(10), h.run(10), h.run(10)]);
    expect(results).toHaveLength(3);
    expect(h.set.status().map((s) => s.state)).toEqual(['up', 'out']);
    expect(h.calls.slice(before).filter((c) => c.device === 'cuda:1')).toHaveLength(1);
  });

  it('classifies errors: typed errors and input errors are not device failures', () => {
    expect(isDeviceError(new Error('CUDA failure 999: unknown error'))).toBe(true);
    expect(isDeviceError(new Error('session worker exited with code 1'))).toBe(true);
    expect(isDeviceError(new MinerError('MODEL_LOAD_FAILED', 'cannot load'))).toBe(true);
    expect(isDeviceError(new MinerError('SHUTTING_DOWN', 'stopping'))).toBe(false);
    expect(isDeviceError(new Error('Unexpected input data type. Actual: (tensor(double))'))).toBe(false);
    expect(isDeviceError(new Error('input x missing from a batch item'))).toBe(false);
    // A batch that did not fit (another process holds the GPU's memory) fails alone.
    expect(isDeviceError(new Error('Failed to allocate memory for requested buffer of size 94371840'))).toBe(false);
    expect(isDeviceError(new Error('CUDA failure 2: out of memory ; GPU=0'))).toBe(false);
  });
});

describe('DeviceSet logging', () => {
  it('is quiet while every device works', async () => {
    const h = harness(['cpu'], { 'cpu:0': 1 });
    await h.run(3);
    expect(h.lines.filter((l) => Number(l['level']) >= 40)).toHaveLength(0);
  });
});
