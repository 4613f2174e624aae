import { CertificationProfile } from '../../../shared/contracts/assessment';

/**
 * CompTIA Security+ (SY0-701). Domain weights are the exam objectives'; skills follow the
 * objectives within each domain. Scaled passing score 750 on a 100–900 scale (~0.83).
 */
export const COMPTIA_SECURITY_PLUS_SY0_701: CertificationProfile = CertificationProfile.parse({
  id: 'comptia-security-plus-sy0-701',
  name: 'CompTIA Security+ (SY0-701)',
  vendor: 'CompTIA',
  passingScore: 0.83,
  domains: [
    {
      id: 'general-security-concepts',
      name: 'General Security Concepts',
      weight: 0.12,
      skills: [
        { id: 'security-controls', name: 'Security control categories and types' },
        { id: 'fundamental-concepts', name: 'Fundamental concepts (CIA, AAA, zero trust)' },
        { id: 'change-management', name: 'Change management and its security impact' },
        { id: 'cryptographic-solutions', name: 'Cryptographic solutions and PKI' },
      ],
    },
    {
      id: 'threats-vulnerabilities-mitigations',
      name: 'Threats, Vulnerabilities, and Mitigations',
      weight: 0.22,
      skills: [
        { id: 'threat-actors-vectors', name: 'Threat actors, motivations and attack vectors' },
        { id: 'vulnerability-types', name: 'Types of vulnerabilities' },
        { id: 'malicious-activity', name: 'Indicators of malicious activity' },
        { id: 'mitigation-techniques', name: 'Mitigation techniques for the enterprise' },
      ],
    },
    {
      id: 'security-architecture',
      name: 'Security Architecture',
      weight: 0.18,
      skills: [
        { id: 'architecture-models', name: 'Security implications of architecture models' },
        { id: 'secure-infrastructure', name: 'Securing enterprise infrastructure' },
        { id: 'data-protection', name: 'Data protection concepts and strategies' },
        { id: 'resilience-recovery', name: 'Resilience and recovery' },
      ],
    },
    {
      id: 'security-operations',
      name: 'Security Operations',
      weight: 0.28,
      skills: [
        { id: 'secure-baselines', name: 'Secure baselines and hardening' },
        { id: 'vulnerability-management', name: 'Vulnerability management' },
        { id: 'monitoring-alerting', name: 'Security monitoring and alerting' },
        { id: 'identity-access-management', name: 'Identity and access management' },
        { id: 'incident-response', name: 'Incident response and digital forensics' },
      ],
    },
    {
      id: 'security-program-management',
      name: 'Security Program Management and Oversight',
      weight: 0.2,
      skills: [
        { id: 'security-governance', name: 'Security governance (policies, standards, roles)' },
        { id: 'risk-management', name: 'Risk management process' },
        { id: 'third-party-risk', name: 'Third-party risk assessment and management' },
        { id: 'compliance-awareness', name: 'Compliance, audits and security awareness' },
      ],
    },
  ],
});
