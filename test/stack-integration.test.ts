// The tiers wired together by infra/main.ts: what one component hands the next.
import { RecordedResource, allInvokes, allResources, resourceNamed, resourcesOf, runStack } from "./mocks";

const INSTANCE = "aws:ec2/instance:Instance";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const RDS = "aws:rds/instance:Instance";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const ATTACH = "aws:lb/targetGroupAttachment:TargetGroupAttachment";
const TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const GROUP = "aws:autoscaling/group:Group";
/** The fleet's one security group, as its launch template names it. */
const webSgOf = () => resourcesOf(TEMPLATE)[0].inputs.networkInterfaces[0].securityGroups[0];
const userDataOf = (t: RecordedResource) => Buffer.from(t.inputs.userData, "base64").toString("utf8");

describe("dev stack: web tier ↔ database", () => {
    let outputs: Record<string, any>;
    let password: string;
    beforeAll(async () => {
        ({ outputs } = await runStack("dev"));
        password = resourcesOf("random:index/randomPassword:RandomPassword")[0].state.result;
    });

    it("the database SG admits 3306 only from the web SG, and the web SG may reach it on 3306 only", () => {
        const dbSg = outputs.dbSecurityGroupId;
        const webSg = webSgOf();
        const dbIngress = resourcesOf(INGRESS).filter((r) => r.inputs.securityGroupId === dbSg);
        expect(dbIngress.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4, r.inputs.cidrIpv6])).toEqual([
            [webSg, 3306, 3306, undefined, undefined],
        ]);
        const webToDb = resourcesOf(EGRESS).filter((r) => r.inputs.securityGroupId === webSg && r.inputs.referencedSecurityGroupId === dbSg);
        expect(webToDb.map((r) => [r.inputs.fromPort, r.inputs.toPort])).toEqual([[3306, 3306]]);
    });

    it("servers get the writer and reader names and the secret's ARN in their user data, never the password", () => {
        expect(resourcesOf(TEMPLATE)).toHaveLength(1);
        for (const template of resourcesOf(TEMPLATE)) {
            const userData = userDataOf(template);
            expect(userData).toContain(outputs.dbWriterEndpoint);
            expect(userData).toContain(outputs.dbReaderEndpoint);
            expect(userData).toContain(outputs.dbSecretArn);
            expect(userData).not.toContain(password);
        }
        expect(outputs.dbWriterEndpoint).toMatch(/^writer\./);
        expect(outputs.dbReaderEndpoint).toMatch(/^reader\./);
    });

    it("the servers' role may read exactly the database secret", () => {
        const policies = resourcesOf("aws:iam/rolePolicy:RolePolicy").filter((p) => JSON.stringify(p.inputs.policy).includes("secretsmanager"));
        expect(policies).toHaveLength(1);
        const webRole = resourcesOf("aws:iam/role:Role").find((r) => r.state.name === policies[0].inputs.role || r.id === policies[0].inputs.role)!;
        expect(webRole.name).toMatch(/^web-/);
        const statements = JSON.parse(policies[0].inputs.policy).Statement;
        expect(statements.map((s: { Resource: unknown }) => s.Resource)).toEqual([outputs.dbSecretArn]);
    });

    it("the generated password appears in no resource input except as a secret", () => {
        expect(password.length).toBeGreaterThanOrEqual(32);
        const leaks = allResources().flatMap((r) => {
            const plain = JSON.parse(JSON.stringify(r.inputs));
            for (const path of r.secretPaths) {
                const keys = path.split(".");
                const last = keys.pop()!;
                const holder = keys.reduce((o: any, k) => o?.[k], plain);
                if (holder) delete holder[last];
            }
            return JSON.stringify(plain).includes(password) ? [r.name] : [];
        });
        expect(leaks).toEqual([]);
    });

    it("exports the writer and reader names, every instance endpoint and the secret ARN", () => {
        const primary = resourcesOf(RDS).find((r) => !r.inputs.replicateSourceDb)!;
        expect(outputs.dbWriterIdentifier).toBe(primary.state.identifier);
        expect(outputs.dbReplicaIdentifiers).toEqual(resourcesOf(RDS).filter((r) => r.inputs.replicateSourceDb).map((r) => r.state.identifier));
        expect(Object.values(outputs.dbInstanceEndpoints).sort()).toEqual(resourcesOf(RDS).map((r) => r.state.endpoint).sort());
        expect(outputs.dbSecretArn).toBe(resourcesOf("aws:secretsmanager/secret:Secret")[0].state.arn);
    });

    it("monitoring watches the resources the stack built: the load balancer, and the fleet by its group's name", () => {
        const lb = resourcesOf("aws:lb/loadBalancer:LoadBalancer")[0];
        const lbAlarms = resourcesOf(ALARM).filter((a) => a.inputs.namespace === "AWS/ApplicationELB");
        expect(lbAlarms.length).toBeGreaterThanOrEqual(7);
        for (const a of lbAlarms) expect(a.inputs.dimensions.LoadBalancer).toBe(lb.state.arnSuffix);
        const group = resourceNamed(GROUP, "web-asg");
        const fleetAlarms = resourcesOf(ALARM).filter((a) => a.inputs.dimensions?.AutoScalingGroupName !== undefined);
        expect(fleetAlarms.map((a) => [a.name, a.inputs.dimensions.AutoScalingGroupName])).toEqual([
            ["monitoring-web-in-service-below-min", group.state.name],
            ["monitoring-web-cpu", group.state.name],
            ["monitoring-web-disk", group.state.name],
            ["monitoring-web-memory", group.state.name],
        ]);
        expect(resourcesOf(ALARM).filter((a) => (a.inputs.alarmActions ?? []).some((x: string) => x.includes(":automate:")))).toEqual([]);
        const redundancy = lbAlarms.filter((a) => a.inputs.metricName === "HealthyHostCount" && a.inputs.threshold === 2);
        expect(redundancy).toHaveLength(1);
        expect(outputs.dashboardUrl).toBe(`https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=${resourcesOf("aws:cloudwatch/dashboard:Dashboard")[0].inputs.dashboardName}`);
        expect(outputs.alertTopicArn).toBe(resourceNamed("aws:sns/topic:Topic", "monitoring-alerts").state.arn);
    });

    it("active-active: the group registers every server it runs; no warm pool, no function of ours", () => {
        expect(resourcesOf(ATTACH)).toEqual([]);
        expect(resourcesOf(INSTANCE)).toEqual([]);
        expect(resourceNamed(GROUP, "web-asg").inputs.targetGroupArns).toEqual([outputs.targetGroupArn]);
        expect(resourceNamed(GROUP, "web-asg").inputs).not.toHaveProperty("warmPool");
        expect(resourcesOf("aws:lambda/function:Function")).toEqual([]);
        expect(outputs.webWarmStandbyCount).toBe(0);
    });
});

describe("dev stack, active-passive", () => {
    let outputs: Record<string, any>;
    beforeAll(async () => {
        ({ outputs } = await runStack("dev", { webServerMode: "active-passive" }));
    });

    it("one server in service in the target group, one Standby server (deregistered by AWS), over both zones; no warm pool", () => {
        const group = resourceNamed(GROUP, "web-asg");
        expect([group.inputs.minSize, group.inputs.desiredCapacity, group.inputs.maxSize]).toEqual([1, 2, 4]);
        expect(group.ignoreChanges).toEqual(["desiredCapacity"]);
        expect(group.inputs).not.toHaveProperty("warmPool");
        expect(group.inputs.targetGroupArns).toEqual([outputs.targetGroupArn]);
        expect(new Set(group.state.availabilityZones)).toEqual(new Set(["us-east-1a", "us-east-1b"]));
        expect(resourcesOf(ATTACH)).toEqual([]);
        expect([outputs.webServerMinCount, outputs.webWarmStandbyCount]).toEqual([1, 1]);
    });

    it("our failover function moves the standby in service, reading this target group; no scaling policy; a person is told of failovers and missing standbys", () => {
        const fn = resourceNamed("aws:lambda/function:Function", "web-failover");
        expect(fn.inputs.environment.variables).toMatchObject({ GROUP_NAME: resourceNamed(GROUP, "web-asg").state.name, TARGET_GROUP_ARN: outputs.targetGroupArn, STANDBY_COUNT: "1" });
        expect(resourcesOf("aws:autoscaling/policy:Policy")).toEqual([]);
        expect(resourceNamed(ALARM, "monitoring-lb-no-healthy-hosts").inputs.alarmActions).toEqual([outputs.alertTopicArn]);
        expect(resourceNamed(ALARM, "monitoring-web-in-service-below-min").inputs.threshold).toBe(1);
        for (const role of ["web-failover-errors", "web-standby-missing", "web-failover"]) {
            const a = resourceNamed(ALARM, `monitoring-${role}`);
            expect(a.inputs.alarmActions).toEqual([outputs.alertTopicArn]);
            expect(a.inputs.alarmDescription).toContain("Runbook: docs/runbooks/web-failover.md");
        }
        expect(resourceNamed(ALARM, "monitoring-web-failover-errors").inputs.dimensions).toEqual({ FunctionName: fn.state.name });
        expect(resourceNamed(ALARM, "monitoring-web-standby-missing").inputs).toMatchObject({
            namespace: "web-infra/WebFailover",
            metricName: "StandbysMissing",
            dimensions: { AutoScalingGroupName: resourceNamed(GROUP, "web-asg").state.name },
        });
    });

    it("with one active host there is no redundancy alarm, only the outage one; the web SG still admits only the LB", () => {
        const hostAlarms = resourcesOf(ALARM).filter((a) => a.inputs.metricName === "HealthyHostCount");
        expect(hostAlarms.map((a) => [a.inputs.comparisonOperator, a.inputs.threshold])).toEqual([["LessThanThreshold", 1]]);
        const webSg = webSgOf();
        const lbSg = resourcesOf("aws:lb/loadBalancer:LoadBalancer")[0].inputs.securityGroups[0];
        expect(resourcesOf(INGRESS).filter((r) => r.inputs.securityGroupId === webSg).map((r) => r.inputs.referencedSecurityGroupId)).toEqual([lbSg]);
    });
});

describe("promotion through config", () => {
    it("dbPromoteReplica=replica-1 drops replicateSourceDb from that replica and moves writer to it", async () => {
        const { outputs } = await runStack("dev", { dbPromoteReplica: "replica-1" });
        const promoted = resourcesOf(RDS).find((r) => r.state.identifier === outputs.dbWriterIdentifier)!;
        expect(promoted.name).toMatch(/replica-1/);
        expect(promoted.inputs).not.toHaveProperty("replicateSourceDb");
        const writer = resourcesOf("aws:route53/record:Record").find((r) => r.inputs.name === outputs.dbWriterEndpoint)!;
        expect(writer.inputs.records).toEqual([promoted.state.address]);
    });
});

// One run for two independent settings (the launch template's AMI, the RDS log groups): each run of
// the program costs ~0.4 s of CPU.
const PINNED_AMI_LONG_LOGS = { webAmiId: "ami-0123456789abcdef0", dbLogRetentionDays: "90" };

describe("pinned AMI", () => {
    it("webAmiId pins the launch template's AMI and skips the SSM look-up", async () => {
        await runStack("dev", PINNED_AMI_LONG_LOGS);
        expect(resourcesOf(TEMPLATE).map((t) => t.inputs.imageId)).toEqual(["ami-0123456789abcdef0"]);
        expect(allInvokes().filter((i) => i.token === "aws:ssm/getParameter:getParameter")).toEqual([]);
    });
});

describe("RDS log groups", () => {
    it("the stack declares each instance's error and slow-query log groups with the configured retention", async () => {
        await runStack("dev", PINNED_AMI_LONG_LOGS);
        const instances = resourcesOf(RDS);
        expect(instances).toHaveLength(2);
        const groups = resourcesOf("aws:cloudwatch/logGroup:LogGroup").filter((g) => String(g.inputs.name).startsWith("/aws/rds/instance/"));
        expect(groups.map((g) => g.inputs.name).sort()).toEqual(
            instances.flatMap((i) => ["error", "slowquery"].map((log) => `/aws/rds/instance/${i.state.identifier}/${log}`)).sort(),
        );
        for (const g of groups) expect(g.inputs.retentionInDays).toBe(90);
    });
});

describe("protection follows deletionProtection", () => {
    it.each([
        ["dev", false],
        ["prod", true],
    ])("%s: the access-log bucket is protected = %s, like the writer", async (stack, expected) => {
        await runStack(stack);
        expect(resourcesOf("aws:s3/bucket:Bucket").map((b) => b.protect)).toEqual([expected]);
        // The writer: dev's primary instance, prod's Multi-AZ DB cluster.
        const writer = [...resourcesOf(RDS).filter((r) => !r.inputs.replicateSourceDb), ...resourcesOf("aws:rds/cluster:Cluster")];
        expect(writer.map((w) => [w.protect, w.inputs.deletionProtection])).toEqual([[expected, expected]]);
    });
});
