import { join } from 'node:path';
import type { ImageTextExample } from '../data/pretrain-batch.js';
import type { TextTokenizer } from '../data/tokenizer.js';
import { buildGraph } from '../dsl/entry.js';
import { loadProgram } from '../dsl/loader.js';
import { HostTensor } from '../ir/tensor.js';
import { installRoot } from '../paths.js';
import type { Device } from '../runtime/device.js';
import type { Program } from '../runtime/program.js';
import { rerankedRecall, rerankPairs, type Pair } from './rerank.js';
import type { Recall } from './retrieval.js';

/**
 * Image-text retrieval of a pre-trained FIBER over a set of test examples (each image with
 * its first caption): dual-encoder features of every image and text (`<Model>Retrieval`),
 * recall from their cosine similarities, then the top k of each query re-scored by the fused
 * model's ITM logit (`<Model>Matching`), recall again.
 */

export interface RetrievalOptions {
  /** `FiberTiny` or `FiberMicro`: the entries are `<model>Retrieval` and `<model>Matching`. */
  readonly model: string;
  readonly batch: number;
  readonly imageSize: number;
  readonly textLength: number;
  /** Candidates per query re-scored by ITM. */
  readonly k: number;
}

export interface RetrievalResult {
  readonly candidates: number;
  readonly k: number;
  /** Pairs the fused model scored. */
  readonly pairs: number;
  readonly itc: Recall;
  readonly itm: Recall;
}

/** Loads an entry of examples/fiber_pretrain.fib at batch `B` with the trained params it uses. */
async function loadEntry(device: Device, entry: string, B: number, T: number, params: ReadonlyMap<string, HostTensor>): Promise<Program> {
  const graph = buildGraph(loadProgram(join(installRoot('examples/fiber_pretrain.fib'), 'examples', 'fiber_pretrain.fib')), entry, { bindings: { B, T } });
  const names = graph.params.map((p) => (p.op as { name: string }).name);
  const missing = names.filter((n) => !params.has(n));
  if (missing.length > 0) throw new Error(`the checkpoint has no ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` (and ${missing.length - 3} more)` : ''}: was it trained from ${entry.replace(/(Retrieval|Matching)$/, 'Pretraining')}?`);
  const program = await device.load(graph);
  program.setParams(new Map(names.map((n) => [n, params.get(n)!])));
  return program;
}

/** Runs `program` over `count` rows in batches of B (the last one padded with row 0), collecting each output's rows. */
async function batched(program: Program, count: number, B: number, inputs: (rows: number[]) => Map<string, HostTensor>, outputs: readonly string[]): Promise<Map<string, Float32Array[]>> {
  const rows = new Map(outputs.map((o) => [o, [] as Float32Array[]]));
  for (let start = 0; start < count; start += B) {
    const take = [...Array(B).keys()].map((b) => (start + b < count ? start + b : 0));
    await program.run(inputs(take));
    const read = await program.read(outputs);
    for (const o of outputs) {
      const t = read.get(o)!;
      const width = t.data.length / B;
      for (let b = 0; b < B && start + b < count; b++) rows.get(o)!.push(Float32Array.from(t.data.subarray(b * width, (b + 1) * width)));
    }
  }
  return rows;
}

/** The stacked images and first captions of some examples, as an entry's inputs. */
function imageTextInputs(examples: readonly ImageTextExample[], tokenizer: TextTokenizer, options: RetrievalOptions, images: number[], texts: number[]): Map<string, HostTensor> {
  const { imageSize: S, textLength: T } = options;
  const B = images.length;
  const pixels = new Float32Array(B * 3 * S * S);
  const ids = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  images.forEach((i, b) => pixels.set(examples[i]!.image(S), b * 3 * S * S));
  texts.forEach((j, b) => {
    const e = tokenizer.encode(examples[j]!.captions[0]!, T);
    ids.set(e.ids, b * T);
    mask.set(e.mask, b * T);
  });
  return new Map([['pixels', new HostTensor([B, 3, S, S], 'f32', pixels)], ['ids', new HostTensor([B, T], 'i32', ids)], ['mask', new HostTensor([B, T], 'f32', mask)]]);
}

/** Retrieval recall of the trained `params` over `examples`. */
export async function evaluateRetrieval(device: Device, params: ReadonlyMap<string, HostTensor>, examples: readonly ImageTextExample[], tokenizer: TextTokenizer, options: RetrievalOptions): Promise<RetrievalResult> {
  const N = examples.length;
  const { batch: B, textLength: T } = options;
  const dual = await loadEntry(device, `${options.model}Retrieval`, B, T, params);
  const feats = await batched(dual, N, B, (rows) => imageTextInputs(examples, tokenizer, options, rows, rows), ['image_feats', 'text_feats']);
  dual.dispose();
  const [imageFeats, textFeats] = [feats.get('image_feats')!, feats.get('text_feats')!];
  const itc = new Float64Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) itc[i * N + j] = imageFeats[i]!.reduce((s, x, d) => s + x * textFeats[j]![d]!, 0);
  const k = Math.min(options.k, N);
  const pairs: Pair[] = rerankPairs(itc, N, N, k);
  const matching = await loadEntry(device, `${options.model}Matching`, B, T, params);
  const logits = await batched(matching, pairs.length, B, (rows) => imageTextInputs(examples, tokenizer, options, rows.map((r) => pairs[r]!.image), rows.map((r) => pairs[r]!.text)), ['out']);
  matching.dispose();
  // FIBER ranks by the ITM head's positive-class logit.
  const itm = logits.get('out')!.map((l) => l[1]!);
  const recall = rerankedRecall(itc, N, [...Array(N).keys()], k, pairs, itm);
  return { candidates: N, k, pairs: pairs.length, ...recall };
}
