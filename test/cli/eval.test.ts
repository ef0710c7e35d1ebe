import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';

describe('fiberc eval --task retrieval', () => {
  it('evaluates a briefly trained checkpoint on held-out images: recall in both directions, ITC and ITM re-ranked, saved as JSON', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fiberc-eval-'));
    const trained = await cli('train', '--model', 'FiberMicro', '--backend', 'cpu', '--batch', '4', '--train-size', '16', '--steps', '2', '--checkpoint-every', '1', '--out', out);
    expect(trained.code, trained.err).toBe(0);
    const r = await cli('eval', '--task', 'retrieval', '--ckpt', out, '--backend', 'cpu', '--test-size', '6', '--k', '2', '--batch', '4');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/retrieval over 6 held-out images and their captions \(\d+ pairs scored by ITM\)/);
    expect(r.out).toMatch(/ITC \(dual encoder\) +\d+\.\d% +\d+\.\d%/);
    expect(r.out).toMatch(/ITM re-rank of top 2 +\d+\.\d%/);
    expect(r.out).toMatch(/ITM \+ ITC re-rank of top 2 +\d+\.\d%/);
    expect(r.out).toMatch(/MLM accuracy on the same captions, read with their images: \d+\.\d% of \d+ masked tokens/);
    const split = /on words naming colours, shapes and sizes: \d+\.\d% of (\d+); on the other words: \d+\.\d% of (\d+)/.exec(r.out);
    expect(split, r.out).not.toBeNull();
    const saved = JSON.parse(readFileSync(join(out, 'retrieval.json'), 'utf8')) as { step: number; candidates: number; itc: { imageToText: Record<string, number> }; itm: { textToImage: Record<string, number> }; itmPlusItc: { imageToText: Record<string, number> }; mlm: { accuracy: number; masked: number; byWord: Record<string, { masked: number; right: number }> } };
    // 15% of six captions' 10-20 words each.
    expect(saved.mlm.masked).toBeGreaterThan(3);
    // Every chosen token is counted under its word, and the printed split adds up to them all.
    const words = Object.values(saved.mlm.byWord);
    expect(words.reduce((s, w) => s + w.masked, 0)).toBe(saved.mlm.masked);
    expect(words.reduce((s, w) => s + w.right, 0)).toBe(Math.round(saved.mlm.accuracy * saved.mlm.masked));
    expect(Number(split![1]) + Number(split![2])).toBe(saved.mlm.masked);
    for (const word of Object.keys(saved.mlm.byWord)) expect(word).toMatch(/^[a-z?.,]+$/);
    expect(saved.mlm.accuracy).toBeGreaterThanOrEqual(0);
    expect(saved.mlm.accuracy).toBeLessThanOrEqual(1);
    expect(saved.step).toBe(2);
    expect(saved.candidates).toBe(6);
    // With 6 candidates every image is within the top 10.
    expect(saved.itc.imageToText['10']).toBe(1);
    for (const v of Object.values(saved.itm.textToImage)) expect(v).toBeGreaterThanOrEqual(0);
    // Re-ranking reorders only the top 2: at 10 every image still finds its caption.
    expect(saved.itmPlusItc.imageToText['10']).toBe(1);
    // The run's picture: loss curves from metrics.jsonl and the recall bars.
    expect(r.out).toContain(`picture ${join(out, 'run.svg')}`);
    const svg = readFileSync(join(out, 'run.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.match(/<polyline /g)).toHaveLength(4);
    for (const text of ['losses by step', '>itc ', '>mlm ', '>itm ', 'retrieval over 6 held-out images', 'ITM top 2 t2i R@1', 'ITM+ITC top 2 i2t R@1', 'MLM accuracy']) expect(svg).toContain(text);

    // The validation split, for choosing --k: other images, written beside the test results, not over them.
    const v = await cli('eval', '--task', 'retrieval', '--ckpt', out, '--backend', 'cpu', '--test-size', '6', '--k', '3', '--batch', '4', '--split', 'val', '--itc-weight', '4');
    expect(v.code, v.err).toBe(0);
    expect(v.out).toMatch(/retrieval over 6 held-out validation images and their captions/);
    expect(v.out).toMatch(/ITM \+ 4 x ITC re-rank of top 3 +\d+\.\d%/);
    expect(v.out).toContain(`written to ${join(out, 'retrieval-val.json')}`);
    const val = JSON.parse(readFileSync(join(out, 'retrieval-val.json'), 'utf8')) as { split: string; k: number; itcWeight: number; candidates: number };
    expect([val.split, val.k, val.itcWeight, val.candidates]).toEqual(['val', 3, 4, 6]);
    const test = JSON.parse(readFileSync(join(out, 'retrieval.json'), 'utf8')) as { split: string; k: number };
    expect([test.split, test.k]).toEqual(['test', 2]);
    // An earlier checkpoint of the run: its results beside the latest's, named by its step.
    const early = await cli('eval', '--task', 'retrieval', '--ckpt', join(out, 'step-0000001.safetensors'), '--backend', 'cpu', '--test-size', '6', '--k', '3', '--batch', '4');
    expect(early.code, early.err).toBe(0);
    expect(early.out).toContain(`written to ${join(out, 'retrieval-step-1.json')}`);
    expect((JSON.parse(readFileSync(join(out, 'retrieval-step-1.json'), 'utf8')) as { step: number }).step).toBe(1);
    expect((JSON.parse(readFileSync(join(out, 'retrieval.json'), 'utf8')) as { step: number; k: number })).toMatchObject({ step: 2, k: 2 });
    // The latest named as a file is the run's latest.
    const latest = await cli('eval', '--task', 'retrieval', '--ckpt', join(out, 'step-0000002.safetensors'), '--backend', 'cpu', '--test-size', '6', '--k', '2', '--batch', '4');
    expect(latest.out).toContain(`written to ${join(out, 'retrieval.json')}`);
    // Relative captions: another corpus of scenes, its results beside the default's.
    const rel = await cli('eval', '--task', 'retrieval', '--ckpt', out, '--backend', 'cpu', '--test-size', '6', '--k', '2', '--batch', '4', '--captions', 'relative', '--split', 'val');
    expect(rel.code, rel.err).toBe(0);
    expect(rel.out).toContain('captions placed relatively');
    expect(rel.out).toContain(`written to ${join(out, 'retrieval-relative-val.json')}`);
    expect((JSON.parse(readFileSync(join(out, 'retrieval-val.json'), 'utf8')) as { k: number }).k).toBe(3);
    const relVqa = await cli('eval', '--task', 'vqa', '--ckpt', out, '--backend', 'cpu', '--captions', 'relative');
    expect(relVqa.code).toBe(2);
    expect(relVqa.err).toContain('--captions chooses the captions retrieval reads: --task vqa has no use for it');
    const bad = await cli('eval', '--ckpt', out, '--backend', 'cpu', '--split', 'train');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--split <split>' argument 'train' is invalid. Allowed choices are val, test/);
    const weight = await cli('eval', '--ckpt', out, '--backend', 'cpu', '--itc-weight', '-1');
    expect(weight.code).toBe(2);
    expect(weight.err).toContain("--itc-weight: a number >= 0, got '-1'");
  }, 120_000);

  it('refuses a folder without a checkpoint and an unknown task', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'fiberc-eval-'));
    const none = await cli('eval', '--ckpt', empty, '--backend', 'cpu');
    expect(none.code).toBe(1);
    expect(none.err).toContain(`fiberc: error: ${empty} has no checkpoint yet`);
    const task = await cli('eval', '--task', 'captioning', '--ckpt', empty, '--backend', 'cpu');
    expect(task.code).toBe(2);
    expect(task.err).toContain("--task: 'retrieval' or 'vqa', got 'captioning'");
  });
});
