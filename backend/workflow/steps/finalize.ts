import { z } from 'zod';
import { CreateWorkflowRequest, DeliverableLinks } from '../../../shared/contracts/api';
import { SetSharingResult, SharingRefusal, type CellValue } from '../../../shared/contracts/commands';
import type { CommandSpec } from '../../workspace/command-queue';
import { defineStep, done, outputOf, park } from '../step-registry';
import type { WorkflowNotification } from '../engine-deps';
import { awaitCommands } from './await-commands';
import { generateAvatarVideos } from './avatar-videos';
import { CreateGoogleResourcesOutput, createGoogleResources } from './create-google-resources';
import { generatePresentations } from './presentations';

/** Step 11: Deliverables tab, sharing with the learner, and the instructor is told. */
export const finalize = defineStep({
  status: 'FINALIZING',
  input: z.object({
    workflowId: z.string(),
    request: CreateWorkflowRequest,
    assets: CreateGoogleResourcesOutput,
    links: DeliverableLinks,
  }),
  output: z.object({
    links: DeliverableLinks,
    sharedWithLearner: z.boolean(),
    /** Grants Drive refused (e.g. a domain that forbids sharing outside it): told to the instructor. */
    notShared: z.array(SharingRefusal).default([]),
  }),
  selectInput: (wf) => {
    const assets = outputOf(wf, createGoogleResources);
    return {
      workflowId: wf.id,
      request: wf.request,
      assets,
      links: {
        folderUrl: assets.folderUrl,
        formUrl: assets.formUrl,
        formResponderUrl: assets.formResponderUrl,
        resultsSpreadsheetUrl: assets.resultsSpreadsheetUrl,
        presentations: outputOf(wf, generatePresentations).presentations.map(({ course, title, url }) => ({ course, title, url })),
        videos: outputOf(wf, generateAvatarVideos).videos.map(({ course, title, url }) => ({ course, title, url })),
      },
    };
  },
  async run(ctx) {
    const { workflow, input, deps } = ctx;
    const { links, assets, request } = input;
    const share = request.shareWithLearner && deps.settings.featurePublicSharing;
    const rows: CellValue[][] = [
      ['Deliverable', 'Course', 'Title', 'Link'],
      ['Assessment form', null, null, links.formResponderUrl ?? null],
      ['Results spreadsheet', null, null, links.resultsSpreadsheetUrl ?? null],
      ...links.presentations.map((p) => ['Slide deck', p.course, p.title, p.url] as CellValue[]),
      ...links.videos.map((v) => ['Avatar video', v.course, v.title, v.url] as CellValue[]),
    ];
    const specs: CommandSpec[] = [
      { name: 'tab', type: 'write_tab', payload: { spreadsheetId: assets.resultsSpreadsheetId, tabName: 'Deliverables', rows } },
    ];
    if (share) {
      specs.push({
        name: 'share',
        type: 'set_sharing',
        // The results sheet only: the folder also holds the form (and its answer key).
        payload: { fileIds: [assets.resultsSpreadsheetId], emails: [request.learnerEmail], role: 'reader' },
      });
    }
    const results = await awaitCommands(ctx, 'FINALIZING', specs);
    if (!results) return park('waiting for Apps Script to write Deliverables');
    const notShared = share ? SetSharingResult.parse(results.share).notShared : [];
    const lines = [
      `Deliverables are ready for ${request.learnerEmail} (${request.certificationId}):`,
      `Results: ${links.resultsSpreadsheetUrl}`,
      ...links.presentations.map((p) => `Deck ${p.course} - ${p.title}: ${p.url}`),
      ...links.videos.map((v) => `Video ${v.course} - ${v.title}: ${v.url}`),
      ...(notShared.length
        ? [
            '',
            `Not shared with ${request.learnerEmail}; share it yourself or send the link another way:`,
            ...notShared.map((r) => `- ${r.fileId === assets.resultsSpreadsheetId ? 'the results spreadsheet' : r.fileId}: ${r.reason}`),
          ]
        : []),
    ];
    const ready: WorkflowNotification = {
      kind: 'deliverables_ready',
      workflowId: input.workflowId,
      key: 'final',
      audience: 'instructor',
      instructorEmail: workflow.ownerEmail,
      subject: 'PresGen-Assess: training deliverables are ready',
      text: lines.join('\n'),
    };
    return done({ links, sharedWithLearner: share && notShared.length === 0, notShared }, { notifications: [ready] });
  },
});
