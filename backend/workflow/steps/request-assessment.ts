import { z } from 'zod';
import { CreateWorkflowRequest } from '../../../shared/contracts/api';
import { defineStep, done } from '../step-registry';

/** Step 1: the request was validated and persisted by the API; confirm the certification exists. */
export const RequestAssessmentOutput = z.object({
  certificationId: z.string(),
  certificationName: z.string(),
  acceptedAt: z.iso.datetime(),
});

export const requestAssessment = defineStep({
  status: 'REQUESTED',
  input: CreateWorkflowRequest,
  output: RequestAssessmentOutput,
  selectInput: (wf) => wf.request,
  async run({ input, deps }) {
    const profile = await deps.assessment.getProfile(input.certificationId);
    return done({ certificationId: profile.id, certificationName: profile.name, acceptedAt: deps.now().toISOString() });
  },
});
