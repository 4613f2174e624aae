import { and, eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootLogger, setRootLogger } from '../../backend/observability/logger';
import { rows } from '../../backend/db/client';
import { notificationOutbox } from '../../backend/db/schema';
import { claimDueNotifications, markNotificationSent } from '../../backend/notifications/outbox-store';
import { DRIVERS } from '../support/postgres';
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
  waitFor,
  type Harness,
} from './harness';

/**
 * The durable outbox end to end, on both drivers: real SMTP (smtp-server) and a real webhook
 * endpoint on loopback, the dispatcher driven round by round (dispatchOnce) so counts are exact.
 */
describe.each(DRIVERS)('notification outbox (%s)', (driver) => {
  let h: Harness;

  const previousLogger = rootLogger();

  beforeAll(async () => {
    setRootLogger(pino({ level: 'silent' }));
    h = await startHarness(driver);
  });

  afterAll(async () => {
    await h?.close();
    setRootLogger(previousLogger);
  });

  const mailsFor = (wf: string) => h.smtp.messages.filter((m) => m.subject.includes(wf) || m.text.includes(wf));
  const postsFor = (wf: string) => h.webhook.posts.filter((p) => p.text?.includes(wf));

  it('sends an operator alert to Slack and to every operator by email, and deliverables to the instructor by email only', async () => {
    const service = h.service();
    const [ops, inst] = [uniqueWorkflowId(), uniqueWorkflowId()];
    const before = { email: await sentCount('email', 'sent'), slack: await sentCount('slack', 'sent') };

    expect((await service.enqueue(operatorAlert(ops))).queued.sort()).toEqual(['email', 'slack']);
    expect((await service.enqueue(deliverablesReady(inst))).queued).toEqual(['email']);
    await drain(service, h.database, [ops, inst]);

    const [opsMail] = mailsFor(ops);
    expect(mailsFor(ops)).toHaveLength(1);
    expect(opsMail.to.sort()).toEqual([...OPERATORS].sort());
    expect(opsMail.from).toBe('no-reply@presgen.test');
    expect(opsMail.subject).toBe(`[PresGen-Assess] Workflow ${ops} needs attention at GENERATING_PRESENTATIONS`);
    expect(opsMail.text).toContain('needs an operator decision');
    expect(opsMail.text).toContain('presgen_core submit: HTTP 503');
    expect(opsMail.text).toContain(`POST /api/admin/workflows/${ops}/retry`);
    expect(opsMail.headers['x-presgen-notification']).toBe('needs_attention');

    expect(postsFor(ops)).toHaveLength(1);
    expect(postsFor(ops)[0].text).toMatch(/^\*\[PresGen-Assess\] Workflow wf-[^*]+\*\n\nA workflow stopped/);

    const [instMail] = mailsFor(inst);
    expect(mailsFor(inst)).toHaveLength(1);
    expect(instMail.to).toEqual([INSTRUCTOR]);
    expect(instMail.subject).toBe('[PresGen-Assess] PresGen-Assess: training deliverables are ready');
    expect(instMail.text).toContain('Deck 1 - VPC design: https://presgen.example/decks/d-1');
    expect(instMail.text).toContain('Video 1 - VPC design: https://presgen.example/videos/v-1');
    expect(postsFor(inst)).toHaveLength(0); // Slack is an operator channel

    const stored = [...(await h.rowsFor(ops)), ...(await h.rowsFor(inst))];
    expect(stored.map((r) => [r.channel, r.status, r.attempts, r.delivered])).toEqual(
      expect.arrayContaining([
        ['email', 'sent', 1, true],
        ['slack', 'sent', 1, true],
        ['email', 'sent', 1, true],
      ]),
    );
    expect(stored).toHaveLength(3);
    expect(stored.every((r) => r.sentAt !== null && r.leaseOwner === null)).toBe(true);
    // The Message-ID is derived from the row, so a crash-window duplicate is recognisable.
    const emailRow = stored.find((r) => r.workflowId === ops && r.channel === 'email')!;
    expect(opsMail.headers['message-id']).toBe(`<${emailRow.id}@presgen-assess.notifications>`);
    expect(await sentCount('email', 'sent')).toBe(before.email + 2);
    expect(await sentCount('slack', 'sent')).toBe(before.slack + 1);
  });

  it('sends a notification queued twice once per channel (dedupe by kind:workflow:key)', async () => {
    const service = h.service();
    const wf = uniqueWorkflowId();
    const first = await service.enqueue(operatorAlert(wf));
    const second = await service.enqueue(operatorAlert(wf));
    expect(first.dedupeKey).toBe(`needs_attention:${wf}:GENERATING_PRESENTATIONS:7`);
    expect(second).toMatchObject({ queued: [], skipped: [] });
    expect(second.duplicates.sort()).toEqual(['email', 'slack']);
    await drain(service, h.database, [wf]);
    // Queued again after it was sent: still a duplicate, nothing goes out twice.
    expect((await service.enqueue(operatorAlert(wf))).queued).toEqual([]);
    await service.dispatcher.dispatchOnce();

    expect(mailsFor(wf)).toHaveLength(1);
    expect(postsFor(wf)).toHaveLength(1);
    expect(await h.rowsFor(wf)).toHaveLength(2);
    // A different key (a later failure of the same workflow) is a new notification.
    expect((await service.enqueue(operatorAlert(wf, { key: 'GENERATING_PRESENTATIONS:9' }))).queued.sort()).toEqual(['email', 'slack']);
    await drain(service, h.database, [wf]);
    expect(mailsFor(wf)).toHaveLength(2);
  });

  it('retries after the SMTP server refuses once (451) and the webhook answers 503, then delivers once', async () => {
    const service = h.service();
    const [ops, inst] = [uniqueWorkflowId(), uniqueWorkflowId()];
    const failedBefore = { email: await sentCount('email', 'failed'), slack: await sentCount('slack', 'failed') };
    const refusedBefore = h.smtp.refused;
    h.smtp.faults.mailFrom = { count: 1, code: 451 };
    h.webhook.script.push({ status: 503, body: 'service unavailable' });

    await service.enqueue(operatorAlert(ops));
    await service.dispatcher.dispatchOnce();
    const afterFirst = await h.rowsFor(ops);
    expect(afterFirst.map((r) => r.status)).toEqual(['pending', 'pending']);
    expect(afterFirst.find((r) => r.channel === 'slack')!.lastError).toContain('HTTP 503');
    expect(afterFirst.find((r) => r.channel === 'email')!.lastError).toContain('451');
    await drain(service, h.database, [ops]);

    expect(h.smtp.refused - refusedBefore).toBe(1);
    expect(mailsFor(ops)).toHaveLength(1);
    expect(postsFor(ops)).toHaveLength(2); // the refused one and the delivered one
    const rowsAfter = await h.rowsFor(ops);
    expect(rowsAfter.map((r) => [r.status, r.attempts, r.lastError])).toEqual([
      ['sent', 2, null],
      ['sent', 2, null],
    ]);
    expect(await sentCount('email', 'failed')).toBe(failedBefore.email + 1);
    expect(await sentCount('slack', 'failed')).toBe(failedBefore.slack + 1);

    // A refused recipient (RCPT TO 451) is retried the same way.
    h.smtp.faults.rcptTo = { count: 1, code: 451 };
    await service.enqueue(deliverablesReady(inst));
    await drain(service, h.database, [inst]);
    expect(mailsFor(inst).map((m) => m.to)).toEqual([[INSTRUCTOR]]);
    expect((await h.rowsFor(inst)).map((r) => [r.status, r.attempts])).toEqual([['sent', 2]]);
  });

  it('honours a Slack 429 Retry-After when scheduling the retry', async () => {
    const service = h.service();
    const wf = uniqueWorkflowId();
    h.webhook.script.push({ status: 429, body: 'rate_limited', headers: { 'retry-after': '120' } });
    await service.enqueue(operatorAlert(wf), undefined);
    await service.dispatcher.dispatchOnce();
    const [row] = await rows<{ status: string; wait_s: string | number }>(
      h.database.db,
      sql`select status, extract(epoch from run_after - now()) as wait_s from notification_outbox
          where workflow_id = ${wf} and channel = 'slack'`,
    );
    expect(row.status).toBe('pending');
    expect(Number(row.wait_s)).toBeGreaterThan(100);
    expect(Number(row.wait_s)).toBeLessThanOrEqual(120);
    // Not due: another round does not post again.
    await service.dispatcher.dispatchOnce();
    expect(postsFor(wf)).toHaveLength(1);
    // Leave the table settled for the next tests.
    await h.database.db.update(notificationOutbox).set({ status: 'failed' }).where(eq(notificationOutbox.workflowId, wf));
  });

  it('gives up after the retry budget (transient) or at once (permanent): status failed, counted, no secret in the error', async () => {
    const service = h.service({ maxAttempts: 3 });
    const [ops, inst] = [uniqueWorkflowId(), uniqueWorkflowId()];
    const before = {
      slackFailed: await sentCount('slack', 'failed'),
      slackGivenUp: await sentCount('slack', 'given_up'),
      emailGivenUp: await sentCount('email', 'given_up'),
    };
    h.webhook.script.push({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });

    await service.enqueue(operatorAlert(ops, { audience: 'operators' }));
    await drain(service, h.database, [ops]);
    const slackRow = (await h.rowsFor(ops)).find((r) => r.channel === 'slack')!;
    expect(slackRow).toMatchObject({ status: 'failed', attempts: 3, delivered: false });
    expect(slackRow.lastError).toContain('HTTP 503');
    expect(slackRow.lastError).not.toContain(SLACK_SECRET_PATH);
    expect(postsFor(ops)).toHaveLength(3);
    expect(await sentCount('slack', 'failed')).toBe(before.slackFailed + 3);
    expect(await sentCount('slack', 'given_up')).toBe(before.slackGivenUp + 1);
    h.webhook.script.length = 0;

    // 550 is permanent: one attempt, no retry.
    h.smtp.faults.rcptTo = { count: 1, code: 550 };
    await service.enqueue(deliverablesReady(inst));
    await drain(service, h.database, [inst]);
    const [emailRow] = await h.rowsFor(inst);
    expect(emailRow).toMatchObject({ status: 'failed', attempts: 1 });
    expect(emailRow.lastError).toContain('550');
    expect(emailRow.lastError).not.toContain(INSTRUCTOR);
    expect(emailRow.lastError).not.toContain(SMTP_PASS);
    expect(mailsFor(inst)).toHaveLength(0);
    expect(await sentCount('email', 'given_up')).toBe(before.emailGivenUp + 1);
  });

  it('crash safety: rows leased by a dead dispatcher are sent by another, exactly once, after the lease expires', async () => {
    const survivor = h.service({ workerId: 'survivor' });
    const wf = uniqueWorkflowId();
    await survivor.enqueue(operatorAlert(wf));

    // The "dead" dispatcher claimed both rows and then died before sending.
    const claimed = await claimDueNotifications(h.database.db, {
      channels: ['email', 'slack'],
      workerId: 'dead',
      leaseMs: 60_000,
      max: 10,
    });
    expect(claimed.filter((r) => r.workflowId === wf)).toHaveLength(2);

    // While its lease runs, nobody else touches them.
    expect((await survivor.dispatcher.dispatchOnce()).claimed).toBe(0);
    expect(mailsFor(wf)).toHaveLength(0);

    // The lease expires (moved into the past instead of waiting a minute).
    await h.database.db
      .update(notificationOutbox)
      .set({ leaseExpiresAt: sql`now() - interval '1 second'` })
      .where(and(eq(notificationOutbox.workflowId, wf), eq(notificationOutbox.leaseOwner, 'dead')));
    const round = await survivor.dispatcher.dispatchOnce();
    expect(round).toMatchObject({ claimed: 2, sent: 2 });
    expect((await survivor.dispatcher.dispatchOnce()).claimed).toBe(0);

    expect(mailsFor(wf)).toHaveLength(1);
    expect(postsFor(wf)).toHaveLength(1);
    const stored = await h.rowsFor(wf);
    expect(stored.map((r) => [r.status, r.attempts])).toEqual([
      ['sent', 2],
      ['sent', 2],
    ]);
    // A late write by the dead dispatcher is fenced off by the lease owner check.
    expect(await markNotificationSent(h.database.db, stored[0].id, 'dead')).toBe(false);
  });

  it('two running dispatchers share the outbox and send each notification exactly once', async () => {
    const a = h.service({ workerId: 'replica-a' });
    const b = h.service({ workerId: 'replica-b' });
    await a.start();
    await b.start();
    const wfs = Array.from({ length: 6 }, () => uniqueWorkflowId());
    for (const [i, wf] of wfs.entries()) await (i % 2 ? a : b).enqueue(operatorAlert(wf));

    await waitFor(() => wfs.every((wf) => mailsFor(wf).length >= 1 && postsFor(wf).length >= 1), 'all notifications delivered');
    await a.stop();
    await b.stop();

    for (const wf of wfs) {
      expect(mailsFor(wf)).toHaveLength(1);
      expect(postsFor(wf)).toHaveLength(1);
      expect((await h.rowsFor(wf)).map((r) => r.status)).toEqual(['sent', 'sent']);
    }
  });

  it("queues inside the caller's transaction: nothing on rollback, delivered after commit", async () => {
    const service = h.service();
    await service.start();
    const [rolledBack, committed] = [uniqueWorkflowId(), uniqueWorkflowId()];

    await expect(
      h.database.db.transaction(async (tx) => {
        await service.enqueue(operatorAlert(rolledBack), tx);
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    await h.database.db.transaction(async (tx) => {
      expect((await service.enqueue(operatorAlert(committed), tx)).queued.sort()).toEqual(['email', 'slack']);
    });

    await waitFor(() => mailsFor(committed).length === 1 && postsFor(committed).length === 1, 'committed notification delivered');
    await service.stop();
    expect(await h.rowsFor(rolledBack)).toHaveLength(0);
    expect(mailsFor(rolledBack)).toHaveLength(0);
    expect((await h.rowsFor(committed)).map((r) => r.status)).toEqual(['sent', 'sent']);
  });
});
