import type { Graph } from './graph.js';
import type { Node } from './node.js';
import { formatType } from './shape.js';

function attrs(node: Node): string {
  const op = node.op;
  switch (op.kind) {
    case 'input': return ` "${op.name}"`;
    case 'param': return ` "${op.name}" init=${op.init.kind === 'normal' ? `normal(${op.init.std}${op.init.mean ? `, ${op.init.mean}` : ''})` : `constant(${op.init.value})`}`;
    case 'const': return ` ${op.value}`;
    case 'iota': return ` axis=${op.axis}`;
    case 'unary':
    case 'binary': return ` ${op.fn}`;
    case 'reduce': return ` ${op.fn} axes=[${op.axes.join(',')}]`;
    case 'permute': return ` perm=[${op.perm.join(',')}]`;
    case 'slice': return ` starts=[${op.starts.join(',')}]`;
    case 'pad': return ` lo=[${op.lo.join(',')}] hi=[${op.hi.join(',')}]`;
    case 'roll': return ` shift=${op.shift} axis=${op.axis}`;
    case 'scatter_add': return ` rows=${op.rows}`;
    case 'concat': return ` axis=${op.axis}`;
    default: return '';
  }
}

/**
 * The graph as text, one node per line in evaluation order:
 * `%12 = matmul %10, %11 : f32[2,64,48]   # attn (WindowAttention) @ examples/swin.fib:44:21`.
 * Node numbers are local to the printout, so equal graphs print identically.
 */
export function printGraph(graph: Graph): string {
  const ids = new Map<Node, number>();
  graph.nodes.forEach((n, i) => ids.set(n, i));
  const lines: string[] = [];
  const bound = Object.entries(graph.bindings).map(([k, v]) => `${k}=${v}`).join(', ');
  lines.push(`graph(${bound}) {  # ${graph.nodes.length} nodes, ${graph.inputs.length} inputs, ${graph.params.length} params`);
  for (const n of graph.nodes) {
    const args = n.inputs.map((i) => `%${ids.get(i)}`).join(', ');
    const where = n.loc ? ` @ ${n.loc.file}:${n.loc.line}:${n.loc.col}` : '';
    const scope = n.scope ? ` ${n.scope}${n.module ? ` (${n.module})` : ''}` : n.module ? ` (${n.module})` : '';
    const comment = scope || where ? `  #${scope}${where}` : '';
    lines.push(`  %${ids.get(n)} = ${n.op.kind}${attrs(n)}${args ? ` ${args}` : ''} : ${formatType(n.dtype, n.shape)}${comment}`);
  }
  for (const o of graph.outputs) lines.push(`  return "${o.name}" = %${ids.get(o.node)}`);
  const unused = graph.params.filter((p) => !ids.has(p));
  if (unused.length > 0) lines.push(`  # declared but unused: ${unused.map((p) => (p.op as { name: string }).name).join(', ')}`);
  if (graph.batch !== undefined) lines.push(`  # batch ${graph.batch}`);
  for (const s of graph.schedules) lines.push(`  # schedule ${s.module} for ${s.target}: ${JSON.stringify(s.settings)}`);
  lines.push('}');
  return lines.join('\n');
}
