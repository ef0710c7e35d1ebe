import type { DType } from '../ir/dtype.js';
import type { Node } from '../ir/node.js';
import { formatType } from '../ir/shape.js';
import type { Decl, ModuleDecl } from './ast.js';

/**
 * Values of the elaborator. Elaboration runs a .fib program once at compile time: numbers,
 * lists and module instances are ordinary values, and every tensor operation appends a node
 * to the graph IR (the tensor value only holds that node).
 */

export class TensorValue {
  constructor(readonly node: Node) {}
}

export class TupleValue {
  constructor(readonly items: readonly Value[]) {}
}

export class FnValue {
  constructor(readonly decl: Extract<Decl, { kind: 'fn' }>) {}
}

/** The names of a file imported with `import "file.fib" as ns`: `ns.Name` reads them. */
export class NamespaceValue {
  constructor(
    readonly alias: string,
    /** The imported file, by its display name (a key of LoadedProgram.files). */
    readonly file: string,
  ) {}
}

export class ModuleValue {
  constructor(readonly decl: ModuleDecl) {}
}

/** A module instantiated at a dotted path; `scope` holds its hyperparams, params and children. */
export class InstanceValue {
  constructor(
    readonly decl: ModuleDecl,
    readonly path: string,
    readonly scope: Scope,
  ) {}
}

export class DTypeValue {
  constructor(readonly dtype: DType) {}
}

/** What statements such as `assert(...)` evaluate to. */
export class UnitValue {
  static readonly instance = new UnitValue();
  private constructor() {}
}

/** A built-in function; its parameter list is used for argument binding and arity checks. */
export class BuiltinValue {
  constructor(
    readonly name: string,
    readonly params: readonly BuiltinParam[],
    readonly impl: (args: readonly (Value | undefined)[]) => Value,
  ) {}
}

/** A built-in's parameter: `optional` ones may be left out (the impl sees undefined). */
export interface BuiltinParam {
  readonly name: string;
  readonly optional?: boolean;
}

export type Value =
  | NamespaceValue
  | number
  | boolean
  | string
  | readonly Value[]
  | TensorValue
  | TupleValue
  | FnValue
  | ModuleValue
  | InstanceValue
  | BuiltinValue
  | DTypeValue
  | UnitValue;

/** A lexical scope. `boundary` marks a function body: assignments cannot reach past it. */
export class Scope {
  private readonly vars = new Map<string, Value>();
  constructor(
    readonly parent: Scope | null,
    readonly boundary = false,
  ) {}

  define(name: string, value: Value): void {
    this.vars.set(name, value);
  }

  lookup(name: string): Value | undefined {
    for (let s: Scope | null = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** Rebinds an existing variable of the current function; false when there is none. */
  assign(name: string, value: Value): boolean {
    for (let s: Scope | null = this; s; s = s.parent) {
      if (s.vars.has(name)) {
        s.vars.set(name, value);
        return true;
      }
      if (s.boundary) return false;
    }
    return false;
  }

  /** The variables defined directly in this scope. */
  own(name: string): Value | undefined {
    return this.vars.get(name);
  }

  ownNames(): string[] {
    return [...this.vars.keys()];
  }
}

/** How a value is named in messages: `int 3`, `f32[2,3]`, `instance of Linear at text.q`. */
export function describe(v: Value): string {
  if (typeof v === 'number') return Number.isInteger(v) ? `int ${v}` : `float ${v}`;
  if (typeof v === 'boolean') return `bool ${v}`;
  if (typeof v === 'string') return `string "${v}"`;
  if (Array.isArray(v)) return `list of ${v.length}`;
  if (v instanceof TensorValue) return formatType(v.node.dtype, v.node.shape);
  if (v instanceof TupleValue) return `tuple of ${v.items.length}`;
  if (v instanceof FnValue) return `fn ${v.decl.name}`;
  if (v instanceof ModuleValue) return `module ${v.decl.name}`;
  if (v instanceof NamespaceValue) return `namespace ${v.alias} (${v.file})`;
  if (v instanceof InstanceValue) return `instance of ${v.decl.name}${v.path ? ` at ${v.path}` : ''}`;
  if (v instanceof BuiltinValue) return `built-in ${v.name}`;
  if (v instanceof DTypeValue) return `dtype ${v.dtype}`;
  return 'nothing';
}
