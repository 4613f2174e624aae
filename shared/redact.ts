/**
 * The one redaction helper for free text that leaves the process (logs, stored errors, operator
 * messages), used by the backend and the add-on alike: email addresses and bearer tokens.
 * Plain TypeScript: Apps Script imports it.
 */

/** An email address as it appears in free text (SMTP replies, error messages, URL segments). */
const EMAIL = /[^\s<>"'(),;:@/]+@[^\s<>"'(),;:@/]+\.[^\s<>"'(),;:@/]+/g;
const BEARER = /\b(bearer)\s+[A-Za-z0-9._~+/=-]+/gi;

export function redactEmails(text: string): string {
  return text.replace(EMAIL, '[email]');
}

export function containsEmail(text: string): boolean {
  EMAIL.lastIndex = 0;
  const found = EMAIL.test(text);
  EMAIL.lastIndex = 0;
  return found;
}

/** Emails and `Bearer …` tokens. */
export function redactText(text: string): string {
  return redactEmails(text.replace(BEARER, '$1 [token]'));
}
