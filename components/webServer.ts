import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AMI_ID_PATTERN, INSTANCE_TYPE_PATTERN, architectureOf } from "./lib/naming";
import { servicePortProblem } from "./lib/ports";
import { renderCloudConfig } from "./lib/userData";
import { LOG_RETENTION_DAYS } from "./lib/aws";

/** CPU credit mode of burstable (T-family) instances. */
export type CpuCredits = "standard" | "unlimited";

/** Where the servers find the database. Endpoints and the secret's ARN only: never the password. */
export interface WebServersDatabaseArgs {
    /** DNS name of the writer (primary). */
    readonly writerHost: pulumi.Input<string>;
    /** DNS name that reaches the read replicas. */
    readonly readerHost: pulumi.Input<string>;
    readonly port: pulumi.Input<number>;
    /** Database (schema) name. */
    readonly name: pulumi.Input<string>;
    /**
     * ARN of the Secrets Manager secret with the credentials. The servers' role may read exactly this
     * secret; the application fetches it at run time.
     */
    readonly secretArn: pulumi.Input<string>;
}

export interface WebServersArgs {
    /** VPC of the servers (their security group is created in it). */
    readonly vpcId: pulumi.Input<string>;
    /**
     * Private subnets, one per zone; index i is in `availabilityZones[i]`. At least 2 (zones).
     */
    readonly subnetIds: pulumi.Input<string>[];
    /** Zone of each subnet, same order as `subnetIds`. Used for the `Zone` tag and checked for length. */
    readonly availabilityZones: pulumi.Input<string>[];
    /**
     * How many servers. Server i goes to subnet/zone `i % subnetIds.length` (round robin), so the
     * servers are spread as evenly as possible over the zones.
     * @default 2
     */
    readonly count?: number;
    /**
     * EC2 instance type. The AMI's architecture follows it (Graviton types get arm64). Changing it is an
     * in-place update that stops and starts each server (provider: "Updates to this field will trigger a
     * stop/start of the EC2 instance"), and `pulumi up` updates every server at once: roll it one server
     * at a time with the README's runbook (the deploy gate, scripts/preview-replacements.ts, refuses it).
     * @default "t4g.micro"
     */
    readonly instanceType?: string;
    /**
     * Pin the AMI the servers are launched from. With it, no SSM look-up is made and the servers change
     * only when you change this value (roll them with the README's runbook). It must be an Amazon Linux
     * 2023 AMI (the user data relies on its cloud-init, dnf repositories and packages) of the
     * architecture `instanceType` needs: arm64 for Graviton types, x86_64 for the others. Neither is
     * checked here (an id does not say which image it is); EC2 refuses an architecture mismatch at
     * launch. Find the current one with
     * `aws ssm get-parameter --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64`.
     * @default - the latest Amazon Linux 2023 AMI for the instance type's architecture, from AWS's public
     * SSM parameter: each AL2023 release then replaces every server on the next `pulumi up`
     */
    readonly amiId?: pulumi.Input<string>;
    /**
     * CPU credits for burstable (T-family) types; ignored for others (an error if set explicitly for one).
     * `unlimited` because a `standard` instance that runs out of credits is throttled to its baseline
     * (10 % of a vCPU for t4g.micro): responses and health checks slow down on every server at once
     * under fleet-wide load, which can drain them all. Unlimited only costs extra while the average
     * stays above the baseline, which the CPU alarm reports.
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
     * Tags added to every resource (on top of the provider's default tags).
     * @default {}
     */
    readonly tags?: Record<string, string>;
}


/** AL2023 AMI ids, published by AWS per architecture as public SSM parameters. */
const AL2023_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-";

/** AWS-managed policies the servers' role gets: exactly these. */
export const WEB_SERVER_MANAGED_POLICIES = ["AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"] as const;

/** Burstable families: t2, t3, t3a, t4g (and later T generations). */
const BURSTABLE = /^t\d+[a-z]*\./;

/** Defaults and validation: pure, runs before anything is registered. */
function resolveWebServersArgs(name: string, args: WebServersArgs) {
    // ---- defaults ----
    const count = args.count ?? 2;
    const instanceType = args.instanceType ?? "t4g.micro";
    const burstable = BURSTABLE.test(instanceType);
    const cpuCredits = args.cpuCredits ?? "unlimited";
    const rootVolumeSizeGiB = args.rootVolumeSizeGiB ?? 8;
    const appPort = args.appPort ?? 80;
    const logRetentionDays = args.logRetentionDays ?? 30;
    const tags = args.tags ?? {};

    // ---- validation ----
    const fail = (message: string) => {
        throw new Error(`WebServers ${name}: ${message}`);
    };
    if (!Number.isInteger(count) || count < 2) {
        fail(`\`count\` must be ≥ 2 for active-active (got ${count})`);
    }
    if (args.subnetIds.length < 2) {
        fail(`\`subnetIds\` must name private subnets in at least 2 zones (got ${args.subnetIds.length}): one zone is a single point of failure`);
    }
    if (args.availabilityZones.length !== args.subnetIds.length) {
        fail(`\`availabilityZones\` must name the zone of each subnet, in order (got ${args.availabilityZones.length} zones for ${args.subnetIds.length} subnets)`);
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

    return { count, instanceType, burstable, cpuCredits, rootVolumeSizeGiB, appPort, logRetentionDays, tags, architecture: architectureOf(instanceType) };
}

/**
 * The web tier's servers: N Amazon Linux 2023 instances running nginx, spread round robin over the
 * private subnets of distinct zones, all serving at once (active-active) behind a load balancer.
 *
 * One fleet component rather than one component per server, because what the servers share is most
 * of what there is: ONE security group (so the load balancer, the database and the monitoring refer
 * to the tier with one id, and one rule admits the LB to every server), ONE IAM role and instance
 * profile, one AMI look-up, one user data document; and round-robin placement over the zones needs
 * to see the whole set. Each instance is still its own resource (`<name>-<i>`), so servers can be
 * rolled one at a time with `pulumi up --target`.
 *
 * Each server: IMDSv2 only (hop limit 1: no containers on these hosts), encrypted gp3 root, no public
 * IP, no key pair (shell access is SSM Session Manager; no SG rule opens 22 or 3389), detailed
 * monitoring, simplified automatic recovery. The security group has no ingress of its own (the
 * LoadBalancer adds the one rule from its SG) and egress only HTTPS, for bootstrap and SSM. The
 * CloudWatch agent on each server ships nginx's access and error logs to the fleet's log group
 * (`<name>-nginx-logs`) and publishes memory and root-disk use (`CWAgent` namespace).
 *
 * Replacement: user data is applied by cloud-init on first boot only, so `userDataReplaceOnChange` is
 * on: a user-data change replaces the server rather than stop-starting it to no effect. A new AMI
 * also replaces it: without `amiId`, every AL2023 release AWS publishes to the SSM parameter does, on
 * the next `pulumi up`. Neither is hidden with `ignoreChanges`: Pulumi would then reuse the old value
 * even for a deliberate `--replace`, so the servers could never be rolled onto a new AMI. Pin `amiId`
 * in production and roll the servers one at a time: see the README's runbook.
 */
export class WebServers extends pulumi.ComponentResource {
    public readonly instances: aws.ec2.Instance[];
    public readonly instanceIds: pulumi.Output<string>[];
    /** Zone each instance actually runs in (from EC2), same order as `instanceIds`. */
    public readonly instanceAvailabilityZones: pulumi.Output<string>[];
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
    public readonly appPort: number;
    public readonly count: number;

    constructor(name: string, args: WebServersArgs, opts?: pulumi.ComponentResourceOptions) {
        const r = resolveWebServersArgs(name, args);
        super("web-infra:web:WebServers", name, {}, opts);
        const parent = { parent: this };
        this.appPort = r.appPort;
        this.count = r.count;

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
        new aws.vpc.SecurityGroupEgressRule(
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

        // ---- the servers ----
        const zones = args.subnetIds.length;
        this.instances = Array.from({ length: r.count }, (_, i) => {
            const serverName = `${name}-${i + 1}`;
            return new aws.ec2.Instance(
                serverName,
                {
                    ami: this.amiId,
                    instanceType: r.instanceType,
                    subnetId: args.subnetIds[i % zones],
                    vpcSecurityGroupIds: [sg.id],
                    iamInstanceProfile: profile.name,
                    associatePublicIpAddress: false,
                    // No keyName, on purpose: there is no SSH. Shell access is SSM Session Manager.
                    metadataOptions: {
                        httpEndpoint: "enabled",
                        httpTokens: "required",
                        // 1: the token cannot leave the host (no containers on these servers to reach it).
                        httpPutResponseHopLimit: 1,
                        instanceMetadataTags: "disabled",
                    },
                    rootBlockDevice: {
                        volumeType: "gp3",
                        volumeSize: r.rootVolumeSizeGiB,
                        encrypted: true,
                        deleteOnTermination: true,
                        // Here rather than `volumeTags`: these also receive the provider's default tags
                        // (Project, Owner, CostCenter…), so the volume's cost is attributed like the instance's.
                        tags: { ...r.tags, Name: `${serverName}-root` },
                    },
                    monitoring: true,
                    // Simplified automatic recovery: EC2 moves the instance to healthy hardware when a
                    // system status check fails (same id, private IP and volume).
                    maintenanceOptions: { autoRecovery: "default" },
                    ...(r.burstable ? { creditSpecification: { cpuCredits: r.cpuCredits } } : {}),
                    userData,
                    // cloud-init applies user data at first boot only: a changed document needs a new server.
                    userDataReplaceOnChange: true,
                    tags: { ...r.tags, Name: serverName, Zone: args.availabilityZones[i % zones], Role: "web" },
                },
                // The role's policies must exist before the first boot, or the SSM agent registers
                // without permissions and backs off for minutes.
                { parent: this, dependsOn: rolePolicies },
            );
        });
        this.instanceIds = this.instances.map((instance) => instance.id);
        this.instanceAvailabilityZones = this.instances.map((instance) => instance.availabilityZone);

        this.registerOutputs({
            instanceIds: this.instanceIds,
            instanceAvailabilityZones: this.instanceAvailabilityZones,
            securityGroupId: this.securityGroupId,
            roleArn: this.roleArn,
            instanceProfileName: this.instanceProfileName,
            nginxLogGroupName: this.nginxLogGroupName,
        });
    }
}
