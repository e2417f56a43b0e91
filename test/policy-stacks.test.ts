/**
 * Every stack configuration in the repository (Pulumi.<stack>.yaml), run under the mocks, passes every
 * mandatory policy of the pack — the same evaluation `pulumi preview --policy-pack policy` makes, on
 * the recorded resources — and gets the stack's default tags on every AWS resource through its
 * provider. Generic on purpose: new tiers and new stack files are covered as they land.
 */
import { parseConfig, projectSettings } from "../infra/config";
import { ResourceRecord, Violation, evaluatePolicies, mandatoryViolations } from "../policy/evaluate";
import { isTaggable, providerDefaultTags } from "../policy/lib";
import { PROJECT, StackRun, runStack, stackConfig, stackNames } from "./mocks";

const PROVIDER = "pulumi:providers:aws";
const LB = "aws:lb/loadBalancer:LoadBalancer";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

it("finds the stack files (dev at least)", () => {
    expect(stackNames()).toContain("dev");
});

describe.each(stackNames())("stack %s", (stack) => {
    let run: StackRun;
    let violations: Violation[];
    const expectedTags = parseConfig(projectSettings(stackConfig(stack)), stack).tags;

    beforeAll(async () => {
        run = await runStack(stack);
        violations = await evaluatePolicies(run.resources);
    });

    it("passes every mandatory policy of the pack", () => {
        expect(mandatoryViolations(violations).map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
    });

    it("is really checked: an SSH rule from the internet added to the load balancer's group fails two policies", async () => {
        const lb = run.resources.find((r) => r.type === LB);
        expect(lb).toBeDefined();
        const lbGroupUrn = lb!.propertyDependencies.securityGroups[0];
        const lbGroup = run.resources.find((r) => r.urn === lbGroupUrn)!;
        const ssh: ResourceRecord = {
            type: INGRESS,
            name: "injected-ssh",
            urn: `urn:pulumi:${stack}::${PROJECT}::${INGRESS}::injected-ssh`,
            inputs: { securityGroupId: lbGroup.id, ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0", tags: { ...expectedTags } },
            propertyDependencies: { securityGroupId: [lbGroup.urn] },
        };
        const found = mandatoryViolations(await evaluatePolicies([...run.resources, ssh])).filter((v) => v.urn === ssh.urn);
        expect(found.map((v) => v.policy).sort()).toEqual(["security-group-no-public-ingress", "security-group-no-remote-admin-ports"]);
    });

    it("gives every AWS provider the stack's default tags (project, stack, environment, owner, cost centre)", () => {
        const providers = run.resources.filter((r) => r.type === PROVIDER);
        expect(providers.length).toBeGreaterThan(0);
        expect(expectedTags).toMatchObject({ Project: PROJECT, Stack: stack, ManagedBy: "pulumi" });
        for (const provider of providers) {
            expect({ provider: provider.name, tags: providerDefaultTags(provider.inputs) }).toEqual({ provider: provider.name, tags: expectedTags });
        }
    });

    it("registers every AWS resource with one of those providers, so the default tags reach it", () => {
        const providerRefs = run.resources.filter((r) => r.type === PROVIDER).map((p) => `${p.urn}::${p.id}`);
        const awsResources = run.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
        expect(awsResources.length).toBeGreaterThan(20);
        const stray = awsResources.filter((r) => !providerRefs.includes(r.provider ?? "")).map((r) => `${r.type}::${r.name} → ${r.provider ?? "default provider"}`);
        expect(stray).toEqual([]);
    });

    it("lets no resource override a default tag with another value", () => {
        const clashes = run.resources
            .filter((r) => isTaggable(r.type, r.inputs) && r.inputs.tags)
            .flatMap((r) =>
                Object.entries(expectedTags)
                    .filter(([key, value]) => key in r.inputs.tags && r.inputs.tags[key] !== value)
                    .map(([key]) => `${r.name}: ${key}=${r.inputs.tags[key]}`),
            );
        expect(clashes).toEqual([]);
    });
});
