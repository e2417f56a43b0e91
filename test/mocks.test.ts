// The harness itself: it must fail loudly where AWS would have returned something the mock doesn't model.
import { computedOutputs, invokeResult, resourceNamed, resourcesOf, settle, setupMocks, stackConfig, stackNames } from "./mocks";

describe("invokes", () => {
    it("throws on an invoke it does not know, naming the token", () => {
        expect(() => invokeResult("aws:ec2/getVpc:getVpc", { default: true })).toThrow(
            'test/mocks.ts: unexpected invoke aws:ec2/getVpc:getVpc ({"default":true}); model it in invokeResult() if the program really needs it',
        );
    });

    it("a program making an unknown invoke fails instead of reading undefined", async () => {
        await setupMocks();
        const aws = await import("@pulumi/aws");
        await expect(aws.ec2.getVpc({ default: true })).rejects.toThrow("unexpected invoke aws:ec2/getVpc:getVpc");
    });

    it("only public AL2023 AMI parameters are modelled", () => {
        expect(invokeResult("aws:ssm/getParameter:getParameter", { name: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64" }).value).toMatch(/^ami-0[0-9a-f]{16}$/);
        expect(() => invokeResult("aws:ssm/getParameter:getParameter", { name: "/my/secret" })).toThrow("no SSM parameter /my/secret");
    });

    it("zones belong to the configured region", () => {
        expect(invokeResult("aws:index/getAvailabilityZones:getAvailabilityZones", { region: "eu-west-1" }).names[0]).toBe("eu-west-1a");
    });
});

describe("computed outputs", () => {
    it("throws on an AWS resource type it does not model", () => {
        expect(() => computedOutputs("aws:ec2/transitGateway:TransitGateway", "tgw", {})).toThrow(
            "test/mocks.ts does not model aws:ec2/transitGateway:TransitGateway (resource tgw): add its computed outputs to computedOutputs()",
        );
    });

    it("load balancer and target group ARNs and arnSuffix follow the real formats", () => {
        const lb = computedOutputs("aws:lb/loadBalancer:LoadBalancer", "web-alb", { name: "web-alb" });
        expect(lb.state.arn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/web-alb\/[0-9a-f]{16}$/);
        expect(lb.state.arn.endsWith(`:loadbalancer/${lb.state.arnSuffix}`)).toBe(true);
        expect(lb.state.dnsName).toMatch(/^web-alb-\d+\.us-east-1\.elb\.amazonaws\.com$/);
        expect(lb.state.zoneId).toBe("Z35SXDOTRQ7X7K");
        const tg = computedOutputs("aws:lb/targetGroup:TargetGroup", "web-tg", {});
        expect(tg.state.arnSuffix).toMatch(/^targetgroup\/web-tg-[0-9a-f]{7}\/[0-9a-f]{16}$/);
        expect(tg.state.arn).toBe(`arn:aws:elasticloadbalancing:us-east-1:123456789012:${tg.state.arnSuffix}`);
    });

    it("RDS instances have an endpoint, address, port, and an id that is not the identifier (pulumi-aws v6+)", () => {
        const db = computedOutputs("aws:rds/instance:Instance", "db-primary", { identifier: "app-primary" });
        expect(db.state.address).toMatch(/^app-primary\.c[0-9a-f]{11}\.us-east-1\.rds\.amazonaws\.com$/);
        expect(db.state.endpoint).toBe(`${db.state.address}:3306`);
        expect(db.state.port).toBe(3306);
        expect(db.id).toMatch(/^db-[0-9A-F]{26}$/);
        expect(db.state.arn).toBe("arn:aws:rds:us-east-1:123456789012:db:app-primary");
    });

    it("ACM certificates carry one DNS validation option per name", () => {
        const cert = computedOutputs("aws:acm/certificate:Certificate", "cert", { domainName: "www.example.com", subjectAlternativeNames: ["example.com"] });
        expect(cert.state.domainValidationOptions.map((o: { domainName: string }) => o.domainName)).toEqual(["www.example.com", "example.com"]);
        for (const o of cert.state.domainValidationOptions) {
            expect(o.resourceRecordType).toBe("CNAME");
            expect(o.resourceRecordName).toMatch(new RegExp(`^_[0-9a-f]{32}\\.${o.domainName.replace(/\./g, "\\.")}\\.$`));
        }
    });
});

describe("recording", () => {
    it("records parent URNs, protect and which inputs were secret", async () => {
        await setupMocks();
        const pulumi = await import("@pulumi/pulumi");
        const aws = await import("@pulumi/aws");
        class Holder extends pulumi.ComponentResource {
            constructor(name: string) {
                super("web-infra:test:Holder", name);
                new aws.ssm.Parameter(`${name}-param`, { name: "/x", type: "SecureString", value: pulumi.secret("hunter2") }, { parent: this, protect: true });
                this.registerOutputs({});
            }
        }
        new Holder("holder");
        await settle();
        const param = resourceNamed("aws:ssm/parameter:Parameter", "holder-param");
        const holder = resourceNamed("web-infra:test:Holder", "holder");
        expect(param.parentUrn).toBe(holder.urn);
        expect(param.urn).toBe("urn:pulumi:test::web-infra::web-infra:test:Holder$aws:ssm/parameter:Parameter::holder-param");
        expect(param.protect).toBe(true);
        expect(param.secretPaths).toEqual(["value"]);
        expect(param.inputs.value).toBe("hunter2");
        expect(resourcesOf("aws:ssm/parameter:Parameter")).toHaveLength(1);
    });
});

describe("stack config files", () => {
    it("finds every Pulumi.<stack>.yaml and reads its config as strings", () => {
        expect(stackNames()).toContain("dev");
        const dev = stackConfig("dev");
        expect(dev["aws:region"]).toBe("us-east-1");
        expect(dev["web-infra:availabilityZoneCount"]).toBe("2");
        expect(dev["web-infra:deletionProtection"]).toBe("false");
    });
});

describe("per-resource region (pulumi-aws v7)", () => {
    it("a resource with its own region gets ARNs in that region", () => {
        expect(computedOutputs("aws:sns/topic:Topic", "alerts", { name: "alerts", region: "us-east-1" }).state.arn).toBe("arn:aws:sns:us-east-1:123456789012:alerts");
        expect(computedOutputs("aws:cloudwatch/metricAlarm:MetricAlarm", "a", { name: "a", region: "eu-west-1" }).state.arn).toBe("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a");
    });
});
