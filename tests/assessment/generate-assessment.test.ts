import { describe, expect, it } from 'vitest';
import { BUILT_IN_CATALOG } from '../../backend/assessment/catalog';
import { BuiltInAssessmentEngine } from '../../backend/assessment/engine';
import { PermanentError } from '../../backend/errors';

const engine = new BuiltInAssessmentEngine();
const bankOf = (id: string) => BUILT_IN_CATALOG.find((e) => e.profile.id === id)!.bank;
const countBy = <T>(items: T[], key: (t: T) => string) =>
  items.reduce<Record<string, number>>((acc, t) => ({ ...acc, [key(t)]: (acc[key(t)] ?? 0) + 1 }), {});

describe('generateAssessment', () => {
  it('is deterministic for a seed and differs for another seed', async () => {
    const a = await engine.generateAssessment({ certificationId: 'aws-saa-c03', seed: 'wf-42' });
    const b = await engine.generateAssessment({ certificationId: 'aws-saa-c03', seed: 'wf-42' });
    const c = await engine.generateAssessment({ certificationId: 'aws-saa-c03', seed: 'wf-43' });
    expect(b).toEqual(a);
    expect(c.questions.map((q) => q.id)).not.toEqual(a.questions.map((q) => q.id));
  });

  it('defaults to 20 unique questions, allocated by domain weight (6/5/5/4 for SAA-C03)', async () => {
    const a = await engine.generateAssessment({ certificationId: 'aws-saa-c03', seed: 's1' });
    expect(a.questions).toHaveLength(20);
    expect(new Set(a.questions.map((q) => q.id)).size).toBe(20);
    expect(countBy(a.questions, (q) => q.domainId)).toEqual({
      'design-secure-architectures': 6,
      'design-resilient-architectures': 5,
      'design-high-performing-architectures': 5,
      'design-cost-optimized-architectures': 4,
    });
    const secPlus = await engine.generateAssessment({ certificationId: 'comptia-security-plus-sy0-701', seed: 's1' });
    expect(countBy(secPlus.questions, (q) => q.domainId)).toEqual({
      'general-security-concepts': 2,
      'threats-vulnerabilities-mitigations': 4,
      'security-architecture': 4,
      'security-operations': 6,
      'security-program-management': 4,
    });
  });

  it('spreads a domain over its skills before repeating a skill', async () => {
    const a = await engine.generateAssessment({ certificationId: 'aws-saa-c03', seed: 's2' });
    const secure = a.questions.filter((q) => q.domainId === 'design-secure-architectures');
    // 6 seats over 4 skills: every skill at least once, none more than twice.
    const perSkill = Object.values(countBy(secure, (q) => q.skillId));
    expect(perSkill).toHaveLength(4);
    expect(Math.max(...perSkill)).toBe(2);
  });

  it('answer key points at the bank answer after the choices were shuffled', async () => {
    const bank = bankOf('comptia-security-plus-sy0-701');
    const positions = new Set<number>();
    for (const seed of ['k1', 'k2', 'k3']) {
      const a = await engine.generateAssessment({ certificationId: 'comptia-security-plus-sy0-701', seed });
      expect(Object.keys(a.answerKey).sort()).toEqual(a.questions.map((q) => q.id).sort());
      for (const q of a.questions) {
        const source = bank.questions.find((b) => b.id === q.id)!;
        expect(q.choices[a.answerKey[q.id]]).toBe(source.correct);
        expect([...q.choices].sort()).toEqual([source.correct, ...source.distractors].sort());
        positions.add(a.answerKey[q.id]);
      }
    }
    // The correct answer is not always in the same slot.
    expect(positions.size).toBeGreaterThan(1);
  });

  it('keeps at least one question per domain and caps at the bank size', async () => {
    const one = await engine.generateAssessment({ certificationId: 'comptia-security-plus-sy0-701', seed: 'x', questionCount: 1 });
    expect(new Set(one.questions.map((q) => q.domainId)).size).toBe(5);
    expect(one.questions).toHaveLength(5);
    const all = await engine.generateAssessment({ certificationId: 'aws-saa-c03', seed: 'x', questionCount: 200 });
    expect(all.questions).toHaveLength(bankOf('aws-saa-c03').questions.length);
  });

  it('rejects an unknown certification and invalid input with PermanentError naming the problem', async () => {
    await expect(engine.generateAssessment({ certificationId: 'nope', seed: 'x' })).rejects.toMatchObject({
      name: 'PermanentError',
      reason: 'unknown_certification',
    });
    await expect(engine.getProfile('nope')).rejects.toBeInstanceOf(PermanentError);
    await expect(engine.getProfile('nope')).rejects.toMatchObject({ reason: 'unknown_certification' });
    const bad = engine.generateAssessment({ certificationId: 'aws-saa-c03', seed: '', questionCount: 2.5 });
    await expect(bad).rejects.toMatchObject({ reason: 'invalid_input' });
    await expect(bad).rejects.toThrow(/seed/);
    await expect(bad).rejects.toThrow(/questionCount/);
  });
});
