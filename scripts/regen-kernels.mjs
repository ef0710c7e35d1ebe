// Regenerates kernels/generated/ (the reviewed copies of generated code). Run after a
// codegen change, review the diff, commit it: `npm run regen-kernels`.
import { regenerateGolden } from '../dist/src/driver/golden.js';

console.log(`wrote ${regenerateGolden()} files to kernels/generated/`);
