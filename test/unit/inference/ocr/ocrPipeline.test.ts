/**
 * The pipeline's own logic with fake model batchers: per-stage time accounting on a controlled
 * clock, the direction classifier skipped on upright pages and run on tilted ones, and
 * recognition submitted narrowest line first. Plus the tutorial's label frame.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Decoded } from '../../../../src/inference/ocr/ctcDecode.js';
import type { DetInput } from '../../../../src/inference/ocr/detection.js';
import { parseImageField } from '../../../../src/inference/ocr/imageDecode.js';
import type { LineTensor } from '../../../../src/inference/ocr/lineCrop.js';
import { OCR_STAGES, OcrPipeline, type OcrPipelineOpts } from '../../../../src/inference/ocr/ocrPipeline.js';
import { isTutorialFrame, toLabelFrame, TUTORIAL_ANGLE_RAD } from '../../../../src/inference/ocr/tutorialFrame.js';

const OPTS: OcrPipelineOpts = {
  maxImageBytes: 1 << 24,
  maxImagePixels: 1 << 24,
  detMaxSidePx: 320,
  detThreshold: 0.3,
  detBoxThreshold: 0.6,
  detUnclipRatio: 1.5,
  recMinScore: 0.5,
  recHeight: 48,
  recWidthBuckets: [48, 96, 160, 320, 640],
  useAngleClassifier: true,
  angleClassifierMinTiltDeg: 2,
  fontConsensus: true,
  spaceGapEm: 0.3,
  recWidthScale: 1,
  maxPagesInFlight: 2,
  maxPagesWaiting: 4,
};

/** A detection map with one horizontal bar per [x0, x1, y] (in map pixels), tilted by `slope`. */
function bars(w: number, h: number, lines: [number, number, number][], slope = 0): Float32Array {
  const prob = new Float32Array(w * h);
  for (const [x0, x1, y] of lines)
    for (let x = x0; x < x1; x++)
      for (let dy = 0; dy < 6; dy++) {
        const yy = Math.round(y + dy + (x - x0) * slope);
        if (yy >= 0 && yy < h) prob[yy * w + x] = 0.9;
      }
  return prob;
}

async function page(): Promise<ReturnType<typeof parseImageField>> {
  const png = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#fff' } })
    .png()
    .toBuffer();
  return parseImageField(png.toString('base64'), OPTS);
}

function fakes(prob: (input: DetInput) => Float32Array, clock: { t: number }) {
  const recWidths: number[] = [];
  let clsCalls = 0;
  const det = {
    submit: async (input: DetInput) => {
      clock.t += 100;
      return prob(input);
    },
  };
  const rec = {
    submit: async (t: LineTensor): Promise<Decoded> => {
      recWidths.push(t.width);
      clock.t += 10;
      return { text: '', score: 0, steps: [] };
    },
  };
  const cls = {
    submit: async () => {
      clsCalls++;
      clock.t += 5;
      return false;
    },
  };
  return { batchers: { det, rec, cls } as never, recWidths, clsCalls: () => clsCalls };
}

describe('OcrPipeline', () => {
  it('accounts each stage on the clock it is given and counts pages', async () => {
    const clock = { t: 0 };
    const f = fakes(
      (i) =>
        bars(i.width, i.height, [
          [20, 200, 40],
          [20, 80, 100],
        ]),
      clock,
    );
    const p = new OcrPipeline(OPTS, f.batchers, () => clock.t);
    await p.run(await page(), {});
    const { pages, ms } = p.stageTimes();
    expect(pages).toBe(1);
    expect(Object.keys(ms)).toEqual([...OCR_STAGES]);
    expect(ms.detect).toBe(100);
    expect(ms.recognise).toBe(20);
    expect(ms.classify).toBe(0);
    // Submitted narrowest first.
    expect(f.recWidths).toEqual([...f.recWidths].sort((a, b) => a - b));
    expect(f.recWidths).toHaveLength(2);
  });

  it('skips the direction classifier on upright pages and runs it when a line is tilted', async () => {
    const clock = { t: 0 };
    const upright = fakes(
      (i) =>
        bars(i.width, i.height, [
          [20, 200, 40],
          [20, 200, 100],
        ]),
      clock,
    );
    await new OcrPipeline(OPTS, upright.batchers, () => clock.t).run(await page(), {});
    expect(upright.clsCalls()).toBe(0);
    const tilted = fakes(
      (i) =>
        bars(
          i.width,
          i.height,
          [
            [20, 200, 40],
            [20, 200, 100],
          ],
          0.15,
        ),
      clock,
    );
    const p = new OcrPipeline(OPTS, tilted.batchers, () => clock.t);
    await p.run(await page(), {});
    expect(tilted.clsCalls()).toBe(2);
    expect(p.stageTimes().ms.classify).toBe(10);
    const always = fakes((i) => bars(i.width, i.height, [[20, 200, 40]]), clock);
    await new OcrPipeline({ ...OPTS, angleClassifierMinTiltDeg: 0 }, always.batchers, () => clock.t).run(await page(), {});
    expect(always.clsCalls()).toBe(1);
  });
});

describe('tutorial label frame', () => {
  it("recognises the tutorial pipeline's page size only", () => {
    expect(isTutorialFrame(631, 815)).toBe(true);
    expect(isTutorialFrame(612, 792)).toBe(false);
    expect(isTutorialFrame(918, 1188)).toBe(false);
  });

  it('maps ink boxes into the label frame: larger by the expansion, unrotated', () => {
    // At the centre nothing moves; towards the foot of the page the label frame runs ahead of
    // the ink (0.5 % larger), and left of centre the 0.2 degree turn is undone.
    const mid = toLabelFrame([305, 400, 325, 415], 631, 815, TUTORIAL_ANGLE_RAD);
    mid.forEach((v, i) => expect(Math.abs(v - [305, 400, 325, 415][i]!)).toBeLessThan(0.2));
    const foot = toLabelFrame([30, 780, 130, 792], 631, 815, TUTORIAL_ANGLE_RAD);
    expect(foot[1] - 780).toBeGreaterThan(0.3);
    expect(foot[1] - 780).toBeLessThan(3);
    const flat = toLabelFrame([30, 780, 130, 792], 631, 815, 0);
    expect(Math.abs(flat[0] - foot[0])).toBeGreaterThan(0.5);
  });
});
