import { describe, expect, it } from 'vitest';
import { CAPTION_WORD_KINDS } from '../../src/data/captions.js';
import { retrievalErrors } from '../../src/tasks/retrieval-errors.js';

describe('retrieval errors by kind of word', () => {
  const captions = [
    'a small red circle at the top', // 0
    'a small blue circle at the top', // 1: colour differs from 0
    'a large red square on the left and a small blue circle at the top', // 2
    'a small red square on the left and a large blue circle at the top', // 3: sizes swapped between 2's objects
  ];

  it('names what the retrieved caption says differently, per direction', () => {
    // Image 0 retrieves caption 1 (colour); image 2 retrieves caption 3 (same words, bound to
    // other objects); image 1 and 3 their own. Caption queries: caption 0 retrieves image 2
    // (objects, size, colour, shape, position), the others their own.
    const scores = Float64Array.from([
      0.5, 0.8, 0.1, 0.1,
      0.1, 0.9, 0.1, 0.1,
      0.85, 0.1, 0.5, 0.9,
      0.1, 0.1, 0.1, 0.95,
    ]);
    const e = retrievalErrors(scores, captions, CAPTION_WORD_KINDS);
    expect(e.imageToText).toEqual({ wrong: 2, differIn: { objects: 0, size: 0, colour: 1, shape: 0, position: 0 }, sameWords: 1 });
    expect(e.textToImage).toEqual({ wrong: 1, differIn: { objects: 1, size: 1, colour: 1, shape: 1, position: 1 }, sameWords: 0 });
  });

  it('counts a tie with the true match as a miss, and nothing when every query wins', () => {
    const tie = Float64Array.from([0.5, 0.5, 0.1, 0.9]);
    expect(retrievalErrors(tie, captions.slice(0, 2), CAPTION_WORD_KINDS).imageToText.wrong).toBe(1);
    const perfect = Float64Array.from([1, 0, 0, 1]);
    expect(retrievalErrors(perfect, captions.slice(0, 2), CAPTION_WORD_KINDS).textToImage).toEqual({ wrong: 0, differIn: { objects: 0, size: 0, colour: 0, shape: 0, position: 0 }, sameWords: 0 });
  });

  it('rejects a score matrix of the wrong size', () => {
    expect(() => retrievalErrors(new Float64Array(3), captions.slice(0, 2), CAPTION_WORD_KINDS)).toThrow('a 2 x 2 score matrix has 4 scores, got 3');
  });
});
