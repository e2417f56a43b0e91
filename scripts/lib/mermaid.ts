/**
 * The architecture as a Mermaid flowchart, drawn from the declared resources: internet → (DNS) →
 * WAF → ALB → web servers grouped by zone → DB writer → replicas, the NAT gateways each zone's
 * servers leave through, and the monitoring path (alarms → SNS → e-mail). Pure.
 */
import { spreadOverZones, standbyCount, warmPoolSize } from "./fleet";
import { PlanRecord, uniqueSorted } from "./records";
import { FailureModeId, RecoveryReport, tierRecoveryLine } from "./recovery";
import { plural } from "./text";
import { primaryWriter, topologyOf } from "./topology";

/** Mermaid node ids: letters, digits and underscores only. */
function nodeId(prefix: string, name: string): string {
    return `${prefix}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** A quoted Mermaid label; `"` becomes the `#quot;` entity, line breaks `<br/>`. */
function label(...lines: (string | undefined)[]): string {
    return `"${lines
        .filter((l): l is string => l !== undefined && l !== "")
        .map((l) => l.replace(/"/g, "#quot;").replace(/[<>]/g, (c) => (c === "<" ? "#lt;" : "#gt;")))
        .join("<br/>")}"`;
}

/**
 * @param recovery the plan's recovery report: each tier's box then says how long its loss takes to
 * recover (scripts/lib/recovery.ts).
 */
export function mermaidDiagram(records: readonly PlanRecord[], recovery?: RecoveryReport): string {
    const rt = (id: FailureModeId, what: string) => tierRecoveryLine(recovery, id, what);
    const t = topologyOf(records);
    const out: string[] = ["flowchart TD"];
    const add = (line: string) => out.push(`    ${line}`);

    add(`internet(["Internet"])`);
    let edge = "internet";

    const site = t.dnsRecords.find((r) => r.alias && !/writer|reader/.test(r.name));
    if (site) {
        add(`dns[${label("Route 53", site.name.replace(/\.$/, ""))}]`);
        add(`${edge} --> dns`);
        edge = "dns";
    }
    if (t.webAcls.length > 0) {
        add(`waf{{${label("WAF web ACL", t.webAcls.join(", "))}}}`);
        add(`${edge} --> waf`);
        edge = "waf";
    }
    const lb = t.loadBalancers.find((l) => !l.internal) ?? t.loadBalancers[0];
    const tg = t.targetGroups[0];
    if (lb) {
        const ports = t.listeners.map((l) => `${l.protocol} ${l.port ?? ""}${l.redirects ? " → redirect" : ""}`.trim());
        add(
            `alb[${label(
                `ALB ${lb.name}`,
                ports.length > 0 ? ports.join(", ") : undefined,
                tg ? `${tg.algorithm}, health check ${tg.healthCheckInterval}s × ${tg.unhealthyThreshold}` : undefined,
                `zones: ${lb.zones.join(", ") || "?"}`,
                rt("lb-node", "a node"),
            )}]`,
        );
        add(`${edge} --> alb`);
        edge = "alb";
    }

    // One subgraph per zone with what runs in it.
    const writer = primaryWriter(t);
    const zones = uniqueSorted([...t.zones, ...t.servers.map((s) => s.zone), ...t.standbys.map((s) => s.zone), ...t.natGateways.map((n) => n.zone), ...t.dbReplicas.map((r) => r.zone), writer?.zone]);
    const natOfZone = new Map(t.egress.map((e) => [e.zone, e.natName]));
    // Instances of an Auto Scaling group are drawn as one node per group (below), not one per instance.
    const instances = t.servers.filter((s) => s.fromGroup === undefined);
    const instanceStandbys = t.standbys.filter((s) => s.fromGroup === undefined);
    for (const zone of zones) {
        const servers = instances.filter((s) => s.zone === zone);
        const standbys = instanceStandbys.filter((s) => s.zone === zone);
        const nats = t.natGateways.filter((n) => n.zone === zone);
        const dbs = [...t.dbWriters, ...t.dbReplicas].filter((d) => d.zone === zone);
        if (servers.length + standbys.length + nats.length + dbs.length === 0) continue;
        add(`subgraph ${nodeId("az", zone)}[${label(zone)}]`);
        for (const s of servers) add(`    ${nodeId("web", s.name)}[${label(s.name, s.instanceType, rt("web-server", "a server"))}]`);
        for (const s of standbys) add(`    ${nodeId("web", s.name)}[${label(s.name, s.instanceType, "standby")}]`);
        for (const n of nats) add(`    ${nodeId("nat", n.name)}{{${label("NAT gateway", n.name, rt("nat-path", "the NAT path"))}}}`);
        for (const d of dbs) {
            const role = d.source === undefined ? (d === writer ? "DB writer" : "DB standalone") : "DB read replica";
            const lost = d.source !== undefined ? rt("db-replica", "a replica") : d === writer ? rt("db-writer", "the writer") : undefined;
            add(`    ${nodeId("db", d.name)}[(${label(role, d.name, d.instanceClass, d.source === undefined && d.multiAz ? "Multi-AZ standby in another zone" : undefined, lost)})]`);
        }
        add("end");
    }
    // A Multi-AZ DB cluster spans the three zones; which of its instances writes changes at a failover.
    const cluster = writer ? undefined : t.dbClusters[0];
    if (cluster) {
        add(
            `${nodeId("db", cluster.name)}[(${label("Multi-AZ DB cluster", cluster.name, `${cluster.instanceClass ?? "?"} × 3`, `writer + 2 readable standbys in ${cluster.zones.join(", ") || "3 zones"}`, "automatic failover < 35 s", rt("db-writer", "the writer"))})]`,
        );
    }
    const sqlTarget = writer ?? cluster;
    for (const f of t.fleets) {
        const atMin = spreadOverZones(f.desiredCapacity ?? f.minSize, f.zones);
        const atMax = spreadOverZones(f.maxSize, f.zones);
        const pool = warmPoolSize(f, f.desiredCapacity ?? f.minSize);
        const id = nodeId("asg", f.name);
        add(
            `${id}[${label(
                `Auto Scaling group ${f.name}`,
                `${f.instanceType ?? "?"}, ${f.minSize}–${f.maxSize} servers`,
                ...f.zones.map((z) => `${z}: ${atMin[z]}–${atMax[z]}`),
                pool > 0 && f.warmPool ? `+ ${pool} in a warm pool (${f.warmPool.poolState}), outside the target group` : undefined,
                standbyCount(f) > 0 ? `+ ${standbyCount(f)} Standby, outside the target group (${f.standbyFunction?.name} fails over)` : undefined,
                f.scaling.length > 0 ? `target tracking: ${f.scaling.map((x) => `${x.metric} ${x.target ?? "?"}`).join(", ")}` : undefined,
                rt("active-server", "the active server") ?? rt("web-server", "a server"),
                rt("web-zone", "a zone's servers"),
            )}]`,
        );
        if (lb && f.targetGroups.length > 0) add(`alb --> ${id}`);
        if (sqlTarget) add(`${id} -->|SQL| ${nodeId("db", sqlTarget.name)}`);
        for (const nat of uniqueSorted(f.zones.map((z) => natOfZone.get(z)))) add(`${id} -.->|egress| ${nodeId("nat", nat)}`);
    }
    for (const s of [...instances, ...instanceStandbys]) {
        const standby = instanceStandbys.includes(s);
        if (lb) add(standby ? `alb -.->|failover| ${nodeId("web", s.name)}` : `alb --> ${nodeId("web", s.name)}`);
        if (sqlTarget) add(`${nodeId("web", s.name)} -->|SQL| ${nodeId("db", sqlTarget.name)}`);
        const nat = natOfZone.get(s.zone);
        if (nat) add(`${nodeId("web", s.name)} -.->|egress| ${nodeId("nat", nat)}`);
    }
    for (const r of t.dbReplicas) {
        const source = t.dbWriters.find((w) => w.identifier === r.source || r.source?.endsWith(`:db:${w.identifier}`)) ?? writer;
        if (source) add(`${nodeId("db", source.name)} -->|replicates| ${nodeId("db", r.name)}`);
    }

    if (t.alarms.length > 0 || t.topics.length > 0) {
        add(`subgraph monitoring["Monitoring"]`);
        add(`    alarms[${label(plural(t.alarms.length, "CloudWatch alarm"), t.dashboards > 0 ? plural(t.dashboards, "dashboard") : undefined)}]`);
        if (t.topics.length > 0) add(`    sns[${label("SNS topic", t.topics.join(", "))}]`);
        const protocols = uniqueSorted(t.subscriptions.map((s) => s.protocol));
        if (protocols.length > 0) add(`    notify([${label(protocols.join(", "))}])`);
        add("end");
        if (t.topics.length > 0) add("alarms --> sns");
        if (protocols.length > 0 && t.topics.length > 0) add("sns --> notify");
        if (lb) add("alarms -.->|watch| alb");
    }
    return out.join("\n");
}
