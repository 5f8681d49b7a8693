import ort from 'onnxruntime-node';
import { MinerError } from '../util/index.js';

export type TypedData = Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Float64Array;

/** One item's tensor, without the batch dimension. */
export interface ItemTensor {
  type: ort.Tensor.Type;
  data: TypedData;
  dims: readonly number[];
}

export type ItemTensors = Record<string, ItemTensor>;

function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1]! * dims[i + 1]!;
  return s;
}

/** Copies `src` (dims `from`) into `dst` at `offset`, laid out as `to` (each dim >= from's); the rest keeps its fill. */
export function copyPadded(src: TypedData, from: readonly number[], dst: TypedData, offset: number, to: readonly number[]): void {
  const rank = from.length;
  if (rank === 0 || from.every((v, i) => v === to[i])) {
    (dst as Float32Array).set(src as Float32Array, offset);
    return;
  }
  const sf = strides(from);
  const st = strides(to);
  const last = from[rank - 1]!;
  const rows = src.length / last;
  for (let r = 0; r < rows; r++) {
    let rem = r * last;
    let out = offset;
    for (let d = 0; d < rank - 1; d++) {
      const idx = Math.floor(rem / sf[d]!);
      rem -= idx * sf[d]!;
      out += idx * st[d]!;
    }
    (dst as Float32Array).set((src as Float32Array).subarray(r * last, r * last + last), out);
  }
}

function allocLike(src: TypedData, n: number): TypedData {
  const C = src.constructor as new (n: number) => TypedData;
  return new C(n);
}

/** Stacks item tensors along a new batch dimension, zero-padding each to the largest dims. */
export function stackItems(items: readonly ItemTensors[], names: readonly string[]): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of names) {
    const parts = items.map((it) => {
      const t = it[name];
      if (!t) throw new MinerError('INFERENCE_FAILED', `input ${name} missing from a batch item`);
      return t;
    });
    const dims = parts[0]!.dims.map((_, d) => Math.max(...parts.map((p) => p.dims[d] ?? 0)));
    const per = dims.reduce((a, b) => a * b, 1);
    const data = allocLike(parts[0]!.data, per * parts.length);
    parts.forEach((p, i) => copyPadded(p.data, p.dims, data, i * per, dims));
    feeds[name] = new ort.Tensor(parts[0]!.type, data as ort.Tensor.DataType, [parts.length, ...dims]);
  }
  return feeds;
}

/** Splits batch outputs back into per-item tensors (batch dimension first). */
export function splitOutputs(out: ort.InferenceSession.OnnxValueMapType, names: readonly string[], n: number): ItemTensors[] {
  const items: ItemTensors[] = Array.from({ length: n }, () => ({}));
  for (const name of names) {
    const t = out[name] as ort.Tensor | undefined;
    if (!t) throw new MinerError('INFERENCE_FAILED', `output ${name} missing`);
    const dims = t.dims.slice(1);
    const per = dims.reduce((a, b) => a * b, 1);
    const data = t.data as TypedData;
    for (let i = 0; i < n; i++) {
      items[i]![name] = { type: t.type, dims, data: data.slice(i * per, (i + 1) * per) as TypedData };
    }
  }
  return items;
}
