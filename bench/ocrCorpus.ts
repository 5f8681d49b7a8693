/** OCR page sets for benches: corpus folders made by scripts/ocr-corpus.py, or the validator's sharp-rendered pages. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvoiceGenerator, type OcrLabel } from '../packages/validator-sim/src/index.js';

export interface CorpusPage {
  name: string;
  base64: string;
  labels: OcrLabel[];
}

/** `<name>.jpg` + `<name>.json` (labels) pairs of one folder, by name. */
export async function loadCorpus(dir: string, limit = Infinity): Promise<CorpusPage[]> {
  const names = (await readdir(dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .slice(0, limit);
  return Promise.all(
    names.map(async (f) => {
      const stem = f.slice(0, -5);
      const labels = JSON.parse(await readFile(join(dir, f), 'utf8')) as OcrLabel[];
      const base64 = (await readFile(join(dir, `${stem}.jpg`))).toString('base64');
      return { name: stem, base64, labels };
    }),
  );
}

/** `n` pages of the validator simulator's generator (seeded, so every run gets the same pages). */
export async function sharpCorpus(n: number): Promise<CorpusPage[]> {
  const gen = new InvoiceGenerator();
  const pages: CorpusPage[] = [];
  for (let i = 0; i < n; i++) {
    const p = await gen.generate(`ocrq:${i}`);
    pages.push({ name: `sharp-${i}-${p.family}-${p.size}`, base64: p.base64Image, labels: p.labels });
  }
  return pages;
}
