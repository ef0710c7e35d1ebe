import type { SourceLoc } from '../ir/node.js';

/** A secondary position attached to a diagnostic ("called from here", "first defined here"). */
export interface DiagnosticNote {
  readonly message: string;
  readonly loc: SourceLoc;
}

/**
 * An error in a user's program, positioned in the source. The CLI prints it as
 * `file:line:col: error: message`, the source line and a caret, and exits 1 without a stack
 * trace. Everything that can go wrong with a .fib program surfaces as one of these.
 */
export class Diagnostic extends Error {
  override readonly name = 'Diagnostic';
  constructor(
    message: string,
    readonly loc: SourceLoc,
    readonly notes: readonly DiagnosticNote[] = [],
    /** The texts of the files read so far, when the error stopped loading (no program yet to hold them). */
    readonly sources?: SourceTexts,
  ) {
    super(message);
  }

  /** The same diagnostic carrying the source texts it points into. */
  withSources(sources: SourceTexts): Diagnostic {
    return new Diagnostic(this.message, this.loc, this.notes, sources);
  }

  /** The same diagnostic with one more note appended. */
  withNote(note: DiagnosticNote): Diagnostic {
    return new Diagnostic(this.message, this.loc, [...this.notes, note], this.sources);
  }
}

/** Source texts by file name, so diagnostics can show the offending line. */
export type SourceTexts = ReadonlyMap<string, string>;

function caretBlock(loc: SourceLoc, sources: SourceTexts): string {
  const text = sources.get(loc.file);
  const line = text?.split('\n')[loc.line - 1];
  if (line === undefined) return '';
  // Tabs stay tabs so the caret lines up whatever the terminal's tab width.
  const pad = line.slice(0, Math.max(0, loc.col - 1)).replace(/[^\t]/g, ' ');
  return `\n${line}\n${pad}^`;
}

function position(loc: SourceLoc): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}

/** Formats a diagnostic the way compilers do: position, severity, message, source line, caret, notes. */
export function formatDiagnostic(d: Diagnostic, sources: SourceTexts, severity: 'error' | 'warning' = 'error'): string {
  let out = `${position(d.loc)}: ${severity}: ${d.message}${caretBlock(d.loc, sources)}`;
  for (const note of d.notes) out += `\n${position(note.loc)}: note: ${note.message}${caretBlock(note.loc, sources)}`;
  return out;
}
