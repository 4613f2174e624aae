import { describe, expect, it } from 'vitest';
import type { GapAnalysis, Severity } from '../../shared/contracts/assessment';
import { BuiltInAssessmentEngine } from '../../backend/assessment/engine';
import { correctAnswers, wrongAnswers } from './support/answers';

const engine = new BuiltInAssessmentEngine();

const SECURE = 'design-secure-architectures';
const RESILIENT = 'design-resilient-architectures';
const PERF = 'design-high-performing-architectures';
const COST = 'design-cost-optimized-architectures';

const skill = (domainId: string, skillId: string, score: number, severity: Severity) => ({
  domainId,
  skillId,
  skillName: skillId,
  score,
  severity,
});

const gaps: GapAnalysis = {
  certificationId: 'aws-saa-c03',
  totalScore: 0.4,
  passed: false,
  answered: 10,
  correct: 4,
  domains: [],
  skills: [
    skill(SECURE, 'iam-access', 0.5, 'high'), // 0.75 x 0.30 = 0.225
    skill(SECURE, 'network-security', 0.8, 'low'), // 0.25 x 0.30 = 0.075
    skill(SECURE, 'data-encryption', 1, 'none'), // excluded
    skill(RESILIENT, 'loose-coupling', 0.2, 'critical'), // 1 x 0.26 = 0.26
    skill(PERF, 'storage-performance', 0.7, 'medium'), // 0.5 x 0.24 = 0.12
    skill(PERF, 'database-performance', 0.3, 'critical'), // 0.24, same score as compute: profile order decides
    skill(PERF, 'compute-performance', 0.3, 'critical'), // 0.24
    skill(COST, 'storage-cost', 0.1, 'critical'), // 0.20, higher score than compute-cost: after it
    skill(COST, 'compute-cost', 0, 'critical'), // 0.20
  ],
};

const EXPECTED = [
  ['loose-coupling', 0.26, 120],
  ['compute-performance', 0.24, 120],
  ['database-performance', 0.24, 120],
  ['iam-access', 0.225, 90],
  ['compute-cost', 0.2, 120],
  ['storage-cost', 0.2, 120],
  ['storage-performance', 0.12, 60],
  ['network-security', 0.075, 30],
];

describe('buildTrainingPlan', () => {
  it('ranks by severity weight x domain weight with deterministic tie-breaks, excluding severity none', async () => {
    const plan = await engine.buildTrainingPlan({ certificationId: 'aws-saa-c03', gaps });
    expect(plan.items.map((i) => [i.skillId, i.priority, i.recommendedMinutes])).toEqual(EXPECTED);
    expect(plan.items.map((i) => i.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(plan.items[0]).toMatchObject({
      domainId: RESILIENT,
      severity: 'critical',
      title: expect.stringContaining('Design Resilient Architectures'),
    });
  });

  it('does not depend on the order of the input', async () => {
    const reversed = { ...gaps, skills: [...gaps.skills].reverse() };
    const a = await engine.buildTrainingPlan({ certificationId: 'aws-saa-c03', gaps });
    const b = await engine.buildTrainingPlan({ certificationId: 'aws-saa-c03', gaps: reversed });
    expect(b).toEqual(a);
  });

  it('is empty for a perfect score and covers every assessed skill for a zero score', async () => {
    const assessment = await engine.generateAssessment({ certificationId: 'comptia-security-plus-sy0-701', seed: 'plan' });
    const perfect = await engine.analyzeGaps({ assessment, answers: correctAnswers(assessment) });
    expect((await engine.buildTrainingPlan({ certificationId: assessment.certificationId, gaps: perfect })).items).toEqual([]);
    const zero = await engine.analyzeGaps({ assessment, answers: wrongAnswers(assessment) });
    const plan = await engine.buildTrainingPlan({ certificationId: assessment.certificationId, gaps: zero });
    expect(plan.items).toHaveLength(zero.skills.length);
    // All critical: the heaviest domain (Security Operations, 28%) comes first.
    expect(plan.items[0].domainId).toBe('security-operations');
    const priorities = plan.items.map((i) => i.priority);
    expect(priorities).toEqual([...priorities].sort((x, y) => y - x));
  });

  it('rejects gaps from another certification', async () => {
    await expect(engine.buildTrainingPlan({ certificationId: 'comptia-security-plus-sy0-701', gaps })).rejects.toMatchObject({
      reason: 'certification_mismatch',
    });
    await expect(engine.buildTrainingPlan({ certificationId: 'unknown-cert', gaps })).rejects.toMatchObject({
      reason: 'unknown_certification',
    });
  });
});
