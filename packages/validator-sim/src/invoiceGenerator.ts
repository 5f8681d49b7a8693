import sharp from 'sharp';
import { createRng, type Rng } from './prng.js';
import { invoiceContent, money, type InvoiceContent } from './invoiceContent.js';
import { loadFontMetrics, type FontMetrics } from './fontMetrics.js';

/**
 * Synthetic invoice pages like the OCR tutorial subnet's validator makes: a US-letter page at
 * one pixel per point, one font (Helvetica or Times-Roman, 10-12 pt), the tutorial's layout,
 * then border shading, noise, a dark spot, a 0.2 degree rotation and a 0.5 px blur.
 */
export type FontFamily = 'Helvetica' | 'Times-Roman';

export interface OcrLabel {
  /** [x0, y0, x1, y1] in pixels, top-left origin. */
  readonly position: [number, number, number, number];
  readonly text: string;
  readonly font: { readonly family: FontFamily; readonly size: number };
}

export interface InvoicePage {
  readonly base64Image: string;
  readonly labels: OcrLabel[];
  readonly width: number;
  readonly height: number;
  readonly family: FontFamily;
  readonly size: number;
}

export interface InvoiceGeneratorOpts {
  /** Directory with LiberationSans-Regular.ttf and LiberationSerif-Regular.ttf. */
  fontDir?: string;
  /** Degrees, counter-clockwise as PIL's rotate; the tutorial uses 0.2. */
  rotationDeg?: number;
  blurSigma?: number;
  /** Fraction of pixels that get gaussian noise (and again for the spot). */
  noiseFraction?: number;
  jpegQuality?: number;
  /** Off: a clean page (no border, noise, spot, blur or rotation). */
  corrupt?: boolean;
}

/** One string drawn on the page: pen start and baseline in page pixels (top-left origin). */
export interface DrawnLine {
  readonly x: number;
  readonly baseline: number;
  readonly text: string;
}

export const PAGE_WIDTH = 612;
export const PAGE_HEIGHT = 792;
/** The tutorial renders its PDF at 1.5x before corrupting it. */
const ZOOM = 1.5;
export const DEFAULT_FONT_DIR = '/usr/share/fonts/truetype/liberation';

const RENDER_FAMILY: Record<FontFamily, string> = { Helvetica: 'Liberation Sans', 'Times-Roman': 'Liberation Serif' };
const FONT_FILE: Record<FontFamily, string> = {
  Helvetica: 'LiberationSans-Regular.ttf',
  'Times-Roman': 'LiberationSerif-Regular.ttf',
};

/** The tutorial's layout, in PDF points (origin bottom-left), converted to top-left baselines. */
export function layoutInvoice(c: InvoiceContent): DrawnLine[] {
  const out: DrawnLine[] = [];
  const put = (x: number, yPdf: number, text: string): void => {
    out.push({ x, baseline: PAGE_HEIGHT - yPdf, text });
  };
  put(30, 750, c.companyName);
  put(400, 750, `Invoice Date: ${c.invoiceDate}`);
  put(400, 735, `Invoice #: ${c.invoiceNumber}`);
  put(400, 720, `Due Date: ${c.dueDate}`);
  put(30, 735, c.companyAddress);
  put(30, 720, c.companyCityZip);
  put(30, 690, 'Bill To:');
  put(120, 690, c.customerName);
  put(30, 650, 'Description');
  put(300, 650, 'Qty');
  put(380, 650, 'Price');
  put(470, 650, 'Amount');
  let y = 625;
  let subtotal = 0;
  for (const item of c.items) {
    const amount = item.qty * item.price;
    subtotal += amount;
    put(30, y, item.desc);
    put(300, y, String(item.qty));
    put(380, y, money(item.price));
    put(470, y, money(amount));
    y -= 15;
  }
  const tax = Math.round(subtotal * c.taxPercent) / 100;
  put(400, y - 15, `Subtotal: ${money(subtotal)}`);
  put(400, y - 30, `Tax (${c.taxPercent}%): ${money(tax)}`);
  put(400, y - 45, `Total: ${money(subtotal + tax)}`);
  put(30, y - 75, 'Terms:');
  put(120, y - 75, `Payment due within ${c.termsDays} days`);
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** SVG of the page; the rotation happens in the renderer so text stays anti-aliased. */
export function pageSvg(lines: readonly DrawnLine[], family: FontFamily, size: number, rotationDeg: number, ruleAtBaseline?: number): string {
  const cx = PAGE_WIDTH / 2;
  const cy = PAGE_HEIGHT / 2;
  const texts = lines.map((l) => `<text x="${l.x}" y="${l.baseline}">${escapeXml(l.text)}</text>`).join('');
  const rule = ruleAtBaseline === undefined ? '' : `<line x1="30" y1="${ruleAtBaseline}" x2="560" y2="${ruleAtBaseline}" stroke="#000" stroke-width="0.3"/>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${PAGE_WIDTH}" height="${PAGE_HEIGHT}">` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    `<g transform="rotate(${-rotationDeg} ${cx} ${cy})" font-family="${RENDER_FAMILY[family]}" font-size="${size}"` +
    ` fill="#000" style="font-kerning:none" xml:space="preserve">${rule}${texts}</g></svg>`
  );
}

/** Label box per the tutorial: pen start to advance width, baseline - 0.8 size to baseline + 0.2 size. */
export function labelFor(line: DrawnLine, family: FontFamily, size: number, metrics: FontMetrics, rotationDeg: number): OcrLabel {
  const w = metrics.advanceWidth(line.text, size);
  const x0 = line.x;
  const y0 = line.baseline - 0.8 * size;
  // Boxes stay axis-aligned; follow the rotation by moving each box with its centre.
  const [dx, dy] = rotationShift(x0 + w / 2, line.baseline - 0.3 * size, rotationDeg);
  const r = (v: number): number => Math.round(v * 100) / 100;
  return {
    position: [r(x0 + dx), r(y0 + dy), r(x0 + w + dx), r(line.baseline + 0.2 * size + dy)],
    text: line.text,
    font: { family, size },
  };
}

function rotationShift(px: number, py: number, rotationDeg: number): [number, number] {
  // SVG rotate(-deg) in a y-down frame turns the page counter-clockwise on screen.
  const t = (-rotationDeg * Math.PI) / 180;
  const cx = PAGE_WIDTH / 2;
  const cy = PAGE_HEIGHT / 2;
  const x = cx + (px - cx) * Math.cos(t) - (py - cy) * Math.sin(t);
  const y = cy + (px - cx) * Math.sin(t) + (py - cy) * Math.cos(t);
  return [x - px, y - py];
}

/** Greyscale raw pixels of an SVG page, `scale` pixels per point. */
export async function renderGrey(svg: string, scale = 1): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(Buffer.from(svg), { density: 72 * scale })
    .flatten({ background: '#ffffff' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * The tutorial's corruptions with its parameters, on a page rendered at its 1.5x zoom: shaded
 * side borders, gaussian noise on a fraction of pixels, a dark spot around (100, 100).
 */
export function corruptPixels(px: Buffer, width: number, height: number, rng: Rng, noiseFraction: number): void {
  const border = 50;
  for (let x = 1; x < border; x++) {
    const tone = Math.min(255, 256 - Math.trunc(250 * (x / border - 1) ** 2));
    for (let y = 0; y < height; y++) {
      for (const col of [x, width - x]) {
        const i = y * width + col;
        // Darken only: the tutorial's overwrite also lightened anti-aliased glyph edges near x = 30.
        px[i] = Math.min(px[i] ?? 255, tone);
      }
    }
  }
  const count = Math.trunc(width * height * noiseFraction);
  for (let k = 0; k < count; k++) {
    const i = rng.int(0, height - 1) * width + rng.int(0, width - 1);
    px[i] = clampByte((px[i] ?? 0) + rng.gauss(0, 10));
  }
  for (let k = 0; k < count; k++) {
    const x = rng.int(0, width - 1);
    const y = rng.int(0, height - 1);
    const i = y * width + x;
    px[i] = clampByte((px[i] ?? 0) - 10_000 / (1 + Math.hypot(100 - x, 100 - y)));
  }
}

function clampByte(v: number): number {
  return Math.max(0, Math.min(255, Math.trunc(v)));
}

export class InvoiceGenerator {
  private readonly fontDir: string;
  private readonly rotationDeg: number;
  private readonly blurSigma: number;
  private readonly noiseFraction: number;
  private readonly jpegQuality: number;
  private readonly corrupt: boolean;
  private readonly metrics = new Map<FontFamily, FontMetrics>();

  constructor(opts: InvoiceGeneratorOpts = {}) {
    this.fontDir = opts.fontDir ?? DEFAULT_FONT_DIR;
    this.corrupt = opts.corrupt ?? true;
    this.rotationDeg = this.corrupt ? (opts.rotationDeg ?? 0.2) : 0;
    this.blurSigma = opts.blurSigma ?? 0.5;
    this.noiseFraction = opts.noiseFraction ?? 0.1;
    this.jpegQuality = opts.jpegQuality ?? 75;
  }

  async fontMetrics(family: FontFamily): Promise<FontMetrics> {
    let m = this.metrics.get(family);
    if (!m) {
      m = await loadFontMetrics(`${this.fontDir}/${FONT_FILE[family]}`);
      this.metrics.set(family, m);
    }
    return m;
  }

  /** The same seed always gives the same page and labels. */
  async generate(seed: string | number, nItems?: number): Promise<InvoicePage> {
    const rng = createRng(seed);
    const family = rng.pick<FontFamily>(['Helvetica', 'Times-Roman']);
    const size = rng.pick([10, 11, 12]);
    const content = invoiceContent(rng, nItems);
    const lines = layoutInvoice(content);
    const metrics = await this.fontMetrics(family);
    const labels = lines.map((l) => labelFor(l, family, size, metrics, this.rotationDeg));
    const svg = pageSvg(lines, family, size, this.rotationDeg, PAGE_HEIGHT - 645);
    const jpeg = this.corrupt ? await this.renderCorrupted(svg, rng) : await this.renderClean(svg);
    return { base64Image: jpeg.toString('base64'), labels, width: PAGE_WIDTH, height: PAGE_HEIGHT, family, size };
  }

  private async renderClean(svg: string): Promise<Buffer> {
    const page = await renderGrey(svg);
    return sharp(page.data, { raw: { width: page.width, height: page.height, channels: 1 } })
      .toColourspace('srgb')
      .jpeg({ quality: this.jpegQuality })
      .toBuffer();
  }

  /** Corrupts at the tutorial's 1.5x zoom, then scales back to one pixel per point. */
  private async renderCorrupted(svg: string, rng: Rng): Promise<Buffer> {
    const page = await renderGrey(svg, ZOOM);
    corruptPixels(page.data, page.width, page.height, rng, this.noiseFraction);
    let img = sharp(page.data, { raw: { width: page.width, height: page.height, channels: 1 } });
    if (this.blurSigma >= 0.3) img = img.blur(this.blurSigma);
    const blurred = await img.raw().toBuffer({ resolveWithObject: true });
    const { width, height, channels } = blurred.info;
    return sharp(blurred.data, { raw: { width, height, channels } })
      .resize(PAGE_WIDTH, PAGE_HEIGHT, { fit: 'fill' })
      .toColourspace('srgb')
      .jpeg({ quality: this.jpegQuality })
      .toBuffer();
  }
}
