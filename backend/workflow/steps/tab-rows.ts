import type { CellValue } from '../../../shared/contracts/commands';
import type { CourseOutline, GapAnalysis, TrainingPlan } from '../../../shared/contracts/assessment';

/** How the Sheet tabs look. Pure functions: the rows Apps Script writes with one setValues each. */

const pct = (x: number) => Math.round(x * 1000) / 10;

export function gapAnalysisRows(gaps: GapAnalysis): CellValue[][] {
  return [
    ['Overall score (%)', pct(gaps.totalScore), 'Passed', gaps.passed, 'Correct', `${gaps.correct}/${gaps.answered}`],
    [],
    // The add-on charts Score (%) per domain against Pass mark (%) (apps-script/workspace/gap-chart.ts).
    [
      'Domain',
      'Exam weight (%)',
      'Points earned',
      'Points possible',
      'Score (%)',
      'Severity',
      ...(gaps.passingScore ? ['Pass mark (%)'] : []),
    ],
    ...gaps.domains.map((d) => [
      d.domainName,
      pct(d.weight),
      d.earned,
      d.possible,
      pct(d.score),
      d.severity,
      ...(gaps.passingScore ? [pct(gaps.passingScore)] : []),
    ]),
    [],
    ['Skill', 'Domain', 'Score (%)', 'Severity'],
    ...gaps.skills.map((s) => [s.skillName, s.domainId, pct(s.score), s.severity]),
  ];
}

export function trainingPlanRows(plan: TrainingPlan): CellValue[][] {
  return [
    ['Rank', 'Topic', 'Domain', 'Severity', 'Priority', 'Recommended minutes'],
    ...plan.items.map((i) => [i.rank, i.title, i.domainId, i.severity, Math.round(i.priority * 1000) / 1000, i.recommendedMinutes]),
  ];
}

export function courseOutlineRows(course: CourseOutline): CellValue[][] {
  return [
    ['Course', course.index, 'Title', course.title],
    ['Slide', 'Title', 'Bullets', 'Speaker notes'],
    ...course.slides.map((s, i) => [i + 1, s.title, s.bullets.join('\n'), s.speakerNotes]),
  ];
}

export function courseTabName(index: number): string {
  return `Course_Outline_${index}`;
}
