import type { Node } from './node.js';
import { numel } from './shape.js';

/**
 * Floating-point operations a node performs, counted the usual way: 2MNK for a matmul, one
 * per output element for element-wise ops, one per input element for reductions, none for
 * movement. Used for GFLOP/s figures and by the planner's cost model.
 */
export function nodeFlops(node: Node): number {
  switch (node.op.kind) {
    case 'matmul': {
      const k = node.inputs[0]!.shape[node.inputs[0]!.shape.length - 1]!;
      return 2 * numel(node.shape) * k;
    }
    case 'unary':
    case 'binary':
    case 'where':
      return numel(node.shape);
    case 'reduce':
      return numel(node.inputs[0]!.shape);
    case 'scatter_add':
      return numel(node.inputs[1]!.shape);
    default:
      return 0;
  }
}

/** Bytes of a tensor as the GPU backends store it (4 bytes per element for f32 and i32). */
export function tensorBytes(node: Node): number {
  return numel(node.shape) * 4;
}
