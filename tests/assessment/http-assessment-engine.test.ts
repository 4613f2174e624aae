import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltInAssessmentEngine } from '../../backend/assessment/engine';
import { HttpAssessmentEngine } from '../../backend/assessment/http-assessment-engine';
import { createAssessmentEngine } from '../../backend/assessment/index';
import { PermanentError, TransientError } from '../../backend/errors';
import { type AssessmentApiServer, startAssessmentApiServer } from './support/assessment-api-server';
import { createFetchRequester } from './support/fetch-requester';
import { wrongAnswers } from './support/answers';

const TOKEN = 'test-assessment-token';
const builtIn = new BuiltInAssessmentEngine();
let server: AssessmentApiServer;
let remote: HttpAssessmentEngine;

beforeAll(async () => {
  server = await startAssessmentApiServer({ token: TOKEN });
  remote = new HttpAssessmentEngine({ baseUrl: `${server.url}/`, token: TOKEN, http: createFetchRequester() });
});
afterAll(async () => {
  await server.close();
});

describe('HttpAssessmentEngine against the documented API on loopback', () => {
  it('round-trips every operation with the same results as the built-in engine', async () => {
    expect(await remote.listProfiles()).toEqual(await builtIn.listProfiles());
    expect(await remote.getProfile('aws-saa-c03')).toEqual(await builtIn.getProfile('aws-saa-c03'));

    const genInput = { certificationId: 'aws-saa-c03', seed: 'wf-1:generate', questionCount: 12 };
    const assessment = await remote.generateAssessment(genInput);
    expect(assessment).toEqual(await builtIn.generateAssessment(genInput));

    const answers = wrongAnswers(assessment).slice(0, 6);
    const gaps = await remote.analyzeGaps({ assessment, answers });
    expect(gaps).toEqual(await builtIn.analyzeGaps({ assessment, answers }));

    const plan = await remote.buildTrainingPlan({ certificationId: 'aws-saa-c03', gaps });
    expect(plan).toEqual(await builtIn.buildTrainingPlan({ certificationId: 'aws-saa-c03', gaps }));

    const outlineInput = { certificationId: 'aws-saa-c03', plan, gaps, courseCount: 3, slidesPerCourse: 8 };
    expect(await remote.buildCourseOutlines(outlineInput)).toEqual(await builtIn.buildCourseOutlines(outlineInput));
  });

  it('sends the bearer token, the documented paths and an idempotency key for generation', async () => {
    server.requests.length = 0;
    await remote.generateAssessment({ certificationId: 'comptia-security-plus-sy0-701', seed: 's' });
    await remote.getProfile('comptia-security-plus-sy0-701');
    expect(server.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/assessments',
        authorization: `Bearer ${TOKEN}`,
        idempotencyKey: 'assessment:comptia-security-plus-sy0-701:s:default',
      },
      {
        method: 'GET',
        path: '/v1/certifications/comptia-security-plus-sy0-701',
        authorization: `Bearer ${TOKEN}`,
        idempotencyKey: undefined,
      },
    ]);
  });

  it('reports an unknown certification as PermanentError unknown_certification', async () => {
    await expect(remote.getProfile('no-such-cert')).rejects.toMatchObject({ name: 'PermanentError', reason: 'unknown_certification' });
    await expect(remote.generateAssessment({ certificationId: 'no-such-cert', seed: 's' })).rejects.toMatchObject({
      reason: 'unknown_certification',
    });
  });

  it('validates input before calling out', async () => {
    server.requests.length = 0;
    await expect(
      remote.buildCourseOutlines({
        certificationId: 'aws-saa-c03',
        plan: { items: [] },
        gaps: {} as never,
        courseCount: 9,
        slidesPerCourse: 5,
      }),
    ).rejects.toMatchObject({
      reason: 'invalid_input',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('passes transient failures through (503 with Retry-After) and a wrong token is permanent', async () => {
    server.failNext(1, 503, 7);
    const err = await remote.listProfiles().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ retryAfterMs: 7000 });
    expect(await remote.listProfiles()).toHaveLength(2); // the next call succeeds

    const wrongToken = new HttpAssessmentEngine({ baseUrl: server.url, token: 'wrong', http: createFetchRequester() });
    const denied = await wrongToken.listProfiles().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(PermanentError);
    expect(denied).toMatchObject({ reason: 'http_401' });
  });
});

describe('createAssessmentEngine', () => {
  it('is the built-in engine without an API URL, and the HTTP client with one', async () => {
    expect(createAssessmentEngine({})).toBeInstanceOf(BuiltInAssessmentEngine);
    const engine = createAssessmentEngine({ apiUrl: server.url, token: TOKEN, http: createFetchRequester() });
    expect(engine).toBeInstanceOf(HttpAssessmentEngine);
    expect((await engine.getProfile('aws-saa-c03')).name).toContain('SAA-C03');
  });

  it('refuses an API URL without an outbound client', () => {
    expect(() => createAssessmentEngine({ apiUrl: server.url })).toThrow(/outbound HTTP client/);
  });
});

describe('HttpAssessmentEngine over the project OutboundHttpClient', () => {
  it('round-trips and maps the 404 error body to unknown_certification', async () => {
    const { OutboundHttpClient } = await import('../../backend/integration/http-client');
    const http = new OutboundHttpClient({ retries: 0 });
    const engine = new HttpAssessmentEngine({ baseUrl: server.url, token: TOKEN, http });
    const assessment = await engine.generateAssessment({ certificationId: 'aws-saa-c03', seed: 'real-client' });
    expect(assessment).toEqual(await builtIn.generateAssessment({ certificationId: 'aws-saa-c03', seed: 'real-client' }));
    await expect(engine.generateAssessment({ certificationId: 'no-such-cert', seed: 's' })).rejects.toMatchObject({
      reason: 'unknown_certification',
    });
    await expect(engine.getProfile('no-such-cert')).rejects.toMatchObject({ reason: 'unknown_certification' });
  });
});
