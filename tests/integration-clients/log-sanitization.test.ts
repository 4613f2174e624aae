import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OutboundHttpClient, sanitizeUrl } from '../../backend/integration/http-client';
import { PresgenCoreClient } from '../../backend/integration/presgen-core-client';
import { rootLogger, setRootLogger } from '../../backend/observability/logger';
import { startPresgenSimulator, type PresgenSimulator } from '../../backend/simulators/presgen-simulator';
import { caught, deckInput } from './fixtures';

const TOKEN = 'tok-SECRET-9f8e7d6c5b4a';
const EMAIL = 'jane.learner@example.org';
const ANSWER = 'answer-C-the-NAT-gateway';
const QUERY_SECRET = 'qs-secret-777';

let sim: PresgenSimulator;
const previous = rootLogger();
const lines: string[] = [];

beforeAll(async () => {
  sim = await startPresgenSimulator({ kind: 'core', token: TOKEN });
  // No redaction configured on purpose: the client itself must never hand secrets to the logger.
  setRootLogger(pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }));
});

afterAll(async () => {
  setRootLogger(previous);
  await sim?.close();
});

describe('sanitized outbound logging', () => {
  it('logs method, service, operation, path, status and duration, but no token, email, answer or query', async () => {
    const http = new OutboundHttpClient({ retries: 0 });
    const core = new PresgenCoreClient({ baseUrl: sim.url, token: TOKEN, http });

    const input = deckInput();
    input.slides[0].speakerNotes = `Learner ${EMAIL} chose ${ANSWER}`;
    const { jobId } = await core.submit(input, 'wf-log:PRESENTATIONS:1');
    await core.pollStatus(jobId);

    // Failure path: body with an email and answers, secrets in the query, a 400 from the server.
    await caught(() =>
      http.request(
        {
          service: 'presgen_core',
          operation: 'submit',
          method: 'POST',
          url: `${sim.url}/v1/presentations?email=${encodeURIComponent(EMAIL)}&token=${QUERY_SECRET}`,
          headers: { authorization: `Bearer ${TOKEN}`, 'x-learner-email': EMAIL },
          idempotencyKey: 'k-log',
          body: { email: EMAIL, answers: [ANSWER] },
        },
        z.unknown(),
      ),
    );
    // An email in the path (404).
    await caught(() => core.pollStatus(EMAIL));

    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const outbound = records.filter((r) => r.msg === 'outbound request' || r.msg === 'outbound request failed');
    expect(outbound).toHaveLength(4);
    expect(outbound.map((r) => r.status)).toEqual([202, 200, 400, 404]);
    expect(outbound[0]).toMatchObject({ integration: 'presgen_core', operation: 'submit', method: 'POST', outcome: 'success' });
    expect(typeof outbound[0].duration_ms).toBe('number');
    expect(outbound[2]).toMatchObject({ url: `${sim.url}/v1/presentations`, outcome: 'client_error', level: 40 });
    expect(outbound[3].url).toBe(`${sim.url}/v1/jobs/[redacted]`);

    const everything = lines.join('\n');
    for (const secret of [TOKEN, 'Bearer', EMAIL, encodeURIComponent(EMAIL), ANSWER, QUERY_SECRET, 'jane.learner']) {
      expect(everything).not.toContain(secret);
    }
  });
});

describe('sanitizeUrl', () => {
  it('drops query, fragment and userinfo and redacts email-like path segments', () => {
    expect(sanitizeUrl('https://user:pw@api.example.com:8443/v1/jobs/abc?token=x#frag')).toBe('https://api.example.com:8443/v1/jobs/abc');
    expect(sanitizeUrl('http://h/v1/learners/a%40b.co/results')).toBe('http://h/v1/learners/[redacted]/results');
    expect(sanitizeUrl('not a url')).toBe('[invalid-url]');
  });
});
