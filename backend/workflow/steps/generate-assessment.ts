import { z } from 'zod';
import { GeneratedAssessment } from '../../../shared/contracts/assessment';
import { defineStep, done } from '../step-registry';

/** Step 2: questions mapped to domains and skills, with the answer key (seeded by the workflow id). */
export const generateAssessment = defineStep({
  status: 'GENERATING_ASSESSMENT',
  input: z.object({ workflowId: z.string(), certificationId: z.string() }),
  output: GeneratedAssessment,
  selectInput: (wf) => ({ workflowId: wf.id, certificationId: (wf.request as { certificationId: string }).certificationId }),
  async run({ input, deps }) {
    return done(await deps.assessment.generateAssessment({ certificationId: input.certificationId, seed: input.workflowId }));
  },
});
