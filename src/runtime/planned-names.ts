import type { PlannedTensor, RuntimePlan } from '../compile/plan-types.js';

/**
 * The planned tensor that holds a named input, param or output of a plan (never a
 * workgroup-private one). A graph output that is another tensor's node (an input passed
 * through, a param returned as is) has no entry of its own: it is found by its node.
 */
export function plannedByName(plan: RuntimePlan, name: string): PlannedTensor | undefined {
  const tensors = [...plan.tensors.values()].filter((t) => !t.workgroup);
  const named = tensors.find((t) => t.name === name);
  if (named) return named;
  const out = plan.graph.outputs.find((o) => o.name === name);
  return out && tensors.find((t) => t.ref.node === out.node);
}
