export { InferenceEngine } from './inferenceEngine.js';
export { DynamicBatcher, type BatcherOpts, type BatchRunFn, type SubmitOpts, type BatcherModules } from './dynamicBatcher.js';
export { createInferenceMetrics, type InferenceMetrics } from './batcherMetrics.js';
export { SessionPool, type Device, type DeviceChoice, type ModelSource } from './sessionPool.js';
export { stackItems, splitOutputs, type ItemTensor, type ItemTensors } from './tensorBatch.js';
export { OcrSynapse, type OcrSynapseOutput } from './ocr/ocrSynapse.js';
export type { OcrLine } from './ocr/ocrPipeline.js';
export { parseImageField, decodeRgb, type EncodedImage } from './ocr/imageDecode.js';
export { appendArgmax } from './ocr/graphEdit.js';
export { ocrFiles, ocrModelId, OCR_MODELS } from './ocr/ocrModels.js';

import type { InferenceEngine } from './inferenceEngine.js';
import type { OcrSynapse } from './ocr/ocrSynapse.js';

/** The OCR synapse served by a started engine (same as engine.ocrSynapse()). */
export function createOcrSynapse(engine: InferenceEngine): OcrSynapse {
  return engine.ocrSynapse();
}
