import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderScene } from '../../src/data/render.js';
import { syntheticCorpus } from '../../src/data/synthetic.js';
import { cli } from './run-cli.js';

/**
 * `fiberc train --data coco:DIR` and `fiberc eval` on a folder of image files with caption
 * and question JSON, written here from synthetic scenes (so the synthetic vocabulary covers
 * the words): training and evaluation run end to end, a corrupt image stops the run or is
 * skipped as asked, and an answer outside the classifier's classes is reported.
 */

const dir = mkdtempSync(join(tmpdir(), 'fiberc-coco-cli-'));

/** A scene as an 8-bit PNG file. */
async function writePng(path: string, pixels: Float32Array, size: number): Promise<void> {
  const raw = Buffer.alloc(size * size * 3);
  for (let i = 0; i < size * size; i++) for (let c = 0; c < 3; c++) raw[i * 3 + c] = Math.round(255 * pixels[c * size * size + i]!);
  await sharp(raw, { raw: { width: size, height: size, channels: 3 } }).png().toFile(path);
}

beforeAll(async () => {
  const corpus = syntheticCorpus({ seed: 3, sizes: { train: 6, val: 0, test: 4 } });
  for (const e of [...corpus.train, ...corpus.test]) await writePng(join(dir, `${e.id}.png`), renderScene(e.scene, 48), 48);
  // COCO's format for training, ALBEF's for the test split.
  writeFileSync(join(dir, 'train.json'), JSON.stringify({
    images: corpus.train.map((e, i) => ({ id: i, file_name: `${e.id}.png` })),
    annotations: corpus.train.flatMap((e, i) => e.captions.map((caption) => ({ image_id: i, caption }))),
  }));
  writeFileSync(join(dir, 'test.json'), JSON.stringify(corpus.test.map((e) => ({ image: `${e.id}.png`, caption: e.captions }))));
  const questions = (split: typeof corpus.train): object[] => split.flatMap((e) => e.questions.map((q) => ({ image: `${e.id}.png`, question: q.question, answer: q.answer, type: q.type })));
  writeFileSync(join(dir, 'vqa_train.json'), JSON.stringify(questions(corpus.train)));
  writeFileSync(join(dir, 'vqa_test.json'), JSON.stringify(questions(corpus.test)));
  writeFileSync(join(dir, 'broken.png'), 'not a png');
});

describe('fiberc train and eval on a folder of files', () => {
  const common = ['--model', 'FiberMicro', '--backend', 'cpu', '--batch', '2'];
  const pre = mkdtempSync(join(tmpdir(), 'fiberc-coco-run-'));

  it('pre-train, evaluate retrieval, fine-tune and evaluate VQA', async () => {
    const trained = await cli('train', ...common, '--data', `coco:${dir}`, '--steps', '2', '--out', pre);
    expect(trained.code, trained.err).toBe(0);
    expect(trained.err).toContain(`2 steps of 2 from 6 images of ${join(dir, 'train.json')}`);
    // eval takes the data the checkpoint was trained on: the folder's test.json.
    const retrieval = await cli('eval', '--task', 'retrieval', '--ckpt', pre, '--backend', 'cpu', '--batch', '2', '--k', '2');
    expect(retrieval.code, retrieval.err).toBe(0);
    expect(retrieval.out).toMatch(/retrieval over 4 held-out images and their captions \(\d+ pairs scored by ITM\)/);
    // The folder has no val.json: --split val says which file it looked for.
    const noVal = await cli('eval', '--task', 'retrieval', '--ckpt', pre, '--backend', 'cpu', '--split', 'val');
    expect(noVal.code).toBe(1);
    expect(noVal.err).toContain(`fiberc: error: --data coco:${dir}: no val.json in the folder`);
    const vqa = mkdtempSync(join(tmpdir(), 'fiberc-coco-vqa-'));
    const tuned = await cli('train', ...common, '--data', `coco:${dir}`, '--task', 'vqa', '--init', pre, '--steps', '1', '--out', vqa);
    expect(tuned.code, tuned.err).toBe(0);
    const acc = await cli('eval', '--task', 'vqa', '--ckpt', vqa, '--backend', 'cpu', '--batch', '2');
    expect(acc.code, acc.err).toBe(0);
    expect(acc.out).toMatch(/VQA accuracy over 12 held-out questions: \d+\.\d%/);
    // A run on the folder does not resume on the synthetic corpus (the default, not recorded).
    const other = await cli('train', ...common, '--steps', '3', '--out', pre, '--resume');
    expect(other.code).toBe(1);
    expect(other.err).toContain(`it was trained with data = "coco:${dir}", this run asks for the default`);
  }, 300_000);

  it('stop at a corrupt image, naming the file and entry, or skip it counted', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'fiberc-coco-bad-'));
    const corpus = syntheticCorpus({ seed: 3, sizes: { train: 6, val: 0, test: 0 } });
    writeFileSync(join(bad, 'train.json'), JSON.stringify([
      ...corpus.train.slice(0, 3).map((e) => ({ image: join(dir, `${e.id}.png`), caption: e.captions[0] })),
      { image: join(dir, 'broken.png'), caption: 'a small red circle' },
    ]));
    const out = mkdtempSync(join(tmpdir(), 'fiberc-coco-run-'));
    const stopped = await cli('train', ...common, '--data', `coco:${bad}`, '--steps', '1', '--out', out);
    expect(stopped.code).toBe(1);
    expect(stopped.err).toContain(`fiberc: error: 1 bad entry:\n${join(bad, 'train.json')}: ${join(dir, 'broken.png')}: ${join(dir, 'broken.png')}: Input buffer contains unsupported image format`);
    const skipped = await cli('train', ...common, '--data', `coco:${bad}`, '--bad-data', 'skip', '--steps', '1', '--out', out);
    expect(skipped.code, skipped.err).toBe(0);
    expect(skipped.err).toContain('skipped 1 bad entry:');
    expect(skipped.err).toContain('from 3 images of');
  }, 120_000);

  it('refuse a tokenizer whose ids do not fit the model\'s word embeddings', async () => {
    const vocab = Object.fromEntries(['<s>', '<pad>', '</s>', '<unk>', '<mask>', ...Array.from({ length: 95 }, (_, i) => `w${i}`)].map((t, i) => [t, i]));
    const file = join(dir, 'tokenizer.json');
    writeFileSync(file, JSON.stringify({
      version: '1.0', added_tokens: [], normalizer: null, pre_tokenizer: { type: 'WhitespaceSplit' }, decoder: null,
      post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: false },
      model: { type: 'WordPiece', unk_token: '<unk>', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
    }));
    const r = await cli('train', ...common, '--data', `coco:${dir}`, '--tokenizer', file, '--steps', '1', '--out', mkdtempSync(join(tmpdir(), 'fiberc-coco-tok-')));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--tokenizer: ${file} has 100 tokens, but FiberMicro's word embeddings hold 64`);
  });

  it('report a VQA answer outside the classifier\'s classes', async () => {
    const odd = mkdtempSync(join(tmpdir(), 'fiberc-coco-odd-'));
    const corpus = syntheticCorpus({ seed: 3, sizes: { train: 6, val: 0, test: 0 } });
    writeFileSync(join(odd, 'vqa_train.json'), JSON.stringify([{ image: join(dir, `${corpus.train[0]!.id}.png`), question: 'what is it ?', answer: 'a teapot' }]));
    const r = await cli('train', ...common, '--data', `coco:${odd}`, '--task', 'vqa', '--init', pre, '--steps', '1', '--out', odd);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/1 bad entry:\n.*vqa_train\.json: .*\.png: answer 'a teapot' to 'what is it \?' is not one of the 16 answer classes \(red, /);
  });
});
