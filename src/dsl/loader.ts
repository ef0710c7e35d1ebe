import { existsSync, readFileSync, statSync } from 'node:fs';
import { FileError } from '../files.js';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
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

/** The top-level names one file sees. */
export interface FileNames {
  /** Its own declarations and those of files it imports without `as`, by name. */
  readonly decls: ReadonlyMap<string, Decl>;
  /** `import "x.fib" as ns`: ns -> the imported file's display name. */
  readonly namespaces: ReadonlyMap<string, string>;
}

/** A program and everything it imports, parsed, with the names each file sees. */
export interface LoadedProgram {
  /** The file that was loaded first (the one `fiberc check FILE` names). */
  readonly main: string;
  readonly programs: ReadonlyMap<string, Program>;
  /** Source texts by display name, for diagnostics. */
  readonly sources: Map<string, string>;
  /** The names the main file sees (its own and its plain imports'): entries are looked up here. */
  readonly globals: ReadonlyMap<string, Decl>;
  /** Per file (display name, as in every SourceLoc): the names code in that file sees. */
  readonly files: ReadonlyMap<string, FileNames>;
}

/** The std/ folder shipped with fiberc. */
function stdRoot(): string {
  return join(installRoot('std/nn.fib'), 'std');
}

/**
 * Where `import "x.fib"` looks after the importing file's own folder: the folders of
 * `--lib DIR` (in order), then those of the FIBERC_PATH environment variable (':'-separated),
 * then the examples installed with fiberc — so a file anywhere can `import "fiber.fib"`.
 */
export function searchPath(libs: readonly string[] = []): string[] {
  const env = (process.env.FIBERC_PATH ?? '').split(':').filter(Boolean);
  return [...libs, ...env, join(installRoot('examples/fiber.fib'), 'examples')].map((d) => resolve(d));
}

/** How a path is shown in diagnostics: relative to the working directory when that is shorter. */
function displayName(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.length > 0 && rel.length < path.length && !rel.startsWith('..') ? rel : path;
}

/**
 * Loads `file` and, transitively, its imports. `import "std/x.fib"` names the standard
 * library; other paths are relative to the importing file, else found on the search path
 * (searchPath). A plain import makes the imported file's names (and those it imports
 * plainly) names of the importing file; `import "x.fib" as ns` makes them `ns.Name` only, so
 * they cannot collide. Cycles, missing files and clashing names are diagnostics at the
 * offending import or declaration.
 */
export function loadProgram(file: string, read: ReadSource = readFromDisk, libs: readonly string[] = searchPath()): LoadedProgram {
  const programs = new Map<string, Program>();
  const sources = new Map<string, string>();
  const files = new Map<string, FileNames>();
  const mainPath = resolve(file);

  const locate = (decl: Extract<Decl, { kind: 'import' }>, from: string): string => {
    if (decl.path.startsWith('std/')) return join(stdRoot(), decl.path.slice(4));
    const local = resolve(dirname(from), decl.path);
    // In-memory sources (tests) have no search path.
    if (isAbsolute(decl.path) || read !== readFromDisk || existsSync(local)) return local;
    return libs.map((d) => resolve(d, decl.path)).find((p) => existsSync(p)) ?? local;
  };

  const visit = (path: string, chain: string[], from?: Decl): string => {
    const shown = displayName(path);
    if (chain.includes(path)) {
      const cycle = [...chain.slice(chain.indexOf(path)), path].map(displayName).join(' -> ');
      throw new Diagnostic(`cyclic import: ${cycle}`, from!.loc);
    }
    if (programs.has(shown)) return shown;
    let text: string | undefined;
    try {
      text = read(path);
    } catch (e) {
      if (!(e instanceof SourceReadError)) throw e;
      if (from) throw new Diagnostic(`cannot import "${from.kind === 'import' ? from.path : shown}": ${path} ${e.message}`, from.loc);
      throw new FileError(`${shown}: ${e.message}`);
    }
    if (text === undefined) {
      if (from?.kind === 'import') throw new Diagnostic(`cannot find imported file ${from.path} (looked in ${dirname(shown) || '.'}, ${libs.map(displayName).join(', ')}; --lib DIR adds a folder)`, from.loc);
      throw new FileError(`cannot read ${shown}: no such file`);
    }
    sources.set(shown, text);
    const program = parseSource(text, shown);
    programs.set(shown, program);
    const decls = new Map<string, Decl>();
    const namespaces = new Map<string, string>();
    const add = (name: string, decl: Decl, at: Decl): void => {
      const previous = decls.get(name);
      if (previous === decl) return;
      if (previous) throw new Diagnostic(`'${name}' is already defined`, at.loc, [{ message: 'first defined here', loc: previous.loc }]);
      decls.set(name, decl);
    };
    for (const decl of program.decls) {
      if (decl.kind !== 'import') continue;
      const target = visit(locate(decl, path), [...chain, path], decl);
      if (decl.alias !== null) {
        if (namespaces.has(decl.alias)) throw new Diagnostic(`namespace '${decl.alias}' is already imported`, decl.loc);
        namespaces.set(decl.alias, target);
      } else {
        for (const [name, d] of files.get(target)!.decls) add(name, d, decl);
      }
    }
    for (const decl of program.decls) if (decl.kind !== 'import' && decl.kind !== 'schedule') add(decl.name, decl, decl);
    for (const alias of namespaces.keys()) {
      const clash = decls.get(alias);
      if (clash) throw new Diagnostic(`'${alias}' names both a namespace and a declaration`, clash.loc);
    }
    files.set(shown, { decls, namespaces });
    return shown;
  };
  let main: string;
  try {
    main = visit(mainPath, []);
  } catch (e) {
    // A syntax error or a bad import: keep the texts so that the error can show its line.
    throw e instanceof Diagnostic ? e.withSources(sources) : e;
  }
  return { main, programs, sources, globals: files.get(main)!.decls, files };
}
