import { describe, expect, it } from 'vitest';
import type { GeneratedAssessment } from '../../shared/contracts/assessment';
import { BuiltInAssessmentEngine } from '../../backend/assessment/engine';
import { severityForScore } from '../../backend/assessment/severity';
import { correctAnswers, wrongAnswers } from './support/answers';

const engine = new BuiltInAssessmentEngine();

describe('analyzeGaps', () => {
  it('all correct: full score, passed, no gaps anywhere', async () => {
    for (const { id } of await engine.listProfiles()) {
      const assessment = await engine.generateAssessment({ certificationId: id, seed: 'perfect' });
      const gaps = await engine.analyzeGaps({ assessment, answers: correctAnswers(assessment) });
      expect(gaps).toMatchObject({ totalScore: 1, passed: true, answered: 20, correct: 20 });
      expect(gaps.domains.map((d) => d.severity)).toEqual(gaps.domains.map(() => 'none'));
      expect(gaps.skills.every((s) => s.severity === 'none' && s.score === 1)).toBe(true);
    }
  });

  it('all wrong: zero, failed, every domain and skill critical', async () => {
    const assessment = await engine.generateAssessment({ certificationId: 'aws-saa-c03', seed: 'zero' });
    const gaps = await engine.analyzeGaps({ assessment, answers: wrongAnswers(assessment) });
    expect(gaps).toMatchObject({ totalScore: 0, passed: false, answered: 20, correct: 0 });
    expect(gaps.domains).toHaveLength(4);
    expect(gaps.domains.every((d) => d.severity === 'critical')).toBe(true);
    expect(gaps.skills.every((s) => s.severity === 'critical')).toBe(true);
    expect(new Set(gaps.skills.map((s) => s.skillId)).size).toBe(new Set(assessment.questions.map((q) => q.skillId)).size);
  });

  it('no answers at all count as wrong', async () => {
    const assessment = await engine.generateAssessment({ certificationId: 'aws-saa-c03', seed: 'blank' });
    const gaps = await engine.analyzeGaps({ assessment, answers: [] });
    expect(gaps).toMatchObject({ totalScore: 0, passed: false, answered: 0, correct: 0 });
  });

  it('computes a hand-checked case: points-weighted scores, trimming, blanks, unknown ids, last answer wins', async () => {
    const q = (id: string, domainId: string, skillId: string, points: number) => ({
      id,
      domainId,
      skillId,
      prompt: `Question ${id}?`,
      choices: ['A', 'B', 'C'],
      points,
    });
    const assessment: GeneratedAssessment = {
      certificationId: 'aws-saa-c03',
      title: 'hand-made',
      questions: [
        q('q1', 'design-secure-architectures', 'iam-access', 2),
        q('q2', 'design-secure-architectures', 'iam-access', 1),
        q('q3', 'design-secure-architectures', 'network-security', 1),
        q('q4', 'design-resilient-architectures', 'loose-coupling', 3),
        q('q5', 'design-resilient-architectures', 'loose-coupling', 1),
        q('q6', 'design-cost-optimized-architectures', 'storage-cost', 1),
      ],
      answerKey: { q1: 0, q2: 1, q3: 2, q4: 0, q5: 1, q6: 2 },
    };
    const gaps = await engine.analyzeGaps({
      assessment,
      answers: [
        { questionId: 'q1', answer: 'A' }, // right, 2 points
        { questionId: 'q2', answer: 'B' },
        { questionId: 'q2', answer: 'C' }, // the later answer counts: wrong
        { questionId: 'q3', answer: '  C ' }, // right after trimming
        // q4 unanswered (3 points lost)
        { questionId: 'q5', answer: 'B' }, // right
        { questionId: 'q6', answer: '   ' }, // blank: unanswered
        { questionId: 'not-in-this-assessment', answer: 'A' }, // ignored
      ],
    });
    // earned 2 + 1 + 1 = 4 of 9 points
    expect(gaps.totalScore).toBeCloseTo(4 / 9, 6);
    expect(gaps).toMatchObject({ passed: false, answered: 4, correct: 3 });
    expect(gaps.domains).toEqual([
      {
        domainId: 'design-secure-architectures',
        domainName: 'Design Secure Architectures',
        weight: 0.3,
        earned: 3,
        possible: 4,
        score: 0.75,
        severity: 'low',
      },
      {
        domainId: 'design-resilient-architectures',
        domainName: 'Design Resilient Architectures',
        weight: 0.26,
        earned: 1,
        possible: 4,
        score: 0.25,
        severity: 'critical',
      },
      {
        domainId: 'design-cost-optimized-architectures',
        domainName: 'Design Cost-Optimized Architectures',
        weight: 0.2,
        earned: 0,
        possible: 1,
        score: 0,
        severity: 'critical',
      },
    ]);
    expect(gaps.skills.map((s) => [s.skillId, s.score, s.severity])).toEqual([
      ['iam-access', 0.666667, 'medium'],
      ['network-security', 1, 'none'],
      ['loose-coupling', 0.25, 'critical'],
      ['storage-cost', 0, 'critical'],
    ]);
  });

  it('passes exactly at the passing score', async () => {
    // 18 of 25 points = 0.72 = SAA-C03 passing score.
    const questions = Array.from({ length: 25 }, (_, i) => ({
      id: `p${i}`,
      domainId: 'design-secure-architectures',
      skillId: 'iam-access',
      prompt: 'p?',
      choices: ['yes', 'no'],
      points: 1,
    }));
    const assessment = {
      certificationId: 'aws-saa-c03',
      title: 't',
      questions,
      answerKey: Object.fromEntries(questions.map((q) => [q.id, 0])),
    };
    const answers = questions.map((q, i) => ({ questionId: q.id, answer: i < 18 ? 'yes' : 'no' }));
    expect((await engine.analyzeGaps({ assessment, answers })).passed).toBe(true);
    answers[0].answer = 'no';
    expect((await engine.analyzeGaps({ assessment, answers })).passed).toBe(false);
  });

  it('maps scores to severities at the documented thresholds', () => {
    expect([0, 0.39, 0.4, 0.59, 0.6, 0.74, 0.75, 0.89, 0.9, 1].map(severityForScore)).toEqual([
      'critical',
      'critical',
      'high',
      'high',
      'medium',
      'medium',
      'low',
      'low',
      'none',
      'none',
    ]);
  });

  it('rejects a malformed assessment and a skill outside the profile as permanent errors', async () => {
    await expect(engine.analyzeGaps({ assessment: { certificationId: 'aws-saa-c03' } as never, answers: [] })).rejects.toMatchObject({
      reason: 'invalid_input',
      message: expect.stringMatching(/assessment\.questions/),
    });
    const assessment = {
      certificationId: 'aws-saa-c03',
      title: 't',
      questions: [{ id: 'x', domainId: 'design-secure-architectures', skillId: 'kubernetes', prompt: 'p', choices: ['a', 'b'], points: 1 }],
      answerKey: { x: 0 },
    };
    await expect(engine.analyzeGaps({ assessment, answers: [] })).rejects.toMatchObject({ reason: 'unknown_skill' });
  });
});
