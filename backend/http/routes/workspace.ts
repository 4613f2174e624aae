import {
  ClaimCommandsRequest,
  ClaimCommandsResponse,
  CompleteCommandResponse,
  FormSubmissionResponse,
  QuotaReport,
  RenewCommandLeaseRequest,
  RenewCommandLeaseResponse,
} from '../../../shared/contracts/api';
import { CommandCompletion, FormSubmission, type ClaimedCommand } from '../../../shared/contracts/commands';
import type { Database } from '../../db/client';
import { quotaReports } from '../../db/schema';
import { appsScriptQuotaUsage } from '../../observability/metrics';
import { commandClaimSpan, recordCommandResult, traceparentField } from '../../observability/command-spans';
import type { CommandRow, WorkspaceCommandQueue } from '../../workspace/command-queue';
import { recordFormSubmission } from '../../workspace/form-submissions';
import { IdParam, jsonBody, jsonResponse, newRouter, route, STANDARD_ERRORS } from '../openapi';
import { sql } from 'drizzle-orm';

/** The Apps Script side of the protocol. Mounted behind requireInstructor: the token's email is the instructor. */

/** Google's daily consumer quotas, used to turn reported counts into a usage ratio for alerts. */
export const DAILY_QUOTA_LIMITS: Record<string, number> = {
  UrlFetchApp: 20_000,
  FormApp: 250,
  SpreadsheetApp: 250,
  DriveApp: 250,
  triggers: 90 * 60,
};

function toClaimed(row: CommandRow): ClaimedCommand {
  return {
    id: row.id,
    workflowId: row.workflowId,
    type: row.type,
    payload: row.payload,
    leaseToken: row.leaseToken!,
    leaseExpiresAt: row.leaseExpiresAt!.toISOString(),
    attempt: row.attempts,
    ...traceparentField(commandClaimSpan(row)),
  } as ClaimedCommand;
}

export function workspaceRoutes(deps: {
  database: Database;
  commands: WorkspaceCommandQueue;
  onCommandCompleted: (c: CommandRow) => Promise<void>;
}) {
  const app = newRouter();
  const security = [{ googleIdToken: [] }];

  app.openapi(
    route({
      method: 'post',
      path: '/workspace/commands/claim',
      security,
      summary: 'Lease pending workspace commands of the calling instructor',
      request: { body: jsonBody(ClaimCommandsRequest) },
      responses: { 200: jsonResponse(ClaimCommandsResponse, 'Leased commands (possibly none)'), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const rows = await deps.commands.claim(c.get('instructor').email, { spreadsheetId: body.spreadsheetId, max: body.max });
      return c.json({ commands: rows.map(toClaimed) }, 200);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/workspace/commands/{id}/complete',
      security,
      summary: 'Post the result (or error) of a leased command; duplicates are harmless',
      request: { params: IdParam, body: jsonBody(CommandCompletion) },
      responses: { 200: jsonResponse(CompleteCommandResponse, 'Accepted'), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const { duplicate, command } = await deps.commands.complete(c.get('instructor').email, c.req.valid('param').id, c.req.valid('json'));
      recordCommandResult(command, c.req.valid('json'), duplicate);
      if (!duplicate) await deps.onCommandCompleted(command);
      return c.json({ accepted: true, duplicate }, 200);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/workspace/commands/{id}/renew',
      security,
      summary: 'Extend the lease of a command still being worked on (current lease token only)',
      request: { params: IdParam, body: jsonBody(RenewCommandLeaseRequest) },
      responses: { 200: jsonResponse(RenewCommandLeaseResponse, 'The new lease expiry'), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const { leaseExpiresAt } = await deps.commands.renewLease(
        c.get('instructor').email,
        c.req.valid('param').id,
        c.req.valid('json').leaseToken,
      );
      return c.json({ leaseExpiresAt: leaseExpiresAt.toISOString() }, 200);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/workspace/form-submissions',
      security,
      summary: 'A learner submitted a form (sent by the onFormSubmit trigger); deduplicated by responseId',
      request: { body: jsonBody(FormSubmission) },
      responses: { 202: jsonResponse(FormSubmissionResponse, 'Recorded'), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const result = await recordFormSubmission(deps.database, c.req.valid('json'), { ownerEmail: c.get('instructor').email });
      return c.json({ workflowId: result.workflowId, accepted: true, duplicate: result.duplicate }, 202);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/workspace/quota',
      security,
      summary: "The add-on's daily Workspace quota usage",
      request: { body: jsonBody(QuotaReport) },
      responses: { 204: { description: 'Stored' }, ...STANDARD_ERRORS },
    }),
    async (c) => {
      const report = c.req.valid('json');
      const owner = c.get('instructor').email;
      await deps.database.db
        .insert(quotaReports)
        .values({ ownerEmail: owner, day: report.day, usage: report.usage })
        .onConflictDoUpdate({ target: [quotaReports.ownerEmail, quotaReports.day], set: { usage: report.usage, reportedAt: sql`now()` } });
      for (const [service, count] of Object.entries(report.usage)) {
        const limit = DAILY_QUOTA_LIMITS[service];
        if (limit) appsScriptQuotaUsage.set({ service }, Math.min(1, count / limit));
      }
      return c.body(null, 204);
    },
  );

  return app;
}
