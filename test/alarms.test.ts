import {
    AlarmSpec,
    DEFAULT_THRESHOLDS,
    MAX_DESCRIPTION_LENGTH,
    MonitoringThresholds,
    ec2ActionArn,
    healthCheckAlarm,
    loadBalancerAlarms,
    partitionOf,
    primaryDbAlarms,
    replicaAlarms,
    resolveThresholds,
    wafAlarms,
    webServerAlarms,
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
        ...Array.from({ length: servers }, (_, i) => webServerAlarms({ name: `web-${i + 1}`, instanceId: `i-0${i}` }, t)),
        ...primaryDbAlarms("app-primary", t),
        ...Array.from({ length: replicas }, (_, i) => replicaAlarms({ name: `replica-${i + 1}`, identifier: `app-replica-${i + 1}` }, t)),
        ...wafAlarms({ webAclName: "web-acl", region: "eu-west-1" }, t),
        healthCheckAlarm("hc-1", "https://www.example.com/health", "eu-west-1"),
    ].flat();
}

describe("thresholds", () => {
    it("defaults are the defaults of the alarm* settings", () => {
        const fromSettings: Record<keyof MonitoringThresholds, unknown> = {
            webCpuPercent: SETTINGS.alarmWebCpuPercent.default,
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

describe("web server alarms", () => {
    const specs = webServerAlarms({ name: "web-2", instanceId: "i-0abc" }, { ...DEFAULT_THRESHOLDS, webCpuPercent: 70 });

    it("watch the instance by id, in AWS/EC2", () => {
        expect(specs.map((s) => s.role)).toEqual(["web-2-system-check", "web-2-instance-check", "web-2-cpu"]);
        for (const s of specs) expect(s).toMatchObject({ namespace: "AWS/EC2", dimensions: { InstanceId: "i-0abc" } });
    });

    it("a failed system check recovers the instance: Maximum, 60 s, 2 of 2, never on missing data", () => {
        expect(byRole(specs, "web-2-system-check")).toMatchObject({
            metricName: "StatusCheckFailed_System",
            statistic: "Maximum",
            period: 60,
            evaluationPeriods: 2,
            datapointsToAlarm: 2,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            threshold: 1,
            treatMissingData: "missing",
            ec2Action: "recover",
        });
    });

    it("a failed instance check reboots it, unless turned off", () => {
        expect(byRole(specs, "web-2-instance-check")).toMatchObject({ metricName: "StatusCheckFailed_Instance", ec2Action: "reboot", treatMissingData: "missing" });
        const noReboot = webServerAlarms({ name: "web-2", instanceId: "i-0abc" }, DEFAULT_THRESHOLDS, false);
        expect(byRole(noReboot, "web-2-instance-check")).not.toHaveProperty("ec2Action");
        expect(byRole(noReboot, "web-2-instance-check").description).not.toContain("rebooted");
    });

    it("CPU is a 5-minute average (basic monitoring publishes every 5 minutes)", () => {
        expect(byRole(specs, "web-2-cpu")).toMatchObject({ metricName: "CPUUtilization", statistic: "Average", period: 300, threshold: 70 });
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
});

describe("WAF and health check alarms", () => {
    it("WAF blocks: the web ACL's total (Rule ALL) in its region, summed over 5 minutes", () => {
        const [s] = wafAlarms({ webAclName: "web-acl", region: "eu-west-1" }, { ...DEFAULT_THRESHOLDS, wafBlockedPer5Min: 900 });
        expect(s).toMatchObject({
            namespace: "AWS/WAFV2",
            metricName: "BlockedRequests",
            dimensions: { WebACL: "web-acl", Region: "eu-west-1", Rule: "ALL" },
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
        for (const s of specs) {
            expect(s.role).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
            // Exactly one of statistic / extendedStatistic (PutMetricAlarm rejects both or neither).
            expect(Number(s.statistic !== undefined) + Number(s.extendedStatistic !== undefined)).toBe(1);
            expect([10, 20, 30].includes(s.period) || s.period % 60 === 0).toBe(true);
            expect(s.datapointsToAlarm).toBeGreaterThanOrEqual(1);
            expect(s.datapointsToAlarm).toBeLessThanOrEqual(s.evaluationPeriods);
            // CloudWatch evaluates at most one day: evaluationPeriods × period ≤ 86,400 s.
            expect(s.evaluationPeriods * s.period).toBeLessThanOrEqual(86400);
            expect(["missing", "ignore", "breaching", "notBreaching"]).toContain(s.treatMissingData);
            expect(Number.isFinite(s.threshold)).toBe(true);
            expect(s.description).toMatch(/FIRST: /);
            // Room for the component's "Dashboard: <url>" footer within PutMetricAlarm's limit.
            expect(s.description.length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH - 200);
        }
        // One recover action per server, on its system check, and no other alarm acts on EC2 but the reboots.
        expect(specs.filter((s) => s.ec2Action === "recover").map((s) => s.role)).toEqual(Array.from({ length: servers }, (_, i) => `web-${i + 1}-system-check`));
        expect(specs.filter((s) => s.ec2Action === "reboot")).toHaveLength(servers);
    });
});
