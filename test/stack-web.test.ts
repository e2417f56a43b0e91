// The web tier as the stack program builds it from Pulumi.dev.yaml (plus overrides): infra/main.ts
// under the mocks.
import { RecordedResource, StackRun, allInvokes, resourceNamed, resourcesOf, runStack } from "./mocks";

const INSTANCE = "aws:ec2/instance:Instance";
const LB = "aws:lb/loadBalancer:LoadBalancer";
const TG = "aws:lb/targetGroup:TargetGroup";
const LISTENER = "aws:lb/listener:Listener";
const ATTACH = "aws:lb/targetGroupAttachment:TargetGroupAttachment";
const GROUP = "aws:autoscaling/group:Group";
const TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const RECORD = "aws:route53/record:Record";
const CERT = "aws:acm/certificate:Certificate";

const subnetIds = (tier: string) =>
    resourcesOf("aws:ec2/subnet:Subnet")
        .filter((s) => s.inputs.tags.Tier === tier)
        .map((s) => s.id);
const covers = (r: RecordedResource, port: number) => r.inputs.ipProtocol === "-1" || (r.inputs.fromPort <= port && port <= r.inputs.toPort);

describe("dev stack (HTTP only)", () => {
    let run: StackRun;
    beforeAll(async () => {
        run = await runStack("dev");
    });

    it("runs the web tier as a fleet of 2 to 4 over the private subnets of 2 distinct zones, with no EC2 instance resource", () => {
        expect(resourcesOf(INSTANCE)).toEqual([]);
        const group = resourceNamed(GROUP, "web-asg");
        const template = resourceNamed(TEMPLATE, "web-template");
        expect(group.inputs.vpcZoneIdentifiers).toEqual(subnetIds("private"));
        expect(new Set(group.state.availabilityZones)).toEqual(new Set(["us-east-1a", "us-east-1b"]));
        expect([group.inputs.minSize, group.inputs.maxSize]).toEqual([2, 4]);
        expect(group.inputs.launchTemplate).toEqual({ id: template.id, version: String(template.state.latestVersion) });
        expect(template.inputs).toMatchObject({ instanceType: "t4g.micro", metadataOptions: { httpTokens: "required" } });
        expect(template.inputs.networkInterfaces[0].associatePublicIpAddress).toBe("false");
        expect([run.outputs.webAutoScalingGroupName, run.outputs.webLaunchTemplateId]).toEqual([group.state.name, template.id]);
        // The stack's cost tags reach every server and volume (the provider's default tags would not).
        expect(template.inputs.tagSpecifications[0].tags).toMatchObject({ Owner: "platform-team", CostCenter: "web-dev", Environment: "development" });
    });

    it("launches only once the private subnets have egress: route associations, the NAT route, the S3 endpoint", () => {
        const deps = resourceNamed(GROUP, "web-asg").dependencies;
        for (const name of ["network-private-rta-1", "network-private-rta-2"]) expect(deps).toContain(resourceNamed("aws:ec2/routeTableAssociation:RouteTableAssociation", name).urn);
        for (const name of ["network-private-default-route-1", "network-private-default-route-2"]) expect(deps).toContain(resourceNamed("aws:ec2/route:Route", name).urn);
        expect(deps).toContain(resourceNamed("aws:ec2/vpcEndpoint:VpcEndpoint", "network-s3-endpoint").urn);
    });

    it("puts an internet-facing, dual-stack ALB in the public subnets, round robin over every server", () => {
        const alb = resourceNamed(LB, "lb-alb");
        expect(alb.inputs).toMatchObject({ internal: false, subnets: subnetIds("public"), ipAddressType: "dualstack", enableDeletionProtection: false, dropInvalidHeaderFields: true });
        expect(resourceNamed(TG, "lb-tg").inputs).toMatchObject({ loadBalancingAlgorithmType: "round_robin", port: 80 });
        // The group registers its servers; nothing else attaches to the target group.
        expect(resourcesOf(ATTACH)).toEqual([]);
        expect(resourceNamed(GROUP, "web-asg").inputs.targetGroupArns).toEqual([resourceNamed(TG, "lb-tg").state.arn]);
        expect(resourceNamed("aws:autoscaling/policy:Policy", "web-requests-tracking").inputs.targetTrackingConfiguration.predefinedMetricSpecification.resourceLabel).toBe(
            `${alb.state.arnSuffix}/${resourceNamed(TG, "lb-tg").state.arnSuffix}`,
        );
        expect(run.outputs.albDnsName).toBe(alb.state.dnsName);
        expect(run.outputs.targetGroupArn).toBe(resourceNamed(TG, "lb-tg").state.arn);
    });

    it("says HTTPS is off: no 443 listener, an http:// URL", () => {
        expect(run.outputs.httpsEnabled).toBe(false);
        expect(run.outputs.url).toBe(`http://${run.outputs.albDnsName}`);
        expect(resourcesOf(LISTENER).map((l) => l.inputs.port)).toEqual([80]);
        expect(resourcesOf(CERT)).toEqual([]);
    });

    it("chains the firewall: internet → LB SG (80 only) → web SG (app port, by reference)", () => {
        const lbSg = resourceNamed(SG, "lb-sg");
        const webSg = resourceNamed(SG, "web-sg");
        const internet = resourcesOf(INGRESS).filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0");
        expect(internet.map((r) => `${r.inputs.securityGroupId === lbSg.id ? "lb" : r.name} ${r.inputs.fromPort}-${r.inputs.toPort}`).sort()).toEqual(["lb 80-80", "lb 80-80"]);
        const toWeb = resourcesOf(INGRESS).filter((r) => r.inputs.securityGroupId === webSg.id);
        expect(toWeb.map((r) => r.inputs)).toEqual([expect.objectContaining({ fromPort: 80, toPort: 80, referencedSecurityGroupId: lbSg.id })]);
        expect(resourcesOf(EGRESS).filter((r) => r.inputs.securityGroupId === lbSg.id).map((r) => r.inputs.referencedSecurityGroupId)).toEqual([webSg.id]);
    });

    it("opens port 22 or 3389 nowhere in the stack", () => {
        for (const r of [...resourcesOf(INGRESS), ...resourcesOf(EGRESS)]) {
            expect({ rule: r.name, opens22: covers(r, 22), opens3389: covers(r, 3389) }).toEqual({ rule: r.name, opens22: false, opens3389: false });
        }
    });
});

/** dev with a domain (and settings of other concerns): also a variant of the descriptions check below. */
const DEV_WITH_DOMAIN = { domain: "www.example.com", deletionProtection: "true", lbAlgorithm: "least_outstanding_requests", webServerCount: "3" };

describe("dev stack with a domain", () => {
    let run: StackRun;
    beforeAll(async () => {
        run = await runStack("dev", DEV_WITH_DOMAIN);
    });

    it("serves HTTPS on 443 with the TLS 1.3 policy and a validated certificate; 80 answers 301", () => {
        expect(run.outputs.httpsEnabled).toBe(true);
        expect(run.outputs.url).toBe("https://www.example.com");
        const https = resourcesOf(LISTENER).find((l) => l.inputs.port === 443)!;
        expect(https.inputs).toMatchObject({ protocol: "HTTPS", sslPolicy: expect.stringMatching(/^ELBSecurityPolicy-TLS13-/), certificateArn: resourceNamed(CERT, "lb-cert").state.arn });
        expect(https.inputs.routingHttpResponseStrictTransportSecurityHeaderValue).toMatch(/^max-age=\d+/);
        expect(resourcesOf(LISTENER).find((l) => l.inputs.port === 80)!.inputs.defaultActions).toEqual([
            { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ]);
    });

    it("publishes the domain as A and AAAA aliases of the ALB, and validates the certificate in the same zone", () => {
        const aliases = resourcesOf(RECORD).filter((r) => r.inputs.aliases);
        expect(aliases.map((r) => `${r.inputs.type} ${r.inputs.name}`).sort()).toEqual(["A www.example.com", "AAAA www.example.com"]);
        // The public records (aliases, certificate validation) all live in the one public zone looked up by
        // name; the database's private zone holds only writer/reader.
        const publicZone = allInvokes().find((i) => i.token === "aws:route53/getZone:getZone")!;
        expect(publicZone.inputs).toMatchObject({ name: "example.com", privateZone: false });
        const privateZoneIds = new Set(resourcesOf("aws:route53/zone:Zone").map((z) => z.id));
        const publicRecords = resourcesOf(RECORD).filter((r) => !privateZoneIds.has(r.inputs.zoneId));
        expect(publicRecords.map((r) => r.inputs.type).sort()).toEqual(["A", "AAAA", "CNAME"]);
        expect(new Set(publicRecords.map((r) => r.inputs.zoneId)).size).toBe(1);
    });

    it("takes deletion protection, the algorithm and the server count from config", () => {
        expect(resourceNamed(LB, "lb-alb").inputs.enableDeletionProtection).toBe(true);
        expect(resourceNamed(TG, "lb-tg").inputs.loadBalancingAlgorithmType).toBe("least_outstanding_requests");
        expect([resourceNamed(GROUP, "web-asg").inputs.minSize, resourceNamed(GROUP, "web-asg").inputs.maxSize]).toEqual([3, 6]);
        expect(run.outputs.webServerMinCount).toBe(3);
    });

    it("admits 443 as well as 80 from the internet, on the LB SG only", () => {
        const lbSg = resourceNamed(SG, "lb-sg");
        const internet = resourcesOf(INGRESS).filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0");
        expect(internet.every((r) => r.inputs.securityGroupId === lbSg.id)).toBe(true);
        expect(internet.map((r) => r.inputs.fromPort).sort()).toEqual([443, 443, 80, 80]);
    });
});

// AWS accepts only these characters in a security group's description and in a rule's description
// (EC2 API: GroupDescription / IpRange, Ipv6Range, SecurityGroupRule Description), at most 255 of them.
// Anything else (an apostrophe, an arrow, an accented letter) is refused at `pulumi up`, not at preview,
// and the mocks do not validate: hence this check over every group and rule the stack declares.
const AWS_SG_DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{0,255}$/;

describe("security group and rule descriptions, every component, every variant", () => {
    const variants: [string, Record<string, string>][] = [
        ["dev", {}],
        // Runs other tests make too (each run of the program costs ~0.4 s of CPU): the one above, and
        // test/docs.test.ts's active-passive one (a second replica, too).
        ["dev with a domain", DEV_WITH_DOMAIN],
        ["dev active-passive without NAT", { webServerMode: "active-passive", natStrategy: "none", webServerCount: "3", dbReplicaCount: "2" }],
    ];
    const described: { variant: string; type: string; name: string; description: unknown }[] = [];
    beforeAll(async () => {
        for (const [variant, overrides] of variants) {
            const run = await runStack("dev", overrides);
            for (const r of run.resources.filter((x) => x.type === SG || x.type === INGRESS || x.type === EGRESS)) {
                described.push({ variant, type: r.type.split(":").pop()!, name: r.name, description: r.inputs.description });
            }
        }
    });

    it("the pattern rejects what AWS rejects (so a pass below means something)", () => {
        expect(AWS_SG_DESCRIPTION.test("Internet (ipv4) to the load balancer HTTPS listener")).toBe(true);
        expect(AWS_SG_DESCRIPTION.test("Internet to the load balancer's HTTPS listener")).toBe(false);
        expect(AWS_SG_DESCRIPTION.test("LB → web")).toBe(false);
        expect(AWS_SG_DESCRIPTION.test("a".repeat(256))).toBe(false);
    });

    it("covers groups and rules of every variant", () => {
        for (const [variant] of variants) {
            const types = new Set(described.filter((d) => d.variant === variant).map((d) => d.type));
            expect([variant, [...types].sort()]).toEqual([variant, ["SecurityGroup", "SecurityGroupEgressRule", "SecurityGroupIngressRule"]]);
        }
    });

    it("every description is set and uses only the characters AWS allows, at most 255", () => {
        const bad = described.filter((d) => typeof d.description !== "string" || d.description === "" || !AWS_SG_DESCRIPTION.test(d.description));
        expect(bad).toEqual([]);
    });
});
