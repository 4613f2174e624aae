import { COMPTIA_SECURITY_PLUS_SY0_701 } from '../profiles/comptia-security-plus-sy0-701';
import { defineQuestionBank } from './define-bank';

/** Security+ SY0-701 diagnostic questions, three per skill. Append only: ids derive from the position. */
export const COMPTIA_SECURITY_PLUS_SY0_701_BANK = defineQuestionBank(COMPTIA_SECURITY_PLUS_SY0_701, 'secplus', {
  'security-controls': [
    {
      q: 'A security guard posted at a building entrance is an example of which control category?',
      a: 'Physical',
      wrong: ['Technical', 'Managerial', 'Directive'],
    },
    {
      q: 'Which control type is intended to discourage an attacker before an attack, such as a warning banner?',
      a: 'Deterrent',
      wrong: ['Corrective', 'Compensating', 'Detective'],
    },
    {
      q: 'A legacy system cannot be patched, so it is isolated on its own VLAN. What type of control is the isolation?',
      a: 'Compensating',
      wrong: ['Directive', 'Deterrent', 'Preventive policy only'],
    },
  ],
  'fundamental-concepts': [
    {
      q: 'Which part of the CIA triad does hashing a file to detect tampering support?',
      a: 'Integrity',
      wrong: ['Confidentiality', 'Availability', 'Non-repudiation only'],
    },
    {
      q: 'In a zero trust architecture, which component decides whether a subject may access a resource?',
      a: 'The policy engine in the control plane',
      wrong: ['The implicit trust zone', 'The perimeter firewall alone', 'The data plane switch'],
    },
    {
      q: 'A digital signature on an email primarily provides which property?',
      a: 'Non-repudiation',
      wrong: ['Availability', 'Obfuscation', 'Load balancing'],
    },
  ],
  'change-management': [
    {
      q: 'Before a firewall change is applied, what should a change request include to limit impact if it fails?',
      a: 'A documented backout plan',
      wrong: ['A new asset tag', 'A penetration test report', 'A data retention schedule'],
    },
    {
      q: 'Why should changes be scheduled in an approved maintenance window?',
      a: 'To minimize disruption to business operations',
      wrong: ['To bypass the change advisory board', 'To avoid documenting the change', 'To disable logging during the change'],
    },
    {
      q: 'After a change, diagrams and the configuration baseline are updated. Which change management activity is this?',
      a: 'Documentation and version control updates',
      wrong: ['Impact analysis', 'Stakeholder approval', 'Allow listing'],
    },
  ],
  'cryptographic-solutions': [
    {
      q: 'Which algorithm type uses the same key to encrypt and decrypt?',
      a: 'Symmetric encryption such as AES',
      wrong: ['Asymmetric encryption such as RSA', 'Hashing such as SHA-256', 'Key stretching such as PBKDF2'],
    },
    {
      q: 'A browser checks whether a certificate has been revoked in real time. Which protocol does it use?',
      a: 'OCSP',
      wrong: ['CSR', 'SCEP only at issuance', 'NTP'],
    },
    {
      q: 'What is the main purpose of salting password hashes?',
      a: 'To defeat precomputed rainbow table attacks',
      wrong: ['To make hashes reversible', 'To encrypt passwords in transit', 'To compress the password database'],
    },
  ],
  'threat-actors-vectors': [
    {
      q: 'Which threat actor is typically well funded and pursues long-term espionage objectives?',
      a: 'A nation-state actor',
      wrong: ['An unskilled attacker', 'A hacktivist defacing a website', 'A shadow IT user'],
    },
    {
      q: 'An attacker sends a text message posing as the bank and asking the user to follow a link. What is this?',
      a: 'Smishing',
      wrong: ['Vishing', 'Typosquatting', 'Watering hole'],
    },
    {
      q: 'Attackers compromise a website that a target group is known to visit. Which attack is this?',
      a: 'Watering hole attack',
      wrong: ['Pretexting', 'Brand impersonation by email', 'Tailgating'],
    },
  ],
  'vulnerability-types': [
    {
      q: 'A web form passes user input directly into a database query. Which vulnerability is most likely?',
      a: 'SQL injection',
      wrong: ['Race condition', 'Side loading', 'Jailbreaking'],
    },
    {
      q: 'A vulnerability that is unknown to the vendor and has no patch is called what?',
      a: 'A zero-day',
      wrong: ['A false positive', 'A legacy vulnerability', 'A misconfiguration'],
    },
    {
      q: 'A program writes more data to a memory buffer than it can hold, overwriting adjacent memory. What is this?',
      a: 'Buffer overflow',
      wrong: ['Memory leak', 'Cross-site request forgery', 'Directory traversal'],
    },
  ],
  'malicious-activity': [
    {
      q: 'Many accounts each receive a few login attempts with the same common password. What attack is indicated?',
      a: 'Password spraying',
      wrong: ['Brute force on a single account', 'Pass-the-hash', 'Credential stuffing with unique pairs'],
    },
    {
      q: 'A user is logged in from two countries within ten minutes. Which indicator is this?',
      a: 'Impossible travel',
      wrong: ['Resource inaccessibility', 'Out-of-cycle logging', 'Missing logs'],
    },
    {
      q: 'Files on a file server are suddenly renamed with a new extension and a ransom note appears. What is this?',
      a: 'Ransomware',
      wrong: ['Adware', 'A logic bomb that has not triggered', 'Spyware'],
    },
  ],
  'mitigation-techniques': [
    {
      q: 'Which technique limits the spread of an attack by dividing the network into smaller zones?',
      a: 'Segmentation',
      wrong: ['Decommissioning', 'Encryption at rest', 'Monitoring only'],
    },
    {
      q: 'Only approved applications may run on kiosk workstations. Which mitigation is this?',
      a: 'Application allow list',
      wrong: ['Deny list of known malware only', 'Full disk encryption', 'Port mirroring'],
    },
    {
      q: 'Which principle grants users only the permissions they need to do their job?',
      a: 'Least privilege',
      wrong: ['Separation of duties', 'Implicit trust', 'Job rotation'],
    },
  ],
  'architecture-models': [
    {
      q: 'In the IaaS shared responsibility model, who is responsible for patching the guest operating system?',
      a: 'The customer',
      wrong: ['The cloud provider', 'The hypervisor vendor', 'Nobody, it is automatic'],
    },
    {
      q: 'What is a key security benefit of infrastructure as code?',
      a: 'Consistent, reviewable and repeatable configurations',
      wrong: ['It removes the need for access control', 'It encrypts all data by default', 'It eliminates vulnerabilities in templates'],
    },
    {
      q: 'Industrial control systems are often isolated from other networks with no connectivity. What is this called?',
      a: 'Air gapping',
      wrong: ['Microservices', 'Serverless', 'Containerization'],
    },
  ],
  'secure-infrastructure': [
    {
      q: 'Which device inspects traffic inline and can block attacks in real time?',
      a: 'An intrusion prevention system (IPS)',
      wrong: ['An intrusion detection system (IDS) on a SPAN port', 'A network tap', 'A syslog server'],
    },
    {
      q: 'Which protocol provides port-based network access control on switches and wireless networks?',
      a: '802.1X',
      wrong: ['SNMPv2', 'Telnet', 'TFTP'],
    },
    {
      q: 'Public-facing web servers should be placed where?',
      a: 'In a screened subnet (DMZ)',
      wrong: ['On the internal user VLAN', 'On the management network', 'In the same subnet as the database servers'],
    },
  ],
  'data-protection': [
    {
      q: 'Replacing a credit card number with a random value mapped in a secure vault is known as what?',
      a: 'Tokenization',
      wrong: ['Hashing', 'Masking on screen only', 'Steganography'],
    },
    {
      q: 'Laws requiring that data about citizens is stored within a country relate to what?',
      a: 'Data sovereignty',
      wrong: ['Data masking', 'Data in transit', 'Data obfuscation'],
    },
    {
      q: 'Which control prevents sensitive data from leaving the organization by email or USB?',
      a: 'Data loss prevention (DLP)',
      wrong: ['A load balancer', 'A web application firewall', 'A VPN concentrator'],
    },
  ],
  'resilience-recovery': [
    {
      q: 'Which backup site has power and network but requires equipment and data to be brought in?',
      a: 'A cold site',
      wrong: ['A hot site', 'A warm site with current data', 'An active/active site'],
    },
    {
      q: 'What does RPO measure?',
      a: 'The maximum acceptable amount of data loss measured in time',
      wrong: ['The maximum time to restore service', 'The average time between failures', 'The time to detect an incident'],
    },
    {
      q: 'A walkthrough where the team talks through a disaster scenario without affecting systems is called what?',
      a: 'A tabletop exercise',
      wrong: ['A failover test', 'A simulation with live traffic', 'A parallel processing test'],
    },
  ],
  'secure-baselines': [
    {
      q: 'Which activity is part of hardening a new server?',
      a: 'Disabling unnecessary services and default accounts',
      wrong: ['Enabling all ports for troubleshooting', 'Sharing the administrator password', 'Turning off logging to save disk space'],
    },
    {
      q: 'What is the purpose of a secure configuration baseline?',
      a: 'To define and enforce a known-good configuration across systems',
      wrong: ['To list all users in the domain', 'To store encrypted backups', 'To replace vulnerability scanning'],
    },
    {
      q: 'Which is the most secure choice for wireless networks?',
      a: 'WPA3 with SAE',
      wrong: ['WEP', 'WPA with TKIP', 'An open network with MAC filtering'],
    },
  ],
  'vulnerability-management': [
    {
      q: 'A scanner reports a vulnerability that does not actually exist on the host. What is this?',
      a: 'A false positive',
      wrong: ['A false negative', 'A true positive', 'A zero-day'],
    },
    {
      q: 'Which scoring system rates the severity of vulnerabilities on a 0–10 scale?',
      a: 'CVSS',
      wrong: ['CVE', 'SCAP', 'STIX'],
    },
    {
      q: 'A critical vulnerability cannot be patched for a month. What is an appropriate response?',
      a: 'Apply compensating controls and document a time-limited exception',
      wrong: ['Ignore it until the patch ships', 'Delete the scan results', 'Disable the vulnerability scanner'],
    },
  ],
  'monitoring-alerting': [
    {
      q: 'Which tool aggregates and correlates logs from many sources to generate alerts?',
      a: 'A SIEM',
      wrong: ['A password manager', 'A hypervisor', 'A certificate authority'],
    },
    {
      q: 'Which data source shows summary information about network conversations (who talked to whom, how much)?',
      a: 'NetFlow',
      wrong: ['A full packet capture only', 'A badge reader log', 'A printer queue'],
    },
    {
      q: 'Too many low-value alerts cause analysts to miss real incidents. How should this be addressed?',
      a: 'Tune alert thresholds and correlation rules',
      wrong: ['Turn off all alerts', 'Increase log retention only', 'Add more analysts without changing rules'],
    },
  ],
  'identity-access-management': [
    {
      q: 'A user enters a password and then approves a push notification on a phone. What is this?',
      a: 'Multifactor authentication',
      wrong: ['Single sign-on only', 'Two passwords (single factor)', 'Federation without authentication'],
    },
    {
      q: 'Which access control model grants permissions based on job functions?',
      a: 'Role-based access control (RBAC)',
      wrong: [
        'Mandatory access control (MAC) with labels',
        'Discretionary access control (DAC)',
        'Rule-based access control for firewalls',
      ],
    },
    {
      q: 'Which standard is commonly used to exchange authentication assertions for web single sign-on between organizations?',
      a: 'SAML',
      wrong: ['LDAP', 'RADIUS accounting', 'SNMP'],
    },
  ],
  'incident-response': [
    {
      q: 'What is the correct order of the incident response process?',
      a: 'Preparation, detection, analysis, containment, eradication, recovery, lessons learned',
      wrong: [
        'Detection, recovery, containment, preparation, eradication, lessons learned',
        'Containment, preparation, detection, eradication, lessons learned, recovery',
        'Lessons learned, preparation, eradication, detection, containment, recovery',
      ],
    },
    {
      q: 'When collecting digital evidence, what documents every person who handled it?',
      a: 'Chain of custody',
      wrong: ['Legal hold notice', 'Acceptable use policy', 'Service level agreement'],
    },
    {
      q: 'Which data should be collected first according to the order of volatility?',
      a: 'CPU registers and cache',
      wrong: ['Archived backup tapes', 'Disk images', 'Remote log files'],
    },
  ],
  'security-governance': [
    {
      q: 'Which document states management intent and high-level security requirements for the organization?',
      a: 'A security policy',
      wrong: ['A procedure', 'A guideline', 'A runbook'],
    },
    {
      q: 'Who is accountable for the classification and protection of a specific data set?',
      a: 'The data owner',
      wrong: ['The data processor', 'The end user', 'The help desk'],
    },
    {
      q: 'Step-by-step instructions for performing a specific task are called what?',
      a: 'Procedures',
      wrong: ['Policies', 'Standards', 'Guidelines'],
    },
  ],
  'risk-management': [
    {
      q: 'An asset is worth $100,000, the exposure factor is 25% and the event happens twice a year. What is the ALE?',
      a: '$50,000',
      wrong: ['$25,000', '$200,000', '$12,500'],
    },
    {
      q: 'Buying cyber insurance is which risk response?',
      a: 'Transfer',
      wrong: ['Accept', 'Avoid', 'Mitigate'],
    },
    {
      q: 'Where are identified risks, their owners and treatment status tracked?',
      a: 'A risk register',
      wrong: ['A change log', 'A network diagram', 'An asset tag'],
    },
  ],
  'third-party-risk': [
    {
      q: 'Which agreement defines measurable service levels a vendor must meet?',
      a: 'Service level agreement (SLA)',
      wrong: ['Non-disclosure agreement (NDA)', 'Memorandum of understanding (MOU)', 'Rules of engagement'],
    },
    {
      q: 'Before onboarding a vendor, the company reviews its security practices and audit reports. What is this?',
      a: 'Due diligence',
      wrong: ['Due care after an incident', 'Right-to-audit waiver', 'Conflict of interest'],
    },
    {
      q: 'Which contract clause lets an organization assess a vendor\u2019s controls directly?',
      a: 'Right-to-audit clause',
      wrong: ['Force majeure clause', 'Non-compete clause', 'Indemnification-only clause'],
    },
  ],
  'compliance-awareness': [
    {
      q: 'What is a likely consequence of failing to comply with a regulation such as GDPR?',
      a: 'Fines and sanctions',
      wrong: ['Automatic certification', 'Faster incident response', 'Lower insurance premiums'],
    },
    {
      q: 'Which awareness activity measures how employees respond to realistic phishing emails?',
      a: 'Phishing simulation campaigns',
      wrong: ['Vulnerability scanning', 'Annual policy signature only', 'Log aggregation'],
    },
    {
      q: 'An independent third party evaluates controls and issues a formal report. What is this?',
      a: 'An external audit',
      wrong: ['A self-assessment', 'An internal attestation by the team', 'A tabletop exercise'],
    },
  ],
});
