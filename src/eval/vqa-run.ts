import { join } from 'node:path';
import type { TextTokenizer } from '../data/tokenizer.js';
import { vqaInputs, type VqaItem } from '../data/vqa-batch.js';
import { buildGraph } from '../dsl/entry.js';
import { loadProgram } from '../dsl/loader.js';
import type { HostTensor } from '../ir/tensor.js';
import { installRoot } from '../paths.js';
import type { Device } from '../runtime/device.js';
import { predictedAnswers, vqaAccuracy, type VqaAccuracy } from './vqa.js';

/** VQA accuracy of a fine-tuned `<model>VQA` checkpoint over held-out (image, question) items. */
export async function evaluateVqa(device: Device, entry: string, params: ReadonlyMap<string, HostTensor>, items: readonly VqaItem[], tokenizer: TextTokenizer, options: { readonly batch: number; readonly imageSize: number; readonly textLength: number }): Promise<VqaAccuracy> {
  const { batch: B, imageSize, textLength: T } = options;
  const graph = buildGraph(loadProgram(join(installRoot('examples/fiber_pretrain.fib'), 'examples', 'fiber_pretrain.fib')), entry, { bindings: { B, T } });
  const names = graph.params.map((p) => (p.op as { name: string }).name);
  const missing = names.filter((n) => !params.has(n));
  if (missing.length > 0) throw new Error(`the checkpoint has no ${missing.slice(0, 3).join(', ')}: was it fine-tuned as ${entry}?`);
  const program = await device.load(graph);
  program.setParams(new Map(names.map((n) => [n, params.get(n)!])));
  const predicted: number[] = [];
  try {
    for (let start = 0; start < items.length; start += B) {
      const rows = [...Array(B).keys()].map((b) => items[Math.min(start + b, items.length - 1)]!);
      await program.run(vqaInputs(rows, tokenizer, imageSize, T));
      const logits = (await program.read(['logits'])).get('logits')!;
      predicted.push(...predictedAnswers(logits.data, B).slice(0, Math.min(B, items.length - start)));
    }
  } finally {
    program.dispose();
  }
  return vqaAccuracy(predicted, items.map((i) => i.question));
}
