/**
 * The architecture as the declared resources describe it: which zones the load balancer, the web
 * servers, the NAT gateways and the database instances are in, how failures are detected, what is
 * watched. Pure; built from records only (never from the stack config), so the plan reports what the
 * program really declares.
 */
import { FleetInfo, fleetsOf, spreadOverZones, standbyCount } from "./fleet";
import { PlanRecord, RecordSet, T, field, idOf, num, str, uniqueSorted } from "./records";

export interface LoadBalancerInfo {
    readonly name: string;
    readonly internal: boolean;
    readonly zones: string[];
    readonly dnsName?: string;
    readonly deletionProtection: boolean;
}

export interface ListenerInfo {
    readonly name: string;
    readonly protocol: string;
    readonly port?: number;
    /** The default action redirects (HTTP → HTTPS). */
    readonly redirects: boolean;
}

export interface TargetGroupInfo {
    readonly name: string;
    /** `round_robin` when not declared (the AWS default). */
    readonly algorithm: string;
    readonly healthCheckPath?: string;
    /** Seconds; the ALB defaults (30 s, 2 unhealthy, 5 healthy, 300 s) when not declared. */
    readonly healthCheckInterval: number;
    readonly unhealthyThreshold: number;
    readonly healthyThreshold: number;
    readonly deregistrationDelay: number;
    /** Health-check interval × unhealthy threshold: how long a dead target keeps receiving requests. */
    readonly failureDetectionSeconds: number;
}

export interface ServerInfo {
    readonly name: string;
    readonly zone?: string;
    readonly instanceType?: string;
    readonly id?: string;
    /** Declared by an Auto Scaling group rather than as an instance (one entry per instance at its minimum). */
    readonly fromGroup?: string;
}

export interface NatInfo {
    readonly name: string;
    readonly zone?: string;
    readonly id?: string;
}

/** A subnet whose default route goes through a NAT gateway. */
export interface EgressRoute {
    readonly subnet: string;
    readonly zone?: string;
    readonly natName?: string;
    readonly natZone?: string;
}

export interface DbInstanceInfo {
    readonly name: string;
    readonly identifier?: string;
    readonly zone?: string;
    /** The zone was declared (else it is what AWS would pick, or unknown). */
    readonly zoneDeclared: boolean;
    readonly multiAz: boolean;
    readonly instanceClass?: string;
    /** For a replica: its source (identifier or ARN). */
    readonly source?: string;
    readonly address?: string;
}

/** An RDS Multi-AZ DB cluster (engine mysql with a `dbClusterInstanceClass`): writer + 2 readable standbys. */
export interface DbClusterInfo {
    readonly name: string;
    readonly identifier?: string;
    readonly instanceClass?: string;
    /** The three zones of its instances. */
    readonly zones: string[];
    readonly storageType?: string;
    readonly allocatedStorage?: number;
    readonly iops?: number;
    readonly endpoint?: string;
    readonly readerEndpoint?: string;
}

export interface AlarmInfo {
    readonly name: string;
    readonly metric?: string;
    readonly actions: number;
    /** The alarm's inputs as text, to see which resources it watches. */
    readonly text: string;
}

export interface Topology {
    readonly zones: string[];
    readonly loadBalancers: LoadBalancerInfo[];
    readonly listeners: ListenerInfo[];
    readonly targetGroups: TargetGroupInfo[];
    /** Servers that serve (registered in a target group, or every instance when none is). */
    readonly servers: ServerInfo[];
    /**
     * Standbys outside the target group that a function moves in service when the active servers fail
     * (active-passive): a group's Standby servers, or fixed instances an alarm-driven function
     * registers; with the function's name.
     */
    readonly standbys: ServerInfo[];
    readonly failoverFunction?: string;
    /** Auto Scaling groups (the web fleet): size range, zones, health checks, warm pool, scaling. */
    readonly fleets: FleetInfo[];
    readonly natGateways: NatInfo[];
    readonly egress: EgressRoute[];
    readonly dbWriters: DbInstanceInfo[];
    readonly dbReplicas: DbInstanceInfo[];
    /** Multi-AZ DB clusters (no `aws:rds/instance:Instance` of ours: RDS runs their three instances). */
    readonly dbClusters: DbClusterInfo[];
    readonly alarms: AlarmInfo[];
    readonly dashboards: number;
    readonly topics: string[];
    readonly subscriptions: { protocol: string; endpoint?: string }[];
    readonly webAcls: string[];
    /** Web ACLs associated with a load balancer. */
    readonly wafOnLoadBalancer: boolean;
    readonly dnsRecords: { name: string; type: string; alias: boolean; target?: string }[];
    readonly healthChecks: number;
    readonly certificates: string[];
}

// AWS defaults for an ALB target group (CreateTargetGroup, HTTP/HTTPS targets).
const TG_DEFAULTS = { interval: 30, unhealthy: 2, healthy: 5, deregistration: 300 };

function loadBalancers(rs: RecordSet): LoadBalancerInfo[] {
    return rs.of(T.loadBalancer).map((lb) => {
        const subnets: unknown[] = [
            ...((field(lb, "subnets") as unknown[] | undefined) ?? []),
            ...(((field(lb, "subnetMappings") as { subnetId?: unknown }[] | undefined) ?? []).map((m) => m.subnetId)),
        ];
        return {
            name: lb.name,
            internal: field(lb, "internal") === true,
            zones: uniqueSorted(subnets.map((s) => rs.subnetZone(s))),
            dnsName: str(lb.state?.dnsName),
            deletionProtection: field(lb, "enableDeletionProtection") === true,
        };
    });
}

function listeners(rs: RecordSet): ListenerInfo[] {
    return rs.of(T.listener).map((l) => {
        const actions = (field(l, "defaultActions") as { type?: string }[] | undefined) ?? [];
        return {
            name: l.name,
            protocol: String(field(l, "protocol") ?? "HTTP").toUpperCase(),
            port: num(field(l, "port")),
            redirects: actions.some((a) => a.type === "redirect"),
        };
    });
}

function targetGroups(rs: RecordSet): TargetGroupInfo[] {
    return rs.of(T.targetGroup).map((tg) => {
        const hc = (field(tg, "healthCheck") as Record<string, unknown> | undefined) ?? {};
        const interval = num(hc.interval) ?? TG_DEFAULTS.interval;
        const unhealthy = num(hc.unhealthyThreshold) ?? TG_DEFAULTS.unhealthy;
        return {
            name: tg.name,
            algorithm: str(field(tg, "loadBalancingAlgorithmType")) ?? "round_robin",
            healthCheckPath: str(hc.path),
            healthCheckInterval: interval,
            unhealthyThreshold: unhealthy,
            healthyThreshold: num(hc.healthyThreshold) ?? TG_DEFAULTS.healthy,
            deregistrationDelay: num(field(tg, "deregistrationDelay")) ?? TG_DEFAULTS.deregistration,
            failureDetectionSeconds: interval * unhealthy,
        };
    });
}

function instanceZone(rs: RecordSet, r: PlanRecord): string | undefined {
    return str(r.inputs.availabilityZone) ?? rs.subnetZone(r.inputs.subnetId) ?? str(r.state?.availabilityZone);
}

/**
 * The web servers: instances registered in a target group when there are any attachments (so a
 * bastion or a worker is not counted), else every instance; plus each Auto Scaling group at its
 * minimum (or declared desired) capacity, spread over its subnets' zones the way EC2 Auto Scaling
 * balances them (fleet.ts `spreadOverZones`).
 */
function servers(rs: RecordSet, fleets: readonly FleetInfo[]): ServerInfo[] {
    const attached = new Set(rs.of(T.targetGroupAttachment).map((a) => str(a.inputs.targetId)));
    const instances = rs.of(T.instance);
    const serving = attached.size > 0 ? instances.filter((i) => attached.has(idOf(i))) : instances;
    const out: ServerInfo[] = serving.map((i) => ({
        name: i.name,
        zone: instanceZone(rs, i),
        instanceType: str(field(i, "instanceType")),
        id: idOf(i),
    }));
    for (const f of fleets) {
        let n = 0;
        for (const [zone, count] of Object.entries(spreadOverZones(f.desiredCapacity ?? f.minSize, f.zones))) {
            for (let i = 0; i < count; i++) out.push({ name: `${f.name}[${++n}]`, zone: zone === "unknown zone" ? undefined : zone, instanceType: f.instanceType, fromGroup: f.name });
        }
    }
    return out;
}

/**
 * A group's Standby servers (active-passive): running, in the Auto Scaling `Standby` state, so not
 * registered in the target group, kept by the group's failover function. Their zones are AWS's choice
 * among the group's, so none is given.
 */
function fleetStandbys(fleets: readonly FleetInfo[]): ServerInfo[] {
    return fleets.flatMap((f) => Array.from({ length: standbyCount(f) }, (_, i) => ({ name: `${f.name} standby ${i + 1}`, instanceType: f.instanceType, fromGroup: f.name })));
}

/**
 * Standby servers: instances a Lambda function registers on failover, found through the function's
 * `STANDBY_TARGETS` environment variable (JSON `[{Id, Port}]`, as components/standbyFailover.ts sets it)
 * when an alarm invokes that function.
 */
function standbys(rs: RecordSet): { servers: ServerInfo[]; fn?: string } {
    for (const fn of rs.of("aws:lambda/function:Function")) {
        const raw = (field(fn, "environment") as { variables?: Record<string, unknown> } | undefined)?.variables?.STANDBY_TARGETS;
        let targets: { Id?: string }[] = [];
        try {
            targets = typeof raw === "string" ? JSON.parse(raw) : [];
        } catch {
            continue;
        }
        const arn = str(fn.state?.arn);
        const invoked = rs.of(T.metricAlarm).some((a) => ((a.inputs.alarmActions as unknown[] | undefined) ?? []).includes(arn));
        if (targets.length === 0 || !invoked) continue;
        const ids = new Set(targets.map((t) => t.Id));
        const servers = rs
            .of(T.instance)
            .filter((i) => ids.has(idOf(i)))
            .map((i) => ({ name: i.name, zone: instanceZone(rs, i), instanceType: str(field(i, "instanceType")), id: idOf(i) }));
        return { servers, fn: fn.name };
    }
    return { servers: [] };
}

function natGateways(rs: RecordSet): NatInfo[] {
    return rs.of(T.natGateway).map((n) => ({ name: n.name, zone: rs.subnetZone(n.inputs.subnetId), id: idOf(n) }));
}

/** Subnets whose IPv4 default route goes to a NAT gateway, and that NAT's zone. */
function egress(rs: RecordSet): EgressRoute[] {
    const natOfTable = new Map<string, string>();
    for (const route of rs.of(T.route)) {
        const nat = str(route.inputs.natGatewayId);
        const table = str(route.inputs.routeTableId);
        if (nat && table && (route.inputs.destinationCidrBlock ?? "0.0.0.0/0") === "0.0.0.0/0") natOfTable.set(table, nat);
    }
    for (const table of rs.of(T.routeTable)) {
        const inline = ((table.inputs.routes as { natGatewayId?: string; cidrBlock?: string }[] | undefined) ?? []).find(
            (r) => str(r.natGatewayId) && (r.cidrBlock ?? "0.0.0.0/0") === "0.0.0.0/0",
        );
        const id = idOf(table);
        if (inline && id) natOfTable.set(id, inline.natGatewayId as string);
    }
    const out: EgressRoute[] = [];
    for (const assoc of rs.of(T.routeTableAssociation)) {
        const nat = natOfTable.get(String(assoc.inputs.routeTableId));
        const subnet = rs.byRef(assoc.inputs.subnetId);
        if (nat === undefined || subnet === undefined) continue;
        const natRecord = rs.byRef(nat);
        out.push({
            subnet: subnet.name,
            zone: rs.subnetZone(assoc.inputs.subnetId),
            natName: natRecord?.name,
            natZone: natRecord ? rs.subnetZone(natRecord.inputs.subnetId) : undefined,
        });
    }
    return out.sort((a, b) => a.subnet.localeCompare(b.subnet));
}

function dbInstance(r: PlanRecord): DbInstanceInfo {
    const declaredZone = str(r.inputs.availabilityZone);
    return {
        name: r.name,
        identifier: str(field(r, "identifier")),
        zone: declaredZone ?? str(r.state?.availabilityZone),
        zoneDeclared: declaredZone !== undefined,
        multiAz: field(r, "multiAz") === true,
        instanceClass: str(field(r, "instanceClass")),
        source: str(r.inputs.replicateSourceDb),
        address: str(r.state?.address),
    };
}

function dbCluster(r: PlanRecord): DbClusterInfo {
    return {
        name: r.name,
        identifier: str(field(r, "clusterIdentifier")),
        instanceClass: str(field(r, "dbClusterInstanceClass")),
        zones: ((field(r, "availabilityZones") as unknown[] | undefined) ?? []).map(String),
        storageType: str(field(r, "storageType")),
        allocatedStorage: num(field(r, "allocatedStorage")),
        iops: num(field(r, "iops")),
        endpoint: str(r.state?.endpoint),
        readerEndpoint: str(r.state?.readerEndpoint),
    };
}

function alarms(rs: RecordSet): AlarmInfo[] {
    return [...rs.of(T.metricAlarm), ...rs.of(T.compositeAlarm)].map((a) => ({
        name: a.name,
        metric: str(a.inputs.metricName) ?? (a.type === T.compositeAlarm ? "composite" : a.inputs.metricQueries ? "metric math" : undefined),
        actions: ((a.inputs.alarmActions as unknown[] | undefined) ?? []).length,
        text: JSON.stringify(a.inputs),
    }));
}

/** Derive the topology from the declared resources. */
export function topologyOf(records: readonly PlanRecord[]): Topology {
    const rs = new RecordSet(records);
    const db = rs.of(T.dbInstance).map(dbInstance);
    const lbArns = new Set(rs.of(T.loadBalancer).map((lb) => str(lb.state?.arn) ?? idOf(lb)));
    const standby = standbys(rs);
    const standbyIds = new Set(standby.servers.map((s) => s.id));
    const fleets = fleetsOf(records, rs);
    return {
        zones: rs.zones(),
        loadBalancers: loadBalancers(rs),
        listeners: listeners(rs),
        targetGroups: targetGroups(rs),
        servers: servers(rs, fleets).filter((s) => s.id === undefined || !standbyIds.has(s.id)),
        standbys: [...standby.servers, ...fleetStandbys(fleets)],
        failoverFunction: standby.fn ?? fleets.find((f) => f.standbyFunction)?.standbyFunction?.name,
        fleets,
        natGateways: natGateways(rs),
        egress: egress(rs),
        dbWriters: db.filter((d) => d.source === undefined),
        dbReplicas: db.filter((d) => d.source !== undefined),
        // Multi-AZ DB clusters only: an Aurora cluster has no dbClusterInstanceClass.
        dbClusters: rs
            .of(T.dbCluster)
            .filter((c) => field(c, "dbClusterInstanceClass") !== undefined)
            .map(dbCluster),
        alarms: alarms(rs),
        dashboards: rs.of(T.dashboard).length,
        topics: rs.of(T.topic).map((t) => t.name),
        subscriptions: rs.of(T.topicSubscription).map((s) => ({ protocol: String(s.inputs.protocol ?? "?"), endpoint: str(s.inputs.endpoint) })),
        webAcls: rs.of(T.webAcl).map((w) => w.name),
        wafOnLoadBalancer: rs.of(T.webAclAssociation).some((a) => lbArns.has(str(a.inputs.resourceArn))),
        dnsRecords: rs.of(T.record).map((r) => {
            const aliases = (r.inputs.aliases as { name?: string }[] | undefined) ?? [];
            return {
                name: String(r.inputs.name ?? r.name),
                type: String(r.inputs.type ?? "?"),
                alias: aliases.length > 0,
                target: aliases[0]?.name ?? ((r.inputs.records as string[] | undefined) ?? [])[0],
            };
        }),
        healthChecks: rs.of(T.healthCheck).length,
        certificates: rs.of(T.certificate).map((c) => String(c.inputs.domainName ?? c.name)),
    };
}

/**
 * The writer: the standalone DB instance (no `replicateSourceDb`) the replicas or a `writer` DNS
 * name point at; after a promotion there may be two standalone instances.
 */
export function primaryWriter(t: Topology): DbInstanceInfo | undefined {
    if (t.dbWriters.length <= 1) return t.dbWriters[0];
    const named = t.dnsRecords.find((r) => /writer/.test(r.name) && r.target !== undefined);
    const byDns = named && t.dbWriters.find((w) => w.address !== undefined && named.target?.replace(/\.$/, "") === w.address);
    if (byDns) return byDns;
    const sources = new Set(t.dbReplicas.map((r) => r.source));
    return t.dbWriters.find((w) => sources.has(w.identifier)) ?? t.dbWriters[0];
}
