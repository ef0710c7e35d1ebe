import type { GraphBuilder } from '../ir/builder.js';
import type { Node } from '../ir/node.js';
import { formatType, ShapeError } from '../ir/shape.js';

/**
 * einsum for the contractions models use, lowered to primitives: every index of the output
 * is kept, an index in both operands but not the output is contracted (one batched matmul),
 * an index in one operand only and not the output is summed first. `"bhqd,bhkd->bhqk"`,
 * `"ij,jk->ik"`, `"bi,bi->b"`, `"ij->ji"`, `"ij->"`. Repeated indices within an operand
 * (diagonals) and broadcasting `...` are not supported: a clear error says so.
 */
export function einsum(b: GraphBuilder, spec: string, operands: readonly Node[]): Node {
  const m = /^\s*([a-zA-Z]*)\s*(?:,\s*([a-zA-Z]*)\s*)?->\s*([a-zA-Z]*)\s*$/.exec(spec);
  if (!m) throw new ShapeError(`einsum: '${spec}' is not of the form "ij,jk->ik" (letters, one or two operands, an explicit '->')`);
  const inputs = m[2] === undefined ? [m[1]!] : [m[1]!, m[2]];
  const out = m[3]!;
  if (inputs.length !== operands.length) throw new ShapeError(`einsum: '${spec}' names ${inputs.length} operand(s), got ${operands.length}`);
  const sizes = new Map<string, number>();
  inputs.forEach((letters, k) => {
    const x = operands[k]!;
    if (letters.length !== x.shape.length) throw new ShapeError(`einsum: operand ${k} is ${formatType(x.dtype, x.shape)} but '${letters}' names ${letters.length} axes`);
    if (new Set(letters).size !== letters.length) throw new ShapeError(`einsum: '${letters}' repeats an index (diagonals are not supported)`);
    [...letters].forEach((c, i) => {
      const d = x.shape[i]!;
      const seen = sizes.get(c);
      if (seen !== undefined && seen !== d) throw new ShapeError(`einsum: index '${c}' is ${seen} in one place and ${d} in another`);
      sizes.set(c, d);
    });
  });
  if (new Set(out).size !== out.length) throw new ShapeError(`einsum: the output '${out}' repeats an index`);
  for (const c of out) if (!sizes.has(c)) throw new ShapeError(`einsum: output index '${c}' is in no operand`);

  // Sum away indices that appear in one operand only and not in the output.
  const reduced = inputs.map((letters, k) => {
    const others = inputs.filter((_, j) => j !== k).join('');
    const drop = [...letters].map((c, i) => (!out.includes(c) && !others.includes(c) ? i : -1)).filter((i) => i >= 0);
    const node = drop.length === 0 ? operands[k]! : b.reshape(b.reduce('sum', operands[k]!, drop), operands[k]!.shape.filter((_, i) => !drop.includes(i)));
    return { letters: [...letters].filter((_, i) => !drop.includes(i)).join(''), node };
  });
  if (reduced.length === 1) {
    const { letters, node } = reduced[0]!;
    return b.permute(node, [...out].map((c) => letters.indexOf(c)));
  }
  const [A, B] = reduced as [typeof reduced[0], typeof reduced[0]];
  const batch = [...A.letters].filter((c) => B.letters.includes(c) && out.includes(c));
  const contracted = [...A.letters].filter((c) => B.letters.includes(c) && !out.includes(c));
  const freeA = [...A.letters].filter((c) => !B.letters.includes(c));
  const freeB = [...B.letters].filter((c) => !A.letters.includes(c));
  const size = (cs: readonly string[]): number => cs.reduce((p, c) => p * sizes.get(c)!, 1);
  const arrange = (x: { letters: string; node: Node }, order: readonly string[], shape: number[]): Node =>
    b.reshape(b.permute(x.node, order.map((c) => x.letters.indexOf(c))), shape);
  // [batch, M, K] @ [batch, K, N] -> [batch, M, N]; an index in both operands and the output is a batch index.
  const a3 = arrange(A, [...batch, ...freeA, ...contracted], [size(batch), size(freeA), size(contracted)]);
  const b3 = arrange(B, [...batch, ...contracted, ...freeB], [size(batch), size(contracted), size(freeB)]);
  const product = b.reshape(b.matmul(a3, b3), [...batch, ...freeA, ...freeB].map((c) => sizes.get(c)!));
  const order = [...batch, ...freeA, ...freeB];
  return b.permute(product, [...out].map((c) => order.indexOf(c)));
}
