// The stack program as Pulumi runs it: config from Pulumi.<stack>.yaml, the real infra/main.ts.
import * as fs from "fs";
import * as path from "path";
import { markdownFiles } from "../scripts/lib/docsCheck";
import { ROOT, allInvokes, allResources, resourceNamed, resourcesOf, runStack } from "./mocks";

describe("dev stack", () => {
    let outputs: Record<string, any>;
    beforeAll(async () => {
        ({ outputs } = await runStack("dev"));
    });

    it("builds the network from config and exports its ids", () => {
        const vpc = resourceNamed("aws:ec2/vpc:Vpc", "network-vpc");
        expect(vpc.inputs.cidrBlock).toBe("10.0.0.0/16");
        expect(outputs.vpcId).toBe(vpc.id);
        expect(outputs.availabilityZones).toEqual(["us-east-1a", "us-east-1b"]);
        const subnetIds = (tier: string) =>
            resourcesOf("aws:ec2/subnet:Subnet")
                .filter((s) => s.inputs.tags.Tier === tier)
                .map((s) => s.id);
        expect(outputs.publicSubnetIds).toEqual(subnetIds("public"));
        expect(outputs.privateSubnetIds).toEqual(subnetIds("private"));
        expect(outputs.databaseSubnetIds).toEqual(subnetIds("database"));
        expect(outputs.natGatewayIds).toEqual(resourcesOf("aws:ec2/natGateway:NatGateway").map((n) => n.id));
        expect(outputs.natGatewayIds).toHaveLength(1);
        expect(resourceNamed("aws:cloudwatch/logGroup:LogGroup", "network-flow-logs").inputs.retentionInDays).toBe(7);
    });

    it("every AWS resource goes through the stack's explicit provider, which carries the region", () => {
        const provider = resourceNamed("pulumi:providers:aws", "aws");
        expect(provider.inputs.region).toBe("us-east-1");
        const ref = `${provider.urn}::${provider.id}`;
        const awsResources = allResources().filter((r) => r.type.startsWith("aws:"));
        expect(awsResources.length).toBeGreaterThan(20);
        for (const r of awsResources) expect({ name: r.name, provider: r.provider }).toEqual({ name: r.name, provider: ref });
    });
});

describe("config errors stop the program before any resource is declared", () => {
    it.each<[string, Record<string, string | undefined>, string, string[]]>([
        ["an unknown enum value", { natStrategy: "both" }, 'Invalid stack configuration: `natStrategy` must be one of none, single, perAz (got "both")', []],
        ["a missing required key", { owner: undefined }, "Invalid stack configuration: `owner` is required", []],
        // Zones are looked up first (through the provider, which is not a cloud resource), then checked.
        // us-east-1e offers no Graviton type in the mocks (as use1-az3 in real accounts): 5 usable zones.
        [
            "more zones than offer the web instance type and the DB class",
            { availabilityZoneCount: "6" },
            "Invalid stack configuration: `availabilityZoneCount` is 6, but only 5 zones of the region offer `webInstanceType` t4g.micro and `dbInstanceClass` db.t4g.micro (us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1f): us-east-1e lacks `webInstanceType` t4g.micro, `dbInstanceClass` db.t4g.micro. Lower `availabilityZoneCount` to at most 5, or choose a `webInstanceType` / `dbInstanceClass` offered in more zones.",
            ["pulumi:providers:aws"],
        ],
    ])("%s", async (_, overrides, message, registered) => {
        await expect(runStack("dev", overrides)).rejects.toThrow(message);
        expect(allResources().map((r) => r.type)).toEqual(registered);
    });
});

describe("zones that can run the stack", () => {
    it("skips a zone without the web instance type: 5 zones are a, b, c, d, f (not e), for every tier", async () => {
        const { outputs } = await runStack("dev", { availabilityZoneCount: "5" });
        expect(outputs.availabilityZones).toEqual(["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1f"]);
        const zonesOf = (tier: string) =>
            resourcesOf("aws:ec2/subnet:Subnet")
                .filter((s) => s.inputs.tags.Tier === tier)
                .map((s) => s.inputs.availabilityZone);
        for (const tier of ["public", "private", "database"]) expect(zonesOf(tier)).not.toContain("us-east-1e");
    });

    it("asks RDS about the class the database really deploys: a Multi-AZ DB cluster's class, supporting clusters", async () => {
        await runStack("prod");
        const asked = allInvokes().filter((i) => i.token === "aws:rds/getOrderableDbInstance:getOrderableDbInstance").map((i) => i.inputs);
        expect(asked).toEqual([expect.objectContaining({ engine: "mysql", instanceClass: "db.c6gd.medium", supportsClusters: true, storageType: "gp3" })]);
        await runStack("dev");
        const devAsked = allInvokes().filter((i) => i.token === "aws:rds/getOrderableDbInstance:getOrderableDbInstance").map((i) => i.inputs);
        expect(devAsked).toEqual([expect.objectContaining({ instanceClass: "db.t4g.micro" })]);
        expect(devAsked[0]).not.toHaveProperty("supportsClusters");
    });

    it("an x86 type is offered in e too: then every zone of the region is usable for it", async () => {
        const { outputs } = await runStack("dev", { availabilityZoneCount: "5", webInstanceType: "t3.micro" });
        // e has t3.micro, but the DB class is not orderable there: still skipped.
        expect(outputs.availabilityZones).toEqual(["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1f"]);
    });
});

describe("commands in README.md and docs/ use real stack outputs", () => {
    it("every `pulumi stack output <name>` in the docs is an output of the stack", async () => {
        const readme = markdownFiles(ROOT)
            .map((f) => fs.readFileSync(path.join(ROOT, f), "utf8"))
            .join("\n");
        const named = [...readme.matchAll(/pulumi stack output (?:--json )?([A-Za-z][A-Za-z0-9]*)/g)].map((m) => m[1]);
        expect(named.length).toBeGreaterThan(5);
        // Outputs of every mode: a domain adds the health check.
        const keys = new Set<string>();
        for (const overrides of [{}, { webServerMode: "active-passive", domain: "www.example.com" }]) {
            const { outputs } = await runStack("dev", overrides);
            Object.keys(outputs).forEach((k) => keys.add(k));
        }
        expect([...new Set(named)].filter((n) => !keys.has(n))).toEqual([]);
    });
});
