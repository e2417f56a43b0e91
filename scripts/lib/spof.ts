/**
 * Single-point-of-failure analysis over the declared resources.
 *
 * For each tier — DNS/edge, load balancer, web servers, NAT/egress, database writer, database
 * readers, monitoring — does the service survive the loss of one server (instance, node) and of one
 * availability zone, and why. Computed from what the program declares (subnets' zones, NAT routes,
 * `multiAz`, replicas' zones, target-group attachments, the `reader` records' weights and health
 * checks), never from the stack config, so a component that ignores a setting shows up here. Pure:
 * hand-built records in, a report out.
 */
import { FleetInfo, failoverTime, hasRunningStandbys, replacementTime, spreadOverZones, spreadText, standbyCount, timingText } from "./fleet";
import { WRITER_FAILOVER_SECONDS } from "../../components/lib/rds";
import { PlanRecord, RecordSet, T, countByZone, formatZoneCounts, num, str, uniqueSorted } from "./records";
import { MAX_LINE_WIDTH, plural, wrap } from "./text";
import { DbClusterInfo, DbInstanceInfo, Topology, primaryWriter, topologyOf } from "./topology";

export const TIERS = ["DNS/edge", "load balancer", "web servers", "NAT/egress", "database writer", "database readers", "monitoring"] as const;
export type TierName = (typeof TIERS)[number];

/** true: survives; false: does not; null: not applicable (the tier is not declared, or by design). */
export type Survives = boolean | null;

export interface TierReport {
    readonly tier: TierName;
    /** Whether the stack declares this tier at all. */
    readonly declared: boolean;
    readonly survivesServer: Survives;
    readonly survivesZone: Survives;
    /** Why, for the loss of one server. */
    readonly server: string;
    /** Why, for the loss of one zone. */
    readonly zone: string;
}

export interface SinglePointOfFailure {
    readonly tier: TierName;
    readonly loss: "server" | "zone";
    readonly reason: string;
}

export interface SpofReport {
    readonly tiers: readonly TierReport[];
    /** Every (tier, loss) the stack does not survive, with the reason. */
    readonly spofs: readonly SinglePointOfFailure[];
    /** Not a failure mode, but worth knowing (no alarm on a server, no WAF…). */
    readonly notes: readonly string[];
}

function tier(t: TierName, survivesServer: Survives, server: string, survivesZone: Survives, zone: string, declared = true): TierReport {
    return { tier: t, declared, survivesServer, survivesZone, server, zone };
}

function notDeclared(t: TierName, what: string): TierReport {
    return tier(t, null, `no ${what} declared`, null, `no ${what} declared`, false);
}

const list = (xs: readonly string[]) => (xs.length === 0 ? "none" : xs.join(", "));

function edge(t: Topology): TierReport {
    const lb = t.loadBalancers.find((l) => !l.internal) ?? t.loadBalancers[0];
    if (!lb && t.dnsRecords.length === 0) return notDeclared("DNS/edge", "DNS record or load balancer");
    // A plain A record to fixed addresses ties the name to those hosts.
    const pinned = t.dnsRecords.filter((r) => !r.alias && (r.type === "A" || r.type === "AAAA") && r.target !== undefined && /^[\d.:a-f]+$/i.test(r.target));
    const waf = t.webAcls.length > 0 ? (t.wafOnLoadBalancer ? "WAF web ACL on the ALB (regional managed service)" : "WAF web ACL declared but not associated with the ALB") : "no WAF";
    const aliases = t.dnsRecords.filter((r) => r.alias && !/writer|reader/.test(r.name));
    const dns =
        aliases.length > 0
            ? `Route 53 alias ${list(uniqueSorted(aliases.map((r) => r.name.replace(/\.$/, ""))))} → ALB (Route 53 is global)`
            : "no domain: clients use the ALB's own DNS name, which AWS answers from every zone the ALB is in";
    if (pinned.length > 0) {
        const why = `DNS ${pinned.map((r) => `${r.name} → ${r.target}`).join(", ")} points at fixed addresses: that host is a single point of failure`;
        return tier("DNS/edge", false, why, false, why);
    }
    const why = `${dns}; ${waf}`;
    return tier("DNS/edge", true, why, true, why);
}

function loadBalancer(t: Topology): TierReport {
    if (t.loadBalancers.length === 0) return notDeclared("load balancer", "load balancer");
    const lb = t.loadBalancers.find((l) => !l.internal) ?? t.loadBalancers[0];
    const server = `ALB ${lb.name}: AWS runs and replaces its nodes; no instance of ours in the path`;
    if (lb.zones.length >= 2) {
        return tier("load balancer", true, server, true, `ALB in ${plural(lb.zones.length, "zone")} (${list(lb.zones)}): a failed zone's node leaves DNS, the others keep serving`);
    }
    return tier("load balancer", true, server, false, `ALB ${lb.name} has subnets in ${plural(lb.zones.length, "zone")} (${list(lb.zones)}) only: it stops if that zone fails`);
}

/**
 * The web tier as an Auto Scaling group. A server's loss: the target group takes it out of rotation,
 * the others serve, and with ELB health checks the group replaces it. A zone's loss: with ≥ 2 zones
 * and a minimum of ≥ 2 the survivors serve while the group launches into the surviving zones
 * (balanced-best-effort, the default: "If launch attempts fail in an Availability Zone, Auto Scaling
 * attempts to launch instances in another healthy Availability Zone", EC2 Auto Scaling User Guide,
 * "Auto Scaling group Availability Zone distribution"). Active-passive (one server, Standby servers
 * kept by a failover function): a failover, not an outage.
 */
function webFleet(t: Topology, fleet: FleetInfo): TierReport {
    const tg = t.targetGroups.find((g) => fleet.targetGroups.includes(g.name));
    const name = `group ${fleet.name}`;
    if (!tg) {
        const why = `${name} is attached to no target group: its servers never receive requests`;
        return tier("web servers", false, why, false, why);
    }
    const lbZones = t.loadBalancers.length > 0 ? new Set(t.loadBalancers.flatMap((l) => l.zones)) : undefined;
    const zones = fleet.zones.filter((z) => lbZones === undefined || lbZones.has(z));
    const outside = fleet.zones.filter((z) => !zones.includes(z));
    const stranded = outside.length > 0 ? `; subnets in ${list(outside)}, where the ALB is not, serve nothing` : "";
    const min = fleet.desiredCapacity ?? fleet.minSize;
    const spread = spreadOverZones(min, zones);
    const figures = { intervalSeconds: tg.healthCheckInterval, unhealthyThreshold: tg.unhealthyThreshold, healthyThreshold: tg.healthyThreshold };
    const noReplace = `healthCheckType ${fleet.healthCheckType}: a server whose web server fails the target group's check is never replaced (set healthCheckType "ELB")`;

    // One serving server with Standby servers kept by a failover function is active-passive.
    if (hasRunningStandbys(fleet) && min === 1) {
        const standbys = standbyCount(fleet);
        const fn = fleet.standbyFunction!.name;
        const failover = failoverTime(fleet, figures)!;
        const server = `active-passive: ${plural(min, "active server")}; when it fails, ${fn} moves one of ${plural(standbys, "Standby server", "Standby servers")} (running, outside the target group) in service — a failover, not an outage: ${timingText(failover)}; the failed server is replaced and becomes the next standby${fleet.healthCheckType === "ELB" ? "" : ` (but ${noReplace})`}`;
        const zone =
            zones.length >= 2
                ? `${name} spans ${plural(zones.length, "zone")} (${list(zones)}): if the active server's zone fails, ${fn} prefers a standby in another zone, and the group launches the replacement in a surviving zone${stranded}`
                : `${name} has subnets in ${list(zones)} only: the site is down if that zone fails${stranded}`;
        return tier("web servers", true, server, zones.length >= 2, zone);
    }

    const replacement = replacementTime(fleet, figures);
    const replaced = replacement ? `${name} replaces it (ELB health checks): ${timingText(replacement)}` : noReplace;
    const detection = `leaves rotation after ${tg.healthCheckInterval} s × ${tg.unhealthyThreshold} = ${tg.failureDetectionSeconds} s`;
    const survivesServer = min >= 2;
    const server = survivesServer
        ? `${name}, at least ${min} servers (${spreadText(spread)} over ${list(zones)}): a failed one ${detection}, ${min === 2 ? "the other one serves" : `the other ${min - 1} serve`}; ${replaced}${stranded}`
        : `${name} has a minimum of ${min}: while its one server is down the site is down; ${replaced}${stranded}`;
    const worst = Math.max(0, ...Object.values(spread));
    const survivesZone = zones.length >= 2 && min >= 2 && min - worst >= 1;
    const zone = survivesZone
        ? `${name} over ${plural(zones.length, "zone")}, at minimum ${formatZoneCounts(spread)}: losing a zone leaves at least ${min - worst} of ${min} serving while the group launches replacements in the surviving zones${stranded}`
        : zones.length < 2
          ? `${name} has subnets in ${list(zones)} only: the site is down if that zone fails${stranded}`
          : `${name} has a minimum of ${min} (${formatZoneCounts(spread)}): losing ${Object.keys(spread).find((z) => spread[z] === worst)} leaves no server until the group launches one in another zone${stranded}`;
    return tier("web servers", survivesServer, server, survivesZone, zone);
}

function webServers(t: Topology): TierReport {
    const fleet = t.fleets.find((f) => f.targetGroups.length > 0) ?? t.fleets[0];
    if (fleet) return webFleet(t, fleet);
    const servers = t.servers;
    if (servers.length === 0 && t.standbys.length === 0) return notDeclared("web servers", "web servers");
    const tg = t.targetGroups[0];
    const detection = tg
        ? `fails its health check and leaves rotation after ${tg.healthCheckInterval} s × ${tg.unhealthyThreshold} = ${tg.failureDetectionSeconds} s`
        : "has no target-group health check to take it out of rotation";
    const lbZones = t.loadBalancers.length > 0 ? new Set(t.loadBalancers.flatMap((l) => l.zones)) : undefined;
    const inLbZone = (s: { zone?: string }) => lbZones === undefined || (s.zone !== undefined && lbZones.has(s.zone));
    const reachable = servers.filter(inLbZone);
    const standbys = t.standbys.filter(inLbZone);
    const unreachable = [...servers, ...t.standbys].filter((s) => !inLbZone(s));
    const stranded = unreachable.length > 0 ? `; ${list(unreachable.map((s) => `${s.name} (${s.zone ?? "unknown zone"})`))} in no zone of the ALB, so never receives traffic` : "";

    if (standbys.length > 0) {
        // Active-passive: the standbys serve once the failover function has registered them.
        const where = (xs: typeof servers) => list(xs.map((s) => `${s.name} in ${s.zone ?? "?"}`));
        const failover = `${plural(standbys.length, "warm standby", "warm standbys")} (${where(standbys)}) registered by ${t.failoverFunction} when the active server fails its health checks (see docs/web-tier.md for the time it takes)`;
        const survivesServer = reachable.length >= 2 || (reachable.length >= 1 && tg !== undefined);
        const zonesOf = (xs: typeof servers) => new Set(xs.map((s) => s.zone));
        const allZones = [...new Set([...zonesOf(reachable), ...zonesOf(standbys)])];
        const survivesZone = allZones.every((z) => reachable.some((s) => s.zone !== z) || standbys.some((s) => s.zone !== z));
        return tier(
            "web servers",
            survivesServer,
            `active-passive: ${plural(reachable.length, "active server")} (${where(reachable)}); if ${reachable.length === 1 ? "it fails" : "they all fail"}, ${failover}${stranded}`,
            survivesZone,
            survivesZone
                ? `active and standby servers in ${plural(allZones.length, "zone")} (${list(allZones.filter((z): z is string => z !== undefined).sort())}): a zone's loss leaves a server to serve or to fail over to${stranded}`
                : `active and standby servers all in ${list(allZones.filter((z): z is string => z !== undefined))}: the site is down if that zone fails${stranded}`,
        );
    }

    const survivesServer = reachable.length >= 2 && tg !== undefined;
    const server = survivesServer
        ? `${reachable.length} servers behind the ALB; a failed one ${detection}, ${reachable.length === 2 ? "the other keeps" : `the other ${reachable.length - 1} keep`} serving${stranded}`
        : reachable.length >= 2
          ? `${reachable.length} servers but no target group: a failed one keeps receiving requests${stranded}`
          : `a single serving web server (${reachable[0]?.name ?? "none"} in ${reachable[0]?.zone ?? "unknown zone"}): the site is down while it is${stranded}`;

    const counts = countByZone(reachable.map((s) => s.zone));
    const zones = Object.keys(counts);
    let worst = reachable.length;
    let worstZone = "";
    for (const z of zones) {
        const left = reachable.length - counts[z];
        if (left < worst) {
            worst = left;
            worstZone = z;
        }
    }
    const survivesZone = zones.length >= 2 && worst >= 1;
    const zone = survivesZone
        ? `servers in ${plural(zones.length, "zone")} (${formatZoneCounts(counts)}): losing ${worstZone} leaves ${worst} of ${reachable.length} (${Math.round((100 * worst) / reachable.length)}% capacity)${stranded}`
        : `all serving web servers in ${list(zones)}: the site is down if that zone fails${stranded}`;
    return tier("web servers", survivesServer, server, survivesZone, zone);
}

function natEgress(t: Topology): TierReport {
    if (t.natGateways.length === 0) {
        if (t.zones.length === 0) return notDeclared("NAT/egress", "network");
        const why = "no NAT gateway: private subnets have no internet route by design (AWS APIs through VPC endpoints)";
        return tier("NAT/egress", null, why, null, why);
    }
    const server = `${plural(t.natGateways.length, "NAT gateway")}: managed by AWS, redundant within its zone`;
    const natZones = uniqueSorted(t.natGateways.map((n) => n.zone));
    if (t.natGateways.length === 1) {
        const nat = t.natGateways[0];
        return tier("NAT/egress", true, server, false, `single NAT gateway in ${nat.zone ?? "one zone"}: private egress lost if that zone fails`);
    }
    // With the routes known: every private subnet must leave through a NAT in its own zone.
    const crossing = t.egress.filter((e) => e.natZone !== e.zone);
    if (t.egress.length > 0 && crossing.length === 0) {
        return tier("NAT/egress", true, server, true, `one NAT gateway per zone (${list(natZones)}): each private subnet routes through its own zone's NAT`);
    }
    if (crossing.length > 0) {
        const why = crossing.map((e) => `${e.subnet} (${e.zone}) routes through ${e.natName} in ${e.natZone}`).join("; ");
        return tier("NAT/egress", true, server, false, `${why}: its egress is lost if ${e0(crossing).natZone} fails`);
    }
    const covered = natZones.length >= t.zones.length;
    return tier(
        "NAT/egress",
        true,
        server,
        covered,
        covered ? `NAT gateways in every zone (${list(natZones)})` : `NAT gateways in ${list(natZones)} only, of ${list(t.zones)}: zones without one depend on another zone for egress`,
    );
}

function e0<T>(xs: readonly T[]): T {
    return xs[0];
}

const where = (d: DbInstanceInfo) => (d.zone ? `in ${d.zone}` : "in one zone");

/**
 * A Multi-AZ DB cluster: a writer and two readable standbys, each in its own zone; RDS fails over to a
 * standby by itself, typically in under 35 s (RDS API reference, FailoverDBCluster), losing no
 * committed write (semi-synchronous: a commit waits for one standby).
 */
export const CLUSTER_FAILOVER_TEXT = `automatic failover to a readable standby, typically under ${WRITER_FAILOVER_SECONDS.multiAzCluster} s, no committed write lost`;

function clusterZones(c: DbClusterInfo): string {
    return c.zones.length > 0 ? list(c.zones) : "three zones";
}

function dbWriter(t: Topology): TierReport {
    const w = primaryWriter(t);
    const c = t.dbClusters[0];
    if (!w && c) {
        const three = c.zones.length >= 3;
        const text = `Multi-AZ DB cluster ${c.name}: writer + 2 readable standbys in ${clusterZones(c)}; ${CLUSTER_FAILOVER_TEXT}`;
        return tier("database writer", true, text, three, three ? text : `Multi-AZ DB cluster ${c.name} declares ${c.zones.length} zones: its instances may share one`);
    }
    if (!w) return notDeclared("database writer", "database");
    const also = t.dbWriters.length > 1 ? ` (${plural(t.dbWriters.length, "standalone instance")}: ${list(t.dbWriters.map((d) => d.name))}; the writer is ${w.name})` : "";
    if (w.multiAz) {
        return tier(
            "database writer",
            true,
            `writer ${w.name} is Multi-AZ: RDS fails over to its synchronous standby automatically (about 1-2 min)${also}`,
            true,
            `writer ${w.name} is Multi-AZ: primary and standby are in different zones, failover is automatic${also}`,
        );
    }
    return tier(
        "database writer",
        false,
        `writer ${w.name} is a single instance ${where(w)} (multiAz false): writes stop until RDS recovers it or a replica is promoted${also}`,
        false,
        `writer is single-AZ ${where(w)} (multiAz false): writes stop until a replica is promoted${also}`,
    );
}

// ---- database readers: the `reader` DNS name as Route 53 answers it -----------------------------

/** One record of the `reader` name, with what the analysis needs to replay Route 53's choice. */
export interface ReaderRecord {
    readonly setIdentifier: string;
    /** The weighted-routing weight (1 when the record is not weighted). */
    readonly weight: number;
    /** The DB instance it answers with; undefined when the target is not a declared instance. */
    readonly target?: DbInstanceInfo;
    /** The target as written (an RDS address or another name). */
    readonly targetText: string;
    /**
     * Its health check: undefined when it has none (Route 53 then always counts it healthy). `watches` is
     * the instance whose failure turns it unhealthy (undefined: none of ours, e.g. an alarm on another
     * metric); `flagsFailure` whether a failed instance really turns it unhealthy (a CloudWatch alarm whose
     * missing data is breaching, or that goes INSUFFICIENT_DATA with the check then unhealthy).
     */
    readonly health?: { readonly id: string; readonly watches?: DbInstanceInfo; readonly flagsFailure: boolean; readonly alarm?: string };
}

const label = (r: ReaderRecord) => r.target?.name ?? r.targetText;

/**
 * The records of the `reader` name (first label `reader`), their targets resolved to the declared DB
 * instances (by RDS address, or through another record such as `writer`) and their health checks to
 * the instance they watch (a CLOUDWATCH_METRIC check → its alarm, by name → the alarm's
 * DBInstanceIdentifier). A check or alarm not among the records is taken to watch the record's target.
 */
export function readerRecordsOf(records: readonly PlanRecord[], t: Topology = topologyOf(records)): ReaderRecord[] {
    const rs = new RecordSet(records);
    const dbs = [...t.dbWriters, ...t.dbReplicas];
    const dnsRecords = rs.of(T.record);
    const bare = (name: unknown) => String(name ?? "").replace(/\.$/, "");
    const resolve = (text: string, hops = 0): DbInstanceInfo | undefined => {
        const byAddress = dbs.find((d) => d.address !== undefined && d.address === text);
        if (byAddress || hops > 3) return byAddress;
        const alias = dnsRecords.find((r) => bare(r.inputs.name) === text && !/^reader\./.test(text));
        const next = str(((alias?.inputs.records as unknown[] | undefined) ?? [])[0]);
        return next !== undefined ? resolve(bare(next), hops + 1) : undefined;
    };
    const alarms = rs.of(T.metricAlarm);
    return dnsRecords
        .filter((r) => /^reader\./.test(bare(r.inputs.name)))
        .map((r) => {
            const targetText = bare(((r.inputs.records as unknown[] | undefined) ?? [])[0] ?? (r.inputs.aliases as { name?: string }[] | undefined)?.[0]?.name ?? "?");
            const target = resolve(targetText);
            const policies = r.inputs.weightedRoutingPolicies as { weight?: unknown }[] | undefined;
            const weight = num(policies?.[0]?.weight) ?? 1;
            const checkId = str(r.inputs.healthCheckId);
            let health: ReaderRecord["health"];
            if (checkId !== undefined) {
                const check = rs.byRef(checkId);
                const alarmName = str(check?.inputs.cloudwatchAlarmName);
                const alarm = alarmName !== undefined ? alarms.find((a) => (str(a.inputs.name) ?? str(a.state?.name)) === alarmName) : undefined;
                if (check?.inputs.type === "CLOUDWATCH_METRIC" && alarm) {
                    const missing = str(alarm.inputs.treatMissingData) ?? "missing";
                    const insufficient = str(check.inputs.insufficientDataHealthStatus) ?? "Healthy";
                    const id = str((alarm.inputs.dimensions as Record<string, unknown> | undefined)?.DBInstanceIdentifier);
                    health = {
                        id: checkId,
                        watches: id !== undefined ? dbs.find((d) => d.identifier === id) : undefined,
                        flagsFailure: missing === "breaching" || (missing === "missing" && insufficient === "Unhealthy"),
                        alarm: alarm.name,
                    };
                } else {
                    health = { id: checkId, watches: target, flagsFailure: true };
                }
            }
            return { setIdentifier: String(r.inputs.setIdentifier ?? r.name), weight, target, targetText, health };
        });
}

interface ReadScenario {
    readonly loss: string;
    readonly ok: boolean;
    /** The instances Route 53 answers with. */
    readonly answers: readonly string[];
    readonly why?: string;
}

/**
 * Route 53's choice among `records` once the instances for which `failed` holds are gone (Route 53
 * Developer Guide, "How Amazon Route 53 chooses records when health checking is configured"): records
 * without a health check are always healthy; the records with a weight above 0 first, the zero-weight
 * ones only if none of those is healthy; if no record is healthy, all are, chosen by weight. Reads
 * survive when every record it may answer with points at a live instance.
 */
function replay(records: readonly ReaderRecord[], loss: string, failed: (d: DbInstanceInfo) => boolean): ReadScenario {
    const dead = (r: ReaderRecord) => r.target !== undefined && failed(r.target);
    const healthy = (r: ReaderRecord) => r.health === undefined || !(r.health.flagsFailure && r.health.watches !== undefined && failed(r.health.watches));
    const nonzero = records.filter((r) => r.weight > 0);
    const tiers = nonzero.length > 0 ? [nonzero, records.filter((r) => r.weight === 0)] : [records];
    const chosen = tiers.map((tier) => tier.filter(healthy)).find((h) => h.length > 0);
    const answers = chosen ?? tiers[0];
    const deadAnswers = answers.filter(dead);
    const names = uniqueSorted(answers.map(label));
    if (deadAnswers.length === 0) return { loss, ok: true, answers: names };
    const r = deadAnswers[0];
    const why =
        chosen === undefined
            ? "every reader record is unhealthy and none is a healthy zero-weight fallback, so Route 53 answers with all of them, the failed ones included"
            : r.weight === 0 && nonzero.length > 0
              ? `no replica's record is healthy and the zero-weight fallback, ${label(r)}, is down too`
              : r.health === undefined
                ? `the reader record of ${label(r)} has no health check, so Route 53 keeps answering with it`
              : `the health check of ${label(r)}'s reader record does not turn unhealthy when it fails${r.health.alarm ? ` (alarm ${r.health.alarm})` : ""}, so Route 53 keeps answering with it`;
    return { loss, ok: false, answers: names, why };
}

function dbReaders(t: Topology, writerTier: TierReport, records: readonly ReaderRecord[]): TierReport {
    const w = primaryWriter(t);
    const c = t.dbClusters[0];
    if (!w && c) {
        // The `reader` name is a CNAME of the cluster's reader endpoint, which RDS keeps on the healthy
        // standbys (and re-points after a failover); no Route 53 health check is needed.
        const reader = t.dnsRecords.find((r) => /^reader\./.test(r.name));
        const onEndpoint = reader !== undefined && c.readerEndpoint !== undefined && reader.target?.replace(/\.$/, "") === c.readerEndpoint;
        if (!onEndpoint) {
            const why = `no \`reader\` record on the reader endpoint of ${c.name}: reads have no stable name that follows the standbys`;
            return tier("database readers", false, why, false, why);
        }
        const text = `reader → the reader endpoint of ${c.name}: 2 readable standbys in ${clusterZones(c)}; RDS keeps it on the healthy ones`;
        return tier("database readers", true, text, c.zones.length >= 3, text);
    }
    if (!w) return notDeclared("database readers", "database");
    const replicas = t.dbReplicas;
    if (replicas.length === 0) {
        return tier(
            "database readers",
            writerTier.survivesServer,
            `no read replicas: reads go to the writer (${writerTier.server})`,
            writerTier.survivesZone,
            `no read replicas: reads go to the writer (${writerTier.zone})`,
        );
    }
    const counts = countByZone(replicas.map((r) => r.zone));
    if (records.length === 0) {
        const why = `${plural(replicas.length, "replica")} (${formatZoneCounts(counts)}) but no \`reader\` DNS records: nothing moves reads off a failed replica`;
        return tier("database readers", false, why, false, why);
    }

    const onReplicas = records.filter((r) => r.weight > 0 && r.target !== undefined && r.target !== w);
    const checked = onReplicas.filter((r) => r.health !== undefined).length;
    const fallback = records.find((r) => r.weight === 0 && r.target === w && r.health === undefined);
    const setup =
        `reader → ${plural(onReplicas.length, "replica")} (${formatZoneCounts(countByZone(onReplicas.map((r) => r.target?.zone)))}), ` +
        (checked === onReplicas.length ? (checked === 1 ? "health-checked" : "each health-checked") : checked === 0 ? "no health checks" : `${checked} of ${onReplicas.length} health-checked`) +
        (fallback ? `, weight-0 fallback to the writer ${w.name}` : ", no fallback to the writer");
    const show = (s: ReadScenario) => (s.ok ? `losing ${s.loss} → ${s.answers.join(", ")}` : `losing ${s.loss}: ${s.why}`);
    const verdict = (scenarios: ReadScenario[]) => {
        const failing = scenarios.filter((s) => !s.ok);
        return { ok: failing.length === 0, text: `${setup}. ${(failing.length === 0 ? scenarios : failing).map(show).join("; ")}` };
    };

    // One instance lost (a Multi-AZ writer fails over on its own, as in the writer tier).
    const instances = [w, ...replicas].filter((d) => !d.multiAz);
    const server = verdict(instances.map((d) => replay(records, `${d.name}${d === w ? " (the writer)" : ""}`, (x) => x === d)));
    // One zone lost: every single-AZ instance in it.
    const zones = uniqueSorted([w, ...replicas].map((d) => d.zone));
    const zone = verdict(zones.map((z) => replay(records, z, (x) => x.zone === z && !x.multiAz)));
    return tier("database readers", server.ok, server.text, zone.ok, zone.text);
}

/**
 * Logical names of the alarms that are plumbing, not paging: those a Route 53 health check follows
 * (CLOUDWATCH_METRIC, by alarm name) and those an Auto Scaling group's instance refresh watches to roll
 * back (`instanceRefresh.preferences.alarmSpecification.alarms`, by alarm name).
 */
function plumbingAlarms(records: readonly PlanRecord[]): Set<string> {
    const rs = new RecordSet(records);
    const followed = new Set(rs.of(T.healthCheck).map((c) => str(c.inputs.cloudwatchAlarmName)));
    for (const g of rs.of(T.autoScalingGroup)) {
        const gates = (g.inputs.instanceRefresh as { preferences?: { alarmSpecification?: { alarms?: unknown[] } } } | undefined)?.preferences?.alarmSpecification?.alarms ?? [];
        for (const name of gates) followed.add(str(name));
    }
    return new Set(rs.of(T.metricAlarm).filter((a) => followed.has(str(a.inputs.name) ?? str(a.state?.name))).map((a) => a.name));
}

/**
 * The monitoring tier. An alarm without actions that only drives a Route 53 health check (the database's
 * reader-health alarms) or gates an instance refresh (fails and stops it) is plumbing, not monitoring: it
 * counts neither as an alarm nobody hears nor as watching an instance.
 */
function monitoring(t: Topology, dnsOnly: ReadonlySet<string> = new Set()): { report: TierReport; notes: string[] } {
    const notes: string[] = [];
    const plumbing = t.alarms.filter((a) => a.actions === 0 && dnsOnly.has(a.name)).length;
    const alarms = t.alarms.filter((a) => !(a.actions === 0 && dnsOnly.has(a.name)));
    if (alarms.length === 0) {
        return { report: notDeclared("monitoring", "alarms"), notes: ["no CloudWatch alarms are declared: a failure would go unnoticed"] };
    }
    const withActions = alarms.filter((a) => a.actions > 0).length;
    const who = t.subscriptions.length > 0 ? `SNS → ${list(uniqueSorted(t.subscriptions.map((s) => s.protocol)))}` : "an SNS topic with no subscriber";
    const watched = (needle: string | undefined) => needle !== undefined && alarms.some((a) => a.text.includes(needle));
    const servers = t.servers.filter((s) => s.id !== undefined);
    const serversWatched = servers.filter((s) => watched(s.id)).length;
    const dbs = [...t.dbWriters, ...t.dbReplicas];
    const dbsWatched = dbs.filter((d) => watched(d.identifier)).length;
    // A fleet is watched through alarms on its AutoScalingGroupName, not per instance.
    const fleets = t.fleets.filter((f) => f.groupName !== undefined);
    const fleetsWatched = fleets.filter((f) => alarms.some((a) => a.text.includes(`"AutoScalingGroupName":${JSON.stringify(f.groupName)}`))).length;
    if (fleets.length > fleetsWatched) notes.push(`${plural(fleets.length - fleetsWatched, "Auto Scaling group has no alarm on its", "Auto Scaling groups have no alarm on their")} AutoScalingGroupName`);
    // A Multi-AZ DB cluster's instances are RDS's (`<cluster>-instance-N`): watched when an alarm names one.
    const clustersWatched = t.dbClusters.filter((c) => watched(c.identifier)).length;
    const coverage = [
        fleets.length > 0 ? `${fleetsWatched}/${plural(fleets.length, "Auto Scaling group")}` : undefined,
        servers.length > 0 ? `${serversWatched}/${plural(servers.length, "web server")}` : undefined,
        dbs.length > 0 ? `${dbsWatched}/${plural(dbs.length, "DB instance")}` : undefined,
        t.dbClusters.length > 0 ? `${clustersWatched}/${plural(t.dbClusters.length, "Multi-AZ DB cluster")}` : undefined,
    ].filter(Boolean);
    if (clustersWatched < t.dbClusters.length) notes.push(`${plural(t.dbClusters.length - clustersWatched, "Multi-AZ DB cluster has no alarm of its own", "Multi-AZ DB clusters have no alarm of their own")}`);
    if (servers.length > 0 && serversWatched < servers.length) notes.push(`${plural(servers.length - serversWatched, "web server has no alarm of its own", "web servers have no alarm of their own")}`);
    if (dbs.length > 0 && dbsWatched < dbs.length) notes.push(`${plural(dbs.length - dbsWatched, "DB instance has no alarm of its own", "DB instances have no alarm of their own")}`);
    if (withActions < alarms.length) notes.push(`${plural(alarms.length - withActions, "alarm has", "alarms have")} no alarm action: nobody is told`);
    if (t.subscriptions.length === 0) notes.push("the alarm topic has no subscriber (set `alertEmail`)");
    const dns = plumbing > 0 ? ` (plus ${plural(plumbing, "alarm")} that only ${plumbing === 1 ? "drives" : "drive"} Route 53 health checks or gate instance refreshes)` : "";
    const why = `${plural(alarms.length, "alarm")} (${withActions} with actions → ${who})${coverage.length > 0 ? `, watching ${coverage.join(" and ")}` : ""}${dns}; CloudWatch and SNS are regional services, not tied to a zone`;
    return { report: tier("monitoring", true, why, true, why), notes };
}

/** The single-point-of-failure report for a set of declared resources. */
export function analyseSpof(records: readonly PlanRecord[]): SpofReport {
    const t = topologyOf(records);
    const writer = dbWriter(t);
    const mon = monitoring(t, plumbingAlarms(records));
    const tiers = [edge(t), loadBalancer(t), webServers(t), natEgress(t), writer, dbReaders(t, writer, readerRecordsOf(records, t)), mon.report];
    const spofs: SinglePointOfFailure[] = [];
    for (const r of tiers) {
        if (r.survivesServer === false) spofs.push({ tier: r.tier, loss: "server", reason: r.server });
        if (r.survivesZone === false) spofs.push({ tier: r.tier, loss: "zone", reason: r.zone });
    }
    const notes = [...mon.notes];
    if (t.loadBalancers.length > 0 && t.webAcls.length === 0) notes.push("no WAF in front of the load balancer");
    return { tiers, spofs, notes };
}

const mark = (s: Survives) => (s === null ? "n/a" : s ? "yes" : "**NO**");
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The report as a Markdown table plus the list of single points of failure. */
export function spofMarkdown(report: SpofReport): string {
    const lines = [
        "| tier | survives losing one server | survives losing one zone | why |",
        "|---|---|---|---|",
        ...report.tiers.map((r) => {
            const why = r.server === r.zone ? r.server : `server: ${r.server}. zone: ${r.zone}`;
            return `| ${r.tier} | ${mark(r.survivesServer)} | ${mark(r.survivesZone)} | ${cell(why)} |`;
        }),
        "",
    ];
    if (report.spofs.length === 0) {
        lines.push("**No single point of failure**: every declared tier survives the loss of one server and of one zone.");
    } else {
        lines.push(`**Single points of failure (${report.spofs.length}):**`, "");
        for (const s of report.spofs) lines.push(`- ${s.tier}, loss of one ${s.loss}: ${s.reason}`);
    }
    if (report.notes.length > 0) {
        lines.push("", "Notes:", "", ...report.notes.map((n) => `- ${n}`));
    }
    return lines.join("\n");
}

/** The report for a terminal. */
export function spofText(report: SpofReport): string {
    const yn = (s: Survives) => (s === null ? "n/a" : s ? "yes" : "NO");
    const width = Math.max(...report.tiers.map((r) => r.tier.length));
    const lines = [`  ${"tier".padEnd(width)}  server  zone`];
    // The "why" column wraps under itself, so the verdict columns stay readable.
    const why = " ".repeat(width + 18);
    for (const r of report.tiers) {
        const first = `  ${r.tier.padEnd(width)}  ${yn(r.survivesServer).padEnd(6)}  ${yn(r.survivesZone).padEnd(4)}  `;
        lines.push(wrap(r.server === r.zone ? r.server : `server: ${r.server}`, MAX_LINE_WIDTH, first, why));
        if (r.server !== r.zone) lines.push(wrap(`zone: ${r.zone}`, MAX_LINE_WIDTH, why));
    }
    lines.push("");
    if (report.spofs.length === 0) {
        lines.push(wrap("No single point of failure: every declared tier survives the loss of one server and of one zone.", MAX_LINE_WIDTH, "  ", "  "));
    } else {
        lines.push(`  Single points of failure (${report.spofs.length}):`);
        for (const s of report.spofs) lines.push(wrap(`${s.tier}, loss of one ${s.loss}: ${s.reason}`, MAX_LINE_WIDTH, "  - ", "    "));
    }
    for (const n of report.notes) lines.push(wrap(n, MAX_LINE_WIDTH, "  note: ", "        "));
    return lines.join("\n");
}
