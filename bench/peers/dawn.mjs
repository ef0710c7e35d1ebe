// Shared by the peer benchmarks: Dawn's WebGPU exposed as a browser would (the globals and
// navigator.gpu the peers look for), and a count of compute dispatches.
import { create, globals } from 'webgpu';
import { pacedPolling } from '../../dist/src/runtime/webgpu/paced-polling.js';

Object.assign(globalThis, globals);
// Kept referenced for the whole process: Dawn crashes if this object is garbage-collected.
globalThis.__gpu = create([]);
globalThis.navigator = { gpu: globalThis.__gpu, userAgent: 'node', hardwareConcurrency: 2 };

let count = 0;
const proto = globalThis.GPUComputePassEncoder.prototype;
const dispatch = proto.dispatchWorkgroups;
proto.dispatchWorkgroups = function (...args) {
  count++;
  return dispatch.apply(this, args);
};

/** Compute dispatches recorded so far. */
export const dispatches = () => count;

/**
 * With YIELD=1, a peer awaits its result with Dawn's polling paced as fiberc's session paces it
 * (dist/src/runtime/webgpu/paced-polling.js, built by `npx tsc`): Dawn's Node binding polls
 * from the event loop while a promise is pending, taking a core from lavapipe.
 */
export const yielding = process.env.YIELD === '1';

/** Awaits `wait()`, paced when yielding. */
export function awaitResult(wait) {
  return yielding ? pacedPolling(wait) : wait();
}

/**
 * Layer sizes (SIZE=tiny: FiberTiny's layers at batch 2, as `npm run bench` runs them; else
 * FIBER-B's stage-3 image block and text layer) and batch (B, default 1 for FIBER-B).
 * R: image side in tokens, C: image channels, H: image heads, W: window, S: shift, T: text
 * tokens, DT: text hidden size, TH: text heads, FF: text FFN size.
 */
export const sizes = process.env.SIZE === 'tiny'
  ? { label: 'FiberTiny', image: 'image block', B: Number(process.env.B ?? 2), R: 4, C: 32, H: 2, W: 2, S: 1, T: 8, DT: 32, TH: 2, FF: 64 }
  : { label: 'FIBER-B', image: 'stage-3 image block', B: Number(process.env.B ?? 1), R: 24, C: 512, H: 16, W: 12, S: 6, T: 40, DT: 768, TH: 12, FF: 3072 };
