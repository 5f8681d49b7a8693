import { PriorityGate } from '../priorityGate.js';
import type { DynamicBatcher, SubmitOpts } from '../dynamicBatcher.js';
import type { Decoded } from './ctcDecode.js';
import { dbPostprocess, detPreprocess, type DetInput, type DetectedBox } from './detection.js';
import { findInk, guessFonts, restoreSpaces } from './fontEstimate.js';
import { layoutLines, type LaidOutLine, type ReadLine } from './pageLayout.js';
import { decodeRgb, type EncodedImage, type ImageLimits, type RgbImage } from './imageDecode.js';
import { cropLine, widthBucket, type LineTensor } from './lineCrop.js';

export type OcrLine = LaidOutLine;

export interface OcrPipelineOpts extends ImageLimits {
  detMaxSidePx: number;
  detThreshold: number;
  detBoxThreshold: number;
  detUnclipRatio: number;
  recMinScore: number;
  recHeight: number;
  recWidthBuckets: readonly number[];
  useAngleClassifier: boolean;
  fontConsensus: boolean;
  spaceGapEm: number;
  maxPagesInFlight: number;
  maxPagesWaiting: number;
}

export interface OcrBatchers {
  det: DynamicBatcher<DetInput, Float32Array>;
  rec: DynamicBatcher<LineTensor, Decoded>;
  /** Returns true when a line is upside down. */
  cls: DynamicBatcher<LineTensor, boolean> | undefined;
}


const CLS_WIDTH = 192;

/** Image in, lines out: decode, detect, straighten, (classify), recognise across requests, lay out. */
export class OcrPipeline {
  private readonly gate: PriorityGate;

  constructor(
    private readonly opts: OcrPipelineOpts,
    private readonly batchers: OcrBatchers,
    now: () => number,
  ) {
    this.gate = new PriorityGate(opts.maxPagesInFlight, opts.maxPagesWaiting, now);
  }

  queueDepth(): number {
    return this.gate.depth();
  }

  /** Pages in flight are bounded (each holds a detection tensor and its line crops). */
  async run(encoded: EncodedImage, submit: SubmitOpts): Promise<OcrLine[]> {
    const leave = await this.gate.enter(submit.priority ?? 0, submit.deadlineMs, submit.signal);
    try {
      return await this.runAdmitted(encoded, submit);
    } finally {
      leave();
    }
  }

  private async runAdmitted(encoded: EncodedImage, submit: SubmitOpts): Promise<OcrLine[]> {
    const img = await decodeRgb(encoded, this.opts);
    const boxes = await this.detect(img, submit);
    const texts = await this.recognise(img, boxes, submit);
    const read: ReadLine[] = [];
    boxes.forEach((box, i) => {
      const { decoded: d, cropWidth } = texts[i]!;
      if (d.text.length === 0 || d.score < this.opts.recMinScore) return;
      const ink = findInk(img, box.rect);
      if (!ink) return void read.push({ box, text: d.text, ink, guesses: [] });
      const emPx = guessFonts(ink, d.text.replace(/ /g, ''))[0]!.sizePx;
      const text = restoreSpaces(d.text, d.steps, ink, box.rect, cropWidth, emPx, this.opts.spaceGapEm);
      read.push({ box, text, ink, guesses: guessFonts(ink, text) });
    });
    return this.layout(read, img);
  }

  private async detect(img: RgbImage, submit: SubmitOpts): Promise<DetectedBox[]> {
    const input = await detPreprocess(img, this.opts.detMaxSidePx);
    const prob = await this.batchers.det.submit(input, [input.height, input.width], submit);
    const boxes = dbPostprocess(prob, input.width, input.height, img.width, img.height, {
      threshold: this.opts.detThreshold, boxThreshold: this.opts.detBoxThreshold,
      unclipRatio: this.opts.detUnclipRatio, maxCandidates: 1000,
    });
    return boxes.sort((a, b) => (Math.abs(a.rect.cy - b.rect.cy) < 4 ? a.rect.cx - b.rect.cx : a.rect.cy - b.rect.cy));
  }

  private async recognise(img: RgbImage, boxes: DetectedBox[], submit: SubmitOpts): Promise<{ decoded: Decoded; cropWidth: number }[]> {
    const { recHeight: h, recWidthBuckets: buckets } = this.opts;
    const maxW = buckets[buckets.length - 1]!;
    let flips = boxes.map(() => false);
    if (this.batchers.cls) {
      const cls = this.batchers.cls;
      flips = await Promise.all(boxes.map((b) => cls.submit(cropLine(img, b.rect, h, CLS_WIDTH), [h, CLS_WIDTH], submit)));
    }
    return Promise.all(boxes.map((b, i) => {
      const t = cropLine(img, b.rect, h, maxW, flips[i]);
      return this.batchers.rec.submit(t, [h, widthBucket(t.width, buckets)], submit).then((decoded) => ({ decoded, cropWidth: t.width }));
    }));
  }

  private layout(lines: ReadLine[], img: RgbImage): OcrLine[] {
    return layoutLines(lines, img.width, img.height, this.opts.fontConsensus);
  }
}
