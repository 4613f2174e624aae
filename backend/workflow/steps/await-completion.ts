import { z } from 'zod';
import { firstSubmission } from '../../workspace/form-submissions';
import { defineStep, done, outputOf, park } from '../step-registry';
import { createGoogleResources } from './create-google-resources';

/**
 * Step 4, human in the loop: parked (no CPU, no polling) until the form-submit trigger, the
 * instructor's "Resume with Sheet URL", the next reminder time or the deadline wakes it.
 */
export const AwaitCompletionOutput = z.object({
  responseId: z.string(),
  submittedAt: z.iso.datetime({ offset: true }),
  respondentIsLearner: z.boolean(),
});

export const awaitCompletion = defineStep({
  status: 'AWAITING_COMPLETION',
  input: z.object({
    workflowId: z.string(),
    learnerEmail: z.string(),
    formResponderUrl: z.string(),
    formSentAt: z.iso.datetime().optional(),
    completionDeadline: z.iso.datetime(),
  }),
  output: AwaitCompletionOutput,
  selectInput: (wf) => {
    const assets = outputOf(wf, createGoogleResources);
    return {
      workflowId: wf.id,
      learnerEmail: (wf.request as { learnerEmail: string }).learnerEmail,
      formResponderUrl: assets.formResponderUrl,
      formSentAt: assets.formSentAt,
      completionDeadline: assets.completionDeadline,
    };
  },
  async run({ workflow, input, deps }) {
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
    const now = deps.now().getTime();
    const deadline = Date.parse(input.completionDeadline);
    const instructor = { audience: 'instructor' as const, instructorEmail: workflow.ownerEmail, workflowId: input.workflowId };
    if (now >= deadline) {
      await deps.notify?.({
        ...instructor,
        kind: 'workflow_expired',
        key: 'expired',
        subject: 'PresGen-Assess: the assessment expired unanswered',
        text: `${input.learnerEmail} did not complete the assessment before ${input.completionDeadline}. Start a new one from the sidebar if needed.`,
      });
      return { kind: 'transition', to: 'EXPIRED', reason: 'the learner did not complete the form in time' };
    }
    // Reminders already due are sent (the outbox dedupes re-runs); park until the next one.
    const sentAt = input.formSentAt ? Date.parse(input.formSentAt) : deadline - deps.settings.completionTimeoutMs;
    const reminderTimes = deps.settings.completionRemindersMs.map((ms) => sentAt + ms).filter((t) => t < deadline);
    for (const [i, at] of reminderTimes.entries()) {
      if (at > now) continue;
      await deps.notify?.({
        ...instructor,
        kind: 'completion_reminder',
        key: `reminder:${i + 1}`,
        subject: 'PresGen-Assess: the learner has not answered yet',
        text: `${input.learnerEmail} has not completed the assessment yet (form: ${input.formResponderUrl}). It expires at ${input.completionDeadline}.`,
      });
    }
    const next = Math.min(deadline, ...reminderTimes.filter((t) => t > now));
    return park('waiting for the learner to submit the form', new Date(next));
  },
});
