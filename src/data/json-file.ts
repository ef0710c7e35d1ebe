import { parse as parseTolerant, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { FileError, readUserFile } from '../files.js';

/**
 * JSON files the user names (caption and question files): read and parsed, or a FileError
 * that gives the file, the line and column of the first syntax error and what it is.
 */

/** Parses a JSON file; a syntax error is `file:line:col: message`. */
export function readJsonFile(path: string, what: string): unknown {
  const text = readUserFile(path, what).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    // JSON.parse does not always say where; jsonc-parser (VS Code's) does, for every error.
    const errors: ParseError[] = [];
    parseTolerant(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (!first) throw new FileError(`${path}: ${what} is not valid JSON: ${(e as Error).message}`);
    const before = text.slice(0, first.offset);
    const line = before.split('\n').length;
    const column = first.offset - before.lastIndexOf('\n');
    throw new FileError(`${path}:${line}:${column}: ${what} is not valid JSON: ${describe(printParseErrorCode(first.error))}`);
  }
}

/** jsonc-parser's error codes (`PropertyNameExpected`) as words. */
function describe(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
