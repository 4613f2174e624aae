import { z } from 'zod';
import { StepStatus, WorkflowStatus } from '../workflow-status';
import { ClaimedCommand, FormSubmission } from './commands';
import { EmailText, IdText, TEXT_LIMITS, text, UrlText } from './text';

/** Bodies and views of the backend HTTP API (see docs/api.md and /openapi.json). */

export const CreateWorkflowRequest = z
  .object({
    certificationId: text(100, 1),
    learnerEmail: EmailText,
    courseCount: z.number().int().min(1).max(5),
    slidesPerCourse: z.number().int().min(1).max(40),
    avatarVideos: z.boolean().default(true),
    shareWithLearner: z.boolean().default(true),
    /** The spreadsheet the add-on runs in; form responses are routed to it. */
    spreadsheetId: IdText,
    /** Client-chosen key: a repeated create with the same key returns the first workflow. */
    requestId: IdText.optional(),
  })
  .strict();
export type CreateWorkflowRequest = z.infer<typeof CreateWorkflowRequest>;

export const StepRunView = z.object({
  step: StepStatus,
  attempt: z.number().int(),
  outcome: z.enum(['running', 'succeeded', 'parked', 'failed', 'retrying', 'skipped']),
  errorCategory: z.enum(['transient', 'permanent']).nullable(),
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
});
export type StepRunView = z.infer<typeof StepRunView>;

export const DeliverableLinks = z.object({
  folderUrl: z.string().optional(),
  formUrl: z.string().optional(),
  formResponderUrl: z.string().optional(),
  resultsSpreadsheetUrl: z.string().optional(),
  presentations: z.array(z.object({ course: z.number().int(), title: z.string(), url: z.string() })).default([]),
  videos: z.array(z.object({ course: z.number().int(), title: z.string(), url: z.string() })).default([]),
});
export type DeliverableLinks = z.infer<typeof DeliverableLinks>;

export const WorkflowView = z.object({
  id: z.string(),
  status: WorkflowStatus,
  /** For NEEDS_ATTENTION/FAILED: the step that failed. */
  failedStep: StepStatus.nullable(),
  ownerEmail: z.string(),
  learnerEmail: z.string(),
  certificationId: z.string(),
  courseCount: z.number().int(),
  slidesPerCourse: z.number().int(),
  avatarVideos: z.boolean(),
  version: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  links: DeliverableLinks,
});
export type WorkflowView = z.infer<typeof WorkflowView>;

export const WorkflowDetail = WorkflowView.extend({
  steps: z.array(StepRunView),
  outputs: z.record(z.string(), z.unknown()),
});
export type WorkflowDetail = z.infer<typeof WorkflowDetail>;

export const ListWorkflowsQuery = z
  .object({
    status: WorkflowStatus.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: text(TEXT_LIMITS.id).optional(),
  })
  .strict();
export const WorkflowPage = z.object({ items: z.array(WorkflowView), nextCursor: z.string().nullable() });
export type WorkflowPage = z.infer<typeof WorkflowPage>;

/** Resume a parked workflow: with the Sheet the responses went to, or with a response payload. */
export const ResumeWorkflowRequest = z.union([z.object({ sheetUrl: UrlText }).strict(), z.object({ submission: FormSubmission }).strict()]);
export type ResumeWorkflowRequest = z.infer<typeof ResumeWorkflowRequest>;

export const RetryWorkflowRequest = z.object({ fromStep: StepStatus.optional() }).strict();
export const CancelWorkflowRequest = z.object({ reason: text(TEXT_LIMITS.reason).optional() }).strict();

export const ClaimCommandsRequest = z
  .object({
    /** Only commands for this spreadsheet (the one the add-on runs in), when given. */
    spreadsheetId: IdText.optional(),
    max: z.number().int().min(1).max(20).default(5),
  })
  .strict();
export const ClaimCommandsResponse = z.object({ commands: z.array(ClaimedCommand) });
export type ClaimCommandsResponse = z.infer<typeof ClaimCommandsResponse>;

export const CompleteCommandResponse = z.object({ accepted: z.boolean(), duplicate: z.boolean() });

/** Extend the lease of a command still being worked on; only the current lease token may. */
export const RenewCommandLeaseRequest = z.object({ leaseToken: IdText }).strict();
export const RenewCommandLeaseResponse = z.object({ leaseExpiresAt: z.iso.datetime({ offset: true }) });

export const FormSubmissionResponse = z.object({
  workflowId: z.string(),
  accepted: z.boolean(),
  duplicate: z.boolean(),
});

/** Daily Workspace quota usage as counted by the add-on (service -> calls today). */
export const QuotaReport = z
  .object({
    day: z.iso.date(),
    usage: z
      .record(text(64, 1), z.number().int().min(0).max(1_000_000_000))
      .refine((usage) => Object.keys(usage).length <= 50, { error: 'at most 50 services' }),
  })
  .strict();
export type QuotaReport = z.infer<typeof QuotaReport>;

export const CertificationSummary = z.object({ id: z.string(), name: z.string(), vendor: z.string() });

/** Every error response: `{ error: { code, message, details } }`. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** For 400s: one entry per offending field, e.g. `{ field: "body.learnerEmail", message: "Invalid email address" }`. */
    details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    correlationId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** API paths, shared so the add-on and the backend cannot drift apart. */
export const API_PATHS = {
  certifications: '/api/certifications',
  workflows: '/api/workflows',
  workflow: (id: string) => `/api/workflows/${encodeURIComponent(id)}`,
  resume: (id: string) => `/api/workflows/${encodeURIComponent(id)}/resume`,
  cancel: (id: string) => `/api/workflows/${encodeURIComponent(id)}/cancel`,
  retry: (id: string) => `/api/workflows/${encodeURIComponent(id)}/retry`,
  claimCommands: '/api/workspace/commands/claim',
  completeCommand: (id: string) => `/api/workspace/commands/${encodeURIComponent(id)}/complete`,
  renewCommand: (id: string) => `/api/workspace/commands/${encodeURIComponent(id)}/renew`,
  formSubmissions: '/api/workspace/form-submissions',
  quota: '/api/workspace/quota',
} as const;
