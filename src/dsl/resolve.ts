import { GraphBuilder } from '../ir/builder.js';
import { DTYPES } from '../ir/dtype.js';
import type { Arg, Expr, ParamDef, Stmt, TypeExpr } from './ast.js';
import { makeBuiltins } from './builtins.js';
import { Diagnostic } from './diagnostic.js';
import type { LoadedProgram } from './loader.js';
import { unknownName } from './suggest.js';

/**
 * Static checks over every declaration of a loaded program, including code no entry runs:
 * every name must resolve, and calls of top-level fns, modules and built-ins must match their
 * parameter lists. Scoping is per function (a name declared anywhere in a function body counts
 * as declared), which keeps the check free of false alarms; elaboration enforces the rest.
 */
export function resolveProgram(program: LoadedProgram): void {
  const builtins = makeBuiltins(new GraphBuilder());
  for (const [file, prog] of program.programs) {
    // Each file sees its own names, those of its plain imports, and its namespaces.
    const names = program.files.get(file)!;
    const signatures = new Map<string, { what: string; params: { name: string; required: boolean }[] }>();
    for (const [name, b] of builtins) signatures.set(name, { what: name, params: b.params.map((p) => ({ name: p.name, required: !p.optional })) });
    for (const [name, d] of names.decls) {
      if (d.kind === 'fn') signatures.set(name, { what: name, params: d.signature.params.map(toSig) });
      if (d.kind === 'module') signatures.set(name, { what: `module ${name}`, params: d.params.map(toSig) });
    }
    const globals = new Set<string>([...names.decls.keys(), ...names.namespaces.keys(), ...builtins.keys(), ...DTYPES]);
    const r = new Resolver(globals, signatures);
    for (const d of prog.decls) {
      switch (d.kind) {
        case 'const':
          r.expr(d.value, new Set());
          break;
        case 'fn': {
          const scope = r.signatureScope(d.signature.params, new Set());
          declared(d.body, scope);
          r.block(d.body, scope);
          break;
        }
        case 'module': {
          const scope = r.signatureScope(d.params, new Set());
          if (d.alias) {
            r.expr(d.alias, scope);
            break;
          }
          declared(d.body, scope);
          r.block(d.body, scope);
          if (d.forward) {
            const fwd = r.signatureScope(d.forward.signature.params, scope);
            declared(d.forward.body, fwd);
            r.block(d.forward.body, fwd);
          }
          break;
        }
        case 'schedule':
          if (names.decls.get(d.module)?.kind !== 'module') throw new Diagnostic(`schedule for unknown module '${d.module}'`, d.loc);
          for (const s of d.settings) r.expr(s.value, new Set());
          break;
        case 'import':
          break;
      }
    }
  }
}

function toSig(p: ParamDef): { name: string; required: boolean } {
  return { name: p.name, required: p.default === null };
}

/** Every name a statement list declares, at any depth (function-level scoping). */
function declared(stmts: readonly Stmt[], into: Set<string>): void {
  for (const s of stmts) {
    if (s.kind === 'let') s.names.forEach((n) => into.add(n));
    if (s.kind === 'param') into.add(s.name);
    if (s.kind === 'for') {
      into.add(s.variable);
      declared(s.body, into);
    }
    if (s.kind === 'if') {
      declared(s.then, into);
      if (s.otherwise) declared(s.otherwise, into);
    }
  }
}

class Resolver {
  constructor(
    private readonly globals: ReadonlySet<string>,
    private readonly signatures: ReadonlyMap<string, { what: string; params: { name: string; required: boolean }[] }>,
  ) {}

  /** A scope with the parameters and the dim names their types bind. */
  signatureScope(params: readonly ParamDef[], outer: ReadonlySet<string>): Set<string> {
    const scope = new Set(outer);
    for (const p of params) {
      if (p.type) this.typeBinders(p.type, scope);
      if (p.default) this.expr(p.default, scope);
      scope.add(p.name);
    }
    return scope;
  }

  private typeBinders(t: TypeExpr, scope: Set<string>): void {
    if (t.kind === 'list') return this.typeBinders(t.element, scope);
    if (t.kind === 'tuple') return t.items.forEach((i) => this.typeBinders(i.type, scope));
    for (const d of t.dims ?? []) {
      if (d === 'ellipsis') continue;
      if (d.kind === 'name' && !scope.has(d.name) && !this.globals.has(d.name)) scope.add(d.name);
      else this.expr(d, scope);
    }
  }

  block(stmts: readonly Stmt[], scope: ReadonlySet<string>): void {
    for (const s of stmts) {
      switch (s.kind) {
        case 'let':
        case 'assign':
        case 'return':
          this.expr(s.value, scope);
          break;
        case 'expr':
          this.expr(s.expr, scope);
          break;
        case 'for':
          this.expr(s.range.from, scope);
          this.expr(s.range.to, scope);
          this.block(s.body, scope);
          break;
        case 'if':
          this.expr(s.test, scope);
          this.block(s.then, scope);
          if (s.otherwise) this.block(s.otherwise, scope);
          break;
        case 'param':
          this.typeBinders(s.type, new Set(scope));
          // Initialisers (normal, zeros, ...) are not values: only their arguments are checked.
          if (s.init.kind === 'call') s.init.args.forEach((a) => this.expr(a.value, scope));
          break;
      }
    }
  }

  expr(e: Expr, scope: ReadonlySet<string>): void {
    switch (e.kind) {
      case 'name':
        if (!scope.has(e.name) && !this.globals.has(e.name)) throw new Diagnostic(unknownName(e.name, [...scope, ...this.globals]), e.loc);
        return;
      case 'binary':
        this.expr(e.left, scope);
        this.expr(e.right, scope);
        return;
      case 'unary':
        return this.expr(e.operand, scope);
      case 'cond':
        this.expr(e.test, scope);
        this.expr(e.then, scope);
        this.expr(e.otherwise, scope);
        return;
      case 'list':
      case 'tuple':
        return e.items.forEach((i) => this.expr(i, scope));
      case 'comprehension':
        this.expr(e.range.from, scope);
        this.expr(e.range.to, scope);
        return this.expr(e.body, new Set([...scope, e.variable]));
      case 'index':
        this.expr(e.target, scope);
        for (const s of e.subscripts) {
          if (s.kind === 'at') this.expr(s.index, scope);
          else if (s.kind === 'slice') for (const x of [s.start, s.end]) if (x) this.expr(x, scope);
        }
        return;
      case 'member':
        return this.expr(e.target, scope);
      case 'call':
        this.expr(e.callee, scope);
        e.args.forEach((a) => this.expr(a.value, scope));
        if (e.callee.kind === 'name' && !scope.has(e.callee.name)) this.arity(e.callee.name, e.args, e.loc);
        return;
      default:
        return;
    }
  }

  private arity(name: string, args: readonly Arg[], loc: Expr['loc']): void {
    const sig = this.signatures.get(name);
    if (!sig) return;
    const positional = args.filter((a) => !a.name).length;
    if (positional > sig.params.length) throw new Diagnostic(`too many arguments to ${sig.what}: it takes ${sig.params.length}, got ${args.length}`, args[sig.params.length]?.loc ?? loc);
    const given = new Set(sig.params.slice(0, positional).map((p) => p.name));
    for (const a of args) {
      if (!a.name) continue;
      if (!sig.params.some((p) => p.name === a.name)) throw new Diagnostic(`${sig.what} has no parameter named '${a.name}' (it has ${sig.params.map((p) => p.name).join(', ') || 'none'})`, a.loc);
      if (given.has(a.name)) throw new Diagnostic(`argument '${a.name}' of ${sig.what} is given twice`, a.loc);
      given.add(a.name);
    }
    for (const p of sig.params) if (p.required && !given.has(p.name)) throw new Diagnostic(`missing argument '${p.name}' of ${sig.what}`, loc);
  }
}
