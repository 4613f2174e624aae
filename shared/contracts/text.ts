import { z } from 'zod';

/**
 * The one text primitive of every contract (API bodies, queries, path ids, command payloads and
 * results, form submissions, quota keys), shared by the backend and the add-on.
 *
 * Why: PostgreSQL cannot store U+0000 in text or jsonb (22021 / 22P05), and an unpaired UTF-16
 * surrogate is not valid UTF-8 (22P02). Such a string used to reach the database and turn a
 * caller's mistake into a 500. Text is made safe here, at the edge: it is rejected with a 400 that
 * names the field, never silently rewritten. Every string also has a documented upper bound, so
 * nothing unbounded is stored (the bounds are in docs/api.md and in /openapi.json as maxLength).
 */

/** Bounds every contract picks from: short names and ids, titles, free text, long text. */
export const TEXT_LIMITS = {
  /** Ids chosen by us or by Google (workflow ids, Drive ids, response ids, request ids). */
  id: 200,
  /** Names and titles (tabs, forms, files, certification names). */
  name: 300,
  /** A reason or an error message. */
  reason: 500,
  /** Free text: questions, choices, answers, cells, descriptions. */
  text: 10_000,
  /** RFC 5321: a forward path is at most 256 octets including the angle brackets. */
  email: 254,
  url: 2048,
} as const;

/** U+0000 anywhere, or a high surrogate not followed by a low one, or a low one not preceded by a high one. */
const UNSAFE_CHAR = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const UNSAFE_TEXT_MESSAGE = 'must not contain U+0000 (NUL) or an unpaired UTF-16 surrogate';

/** True when the string can be stored and echoed as-is: no NUL, no lone surrogate. */
export function isSafeText(value: string): boolean {
  return !UNSAFE_CHAR.test(value);
}

/** A string of at most `max` characters (and at least `min`, default 0) without NUL or lone surrogates. */
export function text(max: number, min = 0) {
  let schema = z.string().max(max, { error: `must be at most ${max} characters` });
  if (min > 0) schema = schema.min(min, { error: min === 1 ? 'must not be empty' : `must be at least ${min} characters` });
  return schema.refine(isSafeText, { error: UNSAFE_TEXT_MESSAGE });
}

/** A non-empty id (Drive ids, request ids, response ids): at most TEXT_LIMITS.id characters. */
export const IdText = text(TEXT_LIMITS.id, 1);

/** An email address, at most 254 characters. */
export const EmailText = z
  .email()
  .max(TEXT_LIMITS.email, { error: `must be at most ${TEXT_LIMITS.email} characters` })
  .refine(isSafeText, { error: UNSAFE_TEXT_MESSAGE });

/** An absolute URL, at most 2048 characters. */
export const UrlText = z
  .url()
  .max(TEXT_LIMITS.url, { error: `must be at most ${TEXT_LIMITS.url} characters` })
  .refine(isSafeText, { error: UNSAFE_TEXT_MESSAGE });

/** Workflow and command ids are UUIDs minted by the backend: anything else in a path is a 400, never a query. */
export const UuidText = z.uuid({ error: 'must be a UUID' });
