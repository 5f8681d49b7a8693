import sharp from 'sharp';
import { MinerError } from '../../util/index.js';

export interface ImageLimits {
  maxImageBytes: number;
  maxImagePixels: number;
}

/** Encoded image bytes with the size read from the header (no pixel decoded yet). */
export interface EncodedImage {
  bytes: Buffer;
  format: 'jpeg' | 'png';
  width: number;
  height: number;
}

/** Decoded pixels, 3 channels RGB, row-major. */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/;

function bad(message: string): MinerError {
  return new MinerError('BAD_IMAGE', message);
}

function pngSize(b: Buffer): [number, number] {
  if (b.length < 24 || b.toString('latin1', 12, 16) !== 'IHDR') throw bad('base64_image: PNG header is truncated');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

/** Walks JPEG markers to the first start-of-frame; the header alone gives the size. */
function jpegSize(b: Buffer): [number, number] {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof) return [b.readUInt16BE(i + 7), b.readUInt16BE(i + 5)];
    i += 2 + len;
  }
  throw bad('base64_image: JPEG has no frame header (truncated?)');
}

/** Validates the field and reads the image header; cheap enough to run before queueing. */
export function parseImageField(value: unknown, limits: ImageLimits): EncodedImage {
  if (typeof value !== 'string' || value.length === 0) throw new MinerError('BAD_REQUEST', 'base64_image must be a non-empty base64 string');
  const payload = value.startsWith('data:') ? value.slice(value.indexOf(',') + 1) : value;
  if (payload.length > Math.ceil(limits.maxImageBytes / 3) * 4 + 8) {
    throw bad(`base64_image is larger than ${limits.maxImageBytes} bytes`);
  }
  if (!BASE64.test(payload)) throw bad('base64_image is not valid base64');
  const bytes = Buffer.from(payload, 'base64');
  let format: EncodedImage['format'];
  let size: [number, number];
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47) {
    format = 'png';
    size = pngSize(bytes);
  } else if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    format = 'jpeg';
    size = jpegSize(bytes);
  } else {
    throw bad('base64_image is not a JPEG or PNG image');
  }
  const [width, height] = size;
  if (width === 0 || height === 0) throw bad(`base64_image has a zero size (${width}x${height})`);
  if (width * height > limits.maxImagePixels) {
    throw bad(`base64_image is ${width}x${height} pixels, more than the limit of ${limits.maxImagePixels}`);
  }
  return { bytes, format, width, height };
}

/** Decodes to RGB on libuv's pool; a truncated or corrupt image becomes a 400. */
export async function decodeRgb(img: EncodedImage, limits: ImageLimits): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(img.bytes, { limitInputPixels: limits.maxImagePixels, failOn: 'truncated' })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected channel count ${info.channels}`);
    return { data, width: info.width, height: info.height };
  } catch (err) {
    throw new MinerError('BAD_IMAGE', `base64_image cannot be decoded: ${(err as Error).message}`, { cause: err });
  }
}
