import { describe, expect, it } from 'vitest';
import { describePrecompile, precompileAvailable, precompileProcesses, splitByCode } from '../../src/runtime/webgpu/precompile.js';

const LAVAPIPE = 'llvmpipe (LLVM 15.0.6, 256 bits)';

describe('shader precompile planning', () => {
  it('splits shaders into groups of about equal code, none empty, each shader once', () => {
    const specs = [900, 100, 500, 400, 300, 300, 200, 50].map((n, i) => ({ name: `k${i}`, source: 'x'.repeat(n) }));
    const groups = splitByCode(specs, 3);
    expect(groups).toHaveLength(3);
    expect(groups.flat().map((s) => s.name).sort()).toEqual(specs.map((s) => s.name).sort());
    const sizes = groups.map((g) => g.reduce((sum, s) => sum + s.source.length, 0));
    // 2,750 characters in all: greedy largest-first gives 900 / 950 / 900.
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(100);
    expect(splitByCode(specs.slice(0, 2), 4)).toHaveLength(2);
    expect(splitByCode([], 4)).toEqual([]);
  });

  it('uses one process per core, at most 4, and one per 8 shaders', () => {
    expect(precompileProcesses(242, 2)).toBe(2);
    expect(precompileProcesses(242, 16)).toBe(4);
    expect(precompileProcesses(5, 16)).toBe(1);
    expect(precompileProcesses(17, 16)).toBe(3);
  });

  it('is available on llvmpipe with Mesa\'s cache on, and not otherwise', () => {
    expect(precompileAvailable(LAVAPIPE, {})).toBe(true);
    expect(precompileAvailable('NVIDIA H100', {})).toBe(false);
    expect(precompileAvailable(LAVAPIPE, { MESA_SHADER_CACHE_DISABLE: 'true' })).toBe(false);
    expect(precompileAvailable(LAVAPIPE, { MESA_SHADER_CACHE_DISABLE: 'false' })).toBe(true);
    expect(precompileAvailable(LAVAPIPE, { FIBERC_PRECOMPILE: 'off' })).toBe(false);
  });

  it('describes what it did, and a failure with what happens instead', () => {
    expect(describePrecompile({ shaders: 242, processes: 2, seconds: 151.25 })).toBe("compiled 242 shaders in 2 child processes first (151.3 s), into Mesa's shader cache");
    expect(describePrecompile({ shaders: 3, error: 'boom' })).toMatch(/^compiling 3 shaders in child processes failed, so this process compiles them and tiles only the largest phases: boom$/);
  });
});
