import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FAILOVER_HANDLER_SOURCE } from "./lib/failoverHandler";

export interface StandbyFailoverArgs {
    /** ARN of the target group the active servers are registered in. */
    readonly targetGroupArn: pulumi.Input<string>;
    /** `arnSuffix` of that target group (the `TargetGroup` CloudWatch dimension). */
    readonly targetGroupArnSuffix: pulumi.Input<string>;
    /** `arnSuffix` of the load balancer (the `LoadBalancer` CloudWatch dimension). */
    readonly loadBalancerArnSuffix: pulumi.Input<string>;
    /** Instance ids of the active servers (registered by the LoadBalancer; checked before failback). */
    readonly activeInstanceIds: pulumi.Input<string>[];
    /** Instance ids of the warm standby servers, kept out of the target group until failover. */
    readonly standbyInstanceIds: pulumi.Input<string>[];
    /** Port the servers listen on (the target group's port). */
    readonly port: number;
    /**
     * SNS topics told when failover fires and when the active side is healthy again.
     * @default []
     */
    readonly notifyTopicArns?: pulumi.Input<string>[];
    /**
     * Retention of the function's log group, in days.
     * @default 90
     */
    readonly logRetentionDays?: number;
    /**
     * Tags added to every resource (on top of the provider's default tags).
     * @default {}
     */
    readonly tags?: Record<string, string>;
}

/**
 * Active-passive failover for web servers behind an ALB target group.
 *
 * An ALB has no notion of a standby target: every registered, healthy target gets traffic. So the
 * standby servers run (warm, same AMI and user data) but stay unregistered. A CloudWatch alarm on the
 * target group's `HealthyHostCount < 1` for two consecutive minutes invokes a Lambda function directly
 * (alarm Lambda actions, principal `lambda.alarms.cloudwatch.amazonaws.com`). The alarm is only the
 * trigger: the function reads the active targets' health and registers the standby servers only when
 * none is healthy and one has failed (unhealthy, unavailable, unused: stopped, terminated or
 * deregistered); a new or replaced active server that is still `initial` (booting, first health
 * checks) or `draining` is not a failure, and the function re-arms the alarm to decide again a minute
 * later (components/lib/failoverHandler.ts). Traffic moves about 3-5 minutes after the failure: the
 * ALB's health checks mark the active server unhealthy (about 10 s), the alarm needs two one-minute
 * periods of load-balancer metrics, which CloudWatch publishes and evaluates with a delay of a minute
 * or more, then the standbys' registration and their two 5 s health checks. Failback is a deliberate
 * manual invoke (`{"action":"failback"}`) that refuses while no active server is healthy; see
 * docs/runbooks/web-failover.md.
 */
export class StandbyFailover extends pulumi.ComponentResource {
    public readonly function: aws.lambda.Function;
    public readonly functionName: pulumi.Output<string>;
    /** The alarm that triggers failover (active side has no healthy target). */
    public readonly alarm: aws.cloudwatch.MetricAlarm;
    public readonly alarmName: pulumi.Output<string>;

    constructor(name: string, args: StandbyFailoverArgs, opts?: pulumi.ComponentResourceOptions) {
        // ---- defaults and validation, before anything is registered ----
        const logRetentionDays = args.logRetentionDays ?? 90;
        const tags = args.tags ?? {};
        if (args.activeInstanceIds.length < 1) {
            throw new Error(`StandbyFailover ${name}: \`activeInstanceIds\` must name at least one active server (got none)`);
        }
        if (args.standbyInstanceIds.length < 1) {
            throw new Error(`StandbyFailover ${name}: \`standbyInstanceIds\` must name at least one standby server (got none)`);
        }
        if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) {
            throw new Error(`StandbyFailover ${name}: \`port\` must be from 1 to 65535 (got ${args.port})`);
        }
        super("web-infra:web:StandbyFailover", name, {}, opts);
        const parent = { parent: this };

        const targets = (ids: pulumi.Input<string>[]) => pulumi.jsonStringify(ids.map((id) => ({ Id: id, Port: args.port })));
        const caller = aws.getCallerIdentityOutput({}, parent);

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: logRetentionDays, tags: { ...tags, Name: `${name}-logs` } }, parent);

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `Failover function of ${name}: registers/deregisters the standby servers in one target group`,
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
                tags: { ...tags, Name: `${name}-role` },
            },
            parent,
        );
        this.function = new aws.lambda.Function(
            `${name}-fn`,
            {
                description: "Active-passive failover: registers the standby web servers when the active side has no healthy target",
                runtime: aws.lambda.Runtime.NodeJS24dX,
                architectures: ["arm64"],
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(FAILOVER_HANDLER_SOURCE) }),
                role: role.arn,
                timeout: 30,
                memorySize: 128,
                // No reserved concurrency: Register/DeregisterTargets are idempotent, and reserving any would
                // fail on new accounts whose concurrency limit is 10 (AWS keeps 10 unreserved).
                environment: {
                    variables: {
                        TARGET_GROUP_ARN: args.targetGroupArn,
                        ACTIVE_TARGETS: targets(args.activeInstanceIds),
                        STANDBY_TARGETS: targets(args.standbyInstanceIds),
                    },
                },
                loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
                tags: { ...tags, Name: `${name}-fn` },
            },
            parent,
        );
        this.functionName = this.function.name;

        const notify = args.notifyTopicArns ?? [];
        this.alarm = new aws.cloudwatch.MetricAlarm(
            `${name}-active-down`,
            {
                alarmDescription:
                    "Active web servers have had no healthy target for 2 minutes: the failover function registers the standby servers if an active target has failed (unhealthy, unavailable, stopped, terminated, deregistered), or re-arms this alarm while one is still starting (its log says which). First: check why the active server failed (EC2 status checks, /health, nginx logs via Session Manager); fail back once it is healthy. Runbook: docs/runbooks/web-failover.md",
                namespace: "AWS/ApplicationELB",
                metricName: "HealthyHostCount",
                dimensions: { TargetGroup: args.targetGroupArnSuffix, LoadBalancer: args.loadBalancerArnSuffix },
                // Minimum over the minute: one moment with no healthy active target is an outage.
                statistic: "Minimum",
                period: 60,
                // Two minutes in a row, not one: a new or replaced active server has no healthy target for
                // its first minute or so (boot, `dnf install nginx`, two health checks). The function
                // checks the targets' states anyway; this only keeps it from being woken on every deploy.
                evaluationPeriods: 2,
                datapointsToAlarm: 2,
                comparisonOperator: "LessThanThreshold",
                threshold: 1,
                // Breaching, not "missing": the ALB publishes HealthyHostCount for a target group with
                // registered targets, but with none registered (the active target deregistered, or
                // terminated and cleaned up) the data can simply stop. With "missing" the alarm would
                // then drift to INSUFFICIENT_DATA, which invokes nothing, and a real failure would never
                // fail over. A spurious ALARM from missing data is harmless: the function registers the
                // standby only when the target group itself reports the active target failed.
                treatMissingData: "breaching",
                alarmActions: [this.function.arn, ...notify],
                okActions: [...notify],
                tags: { ...tags, Name: `${name}-active-down` },
            },
            parent,
        );
        this.alarmName = this.alarm.name;

        new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "MoveStandbyInAndOut",
                            Effect: "Allow",
                            Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
                            Resource: args.targetGroupArn,
                        },
                        {
                            // Describe* calls of ELBv2 support no resource-level permissions.
                            Sid: "ReadTargetHealth",
                            Effect: "Allow",
                            Action: "elasticloadbalancing:DescribeTargetHealth",
                            Resource: "*",
                        },
                        {
                            // The function re-arms its own alarm (sets it to OK) when the active side is
                            // still settling, so the alarm fires again if it never becomes healthy.
                            Sid: "RearmOwnAlarm",
                            Effect: "Allow",
                            Action: "cloudwatch:SetAlarmState",
                            Resource: this.alarm.arn,
                        },
                        {
                            Sid: "WriteOwnLogs",
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                            Resource: pulumi.interpolate`${logGroup.arn}:*`,
                        },
                    ],
                }),
            },
            parent,
        );

        new aws.lambda.Permission(
            `${name}-alarm-invoke`,
            {
                action: "lambda:InvokeFunction",
                function: this.function.name,
                principal: "lambda.alarms.cloudwatch.amazonaws.com",
                sourceArn: this.alarm.arn,
                sourceAccount: caller.accountId,
            },
            parent,
        );
        this.registerOutputs({ functionName: this.functionName, alarmName: this.alarmName });
    }
}
