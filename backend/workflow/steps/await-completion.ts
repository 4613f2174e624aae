import { z } from 'zod';
import { firstSubmission } from '../../workspace/form-submissions';
import { defineStep, done, outputOf, park } from '../step-registry';
import { createGoogleResources } from './create-google-resources';

/**
 * Step 4, human in the loop: parked (no CPU, no polling) until the form-submit trigger, the
 * instructor's "Resume with Sheet URL" or the deadline wakes it. Reminders: see notifications.
 */
export const AwaitCompletionOutput = z.object({
  responseId: z.string(),
  submittedAt: z.iso.datetime({ offset: true }),
  respondentIsLearner: z.boolean(),
});

export const awaitCompletion = defineStep({
  status: 'AWAITING_COMPLETION',
  critical: true,
  input: z.object({ workflowId: z.string(), learnerEmail: z.string(), completionDeadline: z.iso.datetime() }),
  output: AwaitCompletionOutput,
  selectInput: (wf) => ({
    workflowId: wf.id,
    learnerEmail: (wf.request as { learnerEmail: string }).learnerEmail,
    completionDeadline: outputOf(wf, createGoogleResources).completionDeadline,
  }),
  async run({ input, deps }) {
    const submission = await firstSubmission(deps.database, input.workflowId);
    if (submission) {
      const payload = submission.payload as { submittedAt: string; respondentEmail: string };
      return done(
        {
          responseId: submission.responseId,
          submittedAt: payload.submittedAt,
          respondentIsLearner: payload.respondentEmail.toLowerCase() === input.learnerEmail.toLowerCase(),
        },
        { submittedAt: submission.receivedAt },
      );
    }
    const deadline = new Date(input.completionDeadline);
    if (deps.now() >= deadline) {
      return { kind: 'transition', to: 'EXPIRED', reason: 'the learner did not complete the form in time' };
    }
    return park('waiting for the learner to submit the form', deadline);
  },
});
