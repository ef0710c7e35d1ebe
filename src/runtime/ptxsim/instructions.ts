import { toBfloatBits, toHalfBits } from './half.js';
import type { MmaSpec } from './mma.js';
import { PtxSimError, type PtxEntry, type PtxInstruction } from './parse.js';

/**
 * PTX instructions as closures over one thread's registers. Each returns NEXT to go on, the
 * index of the instruction to jump to, or one of EXIT / BARRIER / MMA, which the block
 * scheduler (machine.ts) handles: bar.sync and mma.sync involve other threads.
 */

/** Device memory and the launch a thread runs in. */
export interface Memory {
  f32: Float32Array;
  i32: Int32Array;
}

/** The state of one simulated thread. */
export interface Thread {
  pc: number;
  readonly r: Int32Array;
  readonly rd: Float64Array;
  readonly f: Float32Array;
  readonly p: Uint8Array;
  readonly tid: number;
  readonly block: BlockContext;
}

/** What the threads of one block share. */
export interface BlockContext {
  readonly ctaid: readonly [number, number];
  readonly nctaid: readonly [number, number];
  readonly ntid: number;
  readonly global: Memory;
  readonly shared: Memory;
  readonly params: ReadonlyMap<string, number>;
}

export const NEXT = -1;
export const EXIT = -2;
export const BARRIER = -3;
export const MMA = -4;

export type Compiled = (t: Thread) => number;

const f32 = Math.fround;

/** PTX max/min: a NaN operand yields the other operand. */
const fmax = (a: number, b: number): number => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b));
const fmin = (a: number, b: number): number => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.min(a, b));

/** Float comparisons are ordered (false with a NaN operand), as PTX's eq/ne/lt/le/gt/ge. */
const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b && !Number.isNaN(a) && !Number.isNaN(b),
  neu: (a, b) => a !== b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
};

const UNARY_F32: Record<string, (a: number) => number> = {
  neg: (a) => -a,
  abs: Math.abs,
  ex2: (a) => f32(2 ** a),
  lg2: (a) => f32(Math.log2(a)),
  rcp: (a) => f32(1 / a),
  sqrt: (a) => f32(Math.sqrt(a)),
  rsqrt: (a) => f32(1 / Math.sqrt(a)),
  sin: (a) => f32(Math.sin(a)),
  cos: (a) => f32(Math.cos(a)),
};

/** Compiles an entry's body; mma.sync operand lists go to `mma` by instruction index. */
export function compileEntry(entry: PtxEntry, sharedOffsets: ReadonlyMap<string, number>): { code: Compiled[]; mma: Map<number, MmaSpec> } {
  const mma = new Map<number, MmaSpec>();
  const code = entry.body.map((ins, index) => {
    const fail = (why: string): never => {
      throw new PtxSimError(`${entry.name}, PTX line ${ins.line}: ${why} (${ins.op.join('.')} ${ins.args.join(', ')})`);
    };
    const body = compileInstruction(ins, entry, sharedOffsets, fail, (spec) => mma.set(index, spec));
    if (!ins.guard) return body;
    const g = register(ins.guard.reg, fail);
    const negated = ins.guard.negated;
    return (t: Thread): number => ((t.p[g.index] === 1) !== negated ? body(t) : NEXT);
  });
  return { code, mma };
}

interface Reg {
  readonly cls: 'r' | 'rd' | 'f' | 'p';
  readonly index: number;
}

function register(text: string, fail: (why: string) => never): Reg {
  const m = /^%(rd|r|f|p)(\d+)$/.exec(text);
  if (!m) return fail(`expected a register, found ${text}`);
  return { cls: m[1] as Reg['cls'], index: Number(m[2]) };
}

type Getter = (t: Thread) => number;
type Setter = (t: Thread, v: number) => void;

function getter(text: string, sharedOffsets: ReadonlyMap<string, number>, fail: (why: string) => never): Getter {
  const special: Record<string, Getter> = {
    '%tid.x': (t) => t.tid,
    '%ntid.x': (t) => t.block.ntid,
    '%ctaid.x': (t) => t.block.ctaid[0],
    '%ctaid.y': (t) => t.block.ctaid[1],
    '%nctaid.x': (t) => t.block.nctaid[0],
    '%nctaid.y': (t) => t.block.nctaid[1],
  };
  if (special[text]) return special[text]!;
  if (text.startsWith('%')) {
    const { cls, index } = register(text, fail);
    switch (cls) {
      case 'r': return (t) => t.r[index]!;
      case 'rd': return (t) => t.rd[index]!;
      case 'f': return (t) => t.f[index]!;
      case 'p': return (t) => t.p[index]!;
    }
  }
  const hex = /^0f([0-9a-fA-F]{8})$/.exec(text);
  if (hex) {
    const v = new Float32Array(new Uint32Array([parseInt(hex[1]!, 16)]).buffer)[0]!;
    return () => v;
  }
  if (/^-?\d+$/.test(text)) {
    const v = Number(text);
    return () => v;
  }
  const offset = sharedOffsets.get(text);
  if (offset !== undefined) return () => offset;
  return fail(`unknown operand ${text}`);
}

function setter(text: string, fail: (why: string) => never): Setter {
  const { cls, index } = register(text, fail);
  switch (cls) {
    case 'r': return (t, v) => { t.r[index] = v; };
    case 'rd': return (t, v) => { t.rd[index] = v; };
    case 'f': return (t, v) => { t.f[index] = v; };
    case 'p': return (t, v) => { t.p[index] = v ? 1 : 0; };
  }
}

/** A memory operand `[%rd4]` / `[%rd4+8]` as a byte-address getter. */
function address(text: string, sharedOffsets: ReadonlyMap<string, number>, fail: (why: string) => never): Getter {
  const m = /^\[([^\]+]+)(?:\+(-?\d+))?\]$/.exec(text);
  if (!m) return fail(`expected a memory operand, found ${text}`);
  const base = getter(m[1]!.trim(), sharedOffsets, fail);
  const plus = Number(m[2] ?? 0);
  return plus ? (t) => base(t) + plus : base;
}

function compileInstruction(
  ins: PtxInstruction, entry: PtxEntry, sharedOffsets: ReadonlyMap<string, number>, fail: (why: string) => never, onMma: (spec: MmaSpec) => void,
): Compiled {
  const [name, ...mods] = ins.op;
  const type = mods[mods.length - 1] ?? '';
  const a = ins.args;
  const get = (i: number): Getter => getter(a[i]!, sharedOffsets, fail);
  const set = (i: number): Setter => setter(a[i]!, fail);
  const isFloat = type === 'f32';
  switch (name) {
    case 'mov': case 'cvta': {
      const d = set(0);
      const s = get(1);
      return (t) => { d(t, s(t)); return NEXT; };
    }
    case 'add': case 'sub': case 'mul': case 'div': case 'rem': case 'max': case 'min': case 'and': case 'shr': case 'xor': case 'or': {
      const d = set(0);
      const x = get(1);
      const y = get(2);
      const f = binary(name, mods, fail);
      return (t) => { d(t, f(x(t), y(t))); return NEXT; };
    }
    case 'mad': case 'fma': {
      const d = set(0);
      const [x, y, z] = [get(1), get(2), get(3)];
      if (isFloat) return (t) => { d(t, f32(x(t) * y(t) + z(t))); return NEXT; };
      if (mods[0] !== 'lo') return fail('only mad.lo is simulated');
      return (t) => { d(t, (Math.imul(x(t), y(t)) + z(t)) | 0); return NEXT; };
    }
    case 'neg': case 'abs': case 'ex2': case 'lg2': case 'rcp': case 'sqrt': case 'rsqrt': case 'sin': case 'cos': {
      if (type === 's32' && (name === 'neg' || name === 'abs')) {
        // Two's complement: -(-2^31) and |-2^31| wrap to -2^31.
        const d = set(0);
        const x = get(1);
        return name === 'neg' ? (t) => { d(t, -x(t) | 0); return NEXT; } : (t) => { d(t, Math.abs(x(t)) | 0); return NEXT; };
      }
      if (!isFloat) return fail('only f32 (and s32 neg/abs) is simulated');
      const d = set(0);
      const x = get(1);
      const f = UNARY_F32[name]!;
      return (t) => { d(t, f(x(t))); return NEXT; };
    }
    case 'setp': {
      const cmp = COMPARE[mods[0]!] ?? fail('unknown comparison');
      const d = set(0);
      const [x, y] = [get(1), get(2)];
      return (t) => { d(t, cmp(x(t), y(t)) ? 1 : 0); return NEXT; };
    }
    case 'selp': {
      const d = set(0);
      const [x, y, p] = [get(1), get(2), get(3)];
      return (t) => { d(t, p(t) ? x(t) : y(t)); return NEXT; };
    }
    case 'not': {
      const d = set(0);
      const x = get(1);
      return type === 'pred' ? (t) => { d(t, x(t) ? 0 : 1); return NEXT; } : (t) => { d(t, ~x(t)); return NEXT; };
    }
    case 'cvt': return convert(mods, get, set, fail);
    case 'ld': case 'st': return memoryAccess(name, mods, ins, entry, sharedOffsets, fail);
    case 'bar': return () => BARRIER;
    case 'ret': return () => EXIT;
    case 'bra': {
      const target = entry.labels.get(a[0]!) ?? fail(`unknown label ${a[0]}`);
      return () => target;
    }
    case 'mma': {
      const list = (i: number, cls: Reg['cls']): number[] =>
        a[i]!.replace(/[{}]/g, '').split(',').map((r) => {
          const reg = register(r.trim(), fail);
          return reg.cls === cls ? reg.index : fail(`mma operand ${r} is not a %${cls} register`);
        });
      const operand = mods[6];
      if ((operand !== 'f16' && operand !== 'bf16') || ins.op.join('.') !== `mma.sync.aligned.m16n8k16.row.col.f32.${operand}.${operand}.f32`) return fail('only m16n8k16 row.col with f16/bf16 operands and f32 accumulators is simulated');
      onMma({ d: list(0, 'f'), a: list(1, 'r'), b: list(2, 'r'), c: list(3, 'f'), type: operand });
      return () => MMA;
    }
    default:
      return fail('instruction not simulated');
  }
}

function binary(name: string, mods: readonly string[], fail: (why: string) => never): (x: number, y: number) => number {
  const type = mods[mods.length - 1];
  if (type === 'f32') {
    switch (name) {
      case 'add': return (x, y) => f32(x + y);
      case 'sub': return (x, y) => f32(x - y);
      case 'mul': return (x, y) => f32(x * y);
      case 'div': return (x, y) => f32(x / y);
      // max/min return the other operand for one NaN (IEEE maxNum); .NaN propagates it.
      case 'max': return mods[0] === 'NaN' ? (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y)) : fmax;
      case 'min': return mods[0] === 'NaN' ? (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y)) : fmin;
      default: return fail('no f32 form');
    }
  }
  if (type === 's64' || type === 'u64') {
    if (name === 'add') return (x, y) => x + y;
    if (name === 'sub') return (x, y) => x - y;
    return fail('no 64-bit form simulated');
  }
  if (type === 'pred') {
    if (name === 'and') return (x, y) => x & y;
    if (name === 'or') return (x, y) => x | y;
    if (name === 'xor') return (x, y) => x ^ y;
    return fail('no predicate form');
  }
  // 32-bit integers, kept as int32 (registers are an Int32Array).
  switch (name) {
    case 'add': return (x, y) => (x + y) | 0;
    case 'sub': return (x, y) => (x - y) | 0;
    case 'mul':
      if (mods[0] === 'wide') return (x, y) => x * y;
      if (mods[0] === 'lo') return Math.imul;
      return fail('only mul.lo and mul.wide are simulated');
    case 'div': return (x, y) => (y === 0 ? 0 : (x / y) | 0);
    case 'rem': return (x, y) => (y === 0 ? 0 : x % y | 0);
    case 'max': return Math.max;
    case 'min': return Math.min;
    case 'and': return (x, y) => x & y;
    case 'or': return (x, y) => x | y;
    case 'xor': return (x, y) => x ^ y;
    case 'shr': return type === 'u32' ? (x, y) => (x >>> y) | 0 : (x, y) => x >> y;
    default: return fail('no integer form');
  }
}

function convert(mods: readonly string[], get: (i: number) => Getter, set: (i: number) => Setter, fail: (why: string) => never): Compiled {
  const key = mods.join('.');
  const d = set(0);
  const x = get(1);
  switch (key) {
    case 'rn.f32.s32': return (t) => { d(t, f32(x(t))); return NEXT; };
    // Integral rounding within f32: floor (rmi), ceil (rpi), toward zero (rzi), nearest even (rni).
    case 'rmi.f32.f32': return (t) => { d(t, Math.floor(x(t))); return NEXT; };
    case 'rpi.f32.f32': return (t) => { d(t, Math.ceil(x(t))); return NEXT; };
    case 'rzi.f32.f32': return (t) => { d(t, Math.trunc(x(t))); return NEXT; };
    case 'rzi.s32.f32': return (t) => {
      const v = x(t);
      d(t, Number.isNaN(v) ? 0 : Math.max(-2147483648, Math.min(2147483647, Math.trunc(v))));
      return NEXT;
    };
    case 'rn.f16x2.f32': case 'rn.bf16x2.f32': {
      // d = {hi: first source, lo: second source}.
      const y = get(2);
      const to = mods[1] === 'f16x2' ? toHalfBits : toBfloatBits;
      return (t) => { d(t, ((to(x(t)) << 16) | to(y(t))) | 0); return NEXT; };
    }
    default: return fail('conversion not simulated');
  }
}

function memoryAccess(
  name: string, mods: readonly string[], ins: PtxInstruction, entry: PtxEntry, sharedOffsets: ReadonlyMap<string, number>, fail: (why: string) => never,
): Compiled {
  const [space, type] = mods;
  if (space === 'param') {
    const d = setter(ins.args[0]!, fail);
    const p = /^\[(\w+)\]$/.exec(ins.args[1]!)?.[1] ?? fail('expected [param]');
    if (!entry.params.includes(p)) fail(`unknown parameter ${p}`);
    return (t) => { d(t, t.block.params.get(p)!); return NEXT; };
  }
  if ((space !== 'global' && space !== 'shared') || (type !== 'f32' && type !== 's32')) return fail('only 32-bit global and shared accesses are simulated');
  const where = space === 'global' ? (t: Thread): Memory => t.block.global : (t: Thread): Memory => t.block.shared;
  const view = type === 'f32' ? (m: Memory): Float32Array | Int32Array => m.f32 : (m: Memory): Float32Array | Int32Array => m.i32;
  const element = (t: Thread, addr: number): number => {
    const m = view(where(t));
    const i = addr / 4;
    if (!Number.isInteger(i) || i < 0 || i >= m.length) throw new PtxSimError(`${entry.name}, PTX line ${ins.line}: ${space} ${name} out of bounds or misaligned at byte ${addr} (thread ${t.tid} of block ${t.block.ctaid.join(',')})`);
    return i;
  };
  if (name === 'ld') {
    const d = setter(ins.args[0]!, fail);
    const at = address(ins.args[1]!, sharedOffsets, fail);
    return (t) => { d(t, view(where(t))[element(t, at(t))]!); return NEXT; };
  }
  const at = address(ins.args[0]!, sharedOffsets, fail);
  const v = getter(ins.args[1]!, sharedOffsets, fail);
  return (t) => { view(where(t))[element(t, at(t))] = v(t); return NEXT; };
}
