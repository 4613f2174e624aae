import { z } from 'zod';
import { CreateWorkflowRequest } from '../../../shared/contracts/api';
import { GeneratedAssessment } from '../../../shared/contracts/assessment';
import { CreateAssessmentAssetsResult, type CreateAssessmentAssetsPayload } from '../../../shared/contracts/commands';
import { defineStep, done, outputOf, park } from '../step-registry';
import { awaitCommands, spreadsheetOf } from './await-commands';
import { generateAssessment } from './generate-assessment';
import { requestAssessment } from './request-assessment';

/** Step 3: Apps Script creates the Drive folder, the published quiz Form and the results sheet. */
export const CreateGoogleResourcesOutput = CreateAssessmentAssetsResult.extend({
  /** Optional: workflows checkpointed before reminders existed have only the deadline. */
  formSentAt: z.iso.datetime().optional(),
  /** The learner has until then to complete the form (step 4 expires the workflow after it). */
  completionDeadline: z.iso.datetime(),
});
export type CreateGoogleResourcesOutput = z.infer<typeof CreateGoogleResourcesOutput>;

export const createGoogleResources = defineStep({
  status: 'CREATING_GOOGLE_RESOURCES',
  input: z.object({
    workflowId: z.string(),
    request: CreateWorkflowRequest,
    certificationName: z.string(),
    assessment: GeneratedAssessment,
  }),
  output: CreateGoogleResourcesOutput,
  selectInput: (wf) => ({
    workflowId: wf.id,
    request: wf.request,
    certificationName: outputOf(wf, requestAssessment).certificationName,
    assessment: outputOf(wf, generateAssessment),
  }),
  async run(ctx) {
    const { workflow, input, deps } = ctx;
    const { request, assessment } = input;
    const shortId = input.workflowId.slice(0, 8);
    const payload: CreateAssessmentAssetsPayload = {
      workflowId: input.workflowId,
      folderName: `PresGen-Assess ${input.certificationName} - ${request.learnerEmail} (${shortId})`,
      formTitle: `${input.certificationName} readiness assessment`,
      formDescription: `Answer every question; your results shape a personalised training plan. Reference ${shortId}.`,
      resultsSpreadsheetName: `Results - ${input.certificationName} - ${request.learnerEmail} (${shortId})`,
      destinationSpreadsheetId: spreadsheetOf(workflow) ?? request.spreadsheetId,
      items: assessment.questions.map((q, i) => ({
        questionId: q.id,
        title: `${i + 1}. ${q.prompt}`,
        choices: q.choices,
        correctIndex: assessment.answerKey[q.id],
        points: q.points,
      })),
      learnerEmail: request.learnerEmail,
      // Never share the folder: it holds the form, whose editor view shows the answer key. The
      // learner answers through the responder link and gets the results sheet at step 11.
      shareWithLearner: false,
    };
    const results = await awaitCommands(ctx, 'CREATING_GOOGLE_RESOURCES', [{ name: 'assets', type: 'create_assessment_assets', payload }]);
    if (!results) return park('waiting for Apps Script to create the assessment assets');
    const assets = CreateAssessmentAssetsResult.parse(results.assets);
    const now = deps.now();
    const completionDeadline = new Date(now.getTime() + deps.settings.completionTimeoutMs).toISOString();
    return done({ ...assets, formSentAt: now.toISOString(), completionDeadline }, { formId: assets.formId });
  },
  async compensate({ workflow, deps }) {
    const assets = (workflow.outputs as Record<string, unknown>).CREATING_GOOGLE_RESOURCES;
    const parsed = CreateGoogleResourcesOutput.safeParse(assets);
    await deps.commands.cancelPending(workflow.id);
    if (!parsed.success) return;
    const fileIds = [parsed.data.formId, parsed.data.resultsSpreadsheetId, parsed.data.folderId];
    await deps.commands.ensureCommands(
      { id: workflow.id, ownerEmail: workflow.ownerEmail, spreadsheetId: spreadsheetOf(workflow) },
      'CREATING_GOOGLE_RESOURCES',
      [{ name: 'compensate:trash', type: 'trash_files', payload: { fileIds } }],
    );
    return { action: 'trash_files_enqueued', fileIds };
  },
});
