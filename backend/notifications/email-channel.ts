import { createTransport } from 'nodemailer';
import { log } from '../observability/logger';
import { PermanentError, TransientError } from '../errors';
import type { NotificationChannel, OutgoingMessage } from './channel';
import { describeError } from './redact';

/**
 * Email over SMTP (nodemailer, one connection per message: notifications are rare and a pooled
 * connection would only go stale). SMTP_URL is `smtp://user:pass@host:port` (or `smtps://`);
 * a server that offers STARTTLS is upgraded.
 *
 * Classification: SMTP 4xx replies (greylisting, "mailbox busy") and connection problems are
 * transient; 5xx replies, authentication and envelope errors are permanent — sending the same
 * message again cannot fix them.
 */

export interface EmailChannelOptions {
  smtpUrl: string;
  from: string;
  /** Per-phase socket timeouts; keep their sum well under the dispatcher's lease. Default 10 s. */
  timeoutMs?: number;
}

const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROTOCOL',
  'EMAXLIMIT',
  'ECONNREFUSED',
  'ECONNRESET',
]);

export class SmtpEmailChannel implements NotificationChannel {
  readonly name = 'email' as const;
  readonly secrets: readonly string[];
  private readonly transport: ReturnType<typeof createTransport>;

  constructor(private readonly opts: EmailChannelOptions) {
    const url = new URL(opts.smtpUrl);
    const password = decodeURIComponent(url.password);
    this.secrets = [opts.smtpUrl, ...(password ? [password, url.password] : [])];
    const timeoutMs = opts.timeoutMs ?? 10_000;
    this.transport = createTransport({
      url: opts.smtpUrl,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      // nodemailer's own logger would print envelopes (addresses): keep it off.
      logger: false,
      debug: false,
    });
  }

  async send(message: OutgoingMessage): Promise<void> {
    if (message.recipients.length === 0) {
      throw new PermanentError('email: no recipients', { reason: 'no_recipients' });
    }
    try {
      // A stable Message-ID per outbox row: if a crash makes us send twice, mail clients that
      // de-duplicate by Message-ID show it once.
      const info = await this.transport.sendMail({
        from: this.opts.from,
        to: message.recipients,
        subject: message.subject,
        text: message.text,
        messageId: `<${message.id}@presgen-assess.notifications>`,
        headers: { 'X-PresGen-Notification': message.kind },
      });
      // Some recipients refused, others accepted: sending again would duplicate it for those
      // who got it, so it counts as sent; the refusal is logged (counts only, no addresses).
      if (info.rejected.length > 0) {
        log().warn(
          { rejected: info.rejected.length, accepted: info.accepted.length, kind: message.kind },
          'email: some recipients were refused',
        );
      }
    } catch (err) {
      throw classifySmtpError(err, this.secrets);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

export function classifySmtpError(err: unknown, secrets: readonly string[] = []): TransientError | PermanentError {
  const e = err as { code?: unknown; responseCode?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const responseCode = typeof e?.responseCode === 'number' ? e.responseCode : undefined;
  const message = `email: ${[code, responseCode].filter(Boolean).join(' ')} ${describeError(err, secrets)}`.replace(/\s+/g, ' ');
  if (responseCode !== undefined) {
    return responseCode >= 400 && responseCode < 500
      ? new TransientError(message, { reason: 'smtp_4xx' })
      : new PermanentError(message, { reason: 'smtp_5xx', details: { responseCode } });
  }
  if (code && TRANSIENT_CODES.has(code)) return new TransientError(message, { reason: 'network' });
  if (code && ['EAUTH', 'ENOAUTH', 'EENVELOPE', 'EMESSAGE', 'ECONFIG', 'EMAXRECIPIENTS'].includes(code)) {
    return new PermanentError(message, { reason: code.toLowerCase() });
  }
  // Unknown: retried, and the retry budget turns a persistent one into `failed`.
  return new TransientError(message, { reason: 'unexpected' });
}
