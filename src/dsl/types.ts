import type { Expr, TypeExpr } from './ast.js';

/** Renders a type annotation back to source form, for messages. */
export function typeToString(t: TypeExpr): string {
  switch (t.kind) {
    case 'named':
      return t.dims === null ? t.name : `${t.name}[${t.dims.map((d) => (d === 'ellipsis' ? '...' : exprToString(d))).join(', ')}]`;
    case 'list':
      return `[${typeToString(t.element)}]`;
    case 'tuple':
      return `(${t.items.map((i) => (i.name ? `${i.name}: ` : '') + typeToString(i.type)).join(', ')})`;
  }
}

/** Renders the simple expressions that appear in dims (names, numbers, arithmetic). */
export function exprToString(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return String(e.value);
    case 'name':
      return e.name;
    case 'binary':
      return `${exprToString(e.left)} ${e.op} ${exprToString(e.right)}`;
    case 'unary':
      return `${e.op}${exprToString(e.operand)}`;
    default:
      return '<expr>';
  }
}
