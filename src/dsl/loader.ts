import { existsSync, readFileSync, statSync } from 'node:fs';
import { FileError } from '../files.js';
import { dirname, join, relative, resolve } from 'node:path';
import { installRoot } from '../paths.js';
import type { Decl, Program } from './ast.js';
import { Diagnostic } from './diagnostic.js';
import { parseSource } from './parse.js';

/** Reads a source file; tests pass an in-memory one. Returns undefined when it does not exist. */
export type ReadSource = (path: string) => string | undefined;

/** Raised by a ReadSource for a path that exists but is not a readable file (a folder). */
export class SourceReadError extends Error {
  override readonly name = 'SourceReadError';
}

const readFromDisk: ReadSource = (path) => {
  if (!existsSync(path)) return undefined;
  if (statSync(path).isDirectory()) throw new SourceReadError('is a directory, not a .fib file');
  return readFileSync(path, 'utf8');
};

/** A program and everything it imports, parsed, with one namespace of top-level names. */
export interface LoadedProgram {
  /** The file that was loaded first (the one `fiberc check FILE` names). */
  readonly main: string;
  readonly programs: ReadonlyMap<string, Program>;
  /** Source texts by display name, for diagnostics. */
  readonly sources: Map<string, string>;
  /** Every top-level fn, module and constant, by name. */
  readonly globals: ReadonlyMap<string, Decl>;
}

/** The std/ folder shipped with fiberc. */
function stdRoot(): string {
  return join(installRoot('std/nn.fib'), 'std');
}

/** How a path is shown in diagnostics: relative to the working directory when that is shorter. */
function displayName(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.length < path.length && !rel.startsWith('..') ? rel : path;
}

/**
 * Loads `file` and, transitively, its imports. `import "std/x.fib"` names the standard
 * library; other paths are relative to the importing file. Cycles, missing files and
 * duplicate top-level names are diagnostics at the offending import or declaration.
 */
export function loadProgram(file: string, read: ReadSource = readFromDisk): LoadedProgram {
  const programs = new Map<string, Program>();
  const sources = new Map<string, string>();
  const globals = new Map<string, Decl>();
  const mainPath = resolve(file);

  const visit = (path: string, chain: string[], from?: Decl): void => {
    const shown = displayName(path);
    if (chain.includes(path)) {
      const cycle = [...chain.slice(chain.indexOf(path)), path].map(displayName).join(' -> ');
      throw new Diagnostic(`cyclic import: ${cycle}`, from!.loc);
    }
    if (programs.has(shown)) return;
    let text: string | undefined;
    try {
      text = read(path);
    } catch (e) {
      if (!(e instanceof SourceReadError)) throw e;
      if (from) throw new Diagnostic(`cannot import "${from.kind === 'import' ? from.path : shown}": ${path} ${e.message}`, from.loc);
      throw new FileError(`${shown}: ${e.message}`);
    }
    if (text === undefined) {
      if (from) throw new Diagnostic(`cannot find imported file ${shown}`, from.loc);
      throw new FileError(`cannot read ${shown}: no such file`);
    }
    sources.set(shown, text);
    const program = parseSource(text, shown);
    programs.set(shown, program);
    for (const decl of program.decls) {
      if (decl.kind === 'import') {
        const target = decl.path.startsWith('std/') ? join(stdRoot(), decl.path.slice(4)) : resolve(dirname(path), decl.path);
        visit(target, [...chain, path], decl);
      } else if (decl.kind !== 'schedule') {
        const previous = globals.get(decl.name);
        if (previous) {
          throw new Diagnostic(`'${decl.name}' is already defined`, decl.loc, [{ message: 'first defined here', loc: previous.loc }]);
        }
        globals.set(decl.name, decl);
      }
    }
  };
  visit(mainPath, []);
  return { main: displayName(mainPath), programs, sources, globals };
}
