import { z } from 'zod';
import {
  CancelWorkflowRequest,
  CertificationSummary,
  CreateWorkflowRequest,
  ListWorkflowsQuery,
  ResumeWorkflowRequest,
  RetryWorkflowRequest,
  WorkflowDetail,
  WorkflowPage,
  WorkflowView,
} from '../../../shared/contracts/api';
import { listStepRuns } from '../../db/repositories/workflow-repository';
import type { AssessmentEngine } from '../../assessment/engine';
import type { WorkflowService } from '../../workflow/workflow-service';
import { AUTH_ERRORS, IdParam, jsonBody, jsonResponse, newRouter, route, STANDARD_ERRORS } from '../openapi';
import { toWorkflowDetail, toWorkflowView, workflowPage } from '../views';
import type { Database } from '../../db/client';

/** Instructor API (the sidebar): their own workflows only. Mounted behind requireInstructor. */
export function workflowRoutes(deps: { database: Database; service: WorkflowService; assessment: AssessmentEngine }) {
  const app = newRouter();
  const security = [{ googleIdToken: [] }];

  app.openapi(
    route({
      method: 'get',
      path: '/certifications',
      security,
      summary: 'Certification profiles an assessment can be started for',
      responses: { 200: jsonResponse(z.object({ items: z.array(CertificationSummary) }), 'Profiles'), ...AUTH_ERRORS },
    }),
    async (c) => {
      const profiles = await deps.assessment.listProfiles();
      return c.json({ items: profiles.map(({ id, name, vendor }) => ({ id, name, vendor })) }, 200);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/workflows',
      security,
      summary: 'Start an assessment workflow (idempotent on requestId)',
      request: { body: jsonBody(CreateWorkflowRequest) },
      responses: {
        201: jsonResponse(WorkflowView, 'Created'),
        200: jsonResponse(WorkflowView, 'Already created with this requestId'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const { workflow, created } = await deps.service.create(c.get('instructor'), c.req.valid('json'));
      return c.json(toWorkflowView(workflow), created ? 201 : 200);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/workflows',
      security,
      summary: 'My workflows, newest first',
      request: { query: ListWorkflowsQuery },
      responses: { 200: jsonResponse(WorkflowPage, 'A page of workflows'), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await workflowPage(deps.database.db, { ownerEmail: c.get('instructor').email, ...q }), 200);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/workflows/{id}',
      security,
      summary: 'One workflow with its step timeline and outputs',
      request: { params: IdParam },
      responses: { 200: jsonResponse(WorkflowDetail, 'The workflow'), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const wf = await deps.service.load(c.req.valid('param').id, c.get('instructor'));
      return c.json(toWorkflowDetail(wf, await listStepRuns(deps.database.db, wf.id)), 200);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/workflows/{id}/resume',
      security,
      summary: 'Resume a workflow waiting for its learner (Sheet URL or a response payload)',
      request: { params: IdParam, body: jsonBody(ResumeWorkflowRequest) },
      responses: { 200: jsonResponse(WorkflowView, 'Resume requested'), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const wf = await deps.service.resume(c.req.valid('param').id, c.get('instructor'), c.req.valid('json'));
      return c.json(toWorkflowView(wf), 200);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/workflows/{id}/cancel',
      security,
      summary: 'Cancel; created Drive items are trashed and PresGen jobs cancelled',
      request: { params: IdParam, body: jsonBody(CancelWorkflowRequest) },
      responses: { 200: jsonResponse(WorkflowView, 'Cancelled'), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const instructor = c.get('instructor');
      const wf = await deps.service.cancel(
        c.req.valid('param').id,
        { owner: instructor, name: instructor.email },
        c.req.valid('json').reason,
      );
      return c.json(toWorkflowView(wf), 200);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/workflows/{id}/retry',
      security,
      summary: 'Retry a FAILED / NEEDS_ATTENTION workflow from the failed step (or fromStep)',
      request: { params: IdParam, body: jsonBody(RetryWorkflowRequest) },
      responses: { 200: jsonResponse(WorkflowView, 'Retrying'), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const instructor = c.get('instructor');
      const wf = await deps.service.retry(
        c.req.valid('param').id,
        { owner: instructor, name: instructor.email },
        c.req.valid('json').fromStep,
      );
      return c.json(toWorkflowView(wf), 200);
    },
  );

  return app;
}
