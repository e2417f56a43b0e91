/**
 * The plan's summary: what the stack declares, grouped by component and type, and the numbers a
 * reviewer asks about (URL, HTTPS, LB algorithm, failure detection, servers and DB instances per
 * zone, alarms, policy result). Pure: records and the stack outputs in, a summary out.
 */
import { WRITER_FAILOVER_SECONDS } from "../../components/lib/rds";
import { CostEstimate } from "./cost";
import { FleetInfo, ScalingTarget, Timing, failoverTime, hasRunningStandbys, replacementTime, spreadOverZones, standbyCount, timingText, warmPoolSize } from "./fleet";
import { PlanRecord, countByZone, formatZoneCounts, str } from "./records";
import { MAX_LINE_WIDTH, plural, wrap } from "./text";
import { Topology, primaryWriter, topologyOf } from "./topology";

export interface PolicyViolation {
    readonly policy: string;
    readonly message: string;
    readonly resource?: string;
    /** A mandatory violation fails the plan; an advisory one is reported only. */
    readonly mandatory: boolean;
}

export type PolicyResult =
    | { readonly available: false; readonly reason: string }
    | { readonly available: true; readonly pack: string; readonly policies: number; readonly violations: readonly PolicyViolation[] };

export interface ComponentGroup {
    /** `network (web-infra:network:Network)`, or `(stack)` for resources outside any component. */
    readonly component: string;
    readonly count: number;
    readonly types: Readonly<Record<string, number>>;
}

export interface PlanSummary {
    readonly stack: string;
    readonly environment?: string;
    readonly region?: string;
    readonly total: number;
    readonly components: readonly ComponentGroup[];
    readonly url?: string;
    readonly https: boolean;
    readonly httpRedirectsToHttps: boolean;
    readonly lbAlgorithm?: string;
    readonly failureDetection?: { intervalSeconds: number; unhealthyThreshold: number; seconds: number; deregistrationDelaySeconds: number };
    readonly serversPerZone: Readonly<Record<string, number>>;
    readonly serverTypes: readonly string[];
    /** Active-passive: warm standbys per zone, outside the target group until a failover. */
    readonly standbysPerZone: Readonly<Record<string, number>>;
    /** The web fleet (an Auto Scaling group), when the stack declares one. */
    readonly fleet?: FleetSummary;
    readonly dbWriter?: { name: string; zone?: string; multiAz: boolean; instanceClass?: string };
    /** A Multi-AZ DB cluster instead of instances. */
    readonly dbCluster?: { name: string; instanceClass?: string; zones: readonly string[] };
    readonly dbReplicasPerZone: Readonly<Record<string, number>>;
    readonly alarms: number;
    readonly dashboards: number;
    readonly waf: boolean;
    readonly policy: PolicyResult;
    readonly cost?: CostEstimate;
}

/** What the plan says about an Auto Scaling group: size, spread, scaling, standbys, timings. */
export interface FleetSummary {
    readonly name: string;
    readonly minSize: number;
    readonly maxSize: number;
    /** Declared desired capacity (a mistake: every `pulumi up` would reset what the scaler chose). */
    readonly desiredCapacity?: number;
    readonly instanceType?: string;
    readonly zones: readonly string[];
    /** Servers per zone at the minimum and at the maximum, as AWS balances them. */
    readonly atMinimum: Readonly<Record<string, number>>;
    readonly atMaximum: Readonly<Record<string, number>>;
    readonly healthCheckType: string;
    readonly gracePeriodSeconds: number;
    readonly scaling: readonly ScalingTarget[];
    /** Warm-pool instances at the minimum, and their state (for scale-out: not counted as failover standbys). */
    readonly warmStandbys?: { readonly count: number; readonly poolState: string };
    /** Active-passive: servers in the Auto Scaling Standby state, and the function that keeps them. */
    readonly standbys?: { readonly count: number; readonly functionName: string };
    /** Desired capacity declared for creation only (`ignoreChanges`). */
    readonly desiredAtCreation?: number;
    /** Failure → replacement serving (undefined: the group does not replace on ELB health). */
    readonly replacement?: Timing;
    /** Active-passive: active's failure → a standby serving. */
    readonly failover?: Timing;
}

function fleetSummary(fleet: FleetInfo, t: Topology): FleetSummary {
    const tg = t.targetGroups.find((g) => fleet.targetGroups.includes(g.name)) ?? t.targetGroups[0];
    const figures = tg && { intervalSeconds: tg.healthCheckInterval, unhealthyThreshold: tg.unhealthyThreshold, healthyThreshold: tg.healthyThreshold };
    const min = fleet.desiredCapacity ?? fleet.minSize;
    const pool = warmPoolSize(fleet, min);
    return {
        name: fleet.name,
        minSize: fleet.minSize,
        maxSize: fleet.maxSize,
        desiredCapacity: fleet.desiredCapacity,
        instanceType: fleet.instanceType,
        zones: fleet.zones,
        atMinimum: spreadOverZones(min, fleet.zones),
        atMaximum: spreadOverZones(fleet.maxSize, fleet.zones),
        healthCheckType: fleet.healthCheckType,
        gracePeriodSeconds: fleet.gracePeriodSeconds,
        scaling: fleet.scaling,
        warmStandbys: fleet.warmPool && pool > 0 ? { count: pool, poolState: fleet.warmPool.poolState } : undefined,
        standbys: fleet.standbyFunction && standbyCount(fleet) > 0 ? { count: standbyCount(fleet), functionName: fleet.standbyFunction.name } : undefined,
        desiredAtCreation: fleet.desiredAtCreation,
        replacement: figures && replacementTime(fleet, figures),
        failover: figures && min === 1 && hasRunningStandbys(fleet) ? failoverTime(fleet, figures) : undefined,
    };
}

const zoneCounts = (c: Readonly<Record<string, number>>) => `${Object.values(c).join("+")} (${formatZoneCounts(c)})`;

/** The fleet's facts: label/value pairs for the summary. */
function fleetFacts(f: FleetSummary): [string, string][] {
    const out: [string, string][] = [
        [
            "web fleet",
            `Auto Scaling group ${f.name}${f.instanceType ? ` of ${f.instanceType}` : ""} over ${plural(f.zones.length, "zone")}; at minimum ${f.minSize}: ${zoneCounts(f.atMinimum)}; at maximum ${f.maxSize}: ${zoneCounts(f.atMaximum)} — AWS keeps the zones balanced (which zone gets an odd one out is its choice)` +
                (f.desiredCapacity !== undefined ? `; desiredCapacity declared (${f.desiredCapacity}): every pulumi up resets what the scaler chose` : "") +
                (f.desiredAtCreation !== undefined ? `; desiredCapacity ${f.desiredAtCreation} at creation only (ignoreChanges): pulumi up never sends it again` : ""),
        ],
        [
            "scaling",
            `${f.minSize}–${f.maxSize} servers; ` +
                (f.scaling.length > 0 ? `target tracking: ${f.scaling.map((s) => `${s.metric} → ${s.target ?? "?"}`).join(", ")}` : "no target-tracking policy (the group stays at its minimum)"),
        ],
        ["health checks", `${f.healthCheckType}${f.healthCheckType === "ELB" ? "" : " (a server whose web server fails is never replaced)"}, grace period ${f.gracePeriodSeconds} s`],
    ];
    if (f.warmStandbys) {
        out.push([
            "warm pool",
            `${f.warmStandbys.count} (${f.warmStandbys.poolState}; not InService, so outside the target group${f.warmStandbys.poolState === "Running" ? "; billed as running instances" : ""}): AWS documents it for scale-out, not for replacing a failed server, so no failover is counted on it`,
        ]);
    }
    if (f.standbys) {
        out.push(["standbys", `${f.standbys.count} in the Auto Scaling Standby state (running, deregistered from the target group; billed as running instances), kept and moved in service by ${f.standbys.functionName}`]);
    }
    if (f.failover) out.push(["failover time", `active's failure → a Standby server serving: ${timingText(f.failover)}`]);
    out.push([
        "replacement time",
        f.replacement
            ? `${f.failover ? "failed server → its replacement ready as the next standby" : "failed server → a new one serving"}: ${timingText(f.replacement)}`
            : "none: the group does not replace on the target group's health (healthCheckType is not ELB, or no target group)",
    ]);
    return out;
}

const COMPONENT_PREFIX = "web-infra:";

/** The top-most `web-infra:*` component a record belongs to (following `parentUrn`), or `(stack)`. */
export function componentOf(r: PlanRecord, byUrn: ReadonlyMap<string, PlanRecord>): string {
    let top: PlanRecord | undefined = r.type.startsWith(COMPONENT_PREFIX) ? r : undefined;
    for (let p = r.parentUrn, guard = 0; p !== undefined && guard < 100; guard++) {
        const parent = byUrn.get(p);
        if (!parent) break;
        if (parent.type.startsWith(COMPONENT_PREFIX)) top = parent;
        p = parent.parentUrn;
    }
    return top ? `${top.name} (${top.type})` : "(stack)";
}

/** Custom (provider) resources grouped by top-level component, then by type, with counts. */
export function groupByComponent(records: readonly PlanRecord[]): ComponentGroup[] {
    const byUrn = new Map(records.filter((r) => r.urn).map((r) => [r.urn as string, r]));
    const groups = new Map<string, Record<string, number>>();
    for (const r of records) {
        if (r.type.startsWith(COMPONENT_PREFIX)) continue;
        const c = componentOf(r, byUrn);
        const types = groups.get(c) ?? {};
        types[r.type] = (types[r.type] ?? 0) + 1;
        groups.set(c, types);
    }
    return [...groups.entries()]
        .map(([component, types]) => ({
            component,
            count: Object.values(types).reduce((a, b) => a + b, 0),
            types: Object.fromEntries(Object.entries(types).sort(([a], [b]) => a.localeCompare(b))),
        }))
        .sort((a, b) => (a.component === "(stack)" ? 1 : b.component === "(stack)" ? -1 : a.component.localeCompare(b.component)));
}

/** The public URL from the stack outputs (`url`, `siteUrl`, …), else derived from the DNS record or the ALB. */
function publicUrl(outputs: Readonly<Record<string, unknown>>, t: Topology, https: boolean): string | undefined {
    const keys = Object.keys(outputs).sort((a, b) => (a === "url" ? -1 : b === "url" ? 1 : a.localeCompare(b)));
    for (const k of keys) {
        const v = outputs[k];
        if (/url/i.test(k) && typeof v === "string" && /^https?:\/\//.test(v)) return v;
    }
    const site = t.dnsRecords.find((r) => r.alias && !/writer|reader/.test(r.name));
    const host = site?.name.replace(/\.$/, "") ?? t.loadBalancers.find((l) => !l.internal)?.dnsName;
    return host ? `${https ? "https" : "http"}://${host}` : undefined;
}

export function summarize(args: {
    stack: string;
    records: readonly PlanRecord[];
    outputs: Readonly<Record<string, unknown>>;
    policy: PolicyResult;
    region?: string;
    cost?: CostEstimate;
}): PlanSummary {
    const { records, outputs } = args;
    const t = topologyOf(records);
    const https = t.listeners.some((l) => l.protocol === "HTTPS");
    const tg = t.targetGroups[0];
    const writer = primaryWriter(t);
    return {
        stack: args.stack,
        environment: str(outputs.environment),
        region: args.region,
        total: records.filter((r) => !r.type.startsWith(COMPONENT_PREFIX)).length,
        components: groupByComponent(records),
        url: publicUrl(outputs, t, https),
        https,
        httpRedirectsToHttps: https && t.listeners.some((l) => l.protocol === "HTTP" && l.redirects),
        lbAlgorithm: tg?.algorithm,
        failureDetection: tg && {
            intervalSeconds: tg.healthCheckInterval,
            unhealthyThreshold: tg.unhealthyThreshold,
            seconds: tg.failureDetectionSeconds,
            deregistrationDelaySeconds: tg.deregistrationDelay,
        },
        serversPerZone: countByZone(t.servers.map((s) => s.zone)),
        serverTypes: [...new Set(t.servers.map((s) => s.instanceType).filter((x): x is string => x !== undefined))],
        standbysPerZone: countByZone(t.standbys.map((s) => s.zone)),
        fleet: t.fleets.length > 0 ? fleetSummary(t.fleets.find((f) => f.targetGroups.length > 0) ?? t.fleets[0], t) : undefined,
        dbWriter: writer && { name: writer.name, zone: writer.zone, multiAz: writer.multiAz, instanceClass: writer.instanceClass },
        dbCluster: t.dbClusters[0] && { name: t.dbClusters[0].name, instanceClass: t.dbClusters[0].instanceClass, zones: t.dbClusters[0].zones },
        dbReplicasPerZone: countByZone(t.dbReplicas.map((r) => r.zone)),
        alarms: t.alarms.length,
        dashboards: t.dashboards,
        waf: t.webAcls.length > 0,
        policy: args.policy,
        cost: args.cost,
    };
}

export function policyLine(p: PolicyResult): string {
    if (!p.available) return `policy pack: not available (${p.reason})`;
    const mandatory = p.violations.filter((v) => v.mandatory).length;
    const advisory = p.violations.length - mandatory;
    const policies = plural(p.policies, "policy", "policies");
    if (p.violations.length === 0) return `policy pack ${p.pack}: passed (${policies}, no violations)`;
    return `policy pack ${p.pack}: ${mandatory > 0 ? "FAILED" : "passed"} (${policies}; ${mandatory} mandatory, ${plural(advisory, "advisory violation")})`;
}

/** The key facts as label/value pairs, shared by the terminal and Markdown renderings. */
function facts(s: PlanSummary): [string, string][] {
    const fd = s.failureDetection;
    const serverCount = Object.values(s.serversPerZone).reduce((a, b) => a + b, 0);
    const replicaCount = Object.values(s.dbReplicasPerZone).reduce((a, b) => a + b, 0);
    const standbyCount = Object.values(s.standbysPerZone ?? {}).reduce((a, b) => a + b, 0);
    return [
        ["stack", `${s.stack}${s.environment ? ` (${s.environment})` : ""}${s.region ? `, ${s.region}` : ""}`],
        ["public URL", s.url ?? "none (no internet-facing load balancer declared)"],
        ["HTTPS", s.https ? `on${s.httpRedirectsToHttps ? " (HTTP redirects to HTTPS)" : ""}` : "off (HTTP only; set `domain` or `certificateArn`)"],
        ["WAF", s.waf ? "on" : "off"],
        ["LB algorithm", s.lbAlgorithm ?? "n/a (no target group)"],
        [
            "failure detection",
            fd ? `${fd.intervalSeconds} s interval × ${fd.unhealthyThreshold} unhealthy checks = ${fd.seconds} s; deregistration delay ${fd.deregistrationDelaySeconds} s` : "n/a (no target group)",
        ],
        ...(s.fleet
            ? fleetFacts(s.fleet)
            : [
                  [
                      "web servers",
                      (serverCount === 0 ? "none" : `${serverCount}${s.serverTypes.length ? ` × ${s.serverTypes.join("/")}` : ""} — ${formatZoneCounts(s.serversPerZone)}`) +
                          (standbyCount > 0 ? `; active-passive: ${plural(standbyCount, "warm standby", "warm standbys")} — ${formatZoneCounts(s.standbysPerZone)}` : ""),
                  ] as [string, string],
              ]),
        ...dbFacts(s, replicaCount),
        ["alarms", `${s.alarms}${s.dashboards ? `, ${plural(s.dashboards, "dashboard")}` : ""}`],
        ["policy", policyLine(s.policy)],
        ...(s.cost ? [["estimated cost", `$${s.cost.total.toFixed(2)}/month (us-east-1 on-demand list prices, usage assumed; breakdown in PLAN.md)`] as [string, string]] : []),
    ];
}

/**
 * The database lines: the writer (instance or Multi-AZ DB cluster), the readers, and how the writer
 * fails over in this shape (times: components/lib/rds.ts WRITER_FAILOVER_SECONDS).
 */
function dbFacts(s: PlanSummary, replicaCount: number): [string, string][] {
    const c = s.dbCluster;
    if (c && !s.dbWriter) {
        return [
            ["DB writer", `Multi-AZ DB cluster ${c.name}: ${c.instanceClass ?? "?"} × 3 (writer + 2 readable standbys) in ${c.zones.join(", ") || "?"}`],
            ["DB readers", "2 readable standbys behind the cluster's reader endpoint"],
            ["DB failover", `automatic, typically under ${WRITER_FAILOVER_SECONDS.multiAzCluster} s; no committed write lost (semi-synchronous)`],
        ];
    }
    const w = s.dbWriter;
    return [
        ["DB primary", w ? `${w.name}${w.instanceClass ? ` ${w.instanceClass}` : ""} in ${w.zone ?? "?"}${w.multiAz ? " + Multi-AZ standby" : " (single-AZ)"}` : "none"],
        ["DB replicas", replicaCount === 0 ? "none" : `${replicaCount} — ${formatZoneCounts(s.dbReplicasPerZone)}`],
        ...(w
            ? [
                  [
                      "DB failover",
                      w.multiAz
                          ? `automatic to the synchronous standby, about 60-${WRITER_FAILOVER_SECONDS.multiAzInstance} s; no committed write lost`
                          : replicaCount > 0
                            ? "manual: promote a replica (docs/runbooks/db-writer-fails.md); writes since the replica's lag are lost"
                            : "none: writes stop until RDS recovers the instance or it is restored from backup",
                  ] as [string, string],
              ]
            : []),
    ];
}

export function summaryText(s: PlanSummary): string {
    const f = facts(s);
    const width = Math.max(...f.map(([k]) => k.length));
    // Values wrap under themselves, so the labels stay a column.
    const lines = f.map(([k, v]) => wrap(v, MAX_LINE_WIDTH, `  ${k.padEnd(width)}  `, " ".repeat(width + 4)));
    lines.push("", `  ${plural(s.total, "resource")}:`);
    for (const g of s.components) {
        lines.push(`    ${g.component}: ${g.count}`);
        for (const [type, n] of Object.entries(g.types)) lines.push(`      ${String(n).padStart(3)}  ${type}`);
    }
    if (s.policy.available && s.policy.violations.length > 0) {
        lines.push("", "  policy violations:");
        for (const v of s.policy.violations) {
            lines.push(wrap(`[${v.mandatory ? "mandatory" : "advisory"}] ${v.policy}${v.resource ? ` (${v.resource})` : ""}: ${v.message}`, MAX_LINE_WIDTH, "    ", "      "));
        }
    }
    return lines.join("\n");
}

/** The key facts (and policy violations) as Markdown. */
export function summaryMarkdown(s: PlanSummary): string {
    const lines = ["| | |", "|---|---|", ...facts(s).map(([k, v]) => `| ${k} | ${mdEscape(v)} |`)];
    if (s.policy.available && s.policy.violations.length > 0) {
        lines.push("", "#### Policy violations", "");
        for (const v of s.policy.violations) lines.push(`- **${v.mandatory ? "mandatory" : "advisory"}** \`${v.policy}\`${v.resource ? ` (${v.resource})` : ""}: ${mdEscape(v.message)}`);
    }
    return lines.join("\n");
}

/** Resources by component and type, as a Markdown table. */
export function resourcesMarkdown(s: PlanSummary): string {
    const lines = ["| component | type | count |", "|---|---|---|"];
    for (const g of s.components) {
        for (const [type, n] of Object.entries(g.types)) lines.push(`| ${mdEscape(g.component)} | \`${type}\` | ${n} |`);
    }
    return lines.join("\n");
}

const mdEscape = (v: string) => v.replace(/\|/g, "\\|");
