import { GraphBuilder } from '../ir/builder.js';
import { indexTensor, sliceBounds, type EvaluatedSubscript } from './subscript.js';
import { isDType, type DType } from '../ir/dtype.js';
import type { BinaryFn, Init, Node, SourceLoc } from '../ir/node.js';
import { ShapeError } from '../ir/shape.js';
import type { Arg, Decl, Expr, ModuleDecl, ParamDef, Stmt, TypeExpr } from './ast.js';
import { makeBuiltins, toNode } from './builtins.js';
import { Diagnostic } from './diagnostic.js';
import type { FileNames, LoadedProgram } from './loader.js';
import { unknownName } from './suggest.js';
import { TypeChecker } from './typecheck.js';
import {
  BuiltinValue, describe, DTypeValue, FnValue, InstanceValue, ModuleValue, NamespaceValue, Scope, TensorValue, TupleValue, UnitValue, type Value,
} from './values.js';

/** Limits that keep a runaway program (unbounded recursion, huge loops) a diagnostic, not a hang. */
export const LIMITS = { callDepth: 200, steps: 20_000_000 } as const;

const TENSOR_OPS: Partial<Record<string, BinaryFn>> = {
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '//': 'div', '%': 'mod', '**': 'pow',
  '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', '==': 'eq', '!=': 'ne',
};

/** Evaluation context: which instance's body is running and what name a new instance takes. */
interface Ctx {
  readonly instance: InstanceValue | null;
  readonly namePath: string | null;
}

const PLAIN: Ctx = { instance: null, namePath: null };

/** A declared parameter with where it was declared (for duplicate reports). */
interface DeclaredParam {
  readonly node: Node;
  readonly loc: SourceLoc;
}

/** Every name visible in a scope chain. */
function scopeNames(scope: Scope): string[] {
  const out: string[] = [];
  for (let s: Scope | null = scope; s; s = s.parent) out.push(...s.ownNames());
  return out;
}

function joinPath(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

/**
 * Runs a loaded .fib program at compile time, producing graph IR. Module instantiation
 * declares parameters under stable dotted paths; calling an instance runs its `forward`,
 * whose tensor operations become IR nodes. Shape and dtype errors from the IR builder are
 * reported at the source expression that caused them, with the call chain as notes.
 */
export class Elaborator {
  readonly builder = new GraphBuilder();
  readonly params: DeclaredParam[] = [];
  private readonly paramNames = new Map<string, SourceLoc>();
  private readonly instancePaths = new Map<string, SourceLoc>();
  private readonly globalScope = new Scope(null, true);
  private readonly builtins: Map<string, BuiltinValue>;
  private readonly constState = new Map<Decl, 'evaluating' | 'done'>();
  private readonly constValues = new Map<Decl, Value>();
  private depth = 0;
  private steps = 0;

  constructor(readonly program: LoadedProgram) {
    this.builtins = makeBuiltins(this.builder);
  }

  // --- names -----------------------------------------------------------------------------

  private lookup(name: string, scope: Scope, loc: SourceLoc): Value {
    const local = scope.lookup(name);
    if (local !== undefined) return local;
    const global = this.global(name, loc);
    if (global !== undefined) return global;
    throw new Diagnostic(unknownName(name, [...scopeNames(scope), ...this.namesOf(loc.file).decls.keys(), ...this.namesOf(loc.file).namespaces.keys(), ...this.builtins.keys()]), loc);
  }

  /** The top-level names code in `file` sees (the main file's for code with no file). */
  private namesOf(file: string): FileNames {
    return this.program.files.get(file) ?? this.program.files.get(this.program.main)!;
  }

  /**
   * A top-level name as seen from the file of `loc`: its declarations and plain imports
   * first, then its namespaces (`import ... as ns`), then built-ins and dtype names.
   */
  global(name: string, loc: SourceLoc): Value | undefined {
    const names = this.namesOf(loc.file);
    const decl = names.decls.get(name);
    if (decl) return this.declValue(decl, loc);
    const namespace = names.namespaces.get(name);
    if (namespace !== undefined) return new NamespaceValue(name, namespace);
    const builtin = this.builtins.get(name);
    if (builtin) return builtin;
    if (isDType(name)) return new DTypeValue(name);
    return undefined;
  }

  // --- expressions -------------------------------------------------------------------------

  private tick(loc: SourceLoc): void {
    if (++this.steps > LIMITS.steps) throw new Diagnostic(`evaluation exceeds ${LIMITS.steps} steps (an unbounded loop?)`, loc);
  }

  /** Runs `f`, turning IR builder errors into a diagnostic at `loc`. */
  private at<T>(loc: SourceLoc, f: () => T): T {
    this.builder.origin.loc = loc;
    try {
      return f();
    } catch (e) {
      if (e instanceof ShapeError) throw new Diagnostic(e.message, loc);
      throw e;
    }
  }

  evalExpr(e: Expr, scope: Scope, ctx: Ctx): Value {
    this.tick(e.loc);
    switch (e.kind) {
      case 'number':
      case 'string':
      case 'bool':
        return e.value;
      case 'name':
        return this.lookup(e.name, scope, e.loc);
      case 'unary': {
        const v = this.evalExpr(e.operand, scope, PLAIN);
        if (e.op === '!') {
          if (typeof v !== 'boolean') throw new Diagnostic(`'!' needs a bool, got ${describe(v)}`, e.loc);
          return !v;
        }
        if (typeof v === 'number') return -v;
        if (v instanceof TensorValue) return this.at(e.loc, () => new TensorValue(this.builder.unary('neg', v.node)));
        throw new Diagnostic(`cannot negate ${describe(v)}`, e.loc);
      }
      case 'binary':
        return this.evalBinary(e, scope);
      case 'cond': {
        const test = this.evalExpr(e.test, scope, PLAIN);
        if (typeof test !== 'boolean') throw new Diagnostic(`condition must be a bool, got ${describe(test)}`, e.test.loc);
        return this.evalExpr(test ? e.then : e.otherwise, scope, ctx);
      }
      case 'list':
        return e.items.map((i) => this.evalExpr(i, scope, PLAIN));
      case 'tuple':
        return new TupleValue(e.items.map((i) => this.evalExpr(i, scope, PLAIN)));
      case 'comprehension': {
        const [from, to] = this.evalRange(e.range, scope);
        const out: Value[] = [];
        for (let i = from; i < to; i++) {
          const inner = new Scope(scope);
          inner.define(e.variable, i);
          const itemCtx: Ctx = ctx.namePath === null ? PLAIN : { ...ctx, namePath: `${ctx.namePath}.${i - from}` };
          out.push(this.evalExpr(e.body, inner, itemCtx));
        }
        return out;
      }
      case 'index':
        return this.evalIndex(e, scope);
      case 'member':
        return this.evalMember(e, this.evalExpr(e.target, scope, PLAIN));
      case 'call':
        return this.evalCall(e, scope, ctx);
    }
  }

  private evalRange(range: { from: Expr; to: Expr }, scope: Scope): [number, number] {
    const from = this.evalExpr(range.from, scope, PLAIN);
    const to = this.evalExpr(range.to, scope, PLAIN);
    if (typeof from !== 'number' || !Number.isInteger(from)) throw new Diagnostic(`range start must be an int, got ${describe(from)}`, range.from.loc);
    if (typeof to !== 'number' || !Number.isInteger(to)) throw new Diagnostic(`range end must be an int, got ${describe(to)}`, range.to.loc);
    return [from, to];
  }

  private evalBinary(e: Extract<Expr, { kind: 'binary' }>, scope: Scope): Value {
    if (e.op === '&&' || e.op === '||') {
      const l = this.evalExpr(e.left, scope, PLAIN);
      if (typeof l !== 'boolean') throw new Diagnostic(`'${e.op}' needs bools, got ${describe(l)}`, e.left.loc);
      if (e.op === '&&' ? !l : l) return l;
      const r = this.evalExpr(e.right, scope, PLAIN);
      if (typeof r !== 'boolean') throw new Diagnostic(`'${e.op}' needs bools, got ${describe(r)}`, e.right.loc);
      return r;
    }
    // A chain `a + b + c + ...` nests to the left: its left spine is walked in a loop, so a
    // 3,000-term sum does not recurse 3,000 deep.
    const spine: Extract<Expr, { kind: 'binary' }>[] = [];
    let left: Expr = e;
    while (left.kind === 'binary' && left.op !== '&&' && left.op !== '||') {
      spine.push(left);
      left = left.left;
    }
    let acc = this.evalExpr(left, scope, PLAIN);
    for (let i = spine.length - 1; i >= 0; i--) acc = this.applyBinary(spine[i]!, acc, this.evalExpr(spine[i]!.right, scope, PLAIN));
    return acc;
  }

  /** A binary operator applied to evaluated operands. */
  private applyBinary(e: Extract<Expr, { kind: 'binary' }>, l: Value, r: Value): Value {
    if (typeof l === 'number' && typeof r === 'number') return this.numberOp(e.op, l, r, e.loc);
    if (e.op === '==' || e.op === '!=') {
      if ((typeof l === 'boolean' || typeof l === 'string') && typeof l === typeof r) return (l === r) === (e.op === '==');
    }
    if (Array.isArray(l) && Array.isArray(r) && e.op === '+') return [...l, ...r];
    if (typeof l === 'string' && typeof r === 'string' && e.op === '+') return l + r;
    if (l instanceof TensorValue || r instanceof TensorValue) {
      return this.at(e.loc, () => {
        const like = l instanceof TensorValue ? l.node : (r as TensorValue).node;
        const a = toNode(this.builder, l, `left operand of '${e.op}'`, like);
        const b = toNode(this.builder, r, `right operand of '${e.op}'`, like);
        if (e.op === '@') return new TensorValue(this.builder.matmul(a, b));
        const fn = TENSOR_OPS[e.op];
        if (!fn) throw new ShapeError(`'${e.op}' is not defined for tensors`);
        if (e.op === '//' && a.dtype !== 'i32') {
          return new TensorValue(this.builder.unary('floor', this.builder.binaryBroadcast('div', a, b)));
        }
        return new TensorValue(this.builder.binaryBroadcast(fn, a, b));
      });
    }
    throw new Diagnostic(`'${e.op}' is not defined for ${describe(l)} and ${describe(r)}`, e.loc);
  }

  private numberOp(op: string, a: number, b: number, loc: SourceLoc): Value {
    switch (op) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case '/':
        if (b === 0) throw new Diagnostic('division by zero', loc);
        return a / b;
      case '//':
        if (b === 0) throw new Diagnostic('division by zero', loc);
        return Math.floor(a / b);
      case '%':
        if (b === 0) throw new Diagnostic('modulo by zero', loc);
        return a - Math.floor(a / b) * b;
      case '**': return a ** b;
      case '<': return a < b;
      case '<=': return a <= b;
      case '>': return a > b;
      case '>=': return a >= b;
      case '==': return a === b;
      case '!=': return a !== b;
      default: throw new Diagnostic(`'${op}' is not defined for numbers`, loc);
    }
  }

  private evalIndex(e: Extract<Expr, { kind: 'index' }>, scope: Scope): Value {
    const target = this.evalExpr(e.target, scope, PLAIN);
    const int = (x: Expr): number => {
      const v = this.evalExpr(x, scope, PLAIN);
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new Diagnostic(`index must be an int, got ${describe(v)}`, x.loc);
      return v;
    };
    const subscripts: EvaluatedSubscript[] = e.subscripts.map((s) =>
      s.kind === 'at' ? { kind: 'at', index: int(s.index) } : s.kind === 'slice' ? { kind: 'slice', start: s.start && int(s.start), end: s.end && int(s.end) } : { kind: 'ellipsis' });
    const items = Array.isArray(target) ? target : target instanceof TupleValue ? target.items : null;
    if (items) {
      const only = subscripts[0]!;
      if (subscripts.length !== 1 || only.kind === 'ellipsis') throw new Diagnostic(`a ${describe(target)} takes one index or slice`, e.loc);
      if (only.kind === 'slice') {
        return items.slice(...sliceBounds(only.start, only.end, items.length));
      }
      const i = only.index < 0 ? only.index + items.length : only.index;
      if (i < 0 || i >= items.length) throw new Diagnostic(`index ${only.index} is out of range for a ${describe(target)}`, e.subscripts[0]!.loc);
      return items[i]!;
    }
    if (target instanceof TensorValue) return this.at(e.loc, () => new TensorValue(indexTensor(this.builder, target.node, subscripts)));
    throw new Diagnostic(`cannot index ${describe(target)}`, e.loc);
  }

  /** The value of a top-level declaration (constants are evaluated once, in their own file). */
  private declValue(decl: Decl, loc: SourceLoc): Value | undefined {
    if (decl.kind === 'fn') return new FnValue(decl);
    if (decl.kind === 'module') return new ModuleValue(decl);
    if (decl.kind !== 'const') return undefined;
    const state = this.constState.get(decl);
    if (state === 'done') return this.constValues.get(decl);
    if (state === 'evaluating') throw new Diagnostic(`constant '${decl.name}' is defined in terms of itself`, loc);
    this.constState.set(decl, 'evaluating');
    const value = this.evalExpr(decl.value, this.globalScope, PLAIN);
    this.constValues.set(decl, value);
    this.constState.set(decl, 'done');
    return value;
  }

  private evalMember(e: Extract<Expr, { kind: 'member' }>, target: Value): Value {
    if (target instanceof NamespaceValue) {
      const names = this.namesOf(target.file);
      const decl = names.decls.get(e.name);
      const value = decl && this.declValue(decl, e.loc);
      if (value === undefined) throw new Diagnostic(`namespace ${target.alias}: ${unknownName(e.name, names.decls.keys())}`, e.loc);
      return value;
    }
    if (target instanceof TensorValue) {
      const node = target.node;
      switch (e.name) {
        case 'shape': return [...node.shape];
        case 'rank': return node.shape.length;
        case 'dtype': return new DTypeValue(node.dtype);
        case 'T': return this.at(e.loc, () => new TensorValue(this.builder.transpose(node, -2, -1)));
        default: throw new Diagnostic(`tensors have no member '${e.name}' (they have shape, rank, dtype, T)`, e.loc);
      }
    }
    if (target instanceof InstanceValue) {
      const v = target.scope.own(e.name);
      if (v === undefined) throw new Diagnostic(`${describe(target)} has no member '${e.name}'`, e.loc);
      return v;
    }
    throw new Diagnostic(`${describe(target)} has no member '${e.name}'`, e.loc);
  }

  // --- calls -------------------------------------------------------------------------------

  private evalCall(e: Extract<Expr, { kind: 'call' }>, scope: Scope, ctx: Ctx): Value {
    const callee = this.evalExpr(e.callee, scope, PLAIN);
    const args = e.args.map((a) => ({ arg: a, value: this.evalExpr(a.value, scope, PLAIN) }));
    if (callee instanceof ModuleValue) {
      if (ctx.namePath === null || !ctx.instance) {
        throw new Diagnostic(`module ${callee.decl.name} can only be instantiated in a module body, as 'let name = ${callee.decl.name}(...)'`, e.loc);
      }
      return this.instantiate(callee.decl, args, ctx.namePath, e.loc);
    }
    return this.call(callee, args, e.loc);
  }

  /** Calls a fn, built-in or module instance with evaluated arguments. */
  call(callee: Value, args: readonly { arg: Arg | null; value: Value }[], loc: SourceLoc): Value {
    if (callee instanceof BuiltinValue) {
      const bound = this.bindArgs(`${callee.name}`, callee.params.map((p) => ({ name: p.name, required: !p.optional })), args, loc);
      return this.at(loc, () => callee.impl(bound));
    }
    if (callee instanceof FnValue) {
      return this.enter(`${callee.decl.name}`, loc, () => {
        const fnScope = new Scope(this.globalScope, true);
        this.bindParams(callee.decl.name, callee.decl.signature.params, args, fnScope, loc);
        return this.runBody(callee.decl.name, callee.decl.body, callee.decl.signature.returns, fnScope, PLAIN, callee.decl.loc);
      });
    }
    if (callee instanceof InstanceValue) {
      const forward = callee.decl.forward;
      if (!forward) throw new Diagnostic(`module ${callee.decl.name} has no forward and cannot be called`, loc);
      return this.enter(`${callee.decl.name}.forward`, loc, () => {
        const saved = { ...this.builder.origin };
        this.builder.origin = { scope: callee.path, module: callee.decl.name };
        try {
          const fwdScope = new Scope(callee.scope, true);
          this.bindParams(`${callee.decl.name}.forward`, forward.signature.params, args, fwdScope, loc);
          return this.runBody(`${callee.decl.name}.forward`, forward.body, forward.signature.returns, fwdScope, PLAIN, forward.loc);
        } finally {
          this.builder.origin = saved;
        }
      });
    }
    throw new Diagnostic(`${describe(callee)} is not callable`, loc);
  }

  /** Runs `f` one call deeper; diagnostics from inside gain a "called from" note. */
  private enter<T>(what: string, loc: SourceLoc, f: () => T): T {
    if (++this.depth > LIMITS.callDepth) {
      this.depth--;
      throw new Diagnostic(`calls nest deeper than ${LIMITS.callDepth} (unbounded recursion?)`, loc);
    }
    try {
      return f();
    } catch (err) {
      if (err instanceof Diagnostic && err.notes.length < 12 && !(err.loc === loc)) throw err.withNote({ message: `in ${what}, called from here`, loc });
      throw err;
    } finally {
      this.depth--;
    }
  }

  /** Matches call arguments to parameters; returns values by parameter order (undefined = not given). */
  private bindArgs(what: string, params: readonly { name: string; required: boolean }[], args: readonly { arg: Arg | null; value: Value }[], loc: SourceLoc): (Value | undefined)[] {
    const out = new Array<Value | undefined>(params.length).fill(undefined);
    let positional = 0;
    for (const { arg, value } of args) {
      if (arg?.name) {
        const i = params.findIndex((p) => p.name === arg.name);
        if (i < 0) throw new Diagnostic(`${what} has no parameter named '${arg.name}' (it has ${params.map((p) => p.name).join(', ') || 'none'})`, arg.loc);
        if (out[i] !== undefined) throw new Diagnostic(`argument '${arg.name}' of ${what} is given twice`, arg.loc);
        out[i] = value;
      } else {
        if (positional >= params.length) throw new Diagnostic(`too many arguments to ${what}: it takes ${params.length}, got ${args.length}`, arg?.loc ?? loc);
        out[positional++] = value;
      }
    }
    params.forEach((p, i) => {
      if (p.required && out[i] === undefined) throw new Diagnostic(`missing argument '${p.name}' of ${what}`, loc);
    });
    return out;
  }

  /** Binds arguments to declared params in `scope`, evaluating defaults and checking types. */
  private bindParams(what: string, params: readonly ParamDef[], args: readonly { arg: Arg | null; value: Value }[], scope: Scope, loc: SourceLoc): void {
    const values = this.bindArgs(what, params.map((p) => ({ name: p.name, required: p.default === null })), args, loc);
    params.forEach((p, i) => {
      const value = values[i] ?? this.evalExpr(p.default!, scope, PLAIN);
      if (p.type) this.matchType(p.type, value, scope, `argument '${p.name}' of ${what}`, args[i]?.arg?.loc ?? loc);
      scope.define(p.name, value);
    });
  }

  private runBody(what: string, body: readonly Stmt[], returns: TypeExpr | null, scope: Scope, ctx: Ctx, declLoc: SourceLoc): Value {
    const result = this.execBlock(body, scope, ctx);
    if (result === undefined) throw new Diagnostic(`${what} ends without a return`, declLoc);
    if (returns) this.matchType(returns, result.value, new Scope(scope), `result of ${what}`, result.loc);
    return result.value;
  }

  // --- modules -----------------------------------------------------------------------------

  /** Creates an instance of `decl` at `path`: binds hyperparams and runs the module body. */
  instantiate(decl: ModuleDecl, args: readonly { arg: Arg | null; value: Value }[], path: string, loc: SourceLoc): InstanceValue {
    return this.enter(`module ${decl.name}`, loc, () => {
      const scope = new Scope(this.globalScope, true);
      this.bindParams(decl.name, decl.params, args, scope, loc);
      if (decl.alias) {
        const e = decl.alias;
        if (e.kind !== 'call') throw new Diagnostic(`module alias ${decl.name} must be a call such as Other(args)`, e.loc);
        const callee = this.evalExpr(e.callee, scope, PLAIN);
        if (!(callee instanceof ModuleValue)) throw new Diagnostic(`module alias ${decl.name} must call a module, got ${describe(callee)}`, e.callee.loc);
        const aliasArgs = e.args.map((a) => ({ arg: a, value: this.evalExpr(a.value, scope, PLAIN) }));
        return this.instantiate(callee.decl, aliasArgs, path, e.loc);
      }
      const previous = this.instancePaths.get(path);
      if (previous) throw new Diagnostic(`an instance named '${path}' already exists`, loc, [{ message: 'first created here', loc: previous }]);
      this.instancePaths.set(path, loc);
      const instance = new InstanceValue(decl, path, scope);
      const saved = { ...this.builder.origin };
      this.builder.origin = { scope: path, module: decl.name };
      try {
        const result = this.execBlock(decl.body, scope, { instance, namePath: null });
        if (result) throw new Diagnostic(`a module body cannot return; put the computation in forward`, result.loc);
      } finally {
        this.builder.origin = saved;
      }
      return instance;
    });
  }

  private declareParam(s: Extract<Stmt, { kind: 'param' }>, scope: Scope, ctx: Ctx): void {
    if (!ctx.instance) throw new Diagnostic(`'param' is only allowed in a module body`, s.loc);
    const { dtype, shape } = this.concreteTensorType(s.type, scope, `param ${s.name}`);
    const name = joinPath(ctx.instance.path, s.name);
    const previous = this.paramNames.get(name);
    if (previous) throw new Diagnostic(`param '${name}' is already declared`, s.loc, [{ message: 'first declared here', loc: previous }]);
    const init = this.initialiser(s.init, scope);
    const node = this.at(s.loc, () => this.builder.param(name, shape, dtype, init));
    this.paramNames.set(name, s.loc);
    this.params.push({ node, loc: s.loc });
    scope.define(s.name, new TensorValue(node));
  }

  /** `normal(std[, mean])`, `zeros`, `ones` or `constant(v)`. */
  private initialiser(e: Expr, scope: Scope): Init {
    const usage = `initialisers are normal(std), normal(std, mean), zeros, ones and constant(value)`;
    if (e.kind === 'name' && (e.name === 'zeros' || e.name === 'ones')) return { kind: 'constant', value: e.name === 'ones' ? 1 : 0 };
    if (e.kind !== 'call' || e.callee.kind !== 'name') throw new Diagnostic(`unknown initialiser: ${usage}`, e.loc);
    const name = e.callee.name;
    const nums = e.args.map((a) => {
      const v = this.evalExpr(a.value, scope, PLAIN);
      if (typeof v !== 'number') throw new Diagnostic(`initialiser arguments must be numbers, got ${describe(v)}`, a.loc);
      return v;
    });
    if (name === 'normal' && (nums.length === 1 || nums.length === 2) && nums[0]! >= 0) return { kind: 'normal', std: nums[0]!, mean: nums[1] ?? 0 };
    if (name === 'constant' && nums.length === 1) return { kind: 'constant', value: nums[0]! };
    throw new Diagnostic(`bad initialiser ${name}(...): ${usage}`, e.loc);
  }

  // --- types -------------------------------------------------------------------------------

  private readonly types = new TypeChecker((e, scope) => this.evalExpr(e, scope, PLAIN), (name, loc) => this.global(name, loc) !== undefined);

  /** A tensor type whose dims all evaluate to ints (see TypeChecker). */
  concreteTensorType(t: TypeExpr, scope: Scope, what: string, bind?: (name: string, loc: SourceLoc) => number): { dtype: DType; shape: number[] } {
    return this.types.concreteTensorType(t, scope, what, bind);
  }

  /** Checks a value against an annotation, binding unknown dim names in `scope` (see TypeChecker). */
  matchType(t: TypeExpr, value: Value, scope: Scope, what: string, loc: SourceLoc): void {
    this.types.matchType(t, value, scope, what, loc);
  }

  // --- statements --------------------------------------------------------------------------

  /** Runs statements; returns the value of a `return` (with its position) if one ran. */
  execBlock(stmts: readonly Stmt[], scope: Scope, ctx: Ctx): { value: Value; loc: SourceLoc } | undefined {
    for (const s of stmts) {
      this.tick(s.loc);
      switch (s.kind) {
        case 'let': {
          if (s.destructure) {
            const value = s.value.kind === 'tuple' && ctx.instance
              ? new TupleValue(s.value.items.map((item, i) => this.evalExpr(item, scope, { ...ctx, namePath: joinPath(ctx.instance!.path, s.names[i] ?? `${i}`) })))
              : this.evalExpr(s.value, scope, PLAIN);
            const items = value instanceof TupleValue ? value.items : Array.isArray(value) ? value : null;
            if (!items || items.length !== s.names.length) throw new Diagnostic(`cannot unpack ${describe(value)} into ${s.names.length} names`, s.value.loc);
            s.names.forEach((n, i) => scope.define(n, items[i]!));
          } else {
            const namePath = ctx.instance ? joinPath(ctx.instance.path, s.names[0]!) : null;
            scope.define(s.names[0]!, this.evalExpr(s.value, scope, { ...ctx, namePath }));
          }
          break;
        }
        case 'assign': {
          const value = this.evalExpr(s.value, scope, PLAIN);
          if (!scope.assign(s.name, value)) {
            throw new Diagnostic(scope.lookup(s.name) === undefined ? `assignment to undeclared '${s.name}'; declare it with 'let'` : `cannot assign to '${s.name}': it is declared outside this function`, s.loc);
          }
          break;
        }
        case 'expr': {
          const v = this.evalExpr(s.expr, scope, PLAIN);
          if (!(v instanceof UnitValue)) throw new Diagnostic(`the value of this expression is unused`, s.loc);
          break;
        }
        case 'return':
          return { value: this.evalExpr(s.value, scope, PLAIN), loc: s.value.loc };
        case 'for': {
          const [from, to] = this.evalRange(s.range, scope);
          for (let i = from; i < to; i++) {
            const inner = new Scope(scope);
            inner.define(s.variable, i);
            const r = this.execBlock(s.body, inner, ctx);
            if (r) return r;
          }
          break;
        }
        case 'if': {
          const test = this.evalExpr(s.test, scope, PLAIN);
          if (typeof test !== 'boolean') throw new Diagnostic(`condition must be a bool, got ${describe(test)}`, s.test.loc);
          const branch = test ? s.then : s.otherwise;
          if (branch) {
            // In a module body, declarations under `if` belong to the instance (forward sees them).
            const r = this.execBlock(branch, ctx.instance ? scope : new Scope(scope), ctx);
            if (r) return r;
          }
          break;
        }
        case 'param':
          this.declareParam(s, scope, ctx);
          break;
      }
    }
    return undefined;
  }

  /** The global scope, for evaluating schedule settings and the like. */
  get globals(): Scope {
    return this.globalScope;
  }
}
