import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { foldActivations, foldModel } from '../../../../src/inference/ocr/activationFold.js';
import { ocrFiles } from '../../../../src/inference/index.js';
import { inferenceSchema } from '../../../../src/config/sections/inference.js';

const { onnx } = onnxProto;
const files = ocrFiles(inferenceSchema.parse({}).ocr);
const FLOAT = onnx.TensorProto.DataType.FLOAT;

function constant(name: string, dims: number[], values: number[]): onnxProto.onnx.INodeProto {
  const t = onnx.TensorProto.create({ name, dataType: FLOAT, dims, floatData: values });
  return onnx.NodeProto.create({ opType: 'Constant', output: [name], attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t }] });
}

function node(opType: string, input: string[], output: string, attrs: Record<string, number | number[]> = {}): onnxProto.onnx.INodeProto {
  const attribute = Object.entries(attrs).map(([name, v]) =>
    Array.isArray(v) ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v } : { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v },
  );
  return onnx.NodeProto.create({ opType, input, output: [output], name: output, attribute });
}

/**
 * A PP-LCNetV3 block as Paddle exports it, twice: Conv, scale and shift, hard-swish in four ops,
 * scale and shift, then a 1x1 Conv (foldable) and a padded 3x3 depthwise Conv (not).
 */
function lcnetBlock(): Uint8Array {
  const c = 2;
  const nodes = [
    constant('w0', [c, 1, 1, 1], [0.7, -1.3]),
    constant('b0', [c], [0.1, 0.2]),
    node('Conv', ['x', 'w0', 'b0'], 'y0'),
    constant('s1', [1], [1.5]),
    node('Mul', ['s1', 'y0'], 'm1'),
    constant('c1', [1], [0.4]),
    node('Add', ['m1', 'c1'], 'a1'),
    constant('three', [], [3]),
    node('Add', ['a1', 'three'], 'p3'),
    node('Clip', ['p3'], 'cl', { min: 0, max: 6 }),
    node('Mul', ['a1', 'cl'], 'hs'),
    constant('six', [], [6]),
    node('Div', ['hs', 'six'], 'h'),
    constant('s2', [1], [0.8]),
    node('Mul', ['s2', 'h'], 'm2'),
    constant('c2', [1], [-0.3]),
    node('Add', ['m2', 'c2'], 'a2'),
    constant('w1', [c, c, 1, 1], [0.5, -0.25, 1.5, 0.75]),
    constant('b1', [c], [0, 0.05]),
    node('Conv', ['a2', 'w1', 'b1'], 'y1'),
    node('HardSigmoid', ['y1'], 'g1', { alpha: 1 / 6, beta: 0.5 }),
    node('Mul', ['y1', 'g1'], 'h1'),
    constant('s3', [1], [1.25]),
    node('Mul', ['h1', 's3'], 'm3'),
    constant('c3', [1], [0.2]),
    node('Add', ['m3', 'c3'], 'a3'),
    constant(
      'w2',
      [c, 1, 3, 3],
      Array.from({ length: c * 9 }, (_, i) => Math.cos(i)),
    ),
    node('Conv', ['a3', 'w2'], 'out', { pads: [1, 1, 1, 1], kernel_shape: [3, 3] }),
  ];
  const group = { name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: c };
  for (const n of nodes) if (n.opType === 'Conv') n.attribute = n.output![0] === 'y1' ? [] : [...(n.attribute ?? []), group];
  const vi = (name: string) =>
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: 1 }, { dimValue: c }, { dimValue: 5 }, { dimValue: 7 }] } } },
    });
  const graph = onnx.GraphProto.create({ name: 'block', node: nodes, input: [vi('x')], output: [vi('out')] });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: 9 }], graph })).finish();
}

async function maxDiff(a: Uint8Array, b: Uint8Array, dims: number[]): Promise<number> {
  const x = new ort.Tensor(
    'float32',
    Float32Array.from({ length: dims.reduce((p, q) => p * q, 1) }, (_, i) => Math.sin(i * 0.37) * 4),
    dims,
  );
  const [sa, sb] = await Promise.all([ort.InferenceSession.create(a), ort.InferenceSession.create(b)]);
  const [ra, rb] = [await sa.run({ [sa.inputNames[0]!]: x }), await sb.run({ [sb.inputNames[0]!]: x })];
  const [oa, ob] = [Object.values(ra)[0]!.data as Float32Array, Object.values(rb)[0]!.data as Float32Array];
  expect(oa.length).toBe(ob.length);
  return oa.reduce((m, v, i) => Math.max(m, Math.abs(v - ob[i]!)), 0);
}

describe('foldActivations', () => {
  it('folds each pattern once, keeps the shift before a padded Conv, and computes the same block', async () => {
    const model = lcnetBlock();
    const m = onnx.ModelProto.decode(model);
    const stats = foldActivations(m.graph!);
    expect(stats).toEqual({ affineIntoConv: 1, hardSwish: 1, affineIntoNextConv: 1, scaleThroughHardSwish: 1, shiftAsBatchNorm: 1 });
    const ops = m.graph!.node!.filter((n) => n.opType !== 'Constant').map((n) => n.opType);
    expect(ops).toEqual(['Conv', 'HardSigmoid', 'Mul', 'Conv', 'HardSigmoid', 'Mul', 'BatchNormalization', 'Conv']);
    expect(await maxDiff(model, onnx.ModelProto.encode(m).finish(), [1, 2, 5, 7])).toBeLessThan(1e-5);
  });

  it('leaves a value that is read twice or a non-scalar constant alone', () => {
    const m = onnx.ModelProto.decode(lcnetBlock());
    const g = m.graph!;
    g.node!.push(node('Relu', ['y0'], 'extra'));
    g.output!.push(onnx.ValueInfoProto.create({ name: 'extra' }));
    const c1 = g.node!.find((n) => n.output?.[0] === 'c1')!;
    c1.attribute![0]!.t = onnx.TensorProto.create({ name: 'c1', dataType: FLOAT, dims: [2], floatData: [0.4, 0.5] });
    expect(foldActivations(g).affineIntoConv).toBe(0);
  });

  it('computes what the unedited recogniser and detector compute', async () => {
    const rec = readFileSync(files.rec);
    const det = readFileSync(files.det);
    const [frec, fdet] = [foldModel(rec), foldModel(det)];
    expect(onnx.ModelProto.decode(frec).graph!.node!.length).toBeLessThan(onnx.ModelProto.decode(rec).graph!.node!.length * 0.6);
    expect(await maxDiff(rec, frec, [2, 3, 48, 160])).toBeLessThan(1e-4);
    expect(await maxDiff(det, fdet, [1, 3, 64, 96])).toBeLessThan(1e-4);
  });
});
