import onnxProto from 'onnx-proto';
import { addFloatInit, constantTensor, floatAttr, floatsOf, GraphIndex, intsAttr, type Graph, type Node } from './graphTensors.js';

const { onnx } = onnxProto;

export interface FoldStats {
  /** Scale/shift chains after a Conv folded into its weights and bias. */
  affineIntoConv: number;
  /** x * clip(x + 3, 0, 6) / 6 rewritten as x * HardSigmoid(x). */
  hardSwish: number;
  /** Scale/shift chains before an unpadded Conv folded into its weights and bias. */
  affineIntoNextConv: number;
  /** Scales after a hard-swish folded into the Conv before it and the gate's slope. */
  scaleThroughHardSwish: number;
  /** Shifts after a hard-swish (before a padded Conv) made per-channel BatchNormalization. */
  shiftAsBatchNorm: number;
}

/**
 * Removes element-wise passes that PP-LCNetV3 exports spend most of their CPU time on: each block
 * is Conv, a learnable scale and shift (Mul, Add), hard-swish spelled as four ops (Add, Clip, Mul,
 * Div) and another scale and shift; onnxruntime fuses none of them. Every rewrite is exact
 * algebra (only float rounding differs): a scale and shift after a Conv goes into its weights and
 * bias, hard-swish becomes x * HardSigmoid(x), and a scale and shift before a Conv without
 * padding goes into that Conv (with padding, the shift would reach the border differently).
 */
export function foldActivations(g: Graph): FoldStats {
  const affineIntoConv = edit(g, foldAfterConv);
  const hardSwishes = edit(g, hardSwish);
  const affineIntoNextConv = edit(g, foldBeforeConv);
  const scaleThroughHardSwish = edit(g, scaleThroughGate);
  const shiftAsBatchNorm = edit(g, shiftAsChannelAffine);
  dropUnreadConstants(g);
  return { affineIntoConv, hardSwish: hardSwishes, affineIntoNextConv, scaleThroughHardSwish, shiftAsBatchNorm };
}

/** foldActivations on a serialised model. */
export function foldModel(model: Uint8Array): Uint8Array {
  const m = onnx.ModelProto.decode(model);
  if (!m.graph) return model;
  foldActivations(m.graph);
  return onnx.ModelProto.encode(m).finish();
}

/** One pass: `rule` may mark nodes removed and give replacements; returns how many rewrites it made. */
type Rule = (g: Graph, ix: GraphIndex, n: Node, removed: Set<Node>, replace: Map<Node, Node[]>) => boolean;

function edit(g: Graph, rule: Rule): number {
  const ix = new GraphIndex(g);
  const removed = new Set<Node>();
  const replace = new Map<Node, Node[]>();
  let count = 0;
  for (const n of g.node ?? []) if (!removed.has(n) && !replace.has(n) && rule(g, ix, n, removed, replace)) count++;
  g.node = (g.node ?? []).flatMap((n) => replace.get(n) ?? (removed.has(n) ? [] : [n]));
  return count;
}

/** The value of a one-element float constant. */
function scalar(g: Graph, name: string): number | undefined {
  const t = constantTensor(g, name);
  const v = t && floatsOf(t);
  return v?.length === 1 ? v[0] : undefined;
}

/** `n` is Mul or Add with `x` and a scalar constant: its kind and value. */
function scalarOp(g: Graph, n: Node | undefined, x: string): { op: 'Mul' | 'Add'; k: number } | undefined {
  if (!n || (n.opType !== 'Mul' && n.opType !== 'Add') || n.input?.length !== 2) return undefined;
  const other = n.input[0] === x ? n.input[1] : n.input[1] === x ? n.input[0] : undefined;
  const k = other === undefined ? undefined : scalar(g, other);
  return k === undefined ? undefined : { op: n.opType, k };
}

/**
 * Follows scalar Mul/Add nodes from `x` (starting at `first`, else at x's only reader), each the
 * only reader of the one before: y = scale * x + shift, the nodes, and y's name.
 */
function affineChain(
  g: Graph,
  ix: GraphIndex,
  x: string,
  removed: Set<Node>,
  first = ix.soleReader(x),
): { scale: number; shift: number; nodes: Node[]; out: string } {
  let [scale, shift, out] = [1, 0, x];
  const nodes: Node[] = [];
  for (let n = first; n && !removed.has(n); n = ix.soleReader(out)) {
    const s = scalarOp(g, n, out);
    if (!s) break;
    if (s.op === 'Mul') [scale, shift] = [scale * s.k, shift * s.k];
    else shift += s.k;
    nodes.push(n);
    out = n.output![0]!;
  }
  return { scale, shift, nodes, out };
}

/** A Conv's float weights [O, I/group, kh, kw] and bias [O] (zeros when it has none). */
function convParams(g: Graph, conv: Node): { w: Float32Array; b: Float32Array; dims: number[] } | undefined {
  const wt = conv.input?.[1] ? constantTensor(g, conv.input[1]) : undefined;
  const w = wt && floatsOf(wt);
  const dims = (wt?.dims ?? []).map(Number);
  if (!w || dims.length !== 4) return undefined;
  const o = dims[0]!;
  const bName = conv.input?.[2];
  const bt = bName ? constantTensor(g, bName) : undefined;
  const b = bName ? bt && floatsOf(bt) : new Float32Array(o);
  return b?.length === o ? { w, b, dims } : undefined;
}

function setConvParams(g: Graph, conv: Node, p: { w: Float32Array; b: Float32Array; dims: number[] }): void {
  const taken = new Set((g.initializer ?? []).map((t) => t.name));
  let k = 0;
  while (taken.has(`${conv.name || conv.output![0]}_folded${k}_w`)) k++;
  const base = `${conv.name || conv.output![0]}_folded${k}`;
  conv.input = [conv.input![0]!, addFloatInit(g, `${base}_w`, p.dims, p.w), addFloatInit(g, `${base}_b`, [p.dims[0]!], p.b)];
}

const foldAfterConv: Rule = (g, ix, conv, removed) => {
  if (conv.opType !== 'Conv') return false;
  const chain = affineChain(g, ix, conv.output![0]!, removed);
  const p = chain.nodes.length > 0 ? convParams(g, conv) : undefined;
  if (!p) return false;
  const w = p.w.map((v) => v * chain.scale);
  const b = p.b.map((v) => v * chain.scale + chain.shift);
  setConvParams(g, conv, { w, b, dims: p.dims });
  conv.output = [chain.out];
  for (const n of chain.nodes) removed.add(n);
  return true;
};

function clipBounds(g: Graph, clip: Node): [number | undefined, number | undefined] {
  if ((clip.input?.length ?? 0) > 1) return [scalar(g, clip.input![1]!), clip.input![2] ? scalar(g, clip.input![2]) : undefined];
  return [floatAttr(clip, 'min'), floatAttr(clip, 'max')];
}

const hardSwish: Rule = (g, ix, add, removed, replace) => {
  const x = add.input?.find((i) => scalar(g, i) === undefined);
  if (add.opType !== 'Add' || x === undefined || scalarOp(g, add, x)?.k !== 3) return false;
  const clip = ix.soleReader(add.output![0]!);
  if (clip?.opType !== 'Clip' || clip.input?.[0] !== add.output![0]) return false;
  const [lo, hi] = clipBounds(g, clip);
  const mul = ix.soleReader(clip.output![0]!);
  if (lo !== 0 || hi !== 6 || mul?.opType !== 'Mul' || !mul.input?.includes(x) || !mul.input.includes(clip.output![0]!)) return false;
  const div = ix.soleReader(mul.output![0]!);
  if (div?.opType !== 'Div' || div.input?.[0] !== mul.output![0] || scalar(g, div.input?.[1] ?? '') !== 6) return false;
  const gate = `${div.output![0]}_hsig`;
  const attr = (name: string, f: number) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f });
  replace.set(div, [
    onnx.NodeProto.create({ opType: 'HardSigmoid', name: gate, input: [x], output: [gate], attribute: [attr('alpha', 1 / 6), attr('beta', 0.5)] }),
    onnx.NodeProto.create({ opType: 'Mul', name: `${gate}_mul`, input: [x, gate], output: [div.output![0]!] }),
  ]);
  for (const n of [add, clip, mul]) removed.add(n);
  return true;
};

/** Without padding every output reads only real inputs, so a shift of the input is a shift of the bias. */
function unpadded(conv: Node): boolean {
  const auto = conv.attribute?.find((a) => a.name === 'auto_pad');
  const mode = auto?.s ? new TextDecoder().decode(auto.s) : 'NOTSET';
  return (mode === 'NOTSET' || mode === 'VALID') && (intsAttr(conv, 'pads') ?? []).every((p) => p === 0);
}

const foldBeforeConv: Rule = (g, ix, first, removed) => {
  const x = first.input?.find((i) => scalar(g, i) === undefined);
  if (x === undefined || !scalarOp(g, first, x)) return false;
  const chain = affineChain(g, ix, x, removed, first);
  const conv = ix.soleReader(chain.out);
  const p = conv?.opType === 'Conv' && conv.input?.[0] === chain.out && unpadded(conv) ? convParams(g, conv) : undefined;
  if (!conv || !p) return false;
  const per = p.w.length / p.dims[0]!;
  const b = p.b.map((v, o) => v + chain.shift * p.w.subarray(o * per, (o + 1) * per).reduce((a, c) => a + c, 0));
  setConvParams(g, conv, { w: p.w.map((v) => v * chain.scale), b, dims: p.dims });
  conv.input![0] = x;
  for (const n of chain.nodes) removed.add(n);
  return true;
};

/**
 * s * (y * HardSigmoid(y)) with y = Conv(x): scaling the Conv by s gives y' = s * y, and the gate
 * reads y' with slope alpha / s (the same value), so the product is already scaled. Leaves a
 * scale and shift before a padded Conv as a lone shift.
 */
const scaleThroughGate: Rule = (g, ix, mul, removed) => {
  const h = mul.input?.find((i) => scalar(g, i) === undefined);
  const s = h === undefined ? undefined : scalarOp(g, mul, h);
  const hs = s?.op === 'Mul' && s.k !== 0 && ix.soleReader(h!) === mul ? hardSwishOf(ix, h!) : undefined;
  // The Conv's output must feed only this gate and product, and the gate only the product.
  if (!s || !hs || removed.has(hs.product) || ix.readerCount(hs.y) !== 2 || ix.readerCount(hs.gate.output![0]!) !== 1) return false;
  const p = convParams(g, hs.conv);
  if (!p) return false;
  const alpha = floatAttr(hs.gate, 'alpha') ?? 0.2;
  setConvParams(g, hs.conv, { w: p.w.map((v) => v * s.k), b: p.b.map((v) => v * s.k), dims: p.dims });
  hs.gate.attribute = [
    ...(hs.gate.attribute ?? []).filter((x) => x.name !== 'alpha'),
    onnx.AttributeProto.create({ name: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT, f: alpha / s.k }),
  ];
  hs.product.output = [mul.output![0]!];
  removed.add(mul);
  return true;
};

/** The hard-swish that wrote `h`, Mul(y, HardSigmoid(y)) with y = Conv(...), if that is what wrote it. */
function hardSwishOf(ix: GraphIndex, h: string): { product: Node; gate: Node; y: string; conv: Node } | undefined {
  const product = ix.writer(h);
  if (product?.opType !== 'Mul') return undefined;
  const [a, b] = product.input ?? [];
  const gate = [ix.writer(a ?? ''), ix.writer(b ?? '')].find((n) => n?.opType === 'HardSigmoid');
  const y = gate?.input?.[0];
  const conv = y === undefined || !product.input?.includes(y) ? undefined : ix.writer(y);
  return gate && y !== undefined && conv?.opType === 'Conv' ? { product, gate, y, conv } : undefined;
}

/**
 * A scalar shift left before a padded Conv: onnxruntime's blocked (NCHWc) layout has no
 * broadcast Add, so it would convert out and back around it (three passes). As a per-channel
 * BatchNormalization (scale 1, mean 0, variance 1 - epsilon) it stays in the blocked layout.
 * epsilon is cuDNN's smallest (1e-5), which the CUDA provider would clamp a smaller one to.
 */
const shiftAsChannelAffine: Rule = (g, ix, add, _removed, replace) => {
  const h = add.input?.find((i) => scalar(g, i) === undefined);
  const s = h === undefined ? undefined : scalarOp(g, add, h);
  const conv = s?.op === 'Add' ? hardSwishOf(ix, h!)?.conv : undefined;
  const p = conv ? convParams(g, conv) : undefined;
  if (!s || !p) return false;
  const c = p.dims[0]!;
  const base = `${add.output![0]}_bn`;
  const fill = (v: number) => new Float32Array(c).fill(v);
  const epsilon = 1e-5;
  const values = [1, s.k, 0, 1 - epsilon];
  const inputs = [h!, ...(['scale', 'bias', 'mean', 'var'] as const).map((k, i) => addFloatInit(g, `${base}_${k}`, [c], fill(values[i]!)))];
  const eps = onnx.AttributeProto.create({ name: 'epsilon', type: onnx.AttributeProto.AttributeType.FLOAT, f: epsilon });
  replace.set(add, [onnx.NodeProto.create({ opType: 'BatchNormalization', name: base, input: inputs, output: [add.output![0]!], attribute: [eps] })]);
  return true;
};

/** Constant nodes and initializers nothing reads any more (the folded weights' originals). */
function dropUnreadConstants(g: Graph): void {
  const read = new Set((g.node ?? []).flatMap((n) => n.input ?? []));
  for (const o of g.output ?? []) read.add(o.name ?? '');
  g.node = (g.node ?? []).filter((n) => n.opType !== 'Constant' || read.has(n.output?.[0] ?? ''));
  g.initializer = (g.initializer ?? []).filter((t) => read.has(t.name ?? ''));
}
