import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';
import { readCheckpoint, writeCheckpoint } from '../../src/train/checkpoint.js';
import { maxAbsDifference } from '../../src/ir/compare.js';
import { syntheticCorpus } from '../../src/data/synthetic.js';
import { TextTokenizer } from '../../src/data/tokenizer.js';

describe('fiberc train', () => {
  it('trains into a run folder, resumes from its checkpoint, and refuses a resume with another configuration', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fiberc-train-'));
    const flags = ['--model', 'FiberMicro', '--backend', 'cpu', '--batch', '4', '--train-size', '24', '--checkpoint-every', '2', '--out', out];
    const first = await cli('train', ...flags, '--steps', '2', '--warmup', '0.5');
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/step 2\/2: loss \d+\.\d+ \(itc \d+\.\d+ mlm \d+\.\d+ itm \d+\.\d+\), \d+\.\d+ examples\/s/);
    expect(first.out).toContain(`metrics in ${out}/metrics.jsonl`);
    expect(readdirSync(out).sort()).toEqual(['latest', 'metrics.jsonl', 'run.svg', 'step-0000002.safetensors']);
    // Extended with the same warmup fraction (0.5: 1 step of 2, 2 of 3): the checkpoint's 1 step is kept.
    const more = await cli('train', ...flags, '--steps', '3', '--warmup', '0.5', '--resume');
    expect(more.code, more.err).toBe(0);
    expect(more.err).toContain('resuming at step 3');
    expect(more.err).toContain("keeping the checkpoint's warmup of 1 steps (this run's steps, 3, differ from its 2)");
    expect(readCheckpoint(join(out, 'step-0000003.safetensors')).config.warmup).toBe(1);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step)).toEqual([1, 2, 3]);
    const other = await cli('train', ...flags.map((f) => (f === '4' ? '2' : f)), '--steps', '4', '--resume');
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/fiberc: error: cannot resume .*step-0000003\.safetensors: it was trained with batch = 4, this run asks for 2/);
    // The cross-modal multiple is recorded apart from the heads'; a checkpoint from before it
    // was recorded scaled cross-modal params by the heads' multiple, and resumes as such.
    const { tensors, config } = readCheckpoint(join(out, 'step-0000003.safetensors'));
    expect([config.headLrScale, config.crossModalLrScale]).toEqual([5, 5]);
    const cross = await cli('train', ...flags, '--steps', '4', '--resume', '--cross-modal-lr-scale', '3');
    expect(cross.code).toBe(1);
    expect(cross.err).toMatch(/cannot resume .*: it was trained with crossModalLrScale = 5, this run asks for 3/);
    const older = Object.fromEntries(Object.entries(config).filter(([key]) => key !== 'crossModalLrScale'));
    writeCheckpoint(out, 3, tensors, { ...older, headLrScale: 3 });
    const legacy = await cli('train', ...flags, '--steps', '4', '--resume', '--head-lr-scale', '3', '--cross-modal-lr-scale', '3');
    expect(legacy.code, legacy.err).toBe(0);
    expect(readCheckpoint(join(out, 'step-0000004.safetensors')).config).toMatchObject({ headLrScale: 3, crossModalLrScale: 3 });
  }, 120_000);

  it('records --mlm-focus in the checkpoint and resumes only with the same focus; a missing words file stops the run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fiberc-train-'));
    const flags = ['--model', 'FiberMicro', '--backend', 'cpu', '--batch', '2', '--checkpoint-every', '1', '--out', out];
    const focused = await cli('train', ...flags, '--steps', '1', '--mlm-focus', 'attributes', '--mlm-probability', '0', '--mlm-focus-probability', '0.5');
    expect(focused.code, focused.err).toBe(0);
    expect(focused.err).toMatch(/step 1\/1: loss [\d.]+ \(itc [\d.]+ mlm [1-9][\d.]* itm [\d.]+\)/);
    const { config } = readCheckpoint(join(out, 'step-0000001.safetensors'));
    expect([config.mlmFocus, config.mlmProbability, config.mlmFocusProbability]).toEqual(['attributes', 0, 0.5]);
    const oneFocusWord = await cli('train', ...flags, '--steps', '2', '--resume', '--mlm-focus', 'attributes', '--mlm-probability', '0');
    expect(oneFocusWord.code).toBe(1);
    expect(oneFocusWord.err).toMatch(/cannot resume .*: it was trained with mlmFocusProbability = 0\.5, this run asks for the default/);
    const plain = await cli('train', ...flags, '--steps', '2', '--resume', '--mlm-probability', '0');
    expect(plain.code).toBe(2);
    const unfocused = await cli('train', ...flags, '--steps', '2', '--resume');
    expect(unfocused.code).toBe(1);
    expect(unfocused.err).toMatch(/cannot resume .*: it was trained with mlmFocus = "attributes", this run asks for the default/);
    const missing = await cli('train', ...flags, '--steps', '1', '--mlm-focus', '/no/such/words.txt', '--out', mkdtempSync(join(tmpdir(), 'fiberc-train-')));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('fiberc: error: --mlm-focus /no/such/words.txt: no such file');
  }, 60_000);

  it('records --captions relative in the checkpoint and resumes only with it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fiberc-train-'));
    const flags = ['--model', 'FiberMicro', '--backend', 'cpu', '--batch', '2', '--checkpoint-every', '1', '--out', out];
    const relative = await cli('train', ...flags, '--steps', '1', '--captions', 'relative');
    expect(relative.code, relative.err).toBe(0);
    expect(readCheckpoint(join(out, 'step-0000001.safetensors')).config.captions).toBe('relative');
    const absolute = await cli('train', ...flags, '--steps', '2', '--resume');
    expect(absolute.code).toBe(1);
    expect(absolute.err).toMatch(/cannot resume .*: it was trained with captions = "relative", this run asks for the default/);
  }, 60_000);

  it('trains on a new image for every example by default, and a resumed run keeps the images it started on', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fiberc-train-'));
    const flags = ['--model', 'FiberMicro', '--backend', 'cpu', '--batch', '2', '--checkpoint-every', '1', '--out', out];
    const first = await cli('train', ...flags, '--steps', '2');
    expect(first.code, first.err).toBe(0);
    expect(first.err).toContain('2 steps of 2 from 4 synthetic images');
    expect(readCheckpoint(join(out, 'step-0000002.safetensors')).config.trainSize).toBe(4);
    const more = await cli('train', ...flags, '--steps', '3', '--resume');
    expect(more.code, more.err).toBe(0);
    expect(more.err).toContain("keeping the checkpoint's 4 training images (this run's steps would take 6)");
    expect(readCheckpoint(join(out, 'step-0000003.safetensors')).config.trainSize).toBe(4);
    const other = await cli('train', ...flags, '--steps', '4', '--train-size', '10', '--resume');
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/cannot resume .*step-0000003\.safetensors: it was trained with trainSize = 4, this run asks for 10/);
  }, 120_000);

  it('starts the fusion gates at --alpha-init and records it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fiberc-train-'));
    const r = await cli('train', '--model', 'FiberMicro', '--backend', 'cpu', '--batch', '2', '--steps', '1', '--lr', '1e-12', '--warmup', '0', '--alpha-init', '0.5', '--out', out);
    expect(r.code, r.err).toBe(0);
    const saved = readCheckpoint(join(out, 'step-0000001.safetensors'));
    expect(saved.config.alphaInit).toBe(0.5);
    const gates = [...saved.tensors].filter(([name]) => /^model\..*\.alpha$/.test(name));
    expect(gates.map(([name]) => name).sort()).toEqual(['model.image.layers.1.blocks.0.alpha', 'model.text.layer.1.alpha']);
    for (const [name, t] of gates) expect(Math.abs(t.data[0]! - 0.5), name).toBeLessThan(1e-6);
  }, 120_000);

  it('pre-trains with in-batch ITC by default, or with the queue and the momentum encoder (--itc queue); eval takes either', async () => {
    const common = ['--model', 'FiberMicro', '--backend', 'cpu', '--batch', '4', '--train-size', '16', '--steps', '2'];
    for (const [itc, entry] of [['batch', 'FiberMicroPretrainingInBatch'], ['queue', 'FiberMicroPretraining']] as const) {
      const out = mkdtempSync(join(tmpdir(), 'fiberc-train-'));
      const r = await cli('train', ...common, '--itc', itc, '--out', out);
      expect(r.code, r.err).toBe(0);
      const saved = readCheckpoint(join(out, 'step-0000002.safetensors'));
      expect(saved.config.entry).toBe(entry);
      const names = [...saved.tensors.keys()];
      expect(names.includes('text_queue'), itc).toBe(itc === 'queue');
      expect(names.includes('momentum.cross_modal_text_pooler_itc.dense.weight'), itc).toBe(itc === 'queue');
      const e = await cli('eval', '--task', 'retrieval', '--ckpt', out, '--backend', 'cpu', '--test-size', '4', '--k', '2', '--batch', '4');
      expect(e.code, e.err).toBe(0);
      expect(e.out).toContain('retrieval over 4 held-out images');
    }
  }, 120_000);

  it('pre-trains with the place objective on relation statements (--itc queue --place-weight), whose head VQA fine-tuning with it takes over', async () => {
    const common = ['--model', 'FiberMicro', '--backend', 'cpu', '--batch', '4', '--train-size', '16', '--steps', '2'];
    const out = mkdtempSync(join(tmpdir(), 'fiberc-train-'));
    const r = await cli('train', ...common, '--itc', 'queue', '--place-weight', '1.5', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('training FiberMicroPretrainingGrounded');
    const saved = readCheckpoint(join(out, 'step-0000002.safetensors'));
    expect(saved.config).toEqual(expect.objectContaining({ entry: 'FiberMicroPretrainingGrounded', placeWeight: 1.5 }));
    expect(saved.tensors.has('optimizer.m.relplace_head.weight')).toBe(true);
    const logged = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    for (const m of logged) expect(['loss', 'itc', 'mlm', 'itm', 'place_loss'].every((k) => Number.isFinite(m[k]))).toBe(true);
    // The loss is the four summed with the weight (FiberPretrainingGrounded's forward).
    expect(logged[0]!.loss).toBeCloseTo(logged[0]!.itc! + logged[0]!.mlm! + logged[0]!.itm! + 1.5 * logged[0]!.place_loss!, 4);
    const e = await cli('eval', '--task', 'retrieval', '--ckpt', out, '--backend', 'cpu', '--test-size', '4', '--k', '2', '--batch', '4');
    expect(e.code, e.err).toBe(0);
    expect(e.out).toContain('retrieval over 4 held-out images');
    // VQA with the objective starts its place head from pre-training's (only the classifier is new).
    const vqa = mkdtempSync(join(tmpdir(), 'fiberc-vqa-'));
    const v = await cli('train', ...common, '--task', 'vqa', '--init', out, '--steps', '1', '--lr', '1e-12', '--place-weight', '1', '--out', vqa);
    expect(v.code, v.err).toBe(0);
    const head = readCheckpoint(join(vqa, 'step-0000001.safetensors')).tensors.get('relplace_head.weight')!;
    expect(maxAbsDifference(head, saved.tensors.get('relplace_head.weight')!)).toBeLessThan(1e-6);
  }, 120_000);

  it('accumulates the gradients of several batches into one step (--accumulate), and resumes only with the same number', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fiberc-train-'));
    const flags = ['--model', 'FiberMicro', '--backend', 'cpu', '--batch', '2', '--train-size', '16', '--checkpoint-every', '1', '--out', out];
    const r = await cli('train', ...flags, '--accumulate', '2', '--steps', '2');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('2 steps of 4 (2 batches of 2, gradients averaged)');
    const saved = readCheckpoint(join(out, 'step-0000002.safetensors'));
    expect(saved.config.accumulate).toBe(2);
    // Checkpoints fall between steps, where the sums have just been applied and cleared.
    const sums = [...saved.tensors].filter(([name]) => name.startsWith('optimizer.grad_sum.'));
    expect(sums.length).toBeGreaterThan(10);
    for (const [name, t] of sums) expect(Math.max(...t.data.map(Math.abs)), name).toBe(0);
    const other = await cli('train', ...flags, '--steps', '3', '--resume');
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/cannot resume .*: it was trained with accumulate = 2, this run asks for the default/);
  }, 120_000);

  it('pre-trains the image tower alone (--stage image), and coarse pre-training starts from what it trained (--init)', async () => {
    const tower = mkdtempSync(join(tmpdir(), 'fiberc-train-'));
    const common = ['--model', 'FiberMicro', '--backend', 'cpu', '--train-size', '8', '--steps', '2', '--warmup', '0'];
    const image = await cli('train', ...common, '--stage', 'image', '--batch', '4', '--lr', '0.01', '--out', tower);
    expect(image.code, image.err).toBe(0);
    expect(image.err).toContain('training FiberMicroImageTower');
    expect(image.err).toContain('labelled, per grid cell, with the colour, shape and size of the object there');
    const saved = readCheckpoint(join(tower, 'step-0000002.safetensors'));
    // The tower and its classifier are trained; the text tower is saved as drawn, with no optimizer state.
    expect(saved.tensors.has('optimizer.m.model.image.patch_embed.proj.weight')).toBe(true);
    expect(saved.tensors.has('optimizer.m.image_classifier.weight')).toBe(true);
    expect(saved.tensors.has('model.text.embeddings.word_embeddings.weight')).toBe(true);
    expect([...saved.tensors.keys()].some((n) => n.startsWith('optimizer.') && n.includes('.model.text.'))).toBe(false);
    const out = mkdtempSync(join(tmpdir(), 'fiberc-train-'));
    const coarse = await cli('train', ...common, '--batch', '2', '--lr', '1e-12', '--init', tower, '--checkpoint-every', '1', '--out', out);
    expect(coarse.code, coarse.err).toBe(0);
    expect(coarse.err).toMatch(/starting from .*: the \d+ params its run trained/);
    const first = readCheckpoint(join(out, 'step-0000001.safetensors')).tensors;
    // At lr 1e-12 a step leaves the params as they started: the tower's, not the seed's draw.
    const name = 'model.image.patch_embed.proj.weight';
    expect(maxAbsDifference(first.get(name)!, saved.tensors.get(name)!)).toBeLessThan(1e-6);
    // A tower trained further starts from the tower, its classifier included.
    const further = mkdtempSync(join(tmpdir(), 'fiberc-train-'));
    const again = await cli('train', ...common, '--stage', 'image', '--batch', '4', '--lr', '1e-12', '--init', tower, '--seed', '1', '--checkpoint-every', '1', '--out', further);
    expect(again.code, again.err).toBe(0);
    expect(again.err).toMatch(/starting from .*: the \d+ params its run trained/);
    const continued = readCheckpoint(join(further, 'step-0000001.safetensors')).tensors;
    for (const n of [name, 'image_classifier.weight']) expect(maxAbsDifference(continued.get(n)!, saved.tensors.get(n)!), n).toBeLessThan(1e-6);
    const wrong = await cli('train', ...common, '--stage', 'image', '--task', 'vqa', '--init', tower, '--out', out);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('--stage image pre-trains the image tower: it takes no --task vqa');
  }, 120_000);

  it('names the flag of a bad value', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fiberc-train-'));
    const cases: [string[], RegExp][] = [
      [['--steps', '0'], /--steps takes a positive integer, got '0'/],
      [['--batch', '1'], /--batch: ITM draws its negatives from the batch, so it needs 2 or more/],
      [['--data', 'coco:/no/such/folder'], /--data: \/no\/such\/folder is not a folder/],
      [['--data', 'imagenet'], /--data: 'synthetic' or 'coco:DIR', got 'imagenet'/],
      [['--tokenizer', 'tokenizer.json'], /--tokenizer: the synthetic corpus has its own vocabulary/],
      [['--text-length', '60'], /--text-length: FiberTiny takes 2 to 38 tokens, got 60/],
      [['--warmup', '1.5'], /--warmup is the fraction of steps spent warming up, in \[0, 1\)/],
      [['--itc', 'memory'], /--itc: batch or queue, got 'memory'/],
      [['--accumulate', '0'], /--accumulate takes a positive integer, got '0'/],
      [['--alpha-init', 'half'], /--alpha-init takes a number, got 'half'/],
      [['--stage', 'image', '--mlm-focus', 'attributes'], /--mlm-focus chooses the words MLM masks: it goes with coarse pre-training, not --stage image/],
      [['--stage', 'image', '--captions', 'relative'], /--captions chooses how the synthetic captions place their objects: it goes with coarse pre-training on --data synthetic/],
      [['--captions', 'sideways'], /--captions.*sideways/],
      [['--mlm-probability', '0'], /--mlm-probability 0 masks nothing: give --mlm-focus to mask only its words/],
      [['--mlm-probability', '1.5', '--mlm-focus', 'attributes'], /--mlm-probability is the chance of each token to be masked, in \[0, 1\), got '1\.5'/],
      [['--mlm-focus-probability', '0.5'], /--mlm-focus-probability: give --mlm-focus, the words it masks/],
      [['--mlm-focus-probability', '0', '--mlm-focus', 'attributes'], /--mlm-focus-probability is the chance of each focus word to be masked, in \(0, 1\], got '0'/],
      [['--task', 'vqa', '--init', out, '--mlm-focus-probability', '0.5'], /--mlm-focus-probability chooses the words MLM masks: it goes with coarse pre-training, not --task vqa/],
      [['--place-weight', '2'], /--place-weight in coarse pre-training is built on FiberPretraining: it goes with --itc queue/],
      [['--stage', 'image', '--place-weight', '2'], /--place-weight weighs an objective of the fused path: it goes with coarse pre-training or --task vqa, not --stage image/],
      [['--task', 'vqa', '--init', out, '--place-weight', 'none'], /--place-weight/],
      [['--task', 'vqa', '--init', out, '--place-weight', '2', '--data', `coco:${out}`], /--place-weight names the grid cells of the objects a synthetic relation question or statement compares: it goes with --data synthetic/],
      [['--itc', 'queue', '--place-weight', '2', '--data', `coco:${out}`], /--place-weight names the grid cells .* it goes with --data synthetic/],
      [['--task', 'vqa', '--init', out, '--read-places'], /--read-places lets the VQA classifier read the place head that --place-weight trains: it goes with --task vqa and --place-weight/],
      [['--itc', 'queue', '--place-weight', '2', '--read-places'], /--read-places .* it goes with --task vqa and --place-weight/],
      [['--task', 'vqa', '--init', out, '--place-weight', '2', '--read-relation'], /--read-relation adds the relation asked to what --read-places lets the classifier read: give --read-places too/],
      [['--opening-steps', '10'], /--opening-steps chooses the question types of VQA fine-tuning's first steps: it goes with --task vqa/],
      [['--task', 'vqa', '--init', out, '--steps', '10', '--opening-steps', '10'], /--opening-steps: the opening is the first part of the run's 10 steps, got 10/],
      [['--task', 'vqa', '--init', out, '--opening-types', 'relation'], /--opening-types: give --opening-steps, how many of the first steps draw only those types/],
      [['--task', 'vqa', '--init', out, '--opening-steps', '2', '--opening-types', 'relation,'], /--opening-types: comma-separated question types, got 'relation,'/],
    ];
    for (const [flags, message] of cases) {
      const r = await cli('train', '--out', out, '--backend', 'cpu', ...flags);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
    }
  });

  it('fine-tunes for VQA from a pre-trained run: the backbone starts from its checkpoint, the classifier is new; eval reports accuracy per question type', async () => {
    const pre = mkdtempSync(join(tmpdir(), 'fiberc-train-'));
    const vqa = mkdtempSync(join(tmpdir(), 'fiberc-vqa-'));
    const common = ['--model', 'FiberMicro', '--backend', 'cpu', '--batch', '4', '--train-size', '16'];
    expect((await cli('train', ...common, '--steps', '2', '--out', pre)).code).toBe(0);
    const missing = await cli('train', ...common, '--task', 'vqa', '--out', vqa);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--task vqa fine-tunes a pre-trained model: give its run folder or checkpoint with --init');
    // A learning rate too small to move anything: the saved params are the ones it started from.
    const tuned = await cli('train', ...common, '--task', 'vqa', '--init', pre, '--steps', '1', '--lr', '1e-12', '--warmup', '0', '--out', vqa);
    expect(tuned.code, tuned.err).toBe(0);
    expect(tuned.err).toMatch(/step 1\/1: loss \d+\.\d+, /);
    const saved = readCheckpoint(join(pre, 'step-0000002.safetensors'));
    const tunedCheckpoint = readCheckpoint(join(vqa, 'step-0000001.safetensors'));
    const [before, after] = [saved.tensors, tunedCheckpoint.tensors];
    // FIBER's multiples: the new classifier at 50x the lr when fine-tuning for VQA (5x in pre-training).
    expect([saved.config.headLrScale, tunedCheckpoint.config]).toEqual([5, expect.objectContaining({ headLrScale: 50, crossModalLrScale: 5 })]);
    for (const name of ['model.text.layer.1.crossattention.query.weight', 'model.image.layers.1.blocks.0.alpha', 'cross_modal_image_pooler.dense.weight']) {
      expect(maxAbsDifference(after.get(name)!, before.get(name)!), name).toBeLessThan(1e-6);
    }
    expect(after.has('vqa_classifier.out.weight')).toBe(true);
    expect(before.has('vqa_classifier.out.weight')).toBe(false);
    // Its text length is the longest training question's (the step computes no padding beyond
    // it): the 16 images' questions, read here from the corpus itself.
    const tokenizer = TextTokenizer.synthetic();
    const questions = syntheticCorpus({ seed: 0, sizes: { train: 16, val: 0, test: 0 } }).train.flatMap((e) => e.questions.map((q) => q.question));
    const longest = Math.max(...questions.map((q) => tokenizer.encode(q, 38).length));
    expect(longest).toBeLessThan(20);
    expect(tunedCheckpoint.config.textLength).toBe(longest);
    expect(tuned.err).toContain(`(each in ${longest} token positions)`);
    // A resumed run keeps its checkpoint's length (runs from before the default took 38).
    writeCheckpoint(vqa, 1, after, { ...tunedCheckpoint.config, textLength: 38 });
    const resumed = await cli('train', ...common, '--task', 'vqa', '--init', pre, '--steps', '2', '--lr', '1e-12', '--warmup', '0', '--out', vqa, '--resume');
    expect(resumed.code, resumed.err).toBe(0);
    expect(readCheckpoint(join(vqa, 'step-0000002.safetensors')).config.textLength).toBe(38);
    // Held-out questions longer than the fine-tuned length are said to be cut.
    const short = mkdtempSync(join(tmpdir(), 'fiberc-vqa-'));
    expect((await cli('train', ...common, '--task', 'vqa', '--init', pre, '--steps', '1', '--text-length', '8', '--out', short)).code).toBe(0);
    const cut = await cli('eval', '--task', 'vqa', '--ckpt', short, '--backend', 'cpu', '--test-size', '4', '--batch', '4');
    expect(cut.code, cut.err).toBe(0);
    expect(cut.err).toMatch(/\d+ of the 12 questions are longer than the 8 token positions the model was fine-tuned with: they are cut to fit/);
    // A checkpoint of another model version (one without the position embedding) stops the run
    // before anything is drawn or written, naming what it lacks.
    const older = mkdtempSync(join(tmpdir(), 'fiberc-older-'));
    const lacking = new Map([...before].filter(([n]) => n !== 'model.image.absolute_pos_embed'));
    writeCheckpoint(older, 2, lacking, saved.config);
    const stale = mkdtempSync(join(tmpdir(), 'fiberc-vqa-'));
    const refused = await cli('train', ...common, '--task', 'vqa', '--init', older, '--steps', '1', '--out', stale);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/fiberc: error: .*step-0000002\.safetensors lacks model\.image\.absolute_pos_embed: this run takes every param but the new head from it/);
    expect(readdirSync(stale)).toEqual([]);
    const r = await cli('eval', '--task', 'vqa', '--ckpt', vqa, '--backend', 'cpu', '--test-size', '4', '--batch', '4');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/VQA accuracy over 12 held-out questions: \d+\.\d%/);
    for (const t of ['color', 'shape', 'count', 'exists', 'relation']) expect(r.out).toMatch(new RegExp(`  ${t} +\\d+\\.\\d%`));
    const wrong = await cli('eval', '--task', 'retrieval', '--ckpt', vqa, '--backend', 'cpu');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/is a FiberMicroVQA checkpoint; --task retrieval evaluates a fiberc train --task pretrain checkpoint/);
    const reranking = await cli('eval', '--task', 'vqa', '--ckpt', vqa, '--backend', 'cpu', '--itc-weight', '20');
    expect(reranking.code).toBe(2);
    expect(reranking.err).toContain('--k and --itc-weight set how retrieval re-ranks; --task vqa has no use for them');
    // The validation split's questions, written apart from the test split's vqa.json.
    const val = await cli('eval', '--task', 'vqa', '--ckpt', vqa, '--backend', 'cpu', '--test-size', '4', '--batch', '4', '--split', 'val');
    expect(val.code, val.err).toBe(0);
    expect(val.out).toMatch(/VQA accuracy over 12 held-out validation questions: \d+\.\d%/);
    expect(val.out).toContain(`written to ${join(vqa, 'vqa-val.json')}`);
    // With the place objective: FiberVQAGrounded, its head drawn beside the classifier, its loss
    // logged apart; eval reads the answers as from any VQA run.
    const grounded = mkdtempSync(join(tmpdir(), 'fiberc-vqa-'));
    const placed = await cli('train', ...common, '--task', 'vqa', '--init', pre, '--steps', '1', '--place-weight', '2', '--out', grounded);
    expect(placed.code, placed.err).toBe(0);
    const placedCheckpoint = readCheckpoint(join(grounded, 'step-0000001.safetensors'));
    expect(placedCheckpoint.config).toEqual(expect.objectContaining({ entry: 'FiberMicroVQAGrounded', placeWeight: 2 }));
    expect(['relplace_head.weight', 'vqa_classifier.out.weight'].every((n) => placedCheckpoint.tensors.has(n))).toBe(true);
    expect(JSON.parse(readFileSync(join(grounded, 'metrics.jsonl'), 'utf8').split('\n')[0]!)).toHaveProperty('place_loss');
    const placedEval = await cli('eval', '--task', 'vqa', '--ckpt', grounded, '--backend', 'cpu', '--test-size', '4', '--batch', '4');
    expect(placedEval.code, placedEval.err).toBe(0);
    expect(placedEval.out).toMatch(/VQA accuracy over 12 held-out questions: \d+\.\d%/);
    // Its place head is scored too: both objects of each relation question.
    const relationRows = placedEval.out.match(/  relation +\d+\.\d% +\((\d+) questions/);
    expect(placedEval.out).toMatch(new RegExp(`  places +\\d+\\.\\d% +\\(the place head's cell for ${2 * Number(relationRows?.[1] ?? 0)} compared objects\\)`));
    // --read-places: FiberVQAPlaceReader, whose classifier is wider by the two cell distributions.
    const reader = mkdtempSync(join(tmpdir(), 'fiberc-vqa-'));
    const reading = await cli('train', ...common, '--task', 'vqa', '--init', pre, '--steps', '1', '--place-weight', '2', '--read-places', '--out', reader);
    expect(reading.code, reading.err).toBe(0);
    const readerCheckpoint = readCheckpoint(join(reader, 'step-0000001.safetensors'));
    expect(readerCheckpoint.config).toEqual(expect.objectContaining({ entry: 'FiberMicroVQAPlaceReader', placeWeight: 2 }));
    expect(readerCheckpoint.tensors.get('vqa_classifier.dense.weight')!.shape).toEqual([32 + 18, 32 + 18]);
    const readerEval = await cli('eval', '--task', 'vqa', '--ckpt', reader, '--backend', 'cpu', '--test-size', '4', '--batch', '4');
    expect(readerEval.code, readerEval.err).toBe(0);
    expect(readerEval.out).toMatch(/VQA accuracy over 12 held-out questions: \d+\.\d%/);
    // --read-relation as well: FiberVQARelationReader, a relation head drawn beside the place head.
    const relationReader = mkdtempSync(join(tmpdir(), 'fiberc-vqa-'));
    const relating = await cli('train', ...common, '--task', 'vqa', '--init', pre, '--steps', '1', '--place-weight', '2', '--read-places', '--read-relation', '--out', relationReader);
    expect(relating.code, relating.err).toBe(0);
    const relationCheckpoint = readCheckpoint(join(relationReader, 'step-0000001.safetensors'));
    expect(relationCheckpoint.config).toEqual(expect.objectContaining({ entry: 'FiberMicroVQARelationReader' }));
    expect(relationCheckpoint.tensors.get('relword_head.weight')!.shape).toEqual([4, 32]);
    const relationEval = await cli('eval', '--task', 'vqa', '--ckpt', relationReader, '--backend', 'cpu', '--test-size', '4', '--batch', '4');
    expect(relationEval.code, relationEval.err).toBe(0);
    // An opening phase of relation questions: recorded in the run's configuration; a type no
    // training question has is refused once the questions are read, naming those there are.
    const opened = mkdtempSync(join(tmpdir(), 'fiberc-vqa-'));
    const opening = await cli('train', ...common, '--task', 'vqa', '--init', pre, '--steps', '2', '--place-weight', '2', '--opening-steps', '1', '--out', opened);
    expect(opening.code, opening.err).toBe(0);
    expect(readCheckpoint(join(opened, 'step-0000002.safetensors')).config).toEqual(expect.objectContaining({ opening: { steps: 1, types: ['relation'] } }));
    const unknown = await cli('train', ...common, '--task', 'vqa', '--init', pre, '--steps', '2', '--opening-steps', '1', '--opening-types', 'relation,weather', '--out', mkdtempSync(join(tmpdir(), 'fiberc-vqa-')));
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/--opening-types: no training question is of type 'weather' \(the training questions' types: .*relation/);
  }, 120_000);
});
