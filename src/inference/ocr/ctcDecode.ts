import { readFile } from 'node:fs/promises';

/** Class list of a PaddleOCR recogniser: blank, the dictionary's lines, then space. */
export async function loadDictionary(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  const keys = text.split(/\r?\n/);
  if (keys[keys.length - 1] === '') keys.pop();
  return ['', ...keys, ' '];
}

function isLatin(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  return (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0x24f) || cp === 0x20ac;
}

/** 1 for classes kept by the charset (blank always), 0 for the rest. */
export function charsetMask(classes: readonly string[], charset: 'latin' | 'all'): Float32Array {
  const mask = new Float32Array(classes.length);
  classes.forEach((ch, i) => {
    mask[i] = i === 0 || charset === 'all' || (ch.length > 0 && [...ch].every(isLatin)) ? 1 : 0;
  });
  return mask;
}

/** Per time step best class and its probability, honouring the mask (JS path, without the graph edit). */
export function argmaxRows(probs: Float32Array, steps: number, classes: number, mask: Float32Array): { idx: Int32Array; score: Float32Array } {
  const idx = new Int32Array(steps);
  const score = new Float32Array(steps);
  for (let t = 0; t < steps; t++) {
    let best = 0,
      bestP = -1;
    const off = t * classes;
    for (let c = 0; c < classes; c++) {
      const p = probs[off + c]! * mask[c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    idx[t] = best;
    score[t] = bestP;
  }
  return { idx, score };
}

export interface Decoded {
  text: string;
  /** Mean probability of the emitted characters (0 when none). */
  score: number;
  /** Time step of each character of `text` (8 input columns per step). */
  steps: number[];
}

/** Greedy CTC: collapse repeats, drop blanks; keeps each character's time step for layout. */
export function ctcGreedy(idx: ArrayLike<number | bigint>, score: ArrayLike<number>, classes: readonly string[]): Decoded {
  const chars: string[] = [];
  const steps: number[] = [];
  let sum = 0,
    prev = -1;
  for (let t = 0; t < idx.length; t++) {
    const c = Number(idx[t]);
    if (c !== prev && c !== 0) {
      chars.push(classes[c] ?? '');
      steps.push(t);
      sum += score[t]!;
    }
    prev = c;
  }
  const n = chars.length;
  while (chars.length > 0 && chars[0] === ' ') {
    chars.shift();
    steps.shift();
  }
  while (chars.length > 0 && chars[chars.length - 1] === ' ') {
    chars.pop();
    steps.pop();
  }
  return { text: chars.join(''), score: n > 0 ? sum / n : 0, steps };
}
