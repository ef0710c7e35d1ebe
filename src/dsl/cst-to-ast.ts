import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { SourceLoc } from '../ir/node.js';
import type { Arg, BinaryOp, Decl, Expr, ForwardDecl, ModuleDecl, ParamDef, Program, Range, Signature, Stmt, Subscript, TypeExpr } from './ast.js';
import type * as C from './cst.generated.js';
import { Diagnostic } from './diagnostic.js';

/**
 * Builds the typed AST from chevrotain's CST. Each function takes one CST node type
 * (generated from the grammar, see cst.generated.ts) and returns its AST form.
 */
export function buildProgram(cst: C.ProgramCstNode, file: string): Program {
  const b = new AstBuilder(file);
  const c = cst.children;
  const decls: [number, Decl][] = [
    ...(c.importDecl ?? []).map((n) => [offset(n), b.importDecl(n)] as [number, Decl]),
    ...(c.constDecl ?? []).map((n) => [offset(n), b.constDecl(n)] as [number, Decl]),
    ...(c.fnDecl ?? []).map((n) => [offset(n), b.fnDecl(n)] as [number, Decl]),
    ...(c.moduleDecl ?? []).map((n) => [offset(n), b.moduleDecl(n)] as [number, Decl]),
    ...(c.scheduleDecl ?? []).map((n) => [offset(n), b.scheduleDecl(n)] as [number, Decl]),
  ];
  return { file, decls: decls.sort((x, y) => x[0] - y[0]).map((d) => d[1]) };
}

function isToken(e: CstElement): e is IToken {
  return (e as IToken).image !== undefined;
}

function firstToken(node: CstElement): IToken {
  if (isToken(node)) return node;
  let best: IToken | undefined;
  for (const list of Object.values(node.children)) {
    for (const child of list) {
      const t = firstToken(child);
      if (!best || t.startOffset < best.startOffset) best = t;
    }
  }
  if (!best) throw new Error(`empty CST node ${node.name}`);
  return best;
}

function offset(node: CstNode): number {
  return node.location?.startOffset ?? firstToken(node).startOffset;
}

/** Tokens of several kinds, in source order. */
function inOrder(...lists: (IToken[] | undefined)[]): IToken[] {
  return lists.flatMap((l) => l ?? []).sort((a, b) => a.startOffset - b.startOffset);
}

class AstBuilder {
  constructor(private readonly file: string) {}

  private loc(e: CstElement): SourceLoc {
    const t = firstToken(e);
    return { file: this.file, line: t.startLine ?? 1, col: t.startColumn ?? 1 };
  }

  importDecl(n: C.ImportDeclCstNode): Decl {
    return { kind: 'import', path: n.children.StringLit[0]!.image.slice(1, -1), alias: n.children.Identifier?.[0]?.image ?? null, loc: this.loc(n) };
  }

  constDecl(n: C.ConstDeclCstNode): Decl {
    return { kind: 'const', name: n.children.Identifier[0]!.image, value: this.expression(n.children.expression[0]!), loc: this.loc(n) };
  }

  fnDecl(n: C.FnDeclCstNode): Decl {
    return {
      kind: 'fn',
      name: n.children.Identifier[0]!.image,
      signature: this.signature(n.children.signature[0]!),
      body: this.block(n.children.block[0]!),
      loc: this.loc(n.children.Identifier[0]!),
    };
  }

  signature(n: C.SignatureCstNode): Signature {
    return {
      params: (n.children.paramDef ?? []).map((p) => this.paramDef(p)),
      returns: n.children.typeExpr ? this.typeExpr(n.children.typeExpr[0]!) : null,
    };
  }

  paramDef(n: C.ParamDefCstNode): ParamDef {
    return {
      name: n.children.Identifier[0]!.image,
      type: n.children.typeExpr ? this.typeExpr(n.children.typeExpr[0]!) : null,
      default: n.children.expression ? this.expression(n.children.expression[0]!) : null,
      loc: this.loc(n),
    };
  }

  moduleDecl(n: C.ModuleDeclCstNode): ModuleDecl {
    const c = n.children;
    const name = c.Identifier[0]!.image;
    const loc = this.loc(c.Identifier[0]!);
    const params = (c.paramDef ?? []).map((p) => this.paramDef(p));
    if (c.Equals) {
      return { kind: 'module', name, params, body: [], forward: null, alias: this.expression(c.expression![0]!), loc };
    }
    const forwards = (c.forwardDecl ?? []).map((f) => this.forwardDecl(f));
    if (forwards.length > 1) throw new Diagnostic(`module ${name} declares forward more than once`, forwards[1]!.loc);
    return { kind: 'module', name, params, body: (c.statement ?? []).map((s) => this.statement(s)), forward: forwards[0] ?? null, alias: null, loc };
  }

  forwardDecl(n: C.ForwardDeclCstNode): ForwardDecl {
    const [keyword, dim] = n.children.Identifier ?? [];
    if (keyword && keyword.image !== 'batch') throw new Diagnostic(`expected 'batch' or '{' after forward's signature, found '${keyword.image}'`, this.loc(keyword));
    const batch = dim ? { dim: dim.image, loc: this.loc(dim) } : null;
    return { signature: this.signature(n.children.signature[0]!), batch, body: this.block(n.children.block[0]!), loc: this.loc(n) };
  }

  scheduleDecl(n: C.ScheduleDeclCstNode): Decl {
    const [moduleTok, targetTok] = n.children.Identifier as [IToken, IToken];
    return {
      kind: 'schedule',
      module: moduleTok.image,
      target: targetTok.image,
      settings: (n.children.setting ?? []).map((s) => ({
        name: s.children.Identifier[0]!.image,
        value: this.expression(s.children.expression[0]!),
        loc: this.loc(s),
      })),
      loc: this.loc(moduleTok),
    };
  }

  typeExpr(n: C.TypeExprCstNode): TypeExpr {
    const c = n.children;
    const loc = this.loc(n);
    if (c.Identifier) {
      const dims = c.LBracket ? (c.dim ?? []).map((d) => (d.children.Ellipsis ? ('ellipsis' as const) : this.expression(d.children.expression![0]!))) : null;
      return { kind: 'named', name: c.Identifier[0]!.image, dims, loc };
    }
    if (c.tupleTypeItem) {
      return {
        kind: 'tuple',
        items: c.tupleTypeItem.map((i) => ({ name: i.children.Identifier?.[0]?.image ?? null, type: this.typeExpr(i.children.typeExpr[0]!) })),
        loc,
      };
    }
    return { kind: 'list', element: this.typeExpr(c.typeExpr![0]!), loc };
  }

  block(n: C.BlockCstNode): Stmt[] {
    return (n.children.statement ?? []).map((s) => this.statement(s));
  }

  statement(n: C.StatementCstNode): Stmt {
    const c = n.children;
    const loc = this.loc(n);
    if (c.letStmt) {
      const l = c.letStmt[0]!.children;
      return { kind: 'let', names: l.Identifier!.map((t) => t.image), destructure: !!l.LParen, value: this.expression(l.expression[0]!), loc };
    }
    if (c.returnStmt) return { kind: 'return', value: this.expression(c.returnStmt[0]!.children.expression[0]!), loc };
    if (c.forStmt) {
      const f = c.forStmt[0]!.children;
      return { kind: 'for', variable: f.Identifier[0]!.image, range: this.range(f.range[0]!), body: this.block(f.block[0]!), loc };
    }
    if (c.ifStmt) return this.ifStmt(c.ifStmt[0]!);
    if (c.paramStmt) {
      const p = c.paramStmt[0]!.children;
      return {
        kind: 'param',
        name: p.Identifier[0]!.image,
        type: this.typeExpr(p.typeExpr[0]!),
        init: this.expression(p.expression[0]!),
        loc: this.loc(p.Identifier[0]!),
      };
    }
    const e = c.exprStmt![0]!.children;
    const first = this.expression(e.expression[0]!);
    if (!e.Equals) return { kind: 'expr', expr: first, loc };
    if (first.kind !== 'name') throw new Diagnostic('only a plain name can be assigned to', first.loc);
    return { kind: 'assign', name: first.name, value: this.expression(e.expression[1]!), loc };
  }

  ifStmt(n: C.IfStmtCstNode): Stmt {
    const c = n.children;
    const blocks = c.block ?? [];
    const otherwise = c.ifStmt ? [this.ifStmt(c.ifStmt[0]!)] : blocks[1] ? this.block(blocks[1]) : null;
    return { kind: 'if', test: this.expression(c.expression[0]!), then: this.block(blocks[0]!), otherwise, loc: this.loc(n) };
  }

  range(n: C.RangeCstNode): Range {
    return { from: this.additive(n.children.additive[0]!), to: this.additive(n.children.additive[1]!) };
  }

  expression(n: C.ExpressionCstNode): Expr {
    const c = n.children;
    if (!c.If) return this.disjunction(c.disjunction![0]!);
    const [then, otherwise] = c.expression as [C.ExpressionCstNode, C.ExpressionCstNode];
    return { kind: 'cond', test: this.disjunction(c.disjunction![0]!), then: this.expression(then), otherwise: this.expression(otherwise), loc: this.loc(n) };
  }

  private leftAssoc<N extends CstNode>(operands: N[], ops: IToken[], sub: (n: N) => Expr): Expr {
    let acc = sub(operands[0]!);
    ops.forEach((op, i) => {
      acc = { kind: 'binary', op: op.image as BinaryOp, left: acc, right: sub(operands[i + 1]!), loc: acc.loc };
    });
    return acc;
  }

  disjunction(n: C.DisjunctionCstNode): Expr {
    return this.leftAssoc(n.children.conjunction, inOrder(n.children.OrOr), (x) => this.conjunction(x));
  }

  conjunction(n: C.ConjunctionCstNode): Expr {
    return this.leftAssoc(n.children.comparison, inOrder(n.children.AndAnd), (x) => this.comparison(x));
  }

  comparison(n: C.ComparisonCstNode): Expr {
    const c = n.children;
    return this.leftAssoc(c.additive, inOrder(c.EqEq, c.NotEq, c.LessEq, c.GreaterEq, c.Less, c.Greater), (x) => this.additive(x));
  }

  additive(n: C.AdditiveCstNode): Expr {
    return this.leftAssoc(n.children.multiplicative, inOrder(n.children.Plus, n.children.Minus), (x) => this.multiplicative(x));
  }

  multiplicative(n: C.MultiplicativeCstNode): Expr {
    const c = n.children;
    return this.leftAssoc(c.unary, inOrder(c.Star, c.SlashSlash, c.Slash, c.Percent, c.At), (x) => this.unary(x));
  }

  unary(n: C.UnaryCstNode): Expr {
    const c = n.children;
    if (c.power) return this.power(c.power[0]!);
    const op = c.Minus ? '-' : '!';
    const operand = this.unary(c.unary![0]!);
    // Fold negative literals so `-1` is a constant, not an op.
    if (op === '-' && operand.kind === 'number') return { ...operand, value: -operand.value, loc: this.loc(n) };
    return { kind: 'unary', op, operand, loc: this.loc(n) };
  }

  power(n: C.PowerCstNode): Expr {
    const base = this.postfix(n.children.postfix[0]!);
    if (!n.children.unary) return base;
    return { kind: 'binary', op: '**', left: base, right: this.unary(n.children.unary[0]!), loc: base.loc };
  }

  postfix(n: C.PostfixCstNode): Expr {
    const c = n.children;
    const suffixes: CstNode[] = [...(c.callSuffix ?? []), ...(c.indexSuffix ?? []), ...(c.memberSuffix ?? [])].sort((a, b) => offset(a) - offset(b));
    let acc = this.atom(c.atom[0]!);
    for (const s of suffixes) {
      const loc = this.loc(s);
      if (s.name === 'callSuffix') {
        const args = ((s as C.CallSuffixCstNode).children.argument ?? []).map((a) => this.argument(a));
        acc = { kind: 'call', callee: acc, args, loc: acc.kind === 'name' ? acc.loc : loc };
      } else if (s.name === 'indexSuffix') {
        acc = { kind: 'index', target: acc, subscripts: (s as C.IndexSuffixCstNode).children.subscript.map((x) => this.subscript(x)), loc };
      } else {
        acc = { kind: 'member', target: acc, name: (s as C.MemberSuffixCstNode).children.Identifier[0]!.image, loc };
      }
    }
    return acc;
  }

  subscript(n: C.SubscriptCstNode): Subscript {
    const c = n.children;
    const loc = this.loc(n);
    if (c.Ellipsis) return { kind: 'ellipsis', loc };
    const end = c.end?.[0] ? this.expression(c.end[0]) : null;
    if (c.Colon) return { kind: 'slice', start: null, end, loc };
    const start = this.expression(c.start![0]!);
    return c.sliceColon ? { kind: 'slice', start, end, loc } : { kind: 'at', index: start, loc };
  }

  argument(n: C.ArgumentCstNode): Arg {
    return { name: n.children.Identifier?.[0]?.image ?? null, value: this.expression(n.children.expression[0]!), loc: this.loc(n) };
  }

  atom(n: C.AtomCstNode): Expr {
    const c = n.children;
    const loc = this.loc(n);
    if (c.NumberLit) {
      const image = c.NumberLit[0]!.image;
      const value = Number(image);
      if (!Number.isFinite(value)) throw new Diagnostic(`number ${image} is out of range`, loc);
      return { kind: 'number', value, isInt: /^\d+$/.test(image), loc };
    }
    if (c.StringLit) return { kind: 'string', value: c.StringLit[0]!.image.slice(1, -1), loc };
    if (c.True) return { kind: 'bool', value: true, loc };
    if (c.False) return { kind: 'bool', value: false, loc };
    if (c.Identifier) return { kind: 'name', name: c.Identifier[0]!.image, loc };
    if (c.parenthesized) {
      const items = c.parenthesized[0]!.children.expression.map((e) => this.expression(e));
      return items.length === 1 && !c.parenthesized[0]!.children.Comma ? items[0]! : { kind: 'tuple', items, loc };
    }
    const l = c.list![0]!.children;
    const exprs = (l.expression ?? []).map((e) => this.expression(e));
    if (l.For) return { kind: 'comprehension', body: exprs[0]!, variable: l.Identifier![0]!.image, range: this.range(l.range![0]!), loc };
    return { kind: 'list', items: exprs, loc };
  }
}
