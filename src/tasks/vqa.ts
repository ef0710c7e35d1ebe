import { ANSWERS, QUESTION_TYPES, type Question, type QuestionType } from '../data/questions.js';

/** VQA accuracy overall and per question type (exact match of the top-scored answer). */
export interface VqaAccuracy {
  readonly overall: number;
  readonly count: number;
  readonly byType: Readonly<Record<QuestionType, { readonly accuracy: number; readonly count: number }>>;
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
export function vqaAccuracy(predicted: readonly number[], questions: readonly Question[]): VqaAccuracy {
  if (predicted.length !== questions.length) throw new Error(`${predicted.length} predictions for ${questions.length} questions`);
  const right = questions.map((q, i) => ANSWERS[predicted[i]!] === q.answer);
  const share = (xs: readonly boolean[]): number => (xs.length === 0 ? 0 : xs.filter(Boolean).length / xs.length);
  const byType = Object.fromEntries(QUESTION_TYPES.map((t) => {
    const of = right.filter((_, i) => questions[i]!.type === t);
    return [t, { accuracy: share(of), count: of.length }];
  })) as Record<QuestionType, { accuracy: number; count: number }>;
  return { overall: share(right), count: questions.length, byType };
}
