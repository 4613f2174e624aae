import { beforeAll, describe, expect, it } from 'vitest';
import type { GapAnalysis, TrainingPlan } from '../../shared/contracts/assessment';
import { BuiltInAssessmentEngine } from '../../backend/assessment/engine';
import { correctAnswers, wrongAnswers } from './support/answers';

const engine = new BuiltInAssessmentEngine();
const CERT = 'aws-saa-c03';
let gaps: GapAnalysis;
let plan: TrainingPlan;
let perfectGaps: GapAnalysis;

beforeAll(async () => {
  const assessment = await engine.generateAssessment({ certificationId: CERT, seed: 'outlines' });
  // Wrong on the first 8 questions, right on the rest: a plan with a few gaps of mixed severity.
  const wrong = wrongAnswers(assessment);
  const answers = correctAnswers(assessment).map((a, i) => (i < 8 ? wrong[i] : a));
  gaps = await engine.analyzeGaps({ assessment, answers });
  plan = await engine.buildTrainingPlan({ certificationId: CERT, gaps });
  perfectGaps = await engine.analyzeGaps({ assessment, answers: correctAnswers(assessment) });
});

describe('buildCourseOutlines', () => {
  it('produces exactly courseCount courses of exactly slidesPerCourse slides (1..5 x 1..40)', async () => {
    for (const courseCount of [1, 2, 3, 4, 5]) {
      for (const slidesPerCourse of [1, 2, 3, 4, 7, 13, 40]) {
        const out = await engine.buildCourseOutlines({ certificationId: CERT, plan, gaps, courseCount, slidesPerCourse });
        expect(out.courses.map((c) => c.index)).toEqual(Array.from({ length: courseCount }, (_, i) => i + 1));
        for (const course of out.courses) {
          expect(course.slides).toHaveLength(slidesPerCourse);
          expect(course.domainIds.length).toBeGreaterThan(0);
          expect(course.slides[0].title).toBe(course.title);
          for (const slide of course.slides) expect(slide.title.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('puts the top-ranked skill in course 1 and covers every plan item when there is room', async () => {
    expect(plan.items.length).toBeGreaterThan(2);
    const out = await engine.buildCourseOutlines({ certificationId: CERT, plan, gaps, courseCount: 3, slidesPerCourse: 20 });
    expect(out.courses[0].domainIds).toContain(plan.items[0].domainId);
    const skillName = (skillId: string) => gaps.skills.find((s) => s.skillId === skillId)!.skillName;
    const allTitles = out.courses.flatMap((c) => c.slides.map((s) => s.title));
    for (const item of plan.items) expect(allTitles).toContain(skillName(item.skillId));
  });

  it('frames each course: title, objectives, per-skill slides, recap', async () => {
    const out = await engine.buildCourseOutlines({ certificationId: CERT, plan, gaps, courseCount: 1, slidesPerCourse: 10 });
    const slides = out.courses[0].slides;
    expect(slides[1].title).toBe('Learning objectives');
    expect(slides[9].title).toBe('Recap and next steps');
    expect(slides[2].bullets.some((b) => b.startsWith('Your score:'))).toBe(true);
    expect(slides.every((s) => s.speakerNotes.length > 0)).toBe(true);
  });

  it('still builds courses for a perfect score: an advanced review', async () => {
    const emptyPlan = await engine.buildTrainingPlan({ certificationId: CERT, gaps: perfectGaps });
    expect(emptyPlan.items).toEqual([]);
    const out = await engine.buildCourseOutlines({
      certificationId: CERT,
      plan: emptyPlan,
      gaps: perfectGaps,
      courseCount: 2,
      slidesPerCourse: 5,
    });
    expect(out.courses).toHaveLength(2);
    expect(out.courses.every((c) => c.title.includes('advanced review') && c.slides.length === 5)).toBe(true);
    // The heaviest domain leads the review.
    expect(out.courses[0].domainIds[0]).toBe('design-secure-architectures');
  });

  it('is deterministic', async () => {
    const input = { certificationId: CERT, plan, gaps, courseCount: 4, slidesPerCourse: 9 };
    expect(await engine.buildCourseOutlines(input)).toEqual(await engine.buildCourseOutlines(input));
  });

  it('rejects out-of-range counts naming the field', async () => {
    await expect(engine.buildCourseOutlines({ certificationId: CERT, plan, gaps, courseCount: 6, slidesPerCourse: 5 })).rejects.toThrow(
      /courseCount/,
    );
    await expect(engine.buildCourseOutlines({ certificationId: CERT, plan, gaps, courseCount: 2, slidesPerCourse: 41 })).rejects.toThrow(
      /slidesPerCourse/,
    );
    await expect(
      engine.buildCourseOutlines({ certificationId: CERT, plan, gaps, courseCount: 0, slidesPerCourse: 5 }),
    ).rejects.toMatchObject({ reason: 'invalid_input' });
  });
});
