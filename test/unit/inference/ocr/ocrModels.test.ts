import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { inferenceSchema } from '../../../../src/config/sections/inference.js';
import { OCR_MODELS, ocrFiles, prepareOcr } from '../../../../src/inference/ocr/ocrModels.js';

const ocr = (o: object = {}) => inferenceSchema.parse({ ocr: o }).ocr;
const dir = mkdtempSync(join(tmpdir(), 'ocrmodels-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function recSource(o: object = {}) {
  const cfg = ocr(o);
  const prepared = await prepareOcr(cfg, ocrFiles(cfg));
  return prepared.sources.find((s) => s.name === OCR_MODELS.rec)!;
}

describe('the recogniser for CPU devices', () => {
  it('is int8 by default: quantized convolutions, opset 10, the same outputs as fp32', async () => {
    const src = await recSource();
    expect(src.cpuLoad).toBeDefined();
    const bytes = (await src.cpuLoad!()) as Uint8Array;
    const m = onnxProto.onnx.ModelProto.decode(bytes);
    const ops = m.graph!.node!.map((n) => n.opType);
    expect(ops.filter((o) => o === 'QuantizeLinear').length).toBeGreaterThan(20);
    expect(Number(m.opsetImport!.find((o) => !o.domain)!.version)).toBe(10);
    const fp32 = await ort.InferenceSession.create((await src.load()) as Uint8Array);
    const int8 = await ort.InferenceSession.create(bytes);
    // A blank (mid-grey) line: both read no text, and both answer [N, steps] indices and scores.
    const x = new ort.Tensor('float32', new Float32Array(2 * 3 * 48 * 160), [2, 3, 48, 160]);
    const a = await fp32.run({ [fp32.inputNames[0]!]: x });
    const b = await int8.run({ [int8.inputNames[0]!]: x });
    expect(int8.outputNames).toEqual(fp32.outputNames);
    expect(b['ctc_index']!.dims).toEqual(a['ctc_index']!.dims);
    expect(Array.from(b['ctc_index']!.data as BigInt64Array)).toEqual(Array.from(a['ctc_index']!.data as BigInt64Array));
  });

  it('stays fp32 when asked, or when the activations are not folded (the ranges are the folded graph’s)', async () => {
    expect((await recSource({ recCpuPrecision: 'fp32' })).cpuLoad).toBeUndefined();
    expect((await recSource({ foldActivations: false })).cpuLoad).toBeUndefined();
  });

  it('refuses int8 for a recogniser other than the one calibrated, naming the way out', async () => {
    const stock = ocrFiles(ocr());
    copyFileSync(stock.det, join(dir, 'ch_PP-OCRv4_det_infer.onnx'));
    copyFileSync(stock.cls, join(dir, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'));
    copyFileSync(stock.keys, join(dir, 'ppocr_keys_v1.txt'));
    const rec = onnxProto.onnx.ModelProto.decode(readFileSync(stock.rec));
    rec.producerVersion = 'retrained';
    writeFileSync(join(dir, 'ch_PP-OCRv4_rec_infer.onnx'), onnxProto.onnx.ModelProto.encode(rec).finish());
    const src = await recSource({ modelDir: dir });
    await expect(src.cpuLoad!()).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/recCpuPrecision to fp32/) });
  });
});
