import { z } from 'zod';
import { GapAnalysis } from '../../../shared/contracts/assessment';
import { WriteTabResult } from '../../../shared/contracts/commands';
import { defineStep, done, outputOf, park } from '../step-registry';
import { analyzeResults } from './analyze-results';
import { awaitCommands } from './await-commands';
import { createGoogleResources } from './create-google-resources';
import { gapAnalysisRows } from './tab-rows';

/** Step 6: the Gap_Analysis tab in the learner's results spreadsheet. */
export const writeGapAnalysis = defineStep({
  status: 'WRITING_GAP_ANALYSIS',
  input: z.object({ spreadsheetId: z.string(), gaps: GapAnalysis }),
  output: z.object({ tab: WriteTabResult }),
  selectInput: (wf) => ({ spreadsheetId: outputOf(wf, createGoogleResources).resultsSpreadsheetId, gaps: outputOf(wf, analyzeResults) }),
  async run(ctx) {
    const { input } = ctx;
    const results = await awaitCommands(ctx, 'WRITING_GAP_ANALYSIS', [
      {
        name: 'tab',
        type: 'write_tab',
        payload: { spreadsheetId: input.spreadsheetId, tabName: 'Gap_Analysis', rows: gapAnalysisRows(input.gaps) },
      },
    ]);
    if (!results) return park('waiting for Apps Script to write Gap_Analysis');
    return done({ tab: WriteTabResult.parse(results.tab) });
  },
});
