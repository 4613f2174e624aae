import type { z } from 'zod';
import type { HttpRequester, OutboundRequest } from '../../../backend/assessment/http-assessment-engine';
import { parseRetryAfter, PermanentError, TransientError } from '../../../backend/errors';

/**
 * Stand-in for the project's OutboundHttpClient in these tests: fetch + zod, classifying failures
 * the documented way (408/429/5xx/network transient, other 4xx and bad bodies permanent) and
 * attaching the raw error body as PermanentError details ({ status, body }) — a different shape from
 * OutboundHttpClient's ({ status, code }), so both are exercised.
 */
export function createFetchRequester(): HttpRequester {
  return {
    async request<T>(req: OutboundRequest, schema: z.ZodType<T>): Promise<T> {
      const headers: Record<string, string> = { ...req.headers };
      if (req.body !== undefined) headers['content-type'] = 'application/json';
      if (req.idempotencyKey) headers['idempotency-key'] = req.idempotencyKey;
      let res: Response;
      try {
        res = await fetch(req.url, { method: req.method, headers, body: req.body === undefined ? undefined : JSON.stringify(req.body) });
      } catch (cause) {
        throw new TransientError(`${req.operation}: network error`, { reason: 'network', cause });
      }
      const body: unknown = await res.json().catch(() => undefined);
      if (res.status === 408 || res.status === 429 || res.status >= 500) {
        throw new TransientError(`${req.operation}: HTTP ${res.status}`, {
          reason: res.status === 429 ? 'http_429' : 'http_5xx',
          retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
        });
      }
      if (!res.ok)
        throw new PermanentError(`${req.operation}: HTTP ${res.status}`, {
          reason: `http_${res.status}`,
          details: { status: res.status, body },
        });
      const parsed = schema.safeParse(body);
      if (!parsed.success) throw new PermanentError(`${req.operation}: response violates contract`, { reason: 'contract_violation' });
      return parsed.data;
    },
  };
}
