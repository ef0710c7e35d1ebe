import type { SourceLoc } from '../ir/node.js';

/** The typed AST of .fib programs. Every node carries the position of its first token. */

/** One subscript of an index expression: an index `i`, a slice `a:b` (either end optional), or `...`. */
export type Subscript =
  | { readonly kind: 'at'; readonly index: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'slice'; readonly start: Expr | null; readonly end: Expr | null; readonly loc: SourceLoc }
  | { readonly kind: 'ellipsis'; readonly loc: SourceLoc };

export type Expr =
  | { readonly kind: 'number'; readonly value: number; readonly isInt: boolean; readonly loc: SourceLoc }
  | { readonly kind: 'string'; readonly value: string; readonly loc: SourceLoc }
  | { readonly kind: 'bool'; readonly value: boolean; readonly loc: SourceLoc }
  | { readonly kind: 'name'; readonly name: string; readonly loc: SourceLoc }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'unary'; readonly op: '-' | '!'; readonly operand: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'call'; readonly callee: Expr; readonly args: readonly Arg[]; readonly loc: SourceLoc }
  /** `x[i]`, `x[:, 0]`, `x[..., 1:3]`: one subscript per axis (see Subscript). */
  | { readonly kind: 'index'; readonly target: Expr; readonly subscripts: readonly Subscript[]; readonly loc: SourceLoc }
  | { readonly kind: 'member'; readonly target: Expr; readonly name: string; readonly loc: SourceLoc }
  | { readonly kind: 'cond'; readonly test: Expr; readonly then: Expr; readonly otherwise: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'list'; readonly items: readonly Expr[]; readonly loc: SourceLoc }
  | { readonly kind: 'comprehension'; readonly body: Expr; readonly variable: string; readonly range: Range; readonly loc: SourceLoc }
  | { readonly kind: 'tuple'; readonly items: readonly Expr[]; readonly loc: SourceLoc };

export type BinaryOp = '+' | '-' | '*' | '/' | '//' | '%' | '@' | '**' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

export interface Range {
  readonly from: Expr;
  readonly to: Expr;
}

/** A call argument, positional or `name = value`. */
export interface Arg {
  readonly name: string | null;
  readonly value: Expr;
  readonly loc: SourceLoc;
}

/**
 * Type annotations: `int`, `f32[B, N, 4*C]` (dims are expressions or `...`), `[int]`,
 * and tuples `(f32[...], image: f32[...])`.
 */
export type TypeExpr =
  | { readonly kind: 'named'; readonly name: string; readonly dims: readonly (Expr | 'ellipsis')[] | null; readonly loc: SourceLoc }
  | { readonly kind: 'list'; readonly element: TypeExpr; readonly loc: SourceLoc }
  | { readonly kind: 'tuple'; readonly items: readonly { readonly name: string | null; readonly type: TypeExpr }[]; readonly loc: SourceLoc };

/** A parameter of a fn, module or forward: `name [: type] [= default]`. */
export interface ParamDef {
  readonly name: string;
  readonly type: TypeExpr | null;
  readonly default: Expr | null;
  readonly loc: SourceLoc;
}

export interface Signature {
  readonly params: readonly ParamDef[];
  readonly returns: TypeExpr | null;
}

export type Stmt =
  | { readonly kind: 'let'; readonly names: readonly string[]; readonly destructure: boolean; readonly value: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'assign'; readonly name: string; readonly value: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'expr'; readonly expr: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'return'; readonly value: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'for'; readonly variable: string; readonly range: Range; readonly body: readonly Stmt[]; readonly loc: SourceLoc }
  | { readonly kind: 'if'; readonly test: Expr; readonly then: readonly Stmt[]; readonly otherwise: readonly Stmt[] | null; readonly loc: SourceLoc }
  | { readonly kind: 'param'; readonly name: string; readonly type: TypeExpr; readonly init: Expr; readonly loc: SourceLoc };

export interface ForwardDecl {
  readonly signature: Signature;
  /** `forward(...) batch B {`: the dim that is the entry's batch axis. */
  readonly batch: { readonly dim: string; readonly loc: SourceLoc } | null;
  readonly body: readonly Stmt[];
  readonly loc: SourceLoc;
}

export type Decl =
  /** `import "file.fib"`, or `import "file.fib" as ns` (its names then read `ns.Name`). */
  | { readonly kind: 'import'; readonly path: string; readonly alias: string | null; readonly loc: SourceLoc }
  | { readonly kind: 'const'; readonly name: string; readonly value: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'fn'; readonly name: string; readonly signature: Signature; readonly body: readonly Stmt[]; readonly loc: SourceLoc }
  | ModuleDecl
  | { readonly kind: 'schedule'; readonly module: string; readonly target: string; readonly settings: readonly { readonly name: string; readonly value: Expr; readonly loc: SourceLoc }[]; readonly loc: SourceLoc };

/**
 * `module Name(hparams) { body; forward(...) {...} }`, or the alias form
 * `module Name = Other(args)` (then `alias` is set and body is empty).
 */
export interface ModuleDecl {
  readonly kind: 'module';
  readonly name: string;
  readonly params: readonly ParamDef[];
  readonly body: readonly Stmt[];
  readonly forward: ForwardDecl | null;
  readonly alias: Expr | null;
  readonly loc: SourceLoc;
}

/** One parsed source file. */
export interface Program {
  readonly file: string;
  readonly decls: readonly Decl[];
}
