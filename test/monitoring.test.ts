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
const RULE = "aws:cloudwatch/eventRule:EventRule";
const RULE_TARGET = "aws:cloudwatch/eventTarget:EventTarget";
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
    const group = new aws.autoscaling.Group(`${prefix}-web-asg`, { minSize: servers, maxSize: 2 * servers, vpcZoneIdentifiers: ["subnet-0c", "subnet-0d"] });
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
    return { lb, tg, group, servers, primary, replicaDbs, acl };
}

type Watched = ReturnType<typeof watchedStack>;

function monitoringArgs(region: string, w: Watched, extra: Partial<import("../components/monitoring").MonitoringArgs> = {}): import("../components/monitoring").MonitoringArgs {
    return {
        region,
        loadBalancer: { arnSuffix: w.lb.arnSuffix, targetGroupArnSuffix: w.tg.arnSuffix, expectedHealthyHosts: w.servers },
        webFleet: { autoScalingGroupName: w.group.name, minSize: w.servers, maxSize: 2 * w.servers },
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

        it("web fleet alarms: by the recorded group's name, in service below its minimum and fleet CPU", () => {
            const group = recorded("aws:autoscaling/group:Group", "two-web-asg");
            expect(alarm("mon", "web-in-service-below-min").inputs).toMatchObject({
                namespace: "AWS/AutoScaling",
                metricName: "GroupInServiceInstances",
                dimensions: { AutoScalingGroupName: group.state.name },
                threshold: 2,
                treatMissingData: "breaching",
            });
            expect(alarm("mon3", "web-in-service-below-min").inputs.threshold).toBe(3);
            expect(alarm("mon", "web-cpu").inputs).toMatchObject({ namespace: "AWS/EC2", metricName: "CPUUtilization", dimensions: { AutoScalingGroupName: group.state.name } });
            expect(of(ALARM, "mon").filter((a) => a.inputs.dimensions.InstanceId !== undefined)).toEqual([]);
        });

        it("failed launches and failed, cancelled or rolled-back refreshes of that group reach the topic through EventBridge", () => {
            const group = recorded("aws:autoscaling/group:Group", "two-web-asg");
            const rule = resourceNamed(RULE, "mon-fleet-events");
            expect(JSON.parse(rule.inputs.eventPattern)).toEqual({
                source: ["aws.autoscaling"],
                "detail-type": [
                    "EC2 Instance Launch Unsuccessful",
                    "EC2 Instance Terminate Unsuccessful",
                    "EC2 Auto Scaling Instance Refresh Failed",
                    "EC2 Auto Scaling Instance Refresh Cancelled",
                    "EC2 Auto Scaling Instance Refresh Rollback Started",
                    "EC2 Auto Scaling Instance Refresh Rollback Succeeded",
                    "EC2 Auto Scaling Instance Refresh Rollback Failed",
                ],
                detail: { AutoScalingGroupName: [group.state.name] },
            });
            const target = resourceNamed(RULE_TARGET, "mon-fleet-events-to-topic");
            expect(target.inputs).toMatchObject({ rule: rule.state.name, arn: resourceNamed(TOPIC, "mon-alerts").state.arn });
            // Published only once the topic and key policies let EventBridge in.
            expect(target.dependencies).toEqual(expect.arrayContaining([resourceNamed(TOPIC_POLICY, "mon-alerts-policy").urn, resourceNamed(KEY, "mon-alerts-key").urn]));
        });

        it("the stack topic's policy and key let this account's EventBridge rules publish; the us-east-1 topic's do not", () => {
            const statements = (type: string, name: string, key: string) => JSON.parse(resourceNamed(type, name).inputs[key]).Statement as { Sid: string; Principal: unknown; Condition?: unknown }[];
            const publish = statements(TOPIC_POLICY, "mon-alerts-policy", "policy").find((st) => st.Sid === "EventBridgeRulesPublish");
            expect(publish).toMatchObject({
                Principal: { Service: "events.amazonaws.com" },
                Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:events:eu-west-1:123456789012:rule/*" } },
            });
            expect(statements(KEY, "mon-alerts-key", "policy").map((st) => st.Sid)).toContain("EventBridgePublishesToEncryptedTopic");
            expect(statements(TOPIC_POLICY, "mon-alerts-us-east-1-policy", "policy").map((st) => st.Sid)).not.toContain("EventBridgeRulesPublish");
            expect(statements(KEY, "mon-alerts-us-east-1-key", "policy").map((st) => st.Sid)).not.toContain("EventBridgePublishesToEncryptedTopic");
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

        it("there are exactly these alarms: 7 LB + 4 fleet + 5 primary + 4 per replica + WAF + health check", () => {
            expect(of(ALARM, "mon")).toHaveLength(7 + 4 + 5 + 4 * 2 + 1 + 1);
            expect(mon.alarms).toHaveLength(26);
            expect(of(ALARM, "mon3")).toHaveLength(7 + 4 + 5);
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
            expect(subs.map((s) => [s.name, s.inputs.topic, s.inputs.protocol, s.inputs.endpoint]).sort((x, y) => x[0].localeCompare(y[0]))).toEqual([
                ["mon-alerts-email", resourceNamed(TOPIC, "mon-alerts").id, "email", "oncall@example.com"],
                ["mon-alerts-us-east-1-email", resourceNamed(TOPIC, "mon-alerts-us-east-1").id, "email", "oncall@example.com"],
                ["mon-db-events-email", resourceNamed(TOPIC, "mon-db-events-topic").id, "email", "oncall@example.com"],
            ]);
            expect(of(SUB, "mon3")).toEqual([]);
            // The alarm topic, and the RDS events topic (mon3 watches a database).
            expect(of(TOPIC, "mon3").map((t) => t.name).sort()).toEqual(["mon3-alerts", "mon3-db-events-topic"]);
        });
    });

    describe("RDS events reach the same person", () => {
        it("one subscription to every DB instance given, by recorded RDS identifier, in the failure categories, notifying the events topic", () => {
            const sub = resourceNamed(EVENTS, "mon-db-events");
            const ids = ["two-db-primary", "two-db-replica-1", "two-db-replica-2"].map((n) => recorded("aws:rds/instance:Instance", n).state.identifier);
            expect(sub.inputs).toMatchObject({ snsTopic: resourceNamed(TOPIC, "mon-db-events-topic").id, sourceType: "db-instance", sourceIds: ids, enabled: true });
            expect([...sub.inputs.eventCategories].sort()).toEqual(
                ["availability", "deletion", "failover", "failure", "low storage", "maintenance", "notification", "read replica", "recovery"].sort(),
            );
            expect(sub.inputs).not.toHaveProperty("region");
            expect(of(EVENTS, "mon")).toHaveLength(1);
            expect(of(EVENTS, "mon3")).toHaveLength(1);
            expect(resourceNamed(EVENTS, "mon3-db-events").inputs.sourceIds).toEqual([recorded("aws:rds/instance:Instance", "three-db-primary").state.identifier]);
        });

        it("the events topic needs no KMS key (no key policy can stop RDS), and the same address is subscribed to it", () => {
            const topic = resourceNamed(TOPIC, "mon-db-events-topic");
            expect(topic.inputs).not.toHaveProperty("kmsMasterKeyId");
            const subs = of("aws:sns/topicSubscription:TopicSubscription", "mon").filter((x) => x.inputs.topic === topic.id);
            expect(subs.map((x) => [x.inputs.protocol, x.inputs.endpoint])).toEqual([["email", resourceNamed("aws:sns/topicSubscription:TopicSubscription", "mon-alerts-email").inputs.endpoint]]);
            // ...and the alarm topics' keys grant RDS nothing any more.
            for (const key of ["mon-alerts-key", "mon-alerts-us-east-1-key"]) expect(resourceNamed(KEY, key).inputs.policy).not.toContain("events.rds.amazonaws.com");
            for (const policy of ["mon-alerts-policy", "mon-alerts-us-east-1-policy"]) expect(resourceNamed(TOPIC_POLICY, policy).inputs.policy).not.toContain("events.rds.amazonaws.com");
        });

        it("is created after the topic policy that lets RDS publish (events before that would be lost), and is exposed", async () => {
            const sub = resourceNamed(EVENTS, "mon-db-events");
            expect(sub.dependencies).toEqual(expect.arrayContaining([resourceNamed(TOPIC_POLICY, "mon-db-events-topic-policy").urn]));
            expect(await awaitOutput(mon.dbEventSubscription!.arn)).toBe(sub.state.arn);
            expect(await awaitOutput(mon.dbEventsTopicArn!)).toBe(resourceNamed(TOPIC, "mon-db-events-topic").state.arn);
        });

        it("the events topic's policy lets RDS publish events of this account's instances, clusters and subscriptions in this region only, over TLS", () => {
            const topic = resourceNamed(TOPIC, "mon-db-events-topic");
            const statements = JSON.parse(resourceNamed(TOPIC_POLICY, "mon-db-events-topic-policy").inputs.policy).Statement;
            expect(statements).toContainEqual({
                Sid: "RdsEventsPublish",
                Effect: "Allow",
                Principal: { Service: "events.rds.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topic.id,
                Condition: {
                    StringEquals: { "aws:SourceAccount": "123456789012" },
                    ArnLike: {
                        "aws:SourceArn": ["arn:aws:rds:eu-west-1:123456789012:db:*", "arn:aws:rds:eu-west-1:123456789012:cluster:*", "arn:aws:rds:eu-west-1:123456789012:es:*"],
                    },
                },
            });
            expect(statements.find((x: any) => x.Sid === "DenyPublishWithoutTls")).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
            // The subscription's own ARN falls under the condition.
            expect(resourceNamed(EVENTS, "mon-db-events").state.arn).toMatch(/^arn:aws:rds:eu-west-1:123456789012:es:/);
        });
    });

    describe("redundancy, recovery, thresholds", () => {
        it("the redundancy alarm's threshold follows the server count (2 and 3)", () => {
            expect(alarm("mon", "lb-redundancy-lost").inputs).toMatchObject({ metricName: "HealthyHostCount", comparisonOperator: "LessThanThreshold", threshold: 2 });
            expect(alarm("mon3", "lb-redundancy-lost").inputs).toMatchObject({ metricName: "HealthyHostCount", comparisonOperator: "LessThanThreshold", threshold: 3 });
        });

        it("no alarm acts on an instance: the group replaces a failed server", () => {
            for (const prefix of ["mon", "mon3"]) {
                const t = resourceNamed(TOPIC, `${prefix}-alerts`).id;
                for (const a of of(ALARM, prefix).filter((x) => x.inputs.region === undefined)) expect(a.inputs.alarmActions).toEqual([t]);
            }
        });

        it("thresholds come from the args (units converted) or the defaults", () => {
            expect(alarm("mon", "lb-elb-5xx").inputs.threshold).toBe(25);
            expect(alarm("mon", "lb-target-5xx").inputs.threshold).toBe(25);
            expect(alarm("mon", "lb-p99-latency").inputs).toMatchObject({ extendedStatistic: "p99", threshold: 0.8 });
            expect(alarm("mon", "lb-p99-latency").inputs).not.toHaveProperty("statistic");
            expect(alarm("mon", "db-primary-free-storage").inputs.threshold).toBe(5 * 1024 ** 3);
            expect(alarm("mon", "db-primary-free-storage").inputs.alarmDescription).toContain("1000 GiB limit (dbMaxAllocatedStorageGiB)");
            expect(alarm("mon3", "lb-elb-5xx").inputs.threshold).toBe(10);
            expect(alarm("mon3", "web-cpu").inputs.threshold).toBe(80);
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
            expect(body).toContain(`"AutoScalingGroupName","${recorded("aws:autoscaling/group:Group", "two-web-asg").state.name}"`);
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
        // Alarms, 2 × (key, topic, policy, subscription), health check, dashboard, RDS event subscription,
        // the fleet's EventBridge rule and its target, and the RDS events' topic, policy and subscription.
        expect(children.length).toBe(26 + 2 * 4 + 1 + 1 + 1 + 2 + 3);
    });
});

// ================================================================================================
describe("a stack in us-east-1 (one topic for everything)", () => {
    let east: InstanceType<MonitoringModule["Monitoring"]>;
    let nodb: InstanceType<MonitoringModule["Monitoring"]>;
    let clu: InstanceType<MonitoringModule["Monitoring"]>;

    beforeAll(async () => {
        await setupMocks({ config: { "aws:region": "us-east-1" } });
        aws = await import("@pulumi/aws");
        mod = await import("../components/monitoring");
        const w = watchedStack("east", 2, 1);
        east = new mod.Monitoring("east", monitoringArgs("us-east-1", w, { alertEmail: "oncall@example.com", healthCheck: { domain: "shop.example.org", path: "/healthz?deep=1" } }));
        // No database; a WAF given the old way, by name only.
        nodb = new mod.Monitoring("nodb", { region: "us-east-1", webFleet: { autoScalingGroupName: w.group.name, minSize: 2, maxSize: 4 }, waf: { webAclName: "legacy-acl" } });
        // A Multi-AZ DB cluster: its identifier and its members as RDS reports them (one not known yet: "").
        clu = new mod.Monitoring("clu", {
            region: "us-east-1",
            alertEmail: "oncall@example.com",
            database: {
                primaryIdentifier: "app-prod-cluster-0f3a9c1e",
                replicas: [],
                cluster: {
                    identifier: "app-prod-cluster-0f3a9c1e",
                    members: [
                        { name: "cluster-instance-1", identifier: "member-a" },
                        { name: "cluster-instance-2", identifier: "member-b" },
                        { name: "cluster-instance-3", identifier: "" },
                    ],
                },
            },
        });
        await awaitOutput(east.dashboardUrl);
        await awaitOutput(nodb.dashboardUrl);
        await awaitOutput(clu.dashboardUrl);
        await settle();
    });

    it("without a database: no DB alarm, no event subscription, and RDS may neither use the key nor publish", () => {
        expect(of(ALARM, "nodb").filter((a) => a.inputs.namespace === "AWS/RDS")).toEqual([]);
        expect(of(EVENTS, "nodb")).toEqual([]);
        expect(nodb.dbEventSubscription).toBeUndefined();
        expect(resourceNamed(KEY, "nodb-alerts-key").inputs.policy).not.toContain("events.rds.amazonaws.com");
        expect(resourceNamed(TOPIC_POLICY, "nodb-alerts-policy").inputs.policy).not.toContain("events.rds.amazonaws.com");
    });

    it("a Multi-AZ DB cluster: cluster events, and the members' own (db-instance) events by the identifiers RDS reports, both to the keyless events topic", async () => {
        const topic = resourceNamed(TOPIC, "clu-db-events-topic");
        expect(of(EVENTS, "clu").map((e) => e.name).sort()).toEqual(["clu-db-events", "clu-db-instance-events"]);
        expect(resourceNamed(EVENTS, "clu-db-events").inputs).toMatchObject({ sourceType: "db-cluster", sourceIds: ["app-prod-cluster-0f3a9c1e"], snsTopic: topic.id });
        const members = resourceNamed(EVENTS, "clu-db-instance-events");
        // An identifier not known (yet) is left out: RDS refuses a subscription to a source that doesn't exist.
        expect(members.inputs).toMatchObject({ sourceType: "db-instance", sourceIds: ["member-a", "member-b"], snsTopic: topic.id, enabled: true });
        expect([...members.inputs.eventCategories].sort()).toEqual(expect.arrayContaining(["failure", "low storage", "recovery", "availability"]));
        expect(members.dependencies).toEqual(expect.arrayContaining([resourceNamed(TOPIC_POLICY, "clu-db-events-topic-policy").urn]));
        expect(topic.inputs).not.toHaveProperty("kmsMasterKeyId");
        expect(await awaitOutput(clu.dbInstanceEventSubscription!.arn)).toBe(members.state.arn);
        // Instances (no cluster): one subscription, none for members.
        expect(of(EVENTS, "east").map((e) => e.name)).toEqual(["east-db-events"]);
        expect(east.dbInstanceEventSubscription).toBeUndefined();
    });

    it("a Multi-AZ DB cluster's members get the memory and connection alarms the thresholds set", () => {
        for (const m of ["cluster-instance-1", "cluster-instance-2"]) {
            expect(alarm("clu", `db-${m}-connections`).inputs).toMatchObject({ metricName: "DatabaseConnections", alarmActions: [resourceNamed(TOPIC, "clu-alerts").id] });
            expect(alarm("clu", `db-${m}-freeable-memory`).inputs).toMatchObject({ metricName: "FreeableMemory" });
        }
        expect(alarm("clu", "db-cluster-instance-1-connections").inputs.dimensions).toEqual({ DBInstanceIdentifier: "member-a" });
    });

    it("a WAF given only by name (deprecated) is watched by that name", () => {
        expect(alarm("nodb", "waf-blocked-requests").inputs.dimensions).toEqual({ WebACL: "legacy-acl", Region: "us-east-1", Rule: "ALL" });
    });

    it("the health-check alarm is in us-east-1 and notifies the one topic, which stays in the provider's region", () => {
        const topic = resourceNamed(TOPIC, "east-alerts");
        // One alarm topic (plus the RDS events' own, keyless topic).
        expect(of(TOPIC, "east").map((t) => t.name).sort()).toEqual(["east-alerts", "east-db-events-topic"]);
        expect(of(KEY, "east")).toHaveLength(1);
        expect(of(SUB, "east").map((x) => x.name).sort()).toEqual(["east-alerts-email", "east-db-events-email"]);
        expect(topic.inputs).not.toHaveProperty("region");
        expect(alarm("east", "health-check").inputs).toMatchObject({ region: "us-east-1", alarmActions: [topic.id], okActions: [topic.id] });
        expect(east.usEast1TopicArn).toBeUndefined();
    });

    it("checks the configured path", () => {
        expect(resourceNamed(HEALTH_CHECK, "east-health-check").inputs).toMatchObject({ fqdn: "shop.example.org", resourcePath: "/healthz?deep=1" });
        // A valid AWS tag value (no `?`).
        expect(resourceNamed(HEALTH_CHECK, "east-health-check").inputs.tags.Name).toBe("east https://shop.example.org/healthz_deep=1");
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

    const base = { region: "eu-west-1", webFleet: { autoScalingGroupName: "web-asg-1", minSize: 2, maxSize: 4 } };
    it.each([
        [{ region: "Europe" }, "Monitoring bad: `region` must be an AWS region such as eu-west-1 (got \"Europe\")"],
        [{ alertEmail: "oncall" }, "Monitoring bad: `alertEmail` must be one e-mail address such as ops@example.com, at most 254 characters (got \"oncall\")"],
        [{ thresholds: { dbCpuPercent: 150 } }, "Monitoring bad: `thresholds.dbCpuPercent` must be a number from above 0 to 100 (got 150)"],
        [{ loadBalancer: { arnSuffix: "a", targetGroupArnSuffix: "t", expectedHealthyHosts: 0 } }, "Monitoring bad: `loadBalancer.expectedHealthyHosts` must be a whole number ≥ 1 (got 0)"],
        [
            { database: { primaryIdentifier: "p", replicas: [{ name: "Replica 1", identifier: "r" }] } },
            "Monitoring bad: `database.replicas[].name` must be 1-32 lower-case letters, digits or '-', starting and ending with a letter or digit, such as web-1 (got \"Replica 1\")",
        ],
        [
            { database: { primaryIdentifier: "p", replicas: [{ name: "x", identifier: "r" }, { name: "x", identifier: "s" }] } },
            "Monitoring bad: `database.replicas[].name` must be distinct (got \"x\" twice)",
        ],
        [{ webFleet: { autoScalingGroupName: "g", minSize: 3, maxSize: 2 } }, "Monitoring bad: `webFleet.minSize` must be a whole number ≥ 1 and `webFleet.maxSize` ≥ it (got 3 and 2)"],
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
