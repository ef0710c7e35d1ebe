import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../files.js';
import { evaluateRetrieval, type RetrievalResult } from '../tasks/retrieval-run.js';
import { evaluateVqa, isVqaEntry } from '../tasks/vqa-run.js';
import { writeRunPicture } from '../tasks/picture.js';
import type { VqaAccuracy } from '../tasks/vqa.js';
import { accuracyOnWords, type WordCount } from '../tasks/mlm-accuracy.js';
import { COLOUR_NAMES, SHAPES, SIZES } from '../data/scene.js';
import { CAPTION_WORD_KINDS, type CaptionStyle } from '../data/captions.js';
import type { TopOneErrors } from '../tasks/retrieval-errors.js';
import { captionExamples, parseDataSource, parseOnBad, tokenizerFor, vqaExamples, type HeldOutSplit } from './data-source.js';
import type { BackendName } from '../runtime/device.js';
import { openDevice } from '../runtime/open.js';
import { checkpointAt, isLatestCheckpoint } from '../train/checkpoint.js';
import { fiberEntryGraph, textVocabulary } from '../train/fiber-entries.js';
import { pretrainedModel } from '../train/pretrain.js';
import { questionsCut } from '../data/vqa-batch.js';
import { finiteNumber, positiveInt, UsageError, type CliIO } from './io.js';

/**
 * `fiberc eval`: a trained checkpoint on held-out data, printed and written beside the
 * checkpoint. `--task retrieval`: image-text retrieval over the synthetic test split
 * (dual-encoder recall, then ITM re-ranking of each query's top k; `retrieval.json`).
 * `--task vqa`: a fine-tuned checkpoint's accuracy per question type (`vqa.json`).
 * `--split val` scores the validation split instead (`retrieval-val.json`, `vqa-val.json`),
 * for choosing settings such as `--k` without looking at the test split. A checkpoint other
 * than its run's latest writes `-step-<n>` before `.json`, so checkpoints of one run compare.
 */

export interface EvalFlags {
  task: string;
  ckpt: string;
  backend: BackendName;
  testSize: string;
  k: string;
  itcWeight: string;
  batch: string;
  data?: string;
  badData: string;
  /** One of the choices the CLI offers (src/cli/main.ts), as `backend`. */
  split: HeldOutSplit;
  /** How the synthetic captions retrieval reads place their objects (data/captions.ts); a CLI choice as `split`. */
  captions: CaptionStyle;
}

/** The defaults of retrieval's re-ranking flags (the CLI's too). */
export const RETRIEVAL_DEFAULTS = { k: '8', itcWeight: '1' } as const;

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/**
 * Recall as a small table: rows ITC, ITM re-ranked and ITM + ITC re-ranked, columns R@K in both
 * directions; then MLM accuracy, also split by `shownWords` (words only the image can tell) when given.
 */
export function formatRetrieval(r: RetrievalResult, shownWords?: { readonly what: string; readonly words: readonly string[] }, split: HeldOutSplit = 'test'): string {
  const ks = Object.keys(r.itc.imageToText).map(Number);
  const head = ['', ...ks.map((k) => `i2t R@${k}`), ...ks.map((k) => `t2i R@${k}`)];
  const row = (name: string, x: RetrievalResult['itc']): string[] => [name, ...ks.map((k) => pct(x.imageToText[k]!)), ...ks.map((k) => pct(x.textToImage[k]!))];
  const rows = [head, row('ITC (dual encoder)', r.itc), row(`ITM re-rank of top ${r.k}`, r.itm), row(`ITM + ${r.itcWeight === 1 ? '' : `${r.itcWeight} x `}ITC re-rank of top ${r.k}`, r.itmPlusItc)];
  const widths = head.map((_, c) => Math.max(...rows.map((x) => x[c]!.length)));
  return [
    `retrieval over ${r.candidates} held-out ${heldOut(split)}images and their captions (${r.pairs} pairs scored by ITM)`,
    ...rows.map((x) => x.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')),
    `MLM accuracy on the same captions, read with their images: ${pct(r.mlm.accuracy)} of ${r.mlm.masked} masked tokens`,
    ...(shownWords ? [wordSplit(r, shownWords)] : []),
    ...(r.itcErrors ? ['ITC top-1 misses, by what the retrieved caption says differently:', topOneLine('i2t', r.itcErrors.imageToText, r.candidates), topOneLine('t2i', r.itcErrors.textToImage, r.candidates)] : []),
  ].join('\n');
}

function topOneLine(direction: string, e: TopOneErrors, queries: number): string {
  const share = (n: number): string => pct(e.wrong > 0 ? n / e.wrong : 0);
  const kinds = Object.entries(e.differIn).map(([kind, n]) => `${kind} ${share(n)}`);
  return `  ${direction}: ${e.wrong} of ${queries} queries; differs in ${kinds.join(', ')}; in none of these ${share(e.sameWords)}`;
}

function wordSplit(r: RetrievalResult, shown: { readonly what: string; readonly words: readonly string[] }): string {
  const { on, off } = accuracyOnWords(r.mlm, shown.words);
  const share = (c: WordCount): string => `${pct(c.masked > 0 ? c.right / c.masked : 0)} of ${c.masked}`;
  return `  on words naming ${shown.what}: ${share(on)}; on the other words: ${share(off)}`;
}

/** `validation ` for the validation split; the test split is what "held-out" means unqualified. */
const heldOut = (split: HeldOutSplit): string => (split === 'test' ? '' : 'validation ');

/** VQA accuracy overall and per question type. */
export function formatVqa(a: VqaAccuracy, split: HeldOutSplit = 'test'): string {
  const rows = Object.entries(a.byType).map(([t, x]) => `  ${t.padEnd(9)} ${pct(x.accuracy).padStart(6)}  (${x.count} questions; answered most: ${x.mostPredicted.answer}, ${pct(x.mostPredicted.share)})`);
  const places = a.places ? [`  places    ${pct(a.places.accuracy).padStart(6)}  (the place head's cell for ${a.places.count} compared objects)`] : [];
  return [`VQA accuracy over ${a.count} held-out ${heldOut(split)}questions: ${pct(a.overall)}`, ...rows, ...places].join('\n');
}

/** Runs `fiberc eval`; returns the exit code. */
export async function runEval(flags: EvalFlags, io: CliIO): Promise<number> {
  if (flags.task !== 'retrieval' && flags.task !== 'vqa') throw new UsageError(`--task: 'retrieval' or 'vqa', got '${flags.task}'`);
  if (flags.captions !== 'absolute' && flags.task !== 'retrieval') throw new UsageError('--captions chooses the captions retrieval reads: --task vqa has no use for it');
  const checkpoint = checkpointAt(flags.ckpt);
  const entry = String(checkpoint.config.entry ?? '');
  const pretrained = pretrainedModel(entry);
  if (flags.task === 'vqa' ? !isVqaEntry(entry) : pretrained === undefined) throw new UsageError(`--ckpt: ${checkpoint.path} is a ${entry || 'non-fiberc'} checkpoint; --task ${flags.task} evaluates ${flags.task === 'vqa' ? 'a fiberc train --task vqa' : 'a fiberc train --task pretrain'} checkpoint`);
  const split = flags.split;
  // The test split's results of the run's latest checkpoint are the run's figures (and its
  // picture's); the validation split's, and any earlier checkpoint's, are kept apart.
  // Relative captions are another test than the default's (other scenes, other words): their results are kept apart too.
  const relative = flags.captions === 'relative';
  const suffix = `${relative ? '-relative' : ''}${split === 'test' ? '' : `-${split}`}${isLatestCheckpoint(checkpoint.path) ? '' : `-step-${checkpoint.step}`}`;
  const resultFile = (task: string): string => join(dirname(checkpoint.path), `${task}${suffix}.json`);
  // Re-ranking settings mean nothing to VQA: asking for them there is a mistake worth saying.
  if (flags.task === 'vqa' && (flags.k !== RETRIEVAL_DEFAULTS.k || flags.itcWeight !== RETRIEVAL_DEFAULTS.itcWeight)) throw new UsageError('--k and --itc-weight set how retrieval re-ranks; --task vqa has no use for them');
  const [testSize, k, batch] = [positiveInt('--test-size', flags.testSize), positiveInt('--k', flags.k), positiveInt('--batch', flags.batch)];
  const itcWeight = finiteNumber('--itc-weight', flags.itcWeight);
  if (itcWeight < 0) throw new UsageError(`--itc-weight: a number >= 0, got '${flags.itcWeight}'`);
  const seed = Number(checkpoint.config.seed ?? 0);
  const [imageSize, textLength] = [Number(checkpoint.config.imageSize), Number(checkpoint.config.textLength)];
  // The data the checkpoint was trained on, unless --data says otherwise; its tokenizer alike.
  const trainedOn = typeof checkpoint.config.data === 'string' ? checkpoint.config.data : 'synthetic';
  const source = parseDataSource(flags.data ?? trainedOn);
  const tokenizerFile = source.kind === 'files' && typeof checkpoint.config.tokenizer === 'string' ? checkpoint.config.tokenizer : undefined;
  const tokenizer = tokenizerFor(tokenizerFile, entry, textVocabulary(fiberEntryGraph(entry, 2, textLength)));
  if (relative && source.kind !== 'synthetic') throw new UsageError('--captions relative chooses how the synthetic captions place their objects: it goes with --data synthetic');
  const request = { seed, size: testSize, imageSize, onBad: parseOnBad(flags.badData), ...(relative ? { captions: flags.captions } : {}) };
  const device = await openDevice(flags.backend);
  try {
    if (flags.task === 'vqa') {
      const { items } = await vqaExamples(source, split, request, io);
      const cut = questionsCut(items, tokenizer, textLength);
      if (cut > 0) io.err(`${cut} of the ${items.length} questions are longer than the ${textLength} token positions the model was fine-tuned with: they are cut to fit (fine-tune with a larger --text-length to read them whole)`);
      const acc = await evaluateVqa(device, entry, checkpoint.tensors, items, tokenizer, { batch, imageSize, textLength });
      io.out(formatVqa(acc, split));
      const out = resultFile('vqa');
      writeFileAtomic(out, `${JSON.stringify({ checkpoint: checkpoint.path, step: checkpoint.step, split, ...acc }, null, 2)}\n`, 'writing');
      io.out(`written to ${out}; picture ${writeRunPicture(dirname(checkpoint.path))}`);
      return 0;
    }
    const { examples } = await captionExamples(source, split, request, io);
    if (relative) io.out('captions placed relatively (--captions relative): the scenes of a relative corpus, some objects said by their offset from the one before');
    const result = await evaluateRetrieval(device, checkpoint.tensors, examples, tokenizer, {
      model: pretrained!, batch, imageSize, textLength, k, itcWeight, seed,
      ...(source.kind === 'synthetic' ? { wordKinds: CAPTION_WORD_KINDS } : {}),
    });
    // In the synthetic corpus's captions, what only the image tells is each object's colour, shape and size.
    io.out(formatRetrieval(result, source.kind === 'synthetic' ? { what: 'colours, shapes and sizes', words: [...COLOUR_NAMES, ...SHAPES, ...SIZES] } : undefined, split));
    const out = resultFile('retrieval');
    writeFileAtomic(out, `${JSON.stringify({ checkpoint: checkpoint.path, step: checkpoint.step, split, ...result }, null, 2)}\n`, 'writing');
    io.out(`written to ${out}; picture ${writeRunPicture(dirname(checkpoint.path))}`);
  } finally {
    device.dispose();
  }
  return 0;
}
