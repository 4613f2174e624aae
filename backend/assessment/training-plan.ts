import type { CertificationProfile, GapAnalysis, TrainingPlan, TrainingPlanItem } from '../../shared/contracts/assessment';
import { PermanentError } from '../errors';
import { skillIndex, skillKey } from './catalog';
import { RECOMMENDED_MINUTES, roundScore, SEVERITY_WEIGHT } from './severity';

/**
 * One plan item per skill gap with a severity other than 'none', ranked by
 * priority = severity weight x domain weight (highest first). Ties: lower skill score first,
 * then the profile's own order of domains and skills, so the ranking never depends on input order.
 */
export function buildPlanForProfile(profile: CertificationProfile, gaps: GapAnalysis): TrainingPlan {
  if (gaps.certificationId !== profile.id) {
    throw new PermanentError(`gap analysis is for '${gaps.certificationId}', not '${profile.id}'`, { reason: 'certification_mismatch' });
  }
  const skills = skillIndex(profile);
  const seen = new Set<string>();
  const candidates = gaps.skills.flatMap((g, i) => {
    const ref = skills.get(skillKey(g.domainId, g.skillId));
    if (!ref)
      throw new PermanentError(`skills.${i}: skill '${g.domainId}/${g.skillId}' is not in profile '${profile.id}'`, {
        reason: 'unknown_skill',
      });
    // A skill listed twice is planned once (first entry wins).
    if (g.severity === 'none' || seen.has(skillKey(g.domainId, g.skillId))) return [];
    seen.add(skillKey(g.domainId, g.skillId));
    return [{ gap: g, ref, priority: roundScore(SEVERITY_WEIGHT[g.severity] * ref.domainWeight) }];
  });

  candidates.sort(
    (a, b) =>
      b.priority - a.priority || a.gap.score - b.gap.score || a.ref.domainIndex - b.ref.domainIndex || a.ref.skillIndex - b.ref.skillIndex,
  );

  const items: TrainingPlanItem[] = candidates.map((c, i) => ({
    rank: i + 1,
    domainId: c.ref.domainId,
    skillId: c.ref.skillId,
    title: `${c.ref.skillName} — ${c.ref.domainName}`,
    severity: c.gap.severity,
    priority: c.priority,
    recommendedMinutes: RECOMMENDED_MINUTES[c.gap.severity],
  }));
  return { items };
}
