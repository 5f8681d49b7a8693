import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { mseClip, RangeObserver } from '../../../../src/inference/ocr/convCalibration.js';
import {
  activationParams,
  convValues,
  exposeValues,
  int8WeightMax,
  quantizeConvs,
  quantizeWeights,
  type ValueRange,
} from '../../../../src/inference/ocr/convQuantize.js';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;
const quiet = { logSeverityLevel: 3 } as const;
const dir = mkdtempSync(join(tmpdir(), 'convq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Seeded uniform values in [-a, a]. */
function values(n: number, a: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return (s / 2 ** 31) * 2 * a - a;
  });
}

function init(name: string, dims: number[], data: number[]): onnxProto.onnx.ITensorProto {
  return onnx.TensorProto.create({ name, dataType: DT.FLOAT, dims, floatData: data });
}

function node(opType: string, input: string[], output: string, ints: Record<string, number[]> = {}): onnxProto.onnx.INodeProto {
  const attribute = Object.entries(ints).map(([name, v]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v }));
  return onnx.NodeProto.create({ opType, input, output: [output], name: output, attribute });
}

/**
 * An opset-9 graph shaped like a recogniser block: a shift written as activationFold writes it
 * (BatchNormalization with scale 1, mean 0, variance 1 - epsilon), a padded 3x3 Conv with bias,
 * hard-swish as x * HardSigmoid(x), a 1x1 Conv, then a Slice in its opset-9 attribute form.
 */
function block(w1Max = 0.7): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: 'block',
    node: [
      onnx.NodeProto.create({
        opType: 'BatchNormalization',
        input: ['x', 'bn_scale', 'shift', 'bn_mean', 'bn_var'],
        output: ['xs'],
        name: 'xs',
        attribute: [{ name: 'epsilon', type: onnx.AttributeProto.AttributeType.FLOAT, f: 1e-5 }],
      }),
      node('Conv', ['xs', 'w0', 'b0'], 'y0', { pads: [1, 1, 1, 1], kernel_shape: [3, 3] }),
      node('HardSigmoid', ['y0'], 'g0'),
      node('Mul', ['y0', 'g0'], 'h0'),
      node('Conv', ['h0', 'w1', 'b1'], 'y1', { kernel_shape: [1, 1] }),
      node('Slice', ['y1'], 'out', { starts: [0], ends: [2], axes: [1] }),
    ],
    initializer: [
      init('bn_scale', [4], [1, 1, 1, 1]),
      init('shift', [4], [0.25, 0.25, 0.25, 0.25]),
      init('bn_mean', [4], [0, 0, 0, 0]),
      init('bn_var', [4], Array(4).fill(1 - 1e-5)),
      init('w0', [8, 4, 3, 3], values(8 * 4 * 9, 0.5, 1)),
      init('b0', [8], values(8, 0.2, 2)),
      init('w1', [4, 8, 1, 1], values(32, w1Max, 3)),
      init('b1', [4], values(4, 0.1, 4)),
    ],
    input: [
      onnx.ValueInfoProto.create({
        name: 'x',
        type: { tensorType: { elemType: DT.FLOAT, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }, { dimValue: 6 }, { dimValue: 10 }] } } },
      }),
    ],
    output: [onnx.ValueInfoProto.create({ name: 'out', type: { tensorType: { elemType: DT.FLOAT } } })],
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: 9 }], graph })).finish();
}

const input = (seed: number) => new ort.Tensor('float32', Float32Array.from(values(4 * 60, 1, seed)), [1, 4, 6, 10]);

async function calibrate(model: Uint8Array): Promise<Record<string, ValueRange>> {
  const names = convValues(onnx.ModelProto.decode(model).graph!);
  const s = await ort.InferenceSession.create(exposeValues(model, names), quiet);
  const seen = new Map(names.map((n) => [n, new RangeObserver(1)]));
  for (let k = 0; k < 8; k++) {
    const out = await s.run({ x: input(100 + k) });
    for (const n of names) seen.get(n)!.observe(out[n]!.data as Float32Array, 60);
  }
  return Object.fromEntries(names.map((n) => [n, seen.get(n)!.range()!]));
}

describe('convolutions in QDQ int8 form', () => {
  it('maps each output channel to [-127, 127] and round-trips every weight within half a step', () => {
    const w = Float32Array.from([0.5, -0.25, 0.1, 0, 0.002, -0.004]);
    const { q, scales } = quantizeWeights(w, 2);
    expect(Array.from(q.subarray(0, 3))).toEqual([127, -63, 25]);
    expect(Array.from(quantizeWeights(w, 2, 63).q.subarray(0, 3))).toEqual([63, -31, 13]);
    expect(Math.max(...Array.from(q.subarray(3), Math.abs))).toBe(127);
    w.forEach((v, i) => expect(Math.abs(q[i]! * scales[Math.floor(i / 3)]! - v)).toBeLessThanOrEqual(scales[Math.floor(i / 3)]! / 2 + 1e-9));
  });

  it('gives activations a uint8 grid on which zero is exact', () => {
    for (const r of [
      { min: -0.375, max: 12 },
      { min: 0.5, max: 3 },
      { min: -7, max: -1 },
    ]) {
      const { scale, zeroPoint } = activationParams(r);
      expect(Number.isInteger(zeroPoint) && zeroPoint >= 0 && zeroPoint <= 255).toBe(true);
      expect(-zeroPoint * scale).toBeLessThanOrEqual(Math.min(0, r.min) + scale / 2);
      expect((255 - zeroPoint) * scale).toBeGreaterThanOrEqual(Math.max(0, r.max) - scale / 2);
    }
  });

  it('runs in onnxruntime as QLinearConv and answers like the float graph', async () => {
    const model = block();
    const ranges = await calibrate(model);
    const { model: q8, stats } = quantizeConvs(model, ranges);
    expect(stats).toEqual({ convs: 2, skipped: 0 });
    // The shift is an Add again: the transpose optimizer moves Transposes through it, not through a BatchNormalization.
    expect(onnx.ModelProto.decode(q8).graph!.node!.map((n) => n.opType)).not.toContain('BatchNormalization');
    const optimized = join(dir, 'opt.onnx');
    const fs = await ort.InferenceSession.create(model, quiet);
    const qs = await ort.InferenceSession.create(q8, { ...quiet, optimizedModelFilePath: optimized });
    const ops = onnx.ModelProto.decode(readFileSync(optimized)).graph!.node!.map((n) => n.opType);
    expect(ops.filter((o) => o === 'QLinearConv')).toHaveLength(2);
    expect(ops).not.toContain('Conv');
    const x = input(7);
    const a = (await fs.run({ x }))['out']!.data as Float32Array;
    const b = (await qs.run({ x }))['out']!.data as Float32Array;
    expect(b).toHaveLength(a.length);
    const amax = Math.max(...Array.from(a, Math.abs));
    const err = Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
    expect(err).toBeLessThan(0.05 * amax);
    expect(err).toBeGreaterThan(0);
  });

  it('answers like the float graph with 7-bit weights too (x86 without VNNI)', async () => {
    const model = block();
    const ranges = await calibrate(model);
    const { model: q7 } = quantizeConvs(model, ranges, 63);
    const { model: q8 } = quantizeConvs(model, ranges);
    const x = input(8);
    const a = (await (await ort.InferenceSession.create(model, quiet)).run({ x }))['out']!.data as Float32Array;
    const b = (await (await ort.InferenceSession.create(q7, quiet)).run({ x }))['out']!.data as Float32Array;
    const c = (await (await ort.InferenceSession.create(q8, quiet)).run({ x }))['out']!.data as Float32Array;
    const rms = (y: Float32Array) => Math.sqrt(a.reduce((t, v, i) => t + (v - y[i]!) ** 2, 0) / a.length);
    const signal = Math.sqrt(a.reduce((t, v) => t + v * v, 0) / a.length);
    // Activation rounding dominates: the RMS error is a few percent of the signal either way.
    expect(rms(b)).toBeLessThan(0.06 * signal);
    expect(rms(b)).toBeLessThan(1.5 * rms(c));
  });

  it('uses 7-bit weights unless the CPU multiplies int8 into int32 (VNNI, ARM)', () => {
    const flags = (f: string) => `processor\t: 0\nflags\t\t: fpu sse2 avx2 ${f}\nbugs\t\t:\n`;
    expect(int8WeightMax('x64', flags('avx512f avx512_vnni'))).toBe(127);
    expect(int8WeightMax('x64', flags('avx_vnni'))).toBe(127);
    expect(int8WeightMax('x64', flags('avx512f avx512bw'))).toBe(63);
    expect(int8WeightMax('x64', undefined)).toBe(63);
    expect(int8WeightMax('arm64', undefined)).toBe(127);
  });

  it('leaves in float a convolution whose bias would wrap around in int32', async () => {
    // Weights of 1e-12 give a weight scale so small that the bias is over 2^31 steps.
    const model = block(1e-12);
    const { stats } = quantizeConvs(model, await calibrate(model));
    expect(stats).toEqual({ convs: 1, skipped: 1 });
  });

  it('leaves a convolution without both ranges in float', async () => {
    const model = block();
    const ranges = await calibrate(model);
    const { y1: _, ...partial } = ranges;
    const { model: q8, stats } = quantizeConvs(model, partial);
    expect(stats).toEqual({ convs: 1, skipped: 1 });
    const s = await ort.InferenceSession.create(q8, quiet);
    expect((await s.run({ x: input(9) }))['out']!.dims).toEqual([1, 2, 6, 10]);
  });
});

describe('calibration ranges', () => {
  it('records extremes and the smallest map seen', () => {
    const o = new RangeObserver(1);
    o.observe(Float32Array.of(-1, 2, 0.5), 40);
    o.observe(Float32Array.of(3, -0.5), 1);
    expect(o.range()).toEqual({ min: -1, max: 3 });
    expect(o.minSpatial).toBe(1);
    expect(new RangeObserver().range()).toBeUndefined();
  });

  it('keeps the extremes of evenly spread values and trades a rare outlier for resolution', () => {
    const even = Float32Array.from(values(10_000, 1, 5));
    expect(mseClip(even, { min: -1, max: 1 })).toEqual({ min: -1, max: 1 });
    // 100,000 values in [0, 1] and one at 40: clipping to 0.9 x 40 costs the outlier 16 and saves the rest about 40.
    const tail = Float32Array.from([...values(100_000, 0.5, 6).map((v) => v + 0.5), 40]);
    const r = mseClip(tail, { min: 0, max: 40 });
    expect(r.max).toBeLessThan(40);
    expect(r.max).toBeGreaterThan(30);
  });
});
