import type {
  CertificationProfile,
  DomainGap,
  GapAnalysis,
  GeneratedAssessment,
  LearnerAnswer,
  SkillGap,
} from '../../shared/contracts/assessment';
import { PermanentError } from '../errors';
import { skillIndex, skillKey } from './catalog';
import { roundScore, severityForScore } from './severity';

interface Tally {
  earned: number;
  possible: number;
}

function add(tallies: Map<string, Tally>, key: string, earned: number, possible: number): void {
  const t = tallies.get(key) ?? { earned: 0, possible: 0 };
  t.earned += earned;
  t.possible += possible;
  tallies.set(key, t);
}

/**
 * Grades the answers and scores every domain and skill the assessment covered.
 * - An answer is the chosen choice's text (what a Google Form reports); it is correct when it equals
 *   the keyed choice after trimming both. Unknown question ids are ignored; for a question answered
 *   twice the last answer counts; a missing or blank answer is wrong.
 * - Scores are earned / possible points. Domains and skills without questions carry no evidence and
 *   are left out. `passed` compares the points-weighted total with the profile's passing score.
 */
export function analyzeGapsForProfile(
  profile: CertificationProfile,
  assessment: GeneratedAssessment,
  answers: LearnerAnswer[],
): GapAnalysis {
  if (assessment.certificationId !== profile.id) {
    throw new PermanentError(`assessment is for '${assessment.certificationId}', not '${profile.id}'`, {
      reason: 'certification_mismatch',
    });
  }
  const skills = skillIndex(profile);
  const latestAnswer = new Map<string, string>();
  for (const a of answers) latestAnswer.set(a.questionId, a.answer);

  const domainTallies = new Map<string, Tally>();
  const skillTallies = new Map<string, Tally>();
  let earned = 0;
  let possible = 0;
  let answered = 0;
  let correct = 0;

  for (const [i, q] of assessment.questions.entries()) {
    if (!skills.has(skillKey(q.domainId, q.skillId))) {
      throw new PermanentError(`questions.${i}: skill '${q.domainId}/${q.skillId}' is not in profile '${profile.id}'`, {
        reason: 'unknown_skill',
      });
    }
    const keyIndex = assessment.answerKey[q.id];
    if (keyIndex === undefined || keyIndex >= q.choices.length) {
      throw new PermanentError(`answerKey.${q.id}: missing or out of range`, { reason: 'invalid_answer_key' });
    }
    const given = latestAnswer.get(q.id)?.trim();
    const isAnswered = given !== undefined && given !== '';
    const isCorrect = isAnswered && given === q.choices[keyIndex].trim();
    const points = isCorrect ? q.points : 0;
    if (isAnswered) answered++;
    if (isCorrect) correct++;
    earned += points;
    possible += q.points;
    add(domainTallies, q.domainId, points, q.points);
    add(skillTallies, skillKey(q.domainId, q.skillId), points, q.points);
  }

  const domains: DomainGap[] = profile.domains
    .filter((d) => domainTallies.has(d.id))
    .map((d) => {
      const t = domainTallies.get(d.id)!;
      const score = t.earned / t.possible;
      return {
        domainId: d.id,
        domainName: d.name,
        weight: d.weight,
        earned: t.earned,
        possible: t.possible,
        score: roundScore(score),
        severity: severityForScore(score),
      };
    });

  const skillGaps: SkillGap[] = [...skills.values()]
    .filter((s) => skillTallies.has(skillKey(s.domainId, s.skillId)))
    .map((s) => {
      const t = skillTallies.get(skillKey(s.domainId, s.skillId))!;
      const score = t.earned / t.possible;
      return {
        domainId: s.domainId,
        skillId: s.skillId,
        skillName: s.skillName,
        score: roundScore(score),
        severity: severityForScore(score),
      };
    });

  const totalScore = possible === 0 ? 0 : earned / possible;
  return {
    certificationId: profile.id,
    totalScore: roundScore(totalScore),
    passed: totalScore >= profile.passingScore,
    passingScore: profile.passingScore,
    answered,
    correct,
    domains,
    skills: skillGaps,
  };
}
