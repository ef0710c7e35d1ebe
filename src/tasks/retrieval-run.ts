import { imageTextInputs, type ImageTextExample } from '../data/pretrain-batch.js';
import type { TextTokenizer } from '../data/tokenizer.js';
import type { HostTensor } from '../ir/tensor.js';
import type { Device } from '../runtime/device.js';
import type { Program } from '../runtime/program.js';
import { fiberEntryGraph, loadTrained, runInBatches } from '../train/fiber-entries.js';
import { rerankedRecall, rerankPairs, type Pair } from './rerank.js';
import { evaluateMlm, type MlmAccuracy } from './mlm-accuracy.js';
import type { Recall } from './retrieval.js';
import { retrievalErrors, type RetrievalErrors, type WordKind } from './retrieval-errors.js';

/**
 * Image-text retrieval of a pre-trained FIBER over a set of test examples (each image with
 * its first caption): dual-encoder features of every image and text (`<Model>Retrieval`),
 * recall from their cosine similarities, then the top k of each query re-scored by the fused
 * model's ITM logit (`<Model>Matching`), recall again, by that logit alone (FIBER) and plus the
 * ITC similarity (ALBEF); and MLM accuracy on the same captions.
 */

export interface RetrievalOptions {
  /** `FiberTiny` or `FiberMicro`: the entries are `<model>Retrieval` and `<model>Matching`. */
  readonly model: string;
  readonly batch: number;
  readonly imageSize: number;
  readonly textLength: number;
  /** Candidates per query re-scored by ITM. */
  readonly k: number;
  /** Weight of the ITC similarity added to the ITM logit in the `itmPlusItc` ranking (ALBEF: 1). */
  readonly itcWeight?: number;
  /** Seeds which caption tokens MLM accuracy masks. */
  readonly seed: number;
  /** Kinds of caption word to break ITC's top-1 misses down by (retrieval-errors.ts); none: no breakdown. */
  readonly wordKinds?: readonly WordKind[];
}

export interface RetrievalResult {
  readonly candidates: number;
  readonly k: number;
  /** Weight of the ITC similarity in `itmPlusItc`. */
  readonly itcWeight: number;
  /** Pairs the fused model scored. */
  readonly pairs: number;
  readonly itc: Recall;
  /** The top k re-ranked by the ITM logit alone (FIBER). */
  readonly itm: Recall;
  /** The top k re-ranked by the ITM logit plus `itcWeight` times the ITC cosine similarity (ALBEF's sum at weight 1). */
  readonly itmPlusItc: Recall;
  /** MLM accuracy on the same captions, read with their images (mlm-accuracy.ts). */
  readonly mlm: MlmAccuracy;
  /** ITC's top-1 misses by how the retrieved caption differs (when word kinds were given). */
  readonly itcErrors?: RetrievalErrors;
}

/** Retrieval recall of the trained `params` over `examples`. */
export async function evaluateRetrieval(device: Device, params: ReadonlyMap<string, HostTensor>, examples: readonly ImageTextExample[], tokenizer: TextTokenizer, options: RetrievalOptions): Promise<RetrievalResult> {
  const N = examples.length;
  const { batch: B, textLength: T } = options;
  const inputs = (images: number[], texts: number[]): Map<string, HostTensor> => imageTextInputs(images.map((i) => examples[i]!), texts.map((j) => examples[j]!.captions[0]!), tokenizer, options.imageSize, T);
  const load = (entry: string): Promise<Program> => loadTrained(device, fiberEntryGraph(entry, B, T), params, `${options.model}Pretraining`);
  const dual = await load(`${options.model}Retrieval`);
  const feats = await runInBatches(dual, N, B, (rows) => inputs(rows, rows), ['image_feats', 'text_feats']);
  dual.dispose();
  const [imageFeats, textFeats] = [feats.get('image_feats')!, feats.get('text_feats')!];
  const itc = new Float64Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) itc[i * N + j] = imageFeats[i]!.reduce((s, x, d) => s + x * textFeats[j]![d]!, 0);
  const k = Math.min(options.k, N);
  const pairs: Pair[] = rerankPairs(itc, N, N, k);
  const matching = await load(`${options.model}Matching`);
  const logits = await runInBatches(matching, pairs.length, B, (rows) => inputs(rows.map((r) => pairs[r]!.image), rows.map((r) => pairs[r]!.text)), ['out']);
  matching.dispose();
  // FIBER ranks by the ITM head's positive-class logit.
  const itm = logits.get('out')!.map((l) => l[1]!);
  const itcWeight = options.itcWeight ?? 1;
  const recall = rerankedRecall(itc, N, [...Array(N).keys()], k, pairs, itm, { itcWeight });
  const mlm = await evaluateMlm(device, params, examples, tokenizer, options);
  const itcErrors = options.wordKinds ? retrievalErrors(itc, examples.map((e) => e.captions[0]!), options.wordKinds) : undefined;
  return { candidates: N, k, itcWeight, pairs: pairs.length, ...recall, mlm, ...(itcErrors ? { itcErrors } : {}) };
}
