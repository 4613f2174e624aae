import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import type { AssessmentEngine } from '../assessment/engine';
import type { Database } from '../db/client';
import { log } from '../observability/logger';
import { CommandRejectedError, type CommandRow, type WorkspaceCommandQueue } from '../workspace/command-queue';
import { SubmissionRejectedError } from '../workspace/form-submissions';
import { WorkflowActionError, type WorkflowService } from '../workflow/workflow-service';
import { ApiError, errorJson, httpExceptionToError } from './api-error';
import type { GoogleIdTokenVerifier } from './auth/google-id-token';
import { requireAdmin, requireInstructor } from './auth/middleware';
import type { AppEnv } from './openapi';
import { requestContext } from './request-context';
import { adminRoutes } from './routes/admin';
import { reportRoutes } from './routes/reports';
import { mountHealthRoutes } from './routes/health';
import { workflowRoutes } from './routes/workflows';
import { workspaceRoutes } from './routes/workspace';
import { errorText } from '../observability/error-text';
import { httpTracing } from '../observability/http-tracing';

export interface AppDeps {
  database: Database;
  service: WorkflowService;
  commands: WorkspaceCommandQueue;
  assessment: AssessmentEngine;
  verifier: GoogleIdTokenVerifier;
  adminToken?: string;
  breakerStates: () => Record<string, string>;
  refreshGauges: () => Promise<void>;
  /** Active-phase SLA, for the integration-health report. */
  slaSeconds?: number;
  /** An unhandled error touched this workflow: park it in NEEDS_ATTENTION and alert (issue: never lose a workflow). */
  onUnhandledWorkflowError?: (workflowId: string, error: Error, correlationId: string) => Promise<void>;
}

/** The whole HTTP surface: /api for the add-on, /api/admin for operators, health, metrics, OpenAPI. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', httpTracing());
  app.use('*', requestContext());
  app.use('/api/*', bodyLimit({ maxSize: 2 * 1024 * 1024, onError: (c) => errorJson(c, 413, 'payload_too_large', 'request body is larger than 2 MiB') }));
  app.use('/api/admin/*', requireAdmin(deps.adminToken));
  const instructorAuth = requireInstructor(deps.verifier);
  app.use('/api/*', async (c, next) => (c.req.path.startsWith('/api/admin/') ? next() : instructorAuth(c, next)));

  app.route('/api', workflowRoutes({ database: deps.database, service: deps.service, assessment: deps.assessment }));
  app.route(
    '/api',
    workspaceRoutes({
      database: deps.database,
      commands: deps.commands,
      onCommandCompleted: (command: CommandRow) => deps.service.onCommandCompleted(command),
    }),
  );
  app.route('/api', adminRoutes({ database: deps.database, service: deps.service }));
  app.route('/api', reportRoutes({ database: deps.database, slaSeconds: deps.slaSeconds ?? 1800 }));
  mountHealthRoutes(app, { database: deps.database, breakerStates: deps.breakerStates, refreshGauges: deps.refreshGauges });

  app.openAPIRegistry.registerComponent('securitySchemes', 'googleIdToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Google-signed OIDC ID token from ScriptApp.getIdentityToken()',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'PresGen-Assess Orchestrator API', version: '1.0.0', description: 'See docs/api.md' },
  });

  app.notFound((c) => errorJson(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError(async (err, c) => {
    if (err instanceof ApiError || err instanceof WorkflowActionError || err instanceof CommandRejectedError || err instanceof SubmissionRejectedError) {
      return errorJson(c, err.status, err.code, err.message, 'details' in err ? err.details : undefined);
    }
    if (err instanceof HTTPException) return httpExceptionToError(c, err);
    const correlationId = c.get('correlationId');
    log().error({ err: errorText(err) }, 'unhandled error');
    const workflowId = /\/workflows\/([^/]+)/.exec(c.req.path)?.[1];
    if (workflowId && deps.onUnhandledWorkflowError) {
      await deps.onUnhandledWorkflowError(decodeURIComponent(workflowId), err, correlationId).catch((e) =>
        log().error({ err: errorText(e) }, 'could not record the error on the workflow'),
      );
    }
    return errorJson(c, 500, 'internal_error', 'internal error; quote the correlation id when reporting it');
  });
  return app;
}
