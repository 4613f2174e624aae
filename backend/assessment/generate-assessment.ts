import type { AssessmentQuestion, CertificationProfile, GeneratedAssessment } from '../../shared/contracts/assessment';
import type { CatalogEntry } from './catalog';
import type { BankQuestion } from './question-bank/define-bank';
import { type Random, seededRandom, shuffled } from './seeded-random';

export const DEFAULT_QUESTION_COUNT = 20;

/**
 * Seats per domain: every domain gets one, then each further seat goes to the domain furthest
 * below its weighted share (weight x total) that still has unused questions; ties go to the
 * domain listed first in the profile. Deterministic and proportional without rounding drift.
 */
export function allocateQuestionsPerDomain(
  profile: CertificationProfile,
  available: Map<string, number>,
  total: number,
): Map<string, number> {
  const seats = new Map(profile.domains.map((d) => [d.id, Math.min(1, available.get(d.id) ?? 0)]));
  let assigned = [...seats.values()].reduce((a, b) => a + b, 0);
  while (assigned < total) {
    let best: string | undefined;
    let bestDeficit = -Infinity;
    for (const d of profile.domains) {
      const have = seats.get(d.id)!;
      if (have >= (available.get(d.id) ?? 0)) continue;
      const deficit = d.weight * total - have;
      if (deficit > bestDeficit) {
        bestDeficit = deficit;
        best = d.id;
      }
    }
    if (!best) break; // bank exhausted
    seats.set(best, seats.get(best)! + 1);
    assigned++;
  }
  return seats;
}

/** Within a domain: round-robin over its skills (in seeded order) so a few seats still cover many skills. */
function pickFromDomain(questions: BankQuestion[], seats: number, random: Random): BankQuestion[] {
  const bySkill = new Map<string, BankQuestion[]>();
  for (const q of questions) bySkill.set(q.skillId, [...(bySkill.get(q.skillId) ?? []), q]);
  const queues = shuffled([...bySkill.keys()], random).map((skillId) => shuffled(bySkill.get(skillId)!, random));
  const picked: BankQuestion[] = [];
  while (picked.length < seats && queues.some((q) => q.length > 0)) {
    for (const queue of queues) {
      const next = queue.shift();
      if (next && picked.length < seats) picked.push(next);
    }
  }
  return picked;
}

/**
 * Generates an assessment from the bank. The seed (with the certification id) fixes everything:
 * which questions, their order, and the order of each question's choices; the answer key points
 * at the correct choice after shuffling. Without a seed change, a retry returns the same form.
 */
export function generateFromBank(entry: CatalogEntry, seed: string, questionCount = DEFAULT_QUESTION_COUNT): GeneratedAssessment {
  const { profile, bank } = entry;
  const random = seededRandom(`${profile.id}:${seed}`);
  // At least one question per domain, at most the whole bank.
  const total = Math.min(Math.max(questionCount, profile.domains.length), bank.questions.length);

  const byDomain = new Map<string, BankQuestion[]>();
  for (const q of bank.questions) byDomain.set(q.domainId, [...(byDomain.get(q.domainId) ?? []), q]);
  const available = new Map([...byDomain].map(([id, qs]) => [id, qs.length]));
  const seats = allocateQuestionsPerDomain(profile, available, total);

  const picked = profile.domains.flatMap((d) => pickFromDomain(byDomain.get(d.id) ?? [], seats.get(d.id) ?? 0, random));
  const questions: AssessmentQuestion[] = [];
  const answerKey: Record<string, number> = {};
  for (const q of shuffled(picked, random)) {
    const choices = shuffled([q.correct, ...q.distractors], random);
    answerKey[q.id] = choices.indexOf(q.correct);
    questions.push({ id: q.id, domainId: q.domainId, skillId: q.skillId, prompt: q.prompt, choices, points: q.points });
  }
  return { certificationId: profile.id, title: `${profile.name} – diagnostic assessment`, questions, answerKey };
}
