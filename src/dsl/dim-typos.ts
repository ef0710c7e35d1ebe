import type { Decl, TypeExpr } from './ast.js';
import { Diagnostic } from './diagnostic.js';
import type { LoadedProgram } from './loader.js';
import { distance } from './suggest.js';

/**
 * Warnings for a likely typo in a tensor type: a bare dim name that binds a new name (nothing
 * in scope has it) and is used nowhere else in its declaration, while a name in scope is one
 * edit away (both at least three letters long) — `forward(x: f32[B, T, dimm])` in a module with hyperparameter `dim`. Such a dim
 * silently matches any size, so the annotation checks nothing.
 */
export function dimTypoWarnings(program: LoadedProgram): Diagnostic[] {
  const warnings: Diagnostic[] = [];
  for (const [file, prog] of program.programs) {
    const globals = [...(program.files.get(file)?.decls.keys() ?? []), ...(program.files.get(file)?.namespaces.keys() ?? [])];
    for (const decl of prog.decls) {
      if (decl.kind === 'fn') check(decl, decl.signature.params.map((p) => p.type), [...globals, ...decl.signature.params.map((p) => p.name)], warnings);
      if (decl.kind === 'module' && decl.forward) {
        const hyper = decl.params.map((p) => p.name);
        check(decl, decl.forward.signature.params.map((p) => p.type), [...globals, ...hyper, ...decl.forward.signature.params.map((p) => p.name)], warnings);
      }
    }
  }
  return warnings;
}

function check(decl: Decl, types: readonly (TypeExpr | null)[], known: readonly string[], out: Diagnostic[]): void {
  const uses = new Map<string, number>();
  countNames(decl, uses);
  const bound: { name: string; loc: Diagnostic['loc'] }[] = [];
  const inScope = new Set(known);
  const visit = (t: TypeExpr | null): void => {
    if (!t) return;
    if (t.kind === 'list') return visit(t.element);
    if (t.kind === 'tuple') return t.items.forEach((i) => visit(i.type));
    for (const d of t.dims ?? []) {
      if (d === 'ellipsis' || d.kind !== 'name' || inScope.has(d.name)) continue;
      inScope.add(d.name);
      bound.push({ name: d.name, loc: d.loc });
    }
  };
  types.forEach(visit);
  for (const b of bound) {
    if ((uses.get(b.name) ?? 0) > 1) continue;
    // Short names (B, T, L) are legitimately distinct one edit apart: only names of three or
    // more letters one edit from another such name count as typos.
    if (b.name.length < 3) continue;
    const near = [...inScope].find((n) => n !== b.name && n.length >= 3 && distance(n, b.name) === 1);
    if (near) out.push(new Diagnostic(`dim '${b.name}' binds a new name that nothing else uses, so it matches any size; did you mean '${near}'?`, b.loc));
  }
}

/** Occurrences of every bare name anywhere in a declaration (types, defaults, bodies). */
function countNames(node: unknown, uses: Map<string, number>): void {
  if (Array.isArray(node)) {
    for (const item of node) countNames(item, uses);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const o = node as { kind?: unknown; name?: unknown };
  if (o.kind === 'name' && typeof o.name === 'string') uses.set(o.name, (uses.get(o.name) ?? 0) + 1);
  for (const [key, value] of Object.entries(node)) if (key !== 'loc') countNames(value, uses);
}
