/**
 * The WAF web ACL's rules as plain data, and the limits they must respect. Pure: no Pulumi, no AWS
 * calls, so the rule order, priorities, metric names and capacity are unit-tested without the engine.
 */

/**
 * Lowest and highest request limit of a rate-based rule. AWS lowered the minimum from 100 to 10 in
 * 2024 ("The lowest limit setting allowed is 10"); the API's upper bound is 2,000,000,000.
 * https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html
 */
export const RATE_LIMIT_MIN = 10;
export const RATE_LIMIT_MAX = 2_000_000_000;

/** Rate-based rules count over one of these windows (seconds); 300 is AWS's default. */
export const RATE_WINDOWS_SEC = [60, 120, 300, 600] as const;

/**
 * Web ACL capacity units (WCUs) the basic WAF price covers. AWS rejects a web ACL above 5,000 and
 * charges extra above 1,500, so the rules below stay under 1,500.
 * https://docs.aws.amazon.com/waf/latest/developerguide/aws-waf-capacity-units.html
 */
export const WEB_ACL_WCU_BUDGET = 1500;

/** A rate-based statement costs 2 WCUs plus 30 per custom aggregation key (we use none: key `IP`). */
export const RATE_BASED_RULE_WCU = 2;

export interface ManagedRuleGroup {
    /** `Name` of the AWS managed rule group (vendor `AWS`). */
    readonly name: string;
    /** Our rule's name and the suffix of its metric name. */
    readonly ruleName: string;
    /** Capacity the group uses, from the AWS Managed Rules documentation. */
    readonly wcu: number;
    /** What it protects against, for docs/security.md and reviewers. */
    readonly protects: string;
}

/**
 * The AWS managed rule groups the web ACL runs, in evaluation order (WCUs as documented:
 * https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html,
 * …-ip-rep.html, …-use-case.html). All are free with WAF (unlike Bot Control or fraud prevention).
 */
export const MANAGED_RULE_GROUPS = {
    ipReputation: {
        name: "AWSManagedRulesAmazonIpReputationList",
        ruleName: "aws-ip-reputation",
        wcu: 25,
        protects: "sources Amazon threat intelligence has seen in botnets, reconnaissance and DDoS",
    },
    knownBadInputs: {
        name: "AWSManagedRulesKnownBadInputsRuleSet",
        ruleName: "aws-known-bad-inputs",
        wcu: 200,
        protects: "request patterns of known exploits (Log4Shell/Log4j JNDI, Java deserialization, localhost Host headers)",
    },
    common: {
        name: "AWSManagedRulesCommonRuleSet",
        ruleName: "aws-common",
        wcu: 700,
        protects: "OWASP Top 10 style attacks: XSS, path traversal/LFI, RFI, SSRF to metadata, oversized bodies, bad bots",
    },
    sqli: {
        name: "AWSManagedRulesSQLiRuleSet",
        ruleName: "aws-sqli",
        wcu: 200,
        protects: "SQL injection in the query string, body, cookies and URI path",
    },
} as const satisfies Record<string, ManagedRuleGroup>;

/** Name of the rate-based rule (and the suffix of its metric name). */
export const RATE_RULE_NAME = "rate-limit-per-ip";

/**
 * Rule priorities (lower runs first; the first terminating match wins, so order is a cost and a
 * correctness decision). Gaps of 10 leave room to insert a rule (e.g. an allow-list) without
 * renumbering, which would rewrite every rule.
 *
 * 1. IP reputation first: the cheapest rule (25 WCUs, a set lookup) drops known-bad sources before
 *    anything inspects their bodies.
 * 2. The per-IP rate limit next: a flood is cut off by a 2-WCU counter instead of running ~1,100 WCUs
 *    of body inspection per request; requests it blocks still count towards the limit.
 * 3. Known bad inputs before the broad rule sets: exploit signatures are high-confidence matches.
 * 4. The core rule set, then SQL injection.
 */
export const RULE_PRIORITIES = {
    [MANAGED_RULE_GROUPS.ipReputation.ruleName]: 10,
    [RATE_RULE_NAME]: 20,
    [MANAGED_RULE_GROUPS.knownBadInputs.ruleName]: 30,
    [MANAGED_RULE_GROUPS.common.ruleName]: 40,
    [MANAGED_RULE_GROUPS.sqli.ruleName]: 50,
} as const;

/** Total capacity of the rules `webAclRules` returns. */
export function webAclCapacity(): number {
    return Object.values(MANAGED_RULE_GROUPS).reduce((sum, g) => sum + g.wcu, 0) + RATE_BASED_RULE_WCU;
}

/**
 * A CloudWatch metric name from free text. WAF accepts 1-255 characters from `[\w#:.\-/]` (no
 * whitespace) and reserves `All` and `Default_Action`.
 */
export function metricName(...parts: string[]): string {
    const joined = parts
        .join("-")
        .replace(/[^\w#:.\-/]+/g, "-")
        .replace(/-{2,}/g, "-")
        .replace(/^-|-$/g, "");
    const name = joined.slice(0, 255) || "waf";
    return name === "All" || name === "Default_Action" ? `${name}-acl` : name;
}

/**
 * The web ACL's name, which is also its CloudWatch metric name (the `WebACL` dimension of the
 * `AWS/WAFV2` metrics): explicit rather than auto-named so that alarms and dashboards can name it,
 * and built from project, stack and component name so it is unique per region in a shared account.
 * WAF names allow `[\w-]`, 1-128 characters.
 */
export function wafAclName(project: string, stack: string, name: string): string {
    return `${project}-${stack}-${name}`.replace(/[^\w-]+/g, "-").slice(0, 128);
}

/**
 * The WAF log group's name. AWS WAF only logs to CloudWatch log groups named `aws-waf-logs-*`, so the
 * name must be explicit (an auto-named group would not qualify); deriving it from the ACL's unique
 * name keeps it unique per stack. https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html
 */
export function wafLogGroupName(aclName: string): string {
    return `aws-waf-logs-${aclName}`.slice(0, 512);
}

/**
 * What the rules do with a match. `block`: managed groups apply their own actions and the rate rule
 * blocks. `count`: every rule only counts (managed groups `overrideAction: count`, the rate rule
 * `action: count`), so matches show in the WAF log and the `CountedRequests` metrics but no user is
 * refused: the first rollout, to see what real traffic would trip before switching to `block`.
 * https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-rule-group-override-options.html
 */
export const WAF_MODES = ["block", "count"] as const;
export type WafMode = (typeof WAF_MODES)[number];

/** The shape of one `aws.wafv2.WebAcl` rule input (a structural subset: plain data). */
export interface WafRule {
    name: string;
    priority: number;
    overrideAction?: { none: Record<string, never> } | { count: Record<string, never> };
    action?: { block: Record<string, never> } | { count: Record<string, never> };
    statement: {
        managedRuleGroupStatement?: { vendorName: "AWS"; name: string };
        rateBasedStatement?: { limit: number; aggregateKeyType: "IP"; evaluationWindowSec: number };
    };
    visibilityConfig: { cloudwatchMetricsEnabled: true; sampledRequestsEnabled: true; metricName: string };
}

/**
 * The web ACL's rules, sorted by priority: the four managed groups and the per-IP rate limit. In
 * `block` mode the groups' own rule actions apply (`overrideAction: none`) and the rate rule blocks;
 * in `count` mode every rule only counts (see `WafMode`). Every rule publishes CloudWatch metrics and
 * keeps sampled requests, with metric `<metricPrefix>-<rule>`.
 */
export function webAclRules(metricPrefix: string, rateLimit: number, mode: WafMode = "block", rateWindowSec = 300): WafRule[] {
    const visibility = (rule: string) => ({
        cloudwatchMetricsEnabled: true as const,
        sampledRequestsEnabled: true as const,
        metricName: metricName(metricPrefix, rule),
    });
    const managed = Object.values(MANAGED_RULE_GROUPS).map(
        (g): WafRule => ({
            name: g.ruleName,
            priority: RULE_PRIORITIES[g.ruleName],
            overrideAction: mode === "count" ? { count: {} } : { none: {} },
            statement: { managedRuleGroupStatement: { vendorName: "AWS", name: g.name } },
            visibilityConfig: visibility(g.ruleName),
        }),
    );
    const rate: WafRule = {
        name: RATE_RULE_NAME,
        priority: RULE_PRIORITIES[RATE_RULE_NAME],
        action: mode === "count" ? { count: {} } : { block: {} },
        // Aggregating on the source IP is right here: the ALB is the edge (no CloudFront or proxy in
        // front), so the source IP is the client's. Behind a CDN it would have to be FORWARDED_IP.
        statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: "IP", evaluationWindowSec: rateWindowSec } },
        visibilityConfig: visibility(RATE_RULE_NAME),
    };
    return [...managed, rate].sort((a, b) => a.priority - b.priority);
}
