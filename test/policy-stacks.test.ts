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
import { SETTINGS } from "../infra/settings";

const PROVIDER = "pulumi:providers:aws";
const LB = "aws:lb/loadBalancer:LoadBalancer";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

/**
 * Each configuration runs the program once per file, whichever describe needs it first (a run takes
 * ~2 s; runs are sequential: the mock engine is process-global, and hooks run one at a time).
 */
const runs = new Map<string, Promise<{ run: StackRun; violations: Violation[] }>>();
function runOnce(stack: string, overrides: Record<string, string> = {}) {
    const key = JSON.stringify([stack, overrides]);
    if (!runs.has(key)) {
        runs.set(
            key,
            runStack(stack, overrides).then(async (run) => ({ run, violations: await evaluatePolicies(run.resources) })),
        );
    }
    return runs.get(key)!;
}

it("finds the stack files (dev at least)", () => {
    expect(stackNames()).toContain("dev");
});

describe.each(stackNames())("stack %s", (stack) => {
    let run: StackRun;
    let violations: Violation[];
    const expectedTags = parseConfig(projectSettings(stackConfig(stack)), stack).tags;

    beforeAll(async () => {
        ({ run, violations } = await runOnce(stack));
    });

    it("passes every mandatory policy of the pack", () => {
        expect(mandatoryViolations(violations).map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
    });

    /** An ingress rule from the internet on the group `securityGroupId`'s URN names. */
    const injectedRule = (name: string, groupUrn: string, port: number): ResourceRecord => {
        const group = run.resources.find((r) => r.urn === groupUrn)!;
        return {
            type: INGRESS,
            name,
            urn: `urn:pulumi:${stack}::${PROJECT}::${INGRESS}::${name}`,
            inputs: { securityGroupId: group.id, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: "0.0.0.0/0", tags: { ...expectedTags } },
            propertyDependencies: { securityGroupId: [group.urn] },
        };
    };
    const lbOf = () => {
        const lb = run.resources.find((r) => r.type === LB);
        expect(lb).toBeDefined();
        return lb!;
    };

    it("is really checked: an SSH rule from the internet added to the load balancer's group fails two resource policies", async () => {
        const ssh = injectedRule("injected-ssh", lbOf().propertyDependencies.securityGroups[0], 22);
        const found = mandatoryViolations(await evaluatePolicies([...run.resources, ssh])).filter((v) => v.urn === ssh.urn);
        expect(found.map((v) => v.policy).sort()).toEqual(["security-group-no-remote-admin-ports", "security-group-world-ingress-web-ports-only"]);
    });

    it("is really checked: HTTPS from the internet straight to the web servers' group fails the stack policy", async () => {
        // The web servers' group, as their launch template names it.
        const template = run.resources.find((r) => r.type === TEMPLATE);
        expect(template?.propertyDependencies.networkInterfaces).toHaveLength(1);
        const webGroupUrn = template!.propertyDependencies.networkInterfaces[0];
        expect(run.resources.find((r) => r.urn === webGroupUrn)?.name).toBe("web-sg");
        expect(webGroupUrn).not.toBe(lbOf().propertyDependencies.securityGroups[0]);
        const https = injectedRule("injected-https", webGroupUrn, 443);
        const found = mandatoryViolations(await evaluatePolicies([...run.resources, https])).filter((v) => v.urn === https.urn);
        expect(found.map((v) => v.policy)).toEqual(["security-group-no-public-ingress"]);
    });

    // The fleet (issue 11): the web servers are launched by an Auto Scaling group, which the provider's
    // default tags do not reach; the launch template must tag them itself.
    ("webServerMaxCount" in SETTINGS ? it : it.skip)("is really checked: a web launch template without the cost tags on what it launches fails launch-template-tags-launched", async () => {
        const template = run.resources.find((r) => r.type === TEMPLATE)!;
        expect(template).toBeDefined();
        const specs = template.inputs.tagSpecifications as { resourceType: string; tags: Record<string, string> }[];
        for (const spec of specs.filter((x) => x.resourceType === "instance" || x.resourceType === "volume")) {
            expect({ resourceType: spec.resourceType, tags: spec.tags }).toMatchObject({ resourceType: spec.resourceType, tags: { Project: expectedTags.Project, Stack: expectedTags.Stack } });
        }
        const stripped: ResourceRecord = { ...template, inputs: { ...template.inputs, tagSpecifications: specs.map((x) => ({ ...x, tags: { Name: "web-server" } })) } };
        const found = mandatoryViolations(await evaluatePolicies([...run.resources.filter((r) => r !== template), stripped])).filter((v) => v.urn === template.urn);
        expect(found.map((v) => v.policy)).toEqual(["launch-template-tags-launched", "launch-template-tags-launched"]);
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

describe("the dev stack, WAF on and off", () => {
    let withWaf: StackRun;
    let withWafViolations: Violation[];
    let withoutWaf: StackRun;
    let withoutWafViolations: Violation[];
    const advisories = (vs: Violation[]) => vs.filter((v) => v.enforcementLevel === "advisory").map((v) => `${v.policy}: ${v.message}`);

    beforeAll(async () => {
        expect(stackConfig("dev")["web-infra:wafEnabled"]).toBe("true");
        ({ run: withWaf, violations: withWafViolations } = await runOnce("dev"));
        ({ run: withoutWaf, violations: withoutWafViolations } = await runOnce("dev", { wafEnabled: "false" }));
    });

    it("wafEnabled: the web ACL is associated with the ALB, so no alb-waf-associated advisory", () => {
        const lb = withWaf.resources.find((r) => r.type === LB)!;
        const association = withWaf.resources.find((r) => r.type === "aws:wafv2/webAclAssociation:WebAclAssociation");
        expect(association?.inputs.resourceArn).toBe(lb.state.arn);
        expect(withWafViolations.filter((v) => v.policy === "alb-waf-associated")).toEqual([]);
    });

    it("wafEnabled false: no aws:wafv2 resource at all, and exactly the alb-waf-associated advisory more", () => {
        expect(withoutWaf.resources.filter((r) => r.type.startsWith("aws:wafv2/")).map((r) => r.type)).toEqual([]);
        expect(mandatoryViolations(withoutWafViolations)).toEqual([]);
        const lb = withoutWaf.resources.find((r) => r.type === LB)!;
        expect(advisories(withoutWafViolations)).toEqual([
            ...advisories(withWafViolations),
            `alb-waf-associated: ${lb.name} faces the internet without a WAF web ACL (set \`wafEnabled: true\`).`,
        ]);
        expect(withoutWafViolations.find((v) => v.policy === "alb-waf-associated")?.urn).toBe(lb.urn);
    });

    it("the ALB writes its access logs to the AccessLogBucket's bucket, and waits for its bucket policy (ELB test-writes when logging is turned on)", () => {
        const lb = withWaf.resources.find((r) => r.type === LB)!;
        const bucket = withWaf.resources.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name === "alb-logs-bucket")!;
        const policy = withWaf.resources.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && r.parentUrn === bucket.parentUrn)!;
        expect(policy).toBeDefined();
        expect(lb.inputs.accessLogs).toMatchObject({ enabled: true, bucket: policy.state.bucket });
        expect(policy.state.bucket).toBe(bucket.id);
        // The bucket name flowed from the policy's output: the engine creates the policy first.
        expect(lb.propertyDependencies.accessLogs).toContain(policy.urn);
        expect(lb.propertyDependencies.accessLogs).not.toContain(bucket.urn);
    });
});
