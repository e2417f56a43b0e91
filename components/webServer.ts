import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AMI_ID_PATTERN, INSTANCE_TYPE_PATTERN, architectureOf } from "./lib/naming";
import { DatabaseEndpoints } from "./lib/databaseEndpoints";
import { servicePortProblem } from "./lib/ports";
import { renderCloudConfig } from "./lib/userData";
import { LOG_RETENTION_DAYS } from "./lib/aws";
import { DEFAULT_THRESHOLDS, metricAlarmArgs, refreshGateAlarms } from "./lib/alarms";
import { declareStandbyFailover } from "./standbyFailover";

/** CPU credit mode of burstable (T-family) instances. */
export type CpuCredits = "standard" | "unlimited";

/**
 * Where the servers find the database: DatabaseEndpoints (the one endpoints type; the Database's
 * `connectionInfo` fits), each field an Input. The role may read exactly the secret `secretArn` names;
 * never the password itself.
 */
export type WebServersDatabaseArgs = { readonly [K in keyof DatabaseEndpoints]: pulumi.Input<DatabaseEndpoints[K]> };

/** `active-active`: every server serves. `active-passive`: one serves, Standby servers wait outside the target group. */
export type WebServersMode = "active-active" | "active-passive";

/** Target tracking: the group adds servers above these targets and removes them below. */
export interface WebServersScalingArgs {
    /**
     * ALB requests per server per minute (`ALBRequestCountPerTarget`). Needs `loadBalancerMetrics`.
     * @default 1000 (about 17 requests a second per t4g.micro: far below what nginx serves, so servers are added before latency climbs)
     */
    readonly requestsPerTarget?: number;
    /**
     * Average CPU of the fleet, percent (`ASGAverageCPUUtilization`).
     * @default 60 (below the CPU alarm's 80 %, and below where a burstable type starts spending credits)
     */
    readonly cpuPercent?: number;
}

/** CloudWatch dimensions of the load balancer the fleet is behind (their `arnSuffix`es). */
export interface WebServersLoadBalancerMetrics {
    /** `app/<name>/<id>` */
    readonly loadBalancerArnSuffix: pulumi.Input<string>;
    /** `targetgroup/<name>/<id>` */
    readonly targetGroupArnSuffix: pulumi.Input<string>;
}

export interface WebServersArgs {
    /** VPC of the servers (their security group is created in it). */
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets, one per zone, at least 2: the group spreads its servers evenly over them. */
    readonly subnetIds: pulumi.Input<string>[];
    /**
     * Target groups the group registers its in-service servers in: the ONE attachment mechanism (no
     * `aws.autoscaling.Attachment` or target group attachments beside it: the provider documents that
     * the two fight, each `up` undoing the other).
     */
    readonly targetGroupArns: pulumi.Input<string>[];
    /**
     * `active-active`: `minSize`..`maxSize` servers all serve, with target tracking. `active-passive`:
     * ONE server in service and `warmStandbyCount` running servers in the Auto Scaling `Standby` state
     * (deregistered from the target group); a failover function of ours moves one back in service when
     * the active server fails, and arms the failed server's replacement as the next standby
     * (components/standbyFailover.ts, docs/web-tier.md "Active-passive").
     * @default "active-active"
     */
    readonly mode?: WebServersMode;
    /**
     * The group's minimum (active-active): never fewer servers in service. At least 2.
     * @default 2
     */
    readonly minSize?: number;
    /**
     * The group's maximum (active-active): target tracking never goes above it. At least `minSize`.
     * @default 2 × minSize
     */
    readonly maxSize?: number;
    /**
     * Active-passive only: running servers kept in the `Standby` state, ready to serve.
     * @default 1
     */
    readonly warmStandbyCount?: number;
    /**
     * Target tracking (active-active only).
     * @default { requestsPerTarget: 1000, cpuPercent: 60 }
     */
    readonly scaling?: WebServersScalingArgs;
    /**
     * The load balancer and target group, for the requests-per-target policy and the alarm that gates
     * an instance refresh (fails and stops it).
     * @default - no request tracking and no gate alarm (a refresh still fails when new servers never get healthy)
     */
    readonly loadBalancerMetrics?: WebServersLoadBalancerMetrics;
    /**
     * 5xx responses a minute above which a rolling refresh is failed and rolled back.
     * @default 10 (the `alarm5xxPerMinute` default)
     */
    readonly rollback5xxPerMinute?: number;
    /**
     * Resources that give the private subnets a route out (the Network's `egressReady`): the group is
     * created after them, so `dnf install` in the user data never runs without a route.
     * @default []
     */
    readonly egressReady?: pulumi.Resource[];
    /**
     * EC2 instance type. The AMI's architecture follows it (Graviton types get arm64). A change makes a
     * new launch template version, and `pulumi up` rolls it out by instance refresh.
     * @default "t4g.micro"
     */
    readonly instanceType?: string;
    /**
     * Pin the AMI the servers are launched from. With it, no SSM look-up is made and the servers change
     * only when you change this value (a new template version: `pulumi up` rolls it by instance
     * refresh). It must be an Amazon Linux 2023 AMI (the user data relies on its cloud-init, dnf
     * repositories and packages) of the architecture `instanceType` needs: arm64 for Graviton types,
     * x86_64 for the others. Neither is checked here; EC2 refuses an architecture mismatch at launch
     * (the refresh then fails and rolls back). Find the current one with
     * `aws ssm get-parameter --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64`.
     * @default - the latest Amazon Linux 2023 AMI for the instance type's architecture, from AWS's public
     * SSM parameter: each AL2023 release then rolls the fleet on the next `pulumi up`
     */
    readonly amiId?: pulumi.Input<string>;
    /**
     * CPU credits for burstable (T-family) types; ignored for others (an error if set explicitly for one).
     * `unlimited` because a `standard` instance that runs out of credits is throttled to its baseline
     * (10 % of a vCPU for t4g.micro): responses and health checks slow down on every server at once
     * under fleet-wide load, which can drain them all.
     * @default "unlimited"
     */
    readonly cpuCredits?: CpuCredits;
    /**
     * Root volume size (encrypted gp3), GiB. The Amazon Linux 2023 AMI needs 8.
     * @default 8
     */
    readonly rootVolumeSizeGiB?: number;
    /**
     * Port nginx listens on (the load balancer's target port). Never 22 or 3389.
     * @default 80
     */
    readonly appPort?: number;
    /**
     * Database endpoints for the servers' configuration (`/etc/web-infra/app.env`). With it, the role
     * may read the DB secret and `/` reports whether the writer and reader are reachable. The network
     * rules to the database are the Database component's to add.
     * @default - no database: `/` says "database: not configured"
     */
    readonly database?: WebServersDatabaseArgs;
    /**
     * Retention of the log group the CloudWatch agent ships nginx's access and error logs to
     * (`<name>-nginx-logs`), in days: a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, …).
     * @default 30
     */
    readonly logRetentionDays?: number;
    /**
     * Tags every server and root volume gets at launch (the launch template's tag specifications).
     * Pass the stack's cost tags here: the provider's default tags reach the template itself, not the
     * instances and volumes the group launches from it.
     * @default {}
     */
    readonly launchTags?: Record<string, string>;
    /**
     * Tags added to every resource (on top of the provider's default tags).
     * @default {}
     */
    readonly tags?: Record<string, string>;
}

/**
 * From launch to `/health` answering 200 through the load balancer, step by step, for the user data
 * of components/lib/userData.ts on an Amazon Linux 2023 instance. Generous per step: a grace period
 * that is too short gets a booting server replaced in a loop, one too long only delays replacing a
 * server that never comes up.
 */
export const BOOT_TO_HEALTHY_STEPS: readonly { readonly step: string; readonly seconds: number }[] = [
    // pending → running, kernel and systemd up, cloud-init's config stage starts (AL2023: ~20-40 s).
    { step: "launch, boot, cloud-init start", seconds: 45 },
    // `packages:` — dnf downloads repository metadata from the regional S3 mirrors (through the S3
    // gateway endpoint) and installs nginx and amazon-cloudwatch-agent (~100 MB) with dependencies.
    { step: "dnf: metadata, nginx, amazon-cloudwatch-agent", seconds: 150 },
    // `runcmd:` — install our nginx.conf, start the identity service and nginx, then the agent.
    { step: "runcmd: nginx and the CloudWatch agent started", seconds: 15 },
    // The target group's health check: 2 consecutive successes, 5 s apart (components/loadBalancer.ts).
    { step: "2 healthy checks × 5 s", seconds: 10 },
];

/**
 * The group's health-check grace period (and instance warm-up): the boot budget above plus 25 %,
 * rounded up to whole minutes. ELB health is ignored for this long after a server enters service, so
 * a booting server ("unhealthy" about 10 s after registration, long before nginx is installed) is
 * never replaced, nor counted by an instance refresh.
 */
export const HEALTH_CHECK_GRACE_SECONDS = Math.ceil((BOOT_TO_HEALTHY_STEPS.reduce((sum, s) => sum + s.seconds, 0) * 1.25) / 60) * 60;

/** Group metrics published every minute (`enabledMetrics`): the alarms and dashboard read these. */
export const GROUP_METRICS = [
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
    "GroupStandbyInstances",
] as const;

/** AL2023 AMI ids, published by AWS per architecture as public SSM parameters. */
const AL2023_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-";

/** AWS-managed policies the servers' role gets: exactly these. */
export const WEB_SERVER_MANAGED_POLICIES = ["AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"] as const;

/** Burstable families: t2, t3, t3a, t4g (and later T generations). */
const BURSTABLE = /^t\d+[a-z]*\./;

/** Defaults and validation: pure, runs before anything is registered. Exported for the config layer and tests. */
export function resolveWebServersArgs(name: string, args: Omit<WebServersArgs, "vpcId" | "targetGroupArns">) {
    // ---- defaults ----
    const mode = args.mode ?? "active-active";
    const minSize = args.minSize ?? 2;
    const maxSize = args.maxSize ?? 2 * minSize;
    const warmStandbyCount = args.warmStandbyCount ?? 1;
    const requestsPerTarget = args.scaling?.requestsPerTarget ?? 1000;
    const cpuPercent = args.scaling?.cpuPercent ?? 60;
    const rollback5xxPerMinute = args.rollback5xxPerMinute ?? 10;
    const instanceType = args.instanceType ?? "t4g.micro";
    const burstable = BURSTABLE.test(instanceType);
    const cpuCredits = args.cpuCredits ?? "unlimited";
    const rootVolumeSizeGiB = args.rootVolumeSizeGiB ?? 8;
    const appPort = args.appPort ?? 80;
    const logRetentionDays = args.logRetentionDays ?? 30;
    const tags = args.tags ?? {};
    const launchTags = args.launchTags ?? {};

    // ---- validation ----
    const fail = (message: string) => {
        throw new Error(`WebServers ${name}: ${message}`);
    };
    if (mode !== "active-active" && mode !== "active-passive") {
        fail(`\`mode\` must be one of active-active, active-passive (got ${JSON.stringify(mode)})`);
    }
    if (mode === "active-active") {
        if (!Number.isInteger(minSize) || minSize < 2) fail(`\`minSize\` must be a whole number ≥ 2 for active-active (got ${minSize})`);
        if (!Number.isInteger(maxSize) || maxSize < minSize) fail(`\`maxSize\` must be a whole number ≥ \`minSize\` (${minSize}) (got ${maxSize})`);
        if (!Number.isInteger(requestsPerTarget) || requestsPerTarget < 1) fail(`\`scaling.requestsPerTarget\` must be a whole number ≥ 1 (got ${requestsPerTarget})`);
        if (!Number.isInteger(cpuPercent) || cpuPercent < 10 || cpuPercent > 90) fail(`\`scaling.cpuPercent\` must be a whole number from 10 to 90 (got ${cpuPercent})`);
    } else {
        for (const key of ["minSize", "maxSize", "scaling"] as const) {
            if (args[key] !== undefined) fail(`\`${key}\` applies to active-active only: active-passive keeps one server in service and \`warmStandbyCount\` standbys`);
        }
        if (!Number.isInteger(warmStandbyCount) || warmStandbyCount < 1 || warmStandbyCount > 10) {
            fail(`\`warmStandbyCount\` must be a whole number from 1 to 10 for active-passive (got ${warmStandbyCount})`);
        }
    }
    if (mode === "active-active" && args.warmStandbyCount !== undefined) {
        fail("`warmStandbyCount` applies to active-passive only: in active-active every server serves");
    }
    if (!Number.isFinite(rollback5xxPerMinute) || rollback5xxPerMinute <= 0) fail(`\`rollback5xxPerMinute\` must be a number above 0 (got ${rollback5xxPerMinute})`);
    if (args.subnetIds.length < 2) {
        fail(`\`subnetIds\` must name private subnets in at least 2 zones (got ${args.subnetIds.length}): one zone is a single point of failure`);
    }
    if (!INSTANCE_TYPE_PATTERN.test(instanceType)) {
        fail(`\`instanceType\` must be an EC2 instance type such as t4g.micro or m7i.large (got ${JSON.stringify(instanceType)})`);
    }
    if (cpuCredits !== "standard" && cpuCredits !== "unlimited") {
        fail(`\`cpuCredits\` must be one of standard, unlimited (got ${JSON.stringify(cpuCredits)})`);
    }
    if (args.cpuCredits !== undefined && !burstable) {
        fail(`\`cpuCredits\` applies only to burstable (T-family) instance types (got ${instanceType})`);
    }
    // Only a plain string can be checked here; an Output is the caller's to get right.
    if (typeof args.amiId === "string" && !AMI_ID_PATTERN.test(args.amiId)) {
        fail(`\`amiId\` must be an AMI id such as ami-0123456789abcdef0 (got ${JSON.stringify(args.amiId)})`);
    }
    if (!Number.isInteger(rootVolumeSizeGiB) || rootVolumeSizeGiB < 8 || rootVolumeSizeGiB > 16384) {
        fail(`\`rootVolumeSizeGiB\` must be a whole number from 8 to 16384 (got ${rootVolumeSizeGiB}): the Amazon Linux 2023 AMI needs 8`);
    }
    const portProblem = servicePortProblem(appPort, "appPort");
    if (portProblem) fail(portProblem);
    if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
        fail(`\`logRetentionDays\` must be one of ${LOG_RETENTION_DAYS.join(", ")} (got ${logRetentionDays})`);
    }

    // The group's bounds. Active-passive: one in service (the minimum: EnterStandby may decrement the
    // desired capacity down to it, no further). The maximum leaves room for every server (active and
    // standbys) to have a launch-before-terminate replacement at once (a failover raises the desired
    // capacity by one, ExitStandby, while the failed server's replacement launches first).
    const groupMin = mode === "active-active" ? minSize : 1;
    const groupMax = mode === "active-active" ? maxSize : 2 * (1 + warmStandbyCount);
    return {
        mode,
        groupMin,
        groupMax,
        warmStandbyCount: mode === "active-passive" ? warmStandbyCount : 0,
        requestsPerTarget,
        cpuPercent,
        rollback5xxPerMinute,
        instanceType,
        burstable,
        cpuCredits,
        rootVolumeSizeGiB,
        appPort,
        logRetentionDays,
        tags,
        launchTags,
        architecture: architectureOf(instanceType),
    };
}

/**
 * The web tier: an Auto Scaling group of Amazon Linux 2023 servers running nginx over the private
 * subnets of every zone, launched from one launch template, registered in the load balancer's target
 * group by the group itself.
 *
 * - Self-healing: ELB health checks (a server that fails `/health` is replaced, not only one whose
 *   host fails), after a grace period derived from the boot (`HEALTH_CHECK_GRACE_SECONDS`); the
 *   instance maintenance policy launches the replacement before terminating the failed server.
 * - Rolling deploys in one `pulumi up`: the group follows the template's explicit `latestVersion`; a
 *   new AMI, user data or instance type is a new version, which starts an instance refresh (launch
 *   before terminate, min healthy 100 %, skip matching, stopped by a 5xx gate alarm; no auto rollback,
 *   which would restore the new version itself: a rollback is a revert and `pulumi up`).
 * - Scaling (active-active): target tracking on requests per server and on CPU, between `minSize` and
 *   `maxSize`. `desiredCapacity` is never set, so `pulumi up` never undoes what the scaler chose.
 * - Active-passive: one server in service, `warmStandbyCount` running servers in the `Standby` state,
 *   and a failover function (components/standbyFailover.ts) that moves one in service when the active
 *   fails; the desired capacity is set once, at creation (1 + standbys), and then left to it.
 *
 * Each server: IMDSv2 only (hop limit 1: no containers on these hosts), encrypted gp3 root, no public
 * IP, no key pair (shell access is SSM Session Manager; no SG rule opens 22 or 3389), detailed
 * monitoring. The security group has no ingress of its own (the LoadBalancer adds the one rule from
 * its SG) and egress only HTTPS, for bootstrap and SSM. The CloudWatch agent ships nginx's logs to
 * `<name>-nginx-logs` and publishes memory and disk use (`CWAgent` namespace).
 *
 * Design and timings: docs/web-tier.md.
 */
export class WebServers extends pulumi.ComponentResource {
    /** The launch template every server is launched from. */
    public readonly launchTemplate: aws.ec2.LaunchTemplate;
    public readonly launchTemplateId: pulumi.Output<string>;
    /** The Auto Scaling group. */
    public readonly group: aws.autoscaling.Group;
    public readonly autoScalingGroupName: pulumi.Output<string>;
    /** The one security group of every server; the LoadBalancer and Database add rules referring to it. */
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly role: aws.iam.Role;
    public readonly roleName: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;
    public readonly instanceProfileName: pulumi.Output<string>;
    /** Log group of nginx's access and error logs, shipped by the CloudWatch agent on every server. */
    public readonly nginxLogGroupName: pulumi.Output<string>;
    /** AMI the servers are launched from: `amiId`, or the latest AL2023 resolved from the SSM parameter. */
    public readonly amiId: pulumi.Output<string>;
    /** Names of the alarms an instance refresh watches (rolls back on ALARM). */
    public readonly rollbackAlarmNames: pulumi.Output<string>[];
    public readonly appPort: number;
    public readonly mode: WebServersMode;
    /** The group's minimum and maximum (active-passive: 1 and 2 × (1 + standbys)). */
    public readonly minSize: number;
    public readonly maxSize: number;
    /** Running servers kept in Standby (0 in active-active). */
    public readonly warmStandbyCount: number;
    /** Active-passive: the failover function's name (its Errors metric and logs). */
    public readonly failoverFunctionName?: pulumi.Output<string>;
    public readonly healthCheckGracePeriodSeconds: number;

    constructor(name: string, args: WebServersArgs, opts?: pulumi.ComponentResourceOptions) {
        const r = resolveWebServersArgs(name, args);
        if (r.mode === "active-passive" && args.targetGroupArns.length !== 1) {
            throw new Error(`WebServers ${name}: \`targetGroupArns\` must name exactly one target group in active-passive (got ${args.targetGroupArns.length}): the failover function reads the active server's health there`);
        }
        super("web-infra:web:WebServers", name, {}, opts);
        const parent = { parent: this };
        this.appPort = r.appPort;
        this.mode = r.mode;
        this.minSize = r.groupMin;
        this.maxSize = r.groupMax;
        this.warmStandbyCount = r.warmStandbyCount;
        this.healthCheckGracePeriodSeconds = HEALTH_CHECK_GRACE_SECONDS;

        // ---- security group: no ingress of its own, HTTPS egress only ----
        // The provider removes the allow-all egress rule AWS puts on a new group, so what is declared
        // below is all there is.
        const sg = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                description: `web-infra web servers (${name}): app port from the load balancer only; HTTPS out`,
                tags: { ...r.tags, Name: `${name}-sg` },
            },
            parent,
        );
        this.securityGroupId = sg.id;
        // HTTPS to anywhere: dnf (Amazon Linux repositories in S3), the SSM agent (ssm, ssmmessages,
        // ec2messages), the CloudWatch agent and Secrets Manager are all HTTPS endpoints with public,
        // changing addresses (or interface-endpoint ENIs in the VPC), so no narrower destination
        // exists. DNS, NTP and IMDS need no rule: security groups do not filter traffic to link-local
        // addresses (169.254.0.0/16) or the VPC's reserved addresses (Amazon DNS at VPC+2)
        // https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Security.html
        // The group depends on it: a server must not boot (and run dnf) before its group lets it out.
        const egressHttps = new aws.vpc.SecurityGroupEgressRule(
            `${name}-egress-https`,
            {
                securityGroupId: sg.id,
                description: "Web servers to AWS APIs and package repositories over HTTPS (SSM agent, dnf, CloudWatch agent, Secrets Manager)",
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: "0.0.0.0/0",
                tags: { ...r.tags, Name: `${name}-egress-https` },
            },
            parent,
        );

        // ---- IAM: SSM core + CloudWatch agent, plus reading the DB secret when there is one ----
        const partition = aws.getPartitionOutput({}, parent).partition;
        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `web-infra web servers (${name}): SSM Session Manager, CloudWatch agent${args.database ? ", the database secret" : ""}`,
                assumeRolePolicy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
                tags: { ...r.tags, Name: `${name}-role` },
            },
            parent,
        );
        this.roleName = this.role.name;
        this.roleArn = this.role.arn;
        const attachments = [
            { suffix: "ssm-core", policy: WEB_SERVER_MANAGED_POLICIES[0] },
            { suffix: "cloudwatch-agent", policy: WEB_SERVER_MANAGED_POLICIES[1] },
        ].map(
            ({ suffix, policy }) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-${suffix}`,
                    { role: this.role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}` },
                    parent,
                ),
        );
        const rolePolicies: pulumi.Resource[] = [...attachments];
        if (args.database) {
            rolePolicies.push(
                new aws.iam.RolePolicy(
                    `${name}-db-secret`,
                    {
                        role: this.role.name,
                        policy: pulumi.jsonStringify({
                            Version: "2012-10-17",
                            Statement: [
                                {
                                    Sid: "ReadTheDatabaseSecret",
                                    Effect: "Allow",
                                    Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                                    Resource: args.database.secretArn,
                                },
                            ],
                        }),
                    },
                    parent,
                ),
            );
        }
        const profile = new aws.iam.InstanceProfile(
            `${name}-instance-profile`,
            { role: this.role.name, tags: { ...r.tags, Name: `${name}-instance-profile` } },
            parent,
        );
        this.instanceProfileName = profile.name;

        // ---- nginx logs: created here, with its retention, rather than by the agent on first write ----
        // (the agent would create it without retention, and outside the stack).
        const nginxLogs = new aws.cloudwatch.LogGroup(
            `${name}-nginx-logs`,
            { retentionInDays: r.logRetentionDays, tags: { ...r.tags, Name: `${name}-nginx-logs` } },
            parent,
        );
        this.nginxLogGroupName = nginxLogs.name;

        // ---- AMI and user data, shared by every server ----
        // Pinned, or the latest AL2023. `insecureValue`: an AMI id is public; `value` is always marked
        // secret and would hide the AMI (and every diff of it) in previews.
        this.amiId =
            args.amiId !== undefined
                ? pulumi.output(args.amiId)
                : aws.ssm.getParameterOutput({ name: `${AL2023_AMI_PARAMETER}${r.architecture}` }, parent).insecureValue;
        const region = aws.getRegionOutput({}, parent).region;
        const db = args.database;
        const userData = db
            ? pulumi
                  .all([region, nginxLogs.name, db.writerHost, db.readerHost, db.port, db.name, db.secretArn])
                  .apply(([reg, logGroupName, writerHost, readerHost, port, dbName, secretArn]) =>
                      renderCloudConfig({ appPort: r.appPort, region: reg, logGroupName, database: { writerHost, readerHost, port, name: dbName, secretArn } }),
                  )
            : pulumi.all([region, nginxLogs.name]).apply(([reg, logGroupName]) => renderCloudConfig({ appPort: r.appPort, region: reg, logGroupName }));

        // ---- the launch template: everything a server is ----
        // The template's own tags get the provider's default tags; what it launches gets `launchTags`.
        const launched = (role: string) => ({ ...r.launchTags, ...r.tags, Name: `${name}-${role}`, Role: "web" });
        this.launchTemplate = new aws.ec2.LaunchTemplate(
            `${name}-template`,
            {
                description: `web-infra web servers (${name}): AL2023, nginx, SSM only`,
                imageId: this.amiId,
                instanceType: r.instanceType,
                iamInstanceProfile: { arn: profile.arn },
                // No keyName, on purpose: there is no SSH. Shell access is SSM Session Manager.
                networkInterfaces: [
                    {
                        deviceIndex: 0,
                        associatePublicIpAddress: "false",
                        deleteOnTermination: "true",
                        securityGroups: [sg.id],
                    },
                ],
                metadataOptions: {
                    httpEndpoint: "enabled",
                    httpTokens: "required",
                    // 1: the token cannot leave the host (no containers on these servers to reach it).
                    httpPutResponseHopLimit: 1,
                    instanceMetadataTags: "disabled",
                },
                blockDeviceMappings: [
                    {
                        // The AL2023 AMIs' root device.
                        deviceName: "/dev/xvda",
                        ebs: { volumeType: "gp3", volumeSize: r.rootVolumeSizeGiB, encrypted: "true", deleteOnTermination: "true" },
                    },
                ],
                monitoring: { enabled: true },
                ...(r.burstable ? { creditSpecification: { cpuCredits: r.cpuCredits } } : {}),
                userData: userData.apply((text) => Buffer.from(text, "utf8").toString("base64")),
                tagSpecifications: [
                    { resourceType: "instance", tags: launched("server") },
                    { resourceType: "volume", tags: launched("root") },
                ],
                // Each change is a new version; the group follows `latestVersion` (below), and new
                // instances launched outside a refresh (scale-out, replacements) use it too.
                updateDefaultVersion: true,
                tags: { ...r.tags, Name: `${name}-template` },
            },
            parent,
        );
        this.launchTemplateId = this.launchTemplate.id;

        // ---- rollback gates of an instance refresh ----
        const lbm = args.loadBalancerMetrics;
        const gates = lbm
            ? refreshGateAlarms({ loadBalancer: lbm.loadBalancerArnSuffix, targetGroup: lbm.targetGroupArnSuffix }, { ...DEFAULT_THRESHOLDS, http5xxPerMinute: r.rollback5xxPerMinute }).map(
                  (spec) =>
                      new aws.cloudwatch.MetricAlarm(
                          `${name}-${spec.role}`,
                          {
                              alarmDescription: spec.description,
                              ...metricAlarmArgs(spec),
                              // No actions: the refresh reads the state; Monitoring's alarms page people.
                              actionsEnabled: false,
                              tags: { ...r.tags, Name: `${name}-${spec.role}` },
                          },
                          parent,
                      ),
              )
            : [];
        this.rollbackAlarmNames = gates.map((g) => g.name);

        // ---- the group ----
        const grace = HEALTH_CHECK_GRACE_SECONDS;
        this.group = new aws.autoscaling.Group(
            `${name}-asg`,
            {
                minSize: r.groupMin,
                maxSize: r.groupMax,
                // Active-active: no desiredCapacity. AWS starts the group at minSize and target tracking
                // owns it from then on. The provider's desired_capacity is Optional + Computed and sent
                // only when it changes in the program (terraform-provider-aws autoscaling/group.go), so
                // `pulumi up` never resets what the scaler chose. A minSize change makes `up` wait for
                // capacity. Active-passive: 1 + standbys at creation, so that every server boots at once;
                // from then on the failover function and Auto Scaling move it (EnterStandby decrements it,
                // ExitStandby increments it), and `ignoreChanges` below keeps `up` from ever sending it.
                ...(r.mode === "active-passive" ? { desiredCapacity: 1 + r.warmStandbyCount } : {}),
                vpcZoneIdentifiers: args.subnetIds,
                targetGroupArns: args.targetGroupArns,
                // ELB, not the default EC2: a server whose nginx is down passes EC2's status checks.
                healthCheckType: "ELB",
                healthCheckGracePeriod: grace,
                // On creation only (the provider ignores it on updates): wait until this many servers pass
                // the load balancer's health check, not merely InService, so a replaced group (a change of
                // name) is serving before the old one is deleted.
                minElbCapacity: r.groupMin,
                defaultInstanceWarmup: grace,
                // The explicit version number, never "$Latest": a new number is a change of the group's
                // launch template, which is what starts an instance refresh (provider: a refresh starts
                // when launch_template changes; "$Latest" never changes).
                launchTemplate: { id: this.launchTemplate.id, version: this.launchTemplate.latestVersion.apply((v) => String(v)) },
                // Replacing an unhealthy server: launch the new one first, terminate after (never below minimum).
                instanceMaintenancePolicy: { minHealthyPercentage: 100, maxHealthyPercentage: 200 },
                instanceRefresh: {
                    strategy: "Rolling",
                    preferences: {
                        minHealthyPercentage: 100,
                        maxHealthyPercentage: 200,
                        // Servers already on the new version (a re-run, a rolled-back half) are left alone.
                        skipMatching: true,
                        // No auto rollback: the provider saves the new version on the group before it starts
                        // the refresh, and AWS rolls back to "the configuration that you last saved on the
                        // Auto Scaling group before starting the instance refresh" — the new version itself
                        // (hashicorp/terraform-provider-aws#34189, open). The gate alarms still fail (stop)
                        // a bad refresh; rolling back is reverting the change and `pulumi up` (a new version).
                        autoRollback: false,
                        ...(gates.length > 0 ? { alarmSpecification: { alarms: this.rollbackAlarmNames } } : {}),
                        instanceWarmup: String(grace),
                        // Standby servers are refreshed too: a refresh terminates them (rather than wait an
                        // hour for them to leave Standby and then fail, the default), and the failover
                        // function launches and arms new ones from the new version once it is over.
                        ...(r.mode === "active-passive" ? { standbyInstances: "Terminate" } : {}),
                    },
                },
                enabledMetrics: [...GROUP_METRICS],
                metricsGranularity: "1Minute",
                // Active-passive: no AZRebalance. With one server in service, a standby back in service
                // in the same zone makes the group "unbalanced", and rebalancing would launch and
                // terminate servers of its own accord ("Amazon EC2 Auto Scaling compensates by
                // rebalancing the Availability Zones unless you suspend the AZRebalance process", User
                // Guide, "Temporarily remove instances from your Auto Scaling group"). Launches still
                // go to the zone with the fewest servers.
                ...(r.mode === "active-passive" ? { suspendedProcesses: ["AZRebalance"] } : {}),
                tags: [{ key: "Name", value: `${name}-asg`, propagateAtLaunch: false }],
            },
            // The role's policies must exist before the first boot (the SSM agent would register without
            // permissions and back off for minutes), and the subnets need a route out before dnf runs.
            {
                parent: this,
                dependsOn: [...rolePolicies, egressHttps, ...(args.egressReady ?? [])],
                ...(r.mode === "active-passive" ? { ignoreChanges: ["desiredCapacity"] } : {}),
            },
        );
        this.autoScalingGroupName = this.group.name;

        // ---- active-passive: the failover function ----
        if (r.mode === "active-passive") {
            const failover = declareStandbyFailover(
                name,
                {
                    group: this.group,
                    targetGroupArn: args.targetGroupArns[0],
                    standbyCount: r.warmStandbyCount,
                    graceSeconds: grace,
                    logRetentionDays: r.logRetentionDays,
                    tags: r.tags,
                },
                this,
            );
            this.failoverFunctionName = failover.functionName;
        }

        // ---- target tracking (active-active) ----
        if (r.mode === "active-active") {
            new aws.autoscaling.Policy(
                `${name}-cpu-tracking`,
                {
                    autoscalingGroupName: this.group.name,
                    policyType: "TargetTrackingScaling",
                    targetTrackingConfiguration: {
                        predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
                        targetValue: r.cpuPercent,
                    },
                },
                parent,
            );
            if (lbm) {
                new aws.autoscaling.Policy(
                    `${name}-requests-tracking`,
                    {
                        autoscalingGroupName: this.group.name,
                        policyType: "TargetTrackingScaling",
                        targetTrackingConfiguration: {
                            predefinedMetricSpecification: {
                                predefinedMetricType: "ALBRequestCountPerTarget",
                                // app/<lb>/<id>/targetgroup/<tg>/<id>
                                resourceLabel: pulumi.interpolate`${lbm.loadBalancerArnSuffix}/${lbm.targetGroupArnSuffix}`,
                            },
                            targetValue: r.requestsPerTarget,
                        },
                    },
                    parent,
                );
            }
        }

        this.registerOutputs({
            autoScalingGroupName: this.autoScalingGroupName,
            launchTemplateId: this.launchTemplateId,
            securityGroupId: this.securityGroupId,
            roleArn: this.roleArn,
            instanceProfileName: this.instanceProfileName,
            nginxLogGroupName: this.nginxLogGroupName,
        });
    }
}
