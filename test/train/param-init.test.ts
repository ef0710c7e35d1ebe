import { describe, expect, it } from 'vitest';
import { leafName } from '../../src/ir/graph.js';
import { initParam } from '../../src/ir/init.js';
import { drawnByFanIn, initialParam } from '../../src/train/param-init.js';
import { fiberEntryGraph } from '../../src/train/fiber-entries.js';

/** How a training run draws fresh params: as declared, or weights scaled by fan-in. */
describe('param init schemes', () => {
  const model = fiberEntryGraph('FiberTinyPretraining', 2, 8);
  const param = (name: string) => model.params.find((p) => leafName(p) === name)!;

  it('fan-in redraws weight matrices and kernels only: not embeddings, norms, biases, queues or position tables', () => {
    const redrawn = model.params.filter(drawnByFanIn).map(leafName);
    expect(redrawn).toContain('model.text.layer.0.attention.self.query.weight');
    expect(redrawn).toContain('model.image.patch_embed.proj.weight');
    expect(redrawn).toContain('itm_score.fc.weight');
    for (const kept of ['model.text.embeddings.word_embeddings.weight', 'model.text.embeddings.LayerNorm.weight', 'model.text.layer.0.attention.self.query.bias', 'image_queue', 'model.image.layers.0.blocks.0.attn.relative_position_bias_table']) {
      expect(redrawn, kept).not.toContain(kept);
    }
  });

  it('draws them with std 1/sqrt(fan-in) from the same draws; declared is initParam', () => {
    const std = (xs: ArrayLike<number>): number => Math.sqrt(Array.from(xs).reduce((s, x) => s + x * x, 0) / xs.length);
    const ffn = param('model.text.layer.0.intermediate.dense.weight');
    expect(ffn.shape).toEqual([64, 32]);
    const drawn = initialParam(ffn, 3, 'fan-in').data;
    expect(std(drawn)).toBeCloseTo(1 / Math.sqrt(32), 1);
    const declared = initParam(ffn, 3).data;
    expect(drawn[5]! / declared[5]!).toBeCloseTo(1 / Math.sqrt(32) / 0.02, 6);
    const conv = param('model.image.patch_embed.proj.weight');
    expect(std(initialParam(conv, 3, 'fan-in').data)).toBeCloseTo(1 / Math.sqrt(3 * 4 * 4), 1);
    const table = param('model.text.embeddings.word_embeddings.weight');
    expect(Array.from(initialParam(table, 3, 'fan-in').data)).toEqual(Array.from(initParam(table, 3).data));
    expect(Array.from(initialParam(ffn, 3, 'declared').data)).toEqual(Array.from(declared));
  });
});
