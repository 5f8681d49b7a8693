import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ocrSynapseFor } from '../../../src/synapses/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { InferenceEngine, type ItemTensors } from '../../../src/inference/index.js';
import { inferenceSchema } from '../../../src/config/sections/inference.js';
import { silentLogger, systemClock } from '../../../src/util/index.js';

const { onnx } = onnxProto;

/** y = x * 2 + sum over the last axis of x (so padding a row with zeros does not change its sums). */
function tinyModel(): Uint8Array {
  const dim = (p: string) => onnx.TensorShapeProto.Dimension.create({ dimParam: p });
  const info = (name: string, dims: onnxProto.onnx.TensorShapeProto.IDimension[]) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims } } } });
  const graph = onnx.GraphProto.create({
    name: 'tiny',
    node: [
      onnx.NodeProto.create({ opType: 'Mul', input: ['x', 'two'], output: ['y'] }),
      onnx.NodeProto.create({
        opType: 'ReduceSum',
        input: ['x'],
        output: ['s'],
        attribute: [
          onnx.AttributeProto.create({ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [2] }),
          onnx.AttributeProto.create({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }),
        ],
      }),
    ],
    initializer: [onnx.TensorProto.create({ name: 'two', dataType: onnx.TensorProto.DataType.FLOAT, dims: [1], floatData: [2] })],
    input: [info('x', [dim('n'), dim('r'), dim('c')])],
    output: [info('y', [dim('n'), dim('r'), dim('c')]), info('s', [dim('n'), dim('r')])],
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: 11 }], graph })).finish();
}

describe('engine with an operator-declared model', () => {
  let dir: string;
  let engine: InferenceEngine;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tiny-onnx-'));
    const path = join(dir, 'tiny.onnx');
    writeFileSync(path, tinyModel());
    const cfg = inferenceSchema.parse({
      device: 'cpu',
      ocr: { enabled: false },
      models: { tiny: { path, inputNames: ['x'], outputNames: ['y', 's'], shapeBuckets: [[2, 4]], batch: { maxItems: 16, maxCost: 1e6 } } },
    });
    engine = new InferenceEngine(cfg, { logger: silentLogger(), metrics: null, clock: systemClock(), signal: new AbortController().signal });
    await engine.start();
  });
  afterAll(async () => {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads on CPU and warms up without counting runs', () => {
    expect(engine.device()).toBe('cpu');
    expect(engine.modelsLoaded()).toEqual(['tiny']);
    expect(engine.runCount('tiny')).toBe(0);
    expect(() => ocrSynapseFor(engine)).toThrow(/ocr.enabled/);
  });

  it('batches items of different shapes, pads them and splits the answers back', async () => {
    const b = engine.batcher('tiny');
    const items = Array.from({ length: 12 }, (_, i): [ItemTensors, number[]] => {
      const cols = 1 + (i % 4);
      const data = Float32Array.from({ length: 2 * cols }, (_, k) => i + k);
      return [{ x: { type: 'float32', data, dims: [2, cols] } }, [2, cols]];
    });
    const outs = await Promise.all(items.map(([t, shape]) => b.submit(t, shape)));
    outs.forEach((o, i) => {
      const x = items[i]![0]['x']!;
      const cols = x.dims[1]!;
      const y = o['y']!;
      const s = o['s']!.data as Float32Array;
      const yd = y.data as Float32Array;
      for (let r = 0; r < 2; r++) {
        let sum = 0;
        for (let c = 0; c < cols; c++) {
          const v = (x.data as Float32Array)[r * cols + c]!;
          sum += v;
          expect(yd[r * y.dims[1]! + c]).toBe(v * 2);
        }
        expect(s[r]).toBe(sum);
      }
    });
    expect(engine.runCount('tiny')).toBeLessThan(12);
    expect(engine.runCount('tiny')).toBeGreaterThan(0);
  });
});
