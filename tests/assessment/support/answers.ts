import type { GeneratedAssessment, LearnerAnswer } from '../../../shared/contracts/assessment';

/** Answers as a Google Form reports them: the chosen choice's text. */
export function correctAnswers(a: GeneratedAssessment): LearnerAnswer[] {
  return a.questions.map((q) => ({ questionId: q.id, answer: q.choices[a.answerKey[q.id]] }));
}

export function wrongAnswers(a: GeneratedAssessment): LearnerAnswer[] {
  return a.questions.map((q) => ({ questionId: q.id, answer: q.choices[(a.answerKey[q.id] + 1) % q.choices.length] }));
}
