import { MinerError } from '../../util/index.js';
import type { DynamicBatcher, SubmitOpts } from '../dynamicBatcher.js';
import type { Decoded } from './ctcDecode.js';
import { dbPostprocess, detPreprocess, type DetInput, type DetectedBox } from './detection.js';
import { findInk, guessFonts, labelBox, restoreSpaces, type FontGuess, type InkBox } from './fontEstimate.js';
import type { FontMetrics } from './fontMetrics.js';
import { decodeRgb, type EncodedImage, type ImageLimits, type RgbImage } from './imageDecode.js';
import { cropLine, widthBucket, type LineTensor } from './lineCrop.js';

export interface OcrLine {
  position: [number, number, number, number];
  text: string;
  font: { family: string; size: number };
}

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
}

export interface OcrBatchers {
  det: DynamicBatcher<DetInput, Float32Array>;
  rec: DynamicBatcher<LineTensor, Decoded>;
  /** Returns true when a line is upside down. */
  cls: DynamicBatcher<LineTensor, boolean> | undefined;
}

interface ReadLine {
  box: DetectedBox;
  text: string;
  ink: InkBox | undefined;
  guesses: FontGuess[];
}

const CLS_WIDTH = 192;
const US_LETTER_WIDTH_PT = 612;
const US_LETTER_ASPECT = 612 / 792;

/** Image in, lines out: decode, detect, straighten, (classify), recognise across requests, lay out. */
export class OcrPipeline {
  constructor(
    private readonly opts: OcrPipelineOpts,
    private readonly batchers: OcrBatchers,
    private readonly now: () => number,
  ) {}

  async run(encoded: EncodedImage, submit: SubmitOpts): Promise<OcrLine[]> {
    if (submit.signal?.aborted || (submit.deadlineMs !== undefined && this.now() >= submit.deadlineMs)) {
      throw new MinerError('DEADLINE_EXCEEDED', 'deadline passed before inference ran');
    }
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

  /** Fonts: per line by ink height and width, then snapped to the page's dominant font when close. */
  private layout(lines: ReadLine[], img: RgbImage): OcrLine[] {
    const aspect = img.width / img.height;
    const pxPerPt = Math.abs(aspect - US_LETTER_ASPECT) < 0.03 ? img.width / US_LETTER_WIDTH_PT : 1;
    const page = this.opts.fontConsensus ? dominantFont(lines) : undefined;
    return lines.map((l) => {
      let font: FontMetrics | undefined = l.guesses[0]?.font;
      let sizePx = l.guesses[0]?.sizePx ?? l.box.rect.height / 1.5;
      if (page && l.ink) {
        const own = l.guesses.find((g) => g.font === page.font)!;
        if (Math.abs(own.sizePx - page.sizePx) / page.sizePx < 0.2) {
          font = page.font;
          sizePx = page.sizePx;
        }
      }
      const position = l.ink && font ? labelBox(l.ink, l.text, font, sizePx) : axisBox(l.box);
      return {
        position: position.map((v) => Math.round(v * 10) / 10) as OcrLine['position'],
        text: l.text,
        font: { family: font?.family ?? 'Helvetica', size: Math.max(1, Math.round(sizePx / pxPerPt)) },
      };
    });
  }
}

function axisBox(b: DetectedBox): [number, number, number, number] {
  const r = b.rect;
  return [r.cx - r.width / 2, r.cy - r.height / 2, r.cx + r.width / 2, r.cy + r.height / 2];
}

/**
 * The page's font: the family whose metrics best explain the lines' widths given their heights,
 * pooled by the median of the signed per-line error (noise at 10 px cancels); size as the median
 * of that family's per-line sizes.
 */
function dominantFont(lines: ReadLine[]): { font: FontMetrics; sizePx: number } | undefined {
  const usable = lines.filter((l) => l.text.replace(/ /g, '').length >= 4 && l.guesses.length > 0);
  if (usable.length === 0) return undefined;
  const median = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  const families = usable[0]!.guesses.map((g) => g.font);
  const fit = families.map((font) => ({
    font,
    error: Math.abs(median(usable.map((l) => l.guesses.find((g) => g.font === font)!.widthLog))),
  })).sort((a, b) => a.error - b.error);
  const font = fit[0]!.font;
  const sizes = lines.filter((l) => l.text.length >= 2)
    .map((l) => l.guesses.find((g) => g.font === font)?.sizePx)
    .filter((s): s is number => s !== undefined);
  return sizes.length === 0 ? undefined : { font, sizePx: median(sizes) };
}
