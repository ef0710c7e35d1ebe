import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { SPECIAL_TOKENS, SYNTHETIC_VOCABULARY } from './vocabulary.js';

/**
 * Text to token ids for the text encoder, through Hugging Face's tokenizers.js
 * (`@huggingface/tokenizers`, a maintained pure-JS port of the Rust `tokenizers` crate): a
 * real RoBERTa byte-level BPE from its `tokenizer.json` or from `vocab.json` + `merges.txt`,
 * or the synthetic corpus's word vocabulary (one token per word, built here as a WordPiece
 * tokenizer.json whose every word is whole). Encodings are RoBERTa's: `<s> ... </s>`, padded
 * with `<pad>` to a fixed length, with a mask of the real tokens.
 */

/** A tokenizer file that cannot be used: named, with what is wrong. */
export class TokenizerError extends Error {
  override readonly name = 'TokenizerError';
}

/** Ids and mask of one text, padded or truncated to a fixed length. */
export interface EncodedText {
  readonly ids: Int32Array;
  /** 1 for real tokens (specials included), 0 for padding. */
  readonly mask: Float32Array;
  /** Real tokens (the first `length` of `ids`). */
  readonly length: number;
}

type TokenizerJson = Record<string, unknown>;

const ROBERTA_SPECIALS = Object.values(SPECIAL_TOKENS);

/** The parts of a RoBERTa tokenizer.json around its BPE model. */
function robertaJson(model: TokenizerJson, specials: ReadonlyMap<string, number>): TokenizerJson {
  const id = (t: string): number => specials.get(t)!;
  return {
    version: '1.0',
    added_tokens: [...specials].map(([content, tokenId]) => ({ id: tokenId, content, single_word: false, lstrip: content === SPECIAL_TOKENS.mask, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: [SPECIAL_TOKENS.eos, id(SPECIAL_TOKENS.eos)], cls: [SPECIAL_TOKENS.bos, id(SPECIAL_TOKENS.bos)], trim_offsets: true, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model,
  };
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TokenizerError(`${path}: cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TokenizerError(`${path}: the ${what} is not valid JSON (${(e as Error).message})`);
  }
}

/** A tokenizer and RoBERTa's special ids in it. */
export class TextTokenizer {
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  readonly unk: number;
  readonly mask: number;
  readonly vocabSize: number;

  private constructor(
    private readonly hf: Tokenizer,
    /** Where it came from, for messages. */
    readonly source: string,
  ) {
    const id = (t: string): number => {
      const i = hf.token_to_id(t);
      if (i === undefined) throw new TokenizerError(`${source}: no ${t} token (a RoBERTa vocabulary has <s>, <pad>, </s>, <unk> and <mask>)`);
      return i;
    };
    [this.bos, this.eos, this.pad, this.unk, this.mask] = [SPECIAL_TOKENS.bos, SPECIAL_TOKENS.eos, SPECIAL_TOKENS.pad, SPECIAL_TOKENS.unk, SPECIAL_TOKENS.mask].map(id) as [number, number, number, number, number];
    this.vocabSize = Math.max(...hf.get_vocab(true).values()) + 1;
  }

  /** A Hugging Face `tokenizer.json` (with `tokenizer_config.json` beside it, when present). */
  static fromFile(path: string): TextTokenizer {
    const json = readJson(path, 'tokenizer file');
    const configPath = join(dirname(path), 'tokenizer_config.json');
    const config = existsSync(configPath) ? readJson(configPath, 'tokenizer config') : {};
    return TextTokenizer.build(json, config, path);
  }

  /** A GPT-2/RoBERTa byte-level BPE from `vocab.json` and `merges.txt`. */
  static fromVocabAndMerges(vocabPath: string, mergesPath: string): TextTokenizer {
    const vocab = readJson(vocabPath, 'vocabulary');
    if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab) || !Object.values(vocab).every((v) => Number.isInteger(v))) {
      throw new TokenizerError(`${vocabPath}: the vocabulary must be an object of token -> integer id`);
    }
    let text: string;
    try {
      text = readFileSync(mergesPath, 'utf8');
    } catch (e) {
      throw new TokenizerError(`${mergesPath}: cannot read the merges (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const merges = text.split('\n').map((l) => l.trimEnd()).filter((l, i) => l.length > 0 && !(i === 0 && l.startsWith('#version')));
    merges.forEach((m, i) => {
      if (m.split(' ').length !== 2) throw new TokenizerError(`${mergesPath}:${i + 2}: a merge is two tokens separated by one space, got '${m}'`);
    });
    const v = vocab as Record<string, number>;
    const specials = new Map(ROBERTA_SPECIALS.filter((t) => t in v).map((t) => [t, v[t]!] as const));
    const model = { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab: v, merges };
    return TextTokenizer.build(robertaJson(model, specials), {}, `${vocabPath} + ${mergesPath}`);
  }

  /** The synthetic corpus's vocabulary, one token per word (see vocabulary.ts). */
  static synthetic(): TextTokenizer {
    const vocab = Object.fromEntries(SYNTHETIC_VOCABULARY.map((t, i) => [t, i]));
    const specials = new Map(ROBERTA_SPECIALS.map((t) => [t, vocab[t]!] as const));
    const json = {
      ...robertaJson({ type: 'WordPiece', unk_token: SPECIAL_TOKENS.unk, continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab }, specials),
      // Words and marks are separated by spaces in the corpus's texts.
      pre_tokenizer: { type: 'WhitespaceSplit' },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: false },
    };
    return TextTokenizer.build(json, {}, 'the synthetic vocabulary');
  }

  private static build(json: unknown, config: unknown, source: string): TextTokenizer {
    if (typeof json !== 'object' || json === null || !('model' in json)) throw new TokenizerError(`${source}: not a tokenizer.json (no "model")`);
    let hf: Tokenizer;
    try {
      hf = new Tokenizer(json, config as object);
    } catch (e) {
      throw new TokenizerError(`${source}: ${(e as Error).message}`);
    }
    return new TextTokenizer(hf, source);
  }

  /** The tokens of a text, specials included (`<s>`, ..., `</s>`). */
  tokens(text: string): string[] {
    return this.hf.tokenize(text, { add_special_tokens: true });
  }

  /**
   * A text as `maxLength` ids: `<s>`, its tokens (cut to fit), `</s>`, then `<pad>`; the mask
   * marks the real tokens.
   */
  encode(text: string, maxLength: number): EncodedText {
    if (maxLength < 2) throw new TokenizerError(`a text needs at least 2 positions (<s> and </s>), got ${maxLength}`);
    const all: number[] = this.hf.encode(text, { add_special_tokens: true }).ids;
    const kept = all.length <= maxLength ? all : [...all.slice(0, maxLength - 1), this.eos];
    const ids = new Int32Array(maxLength).fill(this.pad);
    const mask = new Float32Array(maxLength);
    kept.forEach((id, i) => {
      ids[i] = id;
      mask[i] = 1;
    });
    return { ids, mask, length: kept.length };
  }

  /** The text of some ids, special tokens and padding left out. */
  decode(ids: ArrayLike<number>): string {
    return this.hf.decode(Array.from(ids), { skip_special_tokens: true, clean_up_tokenization_spaces: false });
  }

  /** The id of a token, if the vocabulary has it. */
  tokenId(token: string): number | undefined {
    return this.hf.token_to_id(token);
  }
}
