/**
 * Helpers the guardrail policies share: resource type tokens, reading values that are unknown during
 * a preview, security-group permissions, tags, and links between resources.
 *
 * No import of @pulumi/aws: policies match on type tokens, so the pack and its tests stay fast.
 */
import { PolicyResource, ReportViolation, ResourceValidation, ResourceValidationArgs, UnknownValueError } from "@pulumi/policy";

/** Type tokens of the resources the policies inspect. */
export const T = {
    awsProvider: "pulumi:providers:aws",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    defaultSecurityGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    loadBalancers: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
    listeners: ["aws:lb/listener:Listener", "aws:alb/listener:Listener"],
    listenerRules: ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"],
    certificate: "aws:acm/certificate:Certificate",
    wafAssociation: "aws:wafv2/webAclAssociation:WebAclAssociation",
    rdsInstance: "aws:rds/instance:Instance",
    rdsCluster: "aws:rds/cluster:Cluster",
    instance: "aws:ec2/instance:Instance",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    autoScalingGroup: "aws:autoscaling/group:Group",
    autoScalingAttachment: "aws:autoscaling/attachment:Attachment",
    trafficSourceAttachment: "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment",
    volume: "aws:ebs/volume:Volume",
    subnet: "aws:ec2/subnet:Subnet",
    eip: "aws:ec2/eip:Eip",
    eipAssociation: "aws:ec2/eipAssociation:EipAssociation",
    buckets: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    accountPublicAccessBlock: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
} as const;

// ---------------------------------------------------------------------------------------------------
// Unknown values.

/** What `peek` returns for a value the engine does not know yet (a computed output during preview). */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Known<T> = T | typeof UNKNOWN;

/**
 * Read a property that may be unknown during `pulumi preview`. The policy SDK wraps props in a proxy
 * that throws `UnknownValueError` on such a value; uncaught, that turns the whole policy into an
 * advisory "can't run during preview". Stack policies read many outputs (ids, computed defaults), so
 * they use this to reason about what is known and stay effective.
 */
export function peek<T>(read: () => T): Known<T> {
    try {
        return read();
    } catch (e) {
        if (e instanceof UnknownValueError) return UNKNOWN;
        throw e;
    }
}

/** The elements of an array-valued property; unknown elements come back as UNKNOWN. */
export function items(read: () => unknown): Known<unknown[]> {
    const value = peek(read);
    if (value === UNKNOWN) return UNKNOWN;
    if (!Array.isArray(value)) return value === undefined || value === null ? [] : [value];
    return Array.from({ length: value.length }, (_, i) => peek(() => value[i]));
}

/** Known string values of a string or string-array property (unknowns dropped). */
export function knownStrings(read: () => unknown): string[] {
    const list = items(read);
    return list === UNKNOWN ? [] : list.filter((v): v is string => typeof v === "string");
}

// ---------------------------------------------------------------------------------------------------
// Resource validations for a set of types.

/**
 * A resource validation that runs only on the given types and marks itself not applicable elsewhere
 * (with a single type, the engine skips other types without calling it, as `validateResourceOfType`
 * does).
 */
export function onTypes(
    types: readonly string[],
    validate: (props: Record<string, any>, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation {
    const fn: ResourceValidation = (args, report) => {
        if (!types.includes(args.type)) {
            args.notApplicable(`Policy only applies to ${types.join(", ")}`);
        }
        validate(args.props, args, report);
    };
    if (types.length === 1) (fn as ResourceValidation & { __pulumiType?: string }).__pulumiType = types[0];
    return fn;
}

// ---------------------------------------------------------------------------------------------------
// Security-group permissions.

/** One ingress permission, whichever of the three ways it was declared. */
export interface IngressPermission {
    /** `all`, `tcp`, `udp`, `icmp`, `icmpv6` or the protocol number. */
    readonly protocol: string;
    readonly fromPort?: number;
    readonly toPort?: number;
    /** IPv4 and IPv6 CIDR sources. */
    readonly cidrs: readonly string[];
    /** Any other source (security group, prefix list, self), described. */
    readonly otherSources: readonly string[];
}

/** Protocol names and numbers as AWS accepts them, normalised. */
export function normaliseProtocol(protocol: unknown): string {
    // Unknown (during a preview) is treated as the widest case, all traffic: fail closed.
    if (protocol === UNKNOWN) return "all";
    const p = String(protocol ?? "").toLowerCase();
    if (p === "-1" || p === "all") return "all";
    if (p === "6") return "tcp";
    if (p === "17") return "udp";
    if (p === "1") return "icmp";
    if (p === "58") return "icmpv6";
    return p;
}

/** Whether a permission admits `port` over `protocol` (an all-traffic rule admits every port). */
export function admitsPort(perm: IngressPermission, protocol: "tcp" | "udp", port: number): boolean {
    if (perm.protocol === "all") return true;
    if (perm.protocol !== protocol) return false;
    // tcp/udp without ports (or AWS's -1) means every port.
    const from = perm.fromPort === undefined || perm.fromPort < 0 ? 0 : perm.fromPort;
    const to = perm.toPort === undefined || perm.toPort < 0 ? 65535 : perm.toPort;
    return from <= port && port <= to;
}

/**
 * A CIDR that stands for the whole internet: a `/0` (`0.0.0.0/0`, `::/0`) or a `/1`, IPv4 or IPv6.
 * Two `/1` halves (`0.0.0.0/1` + `128.0.0.0/1`) admit exactly what `0.0.0.0/0` does, so each half
 * counts as the world too. Narrower public ranges (a `/2`, a cloud provider's `/8`) do not; nor do
 * prefix-list sources, whose entries live outside the stack (see docs/security.md, Policy pack).
 */
export function isWorld(cidr: string): boolean {
    const prefix = /^[^/]+\/(\d+)$/.exec(cidr.trim())?.[1];
    return prefix !== undefined && Number(prefix) <= 1;
}

/** Exactly TCP 80 or exactly TCP 443: what an internet-facing load balancer listens on. */
export function isWebPort(perm: IngressPermission): boolean {
    return perm.protocol === "tcp" && perm.fromPort === perm.toPort && (perm.fromPort === 80 || perm.fromPort === 443);
}

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : typeof v === "string" && v !== "" && !isNaN(Number(v)) ? Number(v) : undefined);

/**
 * The ingress permissions a resource declares: a `aws.vpc.SecurityGroupIngressRule`, an ingress
 * `aws.ec2.SecurityGroupRule`, or the inline `ingress` of a (default) security group. Egress is not
 * ingress and is ignored. Unknown parts are left out (a stack policy must not fail on them).
 */
export function ingressPermissions(type: string, props: Record<string, any>): IngressPermission[] {
    const str = (read: () => unknown) => {
        const v = peek(read);
        return typeof v === "string" && v !== "" ? v : undefined;
    };
    switch (type) {
        case T.ingressRule:
            return [
                {
                    protocol: normaliseProtocol(peek(() => props.ipProtocol)),
                    fromPort: num(peek(() => props.fromPort)),
                    toPort: num(peek(() => props.toPort)),
                    cidrs: [str(() => props.cidrIpv4), str(() => props.cidrIpv6)].filter((c): c is string => c !== undefined),
                    otherSources: [
                        peek(() => props.referencedSecurityGroupId) !== undefined ? "a security group" : undefined,
                        peek(() => props.prefixListId) !== undefined ? "a prefix list" : undefined,
                    ].filter((s): s is string => s !== undefined),
                },
            ];
        case T.securityGroupRule:
            if (peek(() => props.type) !== "ingress") return [];
            return [
                {
                    protocol: normaliseProtocol(peek(() => props.protocol)),
                    fromPort: num(peek(() => props.fromPort)),
                    toPort: num(peek(() => props.toPort)),
                    cidrs: [...knownStrings(() => props.cidrBlocks), ...knownStrings(() => props.ipv6CidrBlocks)],
                    otherSources: [
                        peek(() => props.sourceSecurityGroupId) !== undefined ? "a security group" : undefined,
                        peek(() => props.self) === true ? "itself" : undefined,
                        knownStrings(() => props.prefixListIds).length > 0 ? "a prefix list" : undefined,
                    ].filter((s): s is string => s !== undefined),
                },
            ];
        case T.securityGroup:
        case T.defaultSecurityGroup: {
            const rules = items(() => props.ingress);
            if (rules === UNKNOWN) return [];
            return rules
                .filter((r): r is Record<string, any> => r !== UNKNOWN && typeof r === "object" && r !== null)
                .map((r) => ({
                    protocol: normaliseProtocol(peek(() => r.protocol)),
                    fromPort: num(peek(() => r.fromPort)),
                    toPort: num(peek(() => r.toPort)),
                    cidrs: [...knownStrings(() => r.cidrBlocks), ...knownStrings(() => r.ipv6CidrBlocks)],
                    otherSources: [
                        knownStrings(() => r.securityGroups).length > 0 ? "a security group" : undefined,
                        peek(() => r.self) === true ? "itself" : undefined,
                        knownStrings(() => r.prefixListIds).length > 0 ? "a prefix list" : undefined,
                    ].filter((s): s is string => s !== undefined),
                }));
        }
        default:
            return [];
    }
}

/** `tcp 80`, `tcp 80-443`, `all traffic`, for messages. */
export function describePorts(perm: IngressPermission): string {
    if (perm.protocol === "all") return "all traffic";
    if (perm.fromPort === undefined) return `${perm.protocol} (all ports)`;
    return perm.fromPort === perm.toPort ? `${perm.protocol} ${perm.fromPort}` : `${perm.protocol} ${perm.fromPort}-${perm.toPort}`;
}

// ---------------------------------------------------------------------------------------------------
// Links between resources in a stack policy.

/**
 * The resources among `candidates` that `resource`'s input `property` refers to. First by the engine's
 * property dependencies (an id or ARN that flowed from that resource: works in a preview, where new
 * ids are still unknown); then by value, comparing known strings with the candidates' `keys` outputs
 * (works for references given as literal ids, e.g. an existing security group).
 */
export function referencedBy(resource: PolicyResource, property: string, candidates: readonly PolicyResource[], keys: readonly string[] = ["id", "arn"]): PolicyResource[] {
    const urns = new Set((resource.propertyDependencies?.[property] ?? []).map((d) => d.urn));
    const values = new Set(knownStrings(() => resource.props[property]));
    return candidates.filter(
        (c) =>
            urns.has(c.urn) ||
            keys.some((k) => {
                const v = peek(() => c.props[k]);
                return typeof v === "string" && values.has(v);
            }),
    );
}

/** Known strings anywhere inside a value: nested objects and arrays, unknown parts skipped. */
export function knownStringsDeep(read: () => unknown, depth = 0): string[] {
    const value = peek(read);
    if (typeof value === "string") return [value];
    if (value === UNKNOWN || value === null || typeof value !== "object" || depth > 5) return [];
    const keys: (string | number)[] = Array.isArray(value) ? Array.from({ length: value.length }, (_, i) => i) : Object.keys(value);
    return keys.flatMap((k) => knownStringsDeep(() => (value as any)[k], depth + 1));
}

/**
 * Inputs through which a resource joins security groups: `vpcSecurityGroupIds` (instances, launch
 * templates, RDS), `securityGroupIds` (VPC endpoints), `securityGroups` (instances, network
 * interfaces), and the nested lists of `vpcConfig` (Lambda) and `networkInterfaces` (launch templates).
 */
export const SECURITY_GROUP_USER_PROPERTIES = ["vpcSecurityGroupIds", "securityGroupIds", "securityGroups", "vpcConfig", "networkInterfaces"] as const;

/**
 * The groups among `groups` that `resource` joins through one of SECURITY_GROUP_USER_PROPERTIES: by
 * property dependency (a preview, ids unknown) or by a known id or name anywhere in those inputs.
 */
export function groupsJoinedBy(resource: PolicyResource, groups: readonly PolicyResource[]): PolicyResource[] {
    const urns = new Set(SECURITY_GROUP_USER_PROPERTIES.flatMap((p) => (resource.propertyDependencies?.[p] ?? []).map((d) => d.urn)));
    const values = new Set(SECURITY_GROUP_USER_PROPERTIES.flatMap((p) => knownStringsDeep(() => resource.props[p])));
    return groups.filter(
        (g) =>
            urns.has(g.urn) ||
            ["id", "name"].some((k) => {
                const v = peek(() => g.props[k]);
                return typeof v === "string" && values.has(v);
            }),
    );
}

/** The resources of any of `types` (for `T.loadBalancers` and the other type lists). */
export function ofTypes(resources: readonly PolicyResource[], types: readonly string[]): PolicyResource[] {
    return resources.filter((r) => types.includes(r.type));
}

// ---------------------------------------------------------------------------------------------------
// Load balancers.

/** An application load balancer (the default `loadBalancerType`), unknown counted as one. */
export function isApplicationLb(props: Record<string, any>): boolean {
    const type = peek(() => props.loadBalancerType);
    return type === undefined || type === null || type === UNKNOWN || type === "application";
}

/** Internet-facing unless `internal` is known to be true. */
export function isInternetFacing(props: Record<string, any>): boolean {
    return peek(() => props.internal) !== true;
}

/**
 * Security policies whose minimum is TLS 1.2. Not `ELBSecurityPolicy-TLS13-*` as a whole:
 * `ELBSecurityPolicy-TLS13-1-0-2021-06` and `-1-1-` (and their FIPS variants) still accept TLS 1.0/1.1;
 * and not the default `ELBSecurityPolicy-2016-08` that AWS applies when `sslPolicy` is left out
 * through the API (TLS 1.0+). https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
 */
export const TLS12_POLICY_PATTERNS: readonly RegExp[] = [/^ELBSecurityPolicy-TLS13-1-[23]-/, /^ELBSecurityPolicy-TLS-1-2-/, /^ELBSecurityPolicy-FS-1-2-/];

export function isTls12Policy(name: unknown): boolean {
    return typeof name === "string" && TLS12_POLICY_PATTERNS.some((p) => p.test(name));
}

// ---------------------------------------------------------------------------------------------------
// Tags.

/** Tags every taggable resource must end up with, by default. */
export const DEFAULT_REQUIRED_TAGS = ["Project", "Stack", "Owner", "CostCenter"] as const;

/**
 * The tags an AWS provider adds to every taggable resource. The Node SDK sends the provider's
 * `defaultTags` JSON-encoded (`{"tags":{…}}`); other SDKs or a stack's `aws:defaultTags` config may
 * hand it over as an object. Unknown or malformed: none.
 */
export function providerDefaultTags(props: Record<string, any> | undefined): Record<string, string> {
    if (props === undefined) return {};
    let value = peek(() => props.defaultTags);
    if (value === UNKNOWN || value === undefined || value === null) return {};
    if (typeof value === "string") {
        try {
            value = JSON.parse(value);
        } catch {
            return {};
        }
    }
    const tags = peek(() => (value as any)?.tags);
    if (tags === UNKNOWN || typeof tags !== "object" || tags === null) return {};
    const out: Record<string, string> = {};
    for (const key of Object.keys(tags)) {
        const v = peek(() => (tags as any)[key]);
        if (typeof v === "string") out[key] = v;
    }
    return out;
}

/**
 * Keys of a resource's own `tags` with a value that is set (non-empty) or unknown (an output that will
 * be set). Undefined when `tags` itself is unknown.
 */
export function ownTagKeys(props: Record<string, any>): Known<string[]> {
    const tags = peek(() => props.tags);
    if (tags === UNKNOWN) return UNKNOWN;
    if (typeof tags !== "object" || tags === null) return [];
    return Object.keys(tags).filter((k) => {
        const v = peek(() => (tags as any)[k]);
        return v === UNKNOWN || (typeof v === "string" && v.trim() !== "");
    });
}

/**
 * AWS resource types this project uses that take tags. A resource also counts as taggable when it has
 * `tags` or `tagsAll` (every taggable pulumi-aws resource has a computed `tagsAll` output); the list
 * covers taggable resources declared without tags, whose outputs a preview may not show.
 */
export const TAGGABLE_TYPES: ReadonlySet<string> = new Set([
    "aws:acm/certificate:Certificate",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm",
    "aws:ec2/eip:Eip",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/instance:Instance",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:ebs/volume:Volume",
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:kms/key:Key",
    "aws:lambda/function:Function",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/targetGroup:TargetGroup",
    "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule",
    "aws:rds/instance:Instance",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:route53/healthCheck:HealthCheck",
    "aws:route53/zone:Zone",
    "aws:s3/bucket:Bucket",
    "aws:secretsmanager/secret:Secret",
    "aws:sns/topic:Topic",
    "aws:ssm/parameter:Parameter",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:wafv2/webAcl:WebAcl",
]);

/** Whether an AWS resource takes tags (by type, or because it has `tags`/`tagsAll`). */
export function isTaggable(type: string, props: Record<string, any>): boolean {
    return type.startsWith("aws:") && (TAGGABLE_TYPES.has(type) || "tags" in props || "tagsAll" in props);
}
