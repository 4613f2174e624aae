import { randomUUID } from 'node:crypto';
import type { GeneratedAssessment } from '../../shared/contracts/assessment';
import type { FormSubmission } from '../../shared/contracts/commands';
import type { Database } from '../../backend/db/client';
import { getWorkflow } from '../../backend/db/repositories/workflow-repository';

/** A simulated learner: answers a workflow's generated assessment with a chosen score profile. */
export type ScoreProfile = 'all-correct' | 'all-wrong' | 'half';

export function answersFor(assessment: GeneratedAssessment, profile: ScoreProfile): FormSubmission['answers'] {
  return assessment.questions.map((q, i) => {
    const correct = assessment.answerKey[q.id];
    const right = profile === 'all-correct' || (profile === 'half' && i % 2 === 0);
    const index = right ? correct : (correct + 1) % q.choices.length;
    return { questionId: q.id, answer: q.choices[index] };
  });
}

export async function submissionFor(
  database: Database,
  workflowId: string,
  profile: ScoreProfile,
  email = 'learner@example.com',
): Promise<FormSubmission> {
  const wf = await getWorkflow(database.db, workflowId);
  if (!wf?.formId) throw new Error('workflow has no form yet');
  const assessment = (wf.outputs as Record<string, unknown>).GENERATING_ASSESSMENT as GeneratedAssessment;
  return {
    formId: wf.formId,
    responseId: `response-${randomUUID()}`,
    respondentEmail: email,
    submittedAt: new Date().toISOString(),
    answers: answersFor(assessment, profile),
  };
}
