import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeneratedAssessment } from '../../shared/contracts/assessment';
import { loadConfig } from '../../backend/config';
import { BuiltInAssessmentEngine } from '../../backend/assessment/engine';
import { PresgenAssessQuestionEngine } from '../../backend/assessment/presgen-assess-question-engine';
import { OutboundHttpClient } from '../../backend/integration/http-client';
import { startPresgenAssessSimulator, type PresgenAssessSimulator } from '../../backend/simulators/presgen-assess-simulator';
import { PermanentError, TransientError } from '../../backend/errors';
import { caught } from '../integration-clients/fixtures';
import { TestApiClient } from '../support/api-client';
import { startTestBackend, testConfig } from '../support/backend';
import { startTestIdentityProvider } from '../support/identity';
import { ScriptedAppsScript } from '../support/scripted-apps-script';
import { startAndSubmit, waitForStatus } from '../support/workflow-driver';

/**
 * ASSESSMENT_API_PROTOCOL=presgen-assess: PresGen-Assess's real question-generation endpoint,
 * against its simulator (same shapes), and one workflow completing with it.
 */

const AWS_PROFILE = '6f1c2a4e-3b5d-4c7e-8f90-1a2b3c4d5e6f';
const TOKEN = 'assess-token-0123456789';

let sim: PresgenAssessSimulator;
let engine: PresgenAssessQuestionEngine;

beforeAll(async () => {
  sim = await startPresgenAssessSimulator({ knownProfileIds: [AWS_PROFILE], token: TOKEN });
  const http = new OutboundHttpClient({ timeoutMs: 2_000, retries: 0, breaker: { consecutiveFailures: 100, halfOpenAfterMs: 1_000 } });
  engine = new PresgenAssessQuestionEngine({
    baseUrl: `${sim.url}/`,
    token: TOKEN,
    http,
    profileIds: { 'aws-saa-c03': AWS_PROFILE },
    difficultyLevel: 'advanced',
  });
});
afterAll(async () => {
  await sim?.close();
});

describe('PresGen-Assess question generation adapter', () => {
  it('sends the mapped profile UUID and a weight-proportional domain distribution, and maps questions and answer key back', async () => {
    const profile = await new BuiltInAssessmentEngine().getProfile('aws-saa-c03');
    const assessment = await engine.generateAssessment({ certificationId: 'aws-saa-c03', seed: 'wf-42', questionCount: 20 });
    const body = sim.requests.at(-1) as Record<string, unknown>;
    expect(body).toMatchObject({
      certification_profile_id: AWS_PROFILE,
      user_profile: 'wf-42',
      difficulty_level: 'advanced',
      question_count: 20,
    });
    const distribution = body.domain_distribution as Record<string, number>;
    expect(Object.keys(distribution).sort()).toEqual(profile.domains.map((d) => d.name).sort());
    expect(Object.values(distribution).reduce((a, b) => a + b, 0)).toBe(20);

    expect(GeneratedAssessment.safeParse(assessment).success).toBe(true);
    expect(assessment.questions).toHaveLength(20);
    const domainIds = new Set(profile.domains.map((d) => d.id));
    for (const q of assessment.questions) {
      expect(domainIds.has(q.domainId)).toBe(true);
      expect(q.choices.every((c) => !/^[A-D]\)/.test(c))).toBe(true);
      // The simulator words the correct option "The recommended approach…".
      expect(q.choices[assessment.answerKey[q.id]]).toMatch(/^The recommended approach/);
    }
  });

  it('refuses a certification without a configured profile UUID before any request', async () => {
    const before = sim.requests.length;
    const err = await caught(() => engine.generateAssessment({ certificationId: 'comptia-security-plus-sy0-701', seed: 'wf-43' }));
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toContain('ASSESSMENT_PROFILE_IDS');
    expect(sim.requests.length).toBe(before);
  });

  it('classifies a 500 {detail} as transient', async () => {
    sim.failNext(1);
    const err = await caught(() => engine.generateAssessment({ certificationId: 'aws-saa-c03', seed: 'wf-44' }));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toContain('AI question generation failed');
  });

  it('validates ASSESSMENT_PROFILE_IDS, naming the variable', () => {
    expect(loadConfig({ ASSESSMENT_PROFILE_IDS: `aws-saa-c03=${AWS_PROFILE}` }).ASSESSMENT_PROFILE_IDS).toEqual({
      'aws-saa-c03': AWS_PROFILE,
    });
    expect(() => loadConfig({ ASSESSMENT_PROFILE_IDS: 'aws-saa-c03' })).toThrow(/ASSESSMENT_PROFILE_IDS/);
  });

  it('a workflow completes with its questions from PresGen-Assess', async () => {
    const identity = await startTestIdentityProvider();
    const backend = await startTestBackend(
      testConfig(identity, {
        ASSESSMENT_API_URL: sim.url,
        ASSESSMENT_API_TOKEN: TOKEN,
        ASSESSMENT_API_PROTOCOL: 'presgen-assess',
        ASSESSMENT_PROFILE_IDS: `aws-saa-c03=${AWS_PROFILE}`,
      }),
    );
    const api = new TestApiClient(backend.url, () => identity.signIdToken({ email: 'assess@school.example' }));
    const appsScript = new ScriptedAppsScript(api, { spreadsheetId: 'sheet-of-the-addon' });
    appsScript.start();
    try {
      const before = sim.requests.length;
      const id = await startAndSubmit(api, backend.database, { courseCount: 1 });
      const wf = await waitForStatus(backend.database, id, ['COMPLETED', 'FAILED', 'NEEDS_ATTENTION'], 60_000);
      expect(wf.status, wf.lastError ?? '').toBe('COMPLETED');
      expect(sim.requests.length).toBe(before + 1);
    } finally {
      await appsScript.stop();
      await backend.stop();
      await identity.close();
    }
  });
});
