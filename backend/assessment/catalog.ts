import type { CertificationProfile } from '../../shared/contracts/assessment';
import { PermanentError } from '../errors';
import { AWS_SAA_C03 } from './profiles/aws-saa-c03';
import { COMPTIA_SECURITY_PLUS_SY0_701 } from './profiles/comptia-security-plus-sy0-701';
import { AWS_SAA_C03_BANK } from './question-bank/aws-saa-c03';
import { COMPTIA_SECURITY_PLUS_SY0_701_BANK } from './question-bank/comptia-security-plus-sy0-701';
import type { QuestionBank } from './question-bank/define-bank';

/** A certification the built-in engine can assess: its profile plus its question bank. */
export interface CatalogEntry {
  profile: CertificationProfile;
  bank: QuestionBank;
}

export const BUILT_IN_CATALOG: readonly CatalogEntry[] = [
  { profile: AWS_SAA_C03, bank: AWS_SAA_C03_BANK },
  { profile: COMPTIA_SECURITY_PLUS_SY0_701, bank: COMPTIA_SECURITY_PLUS_SY0_701_BANK },
];

export function findCatalogEntry(catalog: readonly CatalogEntry[], certificationId: string): CatalogEntry {
  const entry = catalog.find((e) => e.profile.id === certificationId);
  if (!entry) {
    throw new PermanentError(`unknown certification '${certificationId}'`, {
      reason: 'unknown_certification',
      details: { certificationId, known: catalog.map((e) => e.profile.id) },
    });
  }
  return entry;
}

/** Where a skill sits in its profile; the engine uses the position as the deterministic tie-breaker. */
export interface SkillRef {
  domainId: string;
  domainName: string;
  domainIndex: number;
  domainWeight: number;
  skillId: string;
  skillName: string;
  skillIndex: number;
}

export function skillIndex(profile: CertificationProfile): Map<string, SkillRef> {
  const map = new Map<string, SkillRef>();
  profile.domains.forEach((domain, domainIndex) =>
    domain.skills.forEach((skill, skillIdx) =>
      map.set(skillKey(domain.id, skill.id), {
        domainId: domain.id,
        domainName: domain.name,
        domainIndex,
        domainWeight: domain.weight,
        skillId: skill.id,
        skillName: skill.name,
        skillIndex: skillIdx,
      }),
    ),
  );
  return map;
}

export function skillKey(domainId: string, skillId: string): string {
  return `${domainId}/${skillId}`;
}
