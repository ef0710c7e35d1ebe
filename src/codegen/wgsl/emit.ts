import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Index } from '../../compile/index-expr.js';
import type { Scalar, ScalarType } from '../../compile/kernel-ir.js';
import type { Plan, PlannedKernel } from '../../compile/plan.js';
import { WGSL_HELPERS } from './helpers.js';

/** What a binding of a compiled kernel is bound to at run time. */
export type BindingSource = { readonly kind: 'tensor'; readonly id: number } | { readonly kind: 'arena'; readonly index: number };

/** A kernel as WGSL source plus how to bind and dispatch it. */
export interface WgslKernel {
  readonly name: string;
  readonly source: string;
  readonly bindings: readonly BindingSource[];
  readonly workgroups: readonly [number, number];
}

function findKernelsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      readFileSync(join(dir, 'kernels', 'wgsl', 'pointwise.wgsl.hbs'));
      return join(dir, 'kernels');
    } catch {
      const parent = dirname(dir);
      if (parent === dir) throw new Error('fiberc installation is broken: kernels/wgsl/pointwise.wgsl.hbs not found');
      dir = parent;
    }
  }
}

let template: HandlebarsTemplateDelegate | undefined;
function pointwiseTemplate(): HandlebarsTemplateDelegate {
  // noEscape: this is code, not HTML.
  template ??= Handlebars.compile(readFileSync(join(findKernelsDir(), 'wgsl', 'pointwise.wgsl.hbs'), 'utf8'), { noEscape: true, strict: true });
  return template;
}

/** A WGSL literal of the given scalar type. */
function literal(v: number, type: ScalarType): string {
  if (type === 'i32') return `i32(${v})`;
  if (v === Infinity) return 'bitcast<f32>(0x7f800000u)';
  if (v === -Infinity) return 'bitcast<f32>(0xff800000u)';
  if (Number.isNaN(v)) return 'bitcast<f32>(0x7fc00000u)';
  const s = String(v);
  return `f32(${/[.e]/.test(s) ? s : `${s}.0`})`;
}

/**
 * Renders one planned kernel as WGSL. Every distinct scalar becomes a `let`; a reduction
 * becomes a `for` loop whose body holds exactly the scalars that depend on its loop
 * variable (the rest are hoisted above it).
 */
export function emitWgsl(planned: PlannedKernel, plan: Plan): WgslKernel {
  const k = planned.kernel;
  const bindings: BindingSource[] = [];
  const bindingDecls: { binding: number; access: string; name: string; type: string }[] = [];
  const bufferName = new Map<string, string>();
  const bind = (source: BindingSource, type: ScalarType, access: 'read' | 'read_write'): string => {
    const keyOf = source.kind === 'arena' ? `arena${source.index}` : `buf${source.id}`;
    const existing = bufferName.get(keyOf);
    if (existing) return existing;
    const name = keyOf;
    bufferName.set(keyOf, name);
    bindingDecls.push({ binding: bindings.length, access, name, type });
    bindings.push(source);
    return name;
  };
  const location = (id: number): { name: string; offset: number } => {
    const t = plan.tensors.get(id)!;
    if (t.arena) return { name: bind({ kind: 'arena', index: t.arena.index }, t.ref.type, 'read'), offset: t.arena.offset };
    return { name: bind({ kind: 'tensor', id }, t.ref.type, 'read'), offset: 0 };
  };
  const output = bind({ kind: 'tensor', id: k.output.id }, k.output.type, 'read_write');
  for (const r of k.reads) location(r.id);

  const helpers = new Set<string>();
  const loops: string[] = [];
  // Lines per nesting depth; depth 0 is the kernel body.
  const blocks: string[][] = [[]];
  const names = new Map<Scalar, string>();
  const valueNames = new Map<number, string>();
  let counter = 0;

  const depthOfVars = (vars: Set<string>): number => {
    let d = 0;
    loops.forEach((l, i) => {
      if (vars.has(l)) d = Math.max(d, i + 1);
    });
    return d;
  };
  const varsMemo = new Map<Scalar, Set<string>>();
  const indexVars = (ix: Index, into: Set<string>): void => {
    for (const t of ix.terms) {
      const a = t.atom;
      if (a.k === 'var') into.add(a.name);
      else if (a.k === 'value') scalarVars(k.values.get(a.id)!).forEach((v) => into.add(v));
      else indexVars(a.of, into);
    }
  };
  const scalarVars = (s: Scalar): Set<string> => {
    const memo = varsMemo.get(s);
    if (memo) return memo;
    const out = new Set<string>();
    switch (s.k) {
      case 'load': case 'index': indexVars(s.index, out); break;
      case 'const': break;
      case 'unary': case 'cast': scalarVars(s.a).forEach((v) => out.add(v)); break;
      case 'binary': [s.a, s.b].forEach((x) => scalarVars(x).forEach((v) => out.add(v))); break;
      case 'where': [s.c, s.a, s.b].forEach((x) => scalarVars(x).forEach((v) => out.add(v))); break;
      case 'guard': scalarVars(s.a).forEach((v) => out.add(v)); s.bounds.forEach((b) => indexVars(b.index, out)); break;
      case 'reduce': scalarVars(s.body).forEach((v) => v !== s.loop.name && out.add(v)); break;
    }
    varsMemo.set(s, out);
    return out;
  };

  const ix = (i: Index): string => {
    const parts: string[] = [];
    for (const t of i.terms) {
      const a = t.atom;
      const atom = a.k === 'var' ? a.name : a.k === 'value' ? value(a.id) : `((${ix(a.of)}) ${a.k === 'div' ? '/' : '%'} ${a.by})`;
      parts.push(t.coef === 1 ? atom : `${atom} * ${t.coef}`);
    }
    if (i.constant !== 0 || parts.length === 0) parts.push(String(i.constant));
    return parts.join(' + ').replace(/\+ -/g, '- ');
  };
  const value = (id: number): string => {
    const known = valueNames.get(id);
    if (known) return known;
    const s = k.values.get(id)!;
    const name = `v${id}`;
    const expr = scalar(s);
    blocks[depthOfVars(scalarVars(s))]!.push(`let ${name} = ${s.type === 'i32' ? expr : `i32(${expr})`};`);
    valueNames.set(id, name);
    return name;
  };
  const wgslType = (t: ScalarType): string => t;
  const zero = (t: ScalarType): string => (t === 'i32' ? '0i' : '0.0');
  const one = (t: ScalarType): string => (t === 'i32' ? '1i' : '1.0');

  const scalar = (s: Scalar): string => {
    if (s.k === 'const') return literal(s.value, s.type);
    const known = names.get(s);
    if (known) return known;
    let expr: string;
    switch (s.k) {
      case 'load': {
        const loc = location(s.tensor);
        expr = `${loc.name}[${loc.offset ? `${loc.offset} + ` : ''}${ix(s.index)}]`;
        break;
      }
      case 'index':
        expr = s.type === 'i32' ? `(${ix(s.index)})` : `f32(${ix(s.index)})`;
        break;
      case 'unary': {
        const a = scalar(s.a);
        switch (s.fn) {
          case 'neg': expr = `-(${a})`; break;
          case 'recip': expr = `1.0 / ${a}`; break;
          case 'rsqrt': expr = `inverseSqrt(${a})`; break;
          case 'sigmoid': expr = `1.0 / (1.0 + exp(-(${a})))`; break;
          case 'erf': helpers.add('fib_erf'); expr = `fib_erf(${a})`; break;
          case 'tanh': helpers.add('fib_tanh'); expr = `fib_tanh(${a})`; break;
          default: expr = `${s.fn}(${a})`;
        }
        break;
      }
      case 'binary': {
        const a = scalar(s.a);
        const b = scalar(s.b);
        const cmp: Record<string, string> = { lt: '<', le: '<=', gt: '>', ge: '>=', eq: '==', ne: '!=' };
        const arith: Record<string, string> = { add: '+', sub: '-', mul: '*', div: '/' };
        if (cmp[s.fn]) expr = `select(${zero(s.type)}, ${one(s.type)}, ${a} ${cmp[s.fn]} ${b})`;
        else if (s.fn === 'div' && s.type === 'i32') { helpers.add('fib_idiv'); expr = `fib_idiv(${a}, ${b})`; }
        else if (s.fn === 'mod') { helpers.add('fib_imod'); expr = `fib_imod(${a}, ${b})`; }
        else if (arith[s.fn]) expr = `${a} ${arith[s.fn]} ${b}`;
        else expr = `${s.fn}(${a}, ${b})`;
        break;
      }
      case 'where':
        expr = `select(${scalar(s.b)}, ${scalar(s.a)}, ${scalar(s.c)} != ${zero(s.c.type)})`;
        break;
      case 'cast':
        expr = `${wgslType(s.type)}(${scalar(s.a)})`;
        break;
      case 'guard': {
        const conds = s.bounds.map((b) => {
          const i = ix(b.index);
          return `(${i}) >= ${b.lo} && (${i}) < ${b.hi}`;
        });
        expr = `select(${zero(s.type)}, ${scalar(s.a)}, ${conds.join(' && ')})`;
        break;
      }
      case 'reduce': {
        const acc = `acc${counter++}`;
        const depth = depthOfVars(scalarVars(s));
        const init = s.fn === 'sum' ? zero(s.type) : s.type === 'i32' ? 'i32(-2147483647)' : 'bitcast<f32>(0xff7fffffu)';
        blocks[depth]!.push(`var ${acc}: ${wgslType(s.type)} = ${init};`);
        // Everything the body needs that does not depend on the loop var is emitted above the loop.
        loops.push(s.loop.name);
        blocks.push([]);
        const body = scalar(s.body);
        const inner = blocks.pop()!;
        loops.pop();
        const update = s.fn === 'sum' ? `${acc} = ${acc} + ${body};` : `${acc} = max(${acc}, ${body});`;
        blocks[depth]!.push(`for (var ${s.loop.name}: i32 = 0; ${s.loop.name} < ${s.loop.size}; ${s.loop.name}++) {`, ...inner.map((l) => `  ${l}`), `  ${update}`, '}');
        names.set(s, acc);
        return acc;
      }
    }
    const name = `s${counter++}`;
    blocks[depthOfVars(scalarVars(s))]!.push(`let ${name}: ${wgslType(s.type)} = ${expr};`);
    names.set(s, name);
    return name;
  };

  const shape = k.output.node.shape;
  const indexLines: string[] = [];
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i]! > 1) indexLines.unshift(`let i${i} = ${stride === 1 ? 'flat' : `flat / ${stride}`}${i > 0 ? ` % ${shape[i]}` : ''};`);
    stride *= shape[i]!;
  }
  const result = scalar(k.value);
  const source = pointwiseTemplate()({
    name: k.name,
    summary: `${planned.reason}; fuses ${k.fused.length} op(s)`,
    bindings: bindingDecls,
    helpers: [...helpers].sort().map((h) => WGSL_HELPERS[h]).join('\n\n'),
    workgroupSize: planned.workgroupSize,
    count: shape.reduce((a, b) => a * b, 1),
    indexLines,
    bodyLines: blocks[0],
    output,
    outputOffset: '',
    result,
  });
  return { name: k.name, source, bindings, workgroups: planned.workgroups };
}
