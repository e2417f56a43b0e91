import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LOG_RETENTION_DAYS } from "./lib/aws";
import {
    RATE_LIMIT_MAX,
    RATE_LIMIT_MIN,
    WAF_MODES,
    WEB_ACL_WCU_BUDGET,
    WafMode,
    metricName,
    wafAclName,
    wafLogGroupName,
    webAclCapacity,
    webAclRules,
} from "./lib/wafRules";

export interface WebAclArgs {
    /**
     * ARN of the regional resource to protect, normally the Application Load Balancer's `arn`. When
     * given, the ACL is associated with it (`aws.wafv2.WebAclAssociation`).
     * @default - no association: associate the ACL yourself
     */
    readonly resourceArn?: pulumi.Input<string>;
    /**
     * Requests one client IP may send in any 5-minute window before the rate-based rule blocks it
     * (until its rate falls back under the limit). AWS accepts 10 to 2,000,000,000.
     * @default 1000
     */
    readonly rateLimit?: number;
    /**
     * `block`: the managed rule groups apply their own actions and the rate rule blocks. `count`: every
     * rule only counts matches (WAF log, `CountedRequests` metrics) and blocks nobody: a first rollout
     * that cannot lock out users, switched to `block` once the logs show no real traffic would be hurt.
     * @default "block"
     */
    readonly mode?: WafMode;
    /**
     * Retention of the WAF log group, in days (a CloudWatch Logs retention value).
     * @default 30
     */
    readonly logRetentionDays?: number;
    /**
     * Tags added to every resource (on top of the provider's default tags).
     * @default {}
     */
    readonly tags?: Record<string, string>;
}


/** Request headers never written to the WAF log: they carry credentials and session tokens. */
export const REDACTED_HEADERS = ["authorization", "cookie"] as const;

/** Defaults and validation of WebAclArgs: pure, runs before anything is registered. */
function resolveWebAclArgs(name: string, args: WebAclArgs) {
    const rateLimit = args.rateLimit ?? 1000;
    const logRetentionDays = args.logRetentionDays ?? 30;
    const tags = args.tags ?? {};
    const mode = args.mode ?? "block";

    if (!Number.isInteger(rateLimit) || rateLimit < RATE_LIMIT_MIN || rateLimit > RATE_LIMIT_MAX) {
        throw new Error(
            `WebAcl ${name}: \`rateLimit\` must be a whole number from ${RATE_LIMIT_MIN} to ${RATE_LIMIT_MAX} requests per 5 minutes per IP (got ${rateLimit})`,
        );
    }
    if (!WAF_MODES.includes(mode)) {
        throw new Error(`WebAcl ${name}: \`mode\` must be one of ${WAF_MODES.join(", ")} (got ${JSON.stringify(mode)})`);
    }
    if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
        throw new Error(`WebAcl ${name}: \`logRetentionDays\` must be one of ${LOG_RETENTION_DAYS.join(", ")} (got ${logRetentionDays})`);
    }
    // A guard for whoever adds a rule: past the 1,500 WCUs of the basic price AWS bills extra.
    const capacity = webAclCapacity();
    if (capacity > WEB_ACL_WCU_BUDGET) {
        throw new Error(`WebAcl ${name}: the rules need ${capacity} WCUs, more than the ${WEB_ACL_WCU_BUDGET} the basic WAF price covers`);
    }
    return { rateLimit, mode, logRetentionDays, tags };
}

/**
 * A regional AWS WAF web ACL for an Application Load Balancer.
 *
 * Default action allow; in front of it, in this order: the Amazon IP reputation list, a per-IP
 * rate limit (block), known bad inputs, the core rule set and SQL injection (AWS managed rule groups,
 * their own actions); in `mode: "count"` every rule only counts. Every rule publishes CloudWatch metrics and sampled requests. Full request logs
 * go to a CloudWatch log group `aws-waf-logs-<acl name>`, with the `Authorization` and `Cookie`
 * headers redacted, written by the log delivery service under a resource policy of that group's own,
 * created before logging is turned on.
 */
export class WebAcl extends pulumi.ComponentResource {
    public readonly webAcl: aws.wafv2.WebAcl;
    public readonly webAclArn: pulumi.Output<string>;
    /** The ACL's name: the `WebACL` dimension of its `AWS/WAFV2` CloudWatch metrics. */
    public readonly webAclName: pulumi.Output<string>;
    /** The ACL-level metric name (equal to the name); rule metrics are `<metricName>-<rule>`. */
    public readonly metricName: string;
    public readonly logGroupName: pulumi.Output<string>;
    public readonly association?: aws.wafv2.WebAclAssociation;

    constructor(name: string, args: WebAclArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        const { rateLimit, mode, logRetentionDays, tags } = resolveWebAclArgs(name, args);
        super("web-infra:security:WebAcl", name, {}, opts);
        const parent = { parent: this };

        const aclName = wafAclName(pulumi.getProject(), pulumi.getStack(), name);
        this.metricName = metricName(aclName);

        this.webAcl = new aws.wafv2.WebAcl(
            `${name}-acl`,
            {
                name: aclName,
                description: `Protects ${pulumi.getProject()}/${pulumi.getStack()}: IP reputation, per-IP rate limit, known bad inputs, core rule set, SQL injection`,
                // An ALB is a regional resource; CLOUDFRONT scope is only for distributions.
                scope: "REGIONAL",
                defaultAction: { allow: {} },
                // Inline rules (not aws.wafv2.WebAclRule resources): every rule is an AWS managed group or
                // a rate statement, so none references an IP set or rule group whose deletion order the
                // provider warns about, and the ACL changes atomically.
                rules: webAclRules(aclName, rateLimit, mode),
                visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: this.metricName },
                tags: { ...tags, Name: aclName },
            },
            parent,
        );
        this.webAclArn = this.webAcl.arn;
        this.webAclName = this.webAcl.name;

        if (args.resourceArn !== undefined) {
            this.association = new aws.wafv2.WebAclAssociation(`${name}-association`, { resourceArn: args.resourceArn, webAclArn: this.webAcl.arn }, parent);
        }

        // ---- logging ----
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: wafLogGroupName(aclName), retentionInDays: logRetentionDays, tags: { ...tags, Name: wafLogGroupName(aclName) } },
            parent,
        );
        this.logGroupName = logGroup.name;
        // The provider's log group ARN has no trailing `:*` (since AWS provider 3.0); WAF rejects a
        // destination that has one, so strip it defensively rather than depend on that.
        const logGroupArn = logGroup.arn.apply((arn) => arn.replace(/:\*$/, ""));

        // Our own resource policy on the log group itself (resourceArn: log-group scope, not one of the
        // 10 account-level policies per region) lets only the log delivery service of this account write
        // log streams into this group. When logging is turned on, WAF adds the permission it needs only
        // if the group has no resource policy yet: nowadays a log-group-level policy of its own (it used
        // to append every group to one account-wide `AWSWAF-LOGS` policy, which outlived stacks and failed
        // past 5,120 characters), unless an account-level policy already grants it through wildcards.
        // Creating ours first keeps the permission in this stack's state, scoped and reviewed, deleted
        // with the stack, whatever WAF would do: hence the dependsOn on the logging configuration below.
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-CloudWatchLogs.html
        const caller = aws.getCallerIdentityOutput({}, parent);
        const region = aws.getRegionOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);
        const deliveryPolicy = new aws.cloudwatch.LogResourcePolicy(
            `${name}-logs-policy`,
            {
                resourceArn: logGroupArn,
                policyDocument: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "WafLogDelivery",
                            Effect: "Allow",
                            Principal: { Service: "delivery.logs.amazonaws.com" },
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                            Resource: pulumi.interpolate`${logGroupArn}:log-stream:*`,
                            // Confused-deputy guard: only deliveries on behalf of this account.
                            Condition: {
                                StringEquals: { "aws:SourceAccount": caller.accountId },
                                ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition.partition}:logs:${region.region}:${caller.accountId}:*` },
                            },
                        },
                    ],
                }),
            },
            parent,
        );
        new aws.wafv2.WebAclLoggingConfiguration(
            `${name}-logging`,
            {
                resourceArn: this.webAcl.arn,
                logDestinationConfigs: [logGroupArn],
                // Redacted fields show as REDACTED in the log; the request is still inspected in full.
                redactedFields: REDACTED_HEADERS.map((header) => ({ singleHeader: { name: header } })),
            },
            // Ours must exist first: WAF only adds a policy of its own to a log group that has none.
            { parent: this, dependsOn: [deliveryPolicy] },
        );

        this.registerOutputs({
            webAclArn: this.webAclArn,
            webAclName: this.webAclName,
            metricName: this.metricName,
            logGroupName: this.logGroupName,
        });
    }
}
