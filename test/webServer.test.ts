import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { RecordedResource, allInvokes, awaitOutput, resourceNamed, resourcesOf, settle, setupMocks } from "./mocks";
import { renderCloudConfig } from "../components/lib/userData";

const INSTANCE = "aws:ec2/instance:Instance";
const TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const GROUP = "aws:autoscaling/group:Group";
const POLICY = "aws:autoscaling/policy:Policy";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const ROLE = "aws:iam/role:Role";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const PROFILE = "aws:iam/instanceProfile:InstanceProfile";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const COMPONENT = "web-infra:web:WebServers";

const PINNED_AMI = "ami-0fedcba9876543210";
const TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lb-tg-1a2b3c/0123456789abcdef";
const LB_METRICS = { loadBalancerArnSuffix: pulumi.output("app/lb-alb-1a2b3c/0123456789abcdef"), targetGroupArnSuffix: "targetgroup/lb-tg-1a2b3c/0123456789abcdef" };
const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:web-infra-db-master-AbC123";
const DATABASE = {
    writerHost: pulumi.output("writer.db.web-infra.internal"),
    readerHost: "reader.db.web-infra.internal",
    port: pulumi.output(3306),
    name: "app",
    secretArn: pulumi.output(SECRET_ARN),
};

type WebModule = typeof import("../components/webServer");
let web: WebModule;
type Fleet = InstanceType<WebModule["WebServers"]>;
const fleets: Record<string, Fleet> = {};
let network: InstanceType<typeof import("../components/network").Network>;
let privateSubnetIds: string[];

beforeAll(async () => {
    await setupMocks({ config: { "aws:region": "us-east-1" } });
    const { Network } = await import("../components/network");
    web = await import("../components/webServer");
    network = new Network("net", { availabilityZones: ["us-east-1a", "us-east-1b"] });
    const base = { vpcId: network.vpcId, subnetIds: network.privateSubnetIds, targetGroupArns: [TG_ARN], egressReady: network.egressReady };
    // Defaults: 2..4 × t4g.micro, port 80, no database, no load balancer metrics.
    fleets.web = new web.WebServers("web", base);
    // 3..10 x86 servers, a database, another port, tags, the load balancer's metrics.
    fleets.big = new web.WebServers("big", {
        ...base,
        minSize: 3,
        maxSize: 10,
        scaling: { requestsPerTarget: 500, cpuPercent: 50 },
        loadBalancerMetrics: LB_METRICS,
        rollback5xxPerMinute: 25,
        instanceType: "m7i.large",
        rootVolumeSizeGiB: 20,
        appPort: 8080,
        database: DATABASE,
        logRetentionDays: 90,
        launchTags: { CostCenter: "cc-42" },
        tags: { Team: "web" },
    });
    fleets.standard = new web.WebServers("std", { ...base, instanceType: "t3.small", cpuCredits: "standard" });
    // A pinned AMI, given as an Output (as a stack passes config or another resource's id).
    fleets.pinned = new web.WebServers("pinned", { ...base, instanceType: "c7g.large", amiId: pulumi.output(PINNED_AMI) });
    // Active-passive: one server serving, two running servers in Standby.
    fleets.passive = new web.WebServers("passive", { ...base, mode: "active-passive", warmStandbyCount: 2, loadBalancerMetrics: LB_METRICS });
    privateSubnetIds = await Promise.all(network.privateSubnetIds.map((id) => awaitOutput(id)));
    await Promise.all(Object.values(fleets).map((f) => awaitOutput(f.autoScalingGroupName)));
    await settle();
});

const of = (type: string, prefix: string) => resourcesOf(type, new RegExp(`^${prefix}-`));
const sgOf = (prefix: string) => resourceNamed(SG, `${prefix}-sg`);
const templateOf = (prefix: string) => resourceNamed(TEMPLATE, `${prefix}-template`);
const groupOf = (prefix: string) => resourceNamed(GROUP, `${prefix}-asg`);
const userDataOf = (prefix: string) => Buffer.from(templateOf(prefix).inputs.userData, "base64").toString("utf8");

describe("a fleet, not instances", () => {
    it("declares no EC2 instance: one launch template and one Auto Scaling group per fleet", () => {
        expect(resourcesOf(INSTANCE)).toEqual([]);
        for (const prefix of Object.keys(fleets).map((k) => (k === "standard" ? "std" : k))) {
            expect(of(TEMPLATE, prefix)).toHaveLength(1);
            expect(of(GROUP, prefix)).toHaveLength(1);
            expect(groupOf(prefix).parentUrn).toBe(resourceNamed(COMPONENT, prefix).urn);
        }
    });

    it("spreads the group over the private subnets of both zones (≥ 2)", () => {
        expect(groupOf("web").inputs.vpcZoneIdentifiers).toEqual(privateSubnetIds);
        expect(new Set(groupOf("web").state.availabilityZones)).toEqual(new Set(["us-east-1a", "us-east-1b"]));
    });

    it("min = minSize, max = maxSize (default 2 × min), and never a desiredCapacity for `up` to fight the scaler over", () => {
        expect([groupOf("web").inputs.minSize, groupOf("web").inputs.maxSize]).toEqual([2, 4]);
        expect([groupOf("big").inputs.minSize, groupOf("big").inputs.maxSize]).toEqual([3, 10]);
        // Active-passive sets it once, at creation (its own test below).
        for (const g of resourcesOf(GROUP).filter((g) => g.name !== "passive-asg")) expect(g.inputs).not.toHaveProperty("desiredCapacity");
        expect([fleets.big.minSize, fleets.big.maxSize, fleets.big.warmStandbyCount]).toEqual([3, 10, 0]);
    });

    it("uses ELB health checks with the grace period derived from the boot, and is attached to the target group once, by the group", () => {
        const steps = web.BOOT_TO_HEALTHY_STEPS.reduce((sum, s) => sum + s.seconds, 0);
        expect(web.HEALTH_CHECK_GRACE_SECONDS).toBe(Math.ceil((steps * 1.25) / 60) * 60);
        expect(web.HEALTH_CHECK_GRACE_SECONDS).toBe(300);
        for (const g of resourcesOf(GROUP)) {
            expect(g.inputs).toMatchObject({ healthCheckType: "ELB", healthCheckGracePeriod: 300, defaultInstanceWarmup: 300, targetGroupArns: [TG_ARN] });
            // A new group (a replacement) serves before the old one goes: the provider waits for this
            // many ELB-healthy servers on creation.
            expect(g.inputs.minElbCapacity).toBe(g.inputs.minSize);
        }
        expect(resourcesOf("aws:lb/targetGroupAttachment:TargetGroupAttachment")).toEqual([]);
        expect(resourcesOf("aws:autoscaling/attachment:Attachment")).toEqual([]);
        expect(resourcesOf("aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment")).toEqual([]);
    });

    it("launches from the template's explicit latest version, never $Latest", () => {
        for (const prefix of ["web", "big", "passive"]) {
            const t = templateOf(prefix);
            expect(groupOf(prefix).inputs.launchTemplate).toEqual({ id: t.id, version: String(t.state.latestVersion) });
            expect(groupOf(prefix).propertyDependencies.launchTemplate).toContain(t.urn);
        }
        expect(resourcesOf(TEMPLATE).every((t) => t.inputs.updateDefaultVersion === true)).toBe(true);
    });

    it("replaces an unhealthy server launch-first (maintenance policy 100-200 %)", () => {
        for (const g of resourcesOf(GROUP)) expect(g.inputs.instanceMaintenancePolicy).toEqual({ minHealthyPercentage: 100, maxHealthyPercentage: 200 });
    });

    it("rolls a new version by instance refresh: min healthy 100 %, max > 100 %, skip matching, stopped by the fleet's gate alarm (no auto rollback)", () => {
        const refresh = groupOf("big").inputs.instanceRefresh;
        expect(refresh.strategy).toBe("Rolling");
        // No auto rollback: the provider saves the new version on the group before the refresh starts, so
        // AWS would "roll back" to the new version itself (hashicorp/terraform-provider-aws#34189).
        expect(refresh.preferences).toMatchObject({ minHealthyPercentage: 100, skipMatching: true, autoRollback: false, instanceWarmup: "300" });
        expect(refresh.preferences.maxHealthyPercentage).toBeGreaterThan(100);
        const gates = of(ALARM, "big").filter((a) => /refresh-gate/.test(a.name));
        expect(gates.map((g) => g.name).sort()).toEqual(["big-refresh-gate-5xx"]);
        expect(refresh.preferences.alarmSpecification.alarms.sort()).toEqual(gates.map((g) => g.state.name).sort());
        expect(resourceNamed(ALARM, "big-refresh-gate-5xx").inputs).toMatchObject({
            namespace: "AWS/ApplicationELB",
            metricName: "HTTPCode_Target_5XX_Count",
            threshold: 25,
            dimensions: { TargetGroup: LB_METRICS.targetGroupArnSuffix, LoadBalancer: "app/lb-alb-1a2b3c/0123456789abcdef" },
            actionsEnabled: false,
        });
        // Without the load balancer's metrics there is nothing to gate on: no alarms, no specification.
        expect(groupOf("web").inputs.instanceRefresh.preferences).not.toHaveProperty("alarmSpecification");
        expect(of(ALARM, "web")).toEqual([]);
    });

    it("tracks CPU always and requests per target when it knows the load balancer", () => {
        const policies = (prefix: string) => of(POLICY, prefix).map((p) => [p.name, p.inputs.targetTrackingConfiguration.predefinedMetricSpecification, p.inputs.targetTrackingConfiguration.targetValue]);
        expect(policies("web")).toEqual([["web-cpu-tracking", { predefinedMetricType: "ASGAverageCPUUtilization" }, 60]]);
        expect(policies("big")).toEqual([
            ["big-cpu-tracking", { predefinedMetricType: "ASGAverageCPUUtilization" }, 50],
            ["big-requests-tracking", { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel: "app/lb-alb-1a2b3c/0123456789abcdef/targetgroup/lb-tg-1a2b3c/0123456789abcdef" }, 500],
        ]);
        for (const p of of(POLICY, "big")) {
            expect(p.inputs).toMatchObject({ policyType: "TargetTrackingScaling", autoscalingGroupName: groupOf("big").state.name });
        }
    });

    it("enables the group metrics the alarms and dashboard read, every minute", () => {
        expect(groupOf("web").inputs.enabledMetrics).toEqual(expect.arrayContaining(["GroupInServiceInstances", "GroupDesiredCapacity", "GroupStandbyInstances"]));
        expect(groupOf("web").inputs.metricsGranularity).toBe("1Minute");
    });

    it("launches only after the role's policies and the network's egress (routes, NAT, S3 endpoint) exist", () => {
        const deps = groupOf("web").dependencies;
        const urnsOf = (type: string) => resourcesOf(type).filter((r) => r.name.startsWith("net-")).map((r) => r.urn);
        for (const urn of [
            ...urnsOf("aws:ec2/routeTableAssociation:RouteTableAssociation").filter((u) => /private-rta/.test(u)),
            ...urnsOf("aws:ec2/route:Route").filter((u) => /private-default-route/.test(u)),
            // The NATs reach the internet through the public subnets' default route.
            ...urnsOf("aws:ec2/route:Route").filter((u) => /public-default-route$/.test(u)),
            ...urnsOf("aws:ec2/routeTableAssociation:RouteTableAssociation").filter((u) => /public-rta/.test(u)),
            ...urnsOf("aws:ec2/natGateway:NatGateway"),
            resourceNamed("aws:ec2/vpcEndpoint:VpcEndpoint", "net-s3-endpoint").urn,
            // …and after its own security group lets it out over HTTPS.
            resourceNamed("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "web-egress-https").urn,
            ...of(ATTACHMENT, "web").map((a) => a.urn),
        ]) {
            expect(deps).toContain(urn);
        }
        expect(network.egressReady.length).toBeGreaterThanOrEqual(2 + 1 + 1);
    });
});

describe("active-passive: one serving, Standby servers outside the target group, a failover function of ours", () => {
    const FN = "aws:lambda/function:Function";
    it("sizes the group 1 in service + the standbys: min 1, desired 1 + 2 at creation then ignored, max for launch-first replacements of all", () => {
        const g = groupOf("passive");
        expect([g.inputs.minSize, g.inputs.desiredCapacity, g.inputs.maxSize]).toEqual([1, 3, 6]);
        // Pulumi sets it once; EnterStandby/ExitStandby and Auto Scaling own it from then on.
        expect(g.ignoreChanges).toContain("desiredCapacity");
        // Active-active leaves it to the scaler and ignores nothing.
        expect(groupOf("web").inputs).not.toHaveProperty("desiredCapacity");
        expect(groupOf("web").ignoreChanges).not.toContain("desiredCapacity");
        expect([fleets.passive.minSize, fleets.passive.maxSize, fleets.passive.warmStandbyCount, fleets.passive.mode]).toEqual([1, 6, 2, "active-passive"]);
    });

    it("keeps standbys outside the target group by AWS's Standby state: no warm pool, the group still attaches its one target group", () => {
        const g = groupOf("passive");
        expect(g.inputs).not.toHaveProperty("warmPool");
        // EnterStandby deregisters an instance from the group's target groups, ExitStandby registers it:
        // the attachment stays the group's one mechanism.
        expect(g.inputs.targetGroupArns).toEqual([TG_ARN]);
        expect(resourcesOf("aws:autoscaling/attachment:Attachment")).toEqual([]);
        // Refreshes replace standbys too; rebalancing never moves servers behind the function's back.
        expect(g.inputs.instanceRefresh.preferences.standbyInstances).toBe("Terminate");
        expect(g.inputs.suspendedProcesses).toEqual(["AZRebalance"]);
        expect(groupOf("web").inputs.instanceRefresh.preferences).not.toHaveProperty("standbyInstances");
        expect(groupOf("web").inputs).not.toHaveProperty("suspendedProcesses");
    });

    it("declares the failover function (Node 22, the handler file as is, 60 s, concurrency 1) with the group, target group and timings in its environment", () => {
        const fn = resourceNamed(FN, "passive-failover");
        expect(fn.inputs).toMatchObject({ runtime: "nodejs22.x", handler: "index.handler", timeout: 60, memorySize: 128, reservedConcurrentExecutions: 1 });
        expect(fn.inputs.environment.variables).toEqual({
            GROUP_NAME: groupOf("passive").state.name,
            TARGET_GROUP_ARN: TG_ARN,
            STANDBY_COUNT: "2",
            GRACE_SECONDS: String(web.HEALTH_CHECK_GRACE_SECONDS),
            POLL_SECONDS: "5",
            RUN_SECONDS: "55",
        });
        expect(fn.inputs.loggingConfig).toEqual({ logFormat: "Text", logGroup: resourceNamed("aws:cloudwatch/logGroup:LogGroup", "passive-failover-logs").state.name });
        // No function in active-active.
        expect(resourcesOf(FN).map((f) => f.name)).toEqual(["passive-failover"]);
    });

    it("runs it every minute from an EventBridge schedule allowed to invoke it, without retries", () => {
        const rule = resourceNamed("aws:cloudwatch/eventRule:EventRule", "passive-failover-schedule");
        expect(rule.inputs.scheduleExpression).toBe("rate(1 minute)");
        const target = resourceNamed("aws:cloudwatch/eventTarget:EventTarget", "passive-failover-schedule-target");
        expect(target.inputs).toMatchObject({ rule: rule.state.name, arn: resourceNamed(FN, "passive-failover").state.arn });
        expect(resourceNamed("aws:lambda/permission:Permission", "passive-failover-schedule-invoke").inputs).toMatchObject({
            principal: "events.amazonaws.com",
            sourceArn: rule.state.arn,
        });
        expect(resourceNamed("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "passive-failover-invoke").inputs).toMatchObject({ maximumRetryAttempts: 0 });
    });

    it("grants least privilege: moves on this group's ARN only, reads on *, its own log group", () => {
        const doc = JSON.parse(resourceNamed("aws:iam/rolePolicy:RolePolicy", "passive-failover-policy").inputs.policy);
        const bySid = Object.fromEntries(doc.Statement.map((st: any) => [st.Sid, st]));
        expect(bySid.MoveServersOfThisGroup).toEqual({
            Sid: "MoveServersOfThisGroup",
            Effect: "Allow",
            Action: [
                "autoscaling:EnterStandby",
                "autoscaling:ExitStandby",
                "autoscaling:SetInstanceHealth",
                "autoscaling:SetDesiredCapacity",
                "autoscaling:TerminateInstanceInAutoScalingGroup",
            ],
            Resource: groupOf("passive").state.arn,
        });
        expect(bySid.ReadGroupTargetsAndLaunchTimes.Action.every((a: string) => /:Describe/.test(a))).toBe(true);
        // Every API call the function's code makes is allowed (a new action without its permission fails only in AWS).
        const code = fs.readFileSync(path.join(__dirname, "../components/assets/standby/index.js"), "utf8");
        const calls = [...code.matchAll(/new c\.(\w+)Command\(/g)].map((m) => m[1]);
        const allowed = new Set([...bySid.MoveServersOfThisGroup.Action, ...bySid.ReadGroupTargetsAndLaunchTimes.Action].map((a: string) => a.split(":")[1]));
        expect(calls.length).toBeGreaterThanOrEqual(9);
        expect(calls.filter((c) => !allowed.has(c))).toEqual([]);
        expect(bySid.WriteOwnLogs.Resource).toBe(`${resourceNamed("aws:cloudwatch/logGroup:LogGroup", "passive-failover-logs").state.arn}:*`);
        expect(doc.Statement).toHaveLength(3);
        expect(resourceNamed("aws:cloudwatch/logGroup:LogGroup", "passive-failover-logs").inputs.retentionInDays).toBe(30);
    });

    it("turns its log lines into metrics by group (standbys missing, failovers) for the alarms", () => {
        const filters = resourcesOf("aws:cloudwatch/logMetricFilter:LogMetricFilter").filter((f) => f.name.startsWith("passive-"));
        expect(filters.map((f) => [f.name, f.inputs.pattern, f.inputs.metricTransformation.name])).toEqual([
            // Every pass, 0 included (a `> 0` filter left the alarm's Minimum blind to the passes that were fine).
            ["passive-failover-standbys-missing", "{ $.standbysMissing >= 0 }", "StandbysMissing"],
            ["passive-failover-failovers", "{ $.failover = 1 }", "Failovers"],
        ]);
        for (const f of filters) expect(f.inputs.metricTransformation.dimensions).toEqual({ AutoScalingGroupName: "$.group" });
    });

    it("has no scaling policy (one active server by design)", () => {
        expect(of(POLICY, "passive")).toEqual([]);
    });

    it("refuses more than one target group in active-passive, naming the arg", () => {
        expect(() => new web.WebServers("two-tg", { vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"], targetGroupArns: [TG_ARN, TG_ARN], mode: "active-passive" })).toThrow(
            "WebServers two-tg: `targetGroupArns` must name exactly one target group in active-passive (got 2): the failover function reads the active server's health there",
        );
    });
});

describe("the launch template: everything a server is", () => {
    it("requires IMDSv2 (tokens required, hop limit 1)", () => {
        for (const t of resourcesOf(TEMPLATE)) {
            expect(t.inputs.metadataOptions).toEqual({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" });
        }
    });

    it("has an encrypted gp3 root volume of the configured size, deleted with the server", () => {
        expect(templateOf("web").inputs.blockDeviceMappings).toEqual([{ deviceName: "/dev/xvda", ebs: { volumeType: "gp3", volumeSize: 8, encrypted: "true", deleteOnTermination: "true" } }]);
        expect(templateOf("big").inputs.blockDeviceMappings[0].ebs.volumeSize).toBe(20);
    });

    it("has no public IP, no key pair, and the fleet's one security group", () => {
        for (const prefix of ["web", "big"]) {
            const t = templateOf(prefix);
            expect(t.inputs.networkInterfaces).toEqual([{ deviceIndex: 0, associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: [sgOf(prefix).id] }]);
            expect(t.inputs).not.toHaveProperty("keyName");
            expect(t.inputs).not.toHaveProperty("vpcSecurityGroupIds");
        }
    });

    it("launches with the fleet's instance profile (SSM) and detailed monitoring", () => {
        expect(templateOf("web").inputs.iamInstanceProfile).toEqual({ arn: resourceNamed(PROFILE, "web-instance-profile").state.arn });
        expect(templateOf("web").inputs.monitoring).toEqual({ enabled: true });
    });

    it("tags the servers and their volumes at launch, with the launch tags (the provider's default tags do not reach them)", () => {
        expect(templateOf("big").inputs.tagSpecifications).toEqual([
            { resourceType: "instance", tags: { CostCenter: "cc-42", Team: "web", Name: "big-server", Role: "web" } },
            { resourceType: "volume", tags: { CostCenter: "cc-42", Team: "web", Name: "big-root", Role: "web" } },
        ]);
    });
});

describe("instance type, architecture, AMI, CPU credits", () => {
    const amiParameter = (arch: string) => `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`;
    const amiFor = (arch: string) => allInvokes().find((i) => i.token === "aws:ssm/getParameter:getParameter" && i.inputs.name === amiParameter(arch));

    it("t4g.micro by default, on the arm64 AL2023 AMI from the public SSM parameter", async () => {
        expect(amiFor("arm64")).toBeDefined();
        const amiId = await awaitOutput(fleets.web.amiId);
        expect(amiId).toMatch(/^ami-0[0-9a-f]{16}$/);
        expect(templateOf("web").inputs).toMatchObject({ instanceType: "t4g.micro", imageId: amiId });
    });

    it("an x86 type gets the x86_64 AMI", async () => {
        expect(amiFor("x86_64")).toBeDefined();
        const x86 = await awaitOutput(fleets.big.amiId);
        expect(x86).not.toBe(await awaitOutput(fleets.web.amiId));
        expect(templateOf("big").inputs).toMatchObject({ instanceType: "m7i.large", imageId: x86 });
    });

    it("a pinned `amiId` is used as given, with no SSM look-up: one look-up per unpinned fleet only", async () => {
        expect(await awaitOutput(fleets.pinned.amiId)).toBe(PINNED_AMI);
        expect(templateOf("pinned").inputs).toMatchObject({ instanceType: "c7g.large", imageId: PINNED_AMI });
        const lookups = allInvokes().filter((i) => i.token === "aws:ssm/getParameter:getParameter");
        expect(lookups).toHaveLength(Object.keys(fleets).length - 1);
    });

    it("burstable types run with unlimited CPU credits by default; others get no credit setting", () => {
        expect(templateOf("web").inputs.creditSpecification).toEqual({ cpuCredits: "unlimited" });
        expect(templateOf("std").inputs.creditSpecification).toEqual({ cpuCredits: "standard" });
        expect(templateOf("big").inputs).not.toHaveProperty("creditSpecification");
    });
});

describe("security group", () => {
    it("is in the network's VPC and has no ingress of its own", () => {
        for (const prefix of ["web", "big"]) {
            const sg = sgOf(prefix);
            expect(sg.inputs.vpcId).toBe(resourceNamed("aws:ec2/vpc:Vpc", "net-vpc").id);
            expect(sg.inputs).not.toHaveProperty("ingress");
            expect(sg.inputs).not.toHaveProperty("egress");
            expect(resourcesOf(INGRESS).filter((r) => r.inputs.securityGroupId === sg.id)).toEqual([]);
        }
    });

    it("allows egress on HTTPS only (bootstrap and SSM), with a description", () => {
        for (const prefix of ["web", "big"]) {
            const rules = resourcesOf(EGRESS).filter((r) => r.inputs.securityGroupId === sgOf(prefix).id);
            expect(rules).toHaveLength(1);
            expect(rules[0].inputs).toMatchObject({ ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" });
            expect(rules[0].inputs.description).toMatch(/HTTPS/);
        }
    });

    it("no rule covers port 22 or 3389", () => {
        const covers = (r: RecordedResource, port: number) => r.inputs.ipProtocol === "-1" || (r.inputs.fromPort <= port && port <= r.inputs.toPort);
        for (const r of [...resourcesOf(INGRESS), ...resourcesOf(EGRESS)]) {
            expect(covers(r, 22) || covers(r, 3389)).toBe(false);
        }
    });
});

describe("IAM", () => {
    const policy = (r: RecordedResource, key: string) => JSON.parse(r.inputs[key]);

    it("the role trusts EC2 only", () => {
        expect(policy(resourceNamed(ROLE, "web-role"), "assumeRolePolicy")).toEqual({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
    });

    it("has exactly the SSM core and CloudWatch agent managed policies", async () => {
        for (const prefix of ["web", "big"]) {
            const role = resourceNamed(ROLE, `${prefix}-role`);
            const attached = resourcesOf(ATTACHMENT).filter((a) => a.inputs.role === role.state.name);
            expect(attached.map((a) => a.inputs.policyArn).sort()).toEqual([
                "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
            ]);
        }
        expect(await awaitOutput(fleets.web.roleArn)).toBe(resourceNamed(ROLE, "web-role").state.arn);
        expect(resourceNamed(PROFILE, "web-instance-profile").inputs.role).toBe(resourceNamed(ROLE, "web-role").state.name);
    });

    it("without a database: no inline policy", () => {
        expect(of(ROLE_POLICY, "web")).toEqual([]);
    });

    it("with a database: one inline policy that reads exactly the DB secret", () => {
        const inline = of(ROLE_POLICY, "big");
        expect(inline).toHaveLength(1);
        expect(inline[0].inputs.role).toBe(resourceNamed(ROLE, "big-role").state.name);
        expect(policy(inline[0], "policy")).toEqual({
            Version: "2012-10-17",
            Statement: [{ Sid: "ReadTheDatabaseSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: SECRET_ARN }],
        });
    });
});

describe("user data", () => {
    const appEnvOf = (prefix: string) => {
        const doc = yaml.load(userDataOf(prefix)) as { write_files: { path: string; content: string }[] };
        return doc.write_files.find((f) => f.path === "/etc/web-infra/app.env")?.content ?? "";
    };

    it("is the pure renderer's cloud-config for the fleet's port, region and log group", () => {
        const logGroupName = resourceNamed(LOG_GROUP, "web-nginx-logs").state.name;
        expect(userDataOf("web")).toBe(renderCloudConfig({ appPort: 80, region: "us-east-1", logGroupName }));
        const expected = renderCloudConfig({
            appPort: 8080,
            region: "us-east-1",
            logGroupName: resourceNamed(LOG_GROUP, "big-nginx-logs").state.name,
            database: { writerHost: "writer.db.web-infra.internal", readerHost: "reader.db.web-infra.internal", port: 3306, name: "app", secretArn: SECRET_ARN },
        });
        expect(userDataOf("big")).toBe(expected);
    });

    it("gives the servers the DB endpoints and secret ARN, never a password", () => {
        const env = appEnvOf("big");
        expect(env).toContain("DB_WRITER_HOST=writer.db.web-infra.internal\n");
        expect(env).toContain("DB_READER_HOST=reader.db.web-infra.internal\n");
        expect(env).toContain(`DB_SECRET_ARN=${SECRET_ARN}\n`);
        expect(env).not.toMatch(/^[A-Z_]*PASS/m);
        expect(appEnvOf("web")).not.toMatch(/^DB_/m);
    });

    it("installs and starts the CloudWatch agent, shipping nginx's logs to the fleet's own log group", () => {
        for (const prefix of ["web", "big"]) {
            const logGroupName = resourceNamed(LOG_GROUP, `${prefix}-nginx-logs`).state.name;
            const doc = yaml.load(userDataOf(prefix)) as { packages: string[]; write_files: { path: string; content: string }[]; runcmd: string[][] };
            expect(doc.packages).toContain("amazon-cloudwatch-agent");
            const agent = JSON.parse(doc.write_files.find((f) => f.path === "/etc/web-infra/cloudwatch-agent.json")!.content);
            expect(agent.logs.logs_collected.files.collect_list.map((f: { log_group_name: string }) => f.log_group_name)).toEqual([logGroupName, logGroupName]);
            expect(doc.runcmd).toContainEqual(expect.arrayContaining(["fetch-config", "file:/etc/web-infra/cloudwatch-agent.json"]));
        }
    });

    it("carries no secret input", () => {
        for (const t of resourcesOf(TEMPLATE)) expect(t.secretPaths).toEqual([]);
    });
});

describe("nginx log group", () => {
    it("is created by the fleet, with 30 days' retention by default and the configured retention otherwise", () => {
        expect(resourceNamed(LOG_GROUP, "web-nginx-logs").inputs).toMatchObject({ retentionInDays: 30, tags: { Name: "web-nginx-logs" } });
        expect(resourceNamed(LOG_GROUP, "big-nginx-logs").inputs).toMatchObject({ retentionInDays: 90, tags: { Team: "web", Name: "big-nginx-logs" } });
        expect(resourceNamed(LOG_GROUP, "web-nginx-logs").parentUrn).toBe(resourceNamed(COMPONENT, "web").urn);
    });

    it("is exported, and the servers wait for it (their user data names it)", async () => {
        const group = resourceNamed(LOG_GROUP, "web-nginx-logs");
        expect(await awaitOutput(fleets.web.nginxLogGroupName)).toBe(group.state.name);
        expect(templateOf("web").propertyDependencies.userData).toContain(group.urn);
    });

    it("the role may write to it: CloudWatchAgentServerPolicy (logs:CreateLogStream, PutLogEvents on any group)", () => {
        expect(of(ATTACHMENT, "web").map((a) => a.inputs.policyArn)).toContain("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy");
    });
});

describe("outputs", () => {
    it("exposes the group, template, SG, role, profile and port other components need", async () => {
        expect(await awaitOutput(fleets.big.autoScalingGroupName)).toBe(groupOf("big").state.name);
        expect(await awaitOutput(fleets.big.launchTemplateId)).toBe(templateOf("big").id);
        expect(await awaitOutput(fleets.big.securityGroupId)).toBe(sgOf("big").id);
        expect(await awaitOutput(fleets.big.roleName)).toBe(resourceNamed(ROLE, "big-role").state.name);
        expect(await awaitOutput(fleets.big.instanceProfileName)).toBe(resourceNamed(PROFILE, "big-instance-profile").state.name);
        expect(fleets.big.appPort).toBe(8080);
    });
});

describe("validation, before anything is registered", () => {
    const args = () => ({ vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"], targetGroupArns: [TG_ARN] });

    it.each([
        ["a single server", { minSize: 1 }, "WebServers bad: `minSize` must be a whole number ≥ 2 for active-active (got 1)"],
        ["a maximum below the minimum", { minSize: 4, maxSize: 3 }, "WebServers bad: `maxSize` must be a whole number ≥ `minSize` (4) (got 3)"],
        ["a CPU target above 90 %", { scaling: { cpuPercent: 95 } }, "WebServers bad: `scaling.cpuPercent` must be a whole number from 10 to 90 (got 95)"],
        ["standbys in active-active", { warmStandbyCount: 1 }, "WebServers bad: `warmStandbyCount` applies to active-passive only: in active-active every server serves"],
        ["a minimum in active-passive", { mode: "active-passive" as const, minSize: 2 }, "WebServers bad: `minSize` applies to active-active only: active-passive keeps one server in service and `warmStandbyCount` standbys"],
        ["no standby", { mode: "active-passive" as const, warmStandbyCount: 0 }, "WebServers bad: `warmStandbyCount` must be a whole number from 1 to 10 for active-passive (got 0)"],
        ["one zone", { subnetIds: ["subnet-a"] }, "WebServers bad: `subnetIds` must name private subnets in at least 2 zones (got 1): one zone is a single point of failure"],
        ["a bad instance type", { instanceType: "huge" }, 'WebServers bad: `instanceType` must be an EC2 instance type such as t4g.micro or m7i.large (got "huge")'],
        ["credits on a non-burstable type", { instanceType: "m7g.large", cpuCredits: "standard" as const }, "WebServers bad: `cpuCredits` applies only to burstable (T-family) instance types (got m7g.large)"],
        ["a tiny root volume", { rootVolumeSizeGiB: 4 }, "WebServers bad: `rootVolumeSizeGiB` must be a whole number from 8 to 16384 (got 4): the Amazon Linux 2023 AMI needs 8"],
        ["the SSH port", { appPort: 22 }, "WebServers bad: `appPort` must not be 22: remote-administration ports are never opened (shell access is SSM Session Manager)"],
        ["the RDP port", { appPort: 3389 }, "WebServers bad: `appPort` must not be 3389: remote-administration ports are never opened (shell access is SSM Session Manager)"],
        ["port 0", { appPort: 0 }, "WebServers bad: `appPort` must be a whole number from 1 to 65535 (got 0)"],
        ["an AMI name instead of an id", { amiId: "al2023-ami-2023.6" }, 'WebServers bad: `amiId` must be an AMI id such as ami-0123456789abcdef0 (got "al2023-ami-2023.6")'],
        ["a log retention CloudWatch does not offer", { logRetentionDays: 31 }, "WebServers bad: `logRetentionDays` must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 31)"],
    ])("rejects %s", async (_label, override, message) => {
        expect(() => new web.WebServers("bad", { ...args(), ...override })).toThrow(message);
        await settle();
        expect(resourcesOf(COMPONENT, "bad")).toEqual([]);
        expect(resourcesOf(SG, /^bad-/)).toEqual([]);
    });
});
