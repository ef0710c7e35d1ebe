/**
 * Files for the PyTorch peer's `train` command (bench/torch_fiber_pretrain.py): the synthetic
 * corpus's splits as safetensors and FiberTinyPretraining's initial params, as `fiberc train`
 * draws them. The peer runs a recipe at several steps a second on the CPU, so recipes are
 * compared there, on the validation split, before a long fiberc run:
 *
 *   node dist/bench/peer-data.js OUT [--train 4000] [--seed 0]
 *   python3 bench/torch_fiber_pretrain.py train OUT/init.safetensors OUT/train.safetensors OUT/val.safetensors --queue momentum --steps 1400
 *
 * Each split file holds `pixels`, `ids`, `mask` (an image's first caption) and `ids2`, `mask2`
 * (its second), and `layout` (a number per image for its objects' cells and sizes, for the
 * peer's `--layout-groups`), `cells` (per grid cell, which of the 13 attributes its object has:
 * [N, 9 x 13]), and a caption that does not say where the objects are (`gids`, `gmask`: captions.ts's
 * unplacedCaption) with `gcells` [N, TEXT_LENGTH], at each object's shape word its grid cell
 * (row * 3 + col), -1 at every other token: the targets of the peer's `--ground-weight`; and a
 * relation statement (`sids`, `smask`: questions.ts's relationStatement) with `struth` [N], 1 where
 * it holds, 0 where not, -1 where the scene poses none: the peer's `--statement-weight`; and
 * `splaces` [N, 2], the grid cells (row x 3 + col) of the two objects it compares, -1 where
 * none: the peer's `--statement-place-weight`.
 * OUT/test.safetensors is the held-out split `fiberc eval` scores.
 *
 * With `--vqa N`, also the VQA splits as `fiberc train --task vqa` and `fiberc eval --task vqa`
 * draw them (OUT/vqa-train.safetensors from N images, vqa-val and vqa-test from 1,000; fiberc's
 * fine-tuning draws steps x batch images, 36,000 for 4,500 steps of 8, so `--vqa 36000` matches it): each
 * holds its images' `pixels` and one row per question: `image` (its image's row), `ids`, `mask`,
 * `answer` (the class, as src/data/questions.ts's ANSWERS), `type` (QUESTION_TYPES) and `places`
 * (for a relation question the grid cells, row * 3 + col, of the two objects it names; -1 for
 * other types: bench/torch_place_probe.py's targets), for
 *
 *   python3 bench/torch_fiber_vqa.py CKPT OUT/vqa-train.safetensors OUT/vqa-val.safetensors
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CELL_LABELS, sceneCellAttributes } from '../src/data/attributes.js';
import { unplacedCaption } from '../src/data/captions.js';
import { imageTextInputs, stackedPixels, stackedTexts } from '../src/data/pretrain-batch.js';
import { ANSWERS, QUESTION_TYPES, relationStatement, type QuestionType } from '../src/data/questions.js';
import { GRID, SHAPES, type Scene } from '../src/data/scene.js';
import { imageText, syntheticCorpus } from '../src/data/synthetic.js';
import { TextTokenizer } from '../src/data/tokenizer.js';
import { comparedCells } from '../src/data/vqa-batch.js';
import { writeSafetensors } from '../src/fiber/safetensors.js';
import { leafName } from '../src/ir/graph.js';
import { rng } from '../src/ir/init.js';
import { HostTensor } from '../src/ir/tensor.js';
import { fiberEntryGraph } from '../src/train/fiber-entries.js';
import { initialParam } from '../src/train/param-init.js';

/** FiberTiny's input size and `fiberc train`'s text length. */
const [IMAGE_SIZE, TEXT_LENGTH] = [64, 38];

const { positionals, values } = parseArgs({ allowPositionals: true, options: { train: { type: 'string', default: '4000' }, seed: { type: 'string', default: '0' }, vqa: { type: 'string' } } });
const out = positionals[0];
if (!out) {
  process.stderr.write('usage: node dist/bench/peer-data.js OUT [--train 4000] [--seed 0] [--vqa IMAGES]\n');
  process.exit(2);
}
const [train, seed] = [Number(values.train), Number(values.seed)];
mkdirSync(out, { recursive: true });
const tokenizer = TextTokenizer.synthetic();

/** Texts encoded as `ids` and `mask` rows [N, TEXT_LENGTH] (without their images). */
function encodedTexts(texts: readonly string[]): { ids: HostTensor; mask: HostTensor } {
  return stackedTexts(texts.map((text) => tokenizer.encode(text, TEXT_LENGTH)), TEXT_LENGTH);
}
const shapeIds = new Set(SHAPES.map((shape) => tokenizer.encode(shape, 3).ids[1]!));

/**
 * An unplaced caption of each scene (its own generator, so the splits' other draws stay as
 * they were) and, per token, the cell of the object whose shape word it is (-1 elsewhere).
 */
function groundingCaptions(scenes: readonly Scene[], seed: number): { ids: HostTensor; mask: HostTensor; cells: HostTensor } {
  const random = rng(seed + 7919);
  const drawn = scenes.map((scene) => unplacedCaption(scene, random));
  const { ids, mask } = encodedTexts(drawn.map((d) => d.text));
  const cells = new Int32Array(ids.data.length).fill(-1);
  drawn.forEach((d, i) => {
    let k = 0;
    for (let t = 0; t < TEXT_LENGTH; t++) {
      if (shapeIds.has(ids.data[i * TEXT_LENGTH + t]!)) {
        const o = d.objects[k++]!;
        cells[i * TEXT_LENGTH + t] = o.row * GRID + o.col;
      }
    }
    if (k !== d.objects.length) throw new Error(`unplaced caption "${d.text}" holds ${k} shape words for ${d.objects.length} objects`);
  });
  return { ids, mask, cells: new HostTensor(ids.shape, 'i32', cells) };
}

/**
 * A relation statement about each scene that poses one (its own generator, as above) and its
 * truth: 1, 0, or -1 with an empty text where the scene names no two objects apart.
 */
function relationStatements(scenes: readonly Scene[], seed: number): { ids: HostTensor; mask: HostTensor; truth: HostTensor; places: HostTensor } {
  const random = rng(seed + 2 * 7919);
  const drawn = scenes.map((scene) => relationStatement(scene, random));
  const { ids, mask } = encodedTexts(drawn.map((d) => d?.text ?? ''));
  const places = drawn.flatMap((d) => comparedCells(d?.compared));
  return { ids, mask, truth: new HostTensor([scenes.length], 'i32', Int32Array.from(drawn, (d) => (d === undefined ? -1 : d.holds ? 1 : 0))), places: HostTensor.from([scenes.length, 2], places, 'i32') };
}

// Each split drawn alone, as `fiberc train` and `fiberc eval` draw theirs (which images a split
// holds depends on the sizes asked for): 1,000 held-out test images, as many for validation.
const sizes = { train, val: 1000, test: 1000 };
for (const split of ['train', 'val', 'test'] as const) {
  const drawn = syntheticCorpus({ seed, sizes: { train: 0, val: 0, test: 0, [split]: sizes[split] } })[split];
  const examples = drawn.map(imageText);
  const first = imageTextInputs(examples, examples.map((e) => e.captions[0]!), tokenizer, IMAGE_SIZE, TEXT_LENGTH);
  const second = encodedTexts(examples.map((e) => e.captions[1] ?? e.captions[0]!));
  // Each image's layout (its objects' cells and sizes, not their shapes or colours) as a
  // number, for the peer's batches of scenes that differ only in what their objects are.
  const layouts = new Map<string, number>();
  const layoutOf = (e: (typeof drawn)[number]): number => {
    const key = e.scene.objects.map((o) => `${o.row},${o.col},${o.size}`).sort().join(' ');
    if (!layouts.has(key)) layouts.set(key, layouts.size);
    return layouts.get(key)!;
  };
  const layout = new HostTensor([examples.length], 'i32', Int32Array.from(drawn, layoutOf));
  // Per grid cell, which attributes its object has (the image tower's labels): [N, 9 x 13].
  const cells = new Float32Array(drawn.length * CELL_LABELS);
  drawn.forEach((e, i) => cells.set(sceneCellAttributes(e.scene), i * CELL_LABELS));
  const cellLabels = new HostTensor([drawn.length, CELL_LABELS], 'f32', cells);
  const grounding = groundingCaptions(drawn.map((e) => e.scene), seed);
  const statements = relationStatements(drawn.map((e) => e.scene), seed);
  const tensors = new Map([
    ...first,
    ...Object.entries({ ids2: second.ids, mask2: second.mask, layout, cells: cellLabels, gids: grounding.ids, gmask: grounding.mask, gcells: grounding.cells }),
    ...Object.entries({ sids: statements.ids, smask: statements.mask, struth: statements.truth, splaces: statements.places }),
  ]);
  writeSafetensors(join(out, `${split}.safetensors`), tensors);
  process.stdout.write(`${split}: ${examples.length} images\n`);
}
// The batch size does not change any param's shape.
const graph = fiberEntryGraph('FiberTinyPretraining', 2, TEXT_LENGTH);
writeSafetensors(join(out, 'init.safetensors'), new Map(graph.params.map((p) => [leafName(p), initialParam(p, seed, 'fan-in')])));
process.stdout.write(`init: ${graph.params.length} params of FiberTinyPretraining (seed ${seed}, fan-in)\n`);

if (values.vqa !== undefined) {
  const vqaSizes = { train: Number(values.vqa), val: 1000, test: 1000 };
  for (const split of ['train', 'val', 'test'] as const) {
    const examples = syntheticCorpus({ seed, sizes: { train: 0, val: 0, test: 0, [split]: vqaSizes[split] } })[split].map(imageText);
    const rows = examples.flatMap((e, image) => e.questions.map((q) => ({ image, q, places: comparedCells(q.compared) })));
    const questions = encodedTexts(rows.map((r) => r.q.question));
    const column = (f: (r: (typeof rows)[number]) => number): HostTensor => new HostTensor([rows.length], 'i32', Int32Array.from(rows, f));
    writeSafetensors(join(out, `vqa-${split}.safetensors`), new Map([
      ['pixels', stackedPixels(examples, IMAGE_SIZE)], ['ids', questions.ids], ['mask', questions.mask],
      ['image', column((r) => r.image)], ['answer', column((r) => ANSWERS.indexOf(r.q.answer))], ['type', column((r) => QUESTION_TYPES.indexOf(r.q.type as QuestionType))],
      ['places', new HostTensor([rows.length, 2], 'i32', Int32Array.from(rows.flatMap((r) => r.places)))],
    ]));
    process.stdout.write(`vqa-${split}: ${rows.length} questions of ${examples.length} images\n`);
  }
}
