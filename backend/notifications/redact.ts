/**
 * Scrubbing for text that leaves the delivery path: error messages stored in the outbox and
 * logged (SMTP replies echo recipient addresses), and operator messages posted to a shared Slack
 * channel. Addresses are only ever recipients; they are never logged.
 */

const EMAIL = /[^\s<>"'(),;:@]+@[^\s<>"'(),;:@]+\.[^\s<>"'(),;:@]+/g;
const BEARER = /\b(bearer)\s+[A-Za-z0-9._~+/=-]+/gi;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;
const MAX_ERROR_TEXT = 500;

export function redactEmails(text: string): string {
  return text.replace(EMAIL, '[email]');
}

/** Emails, bearer tokens, URL credentials and any configured secret (webhook URL, SMTP password). */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[secret]');
  }
  return redactEmails(out.replace(BEARER, '$1 [token]').replace(URL_USERINFO, '$1[credentials]@'));
}

/** An error message fit for the outbox row and the log: redacted and bounded. */
export function describeError(err: unknown, secrets: readonly string[] = []): string {
  const message = err instanceof Error ? err.message : String(err);
  const clean = redactSecrets(message, secrets);
  return clean.length > MAX_ERROR_TEXT ? `${clean.slice(0, MAX_ERROR_TEXT)}…` : clean;
}
