/**
 * examples/three-servers imports the library by its package name ("web-infra", mapped to
 * components/index.ts by jest's moduleNameMapper and tsconfig's paths, as a dependency would resolve
 * it). Built here under the mock engine; `npm run check:package` builds it from the packed package.
 */
import { RecordedResource, allResources, awaitAll, resourcesOf, settle, setupMocks } from "./mocks";
import { analyseSpof } from "../scripts/lib/spof";

let outputs: Record<string, any>;
let resources: readonly RecordedResource[];

beforeAll(async () => {
    await setupMocks({ stack: "example", config: { "aws:region": "us-east-1" } });
    const mod: any = await import("../examples/three-servers/index");
    const program: () => Promise<Record<string, unknown>> = mod.default ?? mod;
    outputs = await awaitAll(await program());
    await settle();
    resources = allResources();
});

describe("examples/three-servers", () => {
    it("resolves `web-infra` to the library's public API", async () => {
        const byName = await import("web-infra");
        expect(byName.LoadBalancer).toBe((await import("../components/loadBalancer")).LoadBalancer);
        expect(byName.WebServers).toBe((await import("../components/webServer")).WebServers);
    });

    it("builds the library's components, and nothing outside them but the provider", () => {
        const components = resources.filter((r) => r.type.startsWith("web-infra:")).map((r) => `${r.type} ${r.name}`);
        expect(components).toEqual(
            expect.arrayContaining(["web-infra:network:Network net", "web-infra:database:Database db", "web-infra:web:WebServers web", "web-infra:web:LoadBalancer lb"]),
        );
        const orphans = resources.filter((r) => !r.type.startsWith("web-infra:") && !r.type.startsWith("pulumi:providers:") && r.parentUrn?.includes("::web-infra:") !== true);
        expect(orphans.map((r) => `${r.type} ${r.name}`)).toEqual([]);
    });

    it("runs a fleet of 3 to 6 servers over the three zones' private subnets, registered in the target group by the group only", () => {
        expect(resourcesOf("aws:ec2/instance:Instance")).toHaveLength(0);
        expect(resourcesOf("aws:lb/targetGroupAttachment:TargetGroupAttachment")).toHaveLength(0);
        const [group] = resourcesOf("aws:autoscaling/group:Group");
        const [tg] = resourcesOf("aws:lb/targetGroup:TargetGroup");
        const privateSubnets = resourcesOf("aws:ec2/subnet:Subnet").filter((s) => /private/.test(s.name));
        expect([group.inputs.minSize, group.inputs.maxSize]).toEqual([3, 6]);
        expect(group.inputs.vpcZoneIdentifiers.sort()).toEqual(privateSubnets.map((s) => s.id).sort());
        expect(new Set(privateSubnets.map((s) => s.inputs.availabilityZone))).toEqual(new Set(["us-east-1a", "us-east-1b", "us-east-1c"]));
        expect(group.inputs.targetGroupArns).toEqual([tg.state.arn]);
        expect(outputs.webAutoScalingGroupName).toBe(group.state.name);
    });

    it("balances by least outstanding requests", () => {
        const [tg] = resourcesOf("aws:lb/targetGroup:TargetGroup");
        expect(tg.inputs.loadBalancingAlgorithmType).toBe("least_outstanding_requests");
    });

    it("has a Multi-AZ writer and no read replica", () => {
        const db = resourcesOf("aws:rds/instance:Instance");
        expect(db).toHaveLength(1);
        expect(db[0].inputs).not.toHaveProperty("replicateSourceDb");
        expect(db[0].inputs.multiAz).toBe(true);
    });

    it("has no single point of failure", () => {
        expect(analyseSpof(resources).spofs).toEqual([]);
    });

    it("exports the URL of the load balancer", () => {
        expect(outputs.url).toMatch(/^http:\/\/lb-.*\.us-east-1\.elb\.amazonaws\.com$/);
    });
});
