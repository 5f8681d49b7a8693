import type { RequestContext, SynapseBody, SynapseHandler } from '../synapse/index.js';
import { MinerError } from '../util/index.js';
import { parseImageField, type EncodedImage, type ImageLimits, type InferenceEngine, type OcrBackend, type OcrLine } from '../inference/index.js';

export interface OcrSynapseOutput extends SynapseBody {
  response: OcrLine[];
}

/**
 * The OCR tutorial subnet's `OCRSynapse`: `base64_image` (JPEG or PNG) in, one item per text
 * line out, `{position: [x0, y0, x1, y1], text, font: {family, size}}` in image pixels.
 * It may be created before the engine starts (the axon registers handlers up front).
 */
export class OcrSynapse implements SynapseHandler<EncodedImage, OcrSynapseOutput> {
  readonly name = 'OCRSynapse';
  readonly inputFields = ['base64_image'] as const;

  constructor(
    private readonly backend: () => OcrBackend | undefined,
    private readonly limits: ImageLimits,
    private readonly onRun: () => void = () => {},
  ) {}

  /** Hash of the model files and output-affecting settings; known once the engine started. */
  get modelId(): string {
    return this.backend()?.modelId ?? 'ppocrv4-not-started';
  }

  /** Checks the field and the image header only; pixels are decoded in handle(). */
  parseInput(body: SynapseBody): EncodedImage {
    return parseImageField(body['base64_image'], this.limits);
  }

  async handle(input: EncodedImage, ctx: RequestContext): Promise<OcrSynapseOutput> {
    const b = this.backend();
    if (!b) throw new MinerError('NOT_READY', 'Service Unavailable: OCR models are not loaded');
    this.onRun();
    const response = await b.pipeline.run(input, { priority: ctx.priority, deadlineMs: ctx.deadlineMs, signal: ctx.signal });
    return { response };
  }
}

/** The OCRSynapse served by `engine` (it answers 503 until the engine has started). */
export function ocrSynapseFor(engine: InferenceEngine): OcrSynapse {
  const svc = engine.ocrService();
  return new OcrSynapse(svc.backend, svc.limits, svc.onRun);
}
