import { readFile } from 'node:fs/promises';
import { MinerError } from '../../../src/util/index.js';

/**
 * Horizontal metrics read straight from a TrueType file (head, hhea, hmtx, cmap), so label
 * boxes use the same advance widths the renderer draws with. Liberation Sans/Serif are
 * metric-compatible with Helvetica/Times, which is what the tutorial's reportlab measured.
 */
export interface FontMetrics {
  readonly unitsPerEm: number;
  /** Advance width of the string in pixels at `sizePx` (no kerning, as reportlab's stringWidth). */
  advanceWidth(text: string, sizePx: number): number;
  /** Font units of one code point's advance; the .notdef advance when unmapped. */
  glyphAdvance(codePoint: number): number;
}

interface TableRef {
  offset: number;
  length: number;
}

function readTables(buf: Buffer): Map<string, TableRef> {
  const numTables = buf.readUInt16BE(4);
  const tables = new Map<string, TableRef>();
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + i * 16;
    const tag = buf.toString('latin1', rec, rec + 4);
    tables.set(tag, { offset: buf.readUInt32BE(rec + 8), length: buf.readUInt32BE(rec + 12) });
  }
  return tables;
}

function need(tables: Map<string, TableRef>, tag: string): TableRef {
  const t = tables.get(tag);
  if (!t) throw new MinerError('INTERNAL', `font has no ${tag} table`);
  return t;
}

/** cmap format 4 (BMP) lookup into a code point -> glyph id map. */
function parseFormat4(buf: Buffer, off: number, out: Map<number, number>): void {
  const segX2 = buf.readUInt16BE(off + 6);
  const endOff = off + 14;
  const startOff = endOff + segX2 + 2;
  const deltaOff = startOff + segX2;
  const rangeOff = deltaOff + segX2;
  for (let s = 0; s < segX2 / 2; s++) {
    const end = buf.readUInt16BE(endOff + s * 2);
    const start = buf.readUInt16BE(startOff + s * 2);
    const delta = buf.readInt16BE(deltaOff + s * 2);
    const range = buf.readUInt16BE(rangeOff + s * 2);
    for (let c = start; c <= end && c !== 0xffff; c++) {
      let gid: number;
      if (range === 0) {
        gid = (c + delta) & 0xffff;
      } else {
        const at = rangeOff + s * 2 + range + (c - start) * 2;
        const raw = buf.readUInt16BE(at);
        gid = raw === 0 ? 0 : (raw + delta) & 0xffff;
      }
      if (gid !== 0) out.set(c, gid);
    }
  }
}

/** cmap format 12 (full Unicode) groups. */
function parseFormat12(buf: Buffer, off: number, out: Map<number, number>): void {
  const groups = buf.readUInt32BE(off + 12);
  for (let g = 0; g < groups; g++) {
    const rec = off + 16 + g * 12;
    const start = buf.readUInt32BE(rec);
    const end = buf.readUInt32BE(rec + 4);
    const startGid = buf.readUInt32BE(rec + 8);
    for (let c = start; c <= end; c++) out.set(c, startGid + (c - start));
  }
}

function parseCmap(buf: Buffer, cmap: TableRef): Map<number, number> {
  const n = buf.readUInt16BE(cmap.offset + 2);
  let best: { off: number; format: number } | undefined;
  for (let i = 0; i < n; i++) {
    const rec = cmap.offset + 4 + i * 8;
    const platform = buf.readUInt16BE(rec);
    const encoding = buf.readUInt16BE(rec + 2);
    const off = cmap.offset + buf.readUInt32BE(rec + 4);
    const format = buf.readUInt16BE(off);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode || (format !== 4 && format !== 12)) continue;
    if (!best || (format === 12 && best.format === 4)) best = { off, format };
  }
  if (!best) throw new MinerError('INTERNAL', 'font has no Unicode cmap subtable');
  const map = new Map<number, number>();
  if (best.format === 12) parseFormat12(buf, best.off, map);
  else parseFormat4(buf, best.off, map);
  return map;
}

/** Parses the metrics of a TrueType font held in memory. */
export function parseFontMetrics(buf: Buffer): FontMetrics {
  const tables = readTables(buf);
  const head = need(tables, 'head');
  const hhea = need(tables, 'hhea');
  const hmtx = need(tables, 'hmtx');
  const unitsPerEm = buf.readUInt16BE(head.offset + 18);
  const numberOfHMetrics = buf.readUInt16BE(hhea.offset + 34);
  const advances = new Uint16Array(numberOfHMetrics);
  for (let i = 0; i < numberOfHMetrics; i++) advances[i] = buf.readUInt16BE(hmtx.offset + i * 4);
  const cmap = parseCmap(buf, need(tables, 'cmap'));
  // Glyphs past numberOfHMetrics share the last advance (monospaced tail).
  const advanceOf = (gid: number): number => advances[Math.min(gid, numberOfHMetrics - 1)] ?? 0;
  const glyphAdvance = (cp: number): number => advanceOf(cmap.get(cp) ?? 0);
  return {
    unitsPerEm,
    glyphAdvance,
    advanceWidth(text: string, sizePx: number): number {
      let units = 0;
      for (const ch of text) units += glyphAdvance(ch.codePointAt(0) ?? 0);
      return (units * sizePx) / unitsPerEm;
    },
  };
}

export async function loadFontMetrics(path: string): Promise<FontMetrics> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new MinerError('INTERNAL', `cannot read font ${path} (install fonts-liberation)`, { cause: err });
  }
  return parseFontMetrics(buf);
}
