import { readFileSync } from 'node:fs';
import { normalizeImage } from './render.js';

/**
 * Image files (JPEG, PNG, WebP, ...) decoded and resized with sharp (libvips): the header is
 * read and checked before any pixel buffer is made, a truncated or corrupt file is an error
 * rather than a half-grey picture, and every image becomes 3-channel sRGB squashed to a
 * square (ALBEF's and FIBER's evaluation transform: resize to image_res x image_res, bicubic).
 */

/** An image file that cannot be used, with why. */
export class ImageFileError extends Error {
  override readonly name = 'ImageFileError';
}

/** The most pixels a source image may have (sharp's default guard against decompression bombs). */
export const MAX_INPUT_PIXELS = 268_402_689;

/**
 * Decodes `path` to [3, size, size] bytes (channels first, RGB). Throws ImageFileError for
 * a missing file, a file that is not an image, a truncated or corrupt one, or one too large.
 */
export async function decodeImage(path: string, size: number): Promise<Uint8Array> {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    throw new ImageFileError(`cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  // libvips is loaded with the first image decoded, not with the module: a run on the synthetic
  // corpus never needs it, and the GPU bundle (scripts/gpu-bundle.sh) travels without it.
  const { default: sharp } = await import('sharp');
  try {
    const image = sharp(data, { failOn: 'truncated', limitInputPixels: MAX_INPUT_PIXELS });
    const meta = await image.metadata();
    if (!meta.width || !meta.height) throw new ImageFileError('no width and height in its header');
    const { data: pixels, info } = await image.rotate().toColourspace('srgb').removeAlpha().resize(size, size, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || pixels.length !== 3 * size * size) throw new ImageFileError(`decoded to ${info.channels} channels of ${info.width}x${info.height}, not RGB ${size}x${size}`);
    // Interleaved RGB -> channels first.
    const planar = new Uint8Array(3 * size * size);
    const plane = size * size;
    for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) planar[c * plane + i] = pixels[i * 3 + c]!;
    return planar;
  } catch (e) {
    if (e instanceof ImageFileError) throw e;
    throw new ImageFileError((e as Error).message.replace(/\s+/g, ' ').trim());
  }
}

/** Decoded bytes as the model reads them: [0, 1], then ImageNet-normalized. */
export function normalizedImage(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 255;
  return normalizeImage(out);
}
