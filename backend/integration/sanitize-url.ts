import { containsEmail } from '../../shared/redact';

/**
 * What of a URL may be logged: scheme, host and path. The query string and fragment are dropped
 * (they carry tokens, emails and search terms), and so is userinfo (`user:pass@`). A path segment
 * that looks like an email address is replaced, because some APIs put the learner in the path.
 */

export function sanitizeUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '[invalid-url]';
  }
  const path = url.pathname
    .split('/')
    .map((segment) => (containsEmail(safeDecode(segment)) ? '[redacted]' : segment))
    .join('/');
  return `${url.protocol}//${url.host}${path}`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
