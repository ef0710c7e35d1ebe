import { createToken, Lexer, type TokenType } from 'chevrotain';

/** Tokens of the .fib language (spec/language.md, "Lexical structure"). */

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n]*/, group: Lexer.SKIPPED });

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

function keyword(name: string): TokenType {
  return createToken({ name, pattern: new RegExp(`${name.toLowerCase()}\\b`), longer_alt: Identifier });
}

export const Import = keyword('Import');
export const Fn = keyword('Fn');
export const Module = keyword('Module');
export const Forward = keyword('Forward');
export const Param = keyword('Param');
export const Let = keyword('Let');
export const Return = keyword('Return');
export const For = keyword('For');
export const In = keyword('In');
export const If = keyword('If');
export const Then = keyword('Then');
export const Else = keyword('Else');
export const Schedule = keyword('Schedule');
export const True = keyword('True');
export const False = keyword('False');
export const As = keyword('As');

export const NumberLit = createToken({ name: 'NumberLit', pattern: /(\d+\.\d+|\d+)([eE][+-]?\d+)?/ });
export const StringLit = createToken({ name: 'StringLit', pattern: /"[^"\n]*"/ });

export const Arrow = createToken({ name: 'Arrow', pattern: /->/ });
export const Ellipsis = createToken({ name: 'Ellipsis', pattern: /\.\.\./ });
export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./ });
export const Dot = createToken({ name: 'Dot', pattern: /\./ });
export const EqEq = createToken({ name: 'EqEq', pattern: /==/ });
export const NotEq = createToken({ name: 'NotEq', pattern: /!=/ });
export const LessEq = createToken({ name: 'LessEq', pattern: /<=/ });
export const GreaterEq = createToken({ name: 'GreaterEq', pattern: />=/ });
export const Less = createToken({ name: 'Less', pattern: /</ });
export const Greater = createToken({ name: 'Greater', pattern: />/ });
export const AndAnd = createToken({ name: 'AndAnd', pattern: /&&/ });
export const OrOr = createToken({ name: 'OrOr', pattern: /\|\|/ });
export const Bang = createToken({ name: 'Bang', pattern: /!/ });
export const Equals = createToken({ name: 'Equals', pattern: /=/ });
export const StarStar = createToken({ name: 'StarStar', pattern: /\*\*/ });
export const Star = createToken({ name: 'Star', pattern: /\*/ });
export const SlashSlash = createToken({ name: 'SlashSlash', pattern: /\/\// });
export const Slash = createToken({ name: 'Slash', pattern: /\// });
export const Percent = createToken({ name: 'Percent', pattern: /%/ });
export const Plus = createToken({ name: 'Plus', pattern: /\+/ });
export const Minus = createToken({ name: 'Minus', pattern: /-/ });
export const At = createToken({ name: 'At', pattern: /@/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/ });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/ });
export const RBrace = createToken({ name: 'RBrace', pattern: /\}/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });

/** All tokens in match order: keywords before identifiers, long operators first. */
export const allTokens: TokenType[] = [
  WhiteSpace, Comment,
  Import, Fn, Module, Forward, Param, Let, Return, For, In, If, Then, Else, Schedule, True, False, As,
  Identifier, NumberLit, StringLit,
  Arrow, Ellipsis, DotDot, Dot, EqEq, NotEq, LessEq, GreaterEq, Less, Greater, AndAnd, OrOr, Bang, Equals,
  StarStar, Star, SlashSlash, Slash, Percent, Plus, Minus, At,
  LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Colon,
];

/** The shared lexer instance (chevrotain lexers are stateless between calls). */
export const fibLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: false });
