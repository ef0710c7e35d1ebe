import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../files.js';

/**
 * `run.svg` in a run folder, for a person to look at: the loss curves of metrics.jsonl (one
 * line per loss, smoothed over a few steps) and, when the folder has them, the retrieval
 * recall (retrieval.json) and VQA accuracy (vqa.json) as bars. Rewritten whole each time.
 */

const WIDTH = 720;
const CURVES_HEIGHT = 300;
const BARS_HEIGHT = 200;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

type Metrics = Readonly<Record<string, number>>;

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function readJsonLines(path: string): Metrics[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Metrics);
}

/** A moving average over `window` points (the first ones over what there is). */
function smooth(xs: readonly number[], window: number): number[] {
  return xs.map((_, i) => {
    const part = xs.slice(Math.max(0, i - window + 1), i + 1);
    return part.reduce((a, b) => a + b, 0) / part.length;
  });
}

/** The loss curves: every numeric field of the metrics but step, lr and seconds. */
function curves(metrics: readonly Metrics[], top: number): string[] {
  if (metrics.length === 0) return [`<text x="20" y="${top + 30}">no steps yet</text>`];
  const names = Object.keys(metrics[0]!).filter((k) => !['step', 'lr', 'seconds'].includes(k));
  const steps = metrics.map((m) => m.step!);
  const series = names.map((n) => smooth(metrics.map((m) => m[n]!), Math.max(1, Math.floor(metrics.length / 50))));
  const ymax = Math.max(...series.flat().filter(Number.isFinite), 1e-9);
  const [x0, x1, y0, y1] = [60, WIDTH - 120, top + CURVES_HEIGHT - 30, top + 30];
  const sx = (s: number): number => x0 + ((s - steps[0]!) / Math.max(1, steps[steps.length - 1]! - steps[0]!)) * (x1 - x0);
  const sy = (v: number): number => y0 - (Math.min(v, ymax) / ymax) * (y0 - y1);
  const out = [
    `<text x="20" y="${top + 18}" font-weight="bold">losses by step (moving average)</text>`,
    `<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="#888"/>`, `<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="#888"/>`,
    `<text x="${x0 - 8}" y="${y1 + 4}" text-anchor="end">${ymax.toFixed(2)}</text>`, `<text x="${x0 - 8}" y="${y0 + 4}" text-anchor="end">0</text>`,
    `<text x="${x0}" y="${y0 + 18}">${steps[0]}</text>`, `<text x="${x1}" y="${y0 + 18}" text-anchor="end">${steps[steps.length - 1]}</text>`,
  ];
  series.forEach((ys, k) => {
    const points = ys.map((y, i) => `${sx(steps[i]!).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${COLOURS[k % COLOURS.length]}" stroke-width="1.5" points="${points}"/>`);
    out.push(`<text x="${x1 + 10}" y="${y1 + 16 * k}" fill="${COLOURS[k % COLOURS.length]}">${escape(names[k]!)} ${ys[ys.length - 1]!.toFixed(3)}</text>`);
  });
  return out;
}

/** Horizontal bars of fractions in [0, 1], labelled. */
function bars(title: string, values: readonly (readonly [string, number])[], top: number): string[] {
  const out = [`<text x="20" y="${top + 18}" font-weight="bold">${escape(title)}</text>`];
  const row = Math.min(22, (BARS_HEIGHT - 30) / Math.max(1, values.length));
  values.forEach(([label, v], i) => {
    const y = top + 30 + i * row;
    out.push(`<text x="200" y="${y + row * 0.7}" text-anchor="end">${escape(label)}</text>`);
    out.push(`<rect x="210" y="${y}" width="${(v * (WIDTH - 300)).toFixed(1)}" height="${(row * 0.75).toFixed(1)}" fill="${COLOURS[0]}"/>`);
    out.push(`<text x="${215 + v * (WIDTH - 300)}" y="${y + row * 0.7}">${(100 * v).toFixed(1)}%</text>`);
  });
  return out;
}

/** Writes `run.svg` in a run folder from what the folder holds; returns its path. */
export function writeRunPicture(dir: string): string {
  const parts = curves(readJsonLines(join(dir, 'metrics.jsonl')), 0);
  let height = CURVES_HEIGHT;
  const retrieval = join(dir, 'retrieval.json');
  if (existsSync(retrieval)) {
    type Recall = Record<string, Record<string, number>>;
    // itmPlusItc: absent from the files of evaluations before it was added.
    const r = JSON.parse(readFileSync(retrieval, 'utf8')) as { candidates: number; k: number; itc: Recall; itm: Recall; itmPlusItc?: Recall; itcWeight?: number; mlm?: { accuracy: number } };
    const rows: [string, number][] = [];
    const scorers: [string, Recall | undefined][] = [['ITC', r.itc], [`ITM top ${r.k}`, r.itm], [`ITM+${(r.itcWeight ?? 1) === 1 ? '' : `${r.itcWeight}x`}ITC top ${r.k}`, r.itmPlusItc]];
    for (const [name, x] of scorers) if (x) for (const dir2 of ['imageToText', 'textToImage']) rows.push([`${name} ${dir2 === 'imageToText' ? 'i2t' : 't2i'} R@1`, x[dir2]!['1']!]);
    if (r.mlm) rows.push(['MLM accuracy', r.mlm.accuracy]);
    parts.push(...bars(`retrieval over ${r.candidates} held-out images`, rows, height));
    height += BARS_HEIGHT;
  }
  const vqa = join(dir, 'vqa.json');
  if (existsSync(vqa)) {
    const a = JSON.parse(readFileSync(vqa, 'utf8')) as { overall: number; count: number; byType: Record<string, { accuracy: number }> };
    parts.push(...bars(`VQA accuracy over ${a.count} held-out questions`, [['all', a.overall], ...Object.entries(a.byType).map(([t, x]) => [t, x.accuracy] as [string, number])], height));
    height += BARS_HEIGHT;
  }
  const svg = [`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="12">`, `<rect width="100%" height="100%" fill="white"/>`, ...parts, '</svg>', ''].join('\n');
  const path = join(dir, 'run.svg');
  writeFileAtomic(path, svg, 'writing');
  return path;
}
