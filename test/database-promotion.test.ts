/**
 * The instance deployment's replacement and promotion paths, as the provider will execute them:
 * - a promotion in two `up`s: the first changes nothing of the replica but what PromoteReadReplica
 *   needs, so no ModifyDBInstance follows it and `writer` moves once the promotion is done; the second
 *   gives it the writer's settings;
 * - a replica whose identifier changes is a new instance, created before the old one is deleted;
 * - a replaced writer gives its replicas new identifiers (no DBInstanceAlreadyExists).
 */
import { RecordedResource, awaitOutput, resourceNamed, settle, setupMocks } from "./mocks";

const RDS = "aws:rds/instance:Instance";
const RANDOM_ID = "random:index/randomId:RandomId";
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

type DatabaseModule = typeof import("../components/database");
let mod: DatabaseModule;
const instance = (name: string) => resourceNamed(RDS, name);
const suffix = (prefix: string, slot: string) => resourceNamed(RANDOM_ID, `${prefix}-${slot}-id-suffix`);

/** Inputs with the component's name and its resources' fake ids/names made comparable across components. */
function comparable(r: RecordedResource, prefix: string): Record<string, unknown> {
    const { identifier, finalSnapshotIdentifier, parameterGroupName, vpcSecurityGroupIds, monitoringRoleArn, replicateSourceDb, ...rest } = r.inputs;
    void [identifier, finalSnapshotIdentifier, parameterGroupName, vpcSecurityGroupIds, monitoringRoleArn, replicateSourceDb];
    return JSON.parse(JSON.stringify(rest).split(prefix).join("X"));
}

/** Input keys whose presence or value differs between two input sets. */
function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

beforeAll(async () => {
    await setupMocks({ config: { "aws:region": "us-east-1" } });
    const { Network } = await import("../components/network");
    mod = await import("../components/database");
    const network = new Network("net", { availabilityZones: ZONES, natStrategy: "none" });
    const base = { vpcId: network.vpcId, subnetIds: network.databaseSubnetIds, availabilityZones: ZONES, replicaCount: 2, multiAz: true, deletionProtection: true, production: true };
    // One database in its three states: before, promote (step 1), promotion complete (step 2).
    const dbs = [
        new mod.Database("before", base),
        new mod.Database("step1", { ...base, promoteReplica: 2 }),
        new mod.Database("step2", { ...base, promoteReplica: 2, promotionComplete: true }),
    ];
    await Promise.all(dbs.map((d) => awaitOutput(d.readerEndpoint)));
    await settle();
});

describe("promotion, step 1 (promoteReplica)", () => {
    it("changes nothing of the promoted replica but replicateSourceDb and state-only inputs: no ModifyDBInstance follows PromoteReadReplica", () => {
        const was = instance("before-replica-2");
        const now = instance("step1-replica-2");
        expect(was.inputs.replicateSourceDb).toBe(instance("before-primary").state.identifier);
        expect(now.inputs).not.toHaveProperty("replicateSourceDb");
        const changed = changedKeys(comparable(was, "before"), comparable(now, "step1"));
        // Exactly the provider's state-only inputs (resourceInstanceUpdate's HasChangesExcept list).
        expect(changed).toEqual(["deleteAutomatedBackups", "skipFinalSnapshot"]);
        expect(was.inputs).not.toHaveProperty("finalSnapshotIdentifier");
        expect(now.inputs).toHaveProperty("finalSnapshotIdentifier");
        for (const key of [...changed, "finalSnapshotIdentifier", "replicateSourceDb"]) expect(mod.PROMOTION_STEP_CHANGES).toContain(key);
        // What would trigger a ModifyDBInstance and its wait (Multi-AZ conversion above all) is absent.
        expect(now.inputs).toMatchObject({ multiAz: false, deletionProtection: false, maintenanceWindow: "sat:04:30-sat:05:30" });
        for (const key of ["password", "applyImmediately"]) expect(now.inputs).not.toHaveProperty(key);
        // Identity kept: same zone, frozen suffix.
        expect(now.inputs.availabilityZone).toBe(was.inputs.availabilityZone);
        expect(suffix("step1", "replica-2").ignoreChanges).toEqual(["keepers"]);
    });

    it("keeps its data from this step on (final snapshot, kept backups, protect): none of that is an API call", () => {
        const now = instance("step1-replica-2");
        expect(now.inputs).toMatchObject({ skipFinalSnapshot: false, deleteAutomatedBackups: false });
        expect(now.inputs.finalSnapshotIdentifier).toBe(`${now.inputs.identifier}-final`);
        expect(now.protect).toBe(true);
    });

    it("writer moves to it as soon as it is promoted: the record waits for the promoted instance only", () => {
        const record = resourceNamed("aws:route53/record:Record", "step1-writer");
        expect(record.inputs.records).toEqual([instance("step1-replica-2").state.address]);
        expect(record.dependencies).toContain(instance("step1-replica-2").urn);
        expect(record.dependencies).not.toContain(instance("step1-primary").urn);
        expect(record.dependencies).not.toContain(instance("step1-replica-1").urn);
    });
});

describe("promotion, step 2 (promotionComplete)", () => {
    it("applies the writer settings at once: Multi-AZ, password, deletion protection, the writer's window", () => {
        const w = instance("step2-replica-2");
        expect(w.inputs).not.toHaveProperty("replicateSourceDb");
        expect(w.inputs).toMatchObject({ multiAz: true, deletionProtection: true, applyImmediately: true, maintenanceWindow: "sun:04:30-sun:05:30", skipFinalSnapshot: false });
        expect(w.secretPaths).toContain("password");
        expect(w.inputs.tags.Role).toBe("writer");
        // Multi-AZ: RDS places it; zone drift ignored.
        expect(w.inputs).not.toHaveProperty("availabilityZone");
        expect(w.ignoreChanges).toEqual(["availabilityZone"]);
        // Still in place: the same frozen suffix resource names the instance in both steps.
        expect(suffix("step2", "replica-2").ignoreChanges).toEqual(["keepers"]);
        expect(w.inputs.identifier).toBe(`step2-test-replica-2-${suffix("step2", "replica-2").state.hex}`);
    });
});

describe("promotion guards", () => {
    it("step 1 creates the protected promotion guard; step 2 adds a protected guard of the writer's settings for its slot", () => {
        expect(resourceNamed(RANDOM_ID, "step1-promotion-guard").protect).toBe(true);
        expect(() => resourceNamed(RANDOM_ID, "step1-replica-2-writer-settings-guard")).toThrow();
        expect(resourceNamed(RANDOM_ID, "step2-promotion-guard").protect).toBe(true);
        expect(resourceNamed(RANDOM_ID, "step2-replica-2-writer-settings-guard").protect).toBe(true);
    });
});

describe("replicas", () => {
    it("a new identifier means a new replica, created before the old one is deleted (not a rename in place)", () => {
        for (const name of ["before-replica-1", "before-replica-2", "step1-replica-1", "step2-replica-1"]) {
            const r = instance(name);
            expect(r.replaceOnChanges).toEqual(expect.arrayContaining(["identifier", "replicateSourceDb"]));
            expect(r.deleteBeforeReplace).toBe(false);
        }
    });

    it("their identifier follows the writer instance: the suffix keepers hold the writer's suffix, whose keepers are what replaces the writer", () => {
        const writerSuffix = suffix("before", "primary");
        expect(writerSuffix.inputs.keepers).toEqual({ engine: "mysql", dbName: "app", username: "dbadmin" });
        for (const slot of ["replica-1", "replica-2"]) {
            const s = suffix("before", slot);
            expect(s.inputs.keepers.sourceSuffix).toBe(writerSuffix.state.hex);
            expect(instance(`before-${slot}`).inputs.identifier).toBe(`before-test-${slot}-${s.state.hex}`);
        }
        // After a promotion the other replicas follow the new writer's suffix.
        expect(suffix("step1", "replica-1").inputs.keepers).toMatchObject({ source: "replica-2", sourceSuffix: suffix("step1", "replica-2").state.hex });
    });
});

describe("validation", () => {
    it("promotionComplete without promoteReplica is refused", () => {
        expect(() => new mod.Database("bad", { vpcId: "vpc-1", subnetIds: ["a", "b"], availabilityZones: ["us-east-1a", "us-east-1b"], promotionComplete: true })).toThrow(
            "`promotionComplete` is true but `promoteReplica` is not set: it is the second step of a promotion",
        );
    });
});
