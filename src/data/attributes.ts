import { HostTensor } from '../ir/tensor.js';
import { stackedPixels, stepItems, type ImageTextExample } from './pretrain-batch.js';
import { COLOUR_NAMES, GRID, SHAPES, SIZES, type Scene } from './scene.js';

/**
 * Labels of the image tower's own pre-training (examples/fiber_pretrain.fib, FiberImageTower):
 * for each cell of a synthetic scene's grid, the colour, shape and size of the object there —
 * the stand-in for the ImageNet classes FIBER's Swin was pre-trained on. Files carry no such
 * labels, so this stage runs on the synthetic corpus only. Per cell rather than per scene:
 * labels that say where as well as what teach the tower both (spec/training.md).
 */

/** Every label, in the classifier's order: the colours, the shapes, the sizes. */
export const ATTRIBUTES: readonly string[] = [...COLOUR_NAMES, ...SHAPES, ...SIZES];

/** Labels per image: ATTRIBUTES for each grid cell, row by row. */
export const CELL_LABELS = GRID * GRID * ATTRIBUTES.length;

/** For each grid cell (row by row), 1 for each attribute of the object there, else 0 (ATTRIBUTES' order within a cell). */
export function sceneCellAttributes(scene: Scene): Float32Array {
  const out = new Float32Array(CELL_LABELS);
  for (const o of scene.objects) {
    for (const a of [o.colour, o.shape, o.size]) out[(o.row * GRID + o.col) * ATTRIBUTES.length + ATTRIBUTES.indexOf(a)] = 1;
  }
  return out;
}

/** An image with the scene it was drawn from. */
export type LabelledImage = Pick<ImageTextExample, 'image'> & { readonly scene: Scene };

/** The inputs of some images: `pixels` [B, 3, S, S] and `targets` [B, CELL_LABELS]. */
export function attributeInputs(images: readonly LabelledImage[], imageSize: number): Map<string, HostTensor> {
  const [B, A] = [images.length, CELL_LABELS];
  const targets = new Float32Array(B * A);
  images.forEach((e, b) => targets.set(sceneCellAttributes(e.scene), b * A));
  return new Map([['pixels', stackedPixels(images, imageSize)], ['targets', new HostTensor([B, A], 'f32', targets)]]);
}

/** The batch of step `step`: images in epochs of a seeded order (as pre-training visits them). */
export function attributeBatch(images: readonly LabelledImage[], options: { readonly seed: number; readonly batch: number; readonly imageSize: number }, step: number): Map<string, HostTensor> {
  return attributeInputs(stepItems(options.seed, images.length, options.batch, step).map((i) => images[i]!), options.imageSize);
}
