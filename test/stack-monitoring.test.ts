// Monitoring as the real stack (infra/main.ts) wires it: every DB instance that takes part — the
// writer and each of its replicas — is watched under the identifier RDS knows it by, in its alarms
// (a liveness alarm each) and in the RDS event subscription, before and after a promotion; and every
// alarm reaches the alert topic, both when it fires and when it recovers.
import { RecordedResource, resourceNamed, resourcesOf, runStack } from "./mocks";

const RDS = "aws:rds/instance:Instance";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const EVENTS = "aws:rds/eventSubscription:EventSubscription";
const TOPIC = "aws:sns/topic:Topic";

/** An alarm the Database declares for a replica's Route 53 health check: no actions by design. */
const isReaderHealth = (a: RecordedResource) => /^database-replica-\d-reader-health$/.test(a.name);
/** An alarm the web fleet's instance refresh watches to roll back: no actions by design. */
const isRefreshGate = (a: RecordedResource) => /^web-refresh-gate-/.test(a.name);
/** Alarms whose only reader is a machine (Route 53, the instance refresh). */
const isGate = (a: RecordedResource) => isReaderHealth(a) || isRefreshGate(a);

/** The component's alarm for `role` (`monitoring-<role>`). */
const alarm = (role: string) => resourceNamed(ALARM, `monitoring-${role}`);
const identifierOf = (db: RecordedResource): string => db.state.identifier;

describe.each<[string, Record<string, string>, { writer: string; replicas: string[] }]>([
    ["dev", {}, { writer: "database-primary", replicas: ["replica-1"] }],
    ["dev after dbPromoteReplica=replica-1", { dbPromoteReplica: "replica-1" }, { writer: "database-replica-1", replicas: [] }],
    ["dev with 3 replicas after dbPromoteReplica=replica-2", { dbReplicaCount: "3", dbPromoteReplica: "replica-2" }, { writer: "database-replica-2", replicas: ["replica-1", "replica-3"] }],
])("%s", (_title, overrides, expected) => {
    let outputs: Record<string, any>;
    let writer: RecordedResource;
    /** The writer's replicas as recorded, by slot (`replica-N`). */
    let replicas: [string, RecordedResource][];
    let dbAlarms: RecordedResource[];

    beforeAll(async () => {
        ({ outputs } = await runStack("dev", overrides));
        writer = resourceNamed(RDS, expected.writer);
        replicas = expected.replicas.map((slot) => [slot, resourceNamed(RDS, `database-${slot}`)]);
        // The Database's own reader-health alarms only drive Route 53 health checks (test/database.test.ts).
        dbAlarms = resourcesOf(ALARM).filter((a) => a.inputs.namespace === "AWS/RDS" && !isReaderHealth(a));
    });

    it("the recorded writer is the one the stack exports, and the replicas replicate from it", () => {
        expect(identifierOf(writer)).toBe(outputs.dbWriterIdentifier);
        expect(writer.inputs).not.toHaveProperty("replicateSourceDb");
        expect(replicas.map(([, r]) => identifierOf(r))).toEqual(outputs.dbReplicaIdentifiers);
        for (const [, r] of replicas) expect(r.inputs.replicateSourceDb).toBe(identifierOf(writer));
    });

    it("every DB alarm's DBInstanceIdentifier is the recorded RDS identifier of the writer or one of its replicas (never a resource id)", () => {
        const watched = new Set([identifierOf(writer), ...replicas.map(([, r]) => identifierOf(r))]);
        expect(dbAlarms.length).toBeGreaterThan(0);
        for (const a of dbAlarms) {
            expect(watched).toContain(a.inputs.dimensions.DBInstanceIdentifier);
            expect(a.inputs.dimensions.DBInstanceIdentifier).not.toMatch(/^db-[A-Z0-9]{26}$/);
        }
        for (const a of dbAlarms.filter((x) => x.name.startsWith("monitoring-db-primary-"))) expect(a.inputs.dimensions).toEqual({ DBInstanceIdentifier: identifierOf(writer) });
        for (const [slot, r] of replicas) {
            const own = dbAlarms.filter((a) => a.name.startsWith(`monitoring-${slot}-`));
            expect(own.map((a) => a.name).sort()).toEqual([`monitoring-${slot}-cpu`, `monitoring-${slot}-lag`, `monitoring-${slot}-liveness`, `monitoring-${slot}-replication-stopped`]);
            for (const a of own) expect(a.inputs.dimensions).toEqual({ DBInstanceIdentifier: identifierOf(r) });
        }
    });

    it("each of those instances has exactly one liveness alarm, for which silence is the failure", () => {
        const liveness = dbAlarms.filter((a) => a.inputs.treatMissingData === "breaching");
        expect(liveness.map((a) => [a.name, a.inputs.dimensions.DBInstanceIdentifier])).toEqual([
            ["monitoring-db-primary-liveness", identifierOf(writer)],
            ...replicas.map(([slot, r]) => [`monitoring-${slot}-liveness`, identifierOf(r)]),
        ]);
        for (const a of liveness) expect(a.inputs).toMatchObject({ metricName: "CPUUtilization", statistic: "SampleCount", comparisonOperator: "LessThanThreshold", threshold: 1 });
    });

    it("the RDS event subscription covers exactly those instances, by identifier, and notifies the keyless RDS events topic", () => {
        const subs = resourcesOf(EVENTS);
        expect(subs).toHaveLength(1);
        expect(subs[0].inputs).toMatchObject({ sourceType: "db-instance", enabled: true, snsTopic: outputs.dbEventsTopicArn });
        expect(outputs.dbEventsTopicArn).toBe(resourceNamed(TOPIC, "monitoring-db-events-topic").id);
        expect(subs[0].inputs.sourceIds).toEqual([identifierOf(writer), ...replicas.map(([, r]) => identifierOf(r))]);
        expect(subs[0].inputs.eventCategories).toEqual(expect.arrayContaining(["availability", "deletion", "failover", "failure", "low storage", "read replica", "recovery"]));
    });

    it("every alarm in the stack sends ALARM and OK to the alert topic", () => {
        const topic = resourceNamed(TOPIC, "monitoring-alerts");
        expect(outputs.alertTopicArn).toBe(topic.id);
        const alarms = resourcesOf(ALARM).filter((a) => !isGate(a));
        expect(alarms.length).toBeGreaterThan(10);
        // The refresh gates: exactly the alarms the group's instance refresh names, and paged for by Monitoring's LB alarms.
        const gates = resourcesOf(ALARM).filter(isRefreshGate);
        const group = resourceNamed("aws:autoscaling/group:Group", "web-asg");
        expect(gates.map((a) => a.state.name).sort()).toEqual([...group.inputs.instanceRefresh.preferences.alarmSpecification.alarms].sort());
        for (const a of gates) expect(a.inputs).toMatchObject({ actionsEnabled: false });
        // The exceptions are exactly one per replica of the writer, and each has a Route 53 health check following it.
        const readerHealth = resourcesOf(ALARM).filter(isReaderHealth);
        expect(readerHealth.map((a) => a.inputs.dimensions.DBInstanceIdentifier)).toEqual(replicas.map(([, r]) => identifierOf(r)));
        for (const a of readerHealth) {
            expect(a.inputs).toMatchObject({ actionsEnabled: false });
            expect(resourcesOf("aws:route53/healthCheck:HealthCheck").filter((c) => c.inputs.cloudwatchAlarmName === a.state.name)).toHaveLength(1);
        }
        for (const a of alarms) {
            expect({ name: a.name, alarmActions: a.inputs.alarmActions }).toEqual({ name: a.name, alarmActions: expect.arrayContaining([topic.id]) });
            expect({ name: a.name, okActions: a.inputs.okActions }).toEqual({ name: a.name, okActions: [topic.id] });
            expect(a.inputs.actionsEnabled).toBe(true);
        }
    });

    it("the alarm on the writer's free storage and the liveness alarm are there by name", () => {
        expect(alarm("db-primary-free-storage").inputs.dimensions).toEqual({ DBInstanceIdentifier: identifierOf(writer) });
        expect(alarm("db-primary-liveness").inputs.dimensions).toEqual({ DBInstanceIdentifier: identifierOf(writer) });
    });
});

describe("dev: the WAF alarm watches the web ACL's metric name", () => {
    it("WebACL is the recorded visibilityConfig.metricName of the stack's web ACL", async () => {
        const { outputs } = await runStack("dev");
        const acl = resourcesOf("aws:wafv2/webAcl:WebAcl");
        expect(acl).toHaveLength(1);
        expect(outputs.wafWebAclName).toBe(acl[0].state.name);
        expect(alarm("waf-blocked-requests").inputs.dimensions).toEqual({ WebACL: acl[0].inputs.visibilityConfig.metricName, Region: "us-east-1", Rule: "ALL" });
    });
});

describe("dev with a domain (health check) and active-passive servers", () => {
    it("every alarm in the stack, the health check's and the fleet's included, sends ALARM and OK to the alert topic", async () => {
        const { outputs } = await runStack("dev", { domain: "www.example.com", webServerMode: "active-passive" });
        const alarms = resourcesOf(ALARM).filter((a) => !isGate(a));
        // The active server's loss pages through the no-healthy-host and in-service alarms (the Lambda's alarm is gone).
        expect(alarms.map((a) => a.name)).toEqual(expect.arrayContaining(["monitoring-health-check", "monitoring-lb-no-healthy-hosts", "monitoring-web-in-service-below-min"]));
        expect(alarm("web-in-service-below-min").inputs.threshold).toBe(1);
        for (const a of alarms) {
            expect({ name: a.name, alarmActions: a.inputs.alarmActions }).toEqual({ name: a.name, alarmActions: expect.arrayContaining([outputs.alertTopicArn]) });
            expect({ name: a.name, okActions: a.inputs.okActions }).toEqual({ name: a.name, okActions: [outputs.alertTopicArn] });
        }
    });
});
