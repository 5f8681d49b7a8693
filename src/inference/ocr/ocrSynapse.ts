import type { RequestContext, SynapseBody, SynapseHandler } from '../../axon/synapse.js';
import { parseImageField, type EncodedImage, type ImageLimits } from './imageDecode.js';
import type { OcrLine, OcrPipeline } from './ocrPipeline.js';

export interface OcrSynapseOutput extends SynapseBody {
  response: OcrLine[];
}

/**
 * The OCR tutorial subnet's `OCRSynapse`: `base64_image` (JPEG or PNG) in, one item per text
 * line out, `{position: [x0, y0, x1, y1], text, font: {family, size}}` in image pixels.
 */
export class OcrSynapse implements SynapseHandler<EncodedImage, OcrSynapseOutput> {
  readonly name = 'OCRSynapse';
  readonly inputFields = ['base64_image'] as const;

  constructor(
    readonly modelId: string,
    private readonly pipeline: OcrPipeline,
    private readonly limits: ImageLimits,
    private readonly onRun: () => void = () => {},
  ) {}

  /** Checks the field and the image header only; pixels are decoded in handle(), off the request path. */
  parseInput(body: SynapseBody): EncodedImage {
    return parseImageField(body['base64_image'], this.limits);
  }

  async handle(input: EncodedImage, ctx: RequestContext): Promise<OcrSynapseOutput> {
    this.onRun();
    const response = await this.pipeline.run(input, { priority: ctx.priority, deadlineMs: ctx.deadlineMs, signal: ctx.signal });
    return { response };
  }
}
