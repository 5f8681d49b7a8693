import onnxProto from 'onnx-proto';
import { pruneClassifier } from './classifierPrune.js';

const { onnx } = onnxProto;

/**
 * Appends ArgMax and ReduceMax over the last axis of the recogniser's probability output, and
 * makes them the only outputs, so [N, T] indices and scores leave the device instead of [N, T, C]
 * probabilities. With a class mask, the classifier head is cut down to the kept classes when its
 * shape allows (less work per time step; a Gather maps indices back to the dictionary's), else
 * the probabilities are multiplied by the mask.
 */
export function appendArgmax(model: Uint8Array, mask: Float32Array | undefined, prune = true): Uint8Array {
  const m = onnx.ModelProto.decode(model);
  const g = m.graph;
  if (!g || g.output?.length !== 1) throw new Error('expected a graph with exactly one output');
  const out = g.output[0]!;
  const nodes = g.node ?? (g.node = []);
  const inits = g.initializer ?? (g.initializer = []);
  const dims = out.type?.tensorType?.shape?.dim ?? [];
  const axis = dims.length - 1;
  const kept = mask && prune ? pruneClassifier(g, out, mask) : undefined;
  const probs = mask && !kept ? appendClassMask(nodes, inits, out.name!, mask) : out.name!;
  const intAttr = (name: string, i: number) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });
  const intsAttr = (name: string, ints: number[]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });
  nodes.push(
    onnx.NodeProto.create({
      opType: 'ArgMax',
      input: [probs],
      output: [kept ? 'ctc_kept_index' : 'ctc_index'],
      name: 'ctc_argmax',
      attribute: [intAttr('axis', axis), intAttr('keepdims', 0)],
    }),
  );
  nodes.push(
    onnx.NodeProto.create({
      opType: 'ReduceMax',
      input: [probs],
      output: ['ctc_score'],
      name: 'ctc_reducemax',
      attribute: [intsAttr('axes', [axis]), intAttr('keepdims', 0)],
    }),
  );
  if (kept) appendIndexMap(nodes, inits, kept);
  const shape = { dim: dims.slice(0, axis).map((d) => onnx.TensorShapeProto.Dimension.create(d)) };
  const valueInfo = (name: string, elemType: number) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape } } });
  g.output = [valueInfo('ctc_index', onnx.TensorProto.DataType.INT64), valueInfo('ctc_score', onnx.TensorProto.DataType.FLOAT)];
  return onnx.ModelProto.encode(m).finish();
}

type Graph = NonNullable<onnxProto.onnx.ModelProto['graph']>;

/** Multiplies the probabilities by a per-class mask (0 for classes the charset leaves out); returns the masked output's name. */
function appendClassMask(nodes: NonNullable<Graph['node']>, inits: NonNullable<Graph['initializer']>, probs: string, mask: Float32Array): string {
  inits.push(
    onnx.TensorProto.create({
      name: 'ctc_class_mask',
      dataType: onnx.TensorProto.DataType.FLOAT,
      dims: [mask.length],
      floatData: Array.from(mask),
    }),
  );
  nodes.push(onnx.NodeProto.create({ opType: 'Mul', input: [probs, 'ctc_class_mask'], output: ['ctc_masked'], name: 'ctc_mask' }));
  return 'ctc_masked';
}

/** ctc_index = kept[ctc_kept_index]: the pruned head's class k is the dictionary's class kept[k]. */
function appendIndexMap(nodes: NonNullable<Graph['node']>, inits: NonNullable<Graph['initializer']>, kept: Int32Array): void {
  inits.push(
    onnx.TensorProto.create({
      name: 'ctc_kept_classes',
      dataType: onnx.TensorProto.DataType.INT64,
      dims: [kept.length],
      int64Data: Array.from(kept),
    }),
  );
  nodes.push(
    onnx.NodeProto.create({
      opType: 'Gather',
      input: ['ctc_kept_classes', 'ctc_kept_index'],
      output: ['ctc_index'],
      name: 'ctc_kept_gather',
      attribute: [onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 })],
    }),
  );
}
