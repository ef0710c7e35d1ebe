import type { ScalarType } from '../../compile/kernel-ir.js';
import type { Plan, PlannedTensor } from '../../compile/plan.js';
import { bindingKey, type Binding, type BindingSource } from '../../compile/bindings.js';
import { numel } from '../../ir/shape.js';

export type { BindingSource } from '../../compile/bindings.js';

/** A WGSL literal of the given scalar type. */
export function literal(v: number, type: ScalarType): string {
  if (type === 'i32') return `i32(${v})`;
  if (v === Infinity) return 'bitcast<f32>(0x7f800000u)';
  if (v === -Infinity) return 'bitcast<f32>(0xff800000u)';
  if (Number.isNaN(v)) return 'bitcast<f32>(0x7fc00000u)';
  const s = String(v);
  return `f32(${/[.e]/.test(s) ? s : `${s}.0`})`;
}

/** Components of a vec4, in order. */
const LANES = ['x', 'y', 'z', 'w'];

/**
 * The share of a shader's uniform (TargetLimits.maxUniformBufferBindingSize) its tables may
 * take; the rest is left for start offsets (with 64 KiB, a thousand vec4 rows: the most a
 * merged dispatch has needed is a few hundred offsets).
 */
export const UNIFORM_TABLE_SHARE = 0.75;

/** A shader's start offsets (see ShaderResources.bases), as its skeleton declares them. */
export interface ShaderBases {
  /** The uniform's ints: the tables' rows (see uniformTable), then the start offsets slot by slot. */
  readonly values: readonly number[];
  /** The uniform's binding number. */
  readonly binding: number;
  /** vec4<i32> rows of the uniform (0: the shader reads no offsets and declares none). */
  readonly rows: number;
  /** `let fib_bN = ...;` per slot, for the top of `main`. */
  readonly lets: readonly string[];
}

/**
 * The bindings and helper functions of one shader, shared by all its phases. Bindings are
 * the dispatch's binding table (compile/bindings.ts), declared in its order.
 */
export class ShaderResources {
  readonly decls: { binding: number; access: string; name: string; type: string }[];
  readonly helpers = new Set<string>();
  /** Functions generated for this shader (readers of split params), by name. */
  readonly functions = new Map<string, string>();
  /** Where the plan's tensors live, by id. */
  readonly places: Plan['tensors'];

  /** `ownerPhased`: inside an owner-phased dispatch, replicated tensors are addressed per owner. */
  constructor(
    private readonly plan: Plan,
    private readonly ownerPhased: boolean,
    table: readonly Binding[],
  ) {
    this.places = plan.tensors;
    this.decls = table.map((b, binding) => ({ binding, access: b.access, name: bindingKey(b.source), type: b.type }));
  }

  /** The name of a binding in the table; a source missing from it is the planner's bug. */
  private bind(source: BindingSource, write = false): string {
    const name = bindingKey(source);
    const decl = this.decls.find((d) => d.name === name);
    if (!decl) throw new Error(`internal: ${name} is not in the dispatch's binding table`);
    if (write && decl.access !== 'read_write') throw new Error(`internal: ${name} is written but bound read-only`);
    return name;
  }

  /**
   * Arena tensors' start offsets (elements), one slot per tensor in the order the shader first
   * addresses them. The shader reads them from the uniform `fib_bases` instead of writing them
   * as literals, so dispatches that differ only in where their tensors start (the same layer at
   * another depth, a momentum encoder's copy of the online one) have identical source and
   * share one compiled pipeline, bound to their own offsets.
   */
  private readonly baseSlots = new Map<number, { slot: number; offset: number }>();

  /** The WGSL name of tensor `id`'s start offset (`fib_b3`), given a slot on first use. */
  private baseOf(id: number, offset: number): string {
    let s = this.baseSlots.get(id);
    if (!s) {
      s = { slot: this.baseSlots.size, offset };
      this.baseSlots.set(id, s);
    }
    return `fib_b${s.slot}`;
  }

  /**
   * The uniform the shader reads — its segment tables (uniformTable), then its start offsets in
   * slot order — and how it declares them: the uniform binding after the storage bindings, and
   * one `let` per slot at the top of `main`.
   */
  bases(): ShaderBases {
    const offsets = [...this.baseSlots.values()].sort((a, b) => a.slot - b.slot).map((s) => s.offset);
    // The tables' rows come first: their readers were written before the last slot was known.
    const first = this.tableValues.length / 4;
    const values = [...this.tableValues, ...offsets];
    const rows = Math.ceil(values.length / 4);
    const bound = this.plan.limits.maxUniformBufferBindingSize;
    if (rows * 16 > bound) throw new Error(`internal: a shader's uniform of start offsets and tables takes ${rows * 16} bytes, over the device's ${bound}`);
    return {
      values,
      binding: this.decls.length,
      rows,
      lets: offsets.map((_, i) => `let fib_b${i} = fib_bases.v[${first + (i >> 2)}].${LANES[i & 3]};`),
    };
  }

  /** Int tables placed in the uniform (see uniformTable), each row padded to whole vec4s. */
  private readonly tableValues: number[] = [];

  /**
   * Places a table of int rows in the uniform `fib_bases`, ahead of the start offsets, and
   * returns the reader of a cell (`row`: a WGSL expression, `column`: a number); undefined
   * when the uniform's share for tables (UNIFORM_TABLE_SHARE) is spent. A table read from a
   * buffer rather than written as a WGSL constant array: indexed by a value the shader only
   * knows at run time, a constant array is copied into every invocation's private memory
   * before the read (on lavapipe, half the time of a FiberTiny optimizer dispatch: 3.1 of 6.3
   * ms), and a uniform is read in place.
   */
  uniformTable(rows: readonly (readonly number[])[], columns: number): ((row: string, column: number) => string) | undefined {
    const stride = Math.ceil(columns / 4);
    const start = this.tableValues.length / 4;
    if ((start + rows.length * stride) * 16 > UNIFORM_TABLE_SHARE * this.plan.limits.maxUniformBufferBindingSize) return undefined;
    for (const r of rows) this.tableValues.push(...r, ...Array<number>(stride * 4 - r.length).fill(0));
    return (row, column) => `fib_bases.v[${start + (column >> 2)} + ${row} * ${stride}].${LANES[column & 3]}`;
  }

  /**
   * The WGSL prefix (`fib_b2 + `) that offsets a vec4 index into tensor `id`'s vectorized
   * binding: its start / 4 (arena tensors start on 16-byte boundaries, see placeInArenas).
   */
  vectorBase(id: number): string {
    const t = this.plan.tensors.get(id)!;
    return t.arena && !t.split && !t.workgroup ? `(${this.baseOf(id, t.arena.offset)} >> 2u) + ` : '';
  }

  /**
   * The binding (or split param's reader) tensor `id` lives in, without its start offset:
   * for a caller that addresses the tensor by offsets of its own (a segment table's), so the
   * shader declares no offset it never reads.
   */
  bindingOf(id: number, write = false): string {
    const t = this.plan.tensors.get(id)!;
    if (t.workgroup) return `fib_wg_${t.ref.type}`;
    if (t.split) {
      if (write) throw new Error(`internal: tensor t${id} is split over several bindings and cannot be written`);
      return this.splitReader(id);
    }
    return this.bind(t.arena ? { kind: 'arena', index: t.arena.index } : { kind: 'tensor', id }, write);
  }

  /**
   * Where tensor `id` lives: a binding, and the WGSL prefix (`fib_b0 + `) that offsets an
   * element index into it. Scratch and output arenas are read-write. Replicated tensors are addressed in
   * the current owner's copy.
   */
  location(id: number, write = false): { name: string; base: string } {
    const t = this.plan.tensors.get(id)!;
    const name = this.bindingOf(id, write);
    if (t.workgroup) {
      // The workgroup's own copy of its owner's part: indices are global, so the owner's start is subtracted.
      const { offset, length, perOwner } = t.workgroup;
      return { name, base: `${offset ? `${offset} + ` : ''}${perOwner ? `-owner * ${length} + ` : ''}` };
    }
    if (!t.arena || t.split) return { name, base: '' };
    const copy = this.ownerPhased && t.replicas > 1 ? `owner * ${numel(t.ref.node.shape)} + ` : '';
    return { name, base: `${this.baseOf(id, t.arena.offset)} + ${copy}` };
  }

  /**
   * Bindings declared as arrays of vec4 (see `vectorize`); their scalar elements are
   * addressed as components.
   */
  private readonly vectorized = new Set<string>();

  /**
   * Declares a binding as an array of vec4 so that aligned runs of four elements load as one
   * vector. Must be called before any access to the binding is rendered.
   */
  vectorize(name: string): void {
    this.vectorized.add(name);
    for (const d of this.decls) if (d.name === name && !d.type.startsWith('vec4')) d.type = `vec4<${d.type}>`;
  }

  /**
   * The function that reads element `i` of a param split over several bindings (see
   * placeInArenas): each part is a read-only arena binding, and the index picks the part.
   */
  private splitReader(id: number): string {
    const t = this.plan.tensors.get(id)!;
    const name = `fib_split_t${id}`;
    if (!this.functions.has(name)) {
      const { arenas, part } = t.split!;
      const parts = arenas.map((index) => this.bind({ kind: 'arena', index }));
      const lines = parts.map((p, j) => (j < parts.length - 1 ? `  if (i < ${(j + 1) * part}) { return ${p}[i - ${j * part}]; }` : `  return ${p}[i - ${j * part}];`));
      this.functions.set(name, [`fn ${name}(i: i32) -> ${t.ref.type} {`, ...lines, '}'].join('\n'));
    }
    return name;
  }

  /** A scalar element `i` of a binding (or of a split param), as a WGSL expression. */
  element(name: string, i: string): string {
    if (this.functions.has(name)) return `${name}(${i})`;
    return this.vectorized.has(name) ? `${name}[(${i}) >> 2u][(${i}) & 3]` : `${name}[${i}]`;
  }

  /** The vec4 at vector index `i` (element index / 4) of a vectorized binding. */
  vector(name: string, i: string): string {
    return `${name}[${i}]`;
  }

  /** The plan's record of tensor `id`. */
  planned(id: number): PlannedTensor {
    return this.plan.tensors.get(id)!;
  }

  /** True when the tensor is computed whole by every workgroup of an owner-phased dispatch. */
  replicated(id: number): boolean {
    return this.ownerPhased && this.plan.tensors.get(id)!.replicas > 1;
  }
}

