import { z } from 'zod';
import { GapAnalysis, TrainingPlan } from '../../../shared/contracts/assessment';
import { WriteTabResult } from '../../../shared/contracts/commands';
import { defineStep, done, outputOf, park } from '../step-registry';
import { analyzeResults } from './analyze-results';
import { awaitCommands } from './await-commands';
import { createGoogleResources } from './create-google-resources';
import { trainingPlanRows } from './tab-rows';

/** Step 7: the training plan (ranked by severity x domain weight) and its Training_Plan tab. */
export const generateTrainingPlan = defineStep({
  status: 'GENERATING_TRAINING_PLAN',
  input: z.object({ certificationId: z.string(), spreadsheetId: z.string(), gaps: GapAnalysis }),
  output: z.object({ plan: TrainingPlan, tab: WriteTabResult }),
  selectInput: (wf) => ({
    certificationId: (wf.request as { certificationId: string }).certificationId,
    spreadsheetId: outputOf(wf, createGoogleResources).resultsSpreadsheetId,
    gaps: outputOf(wf, analyzeResults),
  }),
  async run(ctx) {
    const { input, deps } = ctx;
    // Deterministic, so recomputing it on a re-run (after a park) gives the same plan.
    const plan = await deps.assessment.buildTrainingPlan({ certificationId: input.certificationId, gaps: input.gaps });
    const results = await awaitCommands(ctx, 'GENERATING_TRAINING_PLAN', [
      {
        name: 'tab',
        type: 'write_tab',
        payload: { spreadsheetId: input.spreadsheetId, tabName: 'Training_Plan', rows: trainingPlanRows(plan) },
      },
    ]);
    if (!results) return park('waiting for Apps Script to write Training_Plan');
    return done({ plan, tab: WriteTabResult.parse(results.tab) });
  },
});
