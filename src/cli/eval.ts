import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../files.js';
import { imageText, syntheticCorpus } from '../data/synthetic.js';
import { TextTokenizer } from '../data/tokenizer.js';
import { evaluateRetrieval, type RetrievalResult } from '../eval/retrieval-run.js';
import type { BackendName } from '../runtime/device.js';
import { openDevice } from '../runtime/open.js';
import { readCheckpoint, readLatestCheckpoint, type Checkpoint } from '../train/checkpoint.js';
import { UsageError, type CliIO } from './io.js';

/**
 * `fiberc eval`: a trained checkpoint on held-out data. `--task retrieval`: image-text
 * retrieval over the synthetic test split (dual-encoder recall, then ITM re-ranking of each
 * query's top k), printed and written to `retrieval.json` beside the checkpoint.
 */

export interface EvalFlags {
  task: string;
  ckpt: string;
  backend: BackendName;
  testSize: string;
  k: string;
  batch: string;
}

/** A checkpoint file, or a run folder's latest. */
function checkpointAt(path: string): Checkpoint {
  if (existsSync(path) && statSync(path).isDirectory()) {
    const latest = readLatestCheckpoint(path);
    if (!latest) throw new UsageError(`--ckpt: ${path} has no checkpoint yet`);
    return latest;
  }
  return readCheckpoint(path);
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** Recall as a small table: rows ITC and ITC+ITM, columns R@K in both directions. */
export function formatRetrieval(r: RetrievalResult): string {
  const ks = Object.keys(r.itc.imageToText).map(Number);
  const head = ['', ...ks.map((k) => `i2t R@${k}`), ...ks.map((k) => `t2i R@${k}`)];
  const row = (name: string, x: RetrievalResult['itc']): string[] => [name, ...ks.map((k) => pct(x.imageToText[k]!)), ...ks.map((k) => pct(x.textToImage[k]!))];
  const rows = [head, row('ITC (dual encoder)', r.itc), row(`ITM re-rank of top ${r.k}`, r.itm)];
  const widths = head.map((_, c) => Math.max(...rows.map((x) => x[c]!.length)));
  return [`retrieval over ${r.candidates} held-out images and their captions (${r.pairs} pairs scored by ITM)`, ...rows.map((x) => x.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))].join('\n');
}

/** Runs `fiberc eval`; returns the exit code. */
export async function runEval(flags: EvalFlags, io: CliIO): Promise<number> {
  if (flags.task !== 'retrieval') throw new UsageError(`--task: only 'retrieval' is built so far, got '${flags.task}'`);
  const checkpoint = checkpointAt(flags.ckpt);
  const entry = String(checkpoint.config.entry ?? '');
  if (!entry.endsWith('Pretraining')) throw new UsageError(`--ckpt: ${checkpoint.path} was not written by fiberc train (its entry is '${entry}')`);
  const testSize = Number(flags.testSize);
  const [k, batch] = [Number(flags.k), Number(flags.batch)];
  for (const [flag, v] of [['--test-size', testSize], ['--k', k], ['--batch', batch]] as const) if (!Number.isInteger(v) || v <= 0) throw new UsageError(`${flag} takes a positive integer`);
  const seed = Number(checkpoint.config.seed ?? 0);
  const test = syntheticCorpus({ seed, sizes: { train: 0, val: 0, test: testSize } }).test.map(imageText);
  const device = await openDevice(flags.backend);
  try {
    const result = await evaluateRetrieval(device, checkpoint.tensors, test, TextTokenizer.synthetic(), {
      model: entry.replace(/Pretraining$/, ''), batch, imageSize: Number(checkpoint.config.imageSize), textLength: Number(checkpoint.config.textLength), k,
    });
    io.out(formatRetrieval(result));
    const out = join(dirname(checkpoint.path), 'retrieval.json');
    writeFileAtomic(out, `${JSON.stringify({ checkpoint: checkpoint.path, step: checkpoint.step, ...result }, null, 2)}\n`, 'writing');
    io.out(`written to ${out}`);
  } finally {
    device.dispose();
  }
  return 0;
}
