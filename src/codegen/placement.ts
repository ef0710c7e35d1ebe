import type { Index } from '../compile/index-expr.js';
import type { Scalar } from '../compile/kernel-ir.js';

/**
 * Where code for a scalar goes in a kernel with nested reduction loops: the block of the
 * innermost loop whose variable it depends on (block 0 is the kernel body). Scalars that do
 * not depend on a loop's variable are therefore computed before that loop — loop-invariant
 * code motion by construction. Shared by the WGSL and PTX emitters.
 */
export class Placement {
  /** Loop variables currently open, outermost first. */
  readonly loops: string[] = [];
  /** Lines per open block; blocks[0] is the kernel body. */
  readonly blocks: string[][] = [[]];
  private readonly memo = new Map<Scalar, Set<string>>();

  constructor(private readonly values: ReadonlyMap<number, Scalar>) {}

  /** Index variables (output and loop) an index depends on, through data-dependent values. */
  indexVars(ix: Index, into = new Set<string>()): Set<string> {
    for (const t of ix.terms) {
      const a = t.atom;
      if (a.k === 'var') into.add(a.name);
      else if (a.k === 'value') this.scalarVars(this.values.get(a.id)!).forEach((v) => into.add(v));
      else this.indexVars(a.of, into);
    }
    return into;
  }

  /** Index variables a scalar depends on (a reduction's own loop variable excluded). */
  scalarVars(s: Scalar): Set<string> {
    const known = this.memo.get(s);
    if (known) return known;
    const out = new Set<string>();
    const add = (x: Scalar): void => this.scalarVars(x).forEach((v) => out.add(v));
    switch (s.k) {
      case 'load': case 'index': this.indexVars(s.index, out); break;
      case 'unary': case 'cast': add(s.a); break;
      case 'binary': add(s.a); add(s.b); break;
      case 'where': add(s.c); add(s.a); add(s.b); break;
      case 'guard': add(s.a); s.bounds.forEach((b) => this.indexVars(b.index, out)); break;
      case 'reduce': this.scalarVars(s.body).forEach((v) => v !== s.loop.name && out.add(v)); break;
      case 'named': s.vars?.forEach((v) => out.add(v)); break;
      default: break;
    }
    this.memo.set(s, out);
    return out;
  }

  /** The depth of the innermost open loop among `vars` (0: the kernel body). */
  depthOf(vars: ReadonlySet<string>): number {
    let d = 0;
    this.loops.forEach((l, i) => {
      if (vars.has(l)) d = Math.max(d, i + 1);
    });
    return d;
  }

  /** The block a scalar's code belongs in. */
  blockFor(s: Scalar): string[] {
    return this.blocks[this.depthOf(this.scalarVars(s))]!;
  }

  /** Opens a loop's block: what is emitted until `close` and depends on `variable` goes inside. */
  open(variable: string): void {
    this.loops.push(variable);
    this.blocks.push([]);
  }

  /** Closes the innermost loop and returns its body lines. */
  close(): string[] {
    this.loops.pop();
    return this.blocks.pop()!;
  }
}
