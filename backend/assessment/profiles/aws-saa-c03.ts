import { CertificationProfile } from '../../../shared/contracts/assessment';

/**
 * AWS Certified Solutions Architect – Associate (SAA-C03). Domain weights are the exam guide's;
 * skills follow its task statements (the larger ones split so each skill stays teachable).
 * Scaled passing score 720/1000.
 */
export const AWS_SAA_C03: CertificationProfile = CertificationProfile.parse({
  id: 'aws-saa-c03',
  name: 'AWS Certified Solutions Architect – Associate (SAA-C03)',
  vendor: 'Amazon Web Services',
  passingScore: 0.72,
  domains: [
    {
      id: 'design-secure-architectures',
      name: 'Design Secure Architectures',
      weight: 0.3,
      skills: [
        { id: 'iam-access', name: 'Secure access with IAM roles, policies and federation' },
        { id: 'network-security', name: 'Network security controls (security groups, NACLs, WAF, Shield)' },
        { id: 'data-encryption', name: 'Data encryption and key management (KMS, TLS)' },
        { id: 'secrets-governance', name: 'Secrets management and multi-account governance' },
      ],
    },
    {
      id: 'design-resilient-architectures',
      name: 'Design Resilient Architectures',
      weight: 0.26,
      skills: [
        { id: 'loose-coupling', name: 'Loosely coupled architectures (SQS, SNS, EventBridge)' },
        { id: 'elastic-scaling', name: 'Scaling with Auto Scaling and Elastic Load Balancing' },
        { id: 'multi-az-availability', name: 'Highly available multi-AZ designs' },
        { id: 'disaster-recovery', name: 'Backup and disaster recovery strategies (RTO/RPO)' },
      ],
    },
    {
      id: 'design-high-performing-architectures',
      name: 'Design High-Performing Architectures',
      weight: 0.24,
      skills: [
        { id: 'storage-performance', name: 'High-performing storage (EBS, EFS, S3)' },
        { id: 'compute-performance', name: 'Elastic compute (EC2, Lambda, containers)' },
        { id: 'database-performance', name: 'Database performance (read replicas, caching, DynamoDB)' },
        { id: 'network-performance', name: 'Network performance (CloudFront, Global Accelerator)' },
        { id: 'data-ingestion', name: 'Data ingestion and transformation (Kinesis, Glue, Athena)' },
      ],
    },
    {
      id: 'design-cost-optimized-architectures',
      name: 'Design Cost-Optimized Architectures',
      weight: 0.2,
      skills: [
        { id: 'storage-cost', name: 'Cost-optimized storage (S3 storage classes, lifecycle)' },
        { id: 'compute-cost', name: 'Cost-optimized compute (Spot, Savings Plans, right-sizing)' },
        { id: 'database-cost', name: 'Cost-optimized databases' },
        { id: 'network-cost', name: 'Cost-optimized networking (data transfer, NAT, endpoints)' },
      ],
    },
  ],
});
