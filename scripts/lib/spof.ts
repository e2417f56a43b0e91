/**
 * Single-point-of-failure analysis over the declared resources.
 *
 * For each tier — DNS/edge, load balancer, web servers, NAT/egress, database writer, database
 * readers, monitoring — does the service survive the loss of one server (instance, node) and of one
 * availability zone, and why. Computed from what the program declares (subnets' zones, NAT routes,
 * `multiAz`, replicas' zones, target-group attachments), never from the stack config, so a
 * component that ignores a setting shows up here. Pure: hand-built records in, a report out.
 */
import { PlanRecord, countByZone, formatZoneCounts, uniqueSorted } from "./records";
import { DbInstanceInfo, Topology, primaryWriter, topologyOf } from "./topology";

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
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

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

function webServers(t: Topology): TierReport {
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
        const failover = `${plural(standbys.length, "warm standby", "warm standbys")} (${where(standbys)}) registered by ${t.failoverFunction} when no active target is healthy (about 2-3 minutes of errors)`;
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
        ? `${reachable.length} servers behind the ALB; a failed one ${detection}, the other ${reachable.length - 1} keep serving${stranded}`
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

function dbWriter(t: Topology): TierReport {
    const w = primaryWriter(t);
    if (!w) return notDeclared("database writer", "database");
    const also = t.dbWriters.length > 1 ? ` (${t.dbWriters.length} standalone instances: ${list(t.dbWriters.map((d) => d.name))}; the writer is ${w.name})` : "";
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

function dbReaders(t: Topology, writerTier: TierReport): TierReport {
    const w = primaryWriter(t);
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
    const fallback = `reads can fall back to the writer (${w.zone ?? "?"}${w.multiAz ? ", Multi-AZ" : ""})`;

    // One instance lost: with at least one replica besides the writer, another reader always remains.
    const survivesServer = true;
    const server =
        replicas.length >= 2
            ? `${plural(replicas.length, "replica")} (${formatZoneCounts(counts)}): losing one leaves ${replicas.length - 1}, and ${fallback}`
            : `1 replica (${replicas[0].zone ?? "?"}); if it fails ${fallback}; if the writer fails, the replica keeps serving reads`;

    // One zone lost: what remains of the replicas, plus the writer if it survives that zone.
    const zones = uniqueSorted([...replicas.map((r) => r.zone), w.zone]);
    const failing = zones.filter((z) => replicas.filter((r) => r.zone !== z).length === 0 && !(w.multiAz || w.zone !== z));
    const survivesZone = failing.length === 0;
    const replicaZones = Object.keys(counts);
    const zone = survivesZone
        ? replicaZones.length >= 2
            ? `replicas in ${plural(replicaZones.length, "zone")} (${formatZoneCounts(counts)}): any zone's loss leaves readers, and ${fallback}`
            : `replicas in ${replicaZones[0]} only; if that zone fails, ${fallback}`
        : `replicas and writer all in ${list(failing)}: reads stop if that zone fails`;
    return tier("database readers", survivesServer, server, survivesZone, zone);
}

function monitoring(t: Topology): { report: TierReport; notes: string[] } {
    const notes: string[] = [];
    if (t.alarms.length === 0) {
        return { report: notDeclared("monitoring", "alarms"), notes: ["no CloudWatch alarms are declared: a failure would go unnoticed"] };
    }
    const withActions = t.alarms.filter((a) => a.actions > 0).length;
    const who = t.subscriptions.length > 0 ? `SNS → ${list(uniqueSorted(t.subscriptions.map((s) => s.protocol)))}` : "an SNS topic with no subscriber";
    const watched = (needle: string | undefined) => needle !== undefined && t.alarms.some((a) => a.text.includes(needle));
    const servers = t.servers.filter((s) => s.id !== undefined);
    const serversWatched = servers.filter((s) => watched(s.id)).length;
    const dbs = [...t.dbWriters, ...t.dbReplicas];
    const dbsWatched = dbs.filter((d) => watched(d.identifier)).length;
    const coverage = [
        servers.length > 0 ? `${serversWatched}/${servers.length} web servers` : undefined,
        dbs.length > 0 ? `${dbsWatched}/${dbs.length} DB instances` : undefined,
    ].filter(Boolean);
    if (servers.length > 0 && serversWatched < servers.length) notes.push(`${servers.length - serversWatched} web server(s) have no alarm of their own`);
    if (dbs.length > 0 && dbsWatched < dbs.length) notes.push(`${dbs.length - dbsWatched} DB instance(s) have no alarm of their own`);
    if (withActions < t.alarms.length) notes.push(`${t.alarms.length - withActions} alarm(s) have no alarm action: nobody is told`);
    if (t.subscriptions.length === 0) notes.push("the alarm topic has no subscriber (set `alertEmail`)");
    const why = `${plural(t.alarms.length, "alarm")} (${withActions} with actions → ${who})${coverage.length > 0 ? `, watching ${coverage.join(" and ")}` : ""}; CloudWatch and SNS are regional services, not tied to a zone`;
    return { report: tier("monitoring", true, why, true, why), notes };
}

/** The single-point-of-failure report for a set of declared resources. */
export function analyseSpof(records: readonly PlanRecord[]): SpofReport {
    const t = topologyOf(records);
    const writer = dbWriter(t);
    const mon = monitoring(t);
    const tiers = [edge(t), loadBalancer(t), webServers(t), natEgress(t), writer, dbReaders(t, writer), mon.report];
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
    for (const r of report.tiers) {
        lines.push(`  ${r.tier.padEnd(width)}  ${yn(r.survivesServer).padEnd(6)}  ${yn(r.survivesZone).padEnd(4)}  ${r.server === r.zone ? r.server : `server: ${r.server}`}`);
        if (r.server !== r.zone) lines.push(`  ${"".padEnd(width)}  ${"".padEnd(6)}  ${"".padEnd(4)}  zone: ${r.zone}`);
    }
    lines.push("");
    if (report.spofs.length === 0) {
        lines.push("  No single point of failure: every declared tier survives the loss of one server and of one zone.");
    } else {
        lines.push(`  Single points of failure (${report.spofs.length}):`);
        for (const s of report.spofs) lines.push(`  - ${s.tier}, loss of one ${s.loss}: ${s.reason}`);
    }
    for (const n of report.notes) lines.push(`  note: ${n}`);
    return lines.join("\n");
}
