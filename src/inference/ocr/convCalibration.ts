import { activationParams, type ValueRange } from './convQuantize.js';

/** Clip factors tried on a value's calibrated range: 1 keeps the extremes, lower ones buy resolution. */
const CLIP_FACTORS = [1, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.5, 0.4, 0.3];

/** One value's extremes, a strided sample of what it held, and the smallest spatial size seen. */
export class RangeObserver {
  private lo = Infinity;
  private hi = -Infinity;
  private readonly kept: number[] = [];
  private seen = 0;
  minSpatial = Infinity;

  constructor(
    /** Every stride-th element goes into the sample (the MSE search's data). */
    private readonly stride = 97,
    private readonly maxSample = 1 << 20,
  ) {}

  observe(data: Float32Array, spatial: number): void {
    this.minSpatial = Math.min(this.minSpatial, spatial);
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < this.lo) this.lo = v;
      if (v > this.hi) this.hi = v;
      if ((this.seen + i) % this.stride === 0 && this.kept.length < this.maxSample) this.kept.push(v);
    }
    this.seen += data.length;
  }

  range(): ValueRange | undefined {
    return this.hi >= this.lo ? { min: this.lo, max: this.hi } : undefined;
  }

  /** The range with the smallest uint8 round-trip error over the sample (clipping included). */
  mseRange(): ValueRange | undefined {
    const r = this.range();
    return r && mseClip(Float32Array.from(this.kept), r);
  }
}

/** Of the range scaled by each clip factor, the one whose uint8 quantization errs least (squared) on `sample`. */
export function mseClip(sample: Float32Array, r: ValueRange): ValueRange {
  let best = { f: 1, err: Infinity };
  for (const f of CLIP_FACTORS) {
    const err = roundTripError(sample, r.min * f, r.max * f);
    if (err < best.err) best = { f, err };
  }
  return { min: r.min * best.f, max: r.max * best.f };
}

function roundTripError(sample: Float32Array, min: number, max: number): number {
  const { scale, zeroPoint: zero } = activationParams({ min, max });
  let err = 0;
  for (const v of sample) {
    const q = Math.max(0, Math.min(255, Math.round(v / scale) + zero));
    const d = (q - zero) * scale - v;
    err += d * d;
  }
  return err;
}
