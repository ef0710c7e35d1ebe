import type { ScalarType } from './kernel-ir.js';
import type { Dispatch, Plan } from './plan-types.js';

/**
 * The binding table of a dispatch: every buffer it reads or writes, in one order that both
 * targets use — WGSL's `@binding(i)` and the bind group, PTX's i-th kernel parameter and the
 * launch's argument list — so the runtime binds by the table and never parses names back.
 */

/** What a binding is bound to at run time: an arena of the plan, or a tensor's own buffer (an input). */
export type BindingSource = { readonly kind: 'tensor'; readonly id: number } | { readonly kind: 'arena'; readonly index: number };

/** One entry of a dispatch's binding table. */
export interface Binding {
  readonly source: BindingSource;
  /** The element type the code reads it as (an arena's type). */
  readonly type: ScalarType;
  /** `read` for params and inputs; scratch and output arenas, and outputs' own buffers, are read-write. */
  readonly access: 'read' | 'read_write';
}

/** A stable key for a binding source. */
export function bindingKey(s: BindingSource): string {
  return s.kind === 'arena' ? `arena${s.index}` : `buf${s.id}`;
}

/**
 * The binding table of a dispatch: for each phase, its output and then what it reads, each
 * buffer once in order of first mention. Tensors in workgroup memory bind nothing; a param
 * split over several arenas binds each part.
 */
export function dispatchBindings(d: Dispatch, plan: Plan): Binding[] {
  const table = new Map<string, Binding>();
  const add = (source: BindingSource, type: ScalarType, access: Binding['access']): void => {
    const key = bindingKey(source);
    if (!table.has(key)) table.set(key, { source, type, access });
  };
  const mention = (id: number, write: boolean): void => {
    const t = plan.tensors.get(id);
    if (!t) throw new Error(`internal: tensor t${id} is not planned`);
    if (t.workgroup) return;
    if (t.split) {
      for (const index of t.split.arenas) add({ kind: 'arena', index }, t.ref.type, 'read');
      return;
    }
    if (t.arena) {
      const arena = plan.arenas[t.arena.index]!;
      add({ kind: 'arena', index: t.arena.index }, arena.type, arena.role === 'params' ? 'read' : 'read_write');
      return;
    }
    add({ kind: 'tensor', id }, t.ref.type, write || t.kind === 'output' ? 'read_write' : 'read');
  };
  for (const p of d.phases) {
    mention(p.kernel.output.id, true);
    for (const r of p.kernel.reads) mention(r.id, false);
  }
  return [...table.values()];
}
