/**
 * Names, types and parents of the instance deployment's resources are state: renaming one, or moving
 * it to another parent, makes Pulumi replace it (a live database). This suite builds the instance
 * deployment in its shapes and compares every resource's type, name and parent with a record taken
 * from `components/database.ts` before the component became a folder
 * (test/fixtures/database-instance-resources.json). `RECORD_DB_SHAPE=1` rewrites the record: only do
 * that for a change that is meant to move state, with a migration (aliases) in the same commit.
 */
import * as fs from "fs";
import * as path from "path";
import { allResources, awaitOutput, settle, setupMocks } from "./mocks";

const FIXTURE = path.join(__dirname, "fixtures", "database-instance-resources.json");
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

/** `type name ← parent type::name`, sorted: the state identity of every resource under the Database components. */
function shapeOf(prefixes: readonly string[]): Record<string, string[]> {
    const byUrn = new Map(allResources().map((r) => [r.urn, r]));
    const out: Record<string, string[]> = {};
    for (const prefix of prefixes) {
        out[prefix] = allResources()
            .filter((r) => r.name === prefix || r.name.startsWith(`${prefix}-`))
            .map((r) => {
                const parent = r.parentUrn ? byUrn.get(r.parentUrn) : undefined;
                const parentId = parent ? `${parent.type}::${parent.name}` : r.parentUrn ? r.parentUrn.split("::").slice(-2).join("::") : "(root)";
                return `${r.type} ${r.name} ← ${parentId}`;
            })
            .sort();
    }
    return out;
}

describe("instance deployment: resource names, types and parents", () => {
    let shape: Record<string, string[]>;

    beforeAll(async () => {
        await setupMocks({ config: { "aws:region": "us-east-1" } });
        const aws = await import("@pulumi/aws");
        const { Network } = await import("../components/network");
        const { Database } = await import("../components/database");
        const network = new Network("net", { availabilityZones: ZONES, natStrategy: "none" });
        const web = new aws.ec2.SecurityGroup("web-sg", { vpcId: network.vpcId, description: "web servers" });
        const base = { vpcId: network.vpcId, subnetIds: network.databaseSubnetIds, availabilityZones: ZONES };
        const dbs = [
            new Database("prod", { ...base, replicaCount: 2, multiAz: true, instanceClass: "db.m7g.large", deletionProtection: true, production: true }),
            new Database("single", { ...base, replicaCount: 0, monitoringIntervalSeconds: 0 }),
            new Database("promoted", { ...base, replicaCount: 3, promoteReplica: 2, deletionProtection: true }),
            new Database("retired", { ...base, replicaCount: 1, promoteReplica: 1, retireFormerPrimary: true }),
        ];
        dbs[0].allowConnectionsFrom("web", web.id);
        await Promise.all(dbs.map((d) => awaitOutput(d.readerEndpoint)));
        await settle();
        shape = shapeOf(["prod", "single", "promoted", "retired"]);
        if (process.env.RECORD_DB_SHAPE === "1") fs.writeFileSync(FIXTURE, JSON.stringify(shape, null, 2) + "\n");
    });

    it.each(["prod", "single", "promoted", "retired"])("%s: the same resources under the same names and parents as before the split", (prefix) => {
        const recorded = JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as Record<string, string[]>;
        expect(recorded[prefix].length).toBeGreaterThan(10);
        expect(shape[prefix]).toEqual(recorded[prefix]);
    });
});
