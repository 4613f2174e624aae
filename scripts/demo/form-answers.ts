import { z } from 'zod';

/**
 * A simulated learner answering a quiz form: answers a chosen share of the questions right,
 * spread evenly over the form (so every domain gets some right and some wrong answers).
 */

export const ScoreProfile = z.enum(['high', 'medium', 'low']);
export type ScoreProfile = z.infer<typeof ScoreProfile>;

/** Share of questions answered correctly per profile. */
export const CORRECT_SHARE: Record<ScoreProfile, number> = { high: 0.9, medium: 0.6, low: 0.2 };

/** The parts of a quiz item the learner sees (and, for the simulation, which choice is right). */
export interface QuizItemView {
  title: string;
  choices: ReadonlyArray<{ value: string; isCorrect: boolean }>;
}

/** Answers keyed by item title, as `fireFormSubmit` takes them. Deterministic for a given form. */
export function answersForForm(items: readonly QuizItemView[], profile: ScoreProfile): Record<string, string> {
  const share = CORRECT_SHARE[profile];
  const answers: Record<string, string> = {};
  items.forEach((item, i) => {
    if (item.choices.length === 0) throw new Error(`quiz item "${item.title}" has no choices`);
    const correctIndex = Math.max(
      0,
      item.choices.findIndex((c) => c.isCorrect),
    );
    // Question i is answered right when the running count of right answers ticks up here.
    const right = Math.floor((i + 1) * share) > Math.floor(i * share);
    const index = right ? correctIndex : (correctIndex + 1) % item.choices.length;
    answers[item.title] = item.choices[index].value;
  });
  return answers;
}

/** How many of `answers` are right, for reporting. */
export function countCorrect(items: readonly QuizItemView[], answers: Record<string, string>): number {
  return items.filter((item) => item.choices.some((c) => c.isCorrect && c.value === answers[item.title])).length;
}
