import { describe, expect, it } from 'vitest';
import { backendErrorFrom, fieldsFromDetails, instructorMessage } from '../../apps-script/http/backend-error';

const body = (code: string, message: string, details?: unknown) => JSON.stringify({ error: { code, message, details } });

describe('backend errors an instructor can read', () => {
  it('shows the backend message for a 4xx and names the invalid fields', () => {
    // The backend's details shape (shared/contracts/api.ts ErrorBody): one { field, message } per field.
    const err = backendErrorFrom(
      400,
      body('validation_failed', 'The request is invalid', [{ field: 'body.learnerEmail', message: 'Invalid email' }]),
    );
    expect(err.status).toBe(400);
    expect(err.code).toBe('validation_failed');
    expect(err.retryable).toBe(false);
    expect(err.fields).toEqual(['learnerEmail']);
    expect(err.message).toBe('The request is invalid (check: learnerEmail)');
  });

  it('does not repeat a field the message already names', () => {
    expect(instructorMessage(400, 'courseCount: must be at most 5', ['courseCount'])).toBe('courseCount: must be at most 5');
  });

  it('uses its own words for 5xx, 429, 401 and network failures, never raw server text', () => {
    const err = backendErrorFrom(503, '<html>upstream connect error</html>');
    expect(err.retryable).toBe(true);
    expect(err.code).toBe('http_503');
    expect(err.message).toMatch(/temporarily unavailable \(HTTP 503\)/);
    expect(err.message).not.toContain('upstream');
    expect(backendErrorFrom(429, body('rate_limited', 'slow down')).message).toMatch(/busy/);
    expect(backendErrorFrom(401, body('unauthorized', 'jwt expired')).message).toMatch(/could not verify your Google sign-in/);
    const network = backendErrorFrom(0, undefined);
    expect(network.code).toBe('network_error');
    expect(network.retryable).toBe(true);
    expect(network.message).toMatch(/Could not reach/);
  });

  it('falls back to a sensible message for 4xx without a body', () => {
    expect(backendErrorFrom(404, '').message).toBe('That workflow or item no longer exists.');
    expect(backendErrorFrom(403, 'not json').message).toBe('You do not have access to this workflow.');
    expect(backendErrorFrom(409, body('conflict', 'The workflow is not waiting for responses')).message).toBe(
      'The workflow is not waiting for responses',
    );
  });

  it('reads field names from the usual detail shapes', () => {
    expect(fieldsFromDetails({ issues: [{ path: ['a', 0, 'b'] }, { path: [] }] })).toEqual(['a.0.b']);
    expect(fieldsFromDetails({ fields: ['sheetUrl'] })).toEqual(['sheetUrl']);
    expect(fieldsFromDetails('text')).toEqual([]);
    expect(fieldsFromDetails(undefined)).toEqual([]);
  });
});
