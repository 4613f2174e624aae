/**
 * Structured logs for Apps Script (console → Cloud Logging). Never pass emails, tokens or learner
 * answers: `redact` is applied to every free-text field as a second line of defence.
 */

import { redactText } from '../../shared/redact';

/** Emails and bearer tokens out (the project's one redaction helper). */
export function redact(text: string): string {
  return redactText(text);
}

type Fields = Record<string, string | number | boolean | null | undefined>;

function write(level: 'info' | 'warn' | 'error', event: string, fields: Fields = {}): void {
  const line: Record<string, unknown> = { level, event };
  for (const [key, value] of Object.entries(fields)) {
    line[key] = typeof value === 'string' ? redact(value) : value;
  }
  const text = JSON.stringify(line);
  if (level === 'error') console.error(text);
  else if (level === 'warn') console.warn(text);
  else console.log(text);
}

export const log = {
  info: (event: string, fields?: Fields) => write('info', event, fields),
  warn: (event: string, fields?: Fields) => write('warn', event, fields),
  error: (event: string, fields?: Fields) => write('error', event, fields),
};

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
