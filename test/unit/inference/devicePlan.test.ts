import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  cpuThreadsPerDevice,
  defaultSessionFactory,
  deviceRequest,
  parseDeviceList,
  resolveDevices,
  sessionOptionsFor,
  type SessionFactory,
} from '../../../src/inference/index.js';
import { inferenceSchema } from '../../../src/config/sections/inference.js';
import { MinerError, silentLogger } from '../../../src/util/index.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _e, cb) {
      lines.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** A factory that opens the CUDA ordinals in `gpus` and refuses the others, as onnxruntime does. */
function fakeCuda(gpus: number[]): { factory: SessionFactory; opened: number[] } {
  const opened: number[] = [];
  const factory: SessionFactory = async (_m, opts) => {
    const ep = opts.executionProviders?.[0] as { name: string; deviceId: number };
    if (!gpus.includes(ep.deviceId)) throw new Error(`CUDA failure 101: invalid device ordinal ; GPU=${ep.deviceId}`);
    opened.push(ep.deviceId);
    return { inputNames: ['x'], outputNames: ['y'], run: async () => ({}), release: async () => {} };
  };
  return { factory, opened };
}

describe('device list', () => {
  it('labels devices; a repeated GPU becomes a second lane', () => {
    expect(parseDeviceList(['cuda:0', 'cuda:1', 'cuda']).map((d) => d.label)).toEqual(['cuda:0', 'cuda:1', 'cuda:0.1']);
    expect(parseDeviceList(['cpu', 'cpu']).map((d) => [d.kind, d.label])).toEqual([
      ['cpu', 'cpu:0'],
      ['cpu', 'cpu:1'],
    ]);
    expect(() => parseDeviceList(['tpu'])).toThrow(MinerError);
  });

  it('maps the older inference.device key when devices is left at auto', () => {
    const req = (o: object) => deviceRequest(inferenceSchema.parse(o), 16);
    expect(req({})).toEqual({ mode: 'auto', cpuLanes: 2 });
    // auto's CPU lanes: never more than the cores.
    expect(deviceRequest(inferenceSchema.parse({ cpuAutoLanes: 4 }), 2)).toEqual({ mode: 'auto', cpuLanes: 2 });
    expect(deviceRequest(inferenceSchema.parse({}), 1)).toEqual({ mode: 'auto', cpuLanes: 1 });
    expect(req({ device: 'cpu' })).toMatchObject({ mode: 'list', devices: [{ label: 'cpu:0' }], source: 'inference.device' });
    expect(req({ device: 'cuda', cudaDeviceId: 2 })).toMatchObject({ mode: 'list', devices: [{ label: 'cuda:2' }] });
    expect(req({ devices: ['cpu', 'cpu'] })).toMatchObject({ mode: 'list', devices: [{ label: 'cpu:0' }, { label: 'cpu:1' }], source: 'inference.devices' });
  });

  it('the schema refuses both keys at once, auto in a list, and unknown entries', () => {
    expect(inferenceSchema.safeParse({ devices: ['cpu'], device: 'cuda' }).success).toBe(false);
    expect(inferenceSchema.safeParse({ devices: ['auto', 'cpu'] }).success).toBe(false);
    expect(inferenceSchema.safeParse({ devices: ['gpu0'] }).success).toBe(false);
    expect(inferenceSchema.safeParse({ devices: [] }).success).toBe(false);
    expect(inferenceSchema.safeParse({ devices: ['cuda:0', 'cuda:1'] }).success).toBe(true);
  });

  it('splits CPU threads between CPU devices, at least one each', () => {
    expect(cpuThreadsPerDevice(0, 16, 2)).toBe(8);
    expect(cpuThreadsPerDevice(6, 16, 4)).toBe(1);
    expect(cpuThreadsPerDevice(0, 2, 3)).toBe(1);
    expect(cpuThreadsPerDevice(0, 16, 1)).toBeUndefined();
    expect(cpuThreadsPerDevice(4, 16, 1)).toBe(4);
  });

  it('builds CUDA session options from the tuning keys', () => {
    const [gpu] = parseDeviceList(['cuda:1']);
    const o = sessionOptionsFor(
      gpu!,
      {
        intraOpThreads: 0,
        interOpThreads: 0,
        allowSpinning: false,
        cpuMemArena: true,
        cuda: { enableMemPattern: false, deviceAllocatorForInitializers: true },
      },
      3,
    );
    expect(o.executionProviders).toEqual([{ name: 'cuda', deviceId: 1 }, 'cpu']);
    expect(o.enableMemPattern).toBe(false);
    expect(o.intraOpNumThreads).toBeUndefined();
    expect((o.extra as { session: Record<string, unknown> }).session['use_device_allocator_for_initializers']).toBe('1');
  });
});

describe('CPU session options', () => {
  it('turns the CPU memory arena off when inference.cpuMemArena is false', () => {
    const [cpu] = parseDeviceList(['cpu']);
    const base = { intraOpThreads: 0, interOpThreads: 0, allowSpinning: false, cuda: { enableMemPattern: true, deviceAllocatorForInitializers: false } };
    expect(sessionOptionsFor(cpu!, { ...base, cpuMemArena: false }, undefined).enableCpuMemArena).toBe(false);
    expect(sessionOptionsFor(cpu!, { ...base, cpuMemArena: true }, 2)).toMatchObject({ enableCpuMemArena: true, intraOpNumThreads: 2 });
  });
});

describe('resolveDevices', () => {
  it('auto uses every CUDA device that opens', async () => {
    const { factory, opened } = fakeCuda([0, 1]);
    const devices = await resolveDevices({ mode: 'auto', cpuLanes: 2 }, factory, silentLogger());
    expect(devices.map((d) => d.label)).toEqual(['cuda:0', 'cuda:1']);
    expect(opened).toEqual([0, 1]);
  });

  it('auto without the CUDA provider (this host): the CPU lanes asked for and one warning saying why', async () => {
    const { logger, lines } = capture();
    const devices = await resolveDevices({ mode: 'auto', cpuLanes: 2 }, defaultSessionFactory(true), logger);
    expect(devices.map((d) => d.label)).toEqual(['cpu:0', 'cpu:1']);
    const warnings = lines.filter((l) => String(l['msg']).includes('falling back to CPU'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!['reason'])).toMatch(/Cuda|CUDA|shared library/);
  });

  it('a listed GPU that does not open stops start-up with a clear error', async () => {
    const { factory } = fakeCuda([0]);
    const err = await resolveDevices(deviceRequest(inferenceSchema.parse({ devices: ['cuda:0', 'cuda:1'] }), 2), factory, silentLogger()).catch(
      (e: unknown) => e,
    );
    expect((err as MinerError).code).toBe('MODEL_LOAD_FAILED');
    expect((err as MinerError).message).toMatch(/inference\.devices asks for cuda:1.*gpu:install/);
    const legacy = await resolveDevices(deviceRequest(inferenceSchema.parse({ device: 'cuda' }), 2), defaultSessionFactory(true), silentLogger()).catch(
      (e: unknown) => e,
    );
    expect((legacy as MinerError).message).toMatch(/inference\.device asks for cuda:0/);
  });
});
