import onnxProto from 'onnx-proto';
import { constantTensor, floatsOf, GraphIndex, type Graph, type Node, type Tensor } from './graphTensors.js';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;

/** The smallest and largest value a tensor took over the calibration inputs. */
export interface ValueRange {
  min: number;
  max: number;
}

export type ValueRanges = Readonly<Record<string, ValueRange>>;

export interface QuantizeStats {
  /** Convolutions given int8 weights and uint8 activations. */
  convs: number;
  /** Convolutions left in float (a weight not constant, or a range missing). */
  skipped: number;
}

/**
 * The values whose ranges quantizing the convolutions needs: every Conv's data input and output
 * (not graph inputs or outputs: the model's interface stays float).
 */
export function convValues(g: Graph): string[] {
  const outer = new Set([...(g.input ?? []), ...(g.output ?? [])].map((v) => v.name ?? ''));
  const names = new Set<string>();
  for (const n of g.node ?? []) {
    if (n.opType !== 'Conv' || !n.input?.[0] || !n.output?.[0]) continue;
    for (const v of [n.input[0], n.output[0]]) if (!outer.has(v)) names.add(v);
  }
  return [...names];
}

/** The model with `names` as extra float outputs, so a calibration run can read them. */
export function exposeValues(model: Uint8Array, names: readonly string[]): Uint8Array {
  const m = onnx.ModelProto.decode(model);
  const g = m.graph;
  if (!g) return model;
  const have = new Set((g.output ?? []).map((o) => o.name));
  for (const name of names) {
    if (have.has(name)) continue;
    (g.output ?? (g.output = [])).push(onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: DT.FLOAT } } }));
  }
  return onnx.ModelProto.encode(m).finish();
}

/**
 * Rewrites every convolution whose input and output ranges are known into onnxruntime's QDQ form:
 * weights int8 per output channel (symmetric), bias int32 at the input scale times the weight
 * scale, activations uint8 with a zero point, each quantized value read through one
 * DequantizeLinear. onnxruntime fuses DequantizeLinear -> Conv -> QuantizeLinear into QLinearConv,
 * whose int8 kernels (VNNI) do several times the multiply-adds per cycle of float ones. The
 * com.microsoft QDQ ops are used because the models' opset (9) predates the standard ones.
 *
 * Weights span [-weightMax, weightMax]: 127 where the CPU multiplies int8 by uint8 into int32
 * (VNNI, ARM dot products); 63 where AVX2/AVX-512 without VNNI add two int8 x uint8 products in
 * int16 first (vpmaddubsw), which 127 x 255 x 2 would saturate and 63 x 255 x 2 does not.
 */
export function quantizeConvs(model: Uint8Array, ranges: ValueRanges, weightMax = 127): { model: Uint8Array; stats: QuantizeStats } {
  const m = onnx.ModelProto.decode(model);
  const g = m.graph;
  if (!g) return { model, stats: { convs: 0, skipped: 0 } };
  shiftsAsAdd(g);
  const stats = new Quantizer(g, ranges, weightMax).run();
  if (stats.convs > 0) {
    const opsets = m.opsetImport ?? (m.opsetImport = []);
    if (!opsets.some((o) => o.domain === MS)) opsets.push(onnx.OperatorSetIdProto.create({ domain: MS, version: 1 }));
    const main = opsets.find((o) => !o.domain);
    // The fused QLinearConv is an ONNX op from opset 10; of the ops these models use, only Slice changed there.
    if (main && Number(main.version) < 10) {
      slicesToOpset10(g);
      main.version = 10;
    }
  }
  return { model: onnx.ModelProto.encode(m).finish(), stats };
}

const MS = 'com.microsoft';

/**
 * The int8 weight bound for this CPU (see quantizeConvs): 127 on x86 with VNNI and on ARM, 63 on
 * other x86 and wherever the flags cannot be read.
 */
export function int8WeightMax(cpuArch: string, cpuinfo: string | undefined): 127 | 63 {
  if (cpuArch === 'arm64') return 127;
  const flags = new Set(
    cpuinfo
      ?.match(/^flags\s*:(.*)$/m)?.[1]
      ?.trim()
      .split(/\s+/) ?? [],
  );
  return flags.has('avx512_vnni') || flags.has('avx_vnni') ? 127 : 63;
}

/**
 * activationFold writes a shift before a padded Conv as a BatchNormalization (scale 1, mean 0,
 * variance 1 - epsilon), which keeps float graphs in onnxruntime's blocked layout. Around
 * QLinearConv (channels-last) it is the only op between two convolutions that the transpose
 * optimizer cannot move a Transpose through, so here it goes back to an Add of the shift.
 */
function shiftsAsAdd(g: Graph): void {
  for (const n of g.node ?? []) {
    if (n.opType !== 'BatchNormalization' || n.input?.length !== 5 || (n.output?.length ?? 0) !== 1) continue;
    const [x, ...params] = n.input;
    const [scale, bias, mean, variance] = params.map((p) => {
      const t = constantTensor(g, p);
      return t && floatsOf(t);
    });
    const eps = n.attribute?.find((a) => a.name === 'epsilon')?.f ?? 1e-5;
    if (!x || !scale || !bias || !mean || !variance) continue;
    const plain = scale.every((v, i) => v === 1 && mean[i] === 0 && Math.abs(variance[i]! + eps - 1) < 1e-6);
    if (!plain) continue;
    const name = `${n.output![0]}_shift`;
    const same = bias.every((v) => v === bias[0]);
    const data = same ? Float32Array.of(bias[0]!) : bias;
    (g.initializer ?? (g.initializer = [])).push(
      onnx.TensorProto.create({
        name,
        dataType: DT.FLOAT,
        dims: same ? [] : [bias.length, 1, 1],
        rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      }),
    );
    n.opType = 'Add';
    n.input = [x, name];
    n.attribute = [];
  }
}

/** Slice-1 takes starts, ends and axes as attributes; from opset 10 they are inputs. */
function slicesToOpset10(g: Graph): void {
  for (const n of g.node ?? []) {
    if (n.opType !== 'Slice' || (n.input?.length ?? 0) > 1) continue;
    const attr = (name: string) => n.attribute?.find((a) => a.name === name)?.ints?.map(Number);
    const parts = [attr('starts'), attr('ends'), attr('axes')];
    const base = n.name || n.output?.[0] || 'slice';
    const inputs = parts.flatMap((v, i) => {
      if (!v) return [];
      const name = `${base}_${['starts', 'ends', 'axes'][i]}`;
      (g.initializer ?? (g.initializer = [])).push(onnx.TensorProto.create({ name, dataType: DT.INT64, dims: [v.length], int64Data: v }));
      return [name];
    });
    n.input = [n.input?.[0] ?? '', ...inputs];
    n.attribute = [];
  }
}

/** uint8 scale and zero point covering [min, max] and 0 (zero padding must be exact). */
export function activationParams(r: ValueRange): { scale: number; zeroPoint: number } {
  const lo = Math.min(0, r.min);
  const hi = Math.max(0, r.max);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

/** Symmetric int8 per output channel, in [-weightMax, weightMax]. */
export function quantizeWeights(w: Float32Array, outChannels: number, weightMax = 127): { q: Int8Array; scales: Float32Array } {
  const per = w.length / outChannels;
  const q = new Int8Array(w.length);
  const scales = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    let amax = 0;
    for (let i = o * per; i < (o + 1) * per; i++) amax = Math.max(amax, Math.abs(w[i]!));
    const s = amax > 0 ? amax / weightMax : 1;
    scales[o] = s;
    for (let i = o * per; i < (o + 1) * per; i++) q[i] = Math.max(-weightMax, Math.min(weightMax, Math.round(w[i]! / s)));
  }
  return { q, scales };
}

class Quantizer {
  private readonly ix: GraphIndex;
  /** A float value -> the DequantizeLinear output that now stands for it. */
  private readonly dequantized = new Map<string, string>();
  /** New nodes, each with the value whose writer it must follow (none: constants, placed first). */
  private readonly added: { node: Node; after?: string }[] = [];
  private readonly rewire = new Map<string, string>();

  constructor(
    private readonly g: Graph,
    private readonly ranges: ValueRanges,
    private readonly weightMax: number,
  ) {
    this.ix = new GraphIndex(g);
  }

  run(): QuantizeStats {
    const stats: QuantizeStats = { convs: 0, skipped: 0 };
    for (const n of this.g.node ?? []) {
      if (n.opType !== 'Conv') continue;
      if (this.quantizeConv(n)) stats.convs++;
      else stats.skipped++;
    }
    this.apply();
    this.dropUnread();
    return stats;
  }

  private quantizeConv(n: Node): boolean {
    const [x, wName, bName] = n.input ?? [];
    const y = n.output?.[0];
    const w = wName ? constantTensor(this.g, wName) : undefined;
    const wf = w && floatsOf(w);
    if (!x || !y || !wf || !w?.dims?.length || !this.ranges[x] || !this.ranges[y] || this.ix.readerCount(y) === 0) return false;
    const b = bName ? constantTensor(this.g, bName) : undefined;
    const bf = b ? floatsOf(b) : undefined;
    if (bName && !bf) return false;
    const xScale = activationParams(this.ranges[x]).scale;
    const outCh = Number(w.dims[0]);
    const { q, scales } = quantizeWeights(wf, outCh, this.weightMax);
    const bq = bf && Array.from(bf, (v, o) => Math.round(v / (xScale * scales[o]!)));
    // A bias far larger than what the weights can produce would wrap around in int32: such a conv stays float.
    if (bq?.some((v) => Math.abs(v) > 2 ** 31 - 1)) return false;
    const base = n.name || y;
    const inputs = [this.dequantize(x), this.constDq(`${base}_wq`, DT.INT8, w.dims.map(Number), q, scales, 0)];
    if (bq) {
      const biasScales = scales.map((s) => s * xScale);
      inputs.push(this.constDq(`${base}_bq`, DT.INT32, [outCh], Int32Array.from(bq), biasScales, 0));
    }
    n.input = inputs;
    this.dequantize(y);
    return true;
  }

  /** Q -> DQ after a float value (once per value); every reader is rewired to the DQ output. */
  private dequantize(v: string): string {
    const known = this.dequantized.get(v);
    if (known) return known;
    const { scale, zeroPoint } = activationParams(this.ranges[v]!);
    const s = this.init(`${v}_qscale`, DT.FLOAT, [], Float32Array.of(scale));
    const z = this.init(`${v}_qzero`, DT.UINT8, [], Uint8Array.of(zeroPoint));
    const out = `${v}_dq`;
    this.added.push(
      { node: onnx.NodeProto.create({ opType: 'QuantizeLinear', domain: MS, name: `${v}_quant`, input: [v, s, z], output: [`${v}_q`] }), after: v },
      { node: onnx.NodeProto.create({ opType: 'DequantizeLinear', domain: MS, name: `${v}_dequant`, input: [`${v}_q`, s, z], output: [out] }), after: v },
    );
    this.dequantized.set(v, out);
    this.rewire.set(v, out);
    return out;
  }

  /** A quantized constant read through a per-channel DequantizeLinear. */
  private constDq(name: string, type: number, dims: number[], data: Int8Array | Int32Array, scales: Float32Array, axis: number): string {
    const qv = this.init(name, type, dims, data);
    const s = this.init(`${name}_scale`, DT.FLOAT, [scales.length], scales);
    const zeros = type === DT.INT32 ? new Int32Array(scales.length) : new Int8Array(scales.length);
    const z = this.init(`${name}_zero`, type, [scales.length], zeros);
    const attribute = [onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: axis })];
    this.added.push({
      node: onnx.NodeProto.create({ opType: 'DequantizeLinear', domain: MS, name: `${name}_dequant`, input: [qv, s, z], output: [`${name}_dq`], attribute }),
    });
    return `${name}_dq`;
  }

  /** The float weights and biases the quantized ones replaced. */
  private dropUnread(): void {
    const read = new Set((this.g.node ?? []).flatMap((n) => n.input ?? []));
    for (const o of this.g.output ?? []) read.add(o.name ?? '');
    this.g.initializer = (this.g.initializer ?? []).filter((t) => read.has(t.name ?? ''));
  }

  private init(name: string, dataType: number, dims: number[], data: ArrayBufferView): string {
    const t: Tensor = onnx.TensorProto.create({ name, dataType, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    (this.g.initializer ?? (this.g.initializer = [])).push(t);
    return name;
  }

  /**
   * Readers of a quantized value read its DQ output (the Q node keeps the float value); new
   * nodes go right after the node writing the value they read, so the order stays topological.
   */
  private apply(): void {
    for (const n of this.g.node ?? []) n.input = (n.input ?? []).map((i) => this.rewire.get(i) ?? i);
    const after = new Map<string, Node[]>();
    const first: Node[] = [];
    for (const a of this.added) {
      if (a.after !== undefined && this.ix.writer(a.after)) after.set(a.after, [...(after.get(a.after) ?? []), a.node]);
      else first.push(a.node);
    }
    this.g.node = [...first, ...(this.g.node ?? []).flatMap((n) => [n, ...(n.output ?? []).flatMap((o) => after.get(o) ?? [])])];
  }
}
