import { attributeBatch, type LabelledImage } from '../data/attributes.js';
import type { RunConfig, RunTask } from './train-run.js';

/**
 * The image tower's own pre-training (examples/fiber_pretrain.fib, FiberImageTower): the Swin
 * alone learns to name the colour, shape and size of the object in each cell of a scene's grid
 * (data/attributes.ts), as FIBER's starts from a Swin pre-trained on ImageNet. The entry declares the whole model so
 * that its names are FiberPretraining's; only what its loss reaches is trained (the tower and
 * its classifier), and `fiberc train --init` starts coarse pre-training from that tower.
 */
export function imageTowerTask(config: RunConfig, images: readonly LabelledImage[]): RunTask {
  const options = { seed: config.seed, batch: config.batch, imageSize: config.imageSize };
  return { losses: ['loss'], batch: (step) => attributeBatch(images, options, step) };
}
