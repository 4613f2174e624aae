import { describe, expect, it } from 'vitest';
import { CertificationProfile } from '../../shared/contracts/assessment';
import { BUILT_IN_CATALOG } from '../../backend/assessment/catalog';
import { BankQuestion } from '../../backend/assessment/question-bank/define-bank';
import { BuiltInAssessmentEngine } from '../../backend/assessment/engine';

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

describe('certification profiles', () => {
  it('ships AWS SAA-C03 and CompTIA Security+ SY0-701 with the exam weights', async () => {
    const profiles = await new BuiltInAssessmentEngine().listProfiles();
    expect(profiles.map((p) => p.id)).toEqual(['aws-saa-c03', 'comptia-security-plus-sy0-701']);
    const weights = (id: string) => Object.fromEntries(profiles.find((p) => p.id === id)!.domains.map((d) => [d.name, d.weight]));
    expect(weights('aws-saa-c03')).toEqual({
      'Design Secure Architectures': 0.3,
      'Design Resilient Architectures': 0.26,
      'Design High-Performing Architectures': 0.24,
      'Design Cost-Optimized Architectures': 0.2,
    });
    expect(Object.values(weights('comptia-security-plus-sy0-701'))).toEqual([0.12, 0.22, 0.18, 0.28, 0.2]);
  });

  for (const { profile } of BUILT_IN_CATALOG) {
    it(`${profile.id}: valid, weights sum to 1, 3-5 skills per domain, stable slug ids`, () => {
      expect(CertificationProfile.safeParse(profile).success).toBe(true);
      expect(profile.domains.reduce((sum, d) => sum + d.weight, 0)).toBeCloseTo(1, 9);
      expect(profile.id).toMatch(SLUG);
      const skillIds = profile.domains.flatMap((d) => d.skills.map((s) => s.id));
      expect(new Set(skillIds).size).toBe(skillIds.length);
      for (const d of profile.domains) {
        expect(d.id).toMatch(SLUG);
        expect(d.skills.length).toBeGreaterThanOrEqual(3);
        expect(d.skills.length).toBeLessThanOrEqual(5);
        for (const s of d.skills) expect(s.id).toMatch(SLUG);
      }
    });
  }
});

describe('question banks', () => {
  for (const { profile, bank } of BUILT_IN_CATALOG) {
    it(`${profile.id}: every skill has >= 3 valid questions mapped to its domain, unique ids and choices`, () => {
      expect(bank.certificationId).toBe(profile.id);
      const ids = bank.questions.map((q) => q.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const q of bank.questions) {
        expect(BankQuestion.safeParse(q).success).toBe(true);
        const choices = [q.correct, ...q.distractors];
        expect(new Set(choices).size).toBe(choices.length);
        const domain = profile.domains.find((d) => d.id === q.domainId);
        expect(domain?.skills.some((s) => s.id === q.skillId)).toBe(true);
      }
      for (const d of profile.domains) {
        for (const s of d.skills) {
          expect(bank.questions.filter((q) => q.domainId === d.id && q.skillId === s.id).length).toBeGreaterThanOrEqual(3);
        }
      }
    });
  }
});
