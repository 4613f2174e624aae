import type { CertificationProfile, GapAnalysis, Severity, TrainingPlan } from '../../shared/contracts/assessment';
import { PermanentError } from '../errors';
import { type SkillRef, skillIndex, skillKey } from './catalog';
import { RECOMMENDED_MINUTES } from './severity';

/** A skill a course teaches: a plan item ('gap') or a skill added to fill the courses ('reinforcement'/'advanced'). */
export interface CourseTopic {
  ref: SkillRef;
  kind: 'gap' | 'reinforcement' | 'advanced';
  severity: Severity | undefined;
  /** The learner's score on this skill, when the assessment covered it. */
  score: number | undefined;
  recommendedMinutes: number;
}

/** Beyond this many body slides per skill, more skills are added rather than stretching one skill thin. */
export const MAX_SLIDES_PER_TOPIC = 6;
/** Slides of a course that are not about one skill: title, objectives, recap. */
export const FRAME_SLIDES = 3;

/**
 * The skills the courses teach, in teaching priority: every plan item in rank order, then — only
 * when that is too few to fill courseCount courses of slidesPerCourse slides — reinforcement skills:
 * first from domains already in the plan, then from the heaviest remaining domains, in profile order.
 * An empty plan (no gaps) gives an advanced review built the same way.
 */
export function selectCourseTopics(
  profile: CertificationProfile,
  plan: TrainingPlan,
  gaps: GapAnalysis,
  courseCount: number,
  slidesPerCourse: number,
): CourseTopic[] {
  const skills = skillIndex(profile);
  const scoreOf = new Map(gaps.skills.map((g) => [skillKey(g.domainId, g.skillId), g.score]));
  const topics: CourseTopic[] = [];
  const chosen = new Set<string>();

  plan.items.forEach((item, i) => {
    const key = skillKey(item.domainId, item.skillId);
    const ref = skills.get(key);
    if (!ref) throw new PermanentError(`plan.items.${i}: skill '${key}' is not in profile '${profile.id}'`, { reason: 'unknown_skill' });
    if (chosen.has(key)) return;
    chosen.add(key);
    topics.push({ ref, kind: 'gap', severity: item.severity, score: scoreOf.get(key), recommendedMinutes: item.recommendedMinutes });
  });

  const bodySlides = Math.max(1, slidesPerCourse - FRAME_SLIDES);
  const wanted = Math.min(skills.size, Math.max(courseCount, Math.ceil((courseCount * bodySlides) / MAX_SLIDES_PER_TOPIC)));
  const fillKind = topics.length === 0 ? 'advanced' : 'reinforcement';
  const planDomains = [...new Set(topics.map((t) => t.ref.domainIndex))];
  const otherDomains = profile.domains
    .map((d, i) => ({ weight: d.weight, i }))
    .filter((d) => !planDomains.includes(d.i))
    .sort((a, b) => b.weight - a.weight || a.i - b.i)
    .map((d) => d.i);
  for (const domainIndex of [...planDomains, ...otherDomains]) {
    for (const skill of profile.domains[domainIndex].skills) {
      if (topics.length >= wanted) return topics;
      const key = skillKey(profile.domains[domainIndex].id, skill.id);
      if (chosen.has(key)) continue;
      chosen.add(key);
      const score = scoreOf.get(key);
      topics.push({
        ref: skills.get(key)!,
        kind: fillKind,
        severity: score === undefined ? undefined : 'none',
        score,
        recommendedMinutes: RECOMMENDED_MINUTES.low,
      });
    }
  }
  return topics;
}

/**
 * Splits topics into exactly courseCount courses. Topics are clustered by domain (domains in
 * order of their most urgent topic) and cut into contiguous, near-equal chunks, so course 1
 * holds the most urgent domain. With fewer topics than courses, topics are reused in turn.
 */
export function partitionTopics(topics: CourseTopic[], courseCount: number): CourseTopic[][] {
  if (topics.length === 0) throw new PermanentError('no skills to build courses from', { reason: 'empty_profile' });
  const domainOrder = [...new Set(topics.map((t) => t.ref.domainId))];
  const clustered = topics
    .map((t, i) => ({ t, i }))
    .sort((a, b) => domainOrder.indexOf(a.t.ref.domainId) - domainOrder.indexOf(b.t.ref.domainId) || a.i - b.i)
    .map((x) => x.t);
  if (clustered.length < courseCount) {
    return Array.from({ length: courseCount }, (_, i) => [clustered[i % clustered.length]]);
  }
  const base = Math.floor(clustered.length / courseCount);
  const extra = clustered.length % courseCount;
  const courses: CourseTopic[][] = [];
  let start = 0;
  for (let i = 0; i < courseCount; i++) {
    const size = base + (i < extra ? 1 : 0);
    courses.push(clustered.slice(start, start + size));
    start += size;
  }
  return courses;
}
