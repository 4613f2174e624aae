import { z } from 'zod';
import type { CertificationProfile } from '../../../shared/contracts/assessment';

/**
 * A question as authored: one correct answer and its distractors. Choices are shuffled per
 * assessment (seeded), so the bank never stores an order or an answer index.
 */
export const BankQuestion = z.object({
  id: z.string().min(1),
  domainId: z.string().min(1),
  skillId: z.string().min(1),
  prompt: z.string().min(1),
  correct: z.string().min(1),
  distractors: z.array(z.string().min(1)).min(1).max(5),
  points: z.number().int().min(1).max(10),
});
export type BankQuestion = z.infer<typeof BankQuestion>;

export interface QuestionBank {
  certificationId: string;
  questions: BankQuestion[];
}

/** Authoring shape: compact, grouped by skill. */
export interface AuthoredQuestion {
  q: string;
  a: string;
  wrong: string[];
  points?: number;
}

/**
 * Builds a bank from questions grouped by skill id. Ids are `${prefix}-${skillId}-${n}` (n from 1
 * in authoring order), so they stay stable as long as questions are only ever appended.
 * Throws on a skill the profile does not have, or on duplicate choices within a question.
 */
export function defineQuestionBank(
  profile: CertificationProfile,
  prefix: string,
  bySkill: Record<string, AuthoredQuestion[]>,
): QuestionBank {
  const domainOfSkill = new Map<string, string>();
  for (const domain of profile.domains) for (const skill of domain.skills) domainOfSkill.set(skill.id, domain.id);

  const questions: BankQuestion[] = [];
  for (const [skillId, authored] of Object.entries(bySkill)) {
    const domainId = domainOfSkill.get(skillId);
    if (!domainId) throw new Error(`question bank ${profile.id}: unknown skill '${skillId}'`);
    authored.forEach((item, i) => {
      const id = `${prefix}-${skillId}-${i + 1}`;
      const choices = [item.a, ...item.wrong].map((c) => c.trim());
      if (new Set(choices).size !== choices.length) throw new Error(`question bank ${profile.id}: duplicate choices in ${id}`);
      questions.push(
        BankQuestion.parse({ id, domainId, skillId, prompt: item.q, correct: item.a, distractors: item.wrong, points: item.points ?? 1 }),
      );
    });
  }
  return { certificationId: profile.id, questions };
}
