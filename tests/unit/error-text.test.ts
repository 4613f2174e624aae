import { describe, expect, it } from 'vitest';
import { errorText } from '../../backend/observability/error-text';
import { classifyError } from '../../backend/workflow/errors';

describe('errorText', () => {
  it('drops the SQL parameters of a failed query, keeping the driver code and message', () => {
    const cause = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    const err = new Error('Failed query: insert into form_submissions values ($1)\nparams: learner@example.com,{"answers":[]}', { cause });
    expect(errorText(err)).toBe('database query failed (ECONNREFUSED): connection refused');
    expect(classifyError(err).message).not.toContain('learner@example.com');
  });

  it('keeps ordinary messages', () => {
    expect(errorText(new Error('boom'))).toBe('boom');
    expect(errorText('plain')).toBe('plain');
  });
});
