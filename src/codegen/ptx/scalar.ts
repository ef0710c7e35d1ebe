import { range, type Index } from '../../compile/index-expr.js';
import type { Kernel, Scalar, ScalarType } from '../../compile/kernel-ir.js';
import type { Plan } from '../../compile/plan.js';
import { bindingKey, type Binding } from '../../compile/bindings.js';
import { Placement } from '../placement.js';
import { numel } from '../../ir/shape.js';

/**
 * The PTX emitter's building blocks: typed virtual registers, an entry's parameters and
 * labels, and the translation of kernel-IR scalars into instructions (scalarEmitter), shared
 * by the plain, owner-phased and tensor-core entries.
 */

/** log2(e): exp(x) is computed as ex2(x * LOG2E). */
export const LOG2E = Math.LOG2E;
const LN2 = Math.LN2;

/** A PTX f32 immediate. */
export function f32Literal(v: number): string {
  // PTX takes f32 immediates as 0fXXXXXXXX (the IEEE bits), which is exact for any value.
  const buf = new DataView(new ArrayBuffer(4));
  buf.setFloat32(0, v);
  return `0f${buf.getUint32(0).toString(16).padStart(8, '0').toUpperCase()}`;
}

export class Registers {
  private counts = { f: 0, r: 0, rd: 0, p: 0 };
  f(): string { return `%f${++this.counts.f}`; }
  r(): string { return `%r${++this.counts.r}`; }
  rd(): string { return `%rd${++this.counts.rd}`; }
  p(): string { return `%p${++this.counts.p}`; }
  of(t: ScalarType): string { return t === 'i32' ? this.r() : this.f(); }
  declarations(): string[] {
    const c = this.counts;
    return [`.reg .pred %p<${c.p + 1}>;`, `.reg .f32 %f<${c.f + 1}>;`, `.reg .b32 %r<${c.r + 1}>;`, `.reg .b64 %rd<${c.rd + 1}>;`];
  }
}

/** Where a tensor's elements are: see PtxFunction.buffer. */
export interface Buffer {
  readonly reg: string;
  /** Elements of the tensor (global indices run over [0, elements)). */
  readonly elements: number;
  readonly offset: number;
  readonly replicaStride: number;
  readonly space: 'global' | 'shared';
  readonly ownerPart: number;
}

/**
 * Registers, parameters and labels of one PTX entry, shared by its phases. The parameters
 * are the dispatch's binding table (compile/bindings.ts), one .u64 address each, in its order.
 */
export class PtxFunction {
  readonly regs = new Registers();
  readonly params: readonly string[];
  readonly prologue: string[] = [];
  private readonly paramReg = new Map<string, string>();
  private labels = 0;

  constructor(
    readonly name: string,
    private readonly plan: Plan,
    /** Set in owner-phased entries: replicated tensors are addressed in the owner's copy. */
    readonly ownerPhased: boolean,
    table: readonly Binding[],
  ) {
    this.params = table.map((b) => bindingKey(b.source));
  }

  /** `.shared` arrays of the entry (workgroup-scope tensors), by type: their element counts. */
  readonly shared = new Map<ScalarType, number>();

  /**
   * The address register of the memory holding tensor `id`, its element offset, its
   * replication, its state space, and for a workgroup-scope tensor holding only the owner's
   * part, that part's length (the owner's start is subtracted from global indices).
   */
  buffer(id: number): Buffer {
    const t = this.plan.tensors.get(id)!;
    if (t.workgroup) {
      const key = `fib_wg_${t.ref.type}`;
      let reg = this.paramReg.get(key);
      if (!reg) {
        reg = this.regs.rd();
        this.paramReg.set(key, reg);
        this.prologue.push(`mov.u64 ${reg}, ${key};`);
      }
      return { reg, elements: numel(t.ref.node.shape), offset: t.workgroup.offset, replicaStride: 0, space: 'shared', ownerPart: t.workgroup.perOwner ? t.workgroup.length : 0 };
    }
    const key = bindingKey(t.arena ? { kind: 'arena', index: t.arena.index } : { kind: 'tensor', id });
    if (!this.params.includes(key)) throw new Error(`internal: ${key} is not in ${this.name}'s binding table`);
    let reg = this.paramReg.get(key);
    if (!reg) {
      reg = this.regs.rd();
      this.paramReg.set(key, reg);
      this.prologue.push(`ld.param.u64 ${reg}, [${this.name}_${key}];`, `cvta.to.global.u64 ${reg}, ${reg};`);
    }
    const replicaStride = this.ownerPhased && t.replicas > 1 ? t.ref.node.shape.reduce((x, y) => x * y, 1) : 0;
    return { reg, elements: numel(t.ref.node.shape), offset: t.arena?.offset ?? 0, replicaStride, space: 'global', ownerPart: 0 };
  }

  label(what: string): string {
    return `$L_${this.name}_${this.labels++}_${what}`;
  }
}

/** What scalarEmitter gives its caller: see there. */
export interface ScalarEmitter {
  /** The register holding a scalar's value, its instructions placed in `place`'s blocks. */
  readonly scalar: (s: Scalar) => string;
  /** The s32 register holding an index expression's value. */
  readonly index: (ix: Index) => string;
  readonly place: Placement;
  /** Registers of index variables the caller defines (output indices, tile coordinates). */
  readonly varRegs: Map<string, string>;
  /** Registers of loop variables the caller opens (a tensor-core k loop). */
  readonly loopRegs: Map<string, string>;
  /** Registers holding `named` scalars (accumulators). */
  readonly named: Map<string, string>;
  /**
   * Instructions computing the address of element `ix` (a register) of a buffer; with
   * `clamp`, the element is first clamped into the tensor (see the `load` case).
   */
  readonly address: (lines: string[], b: Buffer, ix: string, clamp?: boolean) => string;
  readonly buffer: (id: number) => Buffer;
}

/**
 * Translates kernel-IR scalars into PTX instructions for entry `fn`. Each instruction goes
 * into the block of the innermost open loop its value depends on (reductions open their own
 * loops); index variables read their registers from `varRegs`/`loopRegs`, which the caller
 * fills. `owner` (owner-phased entries) addresses replicas and workgroup-scope tensors.
 */
export function scalarEmitter(kernel: Kernel, fn: PtxFunction, owner: string | undefined): ScalarEmitter {
  const regs = fn.regs;
  const buffer = (id: number): Buffer => fn.buffer(id);
  const address = (lines: string[], b: Buffer, ix: string, clamp = false): string => {
    const off = regs.r();
    const addr = regs.rd();
    // The element within what the buffer holds: the owner's part of a per-owner workgroup tensor.
    let local = ix;
    const perOwner = owner !== undefined && b.ownerPart > 0;
    if (perOwner) {
      local = regs.r();
      lines.push(`mad.lo.s32 ${local}, ${owner}, ${-b.ownerPart}, ${ix};`);
    }
    if (clamp) {
      const c = regs.r();
      lines.push(`max.s32 ${c}, ${local}, 0;`, `min.s32 ${c}, ${c}, ${(perOwner ? b.ownerPart : b.elements) - 1};`);
      local = c;
    }
    lines.push(`add.s32 ${off}, ${local}, ${b.offset};`);
    if (owner && b.replicaStride) lines.push(`mad.lo.s32 ${off}, ${owner}, ${b.replicaStride}, ${off};`);
    lines.push(`mul.wide.s32 ${addr}, ${off}, 4;`, `add.s64 ${addr}, ${b.reg}, ${addr};`);
    return addr;
  };
  // Every buffer the kernel binds becomes a parameter, in binding order.
  buffer(kernel.output.id);
  for (const r of kernel.reads) buffer(r.id);

  const place = new Placement(kernel.values);
  const { blocks } = place;
  const loopRegs = new Map<string, string>();
  const depthOf = (vars: Set<string>): number => place.depthOf(vars);
  const scalarVars = (s: Scalar): Set<string> => place.scalarVars(s);

  // Index expressions: s32 registers, emitted at the depth of their deepest loop variable.
  const varRegs = new Map<string, string>();
  const valueRegs = new Map<number, string>();
  const index = (ix: Index): string => {
    const lines = blocks[depthOf(place.indexVars(ix))]!;
    let acc: string | undefined;
    const addTerm = (reg: string, coef: number): void => {
      const t = regs.r();
      if (coef === 1) lines.push(`mov.s32 ${t}, ${reg};`);
      else lines.push(`mul.lo.s32 ${t}, ${reg}, ${coef};`);
      if (acc) {
        const sum = regs.r();
        lines.push(`add.s32 ${sum}, ${acc}, ${t};`);
        acc = sum;
      } else acc = t;
    };
    for (const term of ix.terms) {
      const a = term.atom;
      let reg: string;
      if (a.k === 'var') reg = loopRegs.get(a.name) ?? varRegs.get(a.name)!;
      else if (a.k === 'value') reg = value(a.id);
      else {
        const inner = index(a.of);
        reg = regs.r();
        lines.push(`${a.k === 'div' ? 'div' : 'rem'}.s32 ${reg}, ${inner}, ${a.by};`);
      }
      addTerm(reg, term.coef);
    }
    const result = regs.r();
    lines.push(acc ? `add.s32 ${result}, ${acc}, ${ix.constant};` : `mov.s32 ${result}, ${ix.constant};`);
    return result;
  };
  const value = (id: number): string => {
    const known = valueRegs.get(id);
    if (known) return known;
    const s = kernel.values.get(id)!;
    const v = scalar(s);
    let reg = v;
    if (s.type !== 'i32') {
      reg = regs.r();
      blocks[depthOf(scalarVars(s))]!.push(`cvt.rzi.s32.f32 ${reg}, ${v};`);
    }
    valueRegs.set(id, reg);
    return reg;
  };

  const names = new Map<Scalar, string>();
  const named = new Map<string, string>();
  const scalar = (s: Scalar): string => {
    const known = names.get(s);
    if (known) return known;
    const lines = blocks[depthOf(scalarVars(s))]!;
    const t = s.type;
    const suffix = t === 'i32' ? 's32' : 'f32';
    const dst = (): string => regs.of(t);
    let reg: string;
    switch (s.k) {
      case 'const':
        reg = dst();
        lines.push(t === 'i32' ? `mov.s32 ${reg}, ${Math.trunc(s.value)};` : `mov.f32 ${reg}, ${f32Literal(s.value)};`);
        break;
      case 'named': {
        const known = named.get(s.name);
        if (!known) throw new Error(`no register holds ${s.name}`);
        return known;
      }
      case 'index': {
        const ix = index(s.index);
        reg = dst();
        lines.push(t === 'i32' ? `mov.s32 ${reg}, ${ix};` : `cvt.rn.f32.s32 ${reg}, ${ix};`);
        break;
      }
      case 'load': {
        const b = buffer(s.tensor);
        const ix = index(s.index);
        // A load under a guard (pad, concat) is made before the guard selects 0, so its index
        // may lie outside the tensor: clamped then, or it would read past the buffer (a fault
        // on a GPU). Indices provably inside need no clamp; the owner's part of a per-owner
        // workgroup tensor is not provable from the global index, so those are always clamped.
        const [lo, hi] = range(s.index);
        const clamp = lo < 0 || hi >= b.elements || (owner !== undefined && b.ownerPart > 0);
        const addr = address(lines, b, ix, clamp);
        reg = dst();
        lines.push(`ld.${b.space}.${t === 'i32' ? 's32' : 'f32'} ${reg}, [${addr}];`);
        break;
      }
      case 'unary': {
        const a = scalar(s.a);
        reg = dst();
        const tmp = (): string => regs.f();
        switch (s.fn) {
          case 'neg': lines.push(`neg.${suffix} ${reg}, ${a};`); break;
          case 'abs': lines.push(`abs.${suffix} ${reg}, ${a};`); break;
          case 'exp': { const x = tmp(); lines.push(`mul.f32 ${x}, ${a}, ${f32Literal(LOG2E)};`, `ex2.approx.f32 ${reg}, ${x};`); break; }
          case 'log': { const x = tmp(); lines.push(`lg2.approx.f32 ${x}, ${a};`, `mul.f32 ${reg}, ${x}, ${f32Literal(LN2)};`); break; }
          case 'sqrt': lines.push(`sqrt.rn.f32 ${reg}, ${a};`); break;
          case 'rsqrt': { const x = tmp(); lines.push(`sqrt.rn.f32 ${x}, ${a};`, `rcp.rn.f32 ${reg}, ${x};`); break; }
          case 'recip': lines.push(`rcp.rn.f32 ${reg}, ${a};`); break;
          case 'floor': lines.push(`cvt.rmi.f32.f32 ${reg}, ${a};`); break;
          // The approximate forms: absolute error about 2^-20.5 over [-100 pi, 100 pi] (PTX ISA).
          case 'sin': lines.push(`sin.approx.f32 ${reg}, ${a};`); break;
          case 'cos': lines.push(`cos.approx.f32 ${reg}, ${a};`); break;
          case 'sigmoid': {
            const [x, e, d] = [tmp(), tmp(), tmp()];
            lines.push(`mul.f32 ${x}, ${a}, ${f32Literal(-LOG2E)};`, `ex2.approx.f32 ${e}, ${x};`, `add.f32 ${d}, ${e}, ${f32Literal(1)};`, `rcp.rn.f32 ${reg}, ${d};`);
            break;
          }
          case 'tanh': {
            // tanh(x) = 1 - 2 / (exp(2x) + 1), with x clamped so exp cannot overflow; below
            // |x| = 0.1 that formula cancels (and gives +0 for -1e-40), so the odd Taylor series
            // x (1 + x^2 (-1/3 + x^2 (2/15 - 17/315 x^2))) is used there (error < 1e-9 relative,
            // the sign and a denormal kept).
            const [c, x, e, d, q, big, x2, poly, small, ax] = [tmp(), tmp(), tmp(), tmp(), tmp(), tmp(), tmp(), tmp(), tmp(), tmp()];
            const tiny = regs.p();
            lines.push(`max.NaN.f32 ${c}, ${a}, ${f32Literal(-20)};`, `min.NaN.f32 ${c}, ${c}, ${f32Literal(20)};`, `mul.f32 ${x}, ${c}, ${f32Literal(2 * LOG2E)};`,
              `ex2.approx.f32 ${e}, ${x};`, `add.f32 ${d}, ${e}, ${f32Literal(1)};`, `div.rn.f32 ${q}, ${f32Literal(2)}, ${d};`, `sub.f32 ${big}, ${f32Literal(1)}, ${q};`,
              `mul.f32 ${x2}, ${a}, ${a};`, `fma.rn.f32 ${poly}, ${x2}, ${f32Literal(-17 / 315)}, ${f32Literal(2 / 15)};`, `fma.rn.f32 ${poly}, ${x2}, ${poly}, ${f32Literal(-1 / 3)};`,
              `fma.rn.f32 ${poly}, ${x2}, ${poly}, ${f32Literal(1)};`, `mul.f32 ${small}, ${a}, ${poly};`,
              `abs.f32 ${ax}, ${a};`, `setp.lt.f32 ${tiny}, ${ax}, ${f32Literal(0.1)};`, `selp.f32 ${reg}, ${small}, ${big}, ${tiny};`);
            break;
          }
          case 'erf': {
            // Abramowitz & Stegun 7.1.26, as the WGSL helper.
            const [ax, t1, den, y, x2, e, poly, pos] = [tmp(), tmp(), tmp(), tmp(), tmp(), tmp(), tmp(), regs.p()];
            lines.push(`abs.f32 ${ax}, ${a};`, `fma.rn.f32 ${den}, ${ax}, ${f32Literal(0.3275911)}, ${f32Literal(1)};`, `rcp.rn.f32 ${t1}, ${den};`,
              `fma.rn.f32 ${poly}, ${t1}, ${f32Literal(1.061405429)}, ${f32Literal(-1.453152027)};`,
              `fma.rn.f32 ${poly}, ${poly}, ${t1}, ${f32Literal(1.421413741)};`,
              `fma.rn.f32 ${poly}, ${poly}, ${t1}, ${f32Literal(-0.284496736)};`,
              `fma.rn.f32 ${poly}, ${poly}, ${t1}, ${f32Literal(0.254829592)};`,
              `mul.f32 ${poly}, ${poly}, ${t1};`,
              `mul.f32 ${x2}, ${a}, ${a};`, `mul.f32 ${x2}, ${x2}, ${f32Literal(-LOG2E)};`, `ex2.approx.f32 ${e}, ${x2};`,
              `mul.f32 ${y}, ${poly}, ${e};`, `sub.f32 ${y}, ${f32Literal(1)}, ${y};`,
              `setp.ge.f32 ${pos}, ${a}, ${f32Literal(0)};`, `neg.f32 ${ax}, ${y};`, `selp.f32 ${reg}, ${y}, ${ax}, ${pos};`);
            break;
          }
        }
        break;
      }
      case 'binary': {
        const a = scalar(s.a);
        const b = scalar(s.b);
        reg = dst();
        const cmp: Record<string, string> = { lt: 'lt', le: 'le', gt: 'gt', ge: 'ge', eq: 'eq', ne: 'ne' };
        if (cmp[s.fn]) {
          const p = regs.p();
          const operandType = s.a.type === 'i32' ? 's32' : 'f32';
          // Float comparisons are ordered (false with a NaN) except `ne`, which IEEE makes true:
          // PTX's unordered neu.
          const c = s.fn === 'ne' && operandType === 'f32' ? 'neu' : cmp[s.fn];
          lines.push(`setp.${c}.${operandType} ${p}, ${a}, ${b};`, t === 'i32' ? `selp.s32 ${reg}, 1, 0, ${p};` : `selp.f32 ${reg}, ${f32Literal(1)}, ${f32Literal(0)}, ${p};`);
        } else if (t === 'i32' && (s.fn === 'div' || s.fn === 'mod')) {
          // Floor division and modulo, as the interpreter defines them.
          const [q, r, fix] = [regs.r(), regs.r(), regs.r()];
          const [nz, sr, sb, adjust] = [regs.p(), regs.p(), regs.p(), regs.p()];
          lines.push(`div.s32 ${q}, ${a}, ${b};`, `rem.s32 ${r}, ${a}, ${b};`, `setp.ne.s32 ${nz}, ${r}, 0;`, `setp.lt.s32 ${sr}, ${r}, 0;`, `setp.lt.s32 ${sb}, ${b}, 0;`,
            `xor.pred ${adjust}, ${sr}, ${sb};`, `and.pred ${adjust}, ${adjust}, ${nz};`);
          if (s.fn === 'div') lines.push(`sub.s32 ${fix}, ${q}, 1;`, `selp.s32 ${reg}, ${fix}, ${q}, ${adjust};`);
          else lines.push(`add.s32 ${fix}, ${r}, ${b};`, `selp.s32 ${reg}, ${fix}, ${r}, ${adjust};`);
        } else if (s.fn === 'pow') {
          lines.push(...powLines(regs, reg, a, b));
        } else {
          const op: Record<string, string> = { add: 'add', sub: 'sub', mul: t === 'i32' ? 'mul.lo' : 'mul', div: 'div.rn', max: t === 'i32' ? 'max' : 'max.NaN', min: t === 'i32' ? 'min' : 'min.NaN' };
          lines.push(`${op[s.fn]}.${suffix} ${reg}, ${a}, ${b};`);
        }
        break;
      }
      case 'where': {
        const c = scalar(s.c);
        const a = scalar(s.a);
        const b = scalar(s.b);
        const p = regs.p();
        reg = dst();
        lines.push(s.c.type === 'i32' ? `setp.ne.s32 ${p}, ${c}, 0;` : `setp.neu.f32 ${p}, ${c}, ${f32Literal(0)};`, `selp.${t === 'i32' ? 's32' : 'f32'} ${reg}, ${a}, ${b}, ${p};`);
        break;
      }
      case 'cast': {
        const a = scalar(s.a);
        reg = dst();
        if (s.a.type === t) lines.push(`mov.${suffix} ${reg}, ${a};`);
        else lines.push(t === 'i32' ? `cvt.rzi.s32.f32 ${reg}, ${a};` : `cvt.rn.f32.s32 ${reg}, ${a};`);
        break;
      }
      case 'guard': {
        const a = scalar(s.a);
        let p: string | undefined;
        for (const b of s.bounds) {
          const ix = index(b.index);
          const [lo, hi] = [regs.p(), regs.p()];
          lines.push(`setp.ge.s32 ${lo}, ${ix}, ${b.lo};`, `setp.lt.s32 ${hi}, ${ix}, ${b.hi};`, `and.pred ${lo}, ${lo}, ${hi};`);
          if (p) lines.push(`and.pred ${p}, ${p}, ${lo};`);
          else p = lo;
        }
        reg = dst();
        lines.push(`selp.${t === 'i32' ? 's32' : 'f32'} ${reg}, ${a}, ${t === 'i32' ? '0' : f32Literal(0)}, ${p!};`);
        break;
      }
      case 'reduce': {
        const depth = depthOf(scalarVars(s));
        const acc = dst();
        const counter = regs.r();
        const done = regs.p();
        const top = fn.label('top');
        const end = fn.label('end');
        const init = s.fn === 'sum' ? (t === 'i32' ? '0' : f32Literal(0)) : t === 'i32' ? '-2147483648' : '0fFF800000';
        blocks[depth]!.push(`mov.${suffix} ${acc}, ${init};`, `mov.s32 ${counter}, 0;`);
        loopRegs.set(s.loop.name, counter);
        place.open(s.loop.name);
        const body = scalar(s.body);
        const inner = place.close();
        const update = s.fn === 'sum' ? `add.${suffix} ${acc}, ${acc}, ${body};` : `max.${t === 'i32' ? suffix : 'NaN.f32'} ${acc}, ${acc}, ${body};`;
        blocks[depth]!.push(`${top}:`, `setp.ge.s32 ${done}, ${counter}, ${s.loop.size};`, `@${done} bra ${end};`, ...inner, update, `add.s32 ${counter}, ${counter}, 1;`, `bra ${top};`, `${end}:`);
        names.set(s, acc);
        return acc;
      }
    }
    names.set(s, reg);
    return reg;
  };

  return { scalar, index, place, varRegs, loopRegs, named, address, buffer };
}

/**
 * Instructions decomposing the row-major index in register `flat` over `sizes` into one s32
 * register per axis of size > 1, recorded in `varRegs` as `i0`, `i1`, ... (the output index
 * variables the kernel IR uses).
 */
export function decomposeFlat(fn: PtxFunction, flat: string, sizes: readonly number[], varRegs: Map<string, string>): string[] {
  const lines: string[] = [];
  let stride = 1;
  for (let i = sizes.length - 1; i >= 0; i--) {
    if (sizes[i]! > 1) {
      const [v, d] = [fn.regs.r(), fn.regs.r()];
      lines.unshift(`div.s32 ${d}, ${flat}, ${stride};`, `rem.s32 ${v}, ${d}, ${sizes[i]};`);
      varRegs.set(`i${i}`, v);
    }
    stride *= sizes[i]!;
  }
  return lines;
}

/** An entry's text and launch shape. */
export interface EntryText {
  readonly lines: string[];
  readonly fn: PtxFunction;
}

/** The text of an entry: parameters, register and shared declarations, prologue and body. */
export function entryText(fn: PtxFunction, comment: string, threads: number, body: string[]): string[] {
  return [
    `// ${comment}`,
    `.visible .entry ${fn.name}(`,
    fn.params.map((p) => `  .param .u64 ${fn.name}_${p}`).join(',\n'),
    `)`,
    `.maxntid ${threads}, 1, 1`,
    '{',
    ...fn.regs.declarations().map((l) => `  ${l}`),
    // Intermediates private to this entry's block: its owner's part, on chip.
    ...[...fn.shared].map(([type, n]) => `  .shared .align 16 .b32 fib_wg_${type}[${Math.max(1, n)}];`),
    ...[...fn.prologue, ...body].map((l) => (l.endsWith(':') ? l : `  ${l}`)),
    '}',
  ];
}

/** The linear block index (grids fold x over 65535 blocks into y) into a fresh register. */
export function blockIndex(fn: PtxFunction, lines: string[]): string {
  const [cx, cy, nx, linear] = [fn.regs.r(), fn.regs.r(), fn.regs.r(), fn.regs.r()];
  lines.push(`mov.u32 ${cx}, %ctaid.x;`, `mov.u32 ${cy}, %ctaid.y;`, `mov.u32 ${nx}, %nctaid.x;`, `mad.lo.s32 ${linear}, ${cy}, ${nx}, ${cx};`);
  return linear;
}


/**
 * x ** y as the interpreter defines it (C99 pow). The magnitude is ex2(y lg2|x|), which is
 * already right for zero and infinite bases (lg2 0 = -inf, ex2 -inf = 0) and for NaN; then a
 * negative base (-0 included: 1/x < 0) under an odd exponent flips the sign, a finite negative
 * base under a non-integral exponent is NaN, and y = 0, x = 1 and (|x| = 1, |y| = inf) give 1.
 */
function powLines(regs: PtxFunction['regs'], out: string, x: string, y: string): string[] {
  const [ax, m, neg, fy, half, t, inv] = [regs.f(), regs.f(), regs.f(), regs.f(), regs.f(), regs.f(), regs.f()];
  const [integral, odd, negative, p, finite, one, q] = [regs.p(), regs.p(), regs.p(), regs.p(), regs.p(), regs.p(), regs.p()];
  const INF = '0f7F800000';
  return [
    `abs.f32 ${ax}, ${x};`, `lg2.approx.f32 ${m}, ${ax};`, `mul.f32 ${m}, ${m}, ${y};`, `ex2.approx.f32 ${m}, ${m};`,
    `cvt.rmi.f32.f32 ${fy}, ${y};`, `setp.eq.f32 ${integral}, ${fy}, ${y};`,
    `mul.f32 ${half}, ${y}, ${f32Literal(0.5)};`, `cvt.rmi.f32.f32 ${half}, ${half};`, `fma.rn.f32 ${t}, ${half}, ${f32Literal(-2)}, ${y};`,
    `abs.f32 ${t}, ${t};`, `setp.eq.f32 ${odd}, ${t}, ${f32Literal(1)};`, `and.pred ${odd}, ${odd}, ${integral};`,
    `rcp.rn.f32 ${inv}, ${x};`, `setp.lt.f32 ${negative}, ${x}, ${f32Literal(0)};`, `setp.lt.f32 ${p}, ${inv}, ${f32Literal(0)};`, `or.pred ${negative}, ${negative}, ${p};`,
    `and.pred ${p}, ${odd}, ${negative};`, `neg.f32 ${neg}, ${m};`, `selp.f32 ${m}, ${neg}, ${m}, ${p};`,
    `setp.lt.f32 ${p}, ${x}, ${f32Literal(0)};`, `setp.ne.f32 ${finite}, ${ax}, ${INF};`, `and.pred ${p}, ${p}, ${finite};`, `not.pred ${q}, ${integral};`,
    `and.pred ${p}, ${p}, ${q};`, `selp.f32 ${m}, 0f7FC00000, ${m}, ${p};`,
    `setp.eq.f32 ${one}, ${y}, ${f32Literal(0)};`, `setp.eq.f32 ${p}, ${x}, ${f32Literal(1)};`, `or.pred ${one}, ${one}, ${p};`,
    `abs.f32 ${t}, ${y};`, `setp.eq.f32 ${p}, ${t}, ${INF};`, `setp.eq.f32 ${q}, ${ax}, ${f32Literal(1)};`, `and.pred ${p}, ${p}, ${q};`, `or.pred ${one}, ${one}, ${p};`,
    `selp.f32 ${out}, ${f32Literal(1)}, ${m}, ${one};`,
  ];
}
