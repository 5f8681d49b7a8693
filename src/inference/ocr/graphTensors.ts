import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type Graph = onnxProto.onnx.IGraphProto;
export type Tensor = onnxProto.onnx.ITensorProto;
export type Node = onnxProto.onnx.INodeProto;

/** A constant the graph holds either as an initializer or as a Constant node's value. */
export function constantTensor(g: Graph, name: string): Tensor | undefined {
  const init = g.initializer?.find((t) => t.name === name);
  if (init) return init;
  const node = g.node?.find((n) => n.opType === 'Constant' && n.output?.[0] === name);
  return node?.attribute?.find((a) => a.name === 'value')?.t ?? undefined;
}

export function floatsOf(t: Tensor): Float32Array | undefined {
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT) return undefined;
  if (t.rawData && t.rawData.length > 0) {
    const raw = t.rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  }
  return t.floatData && t.floatData.length > 0 ? Float32Array.from(t.floatData) : undefined;
}

export function setFloats(t: Tensor, dims: number[], data: Float32Array): void {
  t.dims = dims;
  t.rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  t.floatData = [];
}

/** A new float initializer (an edit never rewrites a constant another node may share). */
export function addFloatInit(g: Graph, name: string, dims: number[], data: Float32Array): string {
  const t = onnx.TensorProto.create({ name, dataType: onnx.TensorProto.DataType.FLOAT });
  setFloats(t, dims, data);
  (g.initializer ?? (g.initializer = [])).push(t);
  return name;
}

/** Who reads each value and who writes it, for one pass of edits that keep both true. */
export class GraphIndex {
  private readonly readers = new Map<string, Node[]>();
  private readonly writers = new Map<string, Node>();
  private readonly outputs: Set<string>;

  constructor(readonly g: Graph) {
    for (const n of g.node ?? []) {
      for (const i of n.input ?? []) this.readers.set(i, [...(this.readers.get(i) ?? []), n]);
      for (const o of n.output ?? []) this.writers.set(o, n);
    }
    this.outputs = new Set((g.output ?? []).map((o) => o.name ?? ''));
  }

  /** The one node reading `name`, unless the value is a graph output or read more than once. */
  soleReader(name: string): Node | undefined {
    const r = this.readers.get(name);
    return r?.length === 1 && !this.outputs.has(name) ? r[0] : undefined;
  }

  writer(name: string): Node | undefined {
    return this.writers.get(name);
  }

  readerCount(name: string): number {
    return this.readers.get(name)?.length ?? 0;
  }
}

export function floatAttr(n: Node, name: string): number | undefined {
  const a = n.attribute?.find((x) => x.name === name);
  return a?.f ?? undefined;
}

export function intsAttr(n: Node, name: string): number[] | undefined {
  const a = n.attribute?.find((x) => x.name === name);
  return a?.ints?.map(Number);
}
