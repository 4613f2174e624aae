import { z } from 'zod';
import { WorkflowDetail, WorkflowPage, WorkflowView } from '../../../shared/contracts/api';
import { StepStatus, WorkflowStatus } from '../../../shared/workflow-status';
import { EmailText, TEXT_LIMITS, text, UrlText } from '../../../shared/contracts/text';
import type { Database } from '../../db/client';
import { appendAuditEvent, listAuditEvents, listStepRuns } from '../../db/repositories/workflow-repository';
import { FormSubmission } from '../../../shared/contracts/commands';
import type { WorkflowService } from '../../workflow/workflow-service';
import { IdParam, jsonBody, jsonResponse, newRouter, route, ADMIN_ERRORS } from '../openapi';
import { toWorkflowDetail, toWorkflowView, workflowPage } from '../views';

/**
 * Operator overrides, behind requireOperator (an allowlisted operator's ID token, or the audited
 * break-glass token). Every action needs a reason and is audited with the verified identity (or
 * `break-glass:<X-Operator>`) and that reason.
 */

const Reason = text(TEXT_LIMITS.reason, 3);
const AdminListQuery = z
  .object({
    status: WorkflowStatus.optional(),
    owner: EmailText.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: text(TEXT_LIMITS.id).optional(),
  })
  .strict();
/** The instructor's resume body plus the reason every operator action takes. */
const AdminResumeRequest = z.union([
  z.object({ sheetUrl: UrlText, reason: Reason }).strict(),
  z.object({ submission: FormSubmission, reason: Reason }).strict(),
]);
const AuditEventView = z.object({
  id: z.number(),
  type: z.string(),
  fromStatus: z.string().nullable(),
  toStatus: z.string().nullable(),
  actor: z.string(),
  details: z.unknown(),
  at: z.string(),
});

export function adminRoutes(deps: { database: Database; service: WorkflowService }) {
  const app = newRouter();
  const security: Array<Record<string, string[]>> = [{ operatorIdToken: [] }, { adminToken: [] }];

  app.openapi(
    route({
      method: 'get',
      path: '/admin/workflows',
      security,
      summary: 'List and filter all workflows',
      request: { query: AdminListQuery },
      responses: { 200: jsonResponse(WorkflowPage, 'A page'), ...ADMIN_ERRORS },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await workflowPage(deps.database.db, { ownerEmail: q.owner, status: q.status, limit: q.limit, cursor: q.cursor }), 200);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/admin/workflows/{id}',
      security,
      summary: 'One workflow with timeline, outputs and audit trail',
      request: { params: IdParam },
      responses: { 200: jsonResponse(WorkflowDetail.extend({ audit: z.array(AuditEventView) }), 'The workflow'), ...ADMIN_ERRORS },
    }),
    async (c) => {
      const wf = await deps.service.load(c.req.valid('param').id);
      const [runs, audit] = await Promise.all([listStepRuns(deps.database.db, wf.id), listAuditEvents(deps.database.db, wf.id)]);
      return c.json(
        { ...toWorkflowDetail(wf, runs), audit: audit.map((a) => ({ ...a, details: a.details, at: a.at.toISOString() })) },
        200,
      );
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/admin/workflows/{id}/retry',
      security,
      summary: 'Retry from a step (default: the failed step)',
      request: { params: IdParam, body: jsonBody(z.object({ fromStep: StepStatus.optional(), reason: Reason }).strict()) },
      responses: { 200: jsonResponse(WorkflowView, 'Retrying'), ...ADMIN_ERRORS },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const wf = await deps.service.retry(c.req.valid('param').id, { name: c.get('admin') }, body.fromStep, body.reason);
      return c.json(toWorkflowView(wf), 200);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/admin/workflows/{id}/skip',
      security,
      summary: 'Skip a non-critical failed step (e.g. GENERATING_AVATAR_VIDEOS)',
      request: { params: IdParam, body: jsonBody(z.object({ step: StepStatus, reason: Reason }).strict()) },
      responses: { 200: jsonResponse(WorkflowView, 'Skipped'), ...ADMIN_ERRORS },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const wf = await deps.service.skip(c.req.valid('param').id, c.get('admin'), body.step, body.reason);
      return c.json(toWorkflowView(wf), 200);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/admin/workflows/{id}/cancel',
      security,
      summary: 'Cancel (with compensation)',
      request: { params: IdParam, body: jsonBody(z.object({ reason: Reason }).strict()) },
      responses: { 200: jsonResponse(WorkflowView, 'Cancelled'), ...ADMIN_ERRORS },
    }),
    async (c) => {
      const wf = await deps.service.cancel(c.req.valid('param').id, { name: c.get('admin') }, c.req.valid('json').reason);
      return c.json(toWorkflowView(wf), 200);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/admin/workflows/{id}/complete',
      security,
      summary: 'Mark a NEEDS_ATTENTION workflow completed by hand',
      request: { params: IdParam, body: jsonBody(z.object({ reason: Reason }).strict()) },
      responses: { 200: jsonResponse(WorkflowView, 'Completed'), ...ADMIN_ERRORS },
    }),
    async (c) => {
      const wf = await deps.service.completeManually(c.req.valid('param').id, c.get('admin'), c.req.valid('json').reason);
      return c.json(toWorkflowView(wf), 200);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/admin/workflows/{id}/resume',
      security,
      summary: "Resume a workflow waiting for its learner (Sheet URL or a response payload), on the instructor's behalf",
      request: { params: IdParam, body: jsonBody(AdminResumeRequest) },
      responses: { 200: jsonResponse(WorkflowView, 'Resume requested'), ...ADMIN_ERRORS },
    }),
    async (c) => {
      const { reason, ...body } = c.req.valid('json');
      const wf = await deps.service.resume(c.req.valid('param').id, undefined, body);
      await appendAuditEvent(deps.database.db, {
        workflowId: wf.id,
        type: 'operator_resume',
        actor: c.get('admin'),
        details: { reason, via: c.get('operator').via, with: 'sheetUrl' in body ? 'sheet_url' : 'submission' },
      });
      return c.json(toWorkflowView(wf), 200);
    },
  );

  return app;
}
