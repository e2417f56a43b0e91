/**
 * The declaration of every stack setting: type, default, allowed values and description.
 *
 * This table is the single source of truth: `infra/config.ts` parses and validates against it,
 * `Pulumi.yaml` declares the same keys (a test checks that they agree, and that the generated
 * docs/configuration.md lists them). Pure data, no Pulumi imports, so tests and scripts can read it
 * without the engine.
 */

import { LOG_RETENTION_DAYS } from "../components/lib/aws";
import { emailProblem, hostnameProblem } from "../components/lib/formats";
import { AMI_ID_PATTERN, INSTANCE_TYPE_PATTERN } from "../components/lib/naming";
import { MAX_ZONES } from "../components/lib/cidr";
import {
    DB_INSTANCE_CLASS_PATTERN,
    ENGINE_VERSION_PATTERN,
    MAX_BACKUP_RETENTION_DAYS,
    MAX_REPLICAS,
    MAX_STORAGE_GIB,
    MIN_STORAGE_GIB,
    MONITORING_INTERVALS,
    dbNameProblem,
    masterUsernameProblem,
} from "../components/lib/rds";

/** The Pulumi project name, which is also the config namespace (`web-infra:<key>`). */
export const PROJECT = "web-infra";

/** How a raw config string is parsed. Mirrors the `type` in `Pulumi.yaml`. */
export type SettingType = "string" | "integer" | "boolean";

export interface SettingSpec {
    /** Type, as declared in `Pulumi.yaml`. */
    readonly type: SettingType;
    /** One line for `Pulumi.yaml` and docs/configuration.md. */
    readonly description: string;
    /** Used when the stack does not set the key. Absent ⇒ optional with no value, or required. */
    readonly default?: string | number | boolean;
    /** The key must be set in every stack. */
    readonly required?: boolean;
    /** Allowed values (strings or integers). */
    readonly enum?: readonly (string | number)[];
    /** Inclusive bounds for integers. */
    readonly min?: number;
    readonly max?: number;
    /** For strings: a pattern the value must match, and how to describe it in an error. */
    readonly pattern?: RegExp;
    readonly patternHint?: string;
    /**
     * For strings: the rule of the component the value feeds (its exported validator, the rule's one
     * home), called with the value and this key; returns the problem naming the key, or `undefined`.
     */
    readonly check?: (value: string, key: string) => string | undefined;
    /** Which part of the stack the setting belongs to, for the grouping in Pulumi.yaml and docs/configuration.md. */
    readonly group: "general" | "network" | "web" | "https" | "database" | "monitoring" | "security";
}

/** CloudWatch Logs' retention values (one table for the whole project: components/lib/aws.ts). */
export { LOG_RETENTION_DAYS };

/** RDS Enhanced Monitoring intervals (`MonitoringInterval`); 0 would switch it off, which we don't allow. */
export const RDS_MONITORING_INTERVALS: readonly number[] = MONITORING_INTERVALS.filter((seconds) => seconds > 0);

// AWS tag values: letters, digits, spaces and _ . : / = + - @, at most 256 characters (Tagging API
// reference, Tag). Not blank and not padded with spaces: " ops" and "ops" would be two owners in every
// cost report.
const TAG_VALUE = /^(?!\s)(?!.*\s$)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;
const TAG_VALUE_HINT = "1-256 letters, digits, spaces or _ . : / = + - @ (an AWS tag value), not starting or ending with a space";

export const SETTINGS = {
    // ---- general ---------------------------------------------------------------------------------
    environment: {
        group: "general",
        type: "string",
        default: "development",
        enum: ["development", "staging", "production"],
        description:
            "What the stack is for. `production` requires deletion protection, the WAF, HTTPS (`domain` or `certificateArn`), `alertEmail`, a pinned `webAmiId` and `awsAccountId`.",
    },
    owner: {
        group: "general",
        type: "string",
        required: true,
        pattern: TAG_VALUE,
        patternHint: TAG_VALUE_HINT,
        description: "Team or person answerable for the stack; every resource is tagged `Owner` with it.",
    },
    costCenter: {
        group: "general",
        type: "string",
        required: true,
        pattern: TAG_VALUE,
        patternHint: TAG_VALUE_HINT,
        description: "Cost centre billed for the stack; every resource is tagged `CostCenter` with it.",
    },
    awsAccountId: {
        group: "general",
        type: "string",
        pattern: /^\d{12}$/,
        patternHint: "a 12-digit AWS account id such as 123456789012 (quote it in YAML)",
        description:
            "The AWS account the stack belongs to. Passed to the provider as `allowedAccountIds`: any Pulumi operation with credentials of another account fails before it changes anything. Required in production.",
    },
    deletionProtection: {
        group: "general",
        type: "boolean",
        default: false,
        description:
            "Deletion protection on the load balancer and on every DB instance that takes or took writes (replicas stay replaceable), and Pulumi `protect` on those instances, the DB secret and the access-log bucket. Required in production.",
    },

    // ---- network ---------------------------------------------------------------------------------
    vpcCidr: {
        group: "network",
        type: "string",
        default: "10.0.0.0/16",
        description:
            "IPv4 CIDR of the VPC, prefix /16 to /22. Split into public, private (app) and database subnets per zone; a quarter is kept free.",
    },
    availabilityZoneCount: {
        group: "network",
        type: "integer",
        default: 2,
        min: 2,
        max: MAX_ZONES,
        description: "How many availability zones the stack spans (at least 2: no tier may depend on one zone).",
    },
    natStrategy: {
        group: "network",
        type: "string",
        default: "single",
        enum: ["none", "single", "perAz"],
        description:
            "NAT gateways for private-subnet egress: `none` (no internet from private subnets), `single` (one NAT, cheap, a zone-level single point of failure for egress), `perAz` (one per zone, highly available).",
    },
    flowLogRetentionDays: {
        group: "network",
        type: "integer",
        default: 30,
        enum: LOG_RETENTION_DAYS,
        description: "Retention of the VPC flow log group, in days (a CloudWatch Logs retention value).",
    },

    // ---- web tier --------------------------------------------------------------------------------
    webServerCount: {
        group: "web",
        type: "integer",
        default: 2,
        min: 2,
        max: 100,
        description:
            "Active-active: the web fleet's minimum (the Auto Scaling group's `minSize`), spread evenly over the zones; at least 2. Ignored in active-passive (one server serves, `webWarmStandbyCount` wait).",
    },
    webServerMaxCount: {
        group: "web",
        type: "integer",
        min: 2,
        max: 1000,
        description:
            "Active-active: the most servers target tracking may run (the group's `maxSize`), at least `webServerCount`. Default: 2 × `webServerCount`.",
    },
    webServerMode: {
        group: "web",
        type: "string",
        default: "active-active",
        enum: ["active-active", "active-passive"],
        description:
            "`active-active`: every server in the Auto Scaling group serves, scaled by target tracking. `active-passive`: one server serves; `webWarmStandbyCount` running servers wait in the Auto Scaling `Standby` state, outside the target group, and a failover function moves one in service within about 50 s (worst case, three steps assumed) of the active server failing (docs/web-tier.md).",
    },
    webWarmStandbyCount: {
        group: "web",
        type: "integer",
        default: 1,
        min: 1,
        max: 10,
        description: "Active-passive: running servers kept in the Auto Scaling `Standby` state, ready to take over. Ignored in active-active.",
    },
    webScalingRequestsPerTarget: {
        group: "web",
        type: "integer",
        default: 1000,
        min: 1,
        max: 100000,
        description:
            "Active-active: target tracking keeps the load balancer's requests per server per minute near this (`ALBRequestCountPerTarget`).",
    },
    webScalingCpuPercent: {
        group: "web",
        type: "integer",
        default: 60,
        min: 10,
        max: 90,
        description: "Active-active: target tracking keeps the fleet's average CPU near this percentage (below the CPU alarm).",
    },
    webInstanceType: {
        group: "web",
        type: "string",
        default: "t4g.micro",
        pattern: INSTANCE_TYPE_PATTERN,
        patternHint: "an EC2 instance type such as t4g.micro or m7i.large",
        description: "EC2 instance type of the web servers. Graviton types (t4g, m7g, …) get the arm64 AMI.",
    },
    webAmiId: {
        group: "web",
        type: "string",
        pattern: AMI_ID_PATTERN,
        patternHint: "an AMI id such as ami-0123456789abcdef0",
        description:
            "Pin the web servers' AMI. Default: the latest Amazon Linux 2023 from AWS's public SSM parameter, so the first `pulumi up` after each AL2023 release rolls the fleet (instance refresh); required in production, where a new AMI is a deliberate change.",
    },
    webRootVolumeSizeGiB: {
        group: "web",
        type: "integer",
        default: 8,
        min: 8,
        max: 1024,
        description: "Size of each web server's encrypted gp3 root volume (the Amazon Linux 2023 AMI needs 8 GiB).",
    },
    appPort: {
        group: "web",
        type: "integer",
        default: 80,
        min: 1,
        max: 65535,
        description: "Port the web servers listen on, behind the load balancer (never 22 or 3389).",
    },
    lbAlgorithm: {
        group: "web",
        type: "string",
        default: "round_robin",
        enum: ["round_robin", "least_outstanding_requests", "weighted_random"],
        description: "Load-balancing algorithm of the target group.",
    },

    // ---- HTTPS -----------------------------------------------------------------------------------
    domain: {
        group: "https",
        type: "string",
        check: hostnameProblem,
        description:
            "Public name of the site. With it: an ACM certificate validated in Route 53, HTTPS on 443, HTTP redirected, an alias record. Without it (and without `certificateArn`): HTTP only.",
    },
    hostedZone: {
        group: "https",
        type: "string",
        check: hostnameProblem,
        description:
            "Route 53 public hosted zone that holds `domain`. Default: `domain` itself when it has two labels, else its parent.",
    },
    certificateArn: {
        group: "https",
        type: "string",
        pattern: /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
        patternHint: "an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<id>",
        description:
            "An existing ACM certificate for the HTTPS listener, instead of issuing one for `domain`. Must be in the stack's region.",
    },

    // ---- database --------------------------------------------------------------------------------
    dbEngineVersion: {
        group: "database",
        type: "string",
        // 8.4 (LTS): RDS MySQL 8.0 left standard support on 2026-07-31 and bills Extended Support
        // (~$0.10 per vCPU-hour, Multi-AZ standby included) on every instance still running it.
        default: "8.4",
        pattern: ENGINE_VERSION_PATTERN,
        patternHint: "a MySQL major version, 8.4 or 8.0 (RDS picks the minor and upgrades it automatically)",
        description:
            "RDS MySQL major version. 8.4 (LTS) by default; 8.0 left RDS standard support on 2026-07-31 and runs only on paid Extended Support, which the stack then enables explicitly.",
    },
    dbDeployment: {
        group: "database",
        type: "string",
        default: "instance",
        enum: ["instance", "multiAzCluster"],
        description:
            "Shape of the database: `instance` (a primary, Multi-AZ with `dbMultiAz`, plus `dbReplicaCount` read replicas) or `multiAzCluster` (an RDS Multi-AZ DB cluster: a writer and two readable standbys in three zones, automatic failover typically under 35 s; needs `availabilityZoneCount` ≥ 3). See docs/database.md.",
    },
    dbClusterInstanceClass: {
        group: "database",
        type: "string",
        pattern: /^db\.[a-z0-9-]+\.[a-z0-9]+$/,
        patternHint: "an RDS instance class such as db.c6gd.medium or db.r6gd.large",
        description:
            "`multiAzCluster` only: class of the cluster's three instances, of a family Multi-AZ DB clusters run on (db.c6gd, m5d, m6gd, m6id, m6idn, r5d, r6gd, r6id, r6idn, x2iedn); default db.c6gd.medium, the smallest.",
    },
    dbStorageType: {
        group: "database",
        type: "string",
        enum: ["io1", "io2", "gp3"],
        description: "`multiAzCluster` only: storage type of each cluster instance: gp3 (default, from 400 GiB, 12000 IOPS included) or io1/io2 (from 100 GiB, IOPS billed per IOPS-month). Instances always use gp3.",
    },
    dbIops: {
        group: "database",
        type: "integer",
        min: 1000,
        max: 256000,
        description: "`multiAzCluster` only: provisioned IOPS of each cluster instance (default 1000 for io1/io2, 12000 for gp3; io1 0.5-50 IOPS per GiB).",
    },
    dbInstanceClass: {
        group: "database",
        type: "string",
        default: "db.t4g.micro",
        pattern: DB_INSTANCE_CLASS_PATTERN,
        patternHint: "an RDS instance class such as db.t4g.micro or db.r7g.large",
        description: "Instance class of the primary and of every replica (a replica should keep up with its primary).",
    },
    dbAllocatedStorageGiB: {
        group: "database",
        type: "integer",
        default: 20,
        min: MIN_STORAGE_GIB,
        max: MAX_STORAGE_GIB,
        description: "Initial gp3 storage of the primary (RDS MySQL gp3 needs at least 20 GiB). With `multiAzCluster`: the storage of each cluster instance (default 400 for gp3, 100 for io1/io2).",
    },
    dbMaxAllocatedStorageGiB: {
        group: "database",
        type: "integer",
        default: 100,
        min: MIN_STORAGE_GIB + 1,
        max: MAX_STORAGE_GIB,
        description: "Storage autoscaling limit; must be above `dbAllocatedStorageGiB`.",
    },
    dbMultiAz: {
        group: "database",
        type: "boolean",
        default: false,
        description:
            "Multi-AZ primary: a synchronous standby in another zone that RDS fails over to automatically (about 1-2 minutes).",
    },
    dbBackupRetentionDays: {
        group: "database",
        type: "integer",
        default: 7,
        // 0-35 is what RDS accepts; config.ts then requires ≥ 7, with its own message for 0 + replicas.
        min: 0,
        max: MAX_BACKUP_RETENTION_DAYS,
        description: "Automated backup retention of every DB instance, 7-35 days (read replicas need backups on their source).",
    },
    dbReplicaCount: {
        group: "database",
        type: "integer",
        default: 1,
        min: 0,
        max: MAX_REPLICAS,
        description: "How many read replicas of the primary, each in a zone other than the primary's.",
    },
    dbPromoteReplica: {
        group: "database",
        type: "string",
        pattern: /^replica-[1-9]\d*$/,
        patternHint: "a replica name such as replica-1",
        description:
            "Promote this replica (`replica-N`) to a standalone primary and point the `writer` name at it. See docs/runbooks/db-writer-fails.md.",
    },
    dbRetireFormerPrimary: {
        group: "database",
        type: "boolean",
        default: false,
        description:
            "After a promotion (`dbPromoteReplica`), stop declaring the former primary so Pulumi deletes it, with a final snapshot. Only valid with `dbPromoteReplica`.",
    },
    dbPromotionComplete: {
        group: "database",
        type: "boolean",
        default: false,
        description:
            "Second step of a promotion, in an `up` after the one that applied `dbPromoteReplica`: give the promoted replica the writer's settings (Multi-AZ, password, deletion protection, window). See docs/runbooks/db-writer-fails.md.",
    },
    dbLogRetentionDays: {
        group: "database",
        type: "integer",
        default: 30,
        enum: LOG_RETENTION_DAYS,
        description: "Retention of the RDS error and slow-query log groups (declared by the stack, so RDS doesn't create them with no expiry), in days.",
    },
    dbName: {
        group: "database",
        type: "string",
        default: "app",
        check: dbNameProblem,
        description: "Name of the application database created on the primary.",
    },
    dbUsername: {
        group: "database",
        type: "string",
        default: "dbadmin",
        check: masterUsernameProblem,
        description: "Master user name of the primary (its password is generated and kept in Secrets Manager).",
    },
    dbMonitoringIntervalSeconds: {
        group: "database",
        type: "integer",
        default: 60,
        enum: RDS_MONITORING_INTERVALS,
        description: "Enhanced Monitoring granularity of every DB instance, in seconds.",
    },

    // ---- monitoring ------------------------------------------------------------------------------
    recoveryTimeTargetSeconds: {
        group: "monitoring",
        type: "integer",
        min: 0,
        max: 86400,
        description:
            "Recovery-time target: `npm run plan` exits 1 when a failure mode (a server, a zone, the DB writer, …) serves again later than this, as computed from the declared resources. Unset: reported, not enforced.",
    },
    dataLossTargetSeconds: {
        group: "monitoring",
        type: "integer",
        min: 0,
        max: 86400,
        description:
            "Data-loss target: `npm run plan` exits 1 when a failure mode can lose more than this many seconds of committed writes (0: no committed write lost). Unset: reported, not enforced.",
    },
    alertEmail: {
        group: "monitoring",
        type: "string",
        check: emailProblem,
        description:
            "Where alarms are e-mailed (SNS subscription; the recipient must confirm it). Without it, alarms only go to the SNS topic.",
    },
    alarmWebCpuPercent: {
        group: "monitoring",
        type: "integer",
        default: 80,
        min: 1,
        max: 100,
        description: "Alarm when the web fleet's average CPU stays above this for 5 minutes (target tracking should have kept it lower).",
    },
    alarmWebDiskPercent: {
        group: "monitoring",
        type: "integer",
        default: 85,
        min: 50,
        max: 99,
        description: "Alarm when a web server's root disk stays more than this full for 10 minutes (CloudWatch agent, worst server of the group).",
    },
    alarmWebMemoryPercent: {
        group: "monitoring",
        type: "integer",
        default: 90,
        min: 50,
        max: 99,
        description: "Alarm when a web server's memory use stays above this for 10 minutes (CloudWatch agent, worst server of the group).",
    },
    alarmP99LatencyMs: {
        group: "monitoring",
        type: "integer",
        default: 1000,
        min: 10,
        max: 60000,
        description: "Alarm when the p99 target response time stays above this for 5 minutes.",
    },
    alarm5xxPerMinute: {
        group: "monitoring",
        type: "integer",
        default: 10,
        min: 1,
        max: 1000000,
        description: "Alarm when the load balancer or the targets return more 5xx than this per minute, 3 minutes running.",
    },
    alarmDbCpuPercent: {
        group: "monitoring",
        type: "integer",
        default: 80,
        min: 1,
        max: 100,
        description: "Alarm when a DB instance's CPU stays above this for 10 minutes.",
    },
    alarmDbFreeStorageGiB: {
        group: "monitoring",
        type: "integer",
        default: 1,
        min: 1,
        max: 65536,
        description:
            "Alarm when the primary's free storage falls below this; at most 5% of `dbAllocatedStorageGiB`, below where storage autoscaling acts (10% free).",
    },
    alarmDbFreeableMemoryMiB: {
        group: "monitoring",
        type: "integer",
        default: 64,
        min: 1,
        max: 1048576,
        description: "Alarm when the primary's freeable memory falls below this.",
    },
    alarmDbConnections: {
        group: "monitoring",
        type: "integer",
        default: 60,
        min: 1,
        max: 100000,
        description: "Alarm when the primary holds more connections than this (db.t4g.micro allows about 80).",
    },
    alarmReplicaLagSeconds: {
        group: "monitoring",
        type: "integer",
        default: 30,
        min: 1,
        max: 86400,
        description: "Alarm when a replica lags its primary by more than this for 5 minutes.",
    },
    alarmWafBlockedPer5Min: {
        group: "monitoring",
        type: "integer",
        default: 500,
        min: 1,
        max: 100000000,
        description: "Alarm when the WAF blocks more requests than this in 5 minutes (an attack, or a rule hurting real users).",
    },

    // ---- security --------------------------------------------------------------------------------
    wafEnabled: {
        group: "security",
        type: "boolean",
        default: true,
        description: "WAFv2 web ACL in front of the load balancer. Only a throwaway stack should turn it off; production requires it.",
    },
    wafMode: {
        group: "security",
        type: "string",
        default: "block",
        enum: ["block", "count"],
        description:
            "`block`: the WAF's managed rules and per-IP rate limit refuse what they match. `count`: they only count and log matches, blocking nobody: the first rollout (docs/deploy.md, First deployment), switched to `block` once the WAF logs show real traffic is not hit.",
    },
    wafRateLimit: {
        group: "security",
        type: "integer",
        default: 1000,
        min: 10,
        max: 2000000000,
        description: "Requests one IP may send in any 5-minute window before the WAF blocks it.",
    },
    accessLogRetentionDays: {
        group: "security",
        type: "integer",
        default: 90,
        min: 1,
        max: 3650,
        description: "Days the ALB access logs are kept in their S3 bucket before they expire (+ up to 1 day as noncurrent versions, then deleted).",
    },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];
