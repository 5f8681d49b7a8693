import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * Appends (optionally a class mask, then) ArgMax and ReduceMax over the last axis of the
 * recogniser's probability output, and makes them the only outputs, so [N, T] indices and
 * scores leave the device instead of [N, T, C] probabilities.
 */
export function appendArgmax(model: Uint8Array, mask: Float32Array | undefined): Uint8Array {
  const m = onnx.ModelProto.decode(model);
  const g = m.graph;
  if (!g || g.output?.length !== 1) throw new Error('expected a graph with exactly one output');
  const out = g.output[0]!;
  const nodes = g.node ?? (g.node = []);
  const inits = g.initializer ?? (g.initializer = []);
  const dims = out.type?.tensorType?.shape?.dim ?? [];
  const axis = dims.length - 1;
  const probs = mask ? appendClassMask(nodes, inits, out.name!, mask) : out.name!;
  const intAttr = (name: string, i: number) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });
  const intsAttr = (name: string, ints: number[]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });
  nodes.push(
    onnx.NodeProto.create({
      opType: 'ArgMax',
      input: [probs],
      output: ['ctc_index'],
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
