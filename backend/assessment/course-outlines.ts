import type { CourseOutline, CourseOutlines, GapAnalysis, TrainingPlan } from '../../shared/contracts/assessment';
import { type CatalogEntry, skillKey } from './catalog';
import { writeCourseSlides } from './course-slides';
import { partitionTopics, selectCourseTopics } from './course-topics';
import type { BankQuestion } from './question-bank/define-bank';

/**
 * Builds exactly `courseCount` course outlines of exactly `slidesPerCourse` slides each: the plan's
 * skills (topped up with reinforcement skills when needed) grouped by domain into courses, the most
 * urgent domain first. An empty plan yields an advanced review of the heaviest domains.
 */
export function buildOutlinesFromCatalog(
  entry: CatalogEntry,
  plan: TrainingPlan,
  gaps: GapAnalysis,
  courseCount: number,
  slidesPerCourse: number,
): CourseOutlines {
  const { profile, bank } = entry;
  const bySkill = new Map<string, BankQuestion[]>();
  for (const q of bank.questions)
    bySkill.set(skillKey(q.domainId, q.skillId), [...(bySkill.get(skillKey(q.domainId, q.skillId)) ?? []), q]);

  const topics = selectCourseTopics(profile, plan, gaps, courseCount, slidesPerCourse);
  const advanced = plan.items.length === 0;
  const courses: CourseOutline[] = partitionTopics(topics, courseCount).map((courseTopics, i) => {
    const domainIds = [...new Set(courseTopics.map((t) => t.ref.domainId))];
    const domainNames = [...new Set(courseTopics.map((t) => t.ref.domainName))];
    const title = `Course ${i + 1}: ${domainNames.join(' & ')}${advanced ? ' (advanced review)' : ''}`;
    const slides = writeCourseSlides(
      {
        certificationName: profile.name,
        courseIndex: i + 1,
        courseCount,
        title,
        topics: courseTopics,
        advanced,
        questionsForSkill: (domainId, skillId) => bySkill.get(skillKey(domainId, skillId)) ?? [],
      },
      slidesPerCourse,
    );
    return { index: i + 1, title, domainIds, slides };
  });
  return { courses };
}
