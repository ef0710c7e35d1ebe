import { describe, expect, it } from 'vitest';
import { checkSource } from '../helpers.js';

const expectError = (source: string, position: string, message: string): void => {
  const out = checkSource({ 'main.fib': source });
  expect(out).toContain(`main.fib:${position}: error: ${message}`);
  // The source line and a caret under the column follow.
  const [, line, caret] = out.split('\n');
  const col = Number(position.split(':')[1]);
  expect(caret).toBe(`${' '.repeat(col - 1)}^`);
  expect(line!.length).toBeGreaterThanOrEqual(col - 1);
  expect(out).not.toMatch(/\bat .*\.(ts|js):\d+/);
};

describe('diagnostics are positioned, with the source line and a caret', () => {
  it('lexing errors', () => expectError('fn f() {\n  return 1 $ 2\n}', '2:12', "unexpected character '$'"));
  it('parse errors', () => expectError('fn f(x {\n}', '1:8', "unexpected '{', expected"));
  it('unexpected end of file', () => expectError('fn f(x) {\n  return x +', '2:13', 'unexpected end of file'));
  it('unknown names, with a suggestion', () => {
    expectError('import "std/nn.fib"\nmodule M {\n  forward(x: f32[2]) {\n    return softmx(x)\n  }\n}', '4:12', "unknown name 'softmx'; did you mean 'softmax'?");
  });
  it('wrong arity', () => {
    expectError('fn f(a: int) {\n  return a\n}\nmodule M {\n  forward(x: f32[2]) {\n    return x * f(1, 2)\n  }\n}', '6:21', 'too many arguments to f: it takes 1, got 2');
    expectError('module M {\n  forward(x: f32[2]) {\n    return reshape(x)\n  }\n}', '3:12', "missing argument 'shape' of reshape");
    expectError('module M {\n  forward(x: f32[2]) {\n    return sum(x, axes = 0)\n  }\n}', '3:19', "sum has no parameter named 'axes'");
  });
  it('shape mismatches name both shapes', () => {
    expectError('module M {\n  forward(x: f32[2, 3], y: f32[4]) {\n    return x + y\n  }\n}', '3:12', 'cannot broadcast f32[2,3] with f32[4]');
    expectError('module M {\n  forward(x: f32[2, 3]) {\n    return x @ x\n  }\n}', '3:12', 'matmul inner dimensions differ (3 vs 2): f32[2,3] @ f32[2,3]');
  });
  it('dtype mismatches', () => {
    expectError('module M {\n  forward(x: f32[2], i: i32[2]) {\n    return x + i\n  }\n}', '3:12', 'dtype mismatch in add: f32[2] and i32[2]');
  });
  it('type annotation mismatches report expected and actual types', () => {
    expectError('fn f(x: f32[N, 4]) {\n  return x\n}\nmodule M {\n  forward(x: f32[2, 3]) {\n    return f(x)\n  }\n}', '6:14', "argument 'x' of f: expected f32[N, 4], got f32[2,3] (axis 1 should be int 4)");
  });
  it('errors deep in the standard library carry the call chain', () => {
    const out = checkSource({ 'main.fib': 'import "std/nn.fib"\nmodule M {\n  let fc = Linear(4, 8)\n  forward(x: f32[2, 3]) {\n    return fc(x)\n  }\n}' });
    expect(out).toContain("main.fib:5:15: error: argument 'x' of Linear.forward: expected f32[..., in_dim], got f32[2,3] (axis 1 should be int 4)");
    expect(out).toContain('main.fib:5:12: note: in Linear.forward, called from here');
  });
  it('unknown names are found statically, even in code no entry runs', () => {
    expectError('fn unused(x: tensor) {\n  return x * scal\n}\nmodule M {\n  let scale = 2\n}', '2:14', "unknown name 'scal'");
    expectError('fn unused(x: tensor) {\n  return softmax(x)\n}', '2:10', "unknown name 'softmax'");
    expectError('import "std/nn.fib"\nfn unused(x: tensor) {\n  return gelu(x, 2)\n}', '3:18', 'too many arguments to gelu: it takes 1, got 2');
  });
  it('cyclic imports', () => {
    const out = checkSource({ 'main.fib': 'import "a.fib"\n', 'a.fib': 'import "b.fib"\n', 'b.fib': 'import "a.fib"\n' });
    expect(out).toMatch(/b\.fib:1:1: error: cyclic import: .*a\.fib -> .*b\.fib -> .*a\.fib/);
  });
  it('missing imports and duplicate definitions', () => {
    expect(checkSource({ 'main.fib': '\nimport "nope.fib"' })).toContain('main.fib:2:1: error: cannot find imported file');
    const dup = checkSource({ 'main.fib': 'fn f() {\n  return 1\n}\nfn f() {\n  return 2\n}' });
    expect(dup).toContain("main.fib:4:4: error: 'f' is already defined");
    expect(dup).toContain('main.fib:1:4: note: first defined here');
  });
  it('unbounded recursion is a diagnostic, not a crash', () => {
    expectError('fn f(n: int) {\n  return f(n + 1)\n}\nmodule M {\n  forward(x: f32[2]) {\n    return x * f(0)\n  }\n}', '2:10', 'calls nest deeper than 200');
  });
  it('params are validated: initialiser, duplicates, place', () => {
    expectError('module M {\n  param w: f32[2] = uniform(1)\n  forward(x: f32[2]) {\n    return x * w\n  }\n}', '2:21', 'bad initialiser uniform');
    expectError('module M {\n  param w: f32[2] = zeros\n  param w: f32[2] = ones\n  forward(x: f32[2]) {\n    return x * w\n  }\n}', '3:9', "param 'w' is already declared");
    expectError('fn f(x: f32[2]) {\n  param w: f32[2] = zeros\n  return x\n}\nmodule M {\n  forward(x: f32[2]) {\n    return f(x)\n  }\n}', '2:9', "'param' is only allowed in a module body");
  });
  it('schedules name known modules, targets and settings', () => {
    const base = 'module M {\n  forward(x: f32[2]) {\n    return x\n  }\n}\n';
    expect(checkSource({ 'main.fib': `${base}schedule M for wgsl {\n  workgroup_size = 64\n  tile = [4, 4]\n  precision = f16\n}` })).toBe('ok');
    expect(checkSource({ 'main.fib': `${base}schedule M for vulkan {\n}` })).toContain("main.fib:6:10: error: unknown schedule target 'vulkan'");
    expect(checkSource({ 'main.fib': `${base}schedule M for ptx {\n  warps = 4\n}` })).toContain("main.fib:7:3: error: unknown schedule setting 'warps'");
  });
});
