import { STEP_STATUSES, type StepStatus } from '../../../shared/workflow-status';
import type { AnyStepHandler, StepHandler } from '../step-registry';
import { analyzeResults } from './analyze-results';
import { awaitCompletion } from './await-completion';
import { generateAvatarVideos } from './avatar-videos';
import { generateCourseOutlines } from './course-outlines';
import { createGoogleResources } from './create-google-resources';
import { finalize } from './finalize';
import { generateAssessment } from './generate-assessment';
import { generatePresentations } from './presentations';
import { requestAssessment } from './request-assessment';
import { generateTrainingPlan } from './training-plan';
import { writeGapAnalysis } from './write-gap-analysis';

/**
 * The step registry: each step status to its handler. Exhaustive by type: a status in
 * STEP_STATUSES without a handler here fails `tsc` (and a key whose handler is for another
 * status fails at load).
 */
export const STEP_HANDLER_TABLE = {
  REQUESTED: requestAssessment,
  GENERATING_ASSESSMENT: generateAssessment,
  CREATING_GOOGLE_RESOURCES: createGoogleResources,
  AWAITING_COMPLETION: awaitCompletion,
  ANALYZING_RESULTS: analyzeResults,
  WRITING_GAP_ANALYSIS: writeGapAnalysis,
  GENERATING_TRAINING_PLAN: generateTrainingPlan,
  GENERATING_COURSE_OUTLINES: generateCourseOutlines,
  GENERATING_PRESENTATIONS: generatePresentations,
  GENERATING_AVATAR_VIDEOS: generateAvatarVideos,
  FINALIZING: finalize,
} satisfies Record<StepStatus, AnyStepHandler>;

export const STEP_HANDLERS: ReadonlyMap<StepStatus, StepHandler> = new Map(
  STEP_STATUSES.map((status) => {
    const handler = STEP_HANDLER_TABLE[status] as StepHandler;
    if (handler.status !== status) throw new Error(`step registry: ${status} maps to the handler of ${handler.status}`);
    return [status, handler];
  }),
);
