import { RecordedResource, allInvokes, awaitOutput, descendantsOf, resourceNamed, resourcesOf, settle, setupMocks } from "./mocks";

const LB = "aws:lb/loadBalancer:LoadBalancer";
const TG = "aws:lb/targetGroup:TargetGroup";
const ATTACH = "aws:lb/targetGroupAttachment:TargetGroupAttachment";
const LISTENER = "aws:lb/listener:Listener";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const CERT = "aws:acm/certificate:Certificate";
const CERT_VALIDATION = "aws:acm/certificateValidation:CertificateValidation";
const RECORD = "aws:route53/record:Record";
const COMPONENT = "web-infra:web:LoadBalancer";

const CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0f3c1d2e-4b5a-4c6d-8e7f-9a0b1c2d3e4f";
const LOG_BUCKET = "web-infra-dev-alb-logs-123456789012";

type LbModule = typeof import("../components/loadBalancer");
let lbModule: LbModule;
type Lb = InstanceType<LbModule["LoadBalancer"]>;
const lbs: Record<string, Lb> = {};
let publicSubnetIds: string[];
let webSgId: string;
let groups: RecordedResource[];

beforeAll(async () => {
    await setupMocks({ config: { "aws:region": "us-east-1" } });
    const { Network } = await import("../components/network");
    const { WebServers } = await import("../components/webServer");
    lbModule = await import("../components/loadBalancer");
    const network = new Network("net", { availabilityZones: ["us-east-1a", "us-east-1b"] });
    const base = { vpcId: network.vpcId, subnetIds: network.publicSubnetIds, targetPort: 80 };
    // HTTP only, every default.
    lbs.plain = new lbModule.LoadBalancer("plain", base);
    // A domain: ACM certificate validated in Route 53, HTTPS, redirect, aliases; dual-stack; logs.
    lbs.dom = new lbModule.LoadBalancer("dom", {
        ...base,
        algorithm: "least_outstanding_requests",
        deletionProtection: true,
        ipAddressType: "dualstack",
        https: { domain: "www.example.com" },
        accessLogs: { bucket: LOG_BUCKET, prefix: "alb" },
    });
    // An existing certificate and no domain.
    lbs.arn = new lbModule.LoadBalancer("arn", { ...base, algorithm: "weighted_random", https: { certificateArn: CERT_ARN } });
    // Both: the given certificate, and the alias record for the domain (zone given explicitly).
    lbs.both = new lbModule.LoadBalancer("both", { ...base, https: { domain: "shop.example.org", hostedZoneName: "example.org", certificateArn: CERT_ARN } });
    // The targets: a web fleet per load balancer, registered by its group, let in by `allowTargets`.
    const servers = Object.entries(lbs).map(([prefix, lb]) => {
        const fleet = new WebServers(`${prefix}-web`, { vpcId: network.vpcId, subnetIds: network.privateSubnetIds, targetGroupArns: [lb.targetGroupArn] });
        lb.allowTargets(fleet.securityGroupId);
        return fleet;
    });
    publicSubnetIds = await Promise.all(network.publicSubnetIds.map((id) => awaitOutput(id)));
    webSgId = await awaitOutput(servers[0].securityGroupId);
    await Promise.all(servers.map((f) => awaitOutput(f.autoScalingGroupName)));
    await Promise.all(Object.values(lbs).map((lb) => awaitOutput(lb.url)));
    await settle();
});

const of = (type: string, prefix: string) => resourcesOf(type, new RegExp(`^${prefix}-`));
const listener = (prefix: string, port: number) => of(LISTENER, prefix).filter((l) => l.inputs.port === port);
const lbSg = (prefix: string) => resourceNamed(SG, `${prefix}-sg`);
const alb = (prefix: string) => resourceNamed(LB, `${prefix}-alb`);
const tg = (prefix: string) => resourceNamed(TG, `${prefix}-tg`);
const coversPort = (r: RecordedResource, port: number) => r.inputs.ipProtocol === "-1" || (r.inputs.fromPort <= port && port <= r.inputs.toPort);
const isInternet = (r: RecordedResource) => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0";

describe("the load balancer", () => {
    it("is an internet-facing ALB in the public subnets of 2 zones, behind its own SG", () => {
        for (const prefix of ["plain", "dom", "arn", "both"]) {
            expect(alb(prefix).inputs).toMatchObject({ loadBalancerType: "application", internal: false, subnets: publicSubnetIds, securityGroups: [lbSg(prefix).id] });
        }
    });

    it("drops invalid header fields", () => {
        for (const r of resourcesOf(LB)) expect(r.inputs.dropInvalidHeaderFields).toBe(true);
    });

    it("has deletion protection as configured (off by default)", () => {
        expect(alb("plain").inputs.enableDeletionProtection).toBe(false);
        expect(alb("dom").inputs.enableDeletionProtection).toBe(true);
    });

    it("is IPv4 by default and dual-stack on request", () => {
        expect(alb("plain").inputs.ipAddressType).toBe("ipv4");
        expect(alb("dom").inputs.ipAddressType).toBe("dualstack");
    });

    it("writes access logs to the given bucket only when asked", () => {
        expect(alb("dom").inputs.accessLogs).toEqual({ enabled: true, bucket: LOG_BUCKET, prefix: "alb" });
        expect(alb("plain").inputs).not.toHaveProperty("accessLogs");
    });

    it("exposes ARN, suffixes, DNS name and zone from the real resources", async () => {
        const lb = lbs.plain;
        expect(await awaitOutput(lb.arn)).toBe(alb("plain").id);
        expect(await awaitOutput(lb.arnSuffix)).toMatch(/^app\/plain-alb-[0-9a-f]{7}\/[0-9a-f]{16}$/);
        expect(await awaitOutput(lb.dnsName)).toBe(alb("plain").state.dnsName);
        expect(await awaitOutput(lb.zoneId)).toBe("Z35SXDOTRQ7X7K");
        expect(await awaitOutput(lb.targetGroupArn)).toBe(tg("plain").state.arn);
        expect(await awaitOutput(lb.targetGroupArnSuffix)).toMatch(/^targetgroup\/plain-tg-[0-9a-f]{7}\/[0-9a-f]{16}$/);
        expect(await awaitOutput(lb.securityGroupId)).toBe(lbSg("plain").id);
    });

    it("parents everything to the component", () => {
        const children = descendantsOf(resourceNamed(COMPONENT, "dom").urn);
        expect(children.map((c) => c.type)).toEqual(expect.arrayContaining([LB, TG, LISTENER, SG, INGRESS, EGRESS, CERT, CERT_VALIDATION, RECORD]));
        // `allowTargets` rules are the load balancer's children too: the chain is declared in one place.
        expect(children.map((c) => c.name)).toContain("dom-targets-from-lb");
    });
});

describe("target group", () => {
    it("forwards HTTP to instances on the app port, in the VPC", () => {
        expect(tg("plain").inputs).toMatchObject({ port: 80, protocol: "HTTP", targetType: "instance", vpcId: resourceNamed("aws:ec2/vpc:Vpc", "net-vpc").id });
    });

    it("is round robin by default, and switchable", () => {
        expect(tg("plain").inputs.loadBalancingAlgorithmType).toBe("round_robin");
        expect(tg("dom").inputs.loadBalancingAlgorithmType).toBe("least_outstanding_requests");
        expect(tg("arn").inputs.loadBalancingAlgorithmType).toBe("weighted_random");
        expect([lbs.plain.algorithm, lbs.dom.algorithm, lbs.arn.algorithm]).toEqual(["round_robin", "least_outstanding_requests", "weighted_random"]);
    });

    it("turns anomaly mitigation on with weighted_random only (the only algorithm that has it)", () => {
        expect(tg("arn").inputs.loadBalancingAnomalyMitigation).toBe("on");
        expect(tg("plain").inputs).not.toHaveProperty("loadBalancingAnomalyMitigation");
        expect(tg("dom").inputs).not.toHaveProperty("loadBalancingAnomalyMitigation");
    });

    it("health-checks /health every 5 s, out of rotation within 10 s (interval × unhealthy threshold)", () => {
        for (const r of resourcesOf(TG)) {
            const hc = r.inputs.healthCheck;
            expect(hc).toEqual({ enabled: true, protocol: "HTTP", port: "traffic-port", path: "/health", interval: 5, timeout: 3, healthyThreshold: 2, unhealthyThreshold: 2, matcher: "200" });
            expect(hc.timeout).toBeLessThan(hc.interval);
            expect(hc.interval * hc.unhealthyThreshold).toBeLessThanOrEqual(10);
        }
        expect(lbs.plain.healthCheckIntervalSeconds * lbs.plain.unhealthyThreshold).toBeLessThanOrEqual(10);
    });

    it("drains a deregistering target for at most 30 s", () => {
        for (const r of resourcesOf(TG)) expect(r.inputs.deregistrationDelay).toBeLessThanOrEqual(30);
        expect(tg("plain").inputs.deregistrationDelay).toBe(30);
        expect(lbs.plain.deregistrationDelaySeconds).toBe(30);
    });

    it("attaches no target itself: the fleet's Auto Scaling group registers its servers (one mechanism)", () => {
        groups = resourcesOf("aws:autoscaling/group:Group");
        expect(resourcesOf(ATTACH)).toEqual([]);
        for (const prefix of ["plain", "dom", "arn", "both"]) {
            expect(resourceNamed("aws:autoscaling/group:Group", `${prefix}-web-asg`).inputs.targetGroupArns).toEqual([tg(prefix).state.arn]);
        }
        expect(groups).toHaveLength(4);
        expect(lbs.plain.targetPort).toBe(80);
    });
});

describe("firewall chain: internet → LB SG → web SG", () => {
    it("the LB SG is the only group with internet ingress, and only on 80/443", () => {
        const internet = resourcesOf(INGRESS).filter(isInternet);
        const lbSgIds = ["plain", "dom", "arn", "both"].map((p) => lbSg(p).id);
        expect(internet.length).toBeGreaterThan(0);
        for (const r of internet) {
            expect(lbSgIds).toContain(r.inputs.securityGroupId);
            expect(r.inputs.ipProtocol).toBe("tcp");
            expect(r.inputs.fromPort).toBe(r.inputs.toPort);
            expect([80, 443]).toContain(r.inputs.fromPort);
        }
    });

    it("HTTP only: port 80 from 0.0.0.0/0, and no 443", () => {
        const rules = resourcesOf(INGRESS).filter((r) => r.inputs.securityGroupId === lbSg("plain").id);
        expect(rules.map((r) => r.inputs)).toEqual([expect.objectContaining({ fromPort: 80, toPort: 80, cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp" })]);
    });

    it("HTTPS, dual-stack: 80 and 443 from 0.0.0.0/0 and ::/0, one rule each, each described", () => {
        const rules = resourcesOf(INGRESS).filter((r) => r.inputs.securityGroupId === lbSg("dom").id);
        expect(rules.map((r) => `${r.inputs.fromPort} ${r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6}`).sort()).toEqual(["443 0.0.0.0/0", "443 ::/0", "80 0.0.0.0/0", "80 ::/0"]);
        for (const r of rules) expect(r.inputs.description).toMatch(/^Internet \(ipv[46]\) to the HTTPS? listener of the load balancer/);
    });

    it("every group and rule description (LB and web servers) uses only the characters AWS allows", () => {
        // EC2 refuses anything outside a-zA-Z0-9, space and ._-:/()#,@[]+=&;{}!$* (max 255) at create time.
        const all = [...resourcesOf(SG), ...resourcesOf(INGRESS), ...resourcesOf(EGRESS)];
        expect(all.length).toBeGreaterThan(10);
        const bad = all.filter((r) => !/^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{1,255}$/.test(r.inputs.description ?? "")).map((r) => [r.name, r.inputs.description]);
        expect(bad).toEqual([]);
    });

    it("the LB may only reach the web SG, on the app port", () => {
        for (const prefix of ["plain", "dom"]) {
            const egress = resourcesOf(EGRESS).filter((r) => r.inputs.securityGroupId === lbSg(prefix).id);
            expect(egress.map((r) => r.inputs)).toEqual([
                expect.objectContaining({ ipProtocol: "tcp", fromPort: 80, toPort: 80, referencedSecurityGroupId: resourceNamed(SG, `${prefix}-web-sg`).id }),
            ]);
            expect(egress[0].inputs).not.toHaveProperty("cidrIpv4");
        }
    });

    it("the web SG admits the app port only from LB SGs (by reference, no CIDR)", () => {
        expect(webSgId).toBe(resourceNamed(SG, "plain-web-sg").id);
        for (const prefix of ["plain", "dom", "arn", "both"]) {
            const webIngress = resourcesOf(INGRESS).filter((r) => r.inputs.securityGroupId === resourceNamed(SG, `${prefix}-web-sg`).id);
            expect(webIngress.map((r) => r.name)).toEqual([`${prefix}-targets-from-lb`]);
            const r = webIngress[0];
            expect(r.inputs).toMatchObject({ ipProtocol: "tcp", fromPort: 80, toPort: 80, referencedSecurityGroupId: lbSg(prefix).id });
            expect(r.inputs).not.toHaveProperty("cidrIpv4");
            expect(r.inputs).not.toHaveProperty("cidrIpv6");
            expect(r.inputs.description).toMatch(/from the load balancer only/);
        }
    });

    it("no rule anywhere covers port 22 or 3389", () => {
        for (const r of [...resourcesOf(INGRESS), ...resourcesOf(EGRESS)]) {
            expect(coversPort(r, 22)).toBe(false);
            expect(coversPort(r, 3389)).toBe(false);
        }
    });
});

describe("HTTPS with a domain", () => {
    it("issues a DNS-validated ACM certificate for the domain", () => {
        expect(of(CERT, "dom").map((c) => c.inputs)).toEqual([expect.objectContaining({ domainName: "www.example.com", validationMethod: "DNS" })]);
    });

    it("looks the public hosted zone up by name (the domain's parent)", () => {
        expect(allInvokes().filter((i) => i.token === "aws:route53/getZone:getZone").map((i) => i.inputs)).toEqual(
            expect.arrayContaining([expect.objectContaining({ name: "example.com", privateZone: false }), expect.objectContaining({ name: "example.org", privateZone: false })]),
        );
    });

    it("validates it with the record ACM asks for, read from the certificate's domainValidationOptions", () => {
        const cert = resourceNamed(CERT, "dom-cert");
        const [dvo] = cert.state.domainValidationOptions;
        const record = resourceNamed(RECORD, "dom-cert-validation-record");
        const zoneId = resourceNamed(RECORD, "dom-alias-a").inputs.zoneId;
        expect(zoneId).toMatch(/^Z[0-9A-F]{20}$/);
        expect(record.inputs).toMatchObject({ zoneId, name: dvo.resourceRecordName, type: dvo.resourceRecordType, records: [dvo.resourceRecordValue], allowOverwrite: true });
        const validation = resourceNamed(CERT_VALIDATION, "dom-cert-validation");
        expect(validation.inputs).toEqual({ certificateArn: cert.state.arn, validationRecordFqdns: [record.state.fqdn] });
    });

    it("listens on 443 with the TLS 1.3 policy and the validated certificate, forwarding to the target group", async () => {
        const [https] = listener("dom", 443);
        expect(https.inputs).toMatchObject({
            protocol: "HTTPS",
            sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            certificateArn: resourceNamed(CERT, "dom-cert").state.arn,
            loadBalancerArn: alb("dom").id,
            defaultActions: [{ type: "forward", targetGroupArn: tg("dom").state.arn }],
        });
        expect(https.inputs.sslPolicy).toMatch(/^ELBSecurityPolicy-TLS13-/);
        expect(https.dependencies).toContain(resourceNamed(CERT_VALIDATION, "dom-cert-validation").urn);
        expect(await awaitOutput(lbs.dom.certificateArn!)).toBe(resourceNamed(CERT, "dom-cert").state.arn);
    });

    it("sets HSTS and the security headers on the HTTPS listener, and hides the server header", () => {
        const [https] = listener("dom", 443);
        expect(https.inputs).toMatchObject({
            routingHttpResponseStrictTransportSecurityHeaderValue: "max-age=31536000",
            routingHttpResponseXContentTypeOptionsHeaderValue: "nosniff",
            routingHttpResponseXFrameOptionsHeaderValue: "DENY",
            routingHttpResponseServerEnabled: false,
        });
        expect(https.inputs.routingHttpResponseStrictTransportSecurityHeaderValue).toMatch(/max-age=(\d+)/);
        expect(Number(/max-age=(\d+)/.exec(https.inputs.routingHttpResponseStrictTransportSecurityHeaderValue)![1])).toBeGreaterThanOrEqual(31536000);
    });

    it("redirects HTTP to HTTPS with a 301", () => {
        const [http] = listener("dom", 80);
        expect(http.inputs).toMatchObject({
            protocol: "HTTP",
            defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
        });
        expect(http.inputs).not.toHaveProperty("routingHttpResponseStrictTransportSecurityHeaderValue");
    });

    it("switches port 80 to the redirect only after the 443 listener exists (which waits for the certificate)", () => {
        const [https] = listener("dom", 443);
        const [http] = listener("dom", 80);
        // Nothing in the redirect's inputs refers to the 443 listener: only an explicit dependsOn orders them.
        expect(JSON.stringify(http.inputs)).not.toContain(https.state.arn);
        expect(http.dependencies).toContain(https.urn);
        expect(https.dependencies).toContain(resourceNamed(CERT_VALIDATION, "dom-cert-validation").urn);
        for (const prefix of ["arn", "both"]) expect(listener(prefix, 80)[0].dependencies).toContain(listener(prefix, 443)[0].urn);
    });

    it("publishes A and AAAA alias records for the domain to the load balancer", () => {
        for (const type of ["A", "AAAA"]) {
            const record = resourceNamed(RECORD, `dom-alias-${type.toLowerCase()}`);
            expect(record.inputs).toMatchObject({
                name: "www.example.com",
                type,
                aliases: [{ name: alb("dom").state.dnsName, zoneId: alb("dom").state.zoneId, evaluateTargetHealth: true }],
            });
        }
    });

    it("reports HTTPS on and the https:// URL of the domain", async () => {
        expect(lbs.dom.httpsEnabled).toBe(true);
        expect(await awaitOutput(lbs.dom.url)).toBe("https://www.example.com");
    });
});

describe("without HTTPS", () => {
    it("has no 443 listener, no certificate, no DNS record", () => {
        expect(listener("plain", 443)).toEqual([]);
        expect(lbs.plain.httpsListener).toBeUndefined();
        expect(of(CERT, "plain")).toEqual([]);
        expect(of(RECORD, "plain")).toEqual([]);
        expect(lbs.plain.certificateArn).toBeUndefined();
    });

    it("forwards port 80 to the target group, still with the security headers", () => {
        const [http] = listener("plain", 80);
        expect(http.dependencies).not.toContain(expect.stringContaining("aws:lb/listener:Listener"));
        expect(http.inputs).toMatchObject({
            protocol: "HTTP",
            defaultActions: [{ type: "forward", targetGroupArn: tg("plain").state.arn }],
            routingHttpResponseXContentTypeOptionsHeaderValue: "nosniff",
            routingHttpResponseServerEnabled: false,
        });
    });

    it("reports HTTPS off and an http:// URL", async () => {
        expect(lbs.plain.httpsEnabled).toBe(false);
        expect(await awaitOutput(lbs.plain.url)).toBe(`http://${alb("plain").state.dnsName}`);
    });
});

describe("HTTPS with an existing certificate", () => {
    it("uses that ARN on the 443 listener and creates no ACM resources", async () => {
        const [https] = listener("arn", 443);
        expect(https.inputs).toMatchObject({ protocol: "HTTPS", certificateArn: CERT_ARN, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09" });
        expect(listener("arn", 80)[0].inputs.defaultActions[0].redirect.statusCode).toBe("HTTP_301");
        expect([...of(CERT, "arn"), ...of(CERT_VALIDATION, "arn"), ...of(RECORD, "arn")]).toEqual([]);
        expect(await awaitOutput(lbs.arn.url)).toBe(`https://${alb("arn").state.dnsName}`);
        expect(await awaitOutput(lbs.arn.certificateArn!)).toBe(CERT_ARN);
    });

    it("with a domain as well: the given certificate, an alias record in the named zone, https://domain", async () => {
        expect([...of(CERT, "both"), ...of(CERT_VALIDATION, "both")]).toEqual([]);
        expect(listener("both", 443)[0].inputs.certificateArn).toBe(CERT_ARN);
        expect(of(RECORD, "both").map((r) => `${r.inputs.type} ${r.inputs.name}`)).toEqual(["A shop.example.org"]);
        expect(await awaitOutput(lbs.both.url)).toBe("https://shop.example.org");
    });
});

describe("validation, before anything is registered", () => {
    const args = () => ({ vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"], targetInstanceIds: ["i-1", "i-2"], targetSecurityGroupId: "sg-1", targetPort: 80 });

    it.each([
        ["one subnet", { subnetIds: ["subnet-a"] }, "LoadBalancer bad: `subnetIds` must name public subnets in at least 2 zones (got 1): an Application Load Balancer needs two"],
        ["an unknown algorithm", { algorithm: "roundRobin" as never }, 'LoadBalancer bad: `algorithm` must be one of round_robin, least_outstanding_requests, weighted_random (got "roundRobin")'],
        ["the SSH port", { targetPort: 22 }, "LoadBalancer bad: `targetPort` must not be 22: remote-administration ports are never opened"],
        ["a relative health-check path", { healthCheckPath: "health" }, 'LoadBalancer bad: `healthCheckPath` must start with / and have no spaces, at most 1024 characters (got "health")'],
        ["an hour-long drain", { deregistrationDelaySeconds: 3601 }, "LoadBalancer bad: `deregistrationDelaySeconds` must be a whole number from 0 to 3600 (got 3601)"],
        ["HTTPS with neither domain nor certificate", { https: {} }, "LoadBalancer bad: `https` needs `domain` (to issue a certificate) or `certificateArn` (to use one)"],
        ["a zone that does not hold the domain", { https: { domain: "www.example.com", hostedZoneName: "example.org" } }, 'LoadBalancer bad: `https.hostedZoneName` must be `https.domain` or one of its parents (got "example.org" for "www.example.com")'],
        ["an IP address as the domain", { https: { domain: "10.0.0.1" } }, 'LoadBalancer bad: `https.domain` must be a lower-case DNS name such as www.example.com, not an IP address (got "10.0.0.1")'],
        [
            "a domain longer than ACM issues",
            { https: { domain: `${"a".repeat(60)}.example.com` } },
            "LoadBalancer bad: `https.domain` must be at most 64 characters for ACM to issue its certificate (got 72): a certificate's Common Name is limited to 64 octets; bring a certificate with the name as a SAN (`certificateArn`)",
        ],
        ["a zone without a domain", { https: { certificateArn: CERT_ARN, hostedZoneName: "example.org" } }, 'LoadBalancer bad: `https.hostedZoneName` is set ("example.org") but `https.domain` is not: the zone only serves to validate and publish the domain'],
    ])("rejects %s", async (_label, override, message) => {
        expect(() => new lbModule.LoadBalancer("bad", { ...args(), ...override })).toThrow(message);
        await settle();
        expect(resourcesOf(COMPONENT, "bad")).toEqual([]);
        expect(resourcesOf(SG, /^bad-/)).toEqual([]);
    });
});
