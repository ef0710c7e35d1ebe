import { HostTensor } from '../ir/tensor.js';
import { stackedPixels, stepItems, type ImageTextExample } from './pretrain-batch.js';
import { COLOUR_NAMES, SHAPES, SIZES, type Scene } from './scene.js';

/**
 * Labels of the image tower's own pre-training (examples/fiber_pretrain.fib, FiberImageTower):
 * which colours, shapes and sizes a synthetic scene holds — the stand-in for the ImageNet
 * classes FIBER's Swin was pre-trained on. Files carry no such labels, so this stage runs on
 * the synthetic corpus only.
 */

/** Every label, in the classifier's order: the colours, the shapes, the sizes. */
export const ATTRIBUTES: readonly string[] = [...COLOUR_NAMES, ...SHAPES, ...SIZES];

/** 1 for each attribute some object of the scene has, else 0 (ATTRIBUTES' order). */
export function sceneAttributes(scene: Scene): Float32Array {
  const present = new Set(scene.objects.flatMap((o) => [o.colour, o.shape, o.size] as string[]));
  return Float32Array.from(ATTRIBUTES, (a) => (present.has(a) ? 1 : 0));
}

/** An image with the scene it was drawn from. */
export type LabelledImage = Pick<ImageTextExample, 'image'> & { readonly scene: Scene };

/** The inputs of some images: `pixels` [B, 3, S, S] and `targets` [B, ATTRIBUTES]. */
export function attributeInputs(images: readonly LabelledImage[], imageSize: number): Map<string, HostTensor> {
  const [B, A] = [images.length, ATTRIBUTES.length];
  const targets = new Float32Array(B * A);
  images.forEach((e, b) => targets.set(sceneAttributes(e.scene), b * A));
  return new Map([['pixels', stackedPixels(images, imageSize)], ['targets', new HostTensor([B, A], 'f32', targets)]]);
}

/** The batch of step `step`: images in epochs of a seeded order (as pre-training visits them). */
export function attributeBatch(images: readonly LabelledImage[], options: { readonly seed: number; readonly batch: number; readonly imageSize: number }, step: number): Map<string, HostTensor> {
  return attributeInputs(stepItems(options.seed, images.length, options.batch, step).map((i) => images[i]!), options.imageSize);
}
