import onnxProto from 'onnx-proto';
import { GraphIndex, constantTensor, floatsOf, setFloats, type Graph, type Tensor } from './graphTensors.js';

const { onnx } = onnxProto;

/**
 * The recogniser's classifier head, when it is the usual Paddle export: Softmax over the last
 * axis of Add(MatMul(x, W [H, C]), b [C]), with W and b constants used nowhere else.
 */
function findHead(g: Graph, output: string, classes: number): { w: Tensor; b: Tensor; hidden: number } | undefined {
  const ix = new GraphIndex(g);
  const softmax = ix.writer(output);
  if (softmax?.opType !== 'Softmax') return undefined;
  const axis = Number(softmax.attribute?.find((a) => a.name === 'axis')?.i ?? -1);
  if (axis !== -1 && axis !== 2) return undefined;
  const add = ix.writer(softmax.input?.[0] ?? '');
  if (add?.opType !== 'Add' || add.input?.length !== 2 || ix.readerCount(add.output?.[0] ?? '') !== 1) return undefined;
  const [left, right] = add.input as [string, string];
  const matmul = ix.writer(left);
  const b = constantTensor(g, right);
  if (matmul?.opType !== 'MatMul' || !b || ix.readerCount(right) !== 1 || ix.readerCount(left) !== 1) return undefined;
  const wName = matmul.input?.[1] ?? '';
  const w = constantTensor(g, wName);
  if (!w || ix.readerCount(wName) !== 1) return undefined;
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
