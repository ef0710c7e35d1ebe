import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticCorpus } from '../../src/data/synthetic.js';
import { TextTokenizer, TokenizerError } from '../../src/data/tokenizer.js';
import { SYNTHETIC_VOCABULARY } from '../../src/data/vocabulary.js';

/**
 * A tiny byte-level BPE in GPT-2/RoBERTa's format (Ġ is a space), whose encodings are worked
 * out by hand: "lower low newest" pre-tokenizes to `lower`, `Ġlow`, `Ġnewest`; the merges in
 * order make `low er`, `Ġlow` and `Ġnew est`.
 */
const VOCAB = Object.fromEntries(['<s>', '<pad>', '</s>', '<unk>', 'l', 'o', 'w', 'e', 'r', 'Ġ', 'n', 's', 't', 'lo', 'low', 'er', 'Ġlow', 'es', 'est', 'ne', 'new', 'Ġnew', '<mask>'].map((t, i) => [t, i]));
const MERGES = ['l o', 'lo w', 'e r', 'Ġ low', 'e s', 'es t', 'n e', 'ne w', 'Ġ new'];
const id = (t: string): number => VOCAB[t]!;

function files(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fiberc-tok-'));
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(VOCAB));
  writeFileSync(join(dir, 'merges.txt'), `#version: 0.2\n${MERGES.join('\n')}\n`);
  return dir;
}

describe('tokenizer', () => {
  it('a byte-level BPE from vocab.json and merges.txt encodes as worked out by hand, and round-trips', () => {
    const dir = files();
    const t = TextTokenizer.fromVocabAndMerges(join(dir, 'vocab.json'), join(dir, 'merges.txt'));
    expect(t.tokens('lower low newest')).toEqual(['<s>', 'low', 'er', 'Ġlow', 'Ġnew', 'est', '</s>']);
    const e = t.encode('lower low newest', 10);
    expect(Array.from(e.ids)).toEqual([id('<s>'), id('low'), id('er'), id('Ġlow'), id('Ġnew'), id('est'), id('</s>'), id('<pad>'), id('<pad>'), id('<pad>')]);
    expect(Array.from(e.mask)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect(e.length).toBe(7);
    expect(t.decode(e.ids)).toBe('lower low newest');
    expect([t.bos, t.pad, t.eos, t.unk, t.mask]).toEqual([0, 1, 2, 3, 22]);
    expect(t.vocabSize).toBe(23);
    // Truncated: `</s>` stays last.
    expect(Array.from(t.encode('lower low newest', 4).ids)).toEqual([id('<s>'), id('low'), id('er'), id('</s>')]);
  });

  it('a tokenizer.json of the same model encodes the same', () => {
    const dir = files();
    const json = {
      version: '1.0',
      added_tokens: ['<s>', '<pad>', '</s>', '<unk>', '<mask>'].map((content) => ({ id: id(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: null,
      pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: false },
      decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab: VOCAB, merges: MERGES.map((m) => m.split(' ')) },
    };
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
    const fromJson = TextTokenizer.fromFile(join(dir, 'tokenizer.json'));
    const fromPair = TextTokenizer.fromVocabAndMerges(join(dir, 'vocab.json'), join(dir, 'merges.txt'));
    for (const text of ['lower low newest', 'newest lower', 'low']) expect(Array.from(fromJson.encode(text, 12).ids), text).toEqual(Array.from(fromPair.encode(text, 12).ids));
  });

  it('the synthetic vocabulary gives one token per word and round-trips every caption and question', () => {
    const t = TextTokenizer.synthetic();
    expect(t.vocabSize).toBe(SYNTHETIC_VOCABULARY.length);
    expect([t.bos, t.pad, t.eos, t.unk, t.mask]).toEqual([0, 1, 2, 3, 4]);
    const corpus = syntheticCorpus({ seed: 3, sizes: { train: 40, val: 5, test: 5 } });
    for (const e of [...corpus.train, ...corpus.test]) {
      for (const text of [...e.captions, ...e.questions.map((q) => q.question)]) {
        const words = text.split(' ');
        const enc = t.encode(text, 40);
        expect(enc.length, text).toBe(words.length + 2);
        expect(Array.from(enc.ids.slice(1, words.length + 1))).toEqual(words.map((w) => SYNTHETIC_VOCABULARY.indexOf(w)));
        expect(t.decode(enc.ids)).toBe(text);
      }
    }
    expect(t.tokens('a zebra')).toEqual(['<s>', 'a', '<unk>', '</s>']);
  });

  it('rejects unusable files with the file and what is wrong', () => {
    const dir = files();
    writeFileSync(join(dir, 'bad.json'), '{"model": ');
    expect(() => TextTokenizer.fromFile(join(dir, 'bad.json'))).toThrow(TokenizerError);
    expect(() => TextTokenizer.fromFile(join(dir, 'bad.json'))).toThrow(/bad\.json: the tokenizer file is not valid JSON/);
    expect(() => TextTokenizer.fromFile(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read the tokenizer file \(ENOENT\)/);
    writeFileSync(join(dir, 'notok.json'), '{"vocab": {}}');
    expect(() => TextTokenizer.fromFile(join(dir, 'notok.json'))).toThrow(/notok\.json: not a tokenizer\.json \(no "model"\)/);
    writeFileSync(join(dir, 'list.json'), '["a", "b"]');
    expect(() => TextTokenizer.fromVocabAndMerges(join(dir, 'list.json'), join(dir, 'merges.txt'))).toThrow(/list\.json: the vocabulary must be an object of token -> integer id/);
    writeFileSync(join(dir, 'bad-merges.txt'), '#version: 0.2\nl o\nlo w x\n');
    expect(() => TextTokenizer.fromVocabAndMerges(join(dir, 'vocab.json'), join(dir, 'bad-merges.txt'))).toThrow(/bad-merges\.txt:3: a merge is two tokens separated by one space, got 'lo w x'/);
    const { '<mask>': _, ...noMask } = VOCAB;
    writeFileSync(join(dir, 'nomask.json'), JSON.stringify(noMask));
    expect(() => TextTokenizer.fromVocabAndMerges(join(dir, 'nomask.json'), join(dir, 'merges.txt'))).toThrow(/no <mask> token/);
  });
});
