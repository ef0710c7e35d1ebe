import { isDType, type DType } from '../ir/dtype.js';
import type { SourceLoc } from '../ir/node.js';
import type { Expr, TypeExpr } from './ast.js';
import { Diagnostic } from './diagnostic.js';
import { typeToString } from './types.js';
import { describe, Scope, TensorValue, TupleValue, type Value } from './values.js';

/**
 * Type annotations at elaboration time: concrete tensor types for params and entry inputs,
 * and the check of a value against an annotation, which binds a shape's unknown dim names.
 */
export class TypeChecker {
  constructor(
    /** Evaluates a dim expression in a scope. */
    private readonly evaluate: (e: Expr, scope: Scope) => Value,
    /** Whether a name is a top-level declaration, built-in or dtype (so not a fresh dim name). */
    private readonly isGlobal: (name: string, loc: SourceLoc) => boolean,
  ) {}


  /** A tensor type whose dims all evaluate to ints in `scope` (params, inputs). */
  concreteTensorType(t: TypeExpr, scope: Scope, what: string, bind?: (name: string, loc: SourceLoc) => number): { dtype: DType; shape: number[] } {
    if (t.kind !== 'named' || t.dims === null || !isDType(t.name)) {
      throw new Diagnostic(`${what} needs a tensor type such as f32[4, 8], got ${typeToString(t)}`, t.loc);
    }
    const shape = t.dims.map((d) => {
      if (d === 'ellipsis') throw new Diagnostic(`${what} needs a full shape, not '...'`, t.loc);
      if (d.kind === 'name' && bind && scope.lookup(d.name) === undefined && !this.isGlobal(d.name, d.loc)) {
        const v = bind(d.name, d.loc);
        scope.define(d.name, v);
        return v;
      }
      const v = this.evaluate(d, scope);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Diagnostic(`${what}: a size must be a non-negative int, got ${describe(v)}`, d.loc);
      return v;
    });
    return { dtype: t.name, shape };
  }

  /**
   * Checks `value` against a type annotation. A dim that is a bare unknown name binds it
   * (in `scope`) to the actual size, so `fn f(x: f32[B, N])` can use B and N as ints.
   */
  matchType(t: TypeExpr, value: Value, scope: Scope, what: string, loc: SourceLoc): void {
    const mismatch = (detail = ''): never => {
      throw new Diagnostic(`${what}: expected ${typeToString(t)}, got ${describe(value)}${detail}`, loc);
    };
    if (t.kind === 'list') {
      if (!Array.isArray(value)) mismatch();
      (value as Value[]).forEach((v, i) => this.matchType(t.element, v, scope, `${what}[${i}]`, loc));
      return;
    }
    if (t.kind === 'tuple') {
      if (!(value instanceof TupleValue) || value.items.length !== t.items.length) return mismatch();
      value.items.forEach((v, i) => this.matchType(t.items[i]!.type, v, scope, `${what}.${i}`, loc));
      return;
    }
    switch (t.name) {
      case 'int': if (typeof value !== 'number' || !Number.isInteger(value)) mismatch(); return;
      case 'float': if (typeof value !== 'number') mismatch(); return;
      case 'bool': if (typeof value !== 'boolean') mismatch(); return;
      case 'str': if (typeof value !== 'string') mismatch(); return;
      case 'tensor': if (!(value instanceof TensorValue)) mismatch(); return;
      case 'any': return;
    }
    if (!isDType(t.name)) throw new Diagnostic(`unknown type '${t.name}' (types are int, float, bool, str, tensor, any, f32[...], f16[...], i32[...], [T], (T, ...))`, t.loc);
    if (!(value instanceof TensorValue)) return mismatch();
    const node = value.node;
    if (node.dtype !== t.name) mismatch();
    if (t.dims === null) return;
    const ell = t.dims.indexOf('ellipsis');
    if (t.dims.lastIndexOf('ellipsis') !== ell) throw new Diagnostic(`a shape may contain '...' only once`, t.loc);
    const fixed = t.dims.length - (ell >= 0 ? 1 : 0);
    if (ell < 0 ? node.shape.length !== fixed : node.shape.length < fixed) mismatch(` (rank ${node.shape.length})`);
    t.dims.forEach((d, i) => {
      if (d === 'ellipsis') return;
      const axis = ell >= 0 && i > ell ? node.shape.length - (t.dims!.length - i) : i;
      const actual = node.shape[axis]!;
      if (d.kind === 'name' && scope.lookup(d.name) === undefined && !this.isGlobal(d.name, d.loc)) {
        scope.define(d.name, actual);
        return;
      }
      const expected = this.evaluate(d, scope);
      if (expected !== actual) mismatch(` (axis ${axis} should be ${describe(expected)})`);
    });
  }

}
