import type * as awsTypes from "@pulumi/aws";
import { parseConfig } from "../infra/config";
import { RecordedResource, allResources, awaitOutput, descendantsOf, resourceNamed, resourcesOf, settle, setupMocks } from "./mocks";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";
const KEY = "aws:kms/key:Key";
const SUB = "aws:sns/topicSubscription:TopicSubscription";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";
const EVENTS = "aws:rds/eventSubscription:EventSubscription";
const COMPONENT = "web-infra:monitoring:Monitoring";

type MonitoringModule = typeof import("../components/monitoring");
let aws: typeof awsTypes;
let mod: MonitoringModule;

/** Resources of a type that belong to the component named `prefix`. */
const of = (type: string, prefix: string) => resourcesOf(type, new RegExp(`^${prefix}-`));
const alarm = (prefix: string, role: string) => resourceNamed(ALARM, `${prefix}-${role}`);

/** Real resources to watch, declared directly (the monitoring takes their outputs, not the components). */
function watchedStack(prefix: string, servers: number, replicas: number) {
    const lb = new aws.lb.LoadBalancer(`${prefix}-lb`, { loadBalancerType: "application", internal: false, subnets: ["subnet-0a", "subnet-0b"] });
    const tg = new aws.lb.TargetGroup(`${prefix}-tg`, { port: 80, protocol: "HTTP", targetType: "instance", vpcId: "vpc-0123" });
    const instances = Array.from({ length: servers }, (_, i) => new aws.ec2.Instance(`${prefix}-web-${i + 1}`, { ami: "ami-0abc", instanceType: "t4g.micro" }));
    const primary = new aws.rds.Instance(`${prefix}-db-primary`, {
        engine: "mysql",
        instanceClass: "db.t4g.micro",
        allocatedStorage: 20,
        username: "dbadmin",
        password: "not-a-real-password",
        backupRetentionPeriod: 7,
        skipFinalSnapshot: true,
    });
    const replicaDbs = Array.from(
        { length: replicas },
        (_, i) => new aws.rds.Instance(`${prefix}-db-replica-${i + 1}`, { replicateSourceDb: primary.identifier, instanceClass: "db.t4g.micro", skipFinalSnapshot: true }),
    );
    const acl = new aws.wafv2.WebAcl(`${prefix}-acl`, {
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: `${prefix}-acl`, sampledRequestsEnabled: true },
    });
    return { lb, tg, instances, primary, replicaDbs, acl };
}

type Watched = ReturnType<typeof watchedStack>;

function monitoringArgs(region: string, w: Watched, extra: Partial<import("../components/monitoring").MonitoringArgs> = {}): import("../components/monitoring").MonitoringArgs {
    return {
        region,
        loadBalancer: { arnSuffix: w.lb.arnSuffix, targetGroupArnSuffix: w.tg.arnSuffix, expectedHealthyHosts: w.instances.length },
        webServers: w.instances.map((inst, i) => ({ name: `web-${i + 1}`, instanceId: inst.id })),
        database: { primaryIdentifier: w.primary.identifier, replicas: w.replicaDbs.map((r, i) => ({ name: `replica-${i + 1}`, identifier: r.identifier })) },
        ...extra,
    };
}

/** The recorded resource a watched resource became. */
const recorded = (type: string, name: string): RecordedResource => resourceNamed(type, name);

// ================================================================================================
describe("a stack in eu-west-1 (health check alarm and its topic in us-east-1)", () => {
    let mon: InstanceType<MonitoringModule["Monitoring"]>;
    let mon3: InstanceType<MonitoringModule["Monitoring"]>;

    beforeAll(async () => {
        await setupMocks({ config: { "aws:region": "eu-west-1" } });
        aws = await import("@pulumi/aws");
        mod = await import("../components/monitoring");
        const w = watchedStack("two", 2, 2);
        const base = monitoringArgs("eu-west-1", w);
        mon = new mod.Monitoring(
            "mon",
            monitoringArgs("eu-west-1", w, {
                alertEmail: "oncall@example.com",
                // 5 GiB free is 2.5 % of 200 GiB: below where autoscaling adds storage.
                database: { ...base.database!, allocatedStorageGiB: 200, maxAllocatedStorageGiB: 1000 },
                // The ACL's metric name, which here differs from its (auto-generated) name: the metric
                // name wins when both are given.
                waf: { webAclMetricName: w.acl.visibilityConfig.metricName, webAclName: w.acl.name },
                healthCheck: { domain: "www.example.com" },
                thresholds: { http5xxPerMinute: 25, p99LatencyMs: 800, dbFreeStorageGiB: 5 },
                tags: { Component: "monitoring" },
            }),
        );
        const w3 = watchedStack("three", 3, 0);
        // As the stack passes it: cfg.monitoring, which also holds alertEmail (not a threshold).
        const cfg = parseConfig({ owner: "sre", costCenter: "cc-1", alertEmail: "cfg@example.com", alarmDbConnections: "120" }, "test");
        mon3 = new mod.Monitoring("mon3", monitoringArgs("eu-west-1", w3, { thresholds: cfg.monitoring }));
        await awaitOutput(mon.dashboardUrl);
        await awaitOutput(mon3.dashboardUrl);
        await settle();
    });

    describe("every alarm watches the resource it is about (dimensions read back from that resource)", () => {
        it("load balancer alarms: AWS/ApplicationELB, the LB's and the target group's recorded arnSuffix", () => {
            const lb = recorded("aws:lb/loadBalancer:LoadBalancer", "two-lb");
            const tg = recorded("aws:lb/targetGroup:TargetGroup", "two-tg");
            expect(lb.state.arnSuffix).toMatch(/^app\/two-lb-[0-9a-f]{7}\/[0-9a-f]{16}$/);
            const tgDims = { TargetGroup: tg.state.arnSuffix, LoadBalancer: lb.state.arnSuffix };
            const expected: [string, string, Record<string, string>][] = [
                ["lb-unhealthy-hosts", "UnHealthyHostCount", tgDims],
                ["lb-redundancy-lost", "HealthyHostCount", tgDims],
                ["lb-no-healthy-hosts", "HealthyHostCount", tgDims],
                ["lb-elb-5xx", "HTTPCode_ELB_5XX_Count", { LoadBalancer: lb.state.arnSuffix }],
                ["lb-target-5xx", "HTTPCode_Target_5XX_Count", tgDims],
                ["lb-p99-latency", "TargetResponseTime", tgDims],
                ["lb-rejected-connections", "RejectedConnectionCount", { LoadBalancer: lb.state.arnSuffix }],
            ];
            for (const [role, metricName, dimensions] of expected) {
                expect(alarm("mon", role).inputs).toMatchObject({ namespace: "AWS/ApplicationELB", metricName });
                expect(alarm("mon", role).inputs.dimensions).toEqual(dimensions);
            }
        });

        it("web server alarms: AWS/EC2, each server's recorded instance id", () => {
            for (const i of [1, 2]) {
                const instance = recorded("aws:ec2/instance:Instance", `two-web-${i}`);
                expect(instance.id).toMatch(/^i-[0-9a-f]{17}$/);
                for (const [role, metricName] of [
                    ["system-check", "StatusCheckFailed_System"],
                    ["instance-check", "StatusCheckFailed_Instance"],
                    ["cpu", "CPUUtilization"],
                ]) {
                    const a = alarm("mon", `web-${i}-${role}`).inputs;
                    expect(a).toMatchObject({ namespace: "AWS/EC2", metricName });
                    expect(a.dimensions).toEqual({ InstanceId: instance.id });
                }
            }
        });

        it("database alarms: AWS/RDS, the recorded RDS identifier of the primary and of each replica (not the resource id)", () => {
            const primary = recorded("aws:rds/instance:Instance", "two-db-primary");
            expect(primary.state.identifier).not.toBe(primary.id);
            for (const [role, metricName] of [
                ["db-primary-liveness", "CPUUtilization"],
                ["db-primary-cpu", "CPUUtilization"],
                ["db-primary-free-storage", "FreeStorageSpace"],
                ["db-primary-freeable-memory", "FreeableMemory"],
                ["db-primary-connections", "DatabaseConnections"],
            ]) {
                expect(alarm("mon", role).inputs).toMatchObject({ namespace: "AWS/RDS", metricName, dimensions: { DBInstanceIdentifier: primary.state.identifier } });
            }
            for (const i of [1, 2]) {
                const replica = recorded("aws:rds/instance:Instance", `two-db-replica-${i}`);
                for (const [role, metricName] of [
                    ["liveness", "CPUUtilization"],
                    ["lag", "ReplicaLag"],
                    ["replication-stopped", "ReplicaLag"],
                    ["cpu", "CPUUtilization"],
                ]) {
                    expect(alarm("mon", `replica-${i}-${role}`).inputs).toMatchObject({ namespace: "AWS/RDS", metricName, dimensions: { DBInstanceIdentifier: replica.state.identifier } });
                }
            }
        });

        it("the WAF alarm: AWS/WAFV2 BlockedRequests of the recorded web ACL's metric name (not its name), its region, Rule ALL", () => {
            const acl = recorded("aws:wafv2/webAcl:WebAcl", "two-acl");
            expect(acl.inputs.visibilityConfig.metricName).not.toBe(acl.state.name);
            expect(alarm("mon", "waf-blocked-requests").inputs).toMatchObject({
                namespace: "AWS/WAFV2",
                metricName: "BlockedRequests",
                dimensions: { WebACL: acl.inputs.visibilityConfig.metricName, Region: "eu-west-1", Rule: "ALL" },
            });
        });

        it("each DB instance has a liveness alarm that counts silence as a failure, and only those DB alarms do", () => {
            const ids = [recorded("aws:rds/instance:Instance", "two-db-primary"), ...[1, 2].map((i) => recorded("aws:rds/instance:Instance", `two-db-replica-${i}`))].map(
                (r) => r.state.identifier,
            );
            const rdsBreaching = of(ALARM, "mon").filter((a) => a.inputs.namespace === "AWS/RDS" && a.inputs.treatMissingData === "breaching");
            expect(rdsBreaching.map((a) => [a.name, a.inputs.dimensions.DBInstanceIdentifier])).toEqual([
                ["mon-db-primary-liveness", ids[0]],
                ["mon-replica-1-liveness", ids[1]],
                ["mon-replica-2-liveness", ids[2]],
            ]);
            for (const a of rdsBreaching) {
                expect(a.inputs).toMatchObject({ metricName: "CPUUtilization", statistic: "SampleCount", period: 60, evaluationPeriods: 3, comparisonOperator: "LessThanThreshold", threshold: 1 });
            }
        });

        it("the health-check alarm: AWS/Route53 HealthCheckStatus of the recorded health check", () => {
            const hc = resourceNamed(HEALTH_CHECK, "mon-health-check");
            expect(alarm("mon", "health-check").inputs).toMatchObject({ namespace: "AWS/Route53", metricName: "HealthCheckStatus", dimensions: { HealthCheckId: hc.id } });
        });

        it("there are exactly these alarms: 7 LB + 3 per server + 5 primary + 4 per replica + WAF + health check", () => {
            expect(of(ALARM, "mon")).toHaveLength(7 + 3 * 2 + 5 + 4 * 2 + 1 + 1);
            expect(mon.alarms).toHaveLength(28);
            expect(of(ALARM, "mon3")).toHaveLength(7 + 3 * 3 + 5);
        });
    });

    describe("alarms reach a person", () => {
        it("every alarm sends ALARM and OK to the topic of its region", () => {
            const topic = resourceNamed(TOPIC, "mon-alerts");
            const usEast1 = resourceNamed(TOPIC, "mon-alerts-us-east-1");
            for (const a of of(ALARM, "mon")) {
                const expected = a.name === "mon-health-check" ? usEast1.id : topic.id;
                expect(a.inputs.alarmActions).toContain(expected);
                expect(a.inputs.okActions).toEqual([expected]);
                expect(a.inputs.actionsEnabled).toBe(true);
            }
            const topic3 = resourceNamed(TOPIC, "mon3-alerts");
            for (const a of of(ALARM, "mon3")) expect(a.inputs.okActions).toEqual([topic3.id]);
        });

        it("every alarm chooses what missing data means and says what broke, what to do first, and where the dashboard is", async () => {
            const url = await awaitOutput(mon.dashboardUrl);
            for (const a of [...of(ALARM, "mon"), ...of(ALARM, "mon3")]) {
                expect(["missing", "breaching", "notBreaching"]).toContain(a.inputs.treatMissingData);
                expect(a.inputs.alarmDescription).toMatch(/FIRST: /);
                expect(a.inputs.alarmDescription.length).toBeLessThanOrEqual(1024);
            }
            for (const a of of(ALARM, "mon")) expect(a.inputs.alarmDescription).toContain(`Dashboard: ${url}`);
        });

        it("the topic is encrypted with a rotating customer-managed key that lets CloudWatch use it (alias/aws/sns would not)", () => {
            for (const [topicName, keyName] of [
                ["mon-alerts", "mon-alerts-key"],
                ["mon-alerts-us-east-1", "mon-alerts-us-east-1-key"],
            ]) {
                const key = resourceNamed(KEY, keyName);
                expect(resourceNamed(TOPIC, topicName).inputs.kmsMasterKeyId).toBe(key.state.arn);
                expect(key.inputs.enableKeyRotation).toBe(true);
                const statements = JSON.parse(key.inputs.policy).Statement;
                expect(statements).toContainEqual(
                    expect.objectContaining({ Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"] }),
                );
                expect(statements).toContainEqual(expect.objectContaining({ Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*" }));
            }
        });

        it("the topic policy lets only this account's alarms in the topic's region publish, over TLS", () => {
            const topic = resourceNamed(TOPIC, "mon-alerts");
            const policy = resourceNamed(TOPIC_POLICY, "mon-alerts-policy");
            expect(policy.inputs.arn).toBe(topic.id);
            const statements = JSON.parse(policy.inputs.policy).Statement;
            expect(statements).toContainEqual({
                Sid: "CloudWatchAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topic.id,
                Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*" } },
            });
            expect(statements).toContainEqual(expect.objectContaining({ Effect: "Deny", Action: "sns:Publish", Condition: { Bool: { "aws:SecureTransport": "false" } } }));
            const east = JSON.parse(resourceNamed(TOPIC_POLICY, "mon-alerts-us-east-1-policy").inputs.policy).Statement;
            expect(east.find((s: any) => s.Sid === "CloudWatchAlarmsPublish").Condition.ArnLike["aws:SourceArn"]).toBe("arn:aws:cloudwatch:us-east-1:123456789012:alarm:*");
        });

        it("alertEmail subscribes the address to each topic; without it there is no subscription", () => {
            const subs = of(SUB, "mon");
            expect(subs.map((s) => [s.name, s.inputs.topic, s.inputs.protocol, s.inputs.endpoint])).toEqual([
                ["mon-alerts-email", resourceNamed(TOPIC, "mon-alerts").id, "email", "oncall@example.com"],
                ["mon-alerts-us-east-1-email", resourceNamed(TOPIC, "mon-alerts-us-east-1").id, "email", "oncall@example.com"],
            ]);
            expect(of(SUB, "mon3")).toEqual([]);
            expect(of(TOPIC, "mon3")).toHaveLength(1);
        });
    });

    describe("RDS events reach the same person", () => {
        it("one subscription of the stack's topic to every DB instance given, by recorded RDS identifier, in the failure categories", () => {
            const sub = resourceNamed(EVENTS, "mon-db-events");
            const ids = ["two-db-primary", "two-db-replica-1", "two-db-replica-2"].map((n) => recorded("aws:rds/instance:Instance", n).state.identifier);
            expect(sub.inputs).toMatchObject({ snsTopic: resourceNamed(TOPIC, "mon-alerts").id, sourceType: "db-instance", sourceIds: ids, enabled: true });
            expect([...sub.inputs.eventCategories].sort()).toEqual(
                ["availability", "deletion", "failover", "failure", "low storage", "maintenance", "notification", "read replica", "recovery"].sort(),
            );
            expect(sub.inputs).not.toHaveProperty("region");
            expect(of(EVENTS, "mon")).toHaveLength(1);
            expect(of(EVENTS, "mon3")).toHaveLength(1);
            expect(resourceNamed(EVENTS, "mon3-db-events").inputs.sourceIds).toEqual([recorded("aws:rds/instance:Instance", "three-db-primary").state.identifier]);
        });

        it("is created after the topic policy and key that let RDS publish (events before that would be lost), and is exposed", async () => {
            const sub = resourceNamed(EVENTS, "mon-db-events");
            expect(sub.dependencies).toEqual(expect.arrayContaining([resourceNamed(TOPIC_POLICY, "mon-alerts-policy").urn, resourceNamed(KEY, "mon-alerts-key").urn]));
            expect(await awaitOutput(mon.dbEventSubscription!.arn)).toBe(sub.state.arn);
        });

        it("the stack topic's key lets RDS event notifications use it; the us-east-1 key (no RDS there) does not", () => {
            const statements = JSON.parse(resourceNamed(KEY, "mon-alerts-key").inputs.policy).Statement;
            expect(statements).toContainEqual({
                Sid: "RdsEventsPublishToEncryptedTopic",
                Effect: "Allow",
                Principal: { Service: "events.rds.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
            });
            expect(resourceNamed(KEY, "mon-alerts-us-east-1-key").inputs.policy).not.toContain("events.rds.amazonaws.com");
        });

        it("the stack topic's policy lets RDS publish events of this account's instances in this region only", () => {
            const topic = resourceNamed(TOPIC, "mon-alerts");
            const statements = JSON.parse(resourceNamed(TOPIC_POLICY, "mon-alerts-policy").inputs.policy).Statement;
            expect(statements).toContainEqual({
                Sid: "RdsEventsPublish",
                Effect: "Allow",
                Principal: { Service: "events.rds.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topic.id,
                Condition: {
                    StringEquals: { "aws:SourceAccount": "123456789012" },
                    ArnLike: { "aws:SourceArn": ["arn:aws:rds:eu-west-1:123456789012:db:*", "arn:aws:rds:eu-west-1:123456789012:es:*"] },
                },
            });
            // The subscription's own ARN falls under the condition.
            const sub = resourceNamed(EVENTS, "mon-db-events");
            expect(sub.state.arn).toMatch(/^arn:aws:rds:eu-west-1:123456789012:es:/);
            expect(resourceNamed(TOPIC_POLICY, "mon-alerts-us-east-1-policy").inputs.policy).not.toContain("events.rds.amazonaws.com");
        });
    });

    describe("redundancy, recovery, thresholds", () => {
        it("the redundancy alarm's threshold follows the server count (2 and 3)", () => {
            expect(alarm("mon", "lb-redundancy-lost").inputs).toMatchObject({ metricName: "HealthyHostCount", comparisonOperator: "LessThanThreshold", threshold: 2 });
            expect(alarm("mon3", "lb-redundancy-lost").inputs).toMatchObject({ metricName: "HealthyHostCount", comparisonOperator: "LessThanThreshold", threshold: 3 });
        });

        it("each server recovers in its region when its system check fails, and reboots when its instance check fails", () => {
            for (const [prefix, count] of [
                ["mon", 2],
                ["mon3", 3],
            ] as const) {
                const t = resourceNamed(TOPIC, `${prefix}-alerts`).id;
                for (let i = 1; i <= count; i++) {
                    expect(alarm(prefix, `web-${i}-system-check`).inputs.alarmActions).toEqual(["arn:aws:automate:eu-west-1:ec2:recover", t]);
                    expect(alarm(prefix, `web-${i}-instance-check`).inputs.alarmActions).toEqual(["arn:aws:automate:eu-west-1:ec2:reboot", t]);
                }
            }
            const ec2Actions = of(ALARM, "mon").filter((a) => a.inputs.alarmActions.some((x: string) => x.includes(":automate:")));
            expect(ec2Actions.map((a) => a.name).sort()).toEqual(["mon-web-1-instance-check", "mon-web-1-system-check", "mon-web-2-instance-check", "mon-web-2-system-check"]);
        });

        it("thresholds come from the args (units converted) or the defaults", () => {
            expect(alarm("mon", "lb-elb-5xx").inputs.threshold).toBe(25);
            expect(alarm("mon", "lb-target-5xx").inputs.threshold).toBe(25);
            expect(alarm("mon", "lb-p99-latency").inputs).toMatchObject({ extendedStatistic: "p99", threshold: 0.8 });
            expect(alarm("mon", "lb-p99-latency").inputs).not.toHaveProperty("statistic");
            expect(alarm("mon", "db-primary-free-storage").inputs.threshold).toBe(5 * 1024 ** 3);
            expect(alarm("mon", "db-primary-free-storage").inputs.alarmDescription).toContain("1000 GiB limit (dbMaxAllocatedStorageGiB)");
            expect(alarm("mon3", "lb-elb-5xx").inputs.threshold).toBe(10);
            expect(alarm("mon3", "web-1-cpu").inputs.threshold).toBe(80);
            expect(alarm("mon3", "db-primary-connections").inputs.threshold).toBe(120);
        });
    });

    describe("the external health check, from us-east-1", () => {
        it("checks https://<domain>/health from Route 53's checkers outside the VPC", () => {
            expect(resourceNamed(HEALTH_CHECK, "mon-health-check").inputs).toMatchObject({
                type: "HTTPS",
                fqdn: "www.example.com",
                port: 443,
                resourcePath: "/health",
                enableSni: true,
                requestInterval: 30,
                failureThreshold: 3,
                measureLatency: true,
            });
            expect(of(HEALTH_CHECK, "mon3")).toEqual([]);
        });

        it("its alarm, topic, key, policy and subscription are in us-east-1; everything else in the provider's region", async () => {
            expect(alarm("mon", "health-check").inputs.region).toBe("us-east-1");
            for (const [type, name] of [
                [TOPIC, "mon-alerts-us-east-1"],
                [KEY, "mon-alerts-us-east-1-key"],
                [TOPIC_POLICY, "mon-alerts-us-east-1-policy"],
                [SUB, "mon-alerts-us-east-1-email"],
            ]) {
                expect(resourceNamed(type, name).inputs.region).toBe("us-east-1");
            }
            for (const r of [...of(ALARM, "mon").filter((a) => a.name !== "mon-health-check"), resourceNamed(TOPIC, "mon-alerts"), resourceNamed(KEY, "mon-alerts-key")]) {
                expect(r.inputs).not.toHaveProperty("region");
            }
            expect(alarm("mon", "health-check").inputs.alarmActions).toEqual([resourceNamed(TOPIC, "mon-alerts-us-east-1").id]);
            expect(await awaitOutput(mon.usEast1TopicArn!)).toBe(resourceNamed(TOPIC, "mon-alerts-us-east-1").id);
            expect(await awaitOutput(mon.healthCheckId!)).toBe(resourceNamed(HEALTH_CHECK, "mon-health-check").id);
            expect(mon3.usEast1TopicArn).toBeUndefined();
            expect(mon3.healthCheckId).toBeUndefined();
        });
    });

    describe("the dashboard", () => {
        it("is valid JSON that names every server, the load balancer, the primary and each replica (as recorded)", () => {
            const body = resourceNamed(DASHBOARD, "mon-dashboard").inputs.dashboardBody;
            const doc = JSON.parse(body);
            expect(doc.widgets.length).toBeGreaterThan(5);
            for (const w of doc.widgets) expect(w.x + w.width).toBeLessThanOrEqual(24);
            for (const i of [1, 2]) expect(body).toContain(`"InstanceId","${recorded("aws:ec2/instance:Instance", `two-web-${i}`).id}"`);
            expect(body).toContain(`"LoadBalancer","${recorded("aws:lb/loadBalancer:LoadBalancer", "two-lb").state.arnSuffix}"`);
            expect(body).toContain(`"TargetGroup","${recorded("aws:lb/targetGroup:TargetGroup", "two-tg").state.arnSuffix}"`);
            expect(body).toContain(`"DBInstanceIdentifier","${recorded("aws:rds/instance:Instance", "two-db-primary").state.identifier}"`);
            for (const i of [1, 2]) expect(body).toContain(`"DBInstanceIdentifier","${recorded("aws:rds/instance:Instance", `two-db-replica-${i}`).state.identifier}"`);
            expect(body).toContain(`"WebACL","${recorded("aws:wafv2/webAcl:WebAcl", "two-acl").inputs.visibilityConfig.metricName}"`);
            expect(body).toContain(`"HealthCheckId","${resourceNamed(HEALTH_CHECK, "mon-health-check").id}"`);
        });

        it("its alarm widget lists the ARNs of the alarms in the stack's region", () => {
            const doc = JSON.parse(resourceNamed(DASHBOARD, "mon-dashboard").inputs.dashboardBody);
            const listed = doc.widgets.filter((w: any) => w.type === "alarm").flatMap((w: any) => w.properties.alarms);
            const expected = of(ALARM, "mon").filter((a) => a.name !== "mon-health-check").map((a) => a.state.arn);
            expect(listed.sort()).toEqual(expected.sort());
        });

        it("is named after project, stack and component, and its URL opens it in the stack's region", async () => {
            expect(resourceNamed(DASHBOARD, "mon-dashboard").inputs.dashboardName).toBe("web-infra-test-mon");
            expect(await awaitOutput(mon.dashboardName)).toBe("web-infra-test-mon");
            expect(await awaitOutput(mon.dashboardUrl)).toBe("https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=web-infra-test-mon");
            expect(await awaitOutput(mon.topicArn)).toBe(resourceNamed(TOPIC, "mon-alerts").id);
            const names = await Promise.all(mon.alarmNames.map((n) => awaitOutput(n)));
            expect(names.sort()).toEqual(of(ALARM, "mon").map((a) => a.state.name).sort());
        });
    });

    it("everything it declares is a child of the component, named after it", () => {
        const urn = resourceNamed(COMPONENT, "mon").urn;
        const children = descendantsOf(urn);
        const declared = allResources().filter((r) => r.name.startsWith("mon-"));
        expect(children.map((c) => c.name).sort()).toEqual(declared.map((d) => d.name).sort());
        // Alarms, 2 × (key, topic, policy, subscription), health check, dashboard, RDS event subscription.
        expect(children.length).toBe(28 + 2 * 4 + 1 + 1 + 1);
    });
});

// ================================================================================================
describe("a stack in us-east-1 (one topic for everything)", () => {
    let east: InstanceType<MonitoringModule["Monitoring"]>;
    let nodb: InstanceType<MonitoringModule["Monitoring"]>;

    beforeAll(async () => {
        await setupMocks({ config: { "aws:region": "us-east-1" } });
        aws = await import("@pulumi/aws");
        mod = await import("../components/monitoring");
        const w = watchedStack("east", 2, 1);
        east = new mod.Monitoring("east", monitoringArgs("us-east-1", w, { alertEmail: "oncall@example.com", healthCheck: { domain: "shop.example.org", path: "/healthz?deep=1" } }));
        // No database; a WAF given the old way, by name only.
        nodb = new mod.Monitoring("nodb", { region: "us-east-1", webServers: [{ name: "web-1", instanceId: w.instances[0].id }], waf: { webAclName: "legacy-acl" } });
        await awaitOutput(east.dashboardUrl);
        await awaitOutput(nodb.dashboardUrl);
        await settle();
    });

    it("without a database: no DB alarm, no event subscription, and RDS may neither use the key nor publish", () => {
        expect(of(ALARM, "nodb").filter((a) => a.inputs.namespace === "AWS/RDS")).toEqual([]);
        expect(of(EVENTS, "nodb")).toEqual([]);
        expect(nodb.dbEventSubscription).toBeUndefined();
        expect(resourceNamed(KEY, "nodb-alerts-key").inputs.policy).not.toContain("events.rds.amazonaws.com");
        expect(resourceNamed(TOPIC_POLICY, "nodb-alerts-policy").inputs.policy).not.toContain("events.rds.amazonaws.com");
    });

    it("a WAF given only by name (deprecated) is watched by that name", () => {
        expect(alarm("nodb", "waf-blocked-requests").inputs.dimensions).toEqual({ WebACL: "legacy-acl", Region: "us-east-1", Rule: "ALL" });
    });

    it("the health-check alarm is in us-east-1 and notifies the one topic, which stays in the provider's region", () => {
        const topic = resourceNamed(TOPIC, "east-alerts");
        expect(of(TOPIC, "east")).toHaveLength(1);
        expect(of(KEY, "east")).toHaveLength(1);
        expect(of(SUB, "east")).toHaveLength(1);
        expect(topic.inputs).not.toHaveProperty("region");
        expect(alarm("east", "health-check").inputs).toMatchObject({ region: "us-east-1", alarmActions: [topic.id], okActions: [topic.id] });
        expect(east.usEast1TopicArn).toBeUndefined();
    });

    it("checks the configured path, and recovers servers with the us-east-1 action", () => {
        expect(resourceNamed(HEALTH_CHECK, "east-health-check").inputs).toMatchObject({ fqdn: "shop.example.org", resourcePath: "/healthz?deep=1" });
        // A valid AWS tag value (no `?`).
        expect(resourceNamed(HEALTH_CHECK, "east-health-check").inputs.tags.Name).toBe("east https://shop.example.org/healthz_deep=1");
        expect(alarm("east", "web-1-system-check").inputs.alarmActions[0]).toBe("arn:aws:automate:us-east-1:ec2:recover");
        expect(alarm("east", "health-check").inputs.alarmDescription).toContain("https://shop.example.org/healthz?deep=1");
    });

    it("without a WAF, no WAF alarm or widget", () => {
        expect(of(ALARM, "east").map((a) => a.name)).not.toContain("east-waf-blocked-requests");
        expect(resourceNamed(DASHBOARD, "east-dashboard").inputs.dashboardBody).not.toContain("AWS/WAFV2");
    });
});

// ================================================================================================
describe("validation, before any resource is declared", () => {
    beforeAll(async () => {
        await setupMocks({ config: { "aws:region": "eu-west-1" } });
        mod = await import("../components/monitoring");
    });

    const base = { region: "eu-west-1", webServers: [{ name: "web-1", instanceId: "i-1" }] };
    it.each([
        [{ region: "Europe" }, "Monitoring bad: `region` must be an AWS region such as eu-west-1 (got \"Europe\")"],
        [{ alertEmail: "oncall" }, "Monitoring bad: `alertEmail` must be one e-mail address such as ops@example.com, at most 254 characters (got \"oncall\")"],
        [{ thresholds: { dbCpuPercent: 150 } }, "Monitoring bad: `thresholds.dbCpuPercent` must be a number from above 0 to 100 (got 150)"],
        [{ loadBalancer: { arnSuffix: "a", targetGroupArnSuffix: "t", expectedHealthyHosts: 0 } }, "Monitoring bad: `loadBalancer.expectedHealthyHosts` must be a whole number ≥ 1 (got 0)"],
        [
            { webServers: [{ name: "Web 1", instanceId: "i-1" }] },
            "Monitoring bad: `webServers[].name` must be 1-32 lower-case letters, digits or '-', starting and ending with a letter or digit, such as web-1 (got \"Web 1\")",
        ],
        [
            { webServers: [{ name: "x", instanceId: "i-1" }], database: { primaryIdentifier: "p", replicas: [{ name: "x", identifier: "r" }] } },
            "Monitoring bad: `webServers[].name` and `database.replicas[].name` must be distinct (got \"x\" twice)",
        ],
        [{ healthCheck: { domain: "Example.com" } }, "Monitoring bad: `healthCheck.domain` must be a lower-case DNS name such as www.example.com, not an IP address (got \"Example.com\")"],
        [{ healthCheck: { domain: "example.com", path: "health" } }, "Monitoring bad: `healthCheck.path` must start with / and have no spaces, at most 255 characters (got \"health\")"],
        [{ healthCheck: { domain: "example.com", failureThreshold: 11 } }, "Monitoring bad: `healthCheck.failureThreshold` must be a whole number from 1 to 10 (got 11)"],
        [{ dashboardName: "my dashboard" }, "Monitoring bad: `dashboardName` must be 1-255 letters, digits, '-' or '_' (got \"my dashboard\")"],
        [
            // The old defaults: 2 GiB of a 20 GiB volume is exactly where autoscaling adds storage.
            { thresholds: { dbFreeStorageGiB: 2 }, database: { primaryIdentifier: "p", replicas: [], allocatedStorageGiB: 20, maxAllocatedStorageGiB: 100 } },
            "Monitoring bad: `thresholds.dbFreeStorageGiB` must be at most 5% of `database.allocatedStorageGiB` (1 GiB of 20 GiB) with storage autoscaling on: RDS adds storage when free space falls to 10% of the allocated storage, so a higher threshold pages on normal growth (got 2)",
        ],
        [
            { database: { primaryIdentifier: "p", replicas: [], allocatedStorageGiB: 20, maxAllocatedStorageGiB: 20 } },
            "Monitoring bad: `database.maxAllocatedStorageGiB` must be greater than `database.allocatedStorageGiB` (20) (got 20)",
        ],
        [{ waf: {} }, "Monitoring bad: `waf.webAclMetricName` is required: the web ACL's visibilityConfig.metricName (the WebAcl component's `metricName`)"],
    ])("%p is rejected", async (override, message) => {
        expect(() => new mod.Monitoring("bad", { ...base, ...override } as any)).toThrow(message);
        await settle();
        expect(allResources().filter((r) => r.name.startsWith("bad-"))).toEqual([]);
    });
});
