import { nanLast } from './retrieval.js';

/**
 * What retrieval gets wrong: for every query whose best-scored candidate is not its own, how
 * the retrieved caption differs from the query's caption in each kind of word (colours, shapes,
 * positions, ...). A dual encoder whose top-1 misses differ mostly in colour and shape, never in
 * position, has learned the layout of a scene and not what is in it; recall alone cannot say so.
 */

/** A kind of word captions describe their images with: colours, shapes, ... */
export interface WordKind {
  readonly name: string;
  readonly words: readonly string[];
  /**
   * `words` (default): two captions differ in this kind when they hold different multisets of
   * its words; `count`: when they hold different numbers of them (e.g. shape words: objects).
   */
  readonly compare?: 'words' | 'count';
}

/** The top-1 misses of one direction. */
export interface TopOneErrors {
  /** Queries whose best-scored candidate is not their own. */
  readonly wrong: number;
  /** Of those, per kind, how many retrieved a caption that differs from the query's in that kind. */
  readonly differIn: Readonly<Record<string, number>>;
  /** Of those, how many retrieved a caption that differs in no kind (same words, bound to other objects). */
  readonly sameWords: number;
}

export interface RetrievalErrors {
  readonly imageToText: TopOneErrors;
  readonly textToImage: TopOneErrors;
}

/** The caption's words of one kind, as a sorted list (or their count), for comparison. */
function signature(words: readonly string[], kind: WordKind): string {
  const set = new Set(kind.words);
  const chosen = words.filter((w) => set.has(w));
  return kind.compare === 'count' ? String(chosen.length) : chosen.sort().join(' ');
}

/**
 * Top-1 misses of an N x N score matrix (row-major: image i against the caption of image j; the
 * true pairs on the diagonal) by how the retrieved caption differs from the query's: for an
 * image query, its own caption against the best-scored one; for a caption query, it against the
 * caption of the best-scored image. Ties count as misses, as in recallAtK.
 */
export function retrievalErrors(scores: Float32Array | Float64Array, captions: readonly string[], kinds: readonly WordKind[]): RetrievalErrors {
  const N = captions.length;
  if (scores.length !== N * N) throw new Error(`a ${N} x ${N} score matrix has ${N * N} scores, got ${scores.length}`);
  const signatures = captions.map((c) => {
    const words = c.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
    return kinds.map((k) => signature(words, k));
  });
  const tally = (score: (query: number, candidate: number) => number): TopOneErrors => {
    const differIn = Object.fromEntries(kinds.map((k) => [k.name, 0]));
    let [wrong, sameWords] = [0, 0];
    for (let q = 0; q < N; q++) {
      // The best other candidate; the query's own wins only when strictly better.
      let best = -1;
      for (let c = 0; c < N; c++) if (c !== q && (best < 0 || score(q, c) > score(q, best))) best = c;
      if (best < 0 || score(q, q) > score(q, best)) continue;
      wrong++;
      const differs = kinds.filter((_, k) => signatures[q]![k] !== signatures[best]![k]);
      for (const k of differs) differIn[k.name]!++;
      if (differs.length === 0) sameWords++;
    }
    return { wrong, differIn, sameWords };
  };
  return {
    imageToText: tally((i, j) => nanLast(scores[i * N + j]!)),
    textToImage: tally((j, i) => nanLast(scores[i * N + j]!)),
  };
}
