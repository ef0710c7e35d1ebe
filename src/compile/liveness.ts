import type { Dispatch } from './plan-types.js';

/**
 * When a tensor is needed, in dispatch indices: written at `from` (its first writer), read
 * last at `to`. A tensor written by a param-only dispatch (Dispatch.paramOnly: it runs only
 * when the params change, and its results are reused by later runs) lives for the whole
 * program: `to` is Infinity.
 */
export interface Lifetime {
  readonly from: number;
  readonly to: number;
}

/** The lifetimes of every tensor the dispatches write. */
export function lifetimes(dispatches: readonly Dispatch[]): Map<number, Lifetime> {
  const out = new Map<number, { from: number; to: number }>();
  dispatches.forEach((d, i) => {
    for (const p of d.phases) {
      const id = p.kernel.output.id;
      if (!out.has(id)) out.set(id, { from: i, to: d.paramOnly ? Infinity : i });
      for (const r of p.kernel.reads) {
        const t = out.get(r.id);
        if (t) t.to = Math.max(t.to, i);
      }
    }
  });
  return out;
}

/**
 * First-fit placement of tensors with lifetimes into arenas of at most `capacity` elements:
 * a tensor may take the place of tensors whose last read was before its first write (a
 * dispatch that reads one and writes the other holds both). Offsets are multiples of 4 (16
 * bytes: vec4 loads). Returns, per tensor, its arena (index into `lengths`) and offset;
 * `lengths` grows as arenas are added or extended.
 */
export function packByLifetime(
  tensors: readonly { readonly id: number; readonly size: number; readonly life: Lifetime }[],
  capacity: number,
): { placed: Map<number, { arena: number; offset: number }>; lengths: number[] } {
  const lengths: number[] = [];
  const live: { offset: number; end: number; to: number }[][] = [];
  const placed = new Map<number, { arena: number; offset: number }>();
  const sorted = [...tensors].sort((a, b) => a.life.from - b.life.from || b.size - a.size);
  for (const t of sorted) {
    let where: { arena: number; offset: number } | undefined;
    for (let a = 0; a < live.length && !where; a++) {
      live[a] = live[a]!.filter((b) => b.to >= t.life.from);
      const blocks = [...live[a]!].sort((x, y) => x.offset - y.offset);
      let at = 0;
      for (const b of blocks) {
        if (b.offset - at >= t.size) break;
        at = Math.max(at, Math.ceil(b.end / 4) * 4);
      }
      if (at + t.size <= capacity) where = { arena: a, offset: at };
    }
    if (!where) {
      live.push([]);
      lengths.push(0);
      where = { arena: live.length - 1, offset: 0 };
    }
    live[where.arena]!.push({ offset: where.offset, end: where.offset + t.size, to: t.life.to });
    lengths[where.arena] = Math.max(lengths[where.arena]!, where.offset + t.size);
    placed.set(t.id, where);
  }
  return { placed, lengths };
}
