import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { corners, minAreaRect, unclip, type Point } from '../../../../src/inference/ocr/geometry.js';
import { ctcGreedy, charsetMask, loadDictionary } from '../../../../src/inference/ocr/ctcDecode.js';
import { decodeRgb, parseImageField } from '../../../../src/inference/ocr/imageDecode.js';
import { appendArgmax } from '../../../../src/inference/ocr/graphEdit.js';
import { detShape } from '../../../../src/inference/ocr/detection.js';
import { cpuWidthBuckets, cropLine, widthBucket } from '../../../../src/inference/ocr/lineCrop.js';
import { ocrFiles } from '../../../../src/inference/index.js';
import { inferenceSchema } from '../../../../src/config/sections/inference.js';
import { MinerError } from '../../../../src/util/index.js';

const limits = { maxImageBytes: 10 * 1024 * 1024, maxImagePixels: 40_000_000 };
const files = ocrFiles(inferenceSchema.parse({}).ocr);

function code(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return e instanceof MinerError ? `${e.code}:${e.spec.status}` : String(e);
  }
}

describe('geometry', () => {
  it('finds the rotated rectangle around rotated points and unclips it', () => {
    const a = (3 * Math.PI) / 180;
    const pts: Point[] = [];
    for (let u = 0; u <= 100; u += 5)
      for (let v = 0; v <= 20; v += 5) {
        pts.push([50 + u * Math.cos(a) - v * Math.sin(a), 30 + u * Math.sin(a) + v * Math.cos(a)]);
      }
    const r = minAreaRect(pts);
    expect(r.width).toBeCloseTo(100, 5);
    expect(r.height).toBeCloseTo(20, 5);
    expect(Math.atan2(r.uy, r.ux)).toBeCloseTo(a, 5);
    const g = unclip(r, 1.5);
    const d = (100 * 20 * 1.5) / 240;
    expect(g.width).toBeCloseTo(100 + 2 * d, 5);
    const [tl, tr] = corners(g);
    expect(tl[0]).toBeLessThan(tr[0]);
  });

  it('keeps a tall single character upright (u near the x axis)', () => {
    const r = minAreaRect([
      [0, 0],
      [6, 0],
      [6, 12],
      [0, 12],
    ]);
    expect(Math.abs(r.ux)).toBeCloseTo(1, 5);
    expect(r.width).toBeCloseTo(6, 5);
    expect(r.height).toBeCloseTo(12, 5);
  });

  it('rounds detection shapes to multiples of 32 and picks width buckets', () => {
    expect(detShape(631, 815, 960)).toEqual([960, 736]);
    expect(widthBucket(30, [48, 96])).toBe(48);
    expect(widthBucket(97, [48, 96])).toBe(96);
  });

  it('steps CPU widths finely up to the widest configured bucket, which stays the cap', () => {
    const steps = cpuWidthBuckets([48, 96, 160, 1280], 32);
    expect(steps.slice(0, 3)).toEqual([32, 64, 96]);
    expect(steps.at(-1)).toBe(1280);
    expect(steps).toHaveLength(40);
    expect(widthBucket(97, steps)).toBe(128);
    expect(widthBucket(2000, steps)).toBe(1280);
    expect(cpuWidthBuckets([48, 100], 32)).toEqual([32, 64, 96, 100]);
    expect(cpuWidthBuckets([48, 96], 0)).toEqual([48, 96]);
  });

  it('squeezes a line crop by recWidthScale and still caps it at the widest bucket', () => {
    const img = { data: Buffer.alloc(200 * 40 * 3, 255), width: 200, height: 40 };
    const rect = { cx: 100, cy: 20, ux: 1, uy: 0, width: 160, height: 20 };
    expect(cropLine(img, rect, 48, 1280).width).toBe(384);
    expect(cropLine(img, rect, 48, 1280, false, 0.75).width).toBe(288);
    expect(cropLine(img, rect, 48, 256, false, 0.75).width).toBe(256);
  });
});

describe('CTC decoding', () => {
  it('collapses repeats, drops blanks and keeps time steps', async () => {
    const classes = await loadDictionary(files.keys);
    expect(classes).toHaveLength(6625);
    expect(classes[classes.length - 1]).toBe(' ');
    const A = classes.indexOf('A'),
      b = classes.indexOf('b');
    const d = ctcGreedy([0, A, A, 0, A, b, b, 0], [1, 0.9, 0.8, 1, 0.7, 0.6, 0.5, 1], classes);
    expect(d.text).toBe('AAb');
    expect(d.steps).toEqual([1, 4, 5]);
    expect(d.score).toBeCloseTo((0.9 + 0.7 + 0.6) / 3, 5);
    const mask = charsetMask(classes, 'latin');
    expect(mask[A]).toBe(1);
    expect(mask[classes.indexOf('中')]).toBe(0);
    expect(mask[0]).toBe(1);
  });
});

describe('recognition graph edit', () => {
  it('replaces the probability output with ArgMax and ReduceMax outputs', () => {
    const edited = appendArgmax(readFileSync(files.rec), undefined);
    const m = onnxProto.onnx.ModelProto.decode(edited);
    expect(m.graph!.output!.map((o) => o.name)).toEqual(['ctc_index', 'ctc_score']);
    expect(m.graph!.node!.slice(-2).map((n) => n.opType)).toEqual(['ArgMax', 'ReduceMax']);
  });

  it('cuts the classifier to the charset and maps indices back to the dictionary', async () => {
    const bytes = readFileSync(files.rec);
    const classes = await loadDictionary(files.keys);
    const mask = charsetMask(classes, 'latin');
    const kept = mask.reduce((n, v) => n + v, 0);
    const pruned = onnxProto.onnx.ModelProto.decode(appendArgmax(bytes, mask));
    expect(pruned.graph!.node!.map((n) => n.name)).toContain('ctc_kept_gather');
    expect(pruned.graph!.node!.map((n) => n.name)).not.toContain('ctc_mask');
    const widths = pruned.graph!.node!.flatMap((n) => n.attribute ?? []).flatMap((a) => (a.t?.dims?.length === 2 ? [Number(a.t.dims[1])] : []));
    expect(widths).toContain(kept);
    expect(widths).not.toContain(classes.length);
    // Against the masked full head: the same best class at every step (softmax keeps the order of the kept logits).
    const masked = appendArgmax(bytes, mask, false);
    const x = new ort.Tensor(
      'float32',
      Float32Array.from({ length: 2 * 3 * 48 * 160 }, (_, i) => Math.sin(i * 0.37)),
      [2, 3, 48, 160],
    );
    const [a, b] = await Promise.all([ort.InferenceSession.create(appendArgmax(bytes, mask)), ort.InferenceSession.create(masked)]);
    const [ra, rb] = [await a.run({ x }), await b.run({ x })];
    expect(Array.from(ra['ctc_index']!.data as BigInt64Array)).toEqual(Array.from(rb['ctc_index']!.data as BigInt64Array));
    const [sa, sb] = [ra['ctc_score']!.data as Float32Array, rb['ctc_score']!.data as Float32Array];
    sa.forEach((v, i) => expect(v).toBeGreaterThanOrEqual(sb[i]! - 1e-6));
    await Promise.all([a.release(), b.release()]);
  });
});

describe('image field validation', () => {
  it('rejects what is not a usable image with a 400 before any decoding', async () => {
    expect(code(() => parseImageField(undefined, limits))).toBe('BAD_REQUEST:400');
    expect(code(() => parseImageField('', limits))).toBe('BAD_REQUEST:400');
    expect(code(() => parseImageField('%%%not base64%%%', limits))).toBe('BAD_IMAGE:400');
    expect(code(() => parseImageField(Buffer.from('hello, world').toString('base64'), limits))).toBe('BAD_IMAGE:400');
    // A PNG header claiming 0x10 pixels.
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const zero = Buffer.from(png);
    zero.writeUInt32BE(0, 16);
    expect(code(() => parseImageField(zero.toString('base64'), limits))).toBe('BAD_IMAGE:400');
    // A JPEG header claiming 20000x20000 pixels is refused from the header alone.
    const jpg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .jpeg()
      .toBuffer();
    const huge = Buffer.from(jpg);
    const sof = huge.indexOf(Buffer.from([0xff, 0xc0]));
    huge.writeUInt16BE(20000, sof + 5);
    huge.writeUInt16BE(20000, sof + 7);
    const t0 = performance.now();
    expect(code(() => parseImageField(huge.toString('base64'), limits))).toBe('BAD_IMAGE:400');
    expect(performance.now() - t0).toBeLessThan(100);
    expect(code(() => parseImageField('A'.repeat(20 * 1024 * 1024), limits))).toBe('BAD_IMAGE:400');
  });

  it('decodes a good JPEG and refuses a truncated one with a 400', async () => {
    const jpg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#888' } })
      .composite([{ input: Buffer.from('<svg width="64" height="48"><text x="2" y="30" font-size="20">Hi</text></svg>') }])
      .jpeg()
      .toBuffer();
    const img = parseImageField(`data:image/jpeg;base64,${jpg.toString('base64')}`, limits);
    expect([img.format, img.width, img.height]).toEqual(['jpeg', 64, 48]);
    const rgb = await decodeRgb(img, limits);
    expect(rgb.data.length).toBe(64 * 48 * 3);
    const cut = parseImageField(jpg.subarray(0, Math.floor(jpg.length * 0.6)).toString('base64'), limits);
    const err = await decodeRgb(cut, limits).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MinerError);
    expect((err as MinerError).code).toBe('BAD_IMAGE');
  });
});
