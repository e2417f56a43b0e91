/**
 * The plain records the plan works on, and look-ups over them. Pure: no Pulumi, no mocks, so the
 * analyses are unit-tested with hand-built records as well as run on the real stack.
 *
 * A record is what the mock engine saw for one resource: its type token, logical name, the inputs
 * the program declared (references to other resources already resolved to their ids/ARNs) and the
 * state the engine returned (inputs + computed outputs such as `id`, `arn`, `dnsName`).
 */

export interface PlanRecord {
    /** Pulumi type token, e.g. `aws:ec2/instance:Instance` or `web-infra:network:Network`. */
    readonly type: string;
    /** Logical name, e.g. `web-server-1`. */
    readonly name: string;
    /** Declared inputs, other resources' ids and ARNs resolved. */
    readonly inputs: Readonly<Record<string, any>>;
    /** Inputs plus computed outputs. */
    readonly state?: Readonly<Record<string, any>>;
    /** The provider id (`i-…`, `subnet-…`); other resources' inputs refer to it. */
    readonly id?: string;
    readonly urn?: string;
    readonly parentUrn?: string;
    /** Dotted input paths that were Pulumi secrets. */
    readonly secretPaths?: readonly string[];
    readonly protect?: boolean;
    /** Inputs `pulumi up` never sends after creation (the resource option). */
    readonly ignoreChanges?: readonly string[];
}

/** Type tokens the analyses read. pulumi-aws registers ALB resources under `aws:lb/*` (and the `aws:alb/*` aliases). */
export const T = {
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    natGateway: "aws:ec2/natGateway:NatGateway",
    routeTable: "aws:ec2/routeTable:RouteTable",
    route: "aws:ec2/route:Route",
    routeTableAssociation: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    instance: "aws:ec2/instance:Instance",
    autoScalingGroup: "aws:autoscaling/group:Group",
    loadBalancer: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
    targetGroup: ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"],
    listener: ["aws:lb/listener:Listener", "aws:alb/listener:Listener"],
    targetGroupAttachment: ["aws:lb/targetGroupAttachment:TargetGroupAttachment", "aws:alb/targetGroupAttachment:TargetGroupAttachment"],
    dbInstance: "aws:rds/instance:Instance",
    dbCluster: "aws:rds/cluster:Cluster",
    metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    compositeAlarm: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
    topic: "aws:sns/topic:Topic",
    topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    webAclAssociation: "aws:wafv2/webAclAssociation:WebAclAssociation",
    record: "aws:route53/record:Record",
    healthCheck: "aws:route53/healthCheck:HealthCheck",
    certificate: "aws:acm/certificate:Certificate",
} as const;

/** Indexed access to a list of records. */
export class RecordSet {
    private readonly byId = new Map<string, PlanRecord>();

    constructor(public readonly all: readonly PlanRecord[]) {
        for (const r of all) {
            const id = idOf(r);
            if (id !== undefined && !this.byId.has(id)) this.byId.set(id, r);
        }
    }

    /** Records of one type (or any of several, e.g. the `aws:lb` and `aws:alb` spellings). */
    of(type: string | readonly string[]): PlanRecord[] {
        const types = typeof type === "string" ? [type] : type;
        return this.all.filter((r) => types.includes(r.type));
    }

    /** The record another resource's input refers to by id or ARN. */
    byRef(ref: unknown): PlanRecord | undefined {
        if (typeof ref !== "string" || ref === "") return undefined;
        const direct = this.byId.get(ref);
        if (direct) return direct;
        return this.all.find((r) => r.state?.arn === ref);
    }

    /** Zone of a subnet given by id. */
    subnetZone(subnetId: unknown): string | undefined {
        const subnet = this.byRef(subnetId);
        return subnet?.type === T.subnet ? str(subnet.inputs.availabilityZone ?? subnet.state?.availabilityZone) : undefined;
    }

    /** Every zone any subnet is in, sorted. */
    zones(): string[] {
        return uniqueSorted(this.of(T.subnet).map((s) => str(s.inputs.availabilityZone ?? s.state?.availabilityZone)));
    }
}

/** The provider id of a record (hand-built records may carry it in `state.id`). */
export function idOf(r: PlanRecord): string | undefined {
    return r.id ?? str(r.state?.id);
}

/** A record's input, falling back to its state (where the engine filled in a default). */
export function field(r: PlanRecord, key: string): any {
    return r.inputs[key] !== undefined ? r.inputs[key] : r.state?.[key];
}

export function str(v: unknown): string | undefined {
    return typeof v === "string" && v !== "" ? v : undefined;
}

export function num(v: unknown): number | undefined {
    if (typeof v === "number" && Number.isFinite(v)) return v;
    if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
    return undefined;
}

export function uniqueSorted(values: readonly (string | undefined)[]): string[] {
    return [...new Set(values.filter((v): v is string => v !== undefined))].sort();
}

/** `{us-east-1a: 2, us-east-1b: 1}` from a list of zones (undefined ⇒ "unknown zone"). */
export function countByZone(zones: readonly (string | undefined)[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const z of zones) out[z ?? "unknown zone"] = (out[z ?? "unknown zone"] ?? 0) + 1;
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** "us-east-1a: 2, us-east-1b: 1" */
export function formatZoneCounts(counts: Readonly<Record<string, number>>): string {
    const entries = Object.entries(counts);
    return entries.length === 0 ? "none" : entries.map(([z, n]) => `${z}: ${n}`).join(", ");
}
