import { redactText } from '../../shared/redact';

/**
 * Scrubbing for text that leaves the delivery path: error messages stored in the outbox and
 * logged (SMTP replies echo recipient addresses), and operator messages posted to a shared Slack
 * channel. Addresses are only ever recipients; they are never logged.
 */

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;
const MAX_ERROR_TEXT = 500;

export { redactEmails } from '../../shared/redact';

/** Emails, bearer tokens, URL credentials and any configured secret (webhook URL, SMTP password). */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[secret]');
  }
  return redactText(out.replace(URL_USERINFO, '$1[credentials]@'));
}

/** An error message fit for the outbox row and the log: redacted and bounded. */
export function describeError(err: unknown, secrets: readonly string[] = []): string {
  const message = err instanceof Error ? err.message : String(err);
  const clean = redactSecrets(message, secrets);
  return clean.length > MAX_ERROR_TEXT ? `${clean.slice(0, MAX_ERROR_TEXT)}…` : clean;
}
