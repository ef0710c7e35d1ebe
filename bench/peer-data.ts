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
 * (its second); OUT/test.safetensors is the held-out split `fiberc eval` scores.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { imageTextInputs } from '../src/data/pretrain-batch.js';
import { imageText, syntheticCorpus } from '../src/data/synthetic.js';
import { TextTokenizer } from '../src/data/tokenizer.js';
import { writeSafetensors } from '../src/fiber/safetensors.js';
import { leafName } from '../src/ir/graph.js';
import { HostTensor } from '../src/ir/tensor.js';
import { fiberEntryGraph } from '../src/train/fiber-entries.js';
import { initialParam } from '../src/train/param-init.js';

/** FiberTiny's input size and `fiberc train`'s text length. */
const [IMAGE_SIZE, TEXT_LENGTH] = [64, 38];

const { positionals, values } = parseArgs({ allowPositionals: true, options: { train: { type: 'string', default: '4000' }, seed: { type: 'string', default: '0' } } });
const out = positionals[0];
if (!out) {
  process.stderr.write('usage: node dist/bench/peer-data.js OUT [--train 4000] [--seed 0]\n');
  process.exit(2);
}
const [train, seed] = [Number(values.train), Number(values.seed)];
mkdirSync(out, { recursive: true });
const tokenizer = TextTokenizer.synthetic();
// Each split drawn alone, as `fiberc train` and `fiberc eval` draw theirs (which images a split
// holds depends on the sizes asked for): 1,000 held-out test images, as many for validation.
const sizes = { train, val: 1000, test: 1000 };
for (const split of ['train', 'val', 'test'] as const) {
  const examples = syntheticCorpus({ seed, sizes: { train: 0, val: 0, test: 0, [split]: sizes[split] } })[split].map(imageText);
  const first = imageTextInputs(examples, examples.map((e) => e.captions[0]!), tokenizer, IMAGE_SIZE, TEXT_LENGTH);
  const ids2 = new Int32Array(examples.length * TEXT_LENGTH);
  const mask2 = new Float32Array(examples.length * TEXT_LENGTH);
  examples.forEach((e, i) => {
    const encoded = tokenizer.encode(e.captions[1] ?? e.captions[0]!, TEXT_LENGTH);
    ids2.set(encoded.ids, i * TEXT_LENGTH);
    mask2.set(encoded.mask, i * TEXT_LENGTH);
  });
  const tensors = new Map([...first, ['ids2', new HostTensor([examples.length, TEXT_LENGTH], 'i32', ids2)], ['mask2', new HostTensor([examples.length, TEXT_LENGTH], 'f32', mask2)]]);
  writeSafetensors(join(out, `${split}.safetensors`), tensors);
  process.stdout.write(`${split}: ${examples.length} images\n`);
}
// The batch size does not change any param's shape.
const graph = fiberEntryGraph('FiberTinyPretraining', 2, TEXT_LENGTH);
writeSafetensors(join(out, 'init.safetensors'), new Map(graph.params.map((p) => [leafName(p), initialParam(p, seed, 'fan-in')])));
process.stdout.write(`init: ${graph.params.length} params of FiberTinyPretraining (seed ${seed}, fan-in)\n`);
