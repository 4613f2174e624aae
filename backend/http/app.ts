import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { AssessmentEngine } from '../assessment/engine';
import type { Database } from '../db/client';
import { log } from '../observability/logger';
import { CommandRejectedError, type CommandRow, type WorkspaceCommandQueue } from '../workspace/command-queue';
import { SubmissionRejectedError } from '../workspace/form-submissions';
import { WorkflowActionError, type WorkflowService } from '../workflow/workflow-service';
import { ApiError, errorJson, httpExceptionToError } from './api-error';
import type { ErrorBody } from '../../shared/contracts/api';
import type { GoogleIdTokenVerifier } from './auth/google-id-token';
import { requireInstructor, requireOperator } from './auth/middleware';
import type { AppEnv } from './openapi';
import { requestContext } from './request-context';
import { requestBody } from './request-body';
import { openApiDocument } from './openapi-document';
import { adminRoutes } from './routes/admin';
import { reportRoutes } from './routes/reports';
import { mountHealthRoutes } from './routes/health';
import { workflowRoutes } from './routes/workflows';
import { workspaceRoutes } from './routes/workspace';
import { errorLogDetail, sqlState } from '../observability/error-text';
import { UuidText } from '../../shared/contracts/text';
import { httpTracing } from '../observability/http-tracing';

export interface AppDeps {
  database: Database;
  service: WorkflowService;
  commands: WorkspaceCommandQueue;
  assessment: AssessmentEngine;
  verifier: GoogleIdTokenVerifier;
  /** Verifies operators' ID tokens (may be the add-on's verifier when the settings are the same). */
  operatorVerifier?: GoogleIdTokenVerifier;
  operatorEmails?: readonly string[];
  /** Break-glass token for /api/admin. */
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
  app.use('/api/*', requestBody());
  app.use(
    '/api/admin/*',
    requireOperator({
      adminToken: deps.adminToken,
      verifier: deps.operatorVerifier ?? deps.verifier,
      operatorEmails: deps.operatorEmails ?? [],
    }),
  );
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
  app.openAPIRegistry.registerComponent('securitySchemes', 'operatorIdToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'OIDC ID token of an operator whose verified email is in OPERATOR_EMAILS (audited by that email)',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'Break-glass ADMIN_TOKEN: logged and audited as break-glass:<X-Operator>',
  });
  let document: Record<string, unknown> | undefined;
  app.get('/openapi.json', (c) => c.json((document ??= openApiDocument(app))));

  app.notFound((c) => errorJson(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError(async (err, c) => {
    if (
      err instanceof ApiError ||
      err instanceof WorkflowActionError ||
      err instanceof CommandRejectedError ||
      err instanceof SubmissionRejectedError
    ) {
      return errorJson(c, err.status, err.code, err.message, 'details' in err ? (err.details as ErrorBody['error']['details']) : undefined);
    }
    if (err instanceof HTTPException) return httpExceptionToError(c, err);
    const correlationId = c.get('correlationId');
    log().error({ err: errorLogDetail(err) }, 'unhandled error');
    // Safety net behind the edge validation: a value the database refuses (SQLSTATE class 22, data
    // exception) came with the request. It is the caller's 400 and says nothing about the workflow.
    if (sqlState(err)?.startsWith('22')) {
      return errorJson(c, 400, 'invalid_input', 'a value in the request cannot be stored; check the fields against /openapi.json');
    }
    const workflowId = /\/workflows\/([^/]+)/.exec(c.req.path)?.[1];
    const decodedId = workflowId ? safeDecode(workflowId) : undefined;
    if (decodedId && UuidText.safeParse(decodedId).success && deps.onUnhandledWorkflowError) {
      await deps
        .onUnhandledWorkflowError(decodedId, err, correlationId)
        .catch((e) => log().error({ err: errorLogDetail(e) }, 'could not record the error on the workflow'));
    }
    return errorJson(c, 500, 'internal_error', 'internal error; quote the correlation id when reporting it');
  });
  return app;
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
