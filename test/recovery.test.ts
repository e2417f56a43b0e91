/**
 * The recovery-time report: figures for the real stacks (dev, prod and variants) read from the declared
 * resources; each figure follows the declared value it reads (a mutated record changes it, the config
 * alone does not); targets fail the plan with the failure mode and both numbers; the AWS constants are
 * documented.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { plan, PlanResult } from "../scripts/plan";
import { AWS_TIMES } from "../scripts/lib/awsTimes";
import { mermaidDiagram } from "../scripts/lib/mermaid";
import { ASSUMED_SECONDS } from "../scripts/lib/fleet";
import { FailureMode, FailureModeId, RecoveryReport, analyseRecovery, recoveryMarkdown, recoveryText, recoveryViolations } from "../scripts/lib/recovery";
import { PlanRecord, T } from "../scripts/lib/records";
import { RecordedResource, runStack } from "./mocks";

const ROOT = path.resolve(__dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "recovery-test-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const mode = (r: RecoveryReport, id: FailureModeId): FailureMode => {
    const m = r.modes.find((x) => x.id === id);
    if (!m) throw new Error(`no failure mode ${id} in ${r.modes.map((x) => x.id).join(", ")}`);
    return m;
};
const secs = (f: { seconds: { low: number; high: number } | null }) => (f.seconds === null ? null : [f.seconds.low, f.seconds.high]);

/** A deep copy of the records with one record's inputs (and state) changed. */
function mutate(records: readonly RecordedResource[], pick: (r: RecordedResource) => boolean, change: (inputs: Record<string, any>) => void): PlanRecord[] {
    let hit = 0;
    const out = records.map((r) => {
        if (!pick(r)) return r;
        hit++;
        const inputs = structuredClone(r.inputs);
        change(inputs);
        return { ...r, inputs, state: { ...r.state, ...inputs } };
    });
    if (hit === 0) throw new Error("mutate: no record matched");
    return out;
}

const runs: Record<string, readonly RecordedResource[]> = {};
const VARIANTS: Record<string, [string, Record<string, string>]> = {
    dev: ["dev", {}],
    prod: ["prod", {}],
    // prod's former shape: a Multi-AZ instance with two replicas (prod runs a Multi-AZ DB cluster now).
    // With a recovery-time target of 100 s, which only the stack's exports carry (no resource reads
    // it): the plan that must miss that target (below) reuses this run instead of running its own.
    prodInstance: [
        "prod",
        {
            dbDeployment: "instance",
            dbMultiAz: "true",
            dbReplicaCount: "2",
            dbInstanceClass: "db.t4g.small",
            dbAllocatedStorageGiB: "50",
            dbMaxAllocatedStorageGiB: "500",
            alarmDbFreeStorageGiB: "2",
            recoveryTimeTargetSeconds: "100",
        },
    ],
    // One run for two independent settings (the NAT path reads only the NAT gateways, the writer
    // figures only the DB instances): each program run costs ~0.4 s of CPU.
    devPerAzMultiAz: ["dev", { natStrategy: "perAz", dbMultiAz: "true" }],
    activePassive: ["dev", { webServerMode: "active-passive", webServerCount: "2" }],
};

beforeAll(async () => {
    // Sequential: the mock engine is process-global.
    for (const [key, [stack, overrides]] of Object.entries(VARIANTS)) runs[key] = (await runStack(stack, overrides)).resources;
}, 120_000);

describe("figures of the stacks as declared", () => {
    it("dev: a web server is out of rotation after 5 s × 2 checks and the others serve", () => {
        const server = mode(analyseRecovery(runs.dev), "web-server");
        expect(server.survived).toBe(true);
        expect(secs(server.detect)).toEqual([10, 10]);
        expect(server.detect.formula).toBe("5 s interval × 2 failed checks = 10 s");
        expect(secs(server.reduced)).toEqual([10, 10]);
        expect(secs(server.dataLoss)).toEqual([0, 0]);
    });

    it("dev: a zone's servers leave rotation in 10 s, but its load balancer node leaves DNS only within the 60 s TTL", () => {
        const zone = mode(analyseRecovery(runs.dev), "web-zone");
        expect(zone.survived).toBe(true);
        expect(secs(zone.detect)).toEqual([10, 10]);
        expect(secs(zone.reduced)).toEqual([60, 60]);
        expect(zone.reduced.formula).toMatch(/out of rotation after 5 s interval × 2 failed checks = 10 s; the zone's load balancer node leaves DNS: .*60 s; the later: 60 s$/);
    });

    it("dev: the single NAT is not survived for egress, serving is unaffected", () => {
        const nat = mode(analyseRecovery(runs.dev), "nat-path");
        expect(nat.survived).toBe(false);
        expect(secs(nat.reduced)).toEqual([0, 0]);
        expect(nat.full.seconds).toBeNull();
        expect(nat.full.formula).toMatch(/natStrategy perAz/);
    });

    it("dev: a single-AZ writer has no automatic recovery; promoting an asynchronous replica can lose an unbounded amount", () => {
        const w = mode(analyseRecovery(runs.dev), "db-writer");
        expect(w.survived).toBe(false);
        expect(w.reduced.seconds).toBeNull();
        expect(w.reduced.formula).toMatch(/promotes a replica/);
        expect(w.dataLoss.seconds).toBeNull();
        expect(w.dataLoss.formula).toMatch(/unbounded \(the ReplicaLag alarm only alerts above 30 s\)/);
    });

    it("dbMultiAz=true (dev, and prod's instance shape): the writer fails over in 60-120 s (AWS) with no data lost", () => {
        for (const key of ["prodInstance", "devPerAzMultiAz"]) {
            const r = analyseRecovery(runs[key]);
            for (const id of ["db-writer", "db-writer-zone"] as const) {
                expect(mode(r, id).survived).toBe(true);
                expect(secs(mode(r, id).reduced)).toEqual([AWS_TIMES.multiAzInstanceFailover.low, AWS_TIMES.multiAzInstanceFailover.high]);
                expect(secs(mode(r, id).dataLoss)).toEqual([0, 0]);
            }
            expect(r.constants).toContain(AWS_TIMES.multiAzInstanceFailover);
        }
    });

    it("prod and natStrategy=perAz: a NAT per zone, so the NAT path is survived", () => {
        for (const key of ["prod", "devPerAzMultiAz"]) {
            const nat = mode(analyseRecovery(runs[key]), "nat-path");
            expect(nat.survived).toBe(true);
            expect(secs(nat.full)).toEqual([0, 0]);
        }
    });

    it("prod (dbDeployment=multiAzCluster): writer, its zone and a reader within the cluster's < 35 s, nothing lost", () => {
        const r = analyseRecovery(runs.prod);
        for (const id of ["db-writer", "db-writer-zone", "db-replica"] as const) {
            expect(mode(r, id).survived).toBe(true);
            expect(secs(mode(r, id).reduced)).toEqual([0, 35]);
            expect(secs(mode(r, id).dataLoss)).toEqual([0, 0]);
        }
        expect(mode(r, "db-writer").dataLoss.formula).toMatch(/Semisynchronous replication/);
        expect(mode(r, "db-replica").reduced.formula).toMatch(/^assumed, as the cluster's failover/);
    });

    it("a read replica: the reader health alarm's window plus the reader TTL", () => {
        const rep = mode(analyseRecovery(runs.prodInstance), "db-replica");
        expect(rep.survived).toBe(true);
        expect(secs(rep.detect)).toEqual([120, 120]);
        expect(rep.detect.formula).toMatch(/\(60 s × 2\)/);
        expect(secs(rep.reduced)).toEqual([150, 150]);
        expect(rep.reduced.formula).toBe("detect 120 s + reader TTL 30 s = 150 s");
    });

    it("a load balancer node: the ELB DNS TTL, from AWS", () => {
        const lb = mode(analyseRecovery(runs.prod), "lb-node");
        expect(lb.survived).toBe(true);
        expect(secs(lb.reduced)).toEqual([60, 60]);
        expect(lb.note).toMatch(/in 3 zones/);
    });

    it("active-passive: the active server's failover is reported, active-active modes are not", () => {
        const r = analyseRecovery(runs.activePassive);
        const active = mode(r, "active-server");
        expect(active.survived).toBe(true);
        // detect 10 s + the 3 s timeout (bound) + two passes 10 s (bound) + EventBridge 10 s + the pass 2 s + ExitStandby 5 s (assumed) + 2 healthy checks × 5 s.
        expect(secs(active.reduced)).toEqual([50, 50]);
        expect(active.reduced.formula).toMatch(/^≈ 50 s = 13 s target group marks the server unhealthy/);
        // Detection is the failover's own first step (a hung server waits out the check's timeout).
        expect(secs(active.detect)).toEqual([13, 13]);
        expect(active.note).toMatch(/^1 Standby server, running, kept by web-failover/);
        expect(r.modes.map((m) => m.id)).not.toContain("web-server");
    });

    it("the region is reported honestly: not survived, outside the targets, with what would change that", () => {
        const region = mode(analyseRecovery(runs.prod), "region");
        expect(region.survived).toBe(false);
        expect(region.targeted).toBe(false);
        expect(region.note).toMatch(/cross-region read replica/);
    });
});

describe("each figure follows the declared value it reads", () => {
    const isTg = (r: RecordedResource) => T.targetGroup.includes(r.type as never);

    it("a longer target-group health-check interval lengthens the web figures", () => {
        const records = mutate(runs.dev, isTg, (i) => (i.healthCheck = { ...i.healthCheck, interval: 10 }));
        const r = analyseRecovery(records);
        expect(secs(mode(r, "web-server").detect)).toEqual([20, 20]);
        expect(mode(r, "web-server").detect.formula).toBe("10 s interval × 2 failed checks = 20 s");
        // A zone's figure is the later of its servers (20 s now) and its load balancer node (60 s).
        expect(secs(mode(r, "web-zone").detect)).toEqual([20, 20]);
    });

    it("a higher unhealthy threshold lengthens detection", () => {
        const r = analyseRecovery(mutate(runs.dev, isTg, (i) => (i.healthCheck = { ...i.healthCheck, unhealthyThreshold: 4 })));
        expect(secs(mode(r, "web-server").detect)).toEqual([20, 20]);
    });

    it("a declared multiAz writer switches the writer figures to the Multi-AZ failover", () => {
        const writer = (r: RecordedResource) => r.type === T.dbInstance && r.inputs.replicateSourceDb === undefined;
        const r = analyseRecovery(mutate(runs.dev, writer, (i) => (i.multiAz = true)));
        expect(secs(mode(r, "db-writer").reduced)).toEqual([60, 120]);
        expect(secs(mode(r, "db-writer").dataLoss)).toEqual([0, 0]);
    });

    it("the reader record's TTL and the health alarm's period feed the replica figure", () => {
        const reader = (r: RecordedResource) => r.type === T.record && /^reader\./.test(String(r.inputs.name));
        const healthAlarm = (r: RecordedResource) => r.type === T.metricAlarm && /reader-health/.test(r.name);
        const r = analyseRecovery(mutate(mutate(runs.prodInstance, reader, (i) => (i.ttl = 10)) as RecordedResource[], healthAlarm, (i) => (i.period = 10)));
        expect(secs(mode(r, "db-replica").reduced)).toEqual([30, 30]);
    });

    it("follows the declared writer, not the config that asked for it", async () => {
        const asked = (await runStack(...VARIANTS.devPerAzMultiAz)).resources;
        const writer = (r: RecordedResource) => r.type === T.dbInstance && r.inputs.replicateSourceDb === undefined;
        // The config says Multi-AZ; a component that ignored it would declare this:
        const r = analyseRecovery(mutate(asked, writer, (i) => (i.multiAz = false)));
        expect(mode(r, "db-writer").survived).toBe(false);
        expect(mode(r, "db-writer").reduced.seconds).toBeNull();
    });
});

describe("Auto Scaling fleet and Multi-AZ DB cluster records (hand-built)", () => {
    const subnet = (id: string, az: string): PlanRecord => ({ type: T.subnet, name: id, id, inputs: { availabilityZone: az } });
    const tg: PlanRecord = { type: T.targetGroup[0], name: "tg", id: "tg", inputs: { healthCheck: { interval: 5, unhealthyThreshold: 2, healthyThreshold: 2 } }, state: { arn: "arn:tg" } };
    const group = (extra: Record<string, unknown>): PlanRecord => ({
        type: T.autoScalingGroup,
        name: "web-asg",
        inputs: { minSize: 2, maxSize: 4, vpcZoneIdentifiers: ["s-a", "s-b"], healthCheckType: "ELB", healthCheckGracePeriod: 240, targetGroupArns: ["arn:tg"], ...extra },
    });
    const base = [subnet("s-a", "us-east-1a"), subnet("s-b", "us-east-1b"), tg];

    it("a group with ELB health checks replaces a server: fleet.ts's model (detect, Auto Scaling, launch, grace period, healthy checks)", () => {
        const full = mode(analyseRecovery([...base, group({})]), "web-server").full;
        expect(secs(full)).toEqual([10 + 15 + 45 + 240 + 10, 10 + 15 + 45 + 240 + 10]);
        expect(full.formula).toMatch(/^≈ 320 s = 10 s target group marks the server unhealthy \(5 s interval × 2 unhealthy checks\) \+ 15 s .*\(assumed/);
        // The grace period is read from the group.
        expect(secs(mode(analyseRecovery([...base, group({ healthCheckGracePeriod: 120 })]), "web-server").full)).toEqual([200, 200]);
    });

    it("a group with EC2 health checks only never replaces a server the load balancer finds unhealthy", () => {
        const full = mode(analyseRecovery([...base, group({ healthCheckType: "EC2" })]), "web-server").full;
        expect(full.seconds).toBeNull();
        expect(full.formula).toMatch(/EC2 health checks only/);
    });

    it("a group in one zone does not survive the zone", () => {
        const z = mode(analyseRecovery([...base, group({ vpcZoneIdentifiers: ["s-a"] })]), "web-zone");
        expect(z.survived).toBe(false);
        expect(z.reduced.seconds).toBeNull();
    });

    it("active-passive on Standby servers: detect + the function's wait + ExitStandby + healthy checks; a warm pool is no standby", () => {
        const failover: PlanRecord = {
            type: "aws:lambda/function:Function",
            name: "web-failover",
            inputs: { environment: { variables: { GROUP_NAME: "web-asg", STANDBY_COUNT: "1", POLL_SECONDS: "5", RUN_SECONDS: "55" } } },
        };
        const passive = analyseRecovery([...base, group({ minSize: 1, maxSize: 4, desiredCapacity: 2 }), failover]);
        const active = mode(passive, "active-server");
        expect(active.survived).toBe(true);
        // No timeout declared on this target group: AWS's HTTP default, 6 s. 10 + 6 + 10 (two passes) + 10 (EventBridge, assumed) + 2 (the pass) + 5 + 10.
        expect(secs(active.reduced)).toEqual([53, 53]);
        expect(active.reduced.formula).toMatch(/16 s target group marks the server unhealthy \(upper bound: .* its 6 s timeout/);
        expect(active.reduced.formula).toMatch(/10 s web-failover sees it on two passes in a row \(upper bound: .*\) \+ 10 s EventBridge starts the next run late \(assumed: .*\) \+ 2 s that pass: four reads, then ExitStandby \(assumed: .*\) \+ 5 s ExitStandby: the standby goes InService and is registered \(assumed/);
        expect(passive.modes.map((m) => m.id)).not.toContain("web-server");
        // A warm pool, Running or Stopped, is scale-out capacity AWS documents no failover for: one server, no failover.
        for (const poolState of ["Running", "Stopped"]) {
            const pooled = analyseRecovery([...base, group({ minSize: 1, maxSize: 1, warmPool: { poolState, minSize: 1 } })]);
            expect(pooled.modes.map((m) => m.id)).not.toContain("active-server");
            expect(mode(pooled, "web-server").survived).toBe(false);
        }
    });

    it("a Multi-AZ DB cluster fails over in under 35 s (AWS) with no committed write lost", () => {
        const cluster: PlanRecord = {
            type: "aws:rds/cluster:Cluster",
            name: "database-cluster",
            inputs: { engine: "mysql", dbClusterInstanceClass: "db.c6gd.medium", availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"] },
        };
        const r = analyseRecovery([...base, group({}), cluster]);
        for (const id of ["db-writer", "db-writer-zone", "db-replica"] as const) {
            expect(mode(r, id).survived).toBe(true);
            expect(secs(mode(r, id).reduced)).toEqual([0, 35]);
        }
        expect(secs(mode(r, "db-writer").dataLoss)).toEqual([0, 0]);
        expect(mode(r, "db-writer").dataLoss.formula).toMatch(/Semisynchronous replication/);
        expect(r.constants).toContain(AWS_TIMES.multiAzClusterReplication);
    });
});

describe("targets", () => {
    it("lists each failure mode over a target with both numbers; none when within or unset", () => {
        const r = analyseRecovery(runs.prodInstance);
        expect(recoveryViolations(r, {})).toEqual([]);
        expect(recoveryViolations(r, { recoverySeconds: 3600, dataLossSeconds: 0 })).toEqual([]);
        expect(recoveryViolations(r, { recoverySeconds: 100 })).toEqual([
            "the DB writer instance: serving again after up to 120 s, over the recovery-time target of 100 s",
            "the DB writer's zone: serving again after up to 120 s, over the recovery-time target of 100 s",
            "a read replica: serving again after up to 150 s, over the recovery-time target of 100 s",
        ]);
        const unbounded =
            "data loss unbounded (asynchronous replicas: whatever the promoted replica had not applied; unbounded (the ReplicaLag alarm only alerts above 30 s)); data-loss target 10 s";
        expect(recoveryViolations(analyseRecovery(runs.dev), { dataLossSeconds: 10 })).toEqual([`the DB writer instance: ${unbounded}`, `the DB writer's zone: ${unbounded}`]);
    });

    it("prod as committed is within its targets (60 s, 0 s)", async () => {
        const result: PlanResult = await plan({ stack: "prod", outDir: tmp, log: () => undefined, policy: null });
        expect(result.recovery!.targets).toEqual({ recoverySeconds: 60, dataLossSeconds: 0 });
        expect(result.recovery!.violations).toEqual([]);
        expect(result.exitCode).toBe(0);
    });

    it("a target below a figure fails the plan, one line per failure mode with both numbers", async () => {
        const result: PlanResult = await plan({ stack: "prod", outDir: tmp, log: () => undefined, policy: null, overrides: VARIANTS.prodInstance[1] });
        expect(result.exitCode).toBe(1);
        expect(result.error).toContain("recovery targets missed:");
        expect(result.error).toContain("the DB writer instance: serving again after up to 120 s, over the recovery-time target of 100 s");
        const md = fs.readFileSync(result.files!.planMd, "utf8");
        expect(md).toContain("### Recovery times");
        expect(md).toContain("Targets: recovery ≤ 100 s, data loss ≤ 0 s (the region is outside them).");
        expect(md).toContain("| the DB writer instance | yes | 60-120 s | 60-120 s | 60-120 s | 0 s |");
        expect(fs.readFileSync(result.files!.html, "utf8")).toContain("Recovery times");
    });

    it("the terminal table keeps lines within 120 columns and marks what is over target", () => {
        const text = recoveryText(analyseRecovery(runs.dev), { recoverySeconds: 60, dataLossSeconds: 0 });
        for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(120);
        expect(text).toMatch(/✗ the DB writer instance: no automatic recovery/);
        expect(recoveryMarkdown(analyseRecovery(runs.dev), {})).toContain("Targets: none set for this stack.");
    });
});

describe("the architecture diagram shows each tier's figure", () => {
    it("the load balancer, the servers, the NAT, the writer and the replicas say how long their loss takes", () => {
        const report = analyseRecovery(runs.prodInstance);
        const d = mermaidDiagram(runs.prodInstance, report);
        const line = (prefix: string) => d.split("\n").find((l) => l.trim().startsWith(prefix)) ?? "";
        expect(line("alb[")).toContain("a node lost: serving in 60 s");
        expect(line("db_database_primary")).toContain("the writer lost: serving in 60-120 s");
        expect(d.split("\n").filter((l) => /db_database_replica_\d\[/.test(l)).every((l) => l.includes("a replica lost: serving in 150 s"))).toBe(true);
        expect(d).toContain("the NAT path lost: serving in 0 s");
        // Without a report the diagram is as before.
        expect(mermaidDiagram(runs.prodInstance)).not.toContain("lost:");
        // The Multi-AZ DB cluster's box too.
        expect(mermaidDiagram(runs.prod, analyseRecovery(runs.prod))).toMatch(/Multi-AZ DB cluster.*the writer lost: serving in 0-35 s/);
        // A tier that needs a person says so.
        expect(mermaidDiagram(runs.dev, analyseRecovery(runs.dev))).toContain("the writer lost: needs a person");
    });
});

describe("docs/recovery.md", () => {
    it("lists every AWS constant by name with its document", () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs", "recovery.md"), "utf8");
        for (const [name, c] of Object.entries(AWS_TIMES)) {
            expect(doc).toContain(`\`${name}\``);
            expect(doc).toContain(c.source);
        }
        for (const [name, seconds] of Object.entries(ASSUMED_SECONDS)) expect(doc).toContain(`| \`${name}\` | ${seconds} |`);
    });
});
