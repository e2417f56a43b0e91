import {
    AUTOSCALING_TRIGGER_FRACTION,
    AlarmSpec,
    DEFAULT_THRESHOLDS,
    FREE_STORAGE_MAX_FRACTION,
    MAX_DESCRIPTION_LENGTH,
    MonitoringThresholds,
    RDS_EVENT_CATEGORIES,
    clusterInstanceAlarms,
    dbLivenessAlarm,
    ec2ActionArn,
    freeStorageProblems,
    healthCheckAlarm,
    loadBalancerAlarms,
    partitionOf,
    primaryDbAlarms,
    replicaAlarms,
    resolveThresholds,
    wafAlarms,
    webFleetAlarms,
    standbyFailoverAlarms,
    refreshGateAlarms,
    alarmOn,
    metric,
} from "../components/lib/alarms";
import { SETTINGS } from "../infra/settings";

const LB = { loadBalancer: "app/web-lb/0123456789abcdef", targetGroup: "targetgroup/web-tg/fedcba9876543210" };
const byRole = (specs: AlarmSpec[], role: string) => {
    const found = specs.filter((s) => s.role === role);
    expect(found).toHaveLength(1);
    return found[0];
};

/** Every alarm the stack can have, for a given shape. */
function allSpecs(servers: number, replicas: number, t: MonitoringThresholds = DEFAULT_THRESHOLDS, expected = servers): AlarmSpec[] {
    return [
        ...loadBalancerAlarms(LB, expected, t),
        ...webFleetAlarms({ autoScalingGroupName: "web-asg-0123", minSize: Math.max(servers, 1) }, t),
        ...refreshGateAlarms(LB, t),
        ...standbyFailoverAlarms({ functionName: "web-failover-1234", autoScalingGroupName: "web-asg-0123" }),
        ...primaryDbAlarms("app-primary", t, { allocatedGiB: 20, maxAllocatedGiB: 65536 }),
        ...Array.from({ length: replicas }, (_, i) => replicaAlarms({ name: `replica-${i + 1}`, identifier: `app-replica-${i + 1}` }, t)),
        ...wafAlarms({ webAclMetricName: "web-acl-metric", region: "eu-west-1" }, t),
        healthCheckAlarm("hc-1", "https://www.example.com/health", "eu-west-1"),
    ].flat();
}

describe("thresholds", () => {
    it("defaults are the defaults of the alarm* settings", () => {
        const fromSettings: Record<keyof MonitoringThresholds, unknown> = {
            webCpuPercent: SETTINGS.alarmWebCpuPercent.default,
            webDiskPercent: SETTINGS.alarmWebDiskPercent.default,
            webMemoryPercent: SETTINGS.alarmWebMemoryPercent.default,
            p99LatencyMs: SETTINGS.alarmP99LatencyMs.default,
            http5xxPerMinute: SETTINGS.alarm5xxPerMinute.default,
            dbCpuPercent: SETTINGS.alarmDbCpuPercent.default,
            dbFreeStorageGiB: SETTINGS.alarmDbFreeStorageGiB.default,
            dbFreeableMemoryMiB: SETTINGS.alarmDbFreeableMemoryMiB.default,
            dbConnections: SETTINGS.alarmDbConnections.default,
            replicaLagSeconds: SETTINGS.alarmReplicaLagSeconds.default,
            wafBlockedPer5Min: SETTINGS.alarmWafBlockedPer5Min.default,
        };
        expect(DEFAULT_THRESHOLDS).toEqual(fromSettings);
    });

    it("fills what is not given from the defaults and keeps what is", () => {
        const { thresholds, problems } = resolveThresholds({ webCpuPercent: 90, replicaLagSeconds: undefined });
        expect(problems).toEqual([]);
        expect(thresholds).toEqual({ ...DEFAULT_THRESHOLDS, webCpuPercent: 90 });
    });

    it("takes the stack's cfg.monitoring as is: keys other than thresholds (alertEmail) are not read", () => {
        const cfgMonitoring = { ...DEFAULT_THRESHOLDS, alertEmail: "oncall@example.com", dbConnections: 120 };
        expect(resolveThresholds(cfgMonitoring)).toEqual({ thresholds: { ...DEFAULT_THRESHOLDS, dbConnections: 120 }, problems: [] });
    });

    it.each([
        [{ webCpuPercent: 0 }, "`thresholds.webCpuPercent` must be a number from above 0 to 100 (got 0)"],
        [{ dbCpuPercent: 101 }, "`thresholds.dbCpuPercent` must be a number from above 0 to 100 (got 101)"],
        [{ dbConnections: -5 }, "`thresholds.dbConnections` must be a number above 0 (got -5)"],
        [{ p99LatencyMs: Number.NaN }, "`thresholds.p99LatencyMs` must be a number above 0 (got null)"],
        [{ wafBlockedPer5Min: "500" } as unknown as Partial<MonitoringThresholds>, "`thresholds.wafBlockedPer5Min` must be a number above 0 (got \"500\")"],
    ])("rejects %p", (partial, message) => {
        expect(resolveThresholds(partial).problems).toEqual([message]);
    });
});

describe("EC2 actions", () => {
    it.each([
        ["us-east-1", "arn:aws:automate:us-east-1:ec2:recover"],
        ["eu-west-1", "arn:aws:automate:eu-west-1:ec2:recover"],
        ["cn-north-1", "arn:aws-cn:automate:cn-north-1:ec2:recover"],
        ["us-gov-west-1", "arn:aws-us-gov:automate:us-gov-west-1:ec2:recover"],
    ])("the recover action in %s is %s", (region, arn) => {
        expect(ec2ActionArn("recover", region)).toBe(arn);
        expect(partitionOf(region)).toBe(arn.split(":")[1]);
    });
});

describe("load balancer alarms", () => {
    const specs = loadBalancerAlarms(LB, 2, DEFAULT_THRESHOLDS);

    it("watch the ALB namespace: target metrics by target group + load balancer, the LB's own by load balancer", () => {
        for (const s of specs) expect(s.namespace).toBe("AWS/ApplicationELB");
        const tgDims = { TargetGroup: LB.targetGroup, LoadBalancer: LB.loadBalancer };
        for (const role of ["lb-unhealthy-hosts", "lb-redundancy-lost", "lb-no-healthy-hosts", "lb-target-5xx", "lb-p99-latency"]) {
            expect(byRole(specs, role).dimensions).toEqual(tgDims);
        }
        for (const role of ["lb-elb-5xx", "lb-rejected-connections"]) expect(byRole(specs, role).dimensions).toEqual({ LoadBalancer: LB.loadBalancer });
        expect(specs.map((s) => s.metricName).sort()).toEqual(
            ["HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "HealthyHostCount", "HealthyHostCount", "RejectedConnectionCount", "TargetResponseTime", "UnHealthyHostCount"].sort(),
        );
    });

    it.each([2, 3, 5])("the redundancy alarm fires below the server count (%i)", (count) => {
        const s = byRole(loadBalancerAlarms(LB, count, DEFAULT_THRESHOLDS), "lb-redundancy-lost");
        expect(s).toMatchObject({ metricName: "HealthyHostCount", comparisonOperator: "LessThanThreshold", threshold: count, statistic: "Maximum" });
        expect(s.description).toContain(`Fewer than ${count} web servers`);
    });

    it("has no redundancy alarm for a single server (nothing to lose), but still the outage alarm", () => {
        const roles = loadBalancerAlarms(LB, 1, DEFAULT_THRESHOLDS).map((s) => s.role);
        expect(roles).not.toContain("lb-redundancy-lost");
        expect(roles).toContain("lb-no-healthy-hosts");
    });

    it("the outage alarm fires when no host is healthy, and silence counts as an outage", () => {
        expect(byRole(specs, "lb-no-healthy-hosts")).toMatchObject({ comparisonOperator: "LessThanThreshold", threshold: 1, treatMissingData: "breaching" });
        expect(byRole(specs, "lb-redundancy-lost").treatMissingData).toBe("breaching");
    });

    it("5xx counts are summed per minute against the threshold, 3 minutes running, and silence is fine", () => {
        const t = { ...DEFAULT_THRESHOLDS, http5xxPerMinute: 25 };
        for (const role of ["lb-elb-5xx", "lb-target-5xx"]) {
            expect(byRole(loadBalancerAlarms(LB, 2, t), role)).toMatchObject({ statistic: "Sum", period: 60, evaluationPeriods: 3, datapointsToAlarm: 3, threshold: 25, treatMissingData: "notBreaching" });
        }
    });

    it("p99 latency uses the p99 extended statistic, in seconds, and ignores low sample counts", () => {
        const s = byRole(loadBalancerAlarms(LB, 2, { ...DEFAULT_THRESHOLDS, p99LatencyMs: 750 }), "lb-p99-latency");
        expect(s).toMatchObject({ extendedStatistic: "p99", threshold: 0.75, evaluateLowSampleCountPercentiles: "ignore" });
        expect(s).not.toHaveProperty("statistic");
    });
});

describe("the metric → alarm builder", () => {
    it("places the metric and the condition; every datapoint of the window breaches unless said", () => {
        const m = metric("AWS/AutoScaling", "GroupInServiceInstances", { AutoScalingGroupName: "g" }, "Minimum");
        expect(alarmOn("r", m, { comparison: "LessThanThreshold", threshold: 2, periods: 5, missing: "breaching" }, "d")).toEqual({
            role: "r",
            namespace: "AWS/AutoScaling",
            metricName: "GroupInServiceInstances",
            dimensions: { AutoScalingGroupName: "g" },
            statistic: "Minimum",
            period: 60,
            evaluationPeriods: 5,
            datapointsToAlarm: 5,
            comparisonOperator: "LessThanThreshold",
            threshold: 2,
            treatMissingData: "breaching",
            description: "d",
        });
        expect(alarmOn("r", metric("N", "M", {}, "Sum", 300), { comparison: "GreaterThanThreshold", threshold: 1, periods: 3, datapoints: 2, missing: "notBreaching" }, "d")).toMatchObject({
            period: 300,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
        });
    });
});

describe("active-passive failover alarms", () => {
    const specs = standbyFailoverAlarms({ functionName: "web-failover-1234", autoScalingGroupName: "web-asg-0123" });

    it("watch the function's errors for 3 minutes, that it runs at all (missing data breaches), standbys missing for 15, and each failover", () => {
        expect(specs.map((s) => [s.role, s.namespace, s.metricName, s.dimensions, s.statistic, s.period, s.evaluationPeriods, s.threshold, s.treatMissingData])).toEqual([
            ["web-failover-errors", "AWS/Lambda", "Errors", { FunctionName: "web-failover-1234" }, "Sum", 60, 3, 1, "notBreaching"],
            ["web-failover-not-running", "AWS/Lambda", "Invocations", { FunctionName: "web-failover-1234" }, "Sum", 300, 1, 1, "breaching"],
            ["web-standby-missing", "web-infra/WebFailover", "StandbysMissing", { AutoScalingGroupName: "web-asg-0123" }, "Minimum", 300, 3, 1, "notBreaching"],
            ["web-failover", "web-infra/WebFailover", "Failovers", { AutoScalingGroupName: "web-asg-0123" }, "Sum", 60, 1, 1, "notBreaching"],
        ]);
        for (const s of specs) {
            expect(s.comparisonOperator).toBe(s.role === "web-failover-not-running" ? "LessThanThreshold" : "GreaterThanOrEqualToThreshold");
            expect(s.description).toContain("Runbook: docs/runbooks/web-failover.md");
        }
    });
});

describe("web fleet alarms", () => {
    const specs = webFleetAlarms({ autoScalingGroupName: "web-asg-0123", minSize: 3 }, { ...DEFAULT_THRESHOLDS, webCpuPercent: 70 });

    it("watch the group by name, with no per-instance recover/reboot action (the group replaces)", () => {
        expect(specs.map((s) => s.role)).toEqual(["web-in-service-below-min", "web-cpu", "web-disk", "web-memory"]);
        for (const s of specs) {
            expect(s.dimensions).toEqual({ AutoScalingGroupName: "web-asg-0123" });
            expect(s).not.toHaveProperty("ec2Action");
        }
    });

    it("the worst server's disk and memory, from the CloudWatch agent's per-group aggregation, 10 minutes", () => {
        const t = { ...DEFAULT_THRESHOLDS, webDiskPercent: 80, webMemoryPercent: 95 };
        const fleet = webFleetAlarms({ autoScalingGroupName: "web-asg-0123", minSize: 2 }, t);
        for (const [role, metricName, threshold] of [["web-disk", "disk_used_percent", 80], ["web-memory", "mem_used_percent", 95]] as const) {
            expect(byRole(fleet, role)).toMatchObject({ namespace: "CWAgent", metricName, statistic: "Maximum", threshold, comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 10, treatMissingData: "notBreaching" });
        }
    });

    it("in service below the minimum for 5 minutes pages, and silence is breaching", () => {
        expect(byRole(specs, "web-in-service-below-min")).toMatchObject({
            namespace: "AWS/AutoScaling",
            metricName: "GroupInServiceInstances",
            statistic: "Minimum",
            period: 60,
            evaluationPeriods: 5,
            comparisonOperator: "LessThanThreshold",
            threshold: 3,
            treatMissingData: "breaching",
        });
    });

    it("fleet CPU above the threshold for 5 minutes", () => {
        expect(byRole(specs, "web-cpu")).toMatchObject({ namespace: "AWS/EC2", metricName: "CPUUtilization", statistic: "Average", evaluationPeriods: 5, threshold: 70 });
    });

    it("each names its runbook", () => {
        expect(byRole(specs, "web-in-service-below-min").description).toContain("Runbook: docs/runbooks/web-server-fails.md");
        for (const s of refreshGateAlarms(LB, DEFAULT_THRESHOLDS)) expect(s.description).toContain("Runbook: docs/runbooks/web-rolling-deploy.md");
    });

    it("the refresh gate watches the target group's 5xx for 2 minutes; no gate on unhealthy targets (every new server starts unhealthy)", () => {
        const gates = refreshGateAlarms(LB, { ...DEFAULT_THRESHOLDS, http5xxPerMinute: 7 });
        expect(gates.map((g) => [g.role, g.metricName, g.threshold, g.evaluationPeriods])).toEqual([["refresh-gate-5xx", "HTTPCode_Target_5XX_Count", 7, 2]]);
        for (const g of gates) expect(g.dimensions).toEqual({ TargetGroup: LB.targetGroup, LoadBalancer: LB.loadBalancer });
    });
});

describe("lb-unhealthy-hosts outlasts a boot", () => {
    it("pages only after 7 of 7 minutes, longer than the fleet's 300 s grace period and its healthy checks", async () => {
        const { HEALTH_CHECK_GRACE_SECONDS } = await import("../components/webServer");
        const spec = loadBalancerAlarms({ loadBalancer: "app/x/1", targetGroup: "targetgroup/y/2" }, 2, DEFAULT_THRESHOLDS).find((a) => a.role === "lb-unhealthy-hosts")!;
        expect([spec.period, spec.evaluationPeriods, spec.datapointsToAlarm]).toEqual([60, 7, 7]);
        expect(spec.period! * spec.evaluationPeriods!).toBeGreaterThan(HEALTH_CHECK_GRACE_SECONDS + 60);
    });
});

describe("database alarms", () => {
    const t = { ...DEFAULT_THRESHOLDS, dbFreeStorageGiB: 5, dbFreeableMemoryMiB: 128, dbConnections: 40, replicaLagSeconds: 15 };

    it("watch the primary by its identifier, storage and memory in bytes", () => {
        const specs = primaryDbAlarms("app-primary", t);
        for (const s of specs) expect(s).toMatchObject({ namespace: "AWS/RDS", dimensions: { DBInstanceIdentifier: "app-primary" } });
        expect(byRole(specs, "db-primary-free-storage")).toMatchObject({ metricName: "FreeStorageSpace", comparisonOperator: "LessThanThreshold", threshold: 5 * 1024 ** 3 });
        expect(byRole(specs, "db-primary-freeable-memory")).toMatchObject({ metricName: "FreeableMemory", comparisonOperator: "LessThanThreshold", threshold: 128 * 1024 ** 2 });
        expect(byRole(specs, "db-primary-connections")).toMatchObject({ metricName: "DatabaseConnections", threshold: 40 });
        expect(byRole(specs, "db-primary-cpu")).toMatchObject({ metricName: "CPUUtilization", threshold: t.dbCpuPercent });
    });

    it("each replica: lag above the threshold, replication stopped (lag -1), CPU", () => {
        const specs = replicaAlarms({ name: "replica-2", identifier: "app-replica-2" }, t);
        for (const s of specs) expect(s.dimensions).toEqual({ DBInstanceIdentifier: "app-replica-2" });
        expect(byRole(specs, "replica-2-lag")).toMatchObject({ metricName: "ReplicaLag", comparisonOperator: "GreaterThanThreshold", threshold: 15 });
        expect(byRole(specs, "replica-2-replication-stopped")).toMatchObject({ metricName: "ReplicaLag", comparisonOperator: "LessThanThreshold", threshold: 0, statistic: "Maximum" });
        expect(byRole(specs, "replica-2-cpu").metricName).toBe("CPUUtilization");
    });

    it.each([
        ["primary", primaryDbAlarms("app-primary", t), "db-primary-liveness", "app-primary"],
        ["replica", replicaAlarms({ name: "replica-2", identifier: "app-replica-2" }, t), "replica-2-liveness", "app-replica-2"],
    ])("the %s has a liveness alarm: no CPUUtilization sample for 3 of 3 minutes, and silence is the failure", (_kind, specs, role, identifier) => {
        expect(byRole(specs, role)).toMatchObject({
            namespace: "AWS/RDS",
            metricName: "CPUUtilization",
            dimensions: { DBInstanceIdentifier: identifier },
            statistic: "SampleCount",
            period: 60,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            treatMissingData: "breaching",
        });
    });

    it("the liveness alarm is the only DB alarm for which silence is breaching: the others stay quiet when the instance is gone", () => {
        const specs = [...primaryDbAlarms("p", t), ...replicaAlarms({ name: "replica-1", identifier: "r" }, t)];
        expect(specs.filter((s) => s.treatMissingData === "breaching").map((s) => s.role)).toEqual(["db-primary-liveness", "replica-1-liveness"]);
    });

    it("the liveness descriptions say what is lost and where to look first, for the writer and for a replica", () => {
        const writer = dbLivenessAlarm({ role: "x", who: "The primary database", writer: true, identifier: "p" }).description;
        const reader = dbLivenessAlarm({ role: "y", who: "The read replica replica-1", writer: false, identifier: "r" }).description;
        expect(writer).toMatch(/^The primary database has sent no metrics for 3 minutes/);
        expect(writer).toContain("cannot write");
        expect(writer).toContain("dbPromoteReplica");
        expect(writer).toMatch(/Runbook: docs\/runbooks\/db-writer-fails\.md$/);
        expect(reader).toMatch(/^The read replica replica-1 has sent no metrics/);
        for (const d of [writer, reader]) expect(d).toMatch(/FIRST: .*describe-events --source-type db-instance/);
    });

    it("no step that fails: a replica can't be stopped, a deleted one needs --refresh, re-creating means a new identifier; the writer names both promotion steps", () => {
        const writer = dbLivenessAlarm({ role: "x", who: "The primary database", writer: true, identifier: "p" }).description;
        const reader = dbLivenessAlarm({ role: "y", who: "The read replica replica-1", writer: false, identifier: "r" }).description;
        const stopped = replicaAlarms({ name: "replica-1", identifier: "r" }, DEFAULT_THRESHOLDS).find((a) => a.role === "replica-1-replication-stopped")!.description;
        const storage = primaryDbAlarms("p", DEFAULT_THRESHOLDS, { allocatedGiB: 20, maxAllocatedGiB: 100 }).find((a) => a.role === "db-primary-free-storage")!.description;
        // RDS cannot stop a read replica (or a source that has replicas): no "start it" for a replica.
        expect(reader).not.toMatch(/start it|start-db-instance/i);
        expect(reader).toContain("RDS cannot stop a read replica");
        // A replica deleted outside Pulumi comes back only after a refresh.
        expect(reader).toContain("`pulumi up --refresh`");
        expect(reader).toContain("docs/runbooks/db-recreate-replica.md");
        // `--replace <urn>` on the instance keeps its identifier (create-before-delete collides): replace the suffix.
        for (const d of [reader, stopped]) expect(d).not.toContain("--replace <urn>");
        expect(stopped).toContain("`pulumi up --replace` on its id-suffix RandomId, not on the instance");
        // The writer only starts when it has no replicas; promotion takes two steps.
        expect(writer).toContain("stopped only while it has no replicas");
        expect(writer).toMatch(/dbPromoteReplica, then dbPromotionComplete/);
        expect(writer).toContain("docs/runbooks/db-writer-fails.md");
        // Raising allocated storage with a plain `up` waits for the maintenance window.
        expect(storage).toContain("--apply-immediately");
        expect(storage).toContain("waits for the maintenance window");
        for (const d of [writer, reader, stopped, storage]) expect(d).not.toContain("README");
    });

    it("a Multi-AZ DB cluster's instances: liveness, CPU, replica lag, free storage, freeable memory and connections each, role-neutral (any may be the writer)", () => {
        const specs = clusterInstanceAlarms({ name: "cluster-instance-2", identifier: "c-instance-2" }, DEFAULT_THRESHOLDS, 100);
        expect(specs.map((s) => s.role)).toEqual([
            "db-cluster-instance-2-liveness",
            "db-cluster-instance-2-cpu",
            "db-cluster-instance-2-replica-lag",
            "db-cluster-instance-2-free-storage",
            "db-cluster-instance-2-freeable-memory",
            "db-cluster-instance-2-connections",
        ]);
        for (const s of specs) expect(s.dimensions).toEqual({ DBInstanceIdentifier: "c-instance-2" });
        const lag = specs[2];
        expect(lag).toMatchObject({ metricName: "ReplicaLag", statistic: "Maximum", threshold: DEFAULT_THRESHOLDS.replicaLagSeconds, treatMissingData: "notBreaching" });
        expect(specs[0]).toMatchObject({ statistic: "SampleCount", treatMissingData: "breaching" });
        expect(specs[0].description).toContain("under 35 s");
        expect(specs[3].description).toContain("no storage autoscaling");
        for (const s of specs) expect(s.description.length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH - 200);
    });

    it("a cluster instance's memory and connection alarms are the instance ones (same metric, statistic, periods, threshold), on that instance, naming the writer runbook", () => {
        const t = { ...DEFAULT_THRESHOLDS, dbConnections: 321, dbFreeableMemoryMiB: 512 };
        const member = clusterInstanceAlarms({ name: "cluster-instance-1", identifier: "c-instance-1" }, t, 100);
        const primary = primaryDbAlarms("p", t);
        const same = (role: string, primaryRole: string) => {
            const { role: _r, description, dimensions, ...rest } = member.find((s) => s.role === role)!;
            const { role: _p, description: _d, dimensions: _pd, ...primaryRest } = primary.find((s) => s.role === primaryRole)!;
            expect(rest).toEqual(primaryRest);
            expect(dimensions).toEqual({ DBInstanceIdentifier: "c-instance-1" });
            expect(description).toContain("Runbook: docs/runbooks/db-writer-fails.md");
            expect(description).toContain("Multi-AZ DB cluster");
            expect(description).not.toContain("dbInstanceClass");
            return rest;
        };
        expect(same("db-cluster-instance-1-freeable-memory", "db-primary-freeable-memory")).toMatchObject({ metricName: "FreeableMemory", threshold: 512 * 1024 * 1024, comparisonOperator: "LessThanThreshold" });
        expect(same("db-cluster-instance-1-connections", "db-primary-connections")).toMatchObject({ metricName: "DatabaseConnections", threshold: 321, comparisonOperator: "GreaterThanThreshold" });
    });
});

describe("free storage vs. storage autoscaling", () => {
    const at = (dbFreeStorageGiB: number) => ({ ...DEFAULT_THRESHOLDS, dbFreeStorageGiB });

    it("the limit is half of the autoscaling trigger (10 % of the allocated storage)", () => {
        expect(AUTOSCALING_TRIGGER_FRACTION).toBe(0.1);
        expect(FREE_STORAGE_MAX_FRACTION).toBe(AUTOSCALING_TRIGGER_FRACTION / 2);
    });

    it.each([
        // [threshold GiB, allocated, max, problems]
        [1, 20, 100, []],
        [2.5, 50, 500, []],
        [2, 50, 500, []],
        [
            2,
            20,
            100,
            [
                "`thresholds.dbFreeStorageGiB` must be at most 5% of `database.allocatedStorageGiB` (1 GiB of 20 GiB) with storage autoscaling on: RDS adds storage when free space falls to 10% of the allocated storage, so a higher threshold pages on normal growth (got 2)",
            ],
        ],
        [
            5,
            50,
            500,
            [
                "`thresholds.dbFreeStorageGiB` must be at most 5% of `database.allocatedStorageGiB` (2.5 GiB of 50 GiB) with storage autoscaling on: RDS adds storage when free space falls to 10% of the allocated storage, so a higher threshold pages on normal growth (got 5)",
            ],
        ],
        // Without autoscaling the threshold only has to be below the size.
        [10, 20, undefined, []],
        [20, 20, undefined, ["`thresholds.dbFreeStorageGiB` must be below `database.allocatedStorageGiB` (20) (got 20)"]],
        [1, 20, 20, ["`database.maxAllocatedStorageGiB` must be greater than `database.allocatedStorageGiB` (20) (got 20)"]],
        [1, 0, undefined, ["`database.allocatedStorageGiB` must be a number above 0 (got 0)"]],
        [1, undefined, 100, ["`database.maxAllocatedStorageGiB` needs `database.allocatedStorageGiB`"]],
        [2, undefined, undefined, []],
    ])("threshold %p GiB, allocated %p GiB, max %p GiB → %p", (threshold, allocatedGiB, maxAllocatedGiB, problems) => {
        expect(freeStorageProblems(at(threshold), { allocatedGiB, maxAllocatedGiB })).toEqual(problems);
    });

    it("nothing to check without a database", () => {
        expect(freeStorageProblems(at(100), undefined)).toEqual([]);
    });

    it("property: an accepted threshold with autoscaling lies below the trigger for every size autoscaling can grow to", () => {
        // Violations collected and compared once (an expect per case cost ~0.25 s): see test/cidr.test.ts.
        const violations: string[] = [];
        for (let allocated = 20; allocated <= 400; allocated += 7) {
            for (let threshold = 1; threshold <= 30; threshold++) {
                if (freeStorageProblems(at(threshold), { allocatedGiB: allocated, maxAllocatedGiB: allocated * 5 }).length > 0) continue;
                for (let size = allocated; size <= allocated * 5; size += allocated / 2) {
                    if (!(threshold < size * AUTOSCALING_TRIGGER_FRACTION)) violations.push(`threshold ${threshold} GiB accepted for ${allocated} GiB, not below the trigger at ${size} GiB`);
                }
            }
        }
        expect(violations).toEqual([]);
    });

    it("the free-storage alarm names the autoscaling limit and why it fired only with autoscaling", () => {
        const withAs = byRole(primaryDbAlarms("p", at(1), { allocatedGiB: 20, maxAllocatedGiB: 100 }), "db-primary-free-storage");
        expect(withAs).toMatchObject({ metricName: "FreeStorageSpace", statistic: "Minimum", comparisonOperator: "LessThanThreshold", threshold: 1024 ** 3 });
        expect(withAs.description).toContain("less than 1 GiB of free storage");
        expect(withAs.description).toContain("adds storage when free space falls to 10% of the allocated storage (this threshold is below that)");
        expect(withAs.description).toContain("100 GiB limit (dbMaxAllocatedStorageGiB)");
        expect(withAs.description).toMatch(/FIRST: read the RDS events/);
        const without = byRole(primaryDbAlarms("p", at(1)), "db-primary-free-storage").description;
        expect(without).not.toContain("autoscaling adds storage");
        expect(without).toMatch(/FIRST: /);
    });
});

describe("RDS events", () => {
    it("the topic gets the db-instance categories that report an instance failing, going away or running out of room", () => {
        expect([...RDS_EVENT_CATEGORIES].sort()).toEqual(
            ["availability", "deletion", "failover", "failure", "low storage", "maintenance", "notification", "read replica", "recovery"].sort(),
        );
    });

    it("but not the routine ones that every deployment or backup produces", () => {
        for (const routine of ["backup", "configuration change", "creation", "restoration"]) expect(RDS_EVENT_CATEGORIES).not.toContain(routine);
    });
});

describe("WAF and health check alarms", () => {
    it("WAF blocks: the web ACL's total (Rule ALL) in its region, by the ACL's metric name, summed over 5 minutes", () => {
        const [s] = wafAlarms({ webAclMetricName: "webAclMetric", region: "eu-west-1" }, { ...DEFAULT_THRESHOLDS, wafBlockedPer5Min: 900 });
        expect(s).toMatchObject({
            namespace: "AWS/WAFV2",
            metricName: "BlockedRequests",
            dimensions: { WebACL: "webAclMetric", Region: "eu-west-1", Rule: "ALL" },
            statistic: "Sum",
            period: 300,
            threshold: 900,
        });
    });

    it("health check: HealthCheckStatus below 1 by HealthCheckId; silence is an outage", () => {
        expect(healthCheckAlarm("hc-1", "https://www.example.com/health", "eu-west-1")).toMatchObject({
            namespace: "AWS/Route53",
            metricName: "HealthCheckStatus",
            dimensions: { HealthCheckId: "hc-1" },
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            treatMissingData: "breaching",
        });
    });
});

describe("every alarm, for every stack shape (property)", () => {
    const shapes = [];
    for (let servers = 1; servers <= 12; servers++) for (let replicas = 0; replicas <= 5; replicas++) shapes.push([servers, replicas]);

    it.each(shapes)("%i servers, %i replicas: unique roles, valid CloudWatch settings, a description that says what to do", (servers, replicas) => {
        const specs = allSpecs(servers, replicas);
        expect(new Set(specs.map((s) => s.role)).size).toBe(specs.length);
        // Each spec's violations, named, compared once (13 expects × every spec × 72 shapes cost ~1.2 s).
        const violations: string[] = [];
        const check = (s: (typeof specs)[number], ok: boolean, what: string) => {
            if (!ok) violations.push(`${s.role}: ${what}`);
        };
        for (const s of specs) {
            check(s, /^[a-z0-9]+(-[a-z0-9]+)*$/.test(s.role), "role is not lower-case words joined by hyphens");
            // Exactly one of statistic / extendedStatistic (PutMetricAlarm rejects both or neither).
            check(s, Number(s.statistic !== undefined) + Number(s.extendedStatistic !== undefined) === 1, "not exactly one of statistic / extendedStatistic");
            check(s, [10, 20, 30].includes(s.period) || s.period % 60 === 0, `period ${s.period} is neither 10, 20, 30 nor a multiple of 60`);
            check(s, s.datapointsToAlarm >= 1, `datapointsToAlarm ${s.datapointsToAlarm} < 1`);
            check(s, s.datapointsToAlarm <= s.evaluationPeriods, `datapointsToAlarm ${s.datapointsToAlarm} > evaluationPeriods ${s.evaluationPeriods}`);
            // CloudWatch evaluates at most one day: evaluationPeriods × period ≤ 86,400 s.
            check(s, s.evaluationPeriods * s.period <= 86400, `evaluationPeriods × period = ${s.evaluationPeriods * s.period} > 86400`);
            check(s, ["missing", "ignore", "breaching", "notBreaching"].includes(s.treatMissingData), `treatMissingData ${s.treatMissingData}`);
            check(s, Number.isFinite(s.threshold), `threshold ${s.threshold} is not finite`);
            check(s, typeof s.description === "string" && /FIRST: /.test(s.description), "description has no FIRST:");
            // The on-call engineer's next stop; test/docs.test.ts checks the file exists.
            check(s, typeof s.description === "string" && /Runbooks?: docs\/runbooks\/[a-z-]+\.md/.test(s.description), "description names no runbook");
            // Room for the component's "Dashboard: <url>" footer within PutMetricAlarm's limit.
            check(s, s.description.length <= MAX_DESCRIPTION_LENGTH - 200, `description is ${s.description.length} characters, over ${MAX_DESCRIPTION_LENGTH - 200}`);
        }
        expect(violations).toEqual([]);
        // No alarm acts on EC2 any more: the Auto Scaling group replaces a failed server.
        expect(specs.filter((s) => s.ec2Action !== undefined)).toEqual([]);
        // Every DB instance, the primary and each replica, has exactly one liveness alarm on its own identifier.
        const liveness = specs.filter((s) => s.role.endsWith("-liveness"));
        expect(liveness.map((s) => s.dimensions.DBInstanceIdentifier)).toEqual(["app-primary", ...Array.from({ length: replicas }, (_, i) => `app-replica-${i + 1}`)]);
    });
});
