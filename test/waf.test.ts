import { ACCOUNT_ID, RecordedResource, allResources, descendantsOf, resourceNamed, resourcesOf, settle, setupMocks } from "./mocks";
import {
    MANAGED_RULE_GROUPS,
    RATE_LIMIT_MAX,
    RATE_LIMIT_MIN,
    RATE_RULE_NAME,
    WEB_ACL_WCU_BUDGET,
    metricName,
    wafAclName,
    wafLogGroupName,
    webAclCapacity,
    webAclRules,
} from "../components/lib/wafRules";

const WEB_ACL = "aws:wafv2/webAcl:WebAcl";
const ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";
const LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const LOG_POLICY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy";
const LB = "aws:lb/loadBalancer:LoadBalancer";

// ---------------------------------------------------------------------------------------------------
// Pure rule set.

describe("web ACL rules (pure)", () => {
    const rules = webAclRules("acl", 1234);

    it("runs IP reputation, then the rate limit, then known bad inputs, the core rule set and SQL injection", () => {
        expect(rules.map((r) => r.name)).toEqual(["aws-ip-reputation", RATE_RULE_NAME, "aws-known-bad-inputs", "aws-common", "aws-sqli"]);
        expect(rules.map((r) => r.priority)).toEqual([10, 20, 30, 40, 50]);
    });

    it("has distinct priorities and distinct, valid metric names, with metrics and sampling on for every rule", () => {
        expect(new Set(rules.map((r) => r.priority)).size).toBe(rules.length);
        expect(new Set(rules.map((r) => r.visibilityConfig.metricName)).size).toBe(rules.length);
        for (const r of rules) {
            expect(r.visibilityConfig).toEqual({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `acl-${r.name}` });
            expect(r.visibilityConfig.metricName).toMatch(/^[\w#:.\-/]{1,255}$/);
        }
    });

    it("uses the four AWS managed groups with their own actions (override none, no rule action)", () => {
        const managed = rules.filter((r) => r.statement.managedRuleGroupStatement);
        expect(managed.map((r) => r.statement.managedRuleGroupStatement)).toEqual([
            { vendorName: "AWS", name: "AWSManagedRulesAmazonIpReputationList" },
            { vendorName: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet" },
            { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" },
            { vendorName: "AWS", name: "AWSManagedRulesSQLiRuleSet" },
        ]);
        for (const r of managed) {
            expect(r.overrideAction).toEqual({ none: {} });
            expect(r).not.toHaveProperty("action");
        }
    });

    it("count mode: every managed group's actions are overridden to count and the rate rule counts; nothing blocks", () => {
        const counting = webAclRules("acl", 1234, "count");
        expect(counting.map((r) => r.name)).toEqual(rules.map((r) => r.name));
        for (const r of counting.filter((r) => r.statement.managedRuleGroupStatement)) {
            expect(r.overrideAction).toEqual({ count: {} });
            expect(r).not.toHaveProperty("action");
        }
        const rate = counting.find((r) => r.name === RATE_RULE_NAME)!;
        expect(rate.action).toEqual({ count: {} });
        expect(JSON.stringify(counting)).not.toContain("block");
    });

    it("block is the default mode", () => {
        expect(webAclRules("acl", 1234, "block")).toEqual(rules);
    });

    it("blocks per source IP above the limit in a 5-minute window", () => {
        const rate = rules.find((r) => r.name === RATE_RULE_NAME)!;
        expect(rate.action).toEqual({ block: {} });
        expect(rate).not.toHaveProperty("overrideAction");
        expect(rate.statement.rateBasedStatement).toEqual({ limit: 1234, aggregateKeyType: "IP", evaluationWindowSec: 300 });
    });

    it("stays within the 1,500 WCUs of the basic price (700 + 200 + 200 + 25 + 2)", () => {
        expect(webAclCapacity()).toBe(1127);
        expect(webAclCapacity()).toBeLessThanOrEqual(WEB_ACL_WCU_BUDGET);
        expect(Object.values(MANAGED_RULE_GROUPS).map((g) => g.wcu)).toEqual([25, 200, 700, 200]);
    });

    it.each([
        ["web-infra-dev-waf", "web-infra-dev-waf"],
        ["a b  c", "a-b-c"],
        ["-x-", "x"],
        ["All", "All-acl"],
        ["Default_Action", "Default_Action-acl"],
        ["", "waf"],
    ])("metricName(%j) is %j", (input, expected) => {
        expect(metricName(input)).toBe(expected);
    });

    it("names every ACL and log group within WAF's and CloudWatch's character sets and lengths, for any stack name", () => {
        const stacks = ["dev", "prod", "my.stack", "org/team/stack", "x".repeat(200), "UPPER_case-1"];
        for (const stack of stacks) {
            const acl = wafAclName("web-infra", stack, "waf");
            expect(acl).toMatch(/^[\w-]{1,128}$/);
            expect(metricName(acl)).toBe(acl);
            const group = wafLogGroupName(acl);
            expect(group.startsWith("aws-waf-logs-")).toBe(true);
            expect(group).toMatch(/^[\w.\-/#]{1,512}$/);
        }
        expect(wafAclName("web-infra", "dev", "waf")).not.toBe(wafAclName("web-infra", "prod", "waf"));
    });
});

// ---------------------------------------------------------------------------------------------------
// The component under the mocks.

describe("WebAcl", () => {
    let lb: RecordedResource;
    let errors: Record<string, string> = {};

    beforeAll(async () => {
        await setupMocks();
        const aws = await import("@pulumi/aws");
        const { Network } = await import("../components/network");
        const { WebAcl } = await import("../components/waf");
        const network = new Network("net", { availabilityZones: ["us-east-1a", "us-east-1b"] });
        const alb = new aws.lb.LoadBalancer("alb", { loadBalancerType: "application", subnets: network.publicSubnetIds });
        new WebAcl("waf", { resourceArn: alb.arn, rateLimit: 2000, logRetentionDays: 90, tags: { Tier: "edge" } });
        new WebAcl("bare", {});
        new WebAcl("counting", { mode: "count" });

        const attempt = (label: string, args: Record<string, unknown>) => {
            try {
                new WebAcl(`bad-${label}`, args);
            } catch (e) {
                errors[label] = (e as Error).message;
            }
        };
        errors = {};
        attempt("low", { rateLimit: RATE_LIMIT_MIN - 1 });
        attempt("high", { rateLimit: RATE_LIMIT_MAX + 1 });
        attempt("fraction", { rateLimit: 100.5 });
        attempt("retention", { logRetentionDays: 8 });
        attempt("mode", { mode: "log" });
        await settle();
        lb = resourceNamed(LB, "alb");
    });

    const acl = () => resourceNamed(WEB_ACL, "waf-acl");

    it("is a regional ACL that allows by default, named per project, stack and component", () => {
        expect(acl().inputs).toMatchObject({
            name: "web-infra-test-waf",
            scope: "REGIONAL",
            defaultAction: { allow: {} },
            visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: "web-infra-test-waf" },
        });
        expect(acl().inputs.defaultAction).not.toHaveProperty("block");
        expect(acl().inputs.tags).toEqual({ Tier: "edge", Name: "web-infra-test-waf" });
    });

    it("declares the five rules with the configured rate limit, each with its own metric", () => {
        const rules = acl().inputs.rules as any[];
        expect(rules.map((r) => [r.priority, r.name])).toEqual([
            [10, "aws-ip-reputation"],
            [20, "rate-limit-per-ip"],
            [30, "aws-known-bad-inputs"],
            [40, "aws-common"],
            [50, "aws-sqli"],
        ]);
        expect(rules[1].statement.rateBasedStatement).toEqual({ limit: 2000, aggregateKeyType: "IP", evaluationWindowSec: 300 });
        expect(rules.map((r) => r.visibilityConfig.metricName)).toEqual(rules.map((r) => `web-infra-test-waf-${r.name}`));
        expect(rules.every((r) => r.visibilityConfig.cloudwatchMetricsEnabled && r.visibilityConfig.sampledRequestsEnabled)).toBe(true);
    });

    it("blocks by default: managed groups keep their own actions (override none) and the rate rule blocks", () => {
        const rules = resourceNamed(WEB_ACL, "bare-acl").inputs.rules as any[];
        expect(rules.filter((r) => r.overrideAction).map((r) => r.overrideAction)).toEqual([{ none: {} }, { none: {} }, { none: {} }, { none: {} }]);
        expect(rules.find((r) => r.name === RATE_RULE_NAME).action).toEqual({ block: {} });
    });

    it("mode count: the declared ACL overrides every managed group to count and the rate rule counts", () => {
        const rules = resourceNamed(WEB_ACL, "counting-acl").inputs.rules as any[];
        expect(rules.filter((r) => r.overrideAction).map((r) => r.overrideAction)).toEqual([{ count: {} }, { count: {} }, { count: {} }, { count: {} }]);
        expect(rules.find((r) => r.name === RATE_RULE_NAME).action).toEqual({ count: {} });
        expect(JSON.stringify(rules)).not.toContain("block");
    });

    it("refuses an unknown mode, naming the allowed ones", () => {
        expect(errors.mode).toBe('WebAcl bad-mode: `mode` must be one of block, count (got "log")');
    });

    it("defaults the rate limit to 1000 requests per 5 minutes per IP", () => {
        const rules = resourceNamed(WEB_ACL, "bare-acl").inputs.rules as any[];
        expect(rules.find((r) => r.name === RATE_RULE_NAME).statement.rateBasedStatement.limit).toBe(1000);
    });

    it("is associated with the load balancer it was given, and only then", () => {
        const association = resourceNamed(ASSOCIATION, "waf-association");
        expect(association.inputs.resourceArn).toBe(lb.state.arn);
        expect(association.inputs.webAclArn).toBe(acl().state.arn);
        expect(resourcesOf(ASSOCIATION)).toHaveLength(1);
    });

    it("logs to a CloudWatch log group named aws-waf-logs-…, kept logRetentionDays (default 30)", () => {
        const group = resourceNamed(LOG_GROUP, "waf-logs");
        expect(group.inputs).toMatchObject({ name: "aws-waf-logs-web-infra-test-waf", retentionInDays: 90 });
        expect(resourceNamed(LOG_GROUP, "bare-logs").inputs).toMatchObject({ name: "aws-waf-logs-web-infra-test-bare", retentionInDays: 30 });
        const logging = resourceNamed(LOGGING, "waf-logging");
        expect(logging.inputs.resourceArn).toBe(acl().state.arn);
        expect(logging.inputs.logDestinationConfigs).toEqual([group.state.arn]);
        expect(logging.inputs.logDestinationConfigs[0]).not.toMatch(/:\*$/);
    });

    it("redacts the Authorization and Cookie headers from the log", () => {
        expect(resourceNamed(LOGGING, "waf-logging").inputs.redactedFields).toEqual([
            { singleHeader: { name: "authorization" } },
            { singleHeader: { name: "cookie" } },
        ]);
    });

    it("lets only this account's log delivery write to its own log group, before logging is switched on", () => {
        const group = resourceNamed(LOG_GROUP, "waf-logs");
        const policy = resourceNamed(LOG_POLICY, "waf-logs-policy");
        expect(policy.inputs.resourceArn).toBe(group.state.arn);
        expect(policy.inputs).not.toHaveProperty("policyName");
        expect(JSON.parse(policy.inputs.policyDocument)).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "WafLogDelivery",
                    Effect: "Allow",
                    Principal: { Service: "delivery.logs.amazonaws.com" },
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: `${group.state.arn}:log-stream:*`,
                    Condition: {
                        StringEquals: { "aws:SourceAccount": ACCOUNT_ID },
                        ArnLike: { "aws:SourceArn": `arn:aws:logs:us-east-1:${ACCOUNT_ID}:*` },
                    },
                },
            ],
        });
        expect(resourceNamed(LOGGING, "waf-logging").dependencies).toContain(policy.urn);
    });

    it("parents every resource to the component", () => {
        const component = resourceNamed("web-infra:security:WebAcl", "waf");
        const children = descendantsOf(component.urn).map((r) => `${r.type}::${r.name}`).sort();
        expect(children).toEqual(
            [`${ASSOCIATION}::waf-association`, `${LOGGING}::waf-logging`, `${LOG_GROUP}::waf-logs`, `${LOG_POLICY}::waf-logs-policy`, `${WEB_ACL}::waf-acl`].sort(),
        );
    });

    it.each([
        ["low", "WebAcl bad-low: `rateLimit` must be a whole number from 10 to 2000000000 requests per 5 minutes per IP (got 9)"],
        ["high", "WebAcl bad-high: `rateLimit` must be a whole number from 10 to 2000000000 requests per 5 minutes per IP (got 2000000001)"],
        ["fraction", "WebAcl bad-fraction: `rateLimit` must be a whole number from 10 to 2000000000 requests per 5 minutes per IP (got 100.5)"],
        [
            "retention",
            "WebAcl bad-retention: `logRetentionDays` must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 8)",
        ],
    ])("rejects bad args (%s) with an exact message, before registering anything", (label, message) => {
        expect(errors[label]).toBe(message);
        expect(allResources().filter((r) => r.name.startsWith(`bad-${label}`))).toEqual([]);
    });
});
