import type { StepStatus } from '../../../shared/workflow-status';
import type { StepHandler } from '../step-registry';
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

/** The step registry: each WorkflowStatus step to its handler. */
export const STEP_HANDLERS: ReadonlyMap<StepStatus, StepHandler> = new Map<StepStatus, StepHandler>(
  (
    [
      requestAssessment,
      generateAssessment,
      createGoogleResources,
      awaitCompletion,
      analyzeResults,
      writeGapAnalysis,
      generateTrainingPlan,
      generateCourseOutlines,
      generatePresentations,
      generateAvatarVideos,
      finalize,
    ] as StepHandler[]
  ).map((h) => [h.status, h]),
);
