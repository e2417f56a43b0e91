/**
 * The single-point-of-failure analysis on hand-built resource records (the real stacks are covered
 * in test/plan.test.ts). Each record carries only what the analysis reads: zones through subnets,
 * NAT routes, target-group attachments, `multiAz`, `replicateSourceDb`, alarm dimensions.
 */
import { PlanRecord, T } from "../scripts/lib/records";
import { SpofReport, TierName, analyseSpof, spofMarkdown, spofText } from "../scripts/lib/spof";
import { mermaidDiagram } from "../scripts/lib/mermaid";
import { topologyOf } from "../scripts/lib/topology";

// ---- record builders -------------------------------------------------------------------------------

const rec = (type: string, name: string, inputs: Record<string, any>, id = `${name}-id`, state: Record<string, any> = {}): PlanRecord => ({
    type,
    name,
    id,
    inputs,
    state: { ...inputs, ...state },
});

interface Layout {
    /** Zone letters the network spans. */
    zones: string[];
    /** Zones of the NAT gateways; each private subnet routes to the NAT in its zone, else the first. */
    nat?: string[];
    /** Zone of each web server. */
    servers?: string[];
    /** Zones the ALB has subnets in. @default zones */
    lbZones?: string[];
    writer?: { zone: string; multiAz: boolean } | null;
    /** Zones of the read replicas. */
    replicas?: string[];
    alarms?: boolean;
    healthCheck?: { interval: number; unhealthyThreshold: number };
    /**
     * The `reader` records with replicas, as components/database.ts declares them: one per replica with a
     * Route 53 health check on a liveness alarm of it ("health-checked"), or without ("unchecked"), or no
     * records at all ("none"). @default "health-checked"
     */
    readers?: "health-checked" | "unchecked" | "none";
    /** The weight-0 `reader` record to the writer. @default true */
    fallback?: boolean;
}

const Z = (letter: string) => `us-east-1${letter}`;

function stack(l: Layout): PlanRecord[] {
    const out: PlanRecord[] = [];
    for (const z of l.zones) {
        out.push(rec(T.subnet, `public-${z}`, { availabilityZone: Z(z) }, `subnet-pub-${z}`));
        out.push(rec(T.subnet, `private-${z}`, { availabilityZone: Z(z) }, `subnet-priv-${z}`));
    }
    const nats = l.nat ?? [];
    for (const z of nats) out.push(rec(T.natGateway, `nat-${z}`, { subnetId: `subnet-pub-${z}` }, `nat-${z}`));
    for (const z of l.zones) {
        out.push(rec(T.routeTable, `private-rt-${z}`, {}, `rtb-${z}`));
        if (nats.length > 0) {
            const nat = nats.includes(z) ? z : nats[0];
            out.push(rec(T.route, `private-default-${z}`, { routeTableId: `rtb-${z}`, destinationCidrBlock: "0.0.0.0/0", natGatewayId: `nat-${nat}` }));
        }
        out.push(rec(T.routeTableAssociation, `private-rta-${z}`, { subnetId: `subnet-priv-${z}`, routeTableId: `rtb-${z}` }));
    }
    const lbZones = l.lbZones ?? l.zones;
    if (l.servers) {
        out.push(rec(T.loadBalancer[0], "alb", { subnets: lbZones.map((z) => `subnet-pub-${z}`) }, "arn:alb", { arn: "arn:alb", dnsName: "alb-1.us-east-1.elb.amazonaws.com" }));
        out.push(rec(T.targetGroup[0], "tg", { healthCheck: l.healthCheck ?? { interval: 10, unhealthyThreshold: 3 }, deregistrationDelay: 30 }, "arn:tg"));
        l.servers.forEach((z, i) => {
            out.push(rec(T.instance, `web-${i + 1}`, { subnetId: `subnet-priv-${z}`, instanceType: "t4g.micro" }, `i-${i + 1}`));
            out.push(rec(T.targetGroupAttachment[0], `web-${i + 1}-attachment`, { targetGroupArn: "arn:tg", targetId: `i-${i + 1}` }));
        });
    }
    if (l.writer) {
        out.push(rec(T.dbInstance, "db-primary", { identifier: "db-primary", multiAz: l.writer.multiAz, ...(l.writer.multiAz ? {} : { availabilityZone: Z(l.writer.zone) }) }, "db-P", { availabilityZone: Z(l.writer.zone), address: "db-primary.x.rds.amazonaws.com" }));
        (l.replicas ?? []).forEach((z, i) =>
            out.push(
                rec(T.dbInstance, `db-replica-${i + 1}`, { identifier: `db-replica-${i + 1}`, replicateSourceDb: "db-primary", availabilityZone: Z(z) }, `db-R${i + 1}`, {
                    address: `db-replica-${i + 1}.x.rds.amazonaws.com`,
                }),
            ),
        );
        const readers = l.readers ?? "health-checked";
        if ((l.replicas ?? []).length > 0 && readers !== "none") out.push(...readerRecords(l.replicas!.length, readers === "health-checked", l.fallback ?? true));
    }
    if (l.alarms) {
        out.push(rec(T.topic, "alerts", {}, "arn:sns:alerts"));
        out.push(rec(T.topicSubscription, "alerts-email", { topic: "arn:sns:alerts", protocol: "email", endpoint: "ops@example.com" }));
        (l.servers ?? []).forEach((_, i) => out.push(rec(T.metricAlarm, `web-${i + 1}-status`, { metricName: "StatusCheckFailed", dimensions: { InstanceId: `i-${i + 1}` }, alarmActions: ["arn:sns:alerts"] })));
        if (l.writer) out.push(rec(T.metricAlarm, "db-cpu", { metricName: "CPUUtilization", dimensions: { DBInstanceIdentifier: "db-primary" }, alarmActions: ["arn:sns:alerts"] }));
    }
    return out;
}

/** The `reader` records (and with `checked`, each replica's liveness alarm and Route 53 health check) of replicas 1..n. */
function readerRecords(n: number, checked: boolean, fallback: boolean, alarm: Record<string, any> = {}): PlanRecord[] {
    const out: PlanRecord[] = [];
    const record = (id: string, target: string, weight: number, healthCheckId?: string) =>
        rec(T.record, `db-reader-${id}`, {
            name: "reader.db.internal",
            type: "CNAME",
            ttl: 30,
            setIdentifier: id,
            weightedRoutingPolicies: [{ weight }],
            ...(healthCheckId ? { healthCheckId } : {}),
            records: [target],
        });
    for (let i = 1; i <= n; i++) {
        const slot = `replica-${i}`;
        if (checked) {
            const alarmName = `db-${slot}-id-reader-health`;
            out.push(
                rec(T.metricAlarm, `db-${slot}-reader-health`, {
                    name: alarmName,
                    namespace: "AWS/RDS",
                    metricName: "CPUUtilization",
                    statistic: "SampleCount",
                    dimensions: { DBInstanceIdentifier: `db-${slot}` },
                    comparisonOperator: "LessThanThreshold",
                    threshold: 1,
                    treatMissingData: "breaching",
                    actionsEnabled: false,
                    ...alarm,
                }),
                rec(T.healthCheck, `db-${slot}-reader-health`, { type: "CLOUDWATCH_METRIC", cloudwatchAlarmName: alarmName, cloudwatchAlarmRegion: "us-east-1", insufficientDataHealthStatus: "Unhealthy" }, `hc-${slot}`),
            );
        }
        out.push(record(slot, `db-${slot}.x.rds.amazonaws.com`, 1, checked ? `hc-${slot}` : undefined));
    }
    if (fallback) out.push(record("writer-fallback", "db-primary.x.rds.amazonaws.com", 0));
    return out;
}

const tierOf = (r: SpofReport, t: TierName) => {
    const found = r.tiers.find((x) => x.tier === t);
    if (!found) throw new Error(`no tier ${t}`);
    return found;
};

const DEV: Layout = { zones: ["a", "b"], nat: ["a"], servers: ["a", "b"], writer: { zone: "a", multiAz: false }, replicas: ["b"], alarms: true };
const PROD: Layout = { zones: ["a", "b", "c"], nat: ["a", "b", "c"], servers: ["a", "b", "c"], writer: { zone: "a", multiAz: true }, replicas: ["b", "c"], alarms: true };

// ---- the two reference layouts -----------------------------------------------------------------

describe("a dev-like stack: single NAT, single-AZ writer", () => {
    const report = analyseSpof(stack(DEV));

    it("names exactly the single NAT (zone) and the single-AZ writer (server and zone)", () => {
        expect(report.spofs).toEqual([
            { tier: "NAT/egress", loss: "zone", reason: "single NAT gateway in us-east-1a: private egress lost if that zone fails" },
            {
                tier: "database writer",
                loss: "server",
                reason: "writer db-primary is a single instance in us-east-1a (multiAz false): writes stop until RDS recovers it or a replica is promoted",
            },
            { tier: "database writer", loss: "zone", reason: "writer is single-AZ in us-east-1a (multiAz false): writes stop until a replica is promoted" },
        ]);
    });

    it("the load balancer and the web servers survive a server and a zone", () => {
        expect(tierOf(report, "load balancer")).toMatchObject({ survivesServer: true, survivesZone: true });
        expect(tierOf(report, "web servers")).toMatchObject({
            survivesServer: true,
            survivesZone: true,
            server: "2 servers behind the ALB; a failed one fails its health check and leaves rotation after 10 s × 3 = 30 s, the other keeps serving",
            zone: "servers in 2 zones (us-east-1a: 1, us-east-1b: 1): losing us-east-1a leaves 1 of 2 (50% capacity)",
        });
    });

    it("readers survive a replica's or a zone's loss: health-checked reader records and the weight-0 fallback to the writer", () => {
        expect(tierOf(report, "database readers")).toEqual({
            tier: "database readers",
            declared: true,
            survivesServer: true,
            server: "reader → 1 replica (us-east-1b: 1), health-checked, weight-0 fallback to the writer db-primary. losing db-primary (the writer) → db-replica-1; losing db-replica-1 → db-primary",
            survivesZone: true,
            zone: "reader → 1 replica (us-east-1b: 1), health-checked, weight-0 fallback to the writer db-primary. losing us-east-1a → db-replica-1; losing us-east-1b → db-primary",
        });
    });

    it("without health checks on the reader records, a dead replica keeps getting reads: a single point of failure", () => {
        const r = analyseSpof(stack({ ...DEV, readers: "unchecked" }));
        const why = "losing db-replica-1: the reader record of db-replica-1 has no health check, so Route 53 keeps answering with it";
        expect(tierOf(r, "database readers")).toMatchObject({ survivesServer: false, survivesZone: false });
        expect(r.spofs.filter((x) => x.tier === "database readers")).toEqual([
            { tier: "database readers", loss: "server", reason: `reader → 1 replica (us-east-1b: 1), no health checks, weight-0 fallback to the writer db-primary. ${why}` },
            { tier: "database readers", loss: "zone", reason: "reader → 1 replica (us-east-1b: 1), no health checks, weight-0 fallback to the writer db-primary. losing us-east-1b: the reader record of db-replica-1 has no health check, so Route 53 keeps answering with it" },
        ]);
    });

    it("monitoring watches every server and the writer, and e-mails", () => {
        expect(tierOf(report, "monitoring").server).toContain("3 alarms (3 with actions → SNS → email), watching 2/2 web servers and 1/2 DB instances");
        expect(report.notes).toEqual(["1 DB instance has no alarm of its own", "no WAF in front of the load balancer"]);
    });
});

describe("a prod-like stack: NAT per zone, Multi-AZ writer, replicas in two zones", () => {
    const report = analyseSpof(stack(PROD));

    it("has no single point of failure", () => {
        expect(report.spofs).toEqual([]);
        expect(report.tiers.filter((t) => t.declared).map((t) => t.tier)).toEqual(["DNS/edge", "load balancer", "web servers", "NAT/egress", "database writer", "database readers", "monitoring"]);
    });

    it("says why each tier survives", () => {
        expect(tierOf(report, "NAT/egress").zone).toBe("one NAT gateway per zone (us-east-1a, us-east-1b, us-east-1c): each private subnet routes through its own zone's NAT");
        expect(tierOf(report, "database writer").zone).toBe("writer db-primary is Multi-AZ: primary and standby are in different zones, failover is automatic");
        expect(tierOf(report, "web servers").zone).toBe("servers in 3 zones (us-east-1a: 1, us-east-1b: 1, us-east-1c: 1): losing us-east-1a leaves 2 of 3 (67% capacity)");
        expect(tierOf(report, "load balancer").zone).toBe("ALB in 3 zones (us-east-1a, us-east-1b, us-east-1c): a failed zone's node leaves DNS, the others keep serving");
    });

    it("renders a Markdown table with one row per tier and the verdict", () => {
        const md = spofMarkdown(report);
        expect(md.split("\n").filter((l) => /^\| [a-zA-Z/ ]+ \| (yes|n\/a|\*\*NO\*\*) \|/.test(l))).toHaveLength(7);
        expect(md).toContain("**No single point of failure**");
        expect(spofText(report)).toContain("No single point of failure");
    });
});

// ---- each tier's rules -----------------------------------------------------------------------------

describe("web servers", () => {
    it.each([
        [["a"], false, false, "a single serving web server (web-1 in us-east-1a): the site is down while it is"],
        [["a", "a"], true, false, "all serving web servers in us-east-1a: the site is down if that zone fails"],
        [["a", "b"], true, true, undefined],
        [["a", "a", "b"], true, true, "losing us-east-1a leaves 1 of 3 (33% capacity)"],
    ])("servers in %j: survives a server %s, a zone %s", (servers, server, zone, why) => {
        const r = tierOf(analyseSpof(stack({ zones: ["a", "b"], servers })), "web servers");
        expect([r.survivesServer, r.survivesZone]).toEqual([server, zone]);
        if (why) expect(`${r.server} ${r.zone}`).toContain(why);
    });

    it("a server in a zone the ALB does not cover gets no traffic and does not count", () => {
        const r = tierOf(analyseSpof(stack({ zones: ["a", "b", "c"], lbZones: ["a", "b"], servers: ["a", "c"] })), "web servers");
        expect(r.survivesServer).toBe(false);
        expect(r.survivesZone).toBe(false);
        expect(r.zone).toContain("web-2 (us-east-1c) in no zone of the ALB, so never receives traffic");
    });

    it("counts only instances registered in a target group when there are attachments", () => {
        const records = [...stack({ zones: ["a", "b"], servers: ["a", "b"] }), rec(T.instance, "bastion", { subnetId: "subnet-priv-a" }, "i-bastion")];
        expect(topologyOf(records).servers.map((s) => s.name)).toEqual(["web-1", "web-2"]);
    });

    it("spreads an Auto Scaling group's desired capacity over its subnets' zones", () => {
        const records = [
            rec(T.subnet, "s-a", { availabilityZone: Z("a") }, "subnet-a"),
            rec(T.subnet, "s-b", { availabilityZone: Z("b") }, "subnet-b"),
            rec(T.autoScalingGroup, "asg", { vpcZoneIdentifiers: ["subnet-a", "subnet-b"], desiredCapacity: 3 }),
        ];
        expect(topologyOf(records).servers.map((s) => s.zone)).toEqual([Z("a"), Z("a"), Z("b")]);
        expect(tierOf(analyseSpof(records), "web servers")).toMatchObject({
            survivesServer: false,
            survivesZone: false,
            server: "group asg is attached to no target group: its servers never receive requests",
        });
    });

    // Property: with every server in an ALB zone and a health-checked target group, the tier survives a
    // server iff there are ≥ 2, and a zone iff they span ≥ 2 zones — for any placement.
    it("survival follows count and spread for random placements", () => {
        let seed = 42;
        const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
        for (let run = 0; run < 200; run++) {
            const zones = ["a", "b", "c", "d"].slice(0, 2 + rand(3));
            const servers = Array.from({ length: 1 + rand(6) }, () => zones[rand(zones.length)]);
            const r = tierOf(analyseSpof(stack({ zones, servers })), "web servers");
            expect([servers.join(""), r.survivesServer, r.survivesZone]).toEqual([servers.join(""), servers.length >= 2, new Set(servers).size >= 2]);
        }
    });
});

describe("active-passive web servers", () => {
    const activePassive = (withAlarm: boolean) => {
        const records = stack({ zones: ["a", "b"], servers: ["a", "b"] }).filter((r) => r.name !== "web-2-attachment");
        records.push(
            rec("aws:lambda/function:Function", "failover-fn", { environment: { variables: { STANDBY_TARGETS: JSON.stringify([{ Id: "i-2", Port: 80 }]) } } }, "failover-fn", { arn: "arn:fn" }),
        );
        if (withAlarm) records.push(rec(T.metricAlarm, "failover-active-down", { metricName: "HealthyHostCount", alarmActions: ["arn:fn"] }));
        return records;
    };

    it("a standby the alarm-driven function registers makes one active server survivable", () => {
        const r = tierOf(analyseSpof(activePassive(true)), "web servers");
        expect(r).toMatchObject({ survivesServer: true, survivesZone: true });
        expect(r.server).toBe(
            "active-passive: 1 active server (web-1 in us-east-1a); if it fails, 1 warm standby (web-2 in us-east-1b) registered by failover-fn when the active server fails its health checks (see docs/web-tier.md for the time it takes)",
        );
        expect(mermaidDiagram(activePassive(true))).toContain("alb -.->|failover| web_web_2");
    });

    it("without an alarm to invoke it, the function is no failover: the one active server is a SPOF", () => {
        const r = tierOf(analyseSpof(activePassive(false)), "web servers");
        expect(r).toMatchObject({ survivesServer: false, survivesZone: false });
    });
});

describe("NAT/egress", () => {
    it.each([
        [{ zones: ["a", "b"], nat: ["b"] }, false, "single NAT gateway in us-east-1b: private egress lost if that zone fails"],
        [{ zones: ["a", "b", "c"], nat: ["a", "b"] }, false, "private-c (us-east-1c) routes through nat-a in us-east-1a: its egress is lost if us-east-1a fails"],
        [{ zones: ["a", "b"], nat: ["a", "b"] }, true, "one NAT gateway per zone (us-east-1a, us-east-1b): each private subnet routes through its own zone's NAT"],
    ])("%j survives a zone: %s", (layout, survives, why) => {
        const r = tierOf(analyseSpof(stack(layout)), "NAT/egress");
        expect(r).toMatchObject({ survivesServer: true, survivesZone: survives, zone: why });
    });

    it("no NAT at all is by design, not a failure", () => {
        const r = tierOf(analyseSpof(stack({ zones: ["a", "b"], nat: [] })), "NAT/egress");
        expect(r).toMatchObject({ declared: true, survivesServer: null, survivesZone: null });
        expect(r.zone).toMatch(/^no NAT gateway: private subnets have no internet route by design/);
    });
});

describe("database", () => {
    it("a Multi-AZ writer survives a server and a zone", () => {
        const r = tierOf(analyseSpof(stack({ zones: ["a", "b"], writer: { zone: "a", multiAz: true } })), "database writer");
        expect(r).toMatchObject({ survivesServer: true, survivesZone: true });
    });

    it("without replicas, readers share the writer's fate", () => {
        const single = analyseSpof(stack({ zones: ["a", "b"], writer: { zone: "a", multiAz: false } }));
        expect(tierOf(single, "database readers")).toMatchObject({ survivesServer: false, survivesZone: false });
        expect(tierOf(single, "database readers").zone).toMatch(/^no read replicas: reads go to the writer \(writer is single-AZ in us-east-1a/);
        const multi = analyseSpof(stack({ zones: ["a", "b"], writer: { zone: "a", multiAz: true } }));
        expect(tierOf(multi, "database readers")).toMatchObject({ survivesServer: true, survivesZone: true });
    });

    it("replicas only in the single-AZ writer's zone do not survive that zone", () => {
        const r = tierOf(analyseSpof(stack({ zones: ["a", "b"], writer: { zone: "a", multiAz: false }, replicas: ["a"] })), "database readers");
        expect(r).toMatchObject({
            survivesServer: true,
            survivesZone: false,
            zone: "reader → 1 replica (us-east-1a: 1), health-checked, weight-0 fallback to the writer db-primary. losing us-east-1a: no replica's record is healthy and the zero-weight fallback, db-primary, is down too",
        });
    });

    it("after a promotion, the writer is the instance the `writer` DNS name points at", () => {
        const records = [
            ...stack({ zones: ["a", "b"], writer: { zone: "a", multiAz: false } }),
            rec(T.dbInstance, "db-replica-1", { identifier: "db-replica-1", availabilityZone: Z("b"), multiAz: true }, "db-R1", { address: "db-replica-1.x.rds.amazonaws.com" }),
            rec(T.record, "writer", { name: "writer.db.internal", type: "CNAME", records: ["db-replica-1.x.rds.amazonaws.com"] }),
        ];
        const r = tierOf(analyseSpof(records), "database writer");
        expect(r.survivesZone).toBe(true);
        expect(r.zone).toContain("2 standalone instances: db-primary, db-replica-1; the writer is db-replica-1");
    });
});

describe("database readers: Route 53's answers for the `reader` name, replayed from the records", () => {
    const readers = (l: Layout) => tierOf(analyseSpof(stack(l)), "database readers");
    const TWO = { zones: ["a", "b", "c"], writer: { zone: "a", multiAz: false }, replicas: ["b", "c"] };

    it("health checks without the writer fallback: losing the only replica leaves no healthy record, and Route 53 then answers with the dead one", () => {
        const r = readers({ ...DEV, fallback: false });
        expect(r).toMatchObject({ survivesServer: false, survivesZone: false });
        expect(r.server).toBe(
            "reader → 1 replica (us-east-1b: 1), health-checked, no fallback to the writer. losing db-replica-1: every reader record is unhealthy and none is a healthy zero-weight fallback, so Route 53 answers with all of them, the failed ones included",
        );
    });

    it("health checks without the fallback suffice while another replica is healthy (2 replicas in 2 zones)", () => {
        expect(readers({ ...TWO, fallback: false })).toMatchObject({ survivesServer: true, survivesZone: true });
        expect(readers({ ...TWO, fallback: false }).zone).toContain("losing us-east-1b → db-replica-2; losing us-east-1c → db-replica-1");
    });

    it("two replicas without health checks: losing either one still sends it a share of the reads", () => {
        const r = readers({ ...TWO, readers: "unchecked" });
        expect(r).toMatchObject({ survivesServer: false, survivesZone: false });
        expect(r.server).toContain("losing db-replica-1: the reader record of db-replica-1 has no health check");
        expect(r.server).toContain("losing db-replica-2: the reader record of db-replica-2 has no health check");
    });

    it("a health check must turn unhealthy when its replica stops: an alarm whose missing data is not breaching does not", () => {
        const records = stack({ ...DEV, readers: "none" });
        records.push(...readerRecords(1, true, true, { treatMissingData: "notBreaching" }));
        const r = tierOf(analyseSpof(records), "database readers");
        expect(r).toMatchObject({ survivesServer: false, survivesZone: false });
        expect(r.server).toContain(
            "losing db-replica-1: the health check of db-replica-1's reader record does not turn unhealthy when it fails (alarm db-replica-1-reader-health), so Route 53 keeps answering with it",
        );
    });

    it("a health check must watch its own record's replica: swapped checks keep the dead replica in the answers", () => {
        const records = stack({ ...TWO, readers: "none" }).concat(
            readerRecords(2, true, true).map((r) => (r.type === T.record && r.inputs.healthCheckId ? { ...r, inputs: { ...r.inputs, healthCheckId: r.inputs.healthCheckId === "hc-replica-1" ? "hc-replica-2" : "hc-replica-1" } } : r)),
        );
        const r = tierOf(analyseSpof(records), "database readers");
        expect(r.survivesServer).toBe(false);
        expect(r.server).toContain("losing db-replica-1: the health check of db-replica-1's reader record does not turn unhealthy when it fails (alarm db-replica-2-reader-health)");
    });

    it("replicas but no `reader` records: nothing moves reads off a failed replica", () => {
        expect(readers({ ...DEV, readers: "none" })).toMatchObject({
            survivesServer: false,
            survivesZone: false,
            server: "1 replica (us-east-1b: 1) but no `reader` DNS records: nothing moves reads off a failed replica",
        });
    });

    it("a reader-health alarm without actions is DNS plumbing: no \"nobody is told\" note, and it watches no instance for monitoring", () => {
        const report = analyseSpof(stack(DEV));
        expect(report.notes).not.toContain(expect.stringMatching(/no alarm action/));
        expect(tierOf(report, "monitoring").server).toContain("watching 2/2 web servers and 1/2 DB instances (plus 1 alarm that only drives Route 53 health checks or gate instance refreshes)");
        // The same alarm with no health check following it is an alarm nobody hears.
        const orphan = stack(DEV).filter((r) => r.type !== T.healthCheck);
        expect(analyseSpof(orphan).notes).toContain("1 alarm has no alarm action: nobody is told");
    });

    // Property: with health-checked records and the weight-0 writer fallback (what the Database declares),
    // reads survive the loss of any one instance, and the loss of a zone unless that zone holds every
    // replica and a single-AZ writer; without health checks they survive neither — for any placement.
    it("survival follows the records for random placements", () => {
        let seed = 7;
        const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
        for (let run = 0; run < 200; run++) {
            const zones = ["a", "b", "c"].slice(0, 2 + rand(2));
            const writer = { zone: zones[rand(zones.length)], multiAz: rand(2) === 1 };
            const replicas = Array.from({ length: 1 + rand(4) }, () => zones[rand(zones.length)]);
            const layout = { zones, writer, replicas };
            const zoneOk = zones.every((z) => replicas.some((r) => r !== z) || writer.multiAz || writer.zone !== z);
            const checked = readers(layout);
            expect([JSON.stringify(layout), checked.survivesServer, checked.survivesZone]).toEqual([JSON.stringify(layout), true, zoneOk]);
            const unchecked = readers({ ...layout, readers: "unchecked" });
            expect([JSON.stringify(layout), unchecked.survivesServer, unchecked.survivesZone]).toEqual([JSON.stringify(layout), false, false]);
        }
    });
});

describe("edge, monitoring, absent tiers", () => {
    it("a DNS name pinned to an IP address is a single point of failure", () => {
        const records = [rec(T.record, "www", { name: "www.example.com", type: "A", records: ["203.0.113.7"] })];
        expect(analyseSpof(records).spofs.map((s) => [s.tier, s.loss])).toEqual([
            ["DNS/edge", "server"],
            ["DNS/edge", "zone"],
        ]);
    });

    it("an alias to the ALB and a WAF on it survive", () => {
        const records = [
            ...stack({ zones: ["a", "b"], servers: ["a", "b"] }),
            rec(T.record, "site", { name: "www.example.com", type: "A", aliases: [{ name: "alb-1.us-east-1.elb.amazonaws.com" }] }),
            rec(T.webAcl, "waf", {}, "waf-id", { arn: "arn:waf" }),
            rec(T.webAclAssociation, "waf-assoc", { resourceArn: "arn:alb", webAclArn: "arn:waf" }),
        ];
        const r = tierOf(analyseSpof(records), "DNS/edge");
        expect(r).toMatchObject({ survivesServer: true, survivesZone: true });
        expect(r.zone).toBe("Route 53 alias www.example.com → ALB (Route 53 is global); WAF web ACL on the ALB (regional managed service)");
    });

    it("flags alarms that tell nobody and servers without an alarm", () => {
        const records = [...stack({ zones: ["a", "b"], servers: ["a", "b"] }), rec(T.metricAlarm, "lb-5xx", { metricName: "HTTPCode_ELB_5XX_Count" })];
        expect(analyseSpof(records).notes).toEqual([
            "2 web servers have no alarm of their own",
            "1 alarm has no alarm action: nobody is told",
            "the alarm topic has no subscriber (set `alertEmail`)",
            "no WAF in front of the load balancer",
        ]);
    });

    it("nothing declared: every tier n/a, no single point of failure", () => {
        const report = analyseSpof([]);
        expect(report.tiers.every((t) => !t.declared && t.survivesServer === null && t.survivesZone === null)).toBe(true);
        expect(report.spofs).toEqual([]);
    });
});

describe("the Mermaid diagram", () => {
    const diagram = mermaidDiagram(stack(DEV));

    it("draws internet → ALB → servers grouped by zone → writer → replica, with egress to the NAT", () => {
        expect(diagram.split("\n")[0]).toBe("flowchart TD");
        expect(diagram).toContain("internet --> alb");
        expect(diagram).toContain('subgraph az_us_east_1a["us-east-1a"]');
        expect(diagram).toContain('subgraph az_us_east_1b["us-east-1b"]');
        expect(diagram).toContain("alb --> web_web_1");
        expect(diagram).toContain("web_web_2 -->|SQL| db_db_primary");
        expect(diagram).toContain("db_db_primary -->|replicates| db_db_replica_1");
        // web-2 is in zone b but leaves through the NAT in zone a: the diagram shows the cross-zone path.
        expect(diagram).toContain("web_web_2 -.->|egress| nat_nat_a");
        expect(diagram).toContain("alarms --> sns");
    });

    it("puts each server in its zone's subgraph", () => {
        const blocks = diagram.split("subgraph ").slice(1);
        expect(blocks.find((b) => b.startsWith("az_us_east_1b"))?.split("end")[0]).toContain("web_web_2[");
        expect(blocks.find((b) => b.startsWith("az_us_east_1a"))?.split("end")[0]).not.toContain("web_web_2[");
    });

    it("escapes quotes in labels", () => {
        const records = [rec(T.webAcl, 'waf "x"', {})];
        expect(mermaidDiagram(records)).toContain('waf{{"WAF web ACL<br/>waf #quot;x#quot;"}}');
    });
});
