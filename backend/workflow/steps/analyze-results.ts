import { z } from 'zod';
import { GapAnalysis, GeneratedAssessment, LearnerAnswer } from '../../../shared/contracts/assessment';
import { submissionByResponseId } from '../../workspace/form-submissions';
import { PermanentError } from '../../errors';
import { defineStep, done, outputOf } from '../step-registry';
import { awaitCompletion } from './await-completion';
import { generateAssessment } from './generate-assessment';

/** Step 5: grade the submission against the answer key and analyse gaps per domain and skill. */
export const analyzeResults = defineStep({
  status: 'ANALYZING_RESULTS',
  input: z.object({ assessment: GeneratedAssessment, responseId: z.string() }),
  output: GapAnalysis,
  selectInput: (wf) => ({ assessment: outputOf(wf, generateAssessment), responseId: outputOf(wf, awaitCompletion).responseId }),
  async run({ input, deps }) {
    const submission = await submissionByResponseId(deps.database, input.responseId);
    if (!submission) throw new PermanentError('the graded submission is missing', { reason: 'submission_missing' });
    const answers = z.array(LearnerAnswer).parse((submission.payload as { answers: unknown }).answers);
    return done(await deps.assessment.analyzeGaps({ assessment: input.assessment, answers }));
  },
});
