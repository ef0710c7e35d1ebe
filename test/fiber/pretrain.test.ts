import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleInputs } from '../../src/cli/sample-inputs.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import { maxAbsDifference } from '../../src/ir/compare.js';
import { randomTensor } from '../../src/ir/gradcheck.js';
import { interpret } from '../../src/ir/interpret.js';
import { HostTensor } from '../../src/ir/tensor.js';
import { prepareFeeds } from '../../src/runtime/feeds.js';
import { ANSWERS } from '../../src/data/questions.js';

/**
 * examples/fiber_pretrain.fib on the interpreter: the dual-encoder path is the fused backbone
 * with its gates at 0, the negative sampler inverts each row's distribution, and the three
 * losses start where they should.
 */

const examples = resolve(__dirname, '../../examples');

/** A program importing fiber_pretrain.fib with the given entries. */
function program(body: string): ReturnType<typeof loadProgram> {
  const dir = mkdtempSync(join(tmpdir(), 'fiberc-pretrain-'));
  writeFileSync(join(dir, 'main.fib'), `import "fiber_pretrain.fib"\n${body}`);
  return loadProgram(join(dir, 'main.fib'), undefined, [examples]);
}

describe('FIBER pre-training heads and objectives', () => {
  it('the dual-encoder path equals the fused backbone with its gates at 0, and differs from it with gates at 0.5', () => {
    const p = program(`
module DualCheck() {
  let p = FiberTinyPretraining()
  forward(pixels: f32[B, 3, 64, 64], ids: i32[B, T], mask: f32[B, T]) -> (alone_image: tensor, fused_image: tensor, alone_text: tensor, fused_text: tensor) batch B {
    let (fi, ft) = p.model(pixels, ids, mask)
    return (image_alone(p.model, pixels), p.model.image.norm(fi), text_alone(p.model, ids, mask), p.model.text.layer[5].output.LayerNorm(ft))
  }
}`);
    const graph = buildGraph(p, 'DualCheck', { bindings: { B: 2, T: 8 } });
    const gates = (value: number): Map<string, HostTensor> => new Map(graph.params.flatMap((n) => {
      const name = (n.op as { name: string }).name;
      return name.endsWith('.alpha') ? [[name, HostTensor.from([], [value])] as const] : [];
    }));
    const run = (alpha: number): Map<string, HostTensor> => interpret(graph, prepareFeeds(graph, sampleInputs(graph, 1), gates(alpha), 0));
    const off = run(0);
    expect(maxAbsDifference(off.get('alone_image')!, off.get('fused_image')!)).toBeLessThan(1e-12);
    expect(maxAbsDifference(off.get('alone_text')!, off.get('fused_text')!)).toBeLessThan(1e-12);
    const on = run(0.5);
    expect(maxAbsDifference(on.get('alone_image')!, on.get('fused_image')!)).toBeGreaterThan(1e-3);
    expect(maxAbsDifference(on.get('alone_text')!, on.get('fused_text')!)).toBeGreaterThan(1e-3);
  });

  it('the fused layers on each tower computed once below fusion and gathered equal the backbone on the gathered inputs', () => {
    // The pre-training step computes the layers below fusion once per image and text and
    // gathers them into its 4B pairs; this is the property that makes that exact.
    const graph = buildGraph(program(`
module ShareCheck() {
  let p = FiberTinyPretraining()
  forward(pixels: f32[B, 3, 64, 64], ids: i32[B, T], mask: f32[B, T], pick: i32[P]) -> (shared_image: tensor, whole_image: tensor, shared_text: tensor, whole_text: tensor) batch B {
    let m = p.model
    let (wi, wt) = m(gather(pixels, pick), gather(ids, pick), gather(mask, pick))
    let (si, st) = fused_layers(m.image, m.text, m.depths, m.text_layers, m.fuse, gather(image_low(m, pixels), pick), gather(text_low(m, ids, mask), pick), gather(mask, pick))
    return (si, wi, st, wt)
  }
}`), 'ShareCheck', { bindings: { B: 2, T: 8, P: 3 } });
    const gates = new Map(graph.params.flatMap((n) => {
      const name = (n.op as { name: string }).name;
      return name.endsWith('.alpha') ? [[name, HostTensor.from([], [0.5])] as const] : [];
    }));
    const inputs = sampleInputs(graph, 1);
    inputs.set('pick', HostTensor.from([3], [1, 0, 1], 'i32'));
    const out = interpret(graph, prepareFeeds(graph, inputs, gates, 0));
    expect(maxAbsDifference(out.get('shared_image')!, out.get('whole_image')!)).toBeLessThan(1e-12);
    expect(maxAbsDifference(out.get('shared_text')!, out.get('whole_text')!)).toBeLessThan(1e-12);
    // The picked rows are other images: rows 0 and 1 differ, rows 0 and 2 (both image 1) agree.
    const image = out.get('whole_image')!.data;
    const row = image.length / 3;
    const rowGap = (a: number, b: number): number => Math.max(...Array.from({ length: row }, (_, i) => Math.abs(image[a * row + i]! - image[b * row + i]!)));
    expect(rowGap(0, 1)).toBeGreaterThan(1e-3);
    expect(rowGap(0, 2)).toBe(0);
  });

  it('draws each negative by inverting its row\'s cumulative distribution', () => {
    const graph = buildGraph(program(`
module Draw() {
  forward(w: f32[N, K], u: f32[N]) -> i32[N] {
    return sample_rows(w, u)
  }
}`), 'Draw', { bindings: { N: 5, K: 4 } });
    // Row weights (unnormalized) and where u falls in their cumulative distribution.
    const w = HostTensor.from([5, 4], [1, 1, 1, 1, 0, 2, 0, 2, 0, 0, 3, 0, 1, 0, 0, 0, 1, 1, 1, 1]);
    const u = HostTensor.from([5], [0.3, 0.6, 0.01, 0.99, 0.9999999]);
    const drawn = interpret(graph, new Map([['w', w], ['u', u]])).get('out')!;
    // 0.3 of a uniform row: index 1; 0.6 of [0, .5, .5, 1]: index 3 (never a zero-weight one);
    // a single non-zero weight is always drawn; u near 1 stays inside the row.
    expect(Array.from(drawn.data)).toEqual([1, 3, 2, 0, 3]);
  });

  it('starts with MLM near ln(vocab), ITM near ln 2, ITC over the batch and queue, and queues that take the momentum encoder features of the batch first', () => {
    const graph = buildGraph(loadProgram(join(examples, 'fiber_pretrain.fib')), 'FiberTinyPretraining', { bindings: { B: 4, T: 8 } });
    const [B, T] = [4, 8];
    const ids = HostTensor.from([B, T], Array.from({ length: B * T }, (_, i) => (i % T === 0 ? 0 : i % T === T - 1 ? 2 : 5 + ((i * 7) % 40))), 'i32');
    const labels = HostTensor.from([B, T], Array.from({ length: B * T }, (_, i) => (i % 3 === 1 ? ids.data[i]! : -100)), 'i32');
    const masked = HostTensor.from([B, T], Array.from(ids.data, (v, i) => (labels.data[i]! >= 0 ? 4 : v)), 'i32');
    const inputs = new Map([
      ['pixels', randomTensor([B, 3, 64, 64], 2)], ['ids', ids], ['mask', HostTensor.from([B, T], new Array(B * T).fill(1))],
      ['mlm_ids', masked], ['mlm_labels', labels], ['draws', HostTensor.from([2, B], [0.1, 0.4, 0.6, 0.9, 0.2, 0.5, 0.7, 0.95])],
    ]);
    const feeds = prepareFeeds(graph, inputs, new Map(), 0);
    const out = interpret(graph, feeds);
    const scalar = (n: string): number => out.get(n)!.data[0]!;
    expect(scalar('loss')).toBeCloseTo(scalar('itc') + scalar('mlm') + scalar('itm'), 10);
    expect(Math.abs(scalar('mlm') - Math.log(64))).toBeLessThan(0.3);
    expect(Math.abs(scalar('itm') - Math.log(2))).toBeLessThan(0.1);
    // ITC scores each example against B + 64 candidates at temperature 0.07: at random it is about ln(B + 64).
    expect(scalar('itc')).toBeGreaterThan(1);
    expect(Number.isFinite(scalar('itc'))).toBe(true);
    for (const side of ['image', 'text']) {
      const next = out.get(`${side}_queue_next`)!;
      const old = feeds.get(`${side}_queue`)!;
      for (let r = 0; r < B; r++) {
        const row = Array.from(next.data.slice(r * 32, (r + 1) * 32));
        expect(Math.hypot(...row)).toBeCloseTo(1, 9);
      }
      expect(Array.from(next.data.slice(B * 32))).toEqual(Array.from(old.data.slice(0, (64 - B) * 32)));
    }
    // The rows the queues take are the momentum encoder's features: FiberTinyRetrieval run on
    // the `momentum.*` params (drawn apart from the online ones here) gives them.
    const retrieval = buildGraph(loadProgram(join(examples, 'fiber_pretrain.fib')), 'FiberTinyRetrieval', { bindings: { B, T } });
    const momentum = new Map(retrieval.params.map((p) => [(p.op as { name: string }).name, feeds.get(`momentum.${(p.op as { name: string }).name}`)!]));
    const keys = interpret(retrieval, new Map([...momentum, ...['pixels', 'ids', 'mask'].map((n) => [n, feeds.get(n)!] as const)]));
    for (const side of ['image', 'text']) {
      const rows = out.get(`${side}_queue_next`)!.data.slice(0, B * 32);
      expect(maxAbsDifference(HostTensor.from([B, 32], Array.from(rows)), keys.get(`${side}_feats`)!), side).toBeLessThan(1e-9);
    }
  });

  it('the retrieval, matching and VQA entries name their params as pre-training does, so its checkpoints load into them', () => {
    const p = loadProgram(join(examples, 'fiber_pretrain.fib'));
    const names = (entry: string): string[] => buildGraph(p, entry, { bindings: { B: 2, T: 8 } }).params.map((n) => (n.op as { name: string }).name);
    const trained = new Set(names('FiberMicroPretraining'));
    for (const entry of ['FiberMicroRetrieval', 'FiberMicroMatching', 'FiberMicroVQA']) {
      const own = names(entry).filter((n) => !trained.has(n));
      expect(own, entry).toEqual(entry.endsWith('VQA') ? ['vqa_classifier.dense.weight', 'vqa_classifier.dense.bias', 'vqa_classifier.norm.weight', 'vqa_classifier.norm.bias', 'vqa_classifier.out.weight', 'vqa_classifier.out.bias'] : []);
    }
  });

  it('FiberVQAGrounded is FiberVQA plus a place head: its loss adds place_weight times the cross-entropy of the named objects\' cells over 2B', () => {
    const program = loadProgram(join(examples, 'fiber_pretrain.fib'));
    const [B, T, C] = [3, 8, 9];
    const plain = buildGraph(program, 'FiberMicroVQA', { bindings: { B, T } });
    const grounded = buildGraph(program, 'FiberMicroVQAGrounded', { bindings: { B, T } });
    const names = (g: typeof plain): string[] => g.params.map((n) => (n.op as { name: string }).name);
    expect(names(grounded).filter((n) => !names(plain).includes(n))).toEqual(['relplace_head.weight', 'relplace_head.bias']);
    const targets = HostTensor.zeros([B, ANSWERS.length]);
    [2, 9, 15].forEach((a, b) => (targets.data[b * ANSWERS.length + a] = 1));
    const inputs = new Map([['pixels', randomTensor([B, 3, 32, 32], 5)], ['ids', HostTensor.from([B, T], Array.from({ length: B * T }, (_, i) => 5 + (i % 40)), 'i32')], ['mask', HostTensor.from([B, T], new Array(B * T).fill(1))], ['targets', targets]]);
    // The place head's logits are its bias alone, so the objective has a value to check by hand.
    const bias = Array.from({ length: 2 * C }, (_, i) => Math.sin(i + 1));
    const head = new Map([['relplace_head.weight', HostTensor.zeros([2 * C, 32])], ['relplace_head.bias', HostTensor.from([2 * C], bias)]]);
    // FiberVQAGrounded reads `relation` only with relations > 0 (FiberVQARelationReader).
    const feeds = prepareFeeds(grounded, new Map([...inputs, ['places', HostTensor.from([B, 2], [3, 5, -1, -1, -1, -1], 'i32')], ['relation', HostTensor.from([B], [2, -1, -1], 'i32')], ['place_weight', HostTensor.from([], [2.5])]]), head, 0);
    const out = interpret(grounded, feeds);
    const nll = (logits: number[], label: number): number => Math.log(logits.reduce((s, x) => s + Math.exp(x), 0)) - logits[label]!;
    const want = (nll(bias.slice(0, C), 3) + nll(bias.slice(C), 5)) / (2 * B);
    expect(Math.abs(out.get('place_loss')!.data[0]! - want)).toBeLessThan(1e-9);
    // The answers' loss is FiberVQA's for the same params.
    const shared = new Map(names(plain).map((n) => [n, feeds.get(n)!]));
    const answers = interpret(plain, prepareFeeds(plain, inputs, shared, 0)).get('loss')!.data[0]!;
    expect(Math.abs(out.get('loss')!.data[0]! - (answers + 2.5 * want))).toBeLessThan(1e-9);
    // No relation question in the batch: no place loss.
    const none = interpret(grounded, new Map([...feeds, ['places', HostTensor.from([B, 2], new Array(2 * B).fill(-1), 'i32')]]));
    expect(none.get('place_loss')!.data[0]).toBe(0);
  });

  it('FiberVQAPlaceReader\'s classifier reads the place head\'s two cell distributions after fused_cls\'s features', () => {
    const [B, T, C, H] = [3, 8, 9, 32];
    const p = program(`
module HeadCheck() {
  let h = VQAHead(${H + 2 * C}, 16)
  forward(x: f32[B, ${H + 2 * C}]) -> f32[B, 16] batch B {
    return h(x)
  }
}`);
    const reader = buildGraph(p, 'FiberMicroVQAPlaceReader', { bindings: { B, T } });
    const grounded = buildGraph(p, 'FiberMicroVQAGrounded', { bindings: { B, T } });
    const shapes = (g: typeof reader): Map<string, number[]> => new Map(g.params.map((n) => [(n.op as { name: string }).name, n.shape.map(Number)]));
    expect([...shapes(reader).keys()]).toEqual([...shapes(grounded).keys()]);
    expect(shapes(reader).get('vqa_classifier.dense.weight')).toEqual([H + 2 * C, H + 2 * C]);
    // The place head's logits are its bias alone and the classifier ignores fused_cls's columns,
    // so every row's answers are the classifier on [0 ; softmax(first cells) ; softmax(second)].
    const bias = Array.from({ length: 2 * C }, (_, i) => Math.sin(3 * i + 1));
    const dense = randomTensor([H + 2 * C, H + 2 * C], 4);
    for (let o = 0; o < H + 2 * C; o++) for (let i = 0; i < H; i++) dense.data[o * (H + 2 * C) + i] = 0;
    const classifier = new Map([['dense.weight', dense], ['dense.bias', randomTensor([H + 2 * C], 5)], ['norm.weight', randomTensor([H + 2 * C], 6)], ['norm.bias', randomTensor([H + 2 * C], 7)], ['out.weight', randomTensor([16, H + 2 * C], 8)], ['out.bias', randomTensor([16], 9)]]);
    const params = new Map([['relplace_head.weight', HostTensor.zeros([2 * C, H])], ['relplace_head.bias', HostTensor.from([2 * C], bias)], ...[...classifier].map(([n, t]) => [`vqa_classifier.${n}`, t] as const)]);
    const inputs = new Map([
      ['pixels', randomTensor([B, 3, 32, 32], 5)], ['ids', HostTensor.from([B, T], Array.from({ length: B * T }, (_, i) => 5 + (i % 40)), 'i32')], ['mask', HostTensor.from([B, T], new Array(B * T).fill(1))],
      ['targets', HostTensor.zeros([B, ANSWERS.length])], ['places', HostTensor.from([B, 2], new Array(2 * B).fill(-1), 'i32')], ['relation', HostTensor.from([B], new Array(B).fill(-1), 'i32')], ['place_weight', HostTensor.from([], [0])],
    ]);
    const logits = interpret(reader, prepareFeeds(reader, inputs, params, 0)).get('logits')!;
    const softmax = (xs: number[]): number[] => xs.map((x) => Math.exp(x) / xs.reduce((s, y) => s + Math.exp(y), 0));
    const read = [...new Array(H).fill(0), ...softmax(bias.slice(0, C)), ...softmax(bias.slice(C))];
    const head = buildGraph(p, 'HeadCheck', { bindings: { B: 1 } });
    const want = interpret(head, prepareFeeds(head, new Map([['x', HostTensor.from([1, H + 2 * C], read)]]), new Map([...classifier].map(([n, t]) => [`h.${n}`, t])), 0)).get('out')!;
    for (let b = 0; b < B; b++) expect(maxAbsDifference(HostTensor.from([1, 16], Array.from(logits.data.slice(b * 16, (b + 1) * 16))), want), `row ${b}`).toBeLessThan(1e-12);
  });

  it('FiberVQARelationReader also names the relation asked: its place_loss adds that cross-entropy over 2B, and its classifier reads the relation\'s distribution last', () => {
    const [B, T, C, R, H] = [3, 8, 9, 4, 32];
    const p = program(`
module HeadCheck() {
  let h = VQAHead(${H + 2 * C + R}, 16)
  forward(x: f32[B, ${H + 2 * C + R}]) -> f32[B, 16] batch B {
    return h(x)
  }
}`);
    const reader = buildGraph(p, 'FiberMicroVQARelationReader', { bindings: { B, T } });
    const names = (g: typeof reader): string[] => g.params.map((n) => (n.op as { name: string }).name);
    expect(names(reader).filter((n) => !names(buildGraph(p, 'FiberMicroVQAPlaceReader', { bindings: { B, T } })).includes(n))).toEqual(['relword_head.weight', 'relword_head.bias']);
    // Both heads' logits are their biases alone; the classifier ignores fused_cls's columns.
    const placeBias = Array.from({ length: 2 * C }, (_, i) => Math.sin(3 * i + 1));
    const relationBias = [0.3, -0.2, 0.9, 0.1];
    const width = H + 2 * C + R;
    const dense = randomTensor([width, width], 4);
    for (let o = 0; o < width; o++) for (let i = 0; i < H; i++) dense.data[o * width + i] = 0;
    const classifier = new Map([['dense.weight', dense], ['dense.bias', randomTensor([width], 5)], ['norm.weight', randomTensor([width], 6)], ['norm.bias', randomTensor([width], 7)], ['out.weight', randomTensor([16, width], 8)], ['out.bias', randomTensor([16], 9)]]);
    const params = new Map([
      ['relplace_head.weight', HostTensor.zeros([2 * C, H])], ['relplace_head.bias', HostTensor.from([2 * C], placeBias)],
      ['relword_head.weight', HostTensor.zeros([R, H])], ['relword_head.bias', HostTensor.from([R], relationBias)],
      ...[...classifier].map(([n, t]) => [`vqa_classifier.${n}`, t] as const),
    ]);
    const inputs = new Map([
      ['pixels', randomTensor([B, 3, 32, 32], 5)], ['ids', HostTensor.from([B, T], Array.from({ length: B * T }, (_, i) => 5 + (i % 40)), 'i32')], ['mask', HostTensor.from([B, T], new Array(B * T).fill(1))],
      ['targets', HostTensor.zeros([B, ANSWERS.length])], ['places', HostTensor.from([B, 2], [4, 1, -1, -1, 0, 8], 'i32')], ['relation', HostTensor.from([B], [3, -1, 0], 'i32')], ['place_weight', HostTensor.from([], [2])],
    ]);
    const out = interpret(reader, prepareFeeds(reader, inputs, params, 0));
    const nll = (logits: number[], label: number): number => Math.log(logits.reduce((s, x) => s + Math.exp(x), 0)) - logits[label]!;
    const cells = nll(placeBias.slice(0, C), 4) + nll(placeBias.slice(C), 1) + nll(placeBias.slice(0, C), 0) + nll(placeBias.slice(C), 8);
    expect(Math.abs(out.get('place_loss')!.data[0]! - (cells + nll(relationBias, 3) + nll(relationBias, 0)) / (2 * B))).toBeLessThan(1e-9);
    const softmax = (xs: number[]): number[] => xs.map((x) => Math.exp(x) / xs.reduce((s, y) => s + Math.exp(y), 0));
    const read = [...new Array(H).fill(0), ...softmax(placeBias.slice(0, C)), ...softmax(placeBias.slice(C)), ...softmax(relationBias)];
    const head = buildGraph(p, 'HeadCheck', { bindings: { B: 1 } });
    const want = interpret(head, prepareFeeds(head, new Map([['x', HostTensor.from([1, width], read)]]), new Map([...classifier].map(([n, t]) => [`h.${n}`, t])), 0)).get('out')!;
    for (let b = 0; b < B; b++) expect(maxAbsDifference(HostTensor.from([1, 16], Array.from(out.get('logits')!.data.slice(b * 16, (b + 1) * 16))), want), `row ${b}`).toBeLessThan(1e-12);
  });

  it('FiberPretrainingGrounded is FiberPretraining plus a place head on each image with its relation statement: its loss adds place_weight times the cells\' cross-entropy over 2B', () => {
    const program = loadProgram(join(examples, 'fiber_pretrain.fib'));
    const [B, T, C] = [3, 8, 9];
    const plain = buildGraph(program, 'FiberMicroPretraining', { bindings: { B, T } });
    const grounded = buildGraph(program, 'FiberMicroPretrainingGrounded', { bindings: { B, T } });
    const names = (g: typeof plain): string[] => g.params.map((n) => (n.op as { name: string }).name);
    expect(names(grounded).filter((n) => !names(plain).includes(n))).toEqual(['relplace_head.weight', 'relplace_head.bias']);
    const ids = HostTensor.from([B, T], Array.from({ length: B * T }, (_, i) => (i % T === 0 ? 0 : 5 + ((i * 7) % 40))), 'i32');
    const labels = HostTensor.from([B, T], Array.from({ length: B * T }, (_, i) => (i % 3 === 1 ? ids.data[i]! : -100)), 'i32');
    const inputs = new Map([
      ['pixels', randomTensor([B, 3, 32, 32], 7)], ['ids', ids], ['mask', HostTensor.from([B, T], new Array(B * T).fill(1))],
      ['mlm_ids', HostTensor.from([B, T], Array.from(ids.data, (v, i) => (labels.data[i]! >= 0 ? 4 : v)), 'i32')], ['mlm_labels', labels],
      ['draws', HostTensor.from([2, B], [0.1, 0.5, 0.9, 0.3, 0.6, 0.8])],
    ]);
    // The place head's logits are its bias alone, so the objective has a value to check by hand.
    const bias = Array.from({ length: 2 * C }, (_, i) => Math.cos(2 * i + 1));
    const head = new Map([['relplace_head.weight', HostTensor.zeros([2 * C, 32])], ['relplace_head.bias', HostTensor.from([2 * C], bias)]]);
    const statements = new Map([
      ['statement_ids', HostTensor.from([B, T], Array.from({ length: B * T }, (_, i) => (i % T === 0 ? 0 : 9 + (i % 30))), 'i32')],
      ['statement_mask', HostTensor.from([B, T], Array.from({ length: B * T }, (_, i) => (i % T < 6 ? 1 : 0)))],
      ['places', HostTensor.from([B, 2], [-1, -1, 7, 0, 2, 4], 'i32')], ['place_weight', HostTensor.from([], [1.5])],
    ]);
    const feeds = prepareFeeds(grounded, new Map([...inputs, ...statements]), head, 0);
    const out = interpret(grounded, feeds);
    const nll = (logits: number[], label: number): number => Math.log(logits.reduce((s, x) => s + Math.exp(x), 0)) - logits[label]!;
    const want = (nll(bias.slice(0, C), 7) + nll(bias.slice(C), 0) + nll(bias.slice(0, C), 2) + nll(bias.slice(C), 4)) / (2 * B);
    expect(Math.abs(out.get('place_loss')!.data[0]! - want)).toBeLessThan(1e-9);
    // ITC, MLM, ITM and the queues are FiberPretraining's for the same params and batch: the
    // statements' rows run beside the others without touching them.
    const same = interpret(plain, prepareFeeds(plain, inputs, new Map(names(plain).map((n) => [n, feeds.get(n)!])), 0));
    for (const name of ['itc', 'mlm', 'itm']) expect(Math.abs(out.get(name)!.data[0]! - same.get(name)!.data[0]!), name).toBeLessThan(1e-9);
    expect(maxAbsDifference(out.get('text_queue_next')!, same.get('text_queue_next')!)).toBeLessThan(1e-12);
    expect(Math.abs(out.get('loss')!.data[0]! - (same.get('loss')!.data[0]! + 1.5 * want))).toBeLessThan(1e-9);
  });

  it('the VQA head scores every answer class: its loss starts near 16 ln 2 (binary cross-entropy times the classes)', () => {
    const graph = buildGraph(loadProgram(join(examples, 'fiber_pretrain.fib')), 'FiberMicroVQA', { bindings: { B: 3, T: 8 } });
    const targets = HostTensor.zeros([3, ANSWERS.length]);
    [2, 9, 15].forEach((a, b) => (targets.data[b * ANSWERS.length + a] = 1));
    const inputs = new Map([['pixels', randomTensor([3, 3, 32, 32], 5)], ['ids', HostTensor.from([3, 8], Array.from({ length: 24 }, (_, i) => 5 + (i % 40)), 'i32')], ['mask', HostTensor.from([3, 8], new Array(24).fill(1))], ['targets', targets]]);
    const out = interpret(graph, prepareFeeds(graph, inputs, new Map(), 0));
    expect(out.get('logits')!.shape).toEqual([3, ANSWERS.length]);
    expect(Math.abs(out.get('loss')!.data[0]! - ANSWERS.length * Math.log(2))).toBeLessThan(0.5);
  });
});
