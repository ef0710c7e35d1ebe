import { HostTensor } from '../ir/tensor.js';
import { relationStatement } from './questions.js';
import type { Scene } from './scene.js';
import { stackedTexts, streamRandom } from './pretrain-batch.js';
import type { TextTokenizer } from './tokenizer.js';
import { comparedCells } from './vqa-batch.js';

/**
 * The grounded pre-training step's extra inputs (examples/fiber_pretrain.fib,
 * FiberPretrainingGrounded): for each image of a batch, a relation statement about its scene
 * ("the red circle is above the blue square", questions.ts's relationStatement) and the grid
 * cells of the two objects it compares.
 */

/**
 * `statement_ids`, `statement_mask` [B, T] and `places` [B, 2] (row * GRID + col of each compared
 * object) for the scenes of step `step`'s images. Each step draws its statements afresh from its
 * own seeded stream, so an image seen twice is asked about other pairs, and a resumed run draws
 * what an uninterrupted one would. A scene with no two objects told apart by colour and shape
 * gets an empty statement and places -1, -1 (the objective leaves its row out).
 */
export function statementInputs(scenes: readonly Scene[], tokenizer: TextTokenizer, textLength: number, seed: number, step: number): Map<string, HostTensor> {
  const random = streamRandom(seed, 'statement', step);
  const drawn = scenes.map((scene) => relationStatement(scene, random));
  const { ids, mask } = stackedTexts(drawn.map((d) => tokenizer.encode(d?.text ?? '', textLength)), textLength);
  return new Map([
    ['statement_ids', ids],
    ['statement_mask', mask],
    ['places', HostTensor.from([scenes.length, 2], drawn.flatMap((d) => comparedCells(d?.compared)), 'i32')],
  ]);
}
