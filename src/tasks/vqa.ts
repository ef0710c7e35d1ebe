import { ANSWERS, QUESTION_TYPES } from '../data/questions.js';
import type { VqaQuestion } from '../data/vqa-batch.js';

/** VQA accuracy overall and per question type (exact match of the top-scored answer). */
export interface VqaAccuracy {
  readonly overall: number;
  readonly count: number;
  /** By question type: the synthetic corpus's five in their order, then any others in order of appearance. */
  readonly byType: Readonly<Record<string, { readonly accuracy: number; readonly count: number }>>;
}

/** The index of the largest score of each row of a [rows, ANSWERS.length] logits array. */
export function predictedAnswers(logits: ArrayLike<number>, rows: number): number[] {
  const A = ANSWERS.length;
  return [...Array(rows).keys()].map((r) => {
    let best = 0;
    for (let a = 1; a < A; a++) if (logits[r * A + a]! > logits[r * A + best]!) best = a;
    return best;
  });
}

/** Accuracy of predicted answer indices against the questions' answers. */
export function vqaAccuracy(predicted: readonly number[], questions: readonly VqaQuestion[]): VqaAccuracy {
  if (predicted.length !== questions.length) throw new Error(`${predicted.length} predictions for ${questions.length} questions`);
  const right = questions.map((q, i) => ANSWERS[predicted[i]!] === q.answer);
  const share = (xs: readonly boolean[]): number => (xs.length === 0 ? 0 : xs.filter(Boolean).length / xs.length);
  const seen = new Set(questions.map((q) => q.type));
  const types = [...QUESTION_TYPES.filter((t) => seen.has(t)), ...[...seen].filter((t) => !(QUESTION_TYPES as readonly string[]).includes(t))];
  const byType = Object.fromEntries(types.map((t) => {
    const of = right.filter((_, i) => questions[i]!.type === t);
    return [t, { accuracy: share(of), count: of.length }];
  }));
  return { overall: share(right), count: questions.length, byType };
}
