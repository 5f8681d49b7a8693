import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

type Graph = onnxProto.onnx.IGraphProto;
type Tensor = onnxProto.onnx.ITensorProto;
type Node = onnxProto.onnx.INodeProto;

/** A constant the graph holds either as an initializer or as a Constant node's value. */
function constantTensor(g: Graph, name: string): Tensor | undefined {
  const init = g.initializer?.find((t) => t.name === name);
  if (init) return init;
  const node = g.node?.find((n) => n.opType === 'Constant' && n.output?.[0] === name);
  return node?.attribute?.find((a) => a.name === 'value')?.t ?? undefined;
}

function floatsOf(t: Tensor): Float32Array | undefined {
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT) return undefined;
  if (t.rawData && t.rawData.length > 0) {
    const raw = t.rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  }
  return t.floatData && t.floatData.length > 0 ? Float32Array.from(t.floatData) : undefined;
}

function setFloats(t: Tensor, dims: number[], data: Float32Array): void {
  t.dims = dims;
  t.rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  t.floatData = [];
}

const consumers = (g: Graph, name: string): number => (g.node ?? []).filter((n) => n.input?.includes(name)).length;
const producer = (g: Graph, name: string): Node | undefined => g.node?.find((n) => n.output?.includes(name));

/**
 * The recogniser's classifier head, when it is the usual Paddle export: Softmax over the last
 * axis of Add(MatMul(x, W [H, C]), b [C]), with W and b constants used nowhere else.
 */
function findHead(g: Graph, output: string, classes: number): { w: Tensor; b: Tensor; hidden: number } | undefined {
  const softmax = producer(g, output);
  if (softmax?.opType !== 'Softmax') return undefined;
  const axis = Number(softmax.attribute?.find((a) => a.name === 'axis')?.i ?? -1);
  if (axis !== -1 && axis !== 2) return undefined;
  const add = producer(g, softmax.input?.[0] ?? '');
  if (add?.opType !== 'Add' || add.input?.length !== 2 || consumers(g, add.output?.[0] ?? '') !== 1) return undefined;
  const [left, right] = add.input as [string, string];
  const matmul = producer(g, left);
  const b = constantTensor(g, right);
  if (matmul?.opType !== 'MatMul' || !b || consumers(g, right) !== 1 || consumers(g, left) !== 1) return undefined;
  const wName = matmul.input?.[1] ?? '';
  const w = constantTensor(g, wName);
  if (!w || consumers(g, wName) !== 1) return undefined;
  const [hidden, c] = (w.dims ?? []).map(Number);
  if (hidden === undefined || c !== classes || Number(b.dims?.[0]) !== classes) return undefined;
  return { w, b, hidden };
}

/**
 * Cuts the classifier head down to the classes `mask` keeps, so the model neither computes nor
 * normalises the scores of the thousands of characters the charset never answers. Returns the
 * kept class indices (the pruned output's class k is the original class kept[k]), or undefined
 * when the head is not one this edit recognises (the caller then masks instead). The softmax is
 * then over the kept classes only, so scores are the kept classes' share.
 */
export function pruneClassifier(g: Graph, output: onnxProto.onnx.IValueInfoProto, mask: Float32Array): Int32Array | undefined {
  const dims = output.type?.tensorType?.shape?.dim ?? [];
  const head = findHead(g, output.name ?? '', mask.length);
  const w = head && floatsOf(head.w);
  const b = head && floatsOf(head.b);
  if (!head || !w || !b || dims.length !== 3) return undefined;
  const kept = Int32Array.from(Array.from(mask).flatMap((m, i) => (m > 0 ? [i] : [])));
  const c = mask.length;
  const k = kept.length;
  const w2 = new Float32Array(head.hidden * k);
  for (let r = 0; r < head.hidden; r++) for (let j = 0; j < k; j++) w2[r * k + j] = w[r * c + kept[j]!]!;
  setFloats(head.w, [head.hidden, k], w2);
  const b2 = new Float32Array(k);
  kept.forEach((i, j) => {
    b2[j] = b[i]!;
  });
  setFloats(head.b, [k], b2);
  dims[2] = onnx.TensorShapeProto.Dimension.create({ dimValue: k });
  return kept;
}
