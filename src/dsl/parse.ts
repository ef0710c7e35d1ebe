import type { IToken } from 'chevrotain';
import type { Program } from './ast.js';
import { buildProgram } from './cst-to-ast.js';
import { Diagnostic } from './diagnostic.js';
import { fibLexer } from './lexer.js';
import { fibParser } from './parser.js';

function describe(token: IToken): string {
  return token.tokenType.name === 'EOF' ? 'end of file' : `'${token.image}'`;
}

/**
 * Lexes and parses one .fib source text into its AST. The first lexing or parsing error
 * becomes a Diagnostic positioned at the offending character or token.
 */
export function parseSource(text: string, file: string): Program {
  const lexed = fibLexer.tokenize(text);
  const lexError = lexed.errors[0];
  if (lexError) {
    const ch = text.charAt(lexError.offset);
    throw new Diagnostic(`unexpected character '${ch}'`, { file, line: lexError.line ?? 1, col: lexError.column ?? 1 });
  }
  checkNesting(lexed.tokens, file);
  fibParser.input = lexed.tokens;
  const cst = fibParser.program();
  const parseError = fibParser.errors[0];
  if (parseError) {
    let token = parseError.token;
    // At end of input chevrotain reports an EOF token without a position: point after the last token.
    if (Number.isNaN(token.startLine ?? NaN) || token.startLine === undefined) {
      const last = lexed.tokens[lexed.tokens.length - 1];
      const lines = text.split('\n');
      const line = last ? last.endLine ?? 1 : lines.length;
      const col = last ? (last.endColumn ?? 0) + 1 : (lines[lines.length - 1]?.length ?? 0) + 1;
      throw new Diagnostic(`unexpected end of file, ${simplify(parseError.message)}`, { file, line, col });
    }
    throw new Diagnostic(`unexpected ${describe(token)}, ${simplify(parseError.message)}`, { file, line: token.startLine, col: token.startColumn ?? 1 });
  }
  return buildProgram(cst as Parameters<typeof buildProgram>[0], file);
}

/**
 * Deepest bracket nesting accepted. The parser, the AST builder and the elaborator recurse
 * once per level (the parser through a dozen grammar rules per parenthesis), so input nested
 * past a few hundred levels would overflow the stack; no real program nests past a dozen.
 */
export const MAX_NESTING = 64;

function checkNesting(tokens: readonly IToken[], file: string): void {
  let depth = 0;
  for (const t of tokens) {
    const name = t.tokenType.name;
    if (name === 'LParen' || name === 'LBracket' || name === 'LBrace') {
      if (++depth > MAX_NESTING) throw new Diagnostic(`brackets nested deeper than ${MAX_NESTING} levels`, { file, line: t.startLine ?? 1, col: t.startColumn ?? 1 });
    } else if (name === 'RParen' || name === 'RBracket' || name === 'RBrace') depth--;
  }
}

const TOKEN_TEXT: Record<string, string> = {
  Identifier: 'a name', NumberLit: 'a number', StringLit: 'a string', Arrow: "'->'", Ellipsis: "'...'", DotDot: "'..'",
  Dot: "'.'", EqEq: "'=='", NotEq: "'!='", LessEq: "'<='", GreaterEq: "'>='", Less: "'<'", Greater: "'>'", AndAnd: "'&&'",
  OrOr: "'||'", Bang: "'!'", Equals: "'='", StarStar: "'**'", Star: "'*'", SlashSlash: "'//'", Slash: "'/'", Percent: "'%'",
  Plus: "'+'", Minus: "'-'", At: "'@'", LParen: "'('", RParen: "')'", LBracket: "'['", RBracket: "']'", LBrace: "'{'",
  RBrace: "'}'", Comma: "','", Colon: "':'",
};

/** Rewrites chevrotain's "Expecting ... but found" text as "expected X" with source spellings. */
function simplify(message: string): string {
  const names = (text: string): string[] => [...text.matchAll(/\b([A-Z][A-Za-z]*)\b/g)].map((m) => m[1]!).map((n) => TOKEN_TEXT[n] ?? `'${n.toLowerCase()}'`);
  const single = /token of type --> (\w+) <--/.exec(message);
  if (single) return `expected ${names(single[1]!)[0]}`;
  const options = message.split('\n').slice(1).filter((l) => /^\s*\d+\./.test(l)).map((l) => names(l.replace(/^\s*\d+\./, '')).slice(0, 1)[0]);
  const unique = [...new Set(options.filter((o): o is string => o !== undefined))];
  if (unique.includes('a name') && unique.includes('a number')) return 'expected an expression';
  if (unique.length > 0) return `expected ${unique.length > 1 ? 'one of ' : ''}${unique.join(', ')}`;
  return message.split('\n')[0] ?? message;
}
