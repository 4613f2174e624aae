import { AWS_SAA_C03 } from '../profiles/aws-saa-c03';
import { defineQuestionBank } from './define-bank';

/** SAA-C03 diagnostic questions, three per skill. Append only: ids derive from the position. */
export const AWS_SAA_C03_BANK = defineQuestionBank(AWS_SAA_C03, 'saa', {
  'iam-access': [
    {
      q: 'An application on EC2 must read objects from an S3 bucket. What is the most secure way to grant access?',
      a: 'Attach an IAM role with a least-privilege policy to the instance profile',
      wrong: [
        'Store an IAM user access key in the application config file',
        'Make the bucket public and restrict by User-Agent',
        'Use the root account credentials in an environment variable',
      ],
    },
    {
      q: 'A company wants employees to sign in to the AWS Management Console with their existing corporate directory identities. Which service fits best?',
      a: 'AWS IAM Identity Center federated with the corporate identity provider',
      wrong: [
        'Create one IAM user per employee with console passwords',
        'Amazon Cognito user pools with a copy of the directory',
        'AWS Directory Service Simple AD without federation',
      ],
    },
    {
      q: 'Developers in account A need temporary access to resources in account B. What should the architect configure?',
      a: 'A role in account B with a trust policy for account A, assumed via STS',
      wrong: [
        'Share the account B root credentials',
        'Create IAM users in account B with long-lived keys for each developer',
        'Enable S3 Cross-Region Replication between the accounts',
      ],
    },
  ],
  'network-security': [
    {
      q: 'Which statement about security groups is correct?',
      a: 'They are stateful: return traffic for an allowed inbound request is automatically allowed',
      wrong: [
        'They are stateless and need explicit outbound rules for responses',
        'They support explicit deny rules',
        'They are applied at the subnet level',
      ],
    },
    {
      q: 'A web application behind an Application Load Balancer is targeted by SQL injection attempts. Which service mitigates this?',
      a: 'AWS WAF with managed rule groups associated with the ALB',
      wrong: ['Amazon GuardDuty', 'AWS Shield Standard alone', 'A network ACL allowing only port 443'],
    },
    {
      q: 'An architect must block traffic from a specific malicious IP range to an entire subnet. What is the simplest control?',
      a: 'Add a deny rule to the subnet network ACL',
      wrong: ['Add a deny rule to the security group', 'Remove the internet gateway from the VPC', 'Enable VPC Flow Logs'],
    },
  ],
  'data-encryption': [
    {
      q: 'A company must control and audit the keys used to encrypt S3 objects, including key rotation. Which option meets this?',
      a: 'SSE-KMS with a customer managed KMS key',
      wrong: [
        'SSE-S3 with Amazon S3 managed keys',
        'No encryption with a bucket policy instead',
        'Client-side encryption with a hard-coded key',
      ],
    },
    {
      q: 'How can an architect enforce that all requests to an S3 bucket use encryption in transit?',
      a: 'A bucket policy denying requests where aws:SecureTransport is false',
      wrong: ['Enable default encryption on the bucket', 'Turn on S3 Versioning', 'Enable S3 Transfer Acceleration'],
    },
    {
      q: 'An existing unencrypted Amazon RDS instance must be encrypted at rest. What is the correct approach?',
      a: 'Snapshot the instance, copy the snapshot with encryption enabled, and restore from it',
      wrong: [
        'Enable encryption on the running instance in the console',
        'Attach an encrypted EBS volume to the RDS instance',
        'Enable SSL connections to the database',
      ],
    },
  ],
  'secrets-governance': [
    {
      q: 'An application needs database credentials that rotate automatically. Which service is designed for this?',
      a: 'AWS Secrets Manager with automatic rotation',
      wrong: ['Hard-code credentials and redeploy monthly', 'Amazon S3 with a lifecycle policy', 'AWS Certificate Manager'],
    },
    {
      q: 'A company using AWS Organizations wants to prevent any account from disabling AWS CloudTrail. What should be used?',
      a: 'A service control policy (SCP) denying cloudtrail:StopLogging and cloudtrail:DeleteTrail',
      wrong: [
        'An IAM policy attached to each user in every account',
        'An S3 bucket policy on the log bucket only',
        'AWS Config in a single account',
      ],
    },
    {
      q: 'Which service continuously analyses CloudTrail, VPC Flow Logs and DNS logs to detect threats?',
      a: 'Amazon GuardDuty',
      wrong: ['Amazon Inspector', 'AWS Trusted Advisor', 'Amazon Macie'],
    },
  ],
  'loose-coupling': [
    {
      q: 'An order service must not lose orders when the downstream processing service is temporarily down. What decouples them best?',
      a: 'Put orders in an Amazon SQS queue that the processing service polls',
      wrong: [
        'Call the processing service synchronously with retries',
        'Write orders to an EC2 instance store volume',
        'Use an Application Load Balancer between the services',
      ],
    },
    {
      q: 'One event must be delivered to several independent consumers, each with its own queue. Which pattern applies?',
      a: 'Fan-out: an SNS topic with multiple SQS queues subscribed',
      wrong: [
        'A single SQS queue shared by all consumers',
        'An SQS FIFO queue with one message group',
        'A Lambda function calling each consumer in turn',
      ],
    },
    {
      q: 'Messages must be processed exactly once and in the order they were sent. Which option fits?',
      a: 'An Amazon SQS FIFO queue',
      wrong: ['An SQS standard queue', 'An SNS standard topic', 'Amazon Kinesis Data Firehose'],
    },
  ],
  'elastic-scaling': [
    {
      q: 'A fleet behind an ALB should keep average CPU near 50% as load changes. Which scaling policy is simplest?',
      a: 'A target tracking scaling policy on average CPU utilization',
      wrong: [
        'Scheduled scaling every hour',
        'A manual change of the desired capacity',
        'A simple scaling policy with a single CloudWatch alarm at 90%',
      ],
    },
    {
      q: 'Traffic rises every weekday at 9:00 predictably. How can capacity be ready before the spike?',
      a: 'Use scheduled or predictive scaling for the Auto Scaling group',
      wrong: ['Increase the health check grace period', 'Enable cross-zone load balancing', 'Use a larger launch template AMI'],
    },
    {
      q: 'Which load balancer routes HTTP requests by URL path to different target groups?',
      a: 'Application Load Balancer',
      wrong: ['Network Load Balancer', 'Gateway Load Balancer', 'Classic Load Balancer with TCP listeners'],
    },
  ],
  'multi-az-availability': [
    {
      q: 'A production MySQL database must survive an Availability Zone failure with automatic failover. Which option is correct?',
      a: 'Amazon RDS Multi-AZ deployment',
      wrong: [
        'An RDS read replica in the same AZ',
        'A single RDS instance with automated backups',
        'MySQL on one EC2 instance with an EBS snapshot schedule',
      ],
    },
    {
      q: 'A web tier must remain available if one Availability Zone fails. What should the Auto Scaling group span?',
      a: 'Subnets in at least two Availability Zones behind a load balancer',
      wrong: ['One subnet with larger instances', 'Two regions without a load balancer', 'A cluster placement group in one AZ'],
    },
    {
      q: 'Which shared file system is natively replicated across multiple Availability Zones in a region?',
      a: 'Amazon EFS Standard',
      wrong: ['Amazon EBS gp3', 'EC2 instance store', 'Amazon EFS One Zone'],
    },
  ],
  'disaster-recovery': [
    {
      q: 'A workload needs an RTO of minutes in another region with a scaled-down copy always running. Which DR strategy is this?',
      a: 'Warm standby',
      wrong: ['Backup and restore', 'Pilot light with no running compute', 'Multi-site active/active'],
    },
    {
      q: 'Which is the lowest-cost DR strategy, accepting an RTO of hours?',
      a: 'Backup and restore',
      wrong: ['Warm standby', 'Multi-site active/active', 'Pilot light'],
    },
    {
      q: 'A company needs centrally managed backups across EBS, RDS and DynamoDB with cross-region copies. Which service?',
      a: 'AWS Backup with backup plans and cross-region copy rules',
      wrong: ['Amazon S3 Glacier Vault Lock', 'AWS DataSync', 'Amazon Data Lifecycle Manager for RDS'],
    },
  ],
  'storage-performance': [
    {
      q: 'A database on EC2 needs consistent, very high IOPS on block storage. Which EBS volume type fits?',
      a: 'Provisioned IOPS SSD (io2)',
      wrong: ['Throughput Optimized HDD (st1)', 'Cold HDD (sc1)', 'Magnetic (standard)'],
    },
    {
      q: 'Hundreds of Linux instances need concurrent read/write access to the same POSIX file system. Which service?',
      a: 'Amazon EFS',
      wrong: ['Amazon EBS Multi-Attach across AZs', 'Amazon S3 Glacier', 'EC2 instance store'],
    },
    {
      q: 'Users worldwide upload large files to one S3 bucket and uploads are slow. What improves upload speed?',
      a: 'S3 Transfer Acceleration with multipart upload',
      wrong: ['S3 Object Lock', 'S3 Intelligent-Tiering', 'Enabling S3 Versioning'],
    },
  ],
  'compute-performance': [
    {
      q: 'A tightly coupled HPC workload needs the lowest network latency between instances. What should be used?',
      a: 'A cluster placement group',
      wrong: ['A spread placement group', 'A partition placement group across AZs', 'Instances in different regions'],
    },
    {
      q: 'An event-driven task runs for a few seconds per request with unpredictable traffic. Which compute option needs the least management?',
      a: 'AWS Lambda',
      wrong: ['Reserved EC2 instances', 'A dedicated host', 'An EC2 Auto Scaling group with fixed capacity'],
    },
    {
      q: 'A team wants to run containers without managing servers or clusters of EC2 instances. Which option fits?',
      a: 'Amazon ECS or EKS with AWS Fargate',
      wrong: ['Amazon ECS on self-managed EC2 instances', 'AWS Elastic Beanstalk on a single instance', 'Amazon Lightsail instances'],
    },
  ],
  'database-performance': [
    {
      q: 'A read-heavy RDS database is overloaded by reporting queries. What offloads them with little change?',
      a: 'Create read replicas and point reporting at them',
      wrong: ['Enable Multi-AZ and send reads to the standby', 'Increase the backup retention period', 'Switch the storage to magnetic'],
    },
    {
      q: 'Frequently read, rarely changed query results should be served with sub-millisecond latency. What should be added?',
      a: 'An Amazon ElastiCache caching layer',
      wrong: ['Amazon Redshift', 'An S3 Glacier archive', 'A second NAT gateway'],
    },
    {
      q: 'A DynamoDB table needs microsecond read latency for hot items. Which feature?',
      a: 'DynamoDB Accelerator (DAX)',
      wrong: ['DynamoDB Streams', 'Point-in-time recovery', 'Global tables'],
    },
  ],
  'network-performance': [
    {
      q: 'Static website assets must load quickly for users worldwide. Which service caches them at edge locations?',
      a: 'Amazon CloudFront',
      wrong: ['AWS Direct Connect', 'Amazon Route 53 private hosted zones', 'A VPC peering connection'],
    },
    {
      q: 'A global TCP/UDP gaming application needs static anycast IPs and fast regional failover. Which service?',
      a: 'AWS Global Accelerator',
      wrong: ['Amazon CloudFront with S3 origin', 'A Network Load Balancer in one region', 'AWS Transit Gateway'],
    },
    {
      q: 'A company needs a dedicated, consistent-bandwidth private connection from its data center to AWS. Which option?',
      a: 'AWS Direct Connect',
      wrong: ['AWS Site-to-Site VPN over the internet', 'An internet gateway', 'VPC endpoints for S3'],
    },
  ],
  'data-ingestion': [
    {
      q: 'Clickstream events must be ingested in real time and processed by multiple consumers. Which service?',
      a: 'Amazon Kinesis Data Streams',
      wrong: ['AWS Snowball Edge', 'Amazon S3 Glacier Deep Archive', 'AWS Batch'],
    },
    {
      q: 'Analysts want to run ad hoc SQL queries directly on data stored in S3 without loading it. Which service?',
      a: 'Amazon Athena',
      wrong: ['Amazon RDS for PostgreSQL', 'Amazon ElastiCache', 'AWS Step Functions'],
    },
    {
      q: 'Which service provides serverless ETL jobs and a data catalog for data in S3?',
      a: 'AWS Glue',
      wrong: ['Amazon SQS', 'AWS Storage Gateway', 'Amazon EMR on a fixed cluster only'],
    },
  ],
  'storage-cost': [
    {
      q: 'Objects are accessed often for 30 days, then rarely, and must be kept 7 years at the lowest cost. What should be configured?',
      a: 'An S3 lifecycle policy transitioning to S3 Glacier Deep Archive after 30 days',
      wrong: ['Keep everything in S3 Standard', 'Move objects to EBS Cold HDD volumes', 'Enable S3 Transfer Acceleration'],
    },
    {
      q: 'Access patterns for a data set are unknown and change over time. Which S3 storage class optimizes cost automatically?',
      a: 'S3 Intelligent-Tiering',
      wrong: ['S3 One Zone-IA', 'S3 Standard', 'S3 Glacier Flexible Retrieval'],
    },
    {
      q: 'Which EBS volume type is the lowest-cost option for infrequently accessed, throughput-oriented cold data?',
      a: 'Cold HDD (sc1)',
      wrong: ['Provisioned IOPS SSD (io2)', 'General Purpose SSD (gp3)', 'Provisioned IOPS SSD (io1)'],
    },
  ],
  'compute-cost': [
    {
      q: 'A fault-tolerant batch job can be interrupted and restarted. Which purchasing option is cheapest?',
      a: 'EC2 Spot Instances',
      wrong: ['On-Demand Instances', 'Dedicated Hosts', 'Dedicated Instances'],
    },
    {
      q: 'A company runs steady compute across EC2, Fargate and Lambda and wants a flexible commitment discount. Which option?',
      a: 'Compute Savings Plans',
      wrong: ['Standard Reserved Instances for one instance family', 'Spot Instances', 'On-Demand Capacity Reservations'],
    },
    {
      q: 'Which service recommends right-sizing EC2 instances based on utilization metrics?',
      a: 'AWS Compute Optimizer',
      wrong: ['AWS Artifact', 'Amazon Macie', 'AWS Shield Advanced'],
    },
  ],
  'database-cost': [
    {
      q: 'A development database is used only during business hours with unpredictable load. Which option reduces cost most?',
      a: 'Amazon Aurora Serverless v2 scaling with demand',
      wrong: [
        'A large provisioned RDS instance running 24/7',
        'RDS Multi-AZ with two read replicas',
        'A 3-year Reserved Instance for the largest class',
      ],
    },
    {
      q: 'A DynamoDB table has spiky, unpredictable traffic and is idle most of the day. Which capacity mode is most cost-effective?',
      a: 'On-demand capacity mode',
      wrong: ['Provisioned capacity sized for the peak', 'Provisioned capacity with reserved capacity', 'DAX with provisioned capacity'],
    },
    {
      q: 'A production RDS instance will run continuously for three years. How can its cost be reduced?',
      a: 'Purchase a Reserved DB Instance',
      wrong: ['Run it on Spot Instances', 'Switch to magnetic storage', 'Disable automated backups'],
    },
  ],
  'network-cost': [
    {
      q: 'Instances in private subnets transfer large amounts of data to S3 through a NAT gateway. How can data processing charges be cut?',
      a: 'Add an S3 gateway VPC endpoint and route S3 traffic through it',
      wrong: [
        'Add a second NAT gateway',
        'Move the instances to a public subnet with Elastic IPs in another region',
        'Enable S3 Transfer Acceleration',
      ],
    },
    {
      q: 'Which data transfer is generally free of charge?',
      a: 'Data transferred into AWS from the internet',
      wrong: ['Data transferred out to the internet', 'Data transferred between regions', 'Data transferred through a NAT gateway'],
    },
    {
      q: 'Serving frequently downloaded content from S3 to global users costs too much in data transfer out. What reduces it?',
      a: 'Serve the content through Amazon CloudFront',
      wrong: ['Enable S3 Versioning', 'Use S3 Cross-Region Replication to every region', 'Add a Network Load Balancer in front of S3'],
    },
  ],
});
