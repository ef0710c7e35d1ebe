import { rng } from '../ir/init.js';
import { BACKGROUNDS, COLOURS, GRID, type Scene, type SceneObject } from './scene.js';

/**
 * Draws a scene as an RGB image: a vertical gradient with pixel noise, then each object,
 * anti-aliased by 4 x 4 supersampling. Channels first ([3, size, size]), values in [0, 1].
 */

/** Half the extent of an object, in fractions of a grid cell. */
const RADIUS = { small: 0.22, large: 0.42 } as const;
/** Amplitude of the background's pixel noise (fraction of full scale). */
const NOISE = 0.04;
const SUBSAMPLES = 4;

/** Whether the point (x, y), relative to the object's centre in units of its radius, is inside its shape. */
function inside(o: SceneObject, x: number, y: number): boolean {
  switch (o.shape) {
    case 'circle': return x * x + y * y <= 1;
    case 'square': return Math.abs(x) <= 0.85 && Math.abs(y) <= 0.85;
    case 'cross': return (Math.abs(x) <= 0.33 && Math.abs(y) <= 1) || (Math.abs(y) <= 0.33 && Math.abs(x) <= 1);
    case 'triangle': {
      // Apex up at (0, -1), base from (-1, 0.8) to (1, 0.8).
      if (y > 0.8 || y < -1) return false;
      return Math.abs(x) <= (y + 1) / 1.8;
    }
  }
}

/** The object's centre and radius in pixels. */
export function objectGeometry(o: SceneObject, size: number): { cx: number; cy: number; r: number } {
  const cell = size / GRID;
  return { cx: (o.col + 0.5 + o.jitter[0]) * cell, cy: (o.row + 0.5 + o.jitter[1]) * cell, r: RADIUS[o.size] * cell };
}

/** The scene as a [3, size, size] image in [0, 1]. */
export function renderScene(scene: Scene, size: number): Float32Array {
  const out = new Float32Array(3 * size * size);
  const [top, bottom] = BACKGROUNDS[scene.background]!;
  const noise = rng(scene.noise);
  const shapes = scene.objects.map((o) => ({ o, ...objectGeometry(o, size), rgb: COLOURS[o.colour] }));
  const rgb = [0, 0, 0];
  for (let y = 0; y < size; y++) {
    const t = y / (size - 1);
    for (let x = 0; x < size; x++) {
      const grain = (noise() - 0.5) * 2 * NOISE;
      for (let c = 0; c < 3; c++) rgb[c] = (top[c]! * (1 - t) + bottom[c]! * t) / 255 + grain;
      for (const s of shapes) {
        const cover = coverage(s.o, s.cx, s.cy, s.r, x, y);
        if (cover > 0) for (let c = 0; c < 3; c++) rgb[c] = rgb[c]! * (1 - cover) + (s.rgb[c]! / 255) * cover;
      }
      for (let c = 0; c < 3; c++) out[c * size * size + y * size + x] = Math.min(1, Math.max(0, rgb[c]!));
    }
  }
  return out;
}

/** The fraction of pixel (x, y)'s subsamples inside the object centred at (cx, cy) of radius r. */
function coverage(o: SceneObject, cx: number, cy: number, r: number, x: number, y: number): number {
  // Every shape lies within its radius of the centre in x and y: a pixel clear of that box
  // has no subsample inside (the same 0 the subsamples would count, found without them).
  if (x + 1 < cx - r || x > cx + r || y + 1 < cy - r || y > cy + r) return 0;
  let hits = 0;
  for (let sy = 0; sy < SUBSAMPLES; sy++) {
    for (let sx = 0; sx < SUBSAMPLES; sx++) {
      const px = x + (sx + 0.5) / SUBSAMPLES;
      const py = y + (sy + 0.5) / SUBSAMPLES;
      if (inside(o, (px - cx) / r, (py - cy) / r)) hits++;
    }
  }
  return hits / (SUBSAMPLES * SUBSAMPLES);
}

/** ImageNet mean and std per channel: FIBER normalizes its inputs with them. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** A [3, h, w] image in [0, 1] normalized per channel as the model expects, in place. */
export function normalizeImage(image: Float32Array): Float32Array {
  const plane = image.length / 3;
  for (let c = 0; c < 3; c++) for (let i = c * plane; i < (c + 1) * plane; i++) image[i] = (image[i]! - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
  return image;
}
