import { z } from 'zod';
import { CourseOutline, GapAnalysis, TrainingPlan } from '../../../shared/contracts/assessment';
import { WriteTabResult } from '../../../shared/contracts/commands';
import { defineStep, done, outputOf, park } from '../step-registry';
import { analyzeResults } from './analyze-results';
import { awaitCommands } from './await-commands';
import { createGoogleResources } from './create-google-resources';
import { courseOutlineRows, courseTabName } from './tab-rows';
import { generateTrainingPlan } from './training-plan';

/** Step 8: 1-5 course outlines of 1-40 slides, one Course_Outline_N tab each. */
export const GenerateCourseOutlinesOutput = z.object({ courses: z.array(CourseOutline).min(1).max(5), tabs: z.array(WriteTabResult) });

export const generateCourseOutlines = defineStep({
  status: 'GENERATING_COURSE_OUTLINES',
  input: z.object({
    certificationId: z.string(),
    spreadsheetId: z.string(),
    courseCount: z.number().int().min(1).max(5),
    slidesPerCourse: z.number().int().min(1).max(40),
    plan: TrainingPlan,
    gaps: GapAnalysis,
  }),
  output: GenerateCourseOutlinesOutput,
  selectInput: (wf) => {
    const request = wf.request as { certificationId: string; courseCount: number; slidesPerCourse: number };
    return {
      certificationId: request.certificationId,
      spreadsheetId: outputOf(wf, createGoogleResources).resultsSpreadsheetId,
      courseCount: request.courseCount,
      slidesPerCourse: request.slidesPerCourse,
      plan: outputOf(wf, generateTrainingPlan).plan,
      gaps: outputOf(wf, analyzeResults),
    };
  },
  async run(ctx) {
    const { input, deps } = ctx;
    const { courses } = await deps.assessment.buildCourseOutlines(input);
    const results = await awaitCommands(
      ctx,
      'GENERATING_COURSE_OUTLINES',
      courses.map((course) => ({
        name: `tab:${course.index}`,
        type: 'write_tab' as const,
        payload: { spreadsheetId: input.spreadsheetId, tabName: courseTabName(course.index), rows: courseOutlineRows(course) },
      })),
    );
    if (!results) return park('waiting for Apps Script to write the course outline tabs');
    return done({ courses, tabs: courses.map((c) => WriteTabResult.parse(results[`tab:${c.index}`])) });
  },
});
