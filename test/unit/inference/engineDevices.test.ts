import ort from 'onnxruntime-node';
import { Registry } from 'prom-client';
import { createMinerMetrics } from '../../../src/metrics/index.js';
import { describe, expect, it } from 'vitest';
import { InferenceEngine, type ModelSession, type SessionFactory } from '../../../src/inference/index.js';
import type { LineTensor } from '../../../src/inference/ocr/lineCrop.js';
import { inferenceSchema } from '../../../src/config/sections/inference.js';
import { ManualClock, type MinerError, silentLogger } from '../../../src/util/index.js';

interface Run {
  device: string;
  model: string;
  dims: readonly number[];
}

/** Sessions that answer with zeros of the right shapes; the model is told apart by its source. */
function fakeFactory(runs: Run[], fail: (device: string) => boolean = () => false): SessionFactory {
  return async (model, _opts, spec) => {
    const name = typeof model === 'string' ? (model.includes('_det_') ? 'ocr-det' : model.includes('_cls_') ? 'ocr-cls' : 'ocr-rec') : 'ocr-rec';
    const session: ModelSession = {
      inputNames: ['x'],
      outputNames: name === 'ocr-rec' ? ['ctc_index', 'ctc_score'] : ['y'],
      run: async (feeds): Promise<Record<string, ort.Tensor>> => {
        const x = feeds['x']!;
        runs.push({ device: spec.label, model: name, dims: x.dims });
        if (fail(spec.label)) throw new Error('CUDA failure 700: an illegal memory access was encountered');
        const [n, , h, w] = x.dims as [number, number, number, number];
        if (name === 'ocr-det') return { y: new ort.Tensor('float32', new Float32Array(n * h * w), [n, 1, h, w]) };
        if (name === 'ocr-cls') return { y: new ort.Tensor('float32', new Float32Array(n * 2), [n, 2]) };
        const steps = Math.max(1, w / 8);
        return {
          ctc_index: new ort.Tensor('int64', new BigInt64Array(n * steps), [n, steps]),
          ctc_score: new ort.Tensor('float32', new Float32Array(n * steps), [n, steps]),
        };
      },
      release: async () => {},
    };
    return session;
  };
}

/** A manual clock makes every fake run take 0 ms, so dispatch ties break by queue, then device order. */
function engine(cfg: { ocr?: object; [k: string]: unknown }, createSession: SessionFactory): InferenceEngine {
  // Unedited detector and classifier load by path, which is how the fake factory tells models apart.
  return new InferenceEngine(inferenceSchema.parse({ ...cfg, ocr: { foldActivations: false, ...cfg.ocr } }), {
    logger: silentLogger(),
    metrics: createMinerMetrics(new Registry()).inference,
    clock: new ManualClock(),
    signal: new AbortController().signal,
    createSession,
  });
}

describe('engine over several devices (fake sessions)', () => {
  it('warms up every shape bucket on every device before start() resolves', async () => {
    const runs: Run[] = [];
    const widths = [48, 160, 320];
    const e = engine(
      {
        devices: ['cpu', 'cpu', 'cpu'],
        ocr: {
          recWidthBuckets: widths,
          detWarmupShapes: [
            [960, 736],
            [640, 480],
          ],
        },
      },
      fakeFactory(runs),
    );
    await e.start();
    // The solo session set (all three lanes' threads, for a batch that would run alone) is warmed too.
    for (const device of ['cpu:0', 'cpu:1', 'cpu:2', 'cpu:solo']) {
      const mine = runs.filter((r) => r.device === device);
      expect(mine.filter((r) => r.model === 'ocr-det').map((r) => r.dims.slice(2))).toEqual([
        [960, 736],
        [640, 480],
      ]);
      expect(mine.filter((r) => r.model === 'ocr-rec').map((r) => r.dims[3])).toEqual(widths);
    }
    expect(e.deviceStatus().map((d) => d.device)).toEqual(['cpu:0', 'cpu:1', 'cpu:2', 'cpu:solo']);
    expect(e.runCount('ocr-rec')).toBe(0);
    await e.stop();
  });

  it('warms up GPUs at one line and at the largest batch that fits, per bucket', async () => {
    const runs: Run[] = [];
    const e = engine(
      { devices: ['cuda:0', 'cuda:1'], ocr: { recWidthBuckets: [160, 1280], recBatch: { maxItems: 64, maxCost: 64 * 48 * 320 } } },
      fakeFactory(runs),
    );
    // The CUDA probe goes through the same factory: it opens both ordinals.
    await e.start();
    for (const device of ['cuda:0', 'cuda:1']) {
      const rec = runs.filter((r) => r.device === device && r.model === 'ocr-rec').map((r) => [r.dims[0], r.dims[3]]);
      expect(rec).toEqual([
        [1, 160],
        [64, 160],
        [1, 1280],
        [16, 1280],
      ]);
    }
    await e.stop();
  });

  it("with two CPU lanes, a lone batch runs on the solo session set, which has both lanes' threads", async () => {
    const runs: Run[] = [];
    const threads = new Map<string, number | undefined>();
    const inner = fakeFactory(runs);
    const factory: SessionFactory = (model, opts, spec) => {
      threads.set(spec.label, opts.intraOpNumThreads);
      return inner(model, opts, spec);
    };
    const e = engine({ devices: ['cpu', 'cpu'], intraOpThreads: 4, ocr: { recWidthBuckets: [96] } }, factory);
    await e.start();
    expect(Object.fromEntries(threads)).toEqual({ 'cpu:0': 2, 'cpu:1': 2, 'cpu:solo': 4 });
    runs.length = 0;
    await e.batcher<LineTensor, unknown>('ocr-rec').submit({ data: new Float32Array(3 * 48 * 96), height: 48, width: 96 }, [48, 96]);
    expect(runs.map((r) => r.device)).toEqual(['cpu:solo']);
    await e.stop();
    const plain = engine({ devices: ['cpu', 'cpu'], cpuSolo: false, ocr: { recWidthBuckets: [96] } }, fakeFactory([]));
    await plain.start();
    expect(plain.deviceStatus().map((d) => d.device)).toEqual(['cpu:0', 'cpu:1']);
    await plain.stop();
  });

  it('keeps serving when a device fails; with none left, a request fails with INFERENCE_FAILED', async () => {
    const runs: Run[] = [];
    const broken = new Set<string>();
    const e = engine(
      { devices: ['cpu', 'cpu'], cpuSolo: false, ocr: { recWidthBuckets: [96] } },
      fakeFactory(runs, (d) => broken.has(d)),
    );
    await e.start();
    const rec = e.batcher<LineTensor, unknown>('ocr-rec');
    const line = (): LineTensor => ({ data: new Float32Array(3 * 48 * 96), height: 48, width: 96 });
    broken.add('cpu:0');
    await Promise.all(Array.from({ length: 8 }, () => rec.submit(line(), [48, 96])));
    expect(e.deviceStatus().map((d) => d.state)).toEqual(['out', 'up']);
    expect(e.device()).toBe('cpu');
    broken.add('cpu:1');
    const err = await rec.submit(line(), [48, 96]).catch((x: unknown) => x);
    expect((err as MinerError).code).toBe('INFERENCE_FAILED');
    expect(e.device()).toBe('none');
    expect(e.modelsLoaded()).toEqual([]);
    await e.stop();
  });
});
