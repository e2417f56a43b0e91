/**
 * The active-passive failover of the web fleet: a small Lambda function of ours
 * (components/assets/standby/index.js, shipped as is) that keeps `standbyCount` servers of the group in
 * the Auto Scaling `Standby` state and moves one back in service when the active server fails. Declared
 * by WebServers in active-passive mode; why and how long it takes: docs/web-tier.md, "Active-passive".
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { ASSETS_DIR } from "./lib/assets";
import { FAILOVER_METRIC_NAMESPACE } from "./lib/alarms";

/**
 * How often the function looks, and the offset of one invocation's last pass (passes at 0, 5, …, 55 s;
 * the schedule starts one a minute, so the next run's first pass comes POLL_SECONDS after the last one,
 * plus EventBridge's delay). Each pass starts only with 4 s left before the timeout and is aborted 1 s
 * before it (components/assets/standby/index.js), so a slow last pass cannot overrun into the next run.
 */
export const FAILOVER_POLL_SECONDS = 5;
export const FAILOVER_RUN_SECONDS = 55;
/** Lambda timeout: one minute, the schedule's rate, so that two runs never overlap (reserved concurrency 1 would throttle the second). */
export const FAILOVER_TIMEOUT_SECONDS = 60;
/** Memory: the function holds a few small API answers. 128 MB is Lambda's minimum and its price basis in the plan. */
export const FAILOVER_MEMORY_MB = 128;

export interface StandbyFailoverArgs {
    readonly group: aws.autoscaling.Group;
    /** The target group the group registers its in-service servers in (the function reads its target health). */
    readonly targetGroupArn: pulumi.Input<string>;
    /** Servers kept in Standby. */
    readonly standbyCount: number;
    /** The group's health-check grace period: a server younger than this is booting, never judged. */
    readonly graceSeconds: number;
    readonly logRetentionDays: number;
    readonly tags: Record<string, string>;
}

export interface StandbyFailoverResources {
    readonly function: aws.lambda.Function;
    readonly functionName: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;
}

/** The function, its role, log group, metric filters and one-minute schedule, as children of `parent`. */
export function declareStandbyFailover(name: string, args: StandbyFailoverArgs, parent: pulumi.Resource): StandbyFailoverResources {
    const opts = { parent };
    const tags = (role: string) => ({ ...args.tags, Name: `${name}-${role}` });
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-failover-logs`, { retentionInDays: args.logRetentionDays, tags: tags("failover-logs") }, opts);
    const role = new aws.iam.Role(
        `${name}-failover-role`,
        {
            description: `web-infra active-passive failover of ${name}: Standby servers of one Auto Scaling group`,
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            tags: tags("failover-role"),
        },
        opts,
    );
    const policy = new aws.iam.RolePolicy(
        `${name}-failover-policy`,
        {
            role: role.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        // Resource type autoScalingGroup for each (Service Authorization Reference, Amazon
                        // EC2 Auto Scaling): this group only. Not verified against a real account here:
                        // the runbook's planned-failover drill after the first `up` exercises each one.
                        // TerminateInstanceInAutoScalingGroup: broken and surplus standbys/servers.
                        Sid: "MoveServersOfThisGroup",
                        Effect: "Allow",
                        Action: [
                            "autoscaling:EnterStandby",
                            "autoscaling:ExitStandby",
                            "autoscaling:SetInstanceHealth",
                            "autoscaling:SetDesiredCapacity",
                            "autoscaling:TerminateInstanceInAutoScalingGroup",
                        ],
                        Resource: args.group.arn,
                    },
                    {
                        // Describe* calls support no resource-level permissions (same reference, and ELB's and EC2's).
                        Sid: "ReadGroupTargetsAndLaunchTimes",
                        Effect: "Allow",
                        Action: [
                            "autoscaling:DescribeAutoScalingGroups",
                            "autoscaling:DescribeInstanceRefreshes",
                            "elasticloadbalancing:DescribeTargetHealth",
                            "ec2:DescribeInstances",
                        ],
                        Resource: "*",
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
        opts,
    );
    const fn = new aws.lambda.Function(
        `${name}-failover`,
        {
            description: `Active-passive failover of ${name}: keeps Standby servers, moves one in service when the active fails (docs/web-tier.md)`,
            runtime: aws.lambda.Runtime.NodeJS22dX,
            architectures: ["arm64"],
            handler: "index.handler",
            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.FileAsset(path.join(ASSETS_DIR, "standby", "index.js")) }),
            role: role.arn,
            timeout: FAILOVER_TIMEOUT_SECONDS,
            memorySize: FAILOVER_MEMORY_MB,
            // One run at a time: two passes deciding at once could move two standbys in service. Lambda
            // lets a function reserve only what leaves 100 unreserved ("You can reserve up to the
            // Unreserved account concurrency value that is shown, minus 100", Lambda Developer Guide,
            // "Configuring reserved concurrency"), so an account whose concurrency quota is still at a
            // new account's low value refuses this: raise it in Service Quotas (docs/runbooks/web-failover.md).
            reservedConcurrentExecutions: 1,
            environment: {
                variables: {
                    GROUP_NAME: args.group.name,
                    TARGET_GROUP_ARN: args.targetGroupArn,
                    STANDBY_COUNT: String(args.standbyCount),
                    GRACE_SECONDS: String(args.graceSeconds),
                    POLL_SECONDS: String(FAILOVER_POLL_SECONDS),
                    RUN_SECONDS: String(FAILOVER_RUN_SECONDS),
                },
            },
            // Text format: the function writes its JSON lines to stdout itself, one log event each, which
            // the metric filters below parse (the JSON format would wrap them in a `message` string).
            loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
            tags: tags("failover"),
        },
        { parent, dependsOn: [policy] },
    );
    // A run that is late or failed is not retried: the next one starts within a minute anyway.
    new aws.lambda.FunctionEventInvokeConfig(`${name}-failover-invoke`, { functionName: fn.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 }, opts);

    const schedule = new aws.cloudwatch.EventRule(
        `${name}-failover-schedule`,
        { description: `Runs the active-passive failover of ${name} every minute`, scheduleExpression: "rate(1 minute)", tags: tags("failover-schedule") },
        opts,
    );
    const permission = new aws.lambda.Permission(
        `${name}-failover-schedule-invoke`,
        { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: schedule.arn },
        opts,
    );
    new aws.cloudwatch.EventTarget(`${name}-failover-schedule-target`, { rule: schedule.name, arn: fn.arn }, { parent, dependsOn: [permission] });

    // Metrics from the function's log lines (one JSON object a pass), by group: what the alarms read.
    const metricFilter = (role: string, pattern: string, metricName: string, value: string) =>
        new aws.cloudwatch.LogMetricFilter(
            `${name}-failover-${role}`,
            {
                logGroupName: logGroup.name,
                pattern,
                metricTransformation: { namespace: FAILOVER_METRIC_NAMESPACE, name: metricName, value, dimensions: { AutoScalingGroupName: "$.group" }, unit: "Count" },
            },
            opts,
        );
    // Every pass publishes its value, 0 included: the alarm's Minimum then means "missing on every pass
    // of the period", and a function that stops running leaves no data (its own alarm, Invocations).
    metricFilter("standbys-missing", "{ $.standbysMissing >= 0 }", "StandbysMissing", "$.standbysMissing");
    metricFilter("failovers", "{ $.failover = 1 }", "Failovers", "1");

    return { function: fn, functionName: fn.name, logGroupName: logGroup.name };
}
