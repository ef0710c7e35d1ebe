import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleInputs, withAlpha } from '../../src/cli/demo.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram, type LoadedProgram } from '../../src/dsl/loader.js';
import { gradientSamples, randomTensor, relativeError } from '../../src/ir/gradcheck.js';
import type { Graph } from '../../src/ir/graph.js';
import { interpret } from '../../src/ir/interpret.js';
import { HostTensor } from '../../src/ir/tensor.js';
import { prepareFeeds } from '../../src/runtime/feeds.js';
import { maxDiff } from '../helpers.js';

const EXAMPLES = resolve(__dirname, '../../examples');

/** Loads a program written next to the examples (so `import "fiber.fib"` resolves) without a file on disk. */
function withExamples(source: string): LoadedProgram {
  const virtual = resolve(EXAMPLES, '__test__.fib');
  return loadProgram(virtual, (p) => (p === virtual ? source : safeRead(p)));
}

function safeRead(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

const names = (g: Graph): string[] => g.params.map((p) => (p.op as { name: string }).name);

function runWith(graph: Graph, inputs: Map<string, HostTensor>, params: Map<string, HostTensor>): HostTensor {
  return interpret(graph, prepareFeeds(graph, inputs, params, 0)).get('out')!;
}

describe('FIBER fusion layers on the interpreter', () => {
  const program = withExamples(`
import "fiber.fib"
module PlainSwin = SwinBlock(dim = 32, heads = 2, resolution = 4, window = 2, shift = 1)
module PlainRoberta = RobertaLayer(hidden = 32, heads = 2, ffn = 64)
`);
  const bindings = { B: 2, T: 5, L: 16 };

  it('ImageFusionBlock with alpha = 0 equals the plain Swin block exactly (shifted windows, padded text)', () => {
    const fused = buildGraph(program, 'ImageFusionBlockTiny', { bindings });
    const plain = buildGraph(program, 'PlainSwin', { bindings });
    expect(names(plain).every((n) => names(fused).includes(n))).toBe(true);
    const inputs = exampleInputs(fused, 3);
    const params = prepareFeeds(fused, inputs, new Map(), 7);
    const plainParams = new Map([...params].filter(([k]) => names(plain).includes(k)));
    const a = runWith(fused, inputs, new Map([...params].filter(([k]) => names(fused).includes(k))));
    const b = runWith(plain, new Map([['x', inputs.get('x')!]]), plainParams);
    expect(maxDiff(a, b)).toBe(0);
    // A non-zero gate really adds the cross-attention.
    const gated = runWith(fused, inputs, withAlpha(fused, new Map([...params].filter(([k]) => names(fused).includes(k))), 0.7));
    expect(maxDiff(gated, b)).toBeGreaterThan(1e-3);
  });

  it('TextFusionLayer with alpha = 0 equals the plain RoBERTa layer exactly', () => {
    const fused = buildGraph(program, 'TextFusionLayerTiny', { bindings });
    const plain = buildGraph(program, 'PlainRoberta', { bindings });
    const inputs = exampleInputs(fused, 4);
    const params = new Map([...prepareFeeds(fused, inputs, new Map(), 8)].filter(([k]) => names(fused).includes(k)));
    const a = runWith(fused, inputs, params);
    const b = runWith(plain, new Map([['h', inputs.get('h')!], ['mask', inputs.get('mask')!]]), new Map([...params].filter(([k]) => names(plain).includes(k))));
    expect(maxDiff(a, b)).toBe(0);
    expect(maxDiff(runWith(fused, inputs, withAlpha(fused, params, -0.4)), b)).toBeGreaterThan(1e-3);
  });

  for (const entry of ['ImageFusionBlockTiny', 'TextFusionLayerTiny']) {
    it(`${entry}: gradients of every param and input match finite differences (alpha = 0.5)`, () => {
      const graph = buildGraph(program, entry, { bindings });
      const inputs = exampleInputs(graph, 5);
      const feeds = withAlpha(graph, prepareFeeds(graph, inputs, new Map(), 9), 0.5);
      const leaves = [...names(graph), ...graph.inputs.filter((n) => n.dtype === 'f32').map((n) => (n.op as { name: string }).name)];
      const samples = gradientSamples(graph, feeds, leaves, 2, 11);
      const worst = Math.max(...samples.map((s) => relativeError(s.autodiff, s.numeric, 1e-4)));
      expect(worst).toBeLessThan(1e-4);
    });
  }

  it('FiberTiny runs end to end and its outputs depend on both modalities once alpha != 0', () => {
    const p = loadProgram(resolve(EXAMPLES, 'fiber.fib'));
    const graph = buildGraph(p, 'FiberTiny', { bindings: { B: 2, T: 6 } });
    const inputs = exampleInputs(graph, 1);
    const params = withAlpha(graph, prepareFeeds(graph, inputs, new Map(), 1), 0.5);
    const out = interpret(graph, params);
    expect(out.get('image')!.shape).toEqual([2, 4, 128]);
    expect(out.get('text')!.shape).toEqual([2, 6, 32]);
    const otherImage = new Map(params).set('pixels', randomTensor(inputs.get('pixels')!.shape, 99));
    const out2 = interpret(graph, otherImage);
    expect(maxDiff(out.get('text')!, out2.get('text')!)).toBeGreaterThan(1e-4);
    for (const t of out.values()) expect(t.data.every(Number.isFinite)).toBe(true);
  });

  it("Swin's absolute position embedding (ape): tokens of a uniform image differ by position with it, not without", () => {
    const program = withExamples(`
import "fiber.fib"
module TinyBelowFusion(ape: bool = true) {
  let model = Fiber(img_size = 64, patch = 4, embed_dim = 16, depths = [1, 1, 2, 2], heads = [1, 2, 2, 4], window = 2, vocab = 64, hidden = 32, text_layers = 6, text_heads = 2, ffn = 64, max_pos = 40, fuse = 4, ape = ape)
  forward(pixels: f32[B, 3, 64, 64]) -> f32[B, 16, 64] {
    return image_below_fusion(model.image, model.depths, model.total - model.fuse, pixels)
  }
}
module TinyBelowFusionNoApe = TinyBelowFusion(ape = false)
`);
    const pixels = new Map([['pixels', new HostTensor([1, 3, 64, 64], 'f32', new Float64Array(3 * 64 * 64).fill(0.5))]]);
    // The largest difference between two tokens of the sequence (each against token 0).
    const spread = (entry: string): number => {
      const graph = buildGraph(program, entry, { bindings: { B: 1 } });
      const out = interpret(graph, prepareFeeds(graph, pixels, new Map(), 3)).get('out')!;
      const d = out.data as Float64Array;
      let most = 0;
      for (let t = 1; t < 16; t++) for (let c = 0; c < 64; c++) most = Math.max(most, Math.abs(d[t * 64 + c]! - d[c]!));
      return most;
    };
    const withApe = buildGraph(program, 'TinyBelowFusion', { bindings: { B: 1 } });
    expect(names(withApe)).toContain('model.image.absolute_pos_embed');
    expect(withApe.params.find((p) => (p.op as { name: string }).name === 'model.image.absolute_pos_embed')!.shape).toEqual([1, 256, 16]);
    expect(names(buildGraph(program, 'TinyBelowFusionNoApe', { bindings: { B: 1 } }))).not.toContain('model.image.absolute_pos_embed');
    expect(spread('TinyBelowFusionNoApe')).toBeLessThan(1e-9);
    expect(spread('TinyBelowFusion')).toBeGreaterThan(1e-3);
  });

  it('FiberBase declares exactly the parameters of FIBER-B (FIBER.md section 8, minus buffers)', () => {
    const p = loadProgram(resolve(EXAMPLES, 'fiber.fib'));
    const graph = buildGraph(p, 'FiberBase', { bindings: { B: 1, T: 40 } });
    // 416 Swin keys - 11 attn_mask - 24 relative_position_index buffers = 381; 272 RoBERTa keys
    // - position_ids - pooler (2) - 6 unused alpha_t2i - 6 unused cross LayerNorms (12) = 251.
    expect(graph.params.length).toBe(632);
    const count = graph.params.reduce((s, n) => s + n.shape.reduce((a, b) => a * b, 1), 0);
    expect(count).toBeGreaterThan(200e6);
    expect(names(graph)).toContain('text.layer.6.crossattention.query.weight');
    expect(names(graph)).toContain('image.layers.2.blocks.14.alpha');
    expect(graph.outputs.map((o) => [o.name, o.node.shape])).toEqual([['image', [1, 144, 1024]], ['text', [1, 40, 768]]]);
  });
});

describe('variants are small edits of the .fib source', () => {
  const fiber = readFileSync(resolve(EXAMPLES, 'fiber.fib'), 'utf8');
  const variant = (edit: (src: string) => string): LoadedProgram => {
    const path = resolve(EXAMPLES, '__variant__.fib');
    const text = edit(fiber);
    expect(text).not.toBe(fiber);
    return loadProgram(path, (p) => (p === path ? text : safeRead(p)));
  };
  const alphas = (g: Graph): string[] => names(g).filter((n) => n.endsWith('alpha'));

  it('fusing the top 2 layers instead of 4 changes one number', () => {
    const base = buildGraph(loadProgram(resolve(EXAMPLES, 'fiber.fib')), 'FiberTiny', { bindings: { B: 1, T: 4 } });
    const fewer = buildGraph(variant((s) => s.replace('max_pos = 40, fuse = 4, ape = true)', 'max_pos = 40, fuse = 2, ape = true)')), 'FiberTiny', { bindings: { B: 1, T: 4 } });
    expect(alphas(base)).toHaveLength(8);
    expect(alphas(fewer)).toEqual(['image.layers.3.blocks.0.alpha', 'image.layers.3.blocks.1.alpha', 'text.layer.4.alpha', 'text.layer.5.alpha']);
  });

  it('a tanh(alpha) gate is a one-token edit and alpha = 0 still gives the plain block', () => {
    const p = variant((s) => s.replace('let h = x + s + alpha * i2t(s, text, text_mask)', 'let h = x + s + tanh(alpha) * i2t(s, text, text_mask)'));
    const g = buildGraph(p, 'ImageFusionBlockTiny', { bindings: { B: 1, T: 3 } });
    expect(g.nodes.some((n) => n.op.kind === 'unary' && n.op.fn === 'tanh' && n.inputs[0]!.op.kind === 'param')).toBe(true);
  });
});

describe('Swin building blocks match the reference construction', () => {
  const program = withExamples(`
import "swin.fib"
fn partition_roundtrip(x: f32[B, H, W, C]) -> f32[B, H, W, C] {
  return window_reverse(window_partition(x, 2), 2, H, W)
}
fn shifted_back(x: f32[B, H, W, C]) -> f32[B, H, W, C] {
  return cyclic_shift(cyclic_shift(x, 1), -1)
}
fn rp_index(x: f32[B]) -> i32[9, 9] {
  return relative_position_index(3)
}
fn mask(x: f32[B]) -> f32[4, 4, 4] {
  return shift_mask(4, 4, 2, 1)
}
`);

  const run = (entry: string, x: HostTensor): HostTensor => {
    const g = buildGraph(program, entry, { inputShapes: new Map([['x', { shape: x.shape, dtype: 'f32' }]]) });
    return interpret(g, new Map([['x', x]])).get('out')!;
  };

  it('window partition and reverse, cyclic shift and unshift are inverses', () => {
    const x = randomTensor([2, 4, 6, 3], 1);
    expect(maxDiff(run('partition_roundtrip', x), x)).toBe(0);
    expect(maxDiff(run('shifted_back', x), x)).toBe(0);
  });

  it('relative position index equals Swin\'s coords construction', () => {
    const w = 3;
    const expected: number[] = [];
    for (let i = 0; i < w * w; i++) {
      for (let j = 0; j < w * w; j++) {
        const dh = Math.floor(i / w) - Math.floor(j / w) + w - 1;
        const dw = (i % w) - (j % w) + w - 1;
        expected.push(dh * (2 * w - 1) + dw);
      }
    }
    expect([...run('rp_index', randomTensor([1], 0)).data]).toEqual(expected);
  });

  it('shift mask equals Swin\'s img_mask construction', () => {
    const [H, w, s] = [4, 2, 1];
    const label = (r: number): number => (r < H - w ? 0 : r < H - s ? 1 : 2);
    const expected: number[] = [];
    for (let wi = 0; wi < 4; wi++) {
      const [wr, wc] = [Math.floor(wi / 2), wi % 2];
      const cnt = (t: number): number => label(wr * w + Math.floor(t / w)) * 3 + label(wc * w + (t % w));
      for (let a = 0; a < w * w; a++) for (let b = 0; b < w * w; b++) expected.push(cnt(a) !== cnt(b) ? -100 : 0);
    }
    expect([...run('mask', randomTensor([1], 0)).data]).toEqual(expected);
  });
});
