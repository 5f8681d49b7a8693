import { PriorityGate } from '../priorityGate.js';
import type { DynamicBatcher, SubmitOpts } from '../dynamicBatcher.js';
import type { Decoded } from './ctcDecode.js';
import { dbPostprocess, detPreprocess, type DetInput, type DetectedBox } from './detection.js';
import { findInk, guessFonts, restoreSpaces } from './fontEstimate.js';
import { serifLogit } from './fontFamily.js';
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
  /** With the classifier on, run it only on pages with a line tilted more than this (0: every page). */
  angleClassifierMinTiltDeg: number;
  fontConsensus: boolean;
  spaceGapEm: number;
  recWidthScale: number;
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

/**
 * Where a page's time goes, in order: image decode, detection input, detection (the batcher's
 * queue included), DB post-processing, direction classifier, line crops, recognition (queue,
 * model and CTC decoding), ink, fonts and layout. Waiting at the page gate is not counted.
 */
export const OCR_STAGES = ['decode', 'detPrep', 'detect', 'dbPost', 'classify', 'crop', 'recognise', 'layout'] as const;
export type OcrStage = (typeof OCR_STAGES)[number];

/** Image in, lines out: decode, detect, straighten, (classify), recognise across requests, lay out. */
export class OcrPipeline {
  private readonly gate: PriorityGate;
  private readonly stageMs = Object.fromEntries(OCR_STAGES.map((s) => [s, 0])) as Record<OcrStage, number>;
  private pages = 0;

  constructor(
    private readonly opts: OcrPipelineOpts,
    private readonly batchers: OcrBatchers,
    private readonly now: () => number,
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

  /** Cumulative per-stage wall time of the pages run so far (a page's stages, not overlapped work). */
  stageTimes(): { pages: number; ms: Record<OcrStage, number> } {
    return { pages: this.pages, ms: { ...this.stageMs } };
  }

  private async runAdmitted(encoded: EncodedImage, submit: SubmitOpts): Promise<OcrLine[]> {
    const lap = this.stopwatch();
    const img = await decodeRgb(encoded, this.opts);
    lap('decode');
    const boxes = await this.detect(img, submit, lap);
    const texts = await this.recognise(img, boxes, submit, lap);
    const read: ReadLine[] = [];
    boxes.forEach((box, i) => {
      const { decoded: d, cropWidth } = texts[i]!;
      if (d.text.length === 0 || d.score < this.opts.recMinScore) return;
      const ink = findInk(img, box.rect);
      if (!ink) return void read.push({ box, text: d.text, ink, guesses: [], serif: 0 });
      const emPx = guessFonts(ink, d.text.replace(/ /g, ''))[0]!.sizePx;
      const text = restoreSpaces(d.text, d.steps, ink, box.rect, cropWidth, emPx, this.opts.spaceGapEm);
      read.push({ box, text, ink, guesses: guessFonts(ink, text), serif: serifLogit(img, ink) });
    });
    const lines = this.layout(read, img);
    lap('layout');
    this.pages++;
    return lines;
  }

  /** Returns lap(stage): adds the time since the previous lap to that stage. */
  private stopwatch(): (stage: OcrStage) => void {
    let last = this.now();
    return (stage) => {
      const t = this.now();
      this.stageMs[stage] += t - last;
      last = t;
    };
  }

  private async detect(img: RgbImage, submit: SubmitOpts, lap: (s: OcrStage) => void): Promise<DetectedBox[]> {
    const input = await detPreprocess(img, this.opts.detMaxSidePx);
    lap('detPrep');
    const prob = await this.batchers.det.submit(input, [input.height, input.width], submit);
    lap('detect');
    const boxes = dbPostprocess(prob, input.width, input.height, img.width, img.height, {
      threshold: this.opts.detThreshold,
      boxThreshold: this.opts.detBoxThreshold,
      unclipRatio: this.opts.detUnclipRatio,
      maxCandidates: 1000,
    });
    lap('dbPost');
    return boxes.sort((a, b) => (Math.abs(a.rect.cy - b.rect.cy) < 4 ? a.rect.cx - b.rect.cx : a.rect.cy - b.rect.cy));
  }

  /** Whether a page needs the direction classifier: some line tilted or standing (an upright page does not). */
  private needsClassifier(boxes: DetectedBox[]): boolean {
    const minDeg = this.opts.angleClassifierMinTiltDeg;
    if (minDeg <= 0) return true;
    return boxes.some((b) => b.rect.height > b.rect.width || (Math.abs(Math.atan2(b.rect.uy, b.rect.ux)) * 180) / Math.PI > minDeg);
  }

  private async recognise(
    img: RgbImage,
    boxes: DetectedBox[],
    submit: SubmitOpts,
    lap: (s: OcrStage) => void,
  ): Promise<{ decoded: Decoded; cropWidth: number }[]> {
    const { recHeight: h, recWidthBuckets: buckets } = this.opts;
    const maxW = buckets[buckets.length - 1]!;
    let flips = boxes.map(() => false);
    const cls = this.batchers.cls;
    if (cls && this.needsClassifier(boxes)) {
      flips = await Promise.all(boxes.map((b) => cls.submit(cropLine(img, b.rect, h, CLS_WIDTH), [h, CLS_WIDTH], submit)));
      lap('classify');
    }
    const crops = boxes.map((b, i) => cropLine(img, b.rect, h, maxW, flips[i], this.opts.recWidthScale));
    lap('crop');
    // Submitted narrowest first, so lines of one width bucket reach the batcher together and share runs.
    const order = crops.map((_, i) => i).sort((a, b) => crops[a]!.width - crops[b]!.width);
    const out: { decoded: Decoded; cropWidth: number }[] = new Array(crops.length);
    await Promise.all(
      order.map((i) => {
        const t = crops[i]!;
        return this.batchers.rec.submit(t, [h, widthBucket(t.width, buckets)], submit).then((decoded) => {
          out[i] = { decoded, cropWidth: t.width };
        });
      }),
    );
    lap('recognise');
    return out;
  }

  private layout(lines: ReadLine[], img: RgbImage): OcrLine[] {
    return layoutLines(lines, img.width, img.height, this.opts.fontConsensus);
  }
}
