import { describe, expect, it } from 'vitest';
import { errorLogDetail, errorText, publicErrorText } from '../../backend/observability/error-text';
import { classifyError } from '../../backend/errors';

describe('errorText', () => {
  const failedQuery = (cause: Error) =>
    new Error('Failed query: insert into "audit_events" ("workflow_id", "actor") values ($1, $2)\nparams: 7f0c,ada@example.org', { cause });

  it('drops the SQL and parameters of a failed query; a connection failure keeps the driver message', () => {
    const err = failedQuery(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' }));
    expect(errorText(err)).toBe('database unreachable (ECONNREFUSED): connection refused');
    expect(classifyError(err).message).not.toContain('ada@example.org');
  });

  it('reduces a server-side database error to its SQLSTATE (the driver message may quote the value)', () => {
    const err = failedQuery(Object.assign(new Error('invalid input syntax for type uuid: "ada@example.org"'), { code: '22P02' }));
    expect(errorText(err)).toBe('database error (SQLSTATE 22P02)');
    expect(publicErrorText(err, 'corr-1')).toBe('unhandled database error (correlation id corr-1): database error (SQLSTATE 22P02)');
    for (const text of [errorText(err), publicErrorText(err, 'c'), errorLogDetail(err)]) {
      expect(text).not.toMatch(/insert into|params|ada@example\.org/);
    }
    expect(errorLogDetail(err)).toContain('invalid input syntax');
  });

  it('redacts emails and bearer tokens and bounds ordinary messages', () => {
    expect(errorText(new Error('boom'))).toBe('boom');
    expect(errorText('plain')).toBe('plain');
    expect(errorText(new Error('sent to bob@example.org with Bearer abc.def'))).toBe('sent to [email] with Bearer [token]');
    expect(errorText(new Error('x'.repeat(5000))).length).toBeLessThanOrEqual(501);
  });

  it('never carries a stack trace', () => {
    const err = new Error('top');
    expect(errorText(err)).not.toContain('at ');
    expect(publicErrorText(err, 'c')).toBe('unhandled internal error (correlation id c): top');
  });
});
