/**
 * Recovery-time report: for each failure mode, how long until it is detected, until the stack serves
 * again (at reduced and at full capacity), and how much data can be lost — computed from the declared
 * resources (health checks, Auto Scaling group, warm pool, DB deployment, DNS TTLs, alarms), never from
 * the config, with each figure's formula and the values it read. AWS's own timings are named constants
 * with their documents (./awsTimes.ts). Pure: unit-tested with hand-built records and run on the stack.
 */
import { AWS_TIMES, AwsTime } from "./awsTimes";
import { Timing, failoverTime, fleetsOf, hasRunningStandbys, replacementTime, spreadOverZones, spreadText, standbyCount, timingText } from "./fleet";
import { PlanRecord, RecordSet, T, countByZone, field, num, str, uniqueSorted } from "./records";
import { readerRecordsOf } from "./spof";
import { MAX_LINE_WIDTH, plural, wrap } from "./text";
import { DbInstanceInfo, TargetGroupInfo, Topology, primaryWriter, topologyOf } from "./topology";

/** A duration range in seconds; `null` seconds: it does not happen without a person (or at all). */
export interface Figure {
    readonly seconds: { readonly low: number; readonly high: number } | null;
    /** How it was computed, with the values read (e.g. "5 s × 2 health checks = 10 s"). */
    readonly formula: string;
}

export type FailureModeId = "web-server" | "web-zone" | "active-server" | "lb-node" | "nat-path" | "db-writer" | "db-writer-zone" | "db-replica" | "region";

export interface FailureMode {
    readonly id: FailureModeId;
    readonly title: string;
    /** Serving resumes without a person acting. */
    readonly survived: boolean;
    readonly detect: Figure;
    /** Serving again, possibly at reduced capacity. */
    readonly reduced: Figure;
    /** Serving again at full capacity. */
    readonly full: Figure;
    /** Committed data that can be lost. */
    readonly dataLoss: Figure;
    /** Checked against the stack's targets (the region is not: a one-region stack, said so). */
    readonly targeted: boolean;
    readonly note?: string;
}

export interface RecoveryReport {
    readonly modes: readonly FailureMode[];
    /** The AWS constants the figures used. */
    readonly constants: readonly AwsTime[];
}

export interface RecoveryTargets {
    /** Serving again (at reduced capacity) within this many seconds. */
    readonly recoverySeconds?: number;
    /** At most this many seconds of committed writes lost. */
    readonly dataLossSeconds?: number;
}

// ---- figures ------------------------------------------------------------------------------------

const fmt = (s: { low: number; high: number }) => (s.low === s.high ? `${s.low} s` : `${s.low}-${s.high} s`);
const exact = (n: number, formula: string): Figure => ({ seconds: { low: n, high: n }, formula });
const never = (formula: string): Figure => ({ seconds: null, formula });
const ZERO = exact(0, "0 s");

/** Sum of parts, each a figure's range with its label; the formula lists every part. */
function sum(parts: readonly { label: string; low: number; high: number }[], used: Set<AwsTime>, ...constants: AwsTime[]): Figure {
    constants.forEach((c) => used.add(c));
    const low = parts.reduce((a, p) => a + p.low, 0);
    const high = parts.reduce((a, p) => a + p.high, 0);
    const text = parts.map((p) => `${p.label} ${fmt(p)}`).join(" + ");
    return { seconds: { low, high }, formula: parts.length === 1 ? `${text}` : `${text} = ${fmt({ low, high })}` };
}

const part = (label: string, low: number, high = low) => ({ label, low, high });
const constPart = (label: string, c: AwsTime) => ({ label: `${label}${c.assumption ? " (assumed)" : ""}`, low: c.low, high: c.high });

// ---- what the records declare -------------------------------------------------------------------

interface Cluster {
    readonly name: string;
    readonly zones: string[];
}

/** Multi-AZ DB clusters: `aws:rds/cluster:Cluster` with a MySQL/PostgreSQL engine and a DB cluster instance class. */
function clusters(rs: RecordSet): Cluster[] {
    return rs
        .of("aws:rds/cluster:Cluster")
        .filter((c) => /^(mysql|postgres)$/.test(String(field(c, "engine"))) && str(field(c, "dbClusterInstanceClass")) !== undefined)
        .map((c) => ({ name: c.name, zones: uniqueSorted(((field(c, "availabilityZones") as unknown[] | undefined) ?? []).map(str)) }));
}

/** `${interval} s × ${threshold}` for the target group's failure detection. */
function tgDetect(tg: TargetGroupInfo): Figure {
    const n = tg.failureDetectionSeconds;
    return exact(n, `${tg.healthCheckInterval} s interval × ${tg.unhealthyThreshold} failed checks = ${n} s`);
}

function tgHealthy(tg: TargetGroupInfo) {
    return part(`healthy checks (${tg.healthCheckInterval} s × ${tg.healthyThreshold})`, tg.healthCheckInterval * tg.healthyThreshold);
}

/** An alarm's evaluation window: period × evaluation periods (the figure a person or Route 53 waits for). */
function alarmWindow(alarm: PlanRecord | undefined): { seconds: number; text: string } | undefined {
    if (!alarm) return undefined;
    const period = num(alarm.inputs.period);
    const evaluations = num(alarm.inputs.evaluationPeriods) ?? 1;
    const datapoints = num(alarm.inputs.datapointsToAlarm) ?? evaluations;
    if (period === undefined) return undefined;
    return { seconds: period * datapoints, text: `alarm ${alarm.name} (${period} s × ${datapoints})` };
}

/** The CNAME TTL of the private `writer`/`reader` name (first label), as declared. */
function ttlOf(rs: RecordSet, label: "writer" | "reader"): number | undefined {
    const r = rs.of(T.record).find((x) => new RegExp(`^${label}\\.`).test(String(x.inputs.name ?? "")));
    return r ? num(r.inputs.ttl) : undefined;
}

// ---- failure modes ------------------------------------------------------------------------------

/**
 * Serving again after a zone is lost: its servers leave rotation after the health checks, and its
 * load balancer node leaves DNS, which clients holding that node's address wait out: the later of the two.
 */
function zoneServing(detect: Figure, node: { figure: Figure } | undefined, who: string): Figure {
    const servers = detect.seconds!;
    const lb = node?.figure.seconds ?? { low: 0, high: 0 };
    const seconds = { low: Math.max(servers.low, lb.low), high: Math.max(servers.high, lb.high) };
    const lbText = node ? `; the zone's load balancer node leaves DNS: ${node.figure.formula}` : "";
    return { seconds, formula: `${who}: out of rotation after ${detect.formula}${lbText}; the later: ${fmt(seconds)}` };
}

/** A fleet timing (scripts/lib/fleet.ts: one model of replacement and failover for the whole plan) as a figure. */
function timingFigure(t: Timing): Figure {
    return { seconds: { low: t.seconds, high: t.seconds }, formula: timingText(t) };
}

function webModes(rs: RecordSet, t: Topology, used: Set<AwsTime>): FailureMode[] {
    const tg = t.targetGroups[0];
    if (!tg) return [];
    const fleets = fleetsOf(rs.all, rs);
    const fleet = fleets.find((f) => f.targetGroups.length > 0) ?? fleets[0];
    const figures = { intervalSeconds: tg.healthCheckInterval, unhealthyThreshold: tg.unhealthyThreshold, healthyThreshold: tg.healthyThreshold };
    const detect = tgDetect(tg);
    const noData = exact(0, "0 s: the web tier holds no data (state is in the database)");
    const replaced = fleet ? replacementTime(fleet, figures) : undefined;
    const replacement: Figure = replaced
        ? timingFigure(replaced)
        : never(fleet ? `${fleet.name} uses EC2 health checks only: a server that fails the load balancer's check is never replaced` : "fixed servers: nothing replaces a failed one");

    if (fleet && hasRunningStandbys(fleet)) {
        // Active-passive: one server serves, Standby servers run outside the target group.
        const failover = failoverTime(fleet, figures);
        const figure = failover ? timingFigure(failover) : never(`${fleet.name} has no failover function: the active server's failure is never acted on`);
        return [
            {
                id: "active-server",
                title: "the active server (active-passive)",
                survived: failover !== undefined,
                // The failover's own first step: the same detection the figure below adds up.
                detect: failover ? exact(failover.steps[0].seconds, `${failover.steps[0].seconds} s: ${failover.steps[0].how}`) : detect,
                reduced: figure,
                full: figure,
                dataLoss: noData,
                targeted: true,
                note: `${plural(standbyCount(fleet), "Standby server")}, running, kept by ${fleet.standbyFunction?.name}; the failed server's replacement becomes the next standby` +
                    (replaced ? ` (${replaced.seconds} s)` : ""),
            },
        ];
    }
    if (!fleet && t.standbys.length > 0) return [functionFailover(rs, t, tg, detect, used)];

    const serving = fleet ? fleet.minSize : t.servers.length;
    const zones = fleet ? fleet.zones : uniqueSorted(t.servers.map((s) => s.zone));
    const spread = fleet ? spreadOverZones(serving, zones) : countByZone(t.servers.map((s) => s.zone));
    const mostInOneZone = Math.max(0, ...Object.values(spread));
    const survivesZone = zones.length >= 2 && serving - mostInOneZone >= 1;
    return [
        {
            id: "web-server",
            title: "a web server",
            survived: serving >= 2,
            detect,
            reduced: serving >= 2 ? { seconds: detect.seconds, formula: `the others keep serving once it is out of rotation: ${detect.formula}` } : never("no other server serves"),
            full: replacement,
            dataLoss: noData,
            targeted: true,
        },
        {
            id: "web-zone",
            title: "a zone's web servers",
            survived: survivesZone,
            detect,
            reduced: survivesZone
                ? zoneServing(detect, lbNode(t, used), `${serving - mostInOneZone} of ${serving} servers keep serving in the other zones`)
                : never(zones.length < 2 ? `the servers are in one zone (${zones.join(", ") || "none"})` : `${mostInOneZone} of ${serving} servers may be in the lost zone`),
            full: fleet && zones.length >= 2 ? replacement : never("the lost zone's servers are back only with the zone"),
            dataLoss: noData,
            targeted: true,
            note: fleet ? `${fleet.name} (${spreadText(spread)} over ${plural(zones.length, "zone")}) launches replacements in the surviving zones` : undefined,
        },
    ];
}

/** Standbys a function registers when an alarm on the target group's healthy hosts fires (a library user's instances). */
function functionFailover(rs: RecordSet, t: Topology, tg: TargetGroupInfo, detect: Figure, used: Set<AwsTime>): FailureMode {
    const fnAlarm = rs
        .of(T.metricAlarm)
        .find((a) => str(a.inputs.metricName) === "HealthyHostCount" && ((a.inputs.alarmActions as unknown[] | undefined) ?? []).some((x) => /lambda|function/.test(String(x))));
    const w = alarmWindow(fnAlarm);
    const d = w ? sum([part("out of rotation", detect.seconds!.low), part(w.text, w.seconds)], used) : never("no alarm invokes the failover function");
    const recover = d.seconds ? sum([part("detect", d.seconds.low, d.seconds.high), part("register the standby", 0), tgHealthy(tg)], used) : d;
    return {
        id: "active-server",
        title: "the active server (active-passive)",
        survived: d.seconds !== null,
        detect: d,
        reduced: recover,
        full: recover,
        dataLoss: exact(0, "0 s: the web tier holds no data"),
        targeted: true,
        note: `${plural(t.standbys.length, "standby server")} registered by ${t.failoverFunction ?? "a function"}`,
    };
}

/** A failed load balancer node: ELB drops it from DNS (no published figure) and clients re-resolve within the TTL. */
function lbNode(t: Topology, used: Set<AwsTime>): { figure: Figure; zones: string[]; name: string } | undefined {
    const lb = t.loadBalancers.find((l) => !l.internal) ?? t.loadBalancers[0];
    if (!lb) return undefined;
    const figure = sum(
        [constPart("ELB drops the node from DNS", AWS_TIMES.elbNodeRemoval), constPart("clients' cached answer (ELB TTL)", AWS_TIMES.elbDnsTtl)],
        used,
        AWS_TIMES.elbNodeRemoval,
        AWS_TIMES.elbDnsTtl,
    );
    return { figure, zones: lb.zones, name: lb.name };
}

function lbMode(t: Topology, used: Set<AwsTime>): FailureMode | undefined {
    const node = lbNode(t, used);
    if (!node) return undefined;
    const multi = node.zones.length >= 2;
    return {
        id: "lb-node",
        title: "a load balancer node",
        survived: multi,
        detect: { seconds: { low: 0, high: 0 }, formula: `ELB drops the node from DNS: ${AWS_TIMES.elbNodeRemoval.says}` },
        reduced: multi ? node.figure : never(`the load balancer is in one zone (${node.zones.join(", ")})`),
        full: multi ? node.figure : never("ELB replaces the node in that zone only"),
        dataLoss: ZERO,
        targeted: true,
        note: `${node.name} in ${plural(node.zones.length, "zone")}`,
    };
}

function natMode(rs: RecordSet, t: Topology): FailureMode | undefined {
    if (t.egress.length === 0) {
        const endpoints = rs.of("aws:ec2/vpcEndpoint:VpcEndpoint").length;
        return {
            id: "nat-path",
            title: "the NAT path",
            survived: true,
            detect: ZERO,
            reduced: exact(0, "0 s: no NAT gateway; private subnets reach AWS through VPC endpoints"),
            full: exact(0, `0 s: ${plural(endpoints, "VPC endpoint")}, zonal by design`),
            dataLoss: ZERO,
            targeted: true,
        };
    }
    const natZones = uniqueSorted(t.egress.map((e) => e.natZone));
    const crossZone = t.egress.filter((e) => e.natZone !== undefined && e.zone !== e.natZone);
    const perZone = crossZone.length === 0;
    return {
        id: "nat-path",
        title: "the NAT path",
        survived: perZone,
        detect: ZERO,
        reduced: exact(0, "0 s: serving does not use the NAT (requests come in through the load balancer)"),
        full: perZone
            ? exact(0, `0 s: each zone has its own NAT gateway (${natZones.join(", ")}); losing one affects only its zone`)
            : never(
                  `${plural(crossZone.length, "subnet")} in other zones leave through the NAT in ${natZones.join(", ")}: when it fails, their servers ` +
                      "lose internet egress (external APIs, and AWS APIs without an interface endpoint: SSM, CloudWatch, Secrets Manager) " +
                      "until the zone is back or a person adds a NAT per zone (natStrategy perAz); dnf keeps working through the S3 gateway endpoint",
              ),
        dataLoss: ZERO,
        targeted: true,
    };
}

function dbModes(rs: RecordSet, t: Topology, used: Set<AwsTime>): FailureMode[] {
    const out: FailureMode[] = [];
    const cluster = clusters(rs)[0];
    const writerTtl = ttlOf(rs, "writer");
    const readerTtl = ttlOf(rs, "reader");
    if (cluster) {
        const failover = sum([constPart("Multi-AZ DB cluster failover", AWS_TIMES.multiAzClusterFailover)], used, AWS_TIMES.multiAzClusterFailover);
        used.add(AWS_TIMES.multiAzClusterReplication);
        const semiSync = exact(0, `0 s: ${AWS_TIMES.multiAzClusterReplication.says}`);
        const common = { detect: { seconds: failover.seconds, formula: `included in the failover: ${failover.formula}` }, reduced: failover, full: failover, dataLoss: semiSync, targeted: true };
        const zones = cluster.zones.length > 0 ? `${cluster.zones.length} zones: ${cluster.zones.join(", ")}` : "zones chosen by RDS";
        out.push({ id: "db-writer", title: "the DB writer instance", survived: true, ...common, note: `${cluster.name}: \`writer\` is the cluster endpoint (the name does not change)` });
        out.push({ id: "db-writer-zone", title: "the DB writer's zone", survived: cluster.zones.length !== 1, ...common, note: zones });
        out.push({
            id: "db-replica",
            title: "a read replica",
            survived: true,
            detect: { seconds: failover.seconds, formula: `assumed: AWS publishes no figure for a reader, taken as the cluster's failover: ${failover.formula}` },
            reduced: { seconds: failover.seconds, formula: `assumed, as the cluster's failover: ${failover.formula}` },
            full: { seconds: failover.seconds, formula: `assumed, as the cluster's failover: ${failover.formula}` },
            dataLoss: exact(0, "0 s: reads only"),
            targeted: true,
            note: "`reader` is the cluster reader endpoint; RDS replaces the failed reader",
        });
        return out;
    }
    const w = primaryWriter(t);
    if (!w) return out;
    const alarms = rs.of(T.metricAlarm);
    const alarmOn = (d: DbInstanceInfo | undefined, metric?: string) =>
        alarms.find(
            (a) =>
                d?.identifier !== undefined &&
                str((a.inputs.dimensions as Record<string, unknown> | undefined)?.DBInstanceIdentifier) === d.identifier &&
                (metric === undefined || str(a.inputs.metricName) === metric),
        );
    const lagThresholds = t.dbReplicas.map((r) => num(alarmOn(r, "ReplicaLag")?.inputs.threshold)).filter((n): n is number => n !== undefined);
    const lagThreshold = lagThresholds.length > 0 ? Math.max(...lagThresholds) : undefined;

    if (w.multiAz) {
        const failover = sum([constPart("Multi-AZ failover", AWS_TIMES.multiAzInstanceFailover)], used, AWS_TIMES.multiAzInstanceFailover);
        used.add(AWS_TIMES.multiAzInstanceReplication);
        const common = {
            survived: true,
            detect: { seconds: failover.seconds, formula: `included in the failover: ${failover.formula}` },
            reduced: failover,
            full: failover,
            dataLoss: exact(0, `0 s: ${AWS_TIMES.multiAzInstanceReplication.says}`),
            targeted: true,
            note: "`writer` names the instance endpoint, which RDS moves to the standby",
        };
        out.push({ id: "db-writer", title: "the DB writer instance", ...common });
        out.push({ id: "db-writer-zone", title: "the DB writer's zone", ...common });
    } else {
        const live = alarmWindow(alarmOn(w));
        const detect = live ? exact(live.seconds, live.text) : never("no alarm watches the writer");
        const manual = never(
            `a person promotes a replica (docs/runbooks/db-writer-fails.md); then \`writer\` moves: record change ≤ ${AWS_TIMES.route53Propagation.high} s` +
                (writerTtl !== undefined ? ` + TTL ${writerTtl} s` : ""),
        );
        const dataLoss =
            t.dbReplicas.length > 0
                ? never(
                      "asynchronous replicas: whatever the promoted replica had not applied; unbounded" +
                          (lagThreshold !== undefined ? ` (the ReplicaLag alarm only alerts above ${lagThreshold} s)` : " (no ReplicaLag alarm)"),
                  )
                : sum([constPart("point-in-time restore lag", AWS_TIMES.pointInTimeRestoreLag)], used, AWS_TIMES.pointInTimeRestoreLag);
        const common = { survived: false, detect, reduced: manual, full: manual, dataLoss, targeted: true, note: `single-AZ writer ${w.name}` };
        out.push({ id: "db-writer", title: "the DB writer instance", ...common });
        out.push({ id: "db-writer-zone", title: "the DB writer's zone", ...common });
    }

    // Read replicas behind health-checked `reader` records.
    if (t.dbReplicas.length > 0) {
        const records = readerRecordsOf(rs.all, t);
        const checked = records.find((r) => r.health?.alarm !== undefined && r.weight > 0);
        const alarm = checked ? rs.all.find((a) => a.name === checked.health!.alarm) : undefined;
        const win = alarmWindow(alarm);
        const survived = records.length > 0 && win !== undefined;
        const detect = win ? exact(win.seconds, `${win.text}, then the Route 53 health check turns unhealthy`) : never("no health-checked `reader` record");
        const reduced =
            win !== undefined
                ? sum(
                      [part("detect", win.seconds), ...(readerTtl !== undefined ? [part("reader TTL", readerTtl)] : [])],
                      used,
                  )
                : never("`reader` keeps answering with the failed replica");
        out.push({
            id: "db-replica",
            title: "a read replica",
            survived,
            detect,
            reduced,
            full: never("a person re-creates the replica (docs/runbooks/db-recreate-replica.md); the others and the writer fallback serve reads meanwhile"),
            dataLoss: exact(0, "0 s: reads only"),
            targeted: true,
        });
    }
    return out;
}

function regionMode(): FailureMode {
    const lost = never("not survived: every resource is in one region");
    return {
        id: "region",
        title: "the region",
        survived: false,
        detect: never("Route 53's external health check on the site alarms (if HTTPS with a domain)"),
        reduced: lost,
        full: lost,
        dataLoss: never("everything since the last backup copied out of the region: none is copied today"),
        targeted: false,
        note:
            "one region by design, outside the targets. What would change that: a cross-region read replica (or backups " +
            "copied to a second region), the stack deployed there, and Route 53 failover records on the public name",
    };
}

/** The report for the declared resources. */
export function analyseRecovery(records: readonly PlanRecord[]): RecoveryReport {
    const rs = new RecordSet(records);
    const t = topologyOf(records);
    const used = new Set<AwsTime>();
    const modes: FailureMode[] = [...webModes(rs, t, used)];
    const lb = lbMode(t, used);
    if (lb) modes.push(lb);
    const nat = natMode(rs, t);
    if (nat) modes.push(nat);
    modes.push(...dbModes(rs, t, used), regionMode());
    return { modes, constants: [...used] };
}

// ---- targets ------------------------------------------------------------------------------------

/** One line per failure mode over a target (empty when within them or when no target is set). */
export function recoveryViolations(report: RecoveryReport, targets: RecoveryTargets): string[] {
    const out: string[] = [];
    for (const m of report.modes.filter((x) => x.targeted)) {
        if (targets.recoverySeconds !== undefined) {
            const s = m.reduced.seconds;
            if (s === null) out.push(`${m.title}: no automatic recovery (${m.reduced.formula}); recovery-time target ${targets.recoverySeconds} s`);
            else if (s.high > targets.recoverySeconds) out.push(`${m.title}: serving again after up to ${s.high} s, over the recovery-time target of ${targets.recoverySeconds} s`);
        }
        if (targets.dataLossSeconds !== undefined) {
            const s = m.dataLoss.seconds;
            if (s === null) out.push(`${m.title}: data loss unbounded (${m.dataLoss.formula}); data-loss target ${targets.dataLossSeconds} s`);
            else if (s.high > targets.dataLossSeconds) out.push(`${m.title}: up to ${s.high} s of writes lost, over the data-loss target of ${targets.dataLossSeconds} s`);
        }
    }
    return out;
}

// ---- rendering ----------------------------------------------------------------------------------

const cell = (f: Figure) => (f.seconds === null ? "—" : fmt(f.seconds));

/**
 * One line for a tier's box in the architecture diagram: "<what> lost: serving again in 10 s, full in
 * ≈ 320 s", or "needs a person". Undefined when the report has no such failure mode.
 */
export function tierRecoveryLine(report: RecoveryReport | undefined, id: FailureModeId, what: string): string | undefined {
    const m = report?.modes.find((x) => x.id === id);
    if (!m) return undefined;
    if (m.reduced.seconds === null) return `${what} lost: needs a person`;
    const same = m.full.seconds !== null && m.full.seconds.low === m.reduced.seconds.low && m.full.seconds.high === m.reduced.seconds.high;
    const full = m.full.seconds === null || same ? "" : `, full in ${fmt(m.full.seconds)}`;
    return `${what} lost: serving in ${fmt(m.reduced.seconds)}${full}`;
}

function targetsLine(targets: RecoveryTargets): string {
    const parts = [
        targets.recoverySeconds !== undefined ? `recovery ≤ ${targets.recoverySeconds} s` : undefined,
        targets.dataLossSeconds !== undefined ? `data loss ≤ ${targets.dataLossSeconds} s` : undefined,
    ].filter(Boolean);
    return parts.length > 0 ? `Targets: ${parts.join(", ")} (the region is outside them).` : "Targets: none set for this stack.";
}

export function recoveryMarkdown(report: RecoveryReport, targets: RecoveryTargets): string {
    const rows = report.modes.map(
        (m) => `| ${m.title} | ${m.survived ? "yes" : "**no**"} | ${cell(m.detect)} | ${cell(m.reduced)} | ${cell(m.full)} | ${cell(m.dataLoss)} |`,
    );
    const how = report.modes.flatMap((m) => [
        `- **${m.title}**${m.note ? ` (${m.note})` : ""}`,
        `  - detect: ${m.detect.formula}`,
        `  - serving again: ${m.reduced.formula}`,
        ...(m.full.formula !== m.reduced.formula ? [`  - full capacity: ${m.full.formula}`] : []),
        `  - data loss: ${m.dataLoss.formula}`,
    ]);
    const violations = recoveryViolations(report, targets);
    return [
        "## Recovery times",
        "",
        targetsLine(targets),
        "",
        "| failure | survived | detect | serving again | full capacity | data loss |",
        "|---|---|---|---|---|---|",
        ...rows,
        "",
        ...(violations.length > 0 ? ["**Over target:**", "", ...violations.map((v) => `- ${v}`), ""] : []),
        "How each figure was computed (AWS constants: docs/recovery.md):",
        "",
        ...how,
        "",
    ].join("\n");
}

/** The terminal table (lines ≤ 120 columns; formulas are in PLAN.md). */
export function recoveryText(report: RecoveryReport, targets: RecoveryTargets): string {
    const head = ["failure", "survived", "detect", "serving", "full", "data loss"];
    const rows = report.modes.map((m) => [m.title, m.survived ? "yes" : "NO", cell(m.detect), cell(m.reduced), cell(m.full), cell(m.dataLoss)]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cols: string[]) => "  " + cols.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
    const violations = recoveryViolations(report, targets);
    return [
        `Recovery times — ${targetsLine(targets)}`,
        line(head),
        ...rows.map(line),
        ...(violations.length > 0 ? ["Over target:", ...violations.map((v) => wrap(`✗ ${v}`, MAX_LINE_WIDTH, "  ", "    "))] : []),
    ].join("\n");
}
