import { ANSWERS, QUESTION_TYPES } from '../data/questions.js';
import { argmaxAt } from './argmax.js';
import type { VqaQuestion } from '../data/vqa-batch.js';

/** VQA accuracy overall and per question type (exact match of the top-scored answer). */
export interface VqaAccuracy {
  readonly overall: number;
  readonly count: number;
  /**
   * By question type: the synthetic corpus's five in their order, then any others in order of
   * appearance; with the answer predicted most often and its share of the type's questions (a
   * classifier that has learned only a type's prior answers nearly all of them alike).
   */
  readonly byType: Readonly<Record<string, TypeAccuracy>>;
  /** With a place head (FiberVQAGrounded and its readers): how many of the compared objects' cells it names. */
  readonly places?: PlaceAccuracy;
}

/** The share of the objects relation questions compare whose grid cell a place head names (its largest logit). */
export interface PlaceAccuracy {
  readonly accuracy: number;
  /** Objects scored: two per question that compares two, none for the others. */
  readonly count: number;
}

/** Accuracy on the questions of one type. */
export interface TypeAccuracy {
  readonly accuracy: number;
  readonly count: number;
  readonly mostPredicted: { readonly answer: string; readonly share: number };
}

/** The index of the largest score of each row of a [rows, ANSWERS.length] logits array. */
export function predictedAnswers(logits: ArrayLike<number>, rows: number): number[] {
  const A = ANSWERS.length;
  return [...Array(rows).keys()].map((r) => argmaxAt(logits, r * A, A));
}

/** Accuracy of predicted answer indices against the questions' answers. */
export function vqaAccuracy(predicted: readonly number[], questions: readonly VqaQuestion[]): VqaAccuracy {
  if (predicted.length !== questions.length) throw new Error(`${predicted.length} predictions for ${questions.length} questions`);
  const right = questions.map((q, i) => ANSWERS[predicted[i]!] === q.answer);
  const share = (xs: readonly boolean[]): number => (xs.length === 0 ? 0 : xs.filter(Boolean).length / xs.length);
  const seen = new Set(questions.map((q) => q.type));
  const types = [...QUESTION_TYPES.filter((t) => seen.has(t)), ...[...seen].filter((t) => !(QUESTION_TYPES as readonly string[]).includes(t))];
  const byType = Object.fromEntries(types.map((t): [string, TypeAccuracy] => {
    const rows = questions.flatMap((q, i) => (q.type === t ? [i] : []));
    const times = new Map<number, number>();
    for (const i of rows) times.set(predicted[i]!, (times.get(predicted[i]!) ?? 0) + 1);
    const [answer, n] = [...times].reduce((best, x) => (x[1] > best[1] ? x : best));
    return [t, { accuracy: share(rows.map((i) => right[i]!)), count: rows.length, mostPredicted: { answer: ANSWERS[answer]!, share: n / rows.length } }];
  }));
  return { overall: share(right), count: questions.length, byType };
}

/**
 * Place accuracy from per-row place logits ([2 x cells] each: both compared objects' cells) and
 * each row's two target cells (-1, -1 on rows that compare nothing, which are left out).
 */
export function placeAccuracy(rows: readonly ArrayLike<number>[], targets: readonly (readonly number[])[]): PlaceAccuracy {
  if (rows.length !== targets.length) throw new Error(`${rows.length} rows of place logits for ${targets.length} questions`);
  let [right, count] = [0, 0];
  rows.forEach((logits, r) => {
    const cells = logits.length / 2;
    targets[r]!.forEach((target, o) => {
      if (target < 0) return;
      count++;
      if (argmaxAt(logits, o * cells, cells) === target) right++;
    });
  });
  return { accuracy: count === 0 ? 0 : right / count, count };
}
