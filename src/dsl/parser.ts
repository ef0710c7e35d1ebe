import { CstParser, type CstNode } from 'chevrotain';
import * as T from './lexer.js';

/**
 * The .fib grammar as a chevrotain CstParser: syntax only, no semantics. The CST is turned
 * into the typed AST by cst-to-ast.ts. Statements need no terminators; the grammar is
 * LL(2). spec/language.md carries the same grammar in EBNF.
 */
export class FibParser extends CstParser {
  constructor() {
    super(T.allTokens, { maxLookahead: 2, recoveryEnabled: false, nodeLocationTracking: 'onlyOffset' });
    this.performSelfAnalysis();
  }

  program = this.RULE('program', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.constDecl) },
        { ALT: () => this.SUBRULE(this.fnDecl) },
        { ALT: () => this.SUBRULE(this.moduleDecl) },
        { ALT: () => this.SUBRULE(this.scheduleDecl) },
      ]);
    });
  });

  importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLit);
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME(T.Identifier);
    });
  });

  constDecl = this.RULE('constDecl', () => {
    this.CONSUME(T.Let);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  fnDecl = this.RULE('fnDecl', () => {
    this.CONSUME(T.Fn);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.signature);
    this.SUBRULE(this.block);
  });

  signature = this.RULE('signature', () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.paramDef) });
    this.CONSUME(T.RParen);
    this.OPTION(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.typeExpr);
    });
  });

  paramDef = this.RULE('paramDef', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.typeExpr);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expression);
    });
  });

  moduleDecl = this.RULE('moduleDecl', () => {
    this.CONSUME(T.Module);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.paramDef) });
      this.CONSUME(T.RParen);
    });
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Equals);
          this.SUBRULE(this.expression);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBrace);
          this.MANY(() => {
            this.OR2([
              { ALT: () => this.SUBRULE(this.forwardDecl) },
              { ALT: () => this.SUBRULE(this.statement) },
            ]);
          });
          this.CONSUME(T.RBrace);
        },
      },
    ]);
  });

  forwardDecl = this.RULE('forwardDecl', () => {
    this.CONSUME(T.Forward);
    this.SUBRULE(this.signature);
    // `batch B`: a contextual keyword (an identifier), so `batch` stays a usable name.
    this.OPTION(() => {
      this.CONSUME(T.Identifier);
      this.CONSUME2(T.Identifier);
    });
    this.SUBRULE(this.block);
  });

  scheduleDecl = this.RULE('scheduleDecl', () => {
    this.CONSUME(T.Schedule);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.For);
    this.CONSUME2(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.setting));
    this.CONSUME(T.RBrace);
  });

  setting = this.RULE('setting', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  typeExpr = this.RULE('typeExpr', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Identifier);
          this.OPTION(() => {
            this.CONSUME(T.LBracket);
            this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.dim) });
            this.CONSUME(T.RBracket);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.tupleTypeItem) });
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME2(T.LBracket);
          this.SUBRULE(this.typeExpr);
          this.CONSUME2(T.RBracket);
        },
      },
    ]);
  });

  tupleTypeItem = this.RULE('tupleTypeItem', () => {
    this.OPTION(() => {
      this.CONSUME(T.Identifier);
      this.CONSUME(T.Colon);
    });
    this.SUBRULE(this.typeExpr);
  });

  dim = this.RULE('dim', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Ellipsis) },
      { ALT: () => this.SUBRULE(this.expression) },
    ]);
  });

  block = this.RULE('block', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RBrace);
  });

  statement = this.RULE('statement', () => {
    // A statement starting with `if` is an if statement, never a conditional expression.
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
      { ALT: () => this.SUBRULE(this.letStmt) },
      { ALT: () => this.SUBRULE(this.returnStmt) },
      { ALT: () => this.SUBRULE(this.forStmt) },
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { ALT: () => this.SUBRULE(this.paramStmt) },
        { ALT: () => this.SUBRULE(this.exprStmt) },
      ],
    });
  });

  letStmt = this.RULE('letStmt', () => {
    this.CONSUME(T.Let);
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME2(T.Identifier) });
          this.CONSUME(T.RParen);
        },
      },
    ]);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  returnStmt = this.RULE('returnStmt', () => {
    this.CONSUME(T.Return);
    this.SUBRULE(this.expression);
  });

  forStmt = this.RULE('forStmt', () => {
    this.CONSUME(T.For);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.In);
    this.SUBRULE(this.range);
    this.SUBRULE(this.block);
  });

  range = this.RULE('range', () => {
    this.SUBRULE(this.additive);
    this.CONSUME(T.DotDot);
    this.SUBRULE2(this.additive);
  });

  ifStmt = this.RULE('ifStmt', () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expression);
    this.SUBRULE(this.block);
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR([
        { ALT: () => this.SUBRULE(this.ifStmt) },
        { ALT: () => this.SUBRULE2(this.block) },
      ]);
    });
  });

  paramStmt = this.RULE('paramStmt', () => {
    this.CONSUME(T.Param);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeExpr);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  /** An expression, or `name = expression` (the target is checked when building the AST). */
  exprStmt = this.RULE('exprStmt', () => {
    this.SUBRULE(this.expression);
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE2(this.expression);
    });
  });

  /** `if c then a else b`, or a plain disjunction. */
  expression = this.RULE('expression', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.If);
          this.SUBRULE(this.disjunction);
          this.CONSUME(T.Then);
          this.SUBRULE2(this.expression);
          this.CONSUME(T.Else);
          this.SUBRULE3(this.expression);
        },
      },
      { ALT: () => this.SUBRULE2(this.disjunction) },
    ]);
  });

  disjunction = this.RULE('disjunction', () => {
    this.SUBRULE(this.conjunction);
    this.MANY(() => {
      this.CONSUME(T.OrOr);
      this.SUBRULE2(this.conjunction);
    });
  });

  conjunction = this.RULE('conjunction', () => {
    this.SUBRULE(this.comparison);
    this.MANY(() => {
      this.CONSUME(T.AndAnd);
      this.SUBRULE2(this.comparison);
    });
  });

  comparison = this.RULE('comparison', () => {
    this.SUBRULE(this.additive);
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.EqEq) },
        { ALT: () => this.CONSUME(T.NotEq) },
        { ALT: () => this.CONSUME(T.LessEq) },
        { ALT: () => this.CONSUME(T.GreaterEq) },
        { ALT: () => this.CONSUME(T.Less) },
        { ALT: () => this.CONSUME(T.Greater) },
      ]);
      this.SUBRULE2(this.additive);
    });
  });

  additive = this.RULE('additive', () => {
    this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Plus) },
        { ALT: () => this.CONSUME(T.Minus) },
      ]);
      this.SUBRULE2(this.multiplicative);
    });
  });

  multiplicative = this.RULE('multiplicative', () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star) },
        { ALT: () => this.CONSUME(T.SlashSlash) },
        { ALT: () => this.CONSUME(T.Slash) },
        { ALT: () => this.CONSUME(T.Percent) },
        { ALT: () => this.CONSUME(T.At) },
      ]);
      this.SUBRULE2(this.unary);
    });
  });

  unary = this.RULE('unary', () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(T.Minus) },
            { ALT: () => this.CONSUME(T.Bang) },
          ]);
          this.SUBRULE(this.unary);
        },
      },
      { ALT: () => this.SUBRULE(this.power) },
    ]);
  });

  power = this.RULE('power', () => {
    this.SUBRULE(this.postfix);
    this.OPTION(() => {
      this.CONSUME(T.StarStar);
      this.SUBRULE(this.unary);
    });
  });

  postfix = this.RULE('postfix', () => {
    this.SUBRULE(this.atom);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.callSuffix) },
        { ALT: () => this.SUBRULE(this.indexSuffix) },
        { ALT: () => this.SUBRULE(this.memberSuffix) },
      ]);
    });
  });

  callSuffix = this.RULE('callSuffix', () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.argument) });
    this.CONSUME(T.RParen);
  });

  argument = this.RULE('argument', () => {
    this.OPTION(() => {
      this.CONSUME(T.Identifier);
      this.CONSUME(T.Equals);
    });
    this.SUBRULE(this.expression);
  });

  /** `[i]`, `[:, 0]`, `[..., 1:3]`, `[2:]`: one subscript per axis. */
  indexSuffix = this.RULE('indexSuffix', () => {
    this.CONSUME(T.LBracket);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.subscript) });
    this.CONSUME(T.RBracket);
  });

  /** `...`, `:`, `a:`, `:b`, `a:b` or an index `i`. */
  subscript = this.RULE('subscript', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Ellipsis) },
      {
        ALT: () => {
          this.CONSUME(T.Colon);
          this.OPTION(() => this.SUBRULE(this.expression, { LABEL: 'end' }));
        },
      },
      {
        ALT: () => {
          this.SUBRULE2(this.expression, { LABEL: 'start' });
          this.OPTION2(() => {
            this.CONSUME2(T.Colon, { LABEL: 'sliceColon' });
            this.OPTION3(() => this.SUBRULE3(this.expression, { LABEL: 'end' }));
          });
        },
      },
    ]);
  });

  memberSuffix = this.RULE('memberSuffix', () => {
    this.CONSUME(T.Dot);
    this.CONSUME(T.Identifier);
  });

  atom = this.RULE('atom', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.SUBRULE(this.parenthesized) },
      { ALT: () => this.SUBRULE(this.list) },
    ]);
  });

  /** `(e)` groups; `(a, b)` is a tuple. */
  parenthesized = this.RULE('parenthesized', () => {
    this.CONSUME(T.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) });
    this.CONSUME(T.RParen);
  });

  /** `[a, b, c]` or the comprehension `[e for i in a..b]`. */
  list = this.RULE('list', () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expression);
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.For);
            this.CONSUME(T.Identifier);
            this.CONSUME(T.In);
            this.SUBRULE(this.range);
          },
        },
        {
          ALT: () => {
            this.MANY(() => {
              this.CONSUME(T.Comma);
              this.SUBRULE2(this.expression);
            });
          },
        },
      ]);
    });
    this.CONSUME(T.RBracket);
  });
}

/** The single parser instance; chevrotain parsers are reused by resetting `input`. */
export const fibParser = new FibParser();

/** Re-exported so the visitor can name the CST root type. */
export type { CstNode };
