import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rootLogger, setRootLogger } from '../../backend/observability/logger';
import { renderMessage } from '../../backend/notifications/templates';
import { InvalidNotificationError } from '../../backend/notifications/notification-schema';
import {
  INSTRUCTOR,
  OPERATORS,
  SLACK_SECRET_PATH,
  SMTP_PASS,
  deliverablesReady,
  drain,
  operatorAlert,
  sentCount,
  startHarness,
  uniqueWorkflowId,
  type Harness,
} from './harness';

/**
 * Configuration reporting, skipped notifications, validation and log hygiene. The root logger is
 * swapped for one WITHOUT redaction: the notification code itself must never hand an address or
 * a secret to the logger.
 */

const previous = rootLogger();
let lines: string[] = [];
let h: Harness;

const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown> & { level: number; msg: string });

beforeAll(async () => {
  setRootLogger(pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }));
  h = await startHarness('pglite');
});

afterEach(() => {
  lines = [];
});

afterAll(async () => {
  await h?.close();
  setRootLogger(previous);
});

describe('channel configuration', () => {
  it('reports once at start which channels are missing, and records notifications as skipped', async () => {
    const service = h.service({ config: { SMTP_URL: undefined, SLACK_WEBHOOK_URL: undefined } });
    expect(service.configuredChannels()).toEqual([]);
    const warnings = records()
      .filter((r) => r.level === 40)
      .map((r) => r.msg);
    expect(warnings).toEqual([expect.stringContaining('SMTP_URL is not set'), expect.stringContaining('SLACK_WEBHOOK_URL is not set')]);
    expect(records().some((r) => r.msg.startsWith('no notification channel configured'))).toBe(true);

    const skippedBefore = await sentCount('slack', 'skipped');
    const [a, b, c] = [uniqueWorkflowId(), uniqueWorkflowId(), uniqueWorkflowId()];
    expect((await service.enqueue(operatorAlert(a))).skipped.sort()).toEqual(['email', 'slack']);
    expect((await service.enqueue(operatorAlert(b))).skipped.sort()).toEqual(['email', 'slack']);
    expect((await service.enqueue(deliverablesReady(c))).skipped).toEqual(['email']);

    const rowsA = await h.rowsFor(a);
    expect(rowsA.map((r) => [r.channel, r.status, r.lastError])).toEqual([
      ['email', 'skipped', 'email channel not configured (SMTP_URL)'],
      ['slack', 'skipped', 'slack channel not configured (SLACK_WEBHOOK_URL)'],
    ]);
    expect(rowsA.every((r) => r.recipient === '')).toBe(true);
    expect(await sentCount('slack', 'skipped')).toBe(skippedBefore + 2);
    // One info line per kind, not per notification.
    const skipLines = records().filter((r) => r.msg.startsWith('notification recorded as skipped'));
    expect(skipLines.map((r) => r.kind)).toEqual(['needs_attention', 'deliverables_ready']);
    expect(skipLines.every((r) => r.level === 30)).toBe(true);
    // Nothing to claim: skipped rows are not sent.
    expect((await service.dispatcher.dispatchOnce()).claimed).toBe(0);
  });

  it('uses the channels that are there: Slack only means operators on Slack, instructors skipped', async () => {
    const service = h.service({ config: { SMTP_URL: undefined } });
    expect(service.configuredChannels()).toEqual(['slack']);
    const [ops, inst] = [uniqueWorkflowId(), uniqueWorkflowId()];
    // The second channel being absent was reported at start; no skipped row per message for it.
    expect(await service.enqueue(operatorAlert(ops))).toMatchObject({ queued: ['slack'], skipped: [] });
    expect(await service.enqueue(deliverablesReady(inst))).toMatchObject({ queued: [], skipped: ['email'] });
    await drain(service, h.database, [ops]);
    expect(h.webhook.posts.filter((p) => p.text?.includes(ops))).toHaveLength(1);
  });

  it('warns when SMTP is configured but OPERATOR_EMAILS is empty; operators then get Slack only', async () => {
    const service = h.service({ config: { OPERATOR_EMAILS: [] } });
    expect(
      records()
        .filter((r) => r.level === 40)
        .map((r) => r.msg),
    ).toEqual([expect.stringContaining('OPERATOR_EMAILS is empty')]);
    const wf = uniqueWorkflowId();
    expect(await service.enqueue(operatorAlert(wf))).toMatchObject({ queued: ['slack'], skipped: [] });
    await drain(service, h.database, [wf]);
  });
});

describe('validation', () => {
  it('refuses a malformed notification, naming the field, and writes nothing', async () => {
    const service = h.service();
    const wf = uniqueWorkflowId();
    const noEmail = { ...deliverablesReady(wf), instructorEmail: undefined };
    await expect(service.enqueue(noEmail)).rejects.toThrow(/instructorEmail: required when audience is instructor/);
    await expect(service.enqueue({ ...operatorAlert(wf), kind: 'party' as never })).rejects.toThrow(InvalidNotificationError);
    await expect(service.enqueue({ ...operatorAlert(wf), kind: 'party' as never })).rejects.toThrow(/kind:/);
    await expect(service.enqueue({ ...deliverablesReady(wf), instructorEmail: 'not-an-address' })).rejects.toThrow(/instructorEmail:/);
    expect(await h.rowsFor(wf)).toHaveLength(0);
  });
});

describe('templates', () => {
  it('renders a subject and text per kind, masks addresses for operators and keeps links for instructors', () => {
    const ops = renderMessage(operatorAlert('wf-1', { text: 'learner bob.learner@school.example: Bearer abc.def' }), 'email');
    expect(ops.subject).toBe('[PresGen-Assess] Workflow wf-1 needs attention at GENERATING_PRESENTATIONS');
    expect(ops.text).toContain('learner [email]');
    expect(ops.text).not.toContain('bob.learner@school.example');
    const slack = renderMessage(operatorAlert('wf-1'), 'slack');
    expect(slack.text.startsWith('*[PresGen-Assess] Workflow wf-1')).toBe(true);

    const kinds = ['workflow_failed', 'needs_attention', 'sla_at_risk', 'sla_breached'] as const;
    const headlines = kinds.map((kind) => renderMessage(operatorAlert('wf-2', { kind }), 'email').text.split('\n')[0]);
    expect(new Set(headlines).size).toBe(kinds.length);

    const reminder = renderMessage(
      { ...deliverablesReady('wf-3'), kind: 'completion_reminder', text: 'Form: https://forms.example/f-1' },
      'email',
    );
    expect(reminder.text).toContain('has not completed the assessment form');
    expect(reminder.text).toContain('https://forms.example/f-1');
    const expired = renderMessage({ ...deliverablesReady('wf-3'), kind: 'workflow_expired', text: '' }, 'email');
    expect(expired.text).toContain('expired');
    const ready = renderMessage(deliverablesReady('wf-3'), 'email');
    expect(ready.text).toContain('https://presgen.example/decks/d-1');
  });
});

describe('log hygiene', () => {
  it('logs channel, kind and outcome but never an address, the SMTP password or the webhook secret', async () => {
    const service = h.service({ maxAttempts: 2 });
    const [ops, inst, rejected] = [uniqueWorkflowId(), uniqueWorkflowId(), uniqueWorkflowId()];
    h.smtp.faults.rcptTo = { count: 1, code: 451 };
    h.webhook.script.push({ status: 503 }, { status: 503 });
    await service.enqueue(deliverablesReady(inst));
    await service.enqueue(operatorAlert(ops, { text: `learner ${INSTRUCTOR} failed` }));
    await drain(service, h.database, [ops, inst]);
    h.smtp.faults.rcptTo = { count: 1, code: 550 };
    await service.enqueue(deliverablesReady(rejected));
    await drain(service, h.database, [rejected]);

    const msgs = records().map((r) => r.msg);
    expect(msgs).toEqual(
      expect.arrayContaining([
        'notification sent',
        'notification delivery failed; will retry',
        'notification delivery failed permanently',
        'outbound request failed',
      ]),
    );
    const slackLog = records().find((r) => r.msg === 'outbound request failed');
    expect(slackLog?.url).toBe(`http://127.0.0.1:${new URL(h.webhook.url).port}/[redacted]`);
    const all = lines.join('\n');
    for (const secret of [
      ...OPERATORS,
      INSTRUCTOR,
      SMTP_PASS,
      SLACK_SECRET_PATH,
      'hook-secret-4f2a9c',
      '@ops.example',
      '@school.example',
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});
