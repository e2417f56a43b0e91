/**
 * The stack's CloudWatch alarms as data: which metric, which statistic, over how long, against what
 * threshold, what missing data means, and what the person who receives it should do first.
 * Pure: no Pulumi, no AWS. `components/monitoring.ts` turns each spec into a `MetricAlarm`.
 *
 * The functions are generic in the dimension value `V`, so the component can pass resource outputs
 * (`Output<string>`) and the tests plain strings: a spec only places the value, it never reads it.
 *
 * Choices that apply to many alarms:
 * - Every alarm sends both ALARM and OK to the topic, so the person paged also learns of recovery.
 * - `treatMissingData` is chosen per alarm, by what silence means for that metric:
 *   - `notBreaching` for counts that CloudWatch only publishes when non-zero (5xx, rejected
 *     connections, WAF blocks) and for "too high" metrics where no data means idle or gone (CPU,
 *     latency, connections, replica lag): the outage itself is caught by the host-count and health
 *     check alarms, which would otherwise double-page.
 *   - `breaching` for "is anything healthy" alarms (healthy hosts, the external health check): no
 *     data is no evidence of health, and these are the alarms that must not stay silent.
 *   - `missing` (keep the last state) for alarms that trigger an EC2 action — a stopped instance
 *     publishes no status checks and must never be "recovered" or rebooted because of silence — and
 *     for free storage/memory, where a gap says nothing about the resource.
 *   Because the per-metric alarms of a database are quiet when it stops publishing, every DB instance
 *   also has a liveness alarm (`dbLivenessAlarm`) for which silence is the failure, and the component
 *   subscribes the topic to the instances' RDS events (`RDS_EVENT_CATEGORIES`).
 */

/** Alarm thresholds; the stack passes `cfg.monitoring` (settings `alarm*`). */
export interface MonitoringThresholds {
    /** The web fleet's average CPU, percent, over 5 minutes. */
    readonly webCpuPercent: number;
    /** The fullest web server's root disk, percent used (CloudWatch agent, by group), 10 minutes running. */
    readonly webDiskPercent: number;
    /** The web server with the least free memory, percent used (CloudWatch agent, by group), 10 minutes running. */
    readonly webMemoryPercent: number;
    /** p99 target response time, milliseconds, 5 minutes running. */
    readonly p99LatencyMs: number;
    /** 5xx responses per minute (load balancer's own, and targets'), 3 minutes running. */
    readonly http5xxPerMinute: number;
    /** A DB instance's CPU, percent, over 10 minutes. */
    readonly dbCpuPercent: number;
    /**
     * The primary's free storage floor, GiB. With storage autoscaling, at most
     * `FREE_STORAGE_MAX_FRACTION` (5 %) of the allocated storage: below the 10 % where RDS adds storage.
     */
    readonly dbFreeStorageGiB: number;
    /** The primary's freeable memory floor, MiB. */
    readonly dbFreeableMemoryMiB: number;
    /** Connections to the primary, 5 minutes running. */
    readonly dbConnections: number;
    /** A replica's lag behind the primary, seconds, 5 minutes running. */
    readonly replicaLagSeconds: number;
    /** Requests the WAF blocks in 5 minutes. */
    readonly wafBlockedPer5Min: number;
}

/** The same defaults as `infra/settings.ts` (a test keeps them equal). */
export const DEFAULT_THRESHOLDS: MonitoringThresholds = {
    webCpuPercent: 80,
    webDiskPercent: 85,
    webMemoryPercent: 90,
    p99LatencyMs: 1000,
    http5xxPerMinute: 10,
    dbCpuPercent: 80,
    dbFreeStorageGiB: 1,
    dbFreeableMemoryMiB: 64,
    dbConnections: 60,
    replicaLagSeconds: 30,
    wafBlockedPer5Min: 500,
};

export type TreatMissingData = "missing" | "ignore" | "breaching" | "notBreaching";
export type ComparisonOperator = "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
export type Statistic = "Average" | "Sum" | "Minimum" | "Maximum" | "SampleCount";
/** EC2 alarm actions (`arn:<partition>:automate:<region>:ec2:<action>`). */
export type Ec2Action = "recover" | "reboot";

/** One CloudWatch metric alarm, in `aws.cloudwatch.MetricAlarm` terms. */
export interface AlarmSpec<V = string> {
    /** Stable role; the alarm resource is named `${component}-${role}`, so this is state. */
    readonly role: string;
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, V>>;
    /** Exactly one of `statistic` and `extendedStatistic` is set. */
    readonly statistic?: Statistic;
    /** A percentile such as `p99`. */
    readonly extendedStatistic?: string;
    /** Seconds per datapoint. */
    readonly period: number;
    readonly evaluationPeriods: number;
    /** Breaching datapoints among `evaluationPeriods` that raise the alarm ("M of N"). */
    readonly datapointsToAlarm: number;
    readonly comparisonOperator: ComparisonOperator;
    /** In the metric's unit: seconds for TargetResponseTime, bytes for RDS storage and memory. */
    readonly threshold: number;
    readonly treatMissingData: TreatMissingData;
    /** Percentile alarms only: `ignore` keeps the state when too few requests make p99 meaningless. */
    readonly evaluateLowSampleCountPercentiles?: "ignore" | "evaluate";
    /** What broke, its impact, and the first thing to do. At most 1024 characters (PutMetricAlarm). */
    readonly description: string;
    /** An EC2 action CloudWatch takes on ALARM, besides notifying. */
    readonly ec2Action?: Ec2Action;
}

/**
 * The metric and condition of a spec as `aws.cloudwatch.MetricAlarm` arguments: everything but the
 * description, actions and tags, which the component that declares the alarm decides. One mapping for
 * every alarm built from a spec (Monitoring's, and the web fleet's refresh gate).
 */
export function metricAlarmArgs<V>(spec: AlarmSpec<V>) {
    return {
        namespace: spec.namespace,
        metricName: spec.metricName,
        dimensions: spec.dimensions,
        ...(spec.extendedStatistic ? { extendedStatistic: spec.extendedStatistic } : { statistic: spec.statistic }),
        ...(spec.evaluateLowSampleCountPercentiles ? { evaluateLowSampleCountPercentiles: spec.evaluateLowSampleCountPercentiles } : {}),
        period: spec.period,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm,
        comparisonOperator: spec.comparisonOperator,
        threshold: spec.threshold,
        treatMissingData: spec.treatMissingData,
    };
}

/** PutMetricAlarm's limit on `AlarmDescription`. */
export const MAX_DESCRIPTION_LENGTH = 1024;

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** Names of servers and replicas become part of resource names and alarm roles. */
export const LABEL_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** AWS partition of a region: `aws`, `aws-cn` or `aws-us-gov`. */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

/** ARN of an EC2 alarm action, which must be in the alarm's (and the instance's) region. */
export function ec2ActionArn(action: Ec2Action, region: string): string {
    return `arn:${partitionOf(region)}:automate:${region}:ec2:${action}`;
}

/**
 * Complete thresholds from defaults; returns the problems (one line each) with the values. Only the
 * threshold keys are read, so the stack can pass `cfg.monitoring` as is (it also holds `alertEmail`).
 */
export function resolveThresholds(partial: Partial<MonitoringThresholds> = {}): { thresholds: MonitoringThresholds; problems: string[] } {
    const thresholds: Record<keyof MonitoringThresholds, number> = { ...DEFAULT_THRESHOLDS };
    const problems: string[] = [];
    for (const key of Object.keys(DEFAULT_THRESHOLDS) as (keyof MonitoringThresholds)[]) {
        const value: unknown = partial[key];
        if (value === undefined) continue;
        const percent = key === "webCpuPercent" || key === "dbCpuPercent" || key === "webDiskPercent" || key === "webMemoryPercent";
        if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || (percent && value > 100)) {
            problems.push(`\`thresholds.${key}\` must be a number ${percent ? "from above 0 to 100" : "above 0"} (got ${JSON.stringify(value)})`);
            continue;
        }
        thresholds[key] = value;
    }
    return { thresholds, problems };
}

// ---- load balancer -------------------------------------------------------------------------------

/** Dimension values of the load balancer and its target group: their `arnSuffix`es. */
export interface LoadBalancerDimensions<V> {
    /** `app/<name>/<id>` */
    readonly loadBalancer: V;
    /** `targetgroup/<name>/<id>` */
    readonly targetGroup: V;
}

/**
 * Alarms on the ALB (namespace `AWS/ApplicationELB`). Target metrics (host counts, target 5xx,
 * response time) use the TargetGroup + LoadBalancer dimensions; what the load balancer does itself
 * (its own 5xx, rejected connections) uses LoadBalancer alone.
 *
 * Host counts use `Maximum`: every load balancer node reports its own view each minute, and the
 * maximum is the most optimistic one, so "Maximum < N" means no node saw N healthy targets in the
 * whole minute — a real loss, not one node's lagging sample. Target health checks already debounce
 * (several failed checks before a target is unhealthy), so 1-2 minutes on top is enough.
 *
 * @param expectedHealthyHosts how many web servers should be healthy; the redundancy alarm fires
 *   below it (only created when it is ≥ 2: with one server there is no redundancy to lose).
 */
export function loadBalancerAlarms<V>(lb: LoadBalancerDimensions<V>, expectedHealthyHosts: number, t: MonitoringThresholds): AlarmSpec<V>[] {
    const ns = "AWS/ApplicationELB";
    const lbOnly = { LoadBalancer: lb.loadBalancer };
    const tg = { TargetGroup: lb.targetGroup, LoadBalancer: lb.loadBalancer };
    const specs: AlarmSpec<V>[] = [
        {
            role: "lb-unhealthy-hosts",
            namespace: ns,
            metricName: "UnHealthyHostCount",
            dimensions: tg,
            statistic: "Maximum",
            // Longer than a boot: every new server (scale-out, replacement, instance refresh) is registered
            // as soon as it is InService and reads `unhealthy` until its user data serves /health, within
            // the group's 300 s grace period. 7 of 7 minutes pages only for a server that stays unhealthy
            // past that: one the group is failing to replace.
            period: 60,
            evaluationPeriods: UNHEALTHY_HOST_MINUTES,
            datapointsToAlarm: UNHEALTHY_HOST_MINUTES,
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            treatMissingData: "notBreaching",
            description:
                `A web server has failed the load balancer's health checks for ${UNHEALTHY_HOST_MINUTES} minutes: longer than a new server takes to boot, so the Auto Scaling group is not managing to replace it. The load balancer no longer sends it traffic; the others carry the load. ` +
                "FIRST: EC2 > Target groups > Targets shows which server and why (timeout, 5xx, connection refused); `aws autoscaling describe-scaling-activities` shows whether replacements fail. Runbook: docs/runbooks/web-server-fails.md",
        },
    ];
    if (expectedHealthyHosts >= 2) {
        specs.push({
            role: "lb-redundancy-lost",
            namespace: ns,
            metricName: "HealthyHostCount",
            dimensions: tg,
            statistic: "Maximum",
            period: 60,
            evaluationPeriods: 2,
            datapointsToAlarm: 2,
            comparisonOperator: "LessThanThreshold",
            threshold: expectedHealthyHosts,
            treatMissingData: "breaching",
            description:
                `Fewer than ${expectedHealthyHosts} web servers (the configured count) have been healthy behind the load balancer for 2 minutes. The site is up, but redundancy is lost: one more failure is an outage. ` +
                "FIRST: find the missing target in the target group (unhealthy, draining or not registered); the Auto Scaling group should be replacing it: aws autoscaling describe-scaling-activities says whether launches fail. Runbook: docs/runbooks/web-server-fails.md",
        });
    }
    specs.push(
        {
            role: "lb-no-healthy-hosts",
            namespace: ns,
            metricName: "HealthyHostCount",
            dimensions: tg,
            statistic: "Maximum",
            period: 60,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            treatMissingData: "breaching",
            description:
                "OUTAGE: no web server is healthy behind the load balancer; every request gets a 502/503. " +
                "FIRST: read the targets' health reasons in the target group. If all fail the same way, suspect the last change (deploy, security group, config) and roll it back; active-passive: the failover function moves a Standby server in service (its log says so). Runbooks: docs/runbooks/web-server-fails.md, docs/runbooks/web-failover.md",
        },
        {
            role: "lb-elb-5xx",
            namespace: ns,
            metricName: "HTTPCode_ELB_5XX_Count",
            dimensions: lbOnly,
            statistic: "Sum",
            period: 60,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            comparisonOperator: "GreaterThanThreshold",
            threshold: t.http5xxPerMinute,
            treatMissingData: "notBreaching",
            description:
                `The load balancer itself returned more than ${t.http5xxPerMinute} 5xx responses a minute for 3 minutes (502: a target closed or broke the connection; 503: no healthy target; 504: a target timed out). ` +
                "FIRST: check the healthy-host alarms and the latency graph on the dashboard; the ALB access logs (elb_status_code, target_status_code, target) show which server failed. Runbook: docs/runbooks/web-server-fails.md",
        },
        {
            role: "lb-target-5xx",
            namespace: ns,
            metricName: "HTTPCode_Target_5XX_Count",
            dimensions: tg,
            statistic: "Sum",
            period: 60,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            comparisonOperator: "GreaterThanThreshold",
            threshold: t.http5xxPerMinute,
            treatMissingData: "notBreaching",
            description:
                `The web servers returned more than ${t.http5xxPerMinute} 5xx responses a minute for 3 minutes: the application is failing requests. ` +
                "FIRST: read the application error log on the servers (SSM session) and check the database alarms; if a deploy just happened, roll it back. Runbook: docs/runbooks/roll-back.md",
        },
        {
            role: "lb-p99-latency",
            namespace: ns,
            metricName: "TargetResponseTime",
            dimensions: tg,
            extendedStatistic: "p99",
            period: 60,
            evaluationPeriods: 5,
            datapointsToAlarm: 5,
            comparisonOperator: "GreaterThanThreshold",
            // TargetResponseTime is in seconds.
            threshold: t.p99LatencyMs / 1000,
            treatMissingData: "notBreaching",
            // With a handful of requests a minute, p99 is one slow request: don't page on it.
            evaluateLowSampleCountPercentiles: "ignore",
            description:
                `The slowest 1% of requests (p99 target response time) took longer than ${t.p99LatencyMs} ms for 5 minutes. ` +
                "FIRST: on the dashboard, compare web server CPU with database CPU, connections and replica lag; slow queries on the primary are the usual cause (Performance Insights, slow query log). Runbook: docs/runbooks/web-server-fails.md",
        },
        {
            role: "lb-rejected-connections",
            namespace: ns,
            metricName: "RejectedConnectionCount",
            dimensions: lbOnly,
            statistic: "Sum",
            period: 60,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            treatMissingData: "notBreaching",
            description:
                "The load balancer rejected client connections because it reached its maximum number of connections; those clients got connection errors. " +
                "FIRST: look for a traffic spike on the dashboard (requests, WAF blocks): an attack calls for WAF rules, a known event for a load balancer capacity reservation. Runbook: docs/runbooks/web-server-fails.md",
        },
    );
    return specs;
}

// ---- the builder ----------------------------------------------------------------------------------

/** A CloudWatch metric: what is measured, how datapoints are aggregated, and over how long. */
export interface Metric<V> {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, V>>;
    readonly statistic: Statistic;
    /** Seconds per datapoint. */
    readonly period: number;
}

/** A metric, aggregated with `statistic` over `period` seconds (60 unless said). */
export function metric<V>(namespace: string, metricName: string, dimensions: Readonly<Record<string, V>>, statistic: Statistic, period = 60): Metric<V> {
    return { namespace, metricName, dimensions, statistic, period };
}

/** When an alarm on a metric fires: `comparison threshold` in `datapoints` of the last `periods` periods. */
export interface AlarmWhen {
    readonly comparison: ComparisonOperator;
    readonly threshold: number;
    readonly periods: number;
    /** @default periods (every datapoint of the window breaches) */
    readonly datapoints?: number;
    readonly missing: TreatMissingData;
}

/** One alarm spec from a metric and a condition: the builder every fleet alarm goes through. */
export function alarmOn<V>(role: string, m: Metric<V>, when: AlarmWhen, description: string): AlarmSpec<V> {
    return {
        role,
        namespace: m.namespace,
        metricName: m.metricName,
        dimensions: m.dimensions,
        statistic: m.statistic,
        period: m.period,
        evaluationPeriods: when.periods,
        datapointsToAlarm: when.datapoints ?? when.periods,
        comparisonOperator: when.comparison,
        threshold: when.threshold,
        treatMissingData: when.missing,
        description,
    };
}

// ---- web fleet -----------------------------------------------------------------------------------

export interface WebFleetDimensions<V> {
    /** The Auto Scaling group's name: the `AutoScalingGroupName` dimension. */
    readonly autoScalingGroupName: V;
    /** The group's minimum: fewer in service than this is lost redundancy (or an outage). */
    readonly minSize: number;
}

/**
 * The fleet's alarms, by `AutoScalingGroupName`. The group replaces a failed server by itself, so
 * there are no per-instance recover/reboot alarms any more: a server whose host or OS fails stops
 * passing the load balancer's health check and is replaced (launch first, then terminate). What is
 * left to page about is the group failing to keep its minimum, and a fleet-wide CPU squeeze.
 *
 * - `web-in-service-below-min`: `GroupInServiceInstances` (a group metric: the group must have
 *   metrics collection enabled, which WebServers does) below the minimum for 5 minutes. Replacing a
 *   server takes about 3 minutes (docs/web-tier.md), so 5 minutes means a replacement is not
 *   happening: launches failing (capacity, quota, a broken template) or a server failing health
 *   checks in a loop. Silence is breaching: a group that publishes nothing is no evidence of servers.
 * - `web-cpu`: the fleet's average CPU (AWS/EC2 by AutoScalingGroupName) above the threshold for
 *   5 minutes, which target tracking should have prevented: the group is at its maximum, or the
 *   scaling is too slow for the ramp.
 */
export function webFleetAlarms<V>(fleet: WebFleetDimensions<V>, t: MonitoringThresholds): AlarmSpec<V>[] {
    const byGroup = { AutoScalingGroupName: fleet.autoScalingGroupName };
    return [
        alarmOn(
            "web-in-service-below-min",
            metric("AWS/AutoScaling", "GroupInServiceInstances", byGroup, "Minimum"),
            { comparison: "LessThanThreshold", threshold: fleet.minSize, periods: 5, missing: "breaching" },
            `Fewer than ${fleet.minSize} web servers (the group minimum, webServerCount) have been in service for 5 minutes: the Auto Scaling group is not managing to replace a failed server. ` +
                "FIRST: aws autoscaling describe-scaling-activities --auto-scaling-group-name <webAutoScalingGroupName> shows why launches fail or servers are replaced. Runbook: docs/runbooks/web-server-fails.md",
        ),
        alarmOn(
            "web-cpu",
            metric("AWS/EC2", "CPUUtilization", byGroup, "Average"),
            { comparison: "GreaterThanThreshold", threshold: t.webCpuPercent, periods: 5, missing: "notBreaching" },
            `The web fleet's average CPU has been above ${t.webCpuPercent}% for 5 minutes although target tracking adds servers: the group is probably at webServerMaxCount, or load rose faster than servers boot. ` +
                "FIRST: compare the group's in-service count with its maximum on the dashboard; raise webServerMaxCount, or move to a larger webInstanceType (a pulumi up rolls it by instance refresh). Runbook: docs/runbooks/web-rolling-deploy.md",
        ),
        // The CloudWatch agent publishes both per server and aggregated by AutoScalingGroupName
        // (components/assets/web/cloudwatch-agent.json `aggregation_dimensions`); Maximum is the worst
        // server. Neither fails the load balancer's health check (/health is static), so the group never
        // replaces such a server: only this alarm tells a person. Missing data (no agent yet) is no signal.
        alarmOn(
            "web-disk",
            metric("CWAgent", "disk_used_percent", byGroup, "Maximum"),
            { comparison: "GreaterThanThreshold", threshold: t.webDiskPercent, periods: 10, missing: "notBreaching" },
            `A web server's root disk has been more than ${t.webDiskPercent}% full for 10 minutes. A full disk stops nginx logging and the application writing, and /health (static) keeps it in rotation. ` +
                "FIRST: find the server (dashboard, or CWAgent disk_used_percent by InstanceId), open an SSM session and look at /var/log and the application's data; terminate it (`aws autoscaling terminate-instance-in-auto-scaling-group --no-should-decrement-desired-capacity`) to get a fresh one, and raise webRootVolumeSizeGiB if it recurs. Runbook: docs/runbooks/web-server-fails.md",
        ),
        alarmOn(
            "web-memory",
            metric("CWAgent", "mem_used_percent", byGroup, "Maximum"),
            { comparison: "GreaterThanThreshold", threshold: t.webMemoryPercent, periods: 10, missing: "notBreaching" },
            `A web server has used more than ${t.webMemoryPercent}% of its memory for 10 minutes: the kernel will soon kill processes (nginx, the application). ` +
                "FIRST: find the server (CWAgent mem_used_percent by InstanceId), look for a leaking process over SSM (`ps aux --sort=-rss`); terminate it for a fresh one, and move to a larger webInstanceType if the application needs more. Runbook: docs/runbooks/web-server-fails.md",
        ),
    ];
}

/** Namespace of the metrics the failover function's log lines feed (metric filters, components/standbyFailover.ts). */
export const FAILOVER_METRIC_NAMESPACE = "web-infra/WebFailover";

export interface StandbyFailoverDimensions<V> {
    /** The failover function's name (the `FunctionName` dimension of AWS/Lambda). */
    readonly functionName: V;
    /** The group's name: the `AutoScalingGroupName` dimension of the function's own metrics. */
    readonly autoScalingGroupName: V;
}

/**
 * Active-passive's failover, watched (components/standbyFailover.ts; its metrics come from the
 * function's log lines through metric filters, namespace `web-infra/WebFailover`):
 *
 * - `web-failover-errors`: the function failed (more than half its passes in an invocation) three
 *   minutes in a row: no failover would happen now.
 * - `web-standby-missing`: fewer standbys than configured for 15 minutes. A failover uses one and the
 *   replacement needs about 5 minutes to boot and be armed, and a refresh replaces them all; 15 minutes
 *   means they are not coming back (launches failing, the function stuck) or a failover found none.
 *   Silence is not breaching: the metric filter publishes only while one is missing.
 * - `web-failover`: a failover happened (at least one in a minute): a person should know, and find out
 *   why the active server failed. Its OK is the all-clear a minute later.
 */
export function standbyFailoverAlarms<V>(f: StandbyFailoverDimensions<V>): AlarmSpec<V>[] {
    const byGroup = { AutoScalingGroupName: f.autoScalingGroupName };
    const runbook = "Runbook: docs/runbooks/web-failover.md";
    return [
        alarmOn(
            "web-failover-errors",
            metric("AWS/Lambda", "Errors", { FunctionName: f.functionName }, "Sum"),
            { comparison: "GreaterThanOrEqualToThreshold", threshold: 1, periods: 3, missing: "notBreaching" },
            "The active-passive failover function has failed for 3 minutes: if the active web server fails now, no standby takes over. " +
                `FIRST: read the function's log group (<name>-failover-logs; lines with "event":"error") for the API error (permissions, throttling, the group renamed). ${runbook}`,
        ),
        // Errors has no data when the function does not run at all (schedule rule disabled, function
        // deleted, throttled): this one breaches on missing data. A run a minute: 5 in 5 minutes.
        alarmOn(
            "web-failover-not-running",
            metric("AWS/Lambda", "Invocations", { FunctionName: f.functionName }, "Sum", 300),
            { comparison: "LessThanThreshold", threshold: 1, periods: 1, missing: "breaching" },
            "The active-passive failover function has not run for 5 minutes: if the active web server fails now, no standby takes over. " +
                `FIRST: aws events describe-rule (State ENABLED? a planned failover disables it for a few minutes), then the function's throttles and configuration. ${runbook}`,
        ),
        // The function publishes standbysMissing on every pass (0 included; 0 too during an instance
        // refresh and for two grace periods after it, when standbys are relaunched by design): Minimum ≥ 1
        // over a period means every pass of it lacked a standby.
        alarmOn(
            "web-standby-missing",
            metric(FAILOVER_METRIC_NAMESPACE, "StandbysMissing", byGroup, "Minimum", 300),
            { comparison: "GreaterThanOrEqualToThreshold", threshold: 1, periods: 3, missing: "notBreaching" },
            "The web tier has had fewer Standby servers than webWarmStandbyCount on every pass of the failover function for 15 minutes (deploys excused): the next failure of the active server is an outage until a new server boots. " +
                `FIRST: aws autoscaling describe-auto-scaling-groups (lifecycle states) and describe-scaling-activities (failed launches); the function's log says what it waits for. ${runbook}`,
        ),
        alarmOn(
            "web-failover",
            metric(FAILOVER_METRIC_NAMESPACE, "Failovers", byGroup, "Sum"),
            { comparison: "GreaterThanOrEqualToThreshold", threshold: 1, periods: 1, missing: "notBreaching" },
            "The active web server failed and a Standby server was moved in service (failover performed); the failed server is being replaced and will become the next standby. " +
                `FIRST: find out why it failed (target health reason, nginx logs, EC2 status checks) before it happens again. ${runbook}`,
        ),
    ];
}

export interface RefreshGateDimensions<V> {
    /** `app/<name>/<id>` */
    readonly loadBalancer: V;
    /** `targetgroup/<name>/<id>` */
    readonly targetGroup: V;
}

/**
 * Minutes a target must stay unhealthy before `lb-unhealthy-hosts` pages: more than the web fleet's
 * health-check grace period (300 s, components/webServer.ts) plus the healthy checks, so a booting
 * server never pages.
 */
export const UNHEALTHY_HOST_MINUTES = 7;

/**
 * The alarms an instance refresh watches (`alarmSpecification`): while one of them is in ALARM the
 * refresh fails and stops, leaving the servers not yet replaced on the previous version. They notify
 * nobody (Monitoring's load-balancer alarms page for the same symptoms); their only job is to stop a
 * bad deploy while it is rolling.
 * - target 5xx above `http5xxPerMinute` for 2 minutes: the new version fails requests.
 * No gate on UnHealthyHostCount: every new server reads `unhealthy` from registration until its user
 * data serves /health, so such a gate would fail every refresh; a new server that never gets healthy
 * is replaced by the group and fails the refresh by itself.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/instance-refresh-rollback.html
 */
export function refreshGateAlarms<V>(lb: RefreshGateDimensions<V>, t: MonitoringThresholds): AlarmSpec<V>[] {
    const tg = { TargetGroup: lb.targetGroup, LoadBalancer: lb.loadBalancer };
    return [
        alarmOn(
            "refresh-gate-5xx",
            metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tg, "Sum"),
            { comparison: "GreaterThanThreshold", threshold: t.http5xxPerMinute, periods: 2, missing: "notBreaching" },
            `Rollback gate of the web fleet's instance refresh: the servers returned more than ${t.http5xxPerMinute} 5xx a minute for 2 minutes. During a refresh this fails (stops) the refresh: the servers not yet replaced keep the previous version. FIRST: revert the change and \`pulumi up\` (a new launch template version rolls the fleet back); find why the new version failed before deploying it again. Runbook: docs/runbooks/web-rolling-deploy.md`,
        ),
    ];
}

// ---- database ------------------------------------------------------------------------------------

/**
 * The RDS event categories the alert topic receives for every monitored DB instance (source type
 * `db-instance`), each a category of that source type in "Amazon RDS event categories and event
 * messages", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html#USER_Events.Messages.instance:
 * - `availability`: shut down, restarted, shut down because storage is full (RDS-EVENT-0004, -0006, -0221);
 * - `deletion`: the instance was deleted (-0003);
 * - `failover`: a Multi-AZ failover started or completed (-0013, -0015, -0049);
 * - `failure`: the instance failed, has incompatible parameters or network (-0031, -0035, -0036),
 *   storage autoscaling cannot scale or will reach its maximum (-0223, -0224), KMS key unreachable (-0418);
 * - `low storage`: storage exhausted, over 90 % used (-0007, -0089);
 * - `maintenance`: offline patching, host replacement (-0026, -0027, -0422);
 * - `notification`: stopped, started (-0087, -0088), allocated storage at 80 % of the autoscaling
 *   maximum (-0225) — the "close to maxAllocatedStorage" warning no metric can give;
 * - `read replica`: replication stopped or terminated, replica creation failed (-0045, -0057, -0202);
 * - `recovery`: instance and Multi-AZ recovery started and completed (-0020, -0021, -0052, -0053).
 * Left out as routine: backup, configuration change (every `pulumi up`, every autoscaling step),
 * creation, restoration.
 */
export const RDS_EVENT_CATEGORIES: readonly string[] = [
    "availability",
    "deletion",
    "failover",
    "failure",
    "low storage",
    "maintenance",
    "notification",
    "read replica",
    "recovery",
];

/**
 * RDS storage autoscaling adds storage when free space is at most 10 % of the allocated storage for
 * 5 minutes (and 6 hours have passed since the last storage change).
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html
 */
export const AUTOSCALING_TRIGGER_FRACTION = 0.1;

/**
 * The highest free-storage threshold, as a fraction of the allocated storage, while autoscaling is
 * on: half the trigger, so the 5 minutes RDS waits and the modification itself fit in between and
 * normal growth never pages. The allocated storage only grows, so a threshold below this fraction of
 * the initial size stays below it for good.
 */
export const FREE_STORAGE_MAX_FRACTION = 0.05;

/** The primary's storage, for the free-storage alarm. */
export interface DbStorage {
    /** Storage allocated at creation, GiB; autoscaling only ever grows it. */
    readonly allocatedGiB: number;
    /** Storage autoscaling limit, GiB, above `allocatedGiB`; absent: no autoscaling. */
    readonly maxAllocatedGiB?: number;
}

const gib = (n: number): string => `${Number(n.toFixed(2))} GiB`;

/**
 * Problems (one line each) of the storage sizes and of `thresholds.dbFreeStorageGiB` against them:
 * with autoscaling the threshold must be at most `FREE_STORAGE_MAX_FRACTION` of the allocated
 * storage, without it below the allocated storage.
 */
export function freeStorageProblems(t: Pick<MonitoringThresholds, "dbFreeStorageGiB">, storage: Partial<DbStorage> | undefined): string[] {
    if (storage === undefined) return [];
    const { allocatedGiB, maxAllocatedGiB } = storage;
    const positive = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;
    if (allocatedGiB === undefined) {
        return maxAllocatedGiB === undefined ? [] : ["`database.maxAllocatedStorageGiB` needs `database.allocatedStorageGiB`"];
    }
    if (!positive(allocatedGiB)) return [`\`database.allocatedStorageGiB\` must be a number above 0 (got ${JSON.stringify(allocatedGiB)})`];
    if (maxAllocatedGiB !== undefined && (!positive(maxAllocatedGiB) || maxAllocatedGiB <= allocatedGiB)) {
        return [`\`database.maxAllocatedStorageGiB\` must be greater than \`database.allocatedStorageGiB\` (${allocatedGiB}) (got ${JSON.stringify(maxAllocatedGiB)})`];
    }
    if (maxAllocatedGiB !== undefined) {
        const limit = allocatedGiB * FREE_STORAGE_MAX_FRACTION;
        return t.dbFreeStorageGiB <= limit
            ? []
            : [
                  `\`thresholds.dbFreeStorageGiB\` must be at most ${FREE_STORAGE_MAX_FRACTION * 100}% of \`database.allocatedStorageGiB\` (${gib(limit)} of ${gib(allocatedGiB)}) with storage autoscaling on: ` +
                      `RDS adds storage when free space falls to ${AUTOSCALING_TRIGGER_FRACTION * 100}% of the allocated storage, so a higher threshold pages on normal growth (got ${t.dbFreeStorageGiB})`,
              ];
    }
    return t.dbFreeStorageGiB < allocatedGiB ? [] : [`\`thresholds.dbFreeStorageGiB\` must be below \`database.allocatedStorageGiB\` (${allocatedGiB}) (got ${t.dbFreeStorageGiB})`];
}

/**
 * A DB instance's CPU above `dbCpuPercent` on average for 10 minutes (2 × 5 min); no data means no
 * load to report (the liveness alarm covers silence). Writer and replicas differ only in wording.
 */
function dbCpuAlarm<V>(role: string, dimensions: { DBInstanceIdentifier: V }, t: MonitoringThresholds, description: string): AlarmSpec<V> {
    return {
        role,
        namespace: "AWS/RDS",
        metricName: "CPUUtilization",
        dimensions,
        statistic: "Average",
        period: 300,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        comparisonOperator: "GreaterThanThreshold",
        threshold: t.dbCpuPercent,
        treatMissingData: "notBreaching",
        description,
    };
}

/**
 * Is the instance there at all? RDS sends an instance's metrics to CloudWatch every minute while it
 * runs, so CPUUtilization has one sample a minute; it falls silent when the instance is stopped,
 * deleted, failed, or its host or zone is down. Every other DB alarm is quiet then (their silence is
 * "OK" or "keep state"), so this one counts silence as breaching: `SampleCount < 1`, 3 of 3 minutes.
 * CloudWatch fills in missing datapoints only when its evaluation range (wider than the 3 periods)
 * holds fewer than 3 real ones, so a late datapoint does not raise it; a reboot or a Multi-AZ
 * failover (1-2 minutes) usually does not either, and the RDS events report those. Enhanced
 * Monitoring is no substitute: it writes OS metrics to CloudWatch Logs (RDSOSMetrics), not metrics.
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 *
 * @param db.role the alarm role; `db.who` how the description names the instance
 * @param db.writer whether it takes the writes (the primary) or serves reads (a replica)
 */
export function dbLivenessAlarm<V>(db: { readonly role: string; readonly who: string; readonly writer: boolean; readonly identifier: V }): AlarmSpec<V> {
    return {
        role: db.role,
        namespace: "AWS/RDS",
        metricName: "CPUUtilization",
        dimensions: { DBInstanceIdentifier: db.identifier },
        statistic: "SampleCount",
        period: 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        treatMissingData: "breaching",
        description:
            (db.writer
                ? `${db.who} has sent no metrics for 3 minutes: it failed, was deleted or stopped, or its host or zone is down. The site cannot write (or read, where it reads from the writer). `
                : `${db.who} has sent no metrics for 3 minutes: it failed or was deleted, or its host or zone is down (RDS cannot stop a read replica). Route 53 has taken it out of the reader name. `) +
            "FIRST: read its status and recent events in the RDS console (the events also come to this topic) or with `aws rds describe-events --source-type db-instance --duration 60`. " +
            (db.writer
                ? "With Multi-AZ, RDS fails over by itself (RDS-EVENT-0013, then -0015): wait for OK. Otherwise promote a replica (dbPromoteReplica, then dbPromotionComplete). A primary can be stopped only while it has no replicas: then `aws rds start-db-instance`. Runbook: docs/runbooks/db-writer-fails.md"
                : "Failed and not recovering: re-create it under a new identifier. Deleted outside Pulumi: `pulumi up --refresh` re-creates it (a plain `pulumi up` still believes it exists). Runbook: docs/runbooks/db-recreate-replica.md"),
    };
}

/**
 * The primary (namespace `AWS/RDS`, dimension DBInstanceIdentifier = the RDS `identifier`, not the
 * resource id). RDS publishes every minute; storage and memory thresholds are in bytes.
 *
 * @param storage the primary's allocated storage and autoscaling limit, for the free-storage
 *   description (validate the threshold against it with `freeStorageProblems`)
 */
export function primaryDbAlarms<V>(identifier: V, t: MonitoringThresholds, storage?: DbStorage): AlarmSpec<V>[] {
    const dims = { DBInstanceIdentifier: identifier };
    const autoscaling = storage?.maxAllocatedGiB !== undefined;
    return [
        dbLivenessAlarm({ role: "db-primary-liveness", who: "The primary database", writer: true, identifier }),
        dbCpuAlarm(
            "db-primary-cpu",
            dims,
            t,
            `The primary database's CPU was above ${t.dbCpuPercent}% for 10 minutes; queries and the site slow down. ` +
                "FIRST: find the top queries (Performance Insights, slow query log); send reads to the replicas; if the load is legitimate, move to a larger dbInstanceClass. Runbook: docs/runbooks/db-writer-fails.md",
        ),
        freeStorageAlarm(
            "db-primary-free-storage",
            dims,
            t,
            `The primary database has less than ${t.dbFreeStorageGiB} GiB of free storage; when it runs out, MySQL stops taking writes. ` +
                (autoscaling
                    ? `Storage autoscaling adds storage when free space falls to ${AUTOSCALING_TRIGGER_FRACTION * 100}% of the allocated storage (this threshold is below that), so it has not kept up: the volume is at its ${gib(storage.maxAllocatedGiB!)} limit (dbMaxAllocatedStorageGiB), it is within 6 hours of its last increase, or scaling failed. `
                    : "") +
                "FIRST: read the RDS events (autoscaling failure RDS-EVENT-0223/0224). Grow it now: `aws rds modify-db-instance --db-instance-identifier <id> --allocated-storage <GiB> --apply-immediately` (a `pulumi up` alone waits for the maintenance window), then set dbAllocatedStorageGiB (dbMaxAllocatedStorageGiB above it) to match. Then find what grew. Runbook: docs/runbooks/db-writer-fails.md",
        ),
        dbFreeableMemoryAlarm(
            "db-primary-freeable-memory",
            dims,
            t,
            `The primary database has had less than ${t.dbFreeableMemoryMiB} MiB of freeable memory for 10 minutes; it will swap, slow down, or be restarted by RDS. ` +
                "FIRST: check the connection count (each connection costs memory) and memory-hungry queries; the durable fix is a larger dbInstanceClass. Runbook: docs/runbooks/db-writer-fails.md",
        ),
        dbConnectionsAlarm(
            "db-primary-connections",
            dims,
            t,
            `The primary database has held more than ${t.dbConnections} connections for 5 minutes; at max_connections it refuses new ones and the site returns errors. ` +
                "FIRST: check whether requests pile up (latency alarm) or the application leaks connections; restart the application on the server holding the most (SHOW PROCESSLIST); raise the instance class if the load is real. Runbook: docs/runbooks/db-writer-fails.md",
        ),
    ];
}

/** A DB instance's FreeableMemory below `dbFreeableMemoryMiB` on average for 10 minutes (2 × 5 min); silence is for the liveness alarm. */
function dbFreeableMemoryAlarm<V>(role: string, dimensions: { DBInstanceIdentifier: V }, t: MonitoringThresholds, description: string): AlarmSpec<V> {
    return {
        role,
        namespace: "AWS/RDS",
        metricName: "FreeableMemory",
        dimensions,
        statistic: "Average",
        period: 300,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        comparisonOperator: "LessThanThreshold",
        threshold: t.dbFreeableMemoryMiB * MIB,
        treatMissingData: "missing",
        description,
    };
}

/** A DB instance's DatabaseConnections above `dbConnections` at its peak, 5 minutes running. */
function dbConnectionsAlarm<V>(role: string, dimensions: { DBInstanceIdentifier: V }, t: MonitoringThresholds, description: string): AlarmSpec<V> {
    return {
        role,
        namespace: "AWS/RDS",
        metricName: "DatabaseConnections",
        dimensions,
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
        comparisonOperator: "GreaterThanThreshold",
        threshold: t.dbConnections,
        treatMissingData: "notBreaching",
        description,
    };
}

export interface ReplicaDimensions<V> {
    /** Stable label, e.g. `replica-1`. */
    readonly name: string;
    /** The replica's RDS `identifier`. */
    readonly identifier: V;
}

/**
 * `FreeStorageSpace` (bytes) below `dbFreeStorageGiB`, on one 5-minute minimum: the writer's and each
 * Multi-AZ DB cluster instance's. Missing data is left as it is (the liveness alarm covers silence).
 */
function freeStorageAlarm<V>(role: string, dims: Readonly<Record<string, V>>, t: MonitoringThresholds, description: string): AlarmSpec<V> {
    return alarmOn(role, metric("AWS/RDS", "FreeStorageSpace", dims, "Minimum", 300), { comparison: "LessThanThreshold", threshold: t.dbFreeStorageGiB * GIB, periods: 1, missing: "missing" }, description);
}

/**
 * `ReplicaLag` (seconds behind the source; -1 when replication stopped) above `replicaLagSeconds` for
 * 5 minutes: a read replica's, and a Multi-AZ DB cluster reader's. Missing data is no signal here (the
 * liveness alarm covers silence).
 */
function replicaLagAlarm<V>(role: string, dims: Readonly<Record<string, V>>, t: MonitoringThresholds, description: string): AlarmSpec<V> {
    return alarmOn(role, metric("AWS/RDS", "ReplicaLag", dims, "Maximum"), { comparison: "GreaterThanThreshold", threshold: t.replicaLagSeconds, periods: 5, missing: "notBreaching" }, description);
}

/**
 * Per read replica. `ReplicaLag` is -1 when replication is not running (RDS MySQL), which a
 * "lag > N" alarm never sees: a separate alarm catches the stopped replica serving frozen data. A
 * replica that is gone publishes no ReplicaLag at all: its liveness alarm catches that.
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_MySQL.Replication.ReadReplicas.Monitor.html
 */
export function replicaAlarms<V>(replica: ReplicaDimensions<V>, t: MonitoringThresholds): AlarmSpec<V>[] {
    const dims = { DBInstanceIdentifier: replica.identifier };
    const n = replica.name;
    return [
        dbLivenessAlarm({ role: `${n}-liveness`, who: `The read replica ${n}`, writer: false, identifier: replica.identifier }),
        replicaLagAlarm(
            `${n}-lag`,
            dims,
            t,
            `${n} has been more than ${t.replicaLagSeconds} s behind the primary for 5 minutes: reads from it return stale data. ` +
                "FIRST: check the replica's CPU and the primary's write load on the dashboard; long transactions or schema changes on the primary are the usual cause. If the lag keeps growing, send reads to the primary until it catches up. Runbook: docs/runbooks/db-recreate-replica.md",
        ),
        {
            role: `${n}-replication-stopped`,
            namespace: "AWS/RDS",
            metricName: "ReplicaLag",
            dimensions: dims,
            statistic: "Maximum",
            period: 60,
            evaluationPeriods: 5,
            datapointsToAlarm: 5,
            comparisonOperator: "LessThanThreshold",
            threshold: 0,
            treatMissingData: "notBreaching",
            description:
                `Replication on ${n} has not been running for 5 minutes (ReplicaLag = -1): it serves data frozen at the moment it stopped. ` +
                "FIRST: read the Replication error on the replica in the RDS console and its RDS events; fix the cause, or re-create the replica under a new identifier: `pulumi up --replace` on its id-suffix RandomId, not on the instance. RDS ends replication that stays stopped for 30 days. Runbook: docs/runbooks/db-recreate-replica.md",
        },
        dbCpuAlarm(
            `${n}-cpu`,
            dims,
            t,
            `The CPU of ${n} was above ${t.dbCpuPercent}% for 10 minutes: reads slow down, and replication lag usually follows. ` +
                "FIRST: find the heavy read queries (Performance Insights); add a replica (dbReplicaCount) or move to a larger dbInstanceClass. Runbook: docs/runbooks/db-recreate-replica.md",
        ),
    ];
}

/**
 * One DB instance of a Multi-AZ DB cluster (RDS names the three; any of them may be the writer after a
 * failover, so the texts don't assume a role). Per instance: liveness (silence breaching, as for
 * instances), CPU, freeable memory and connections (the instance builders, the same thresholds),
 * free storage (each instance has its own volume, and there is no storage autoscaling), and replica lag: `ReplicaLag` per DB instance, as MySQL replicas publish it (the
 * standbys replicate natively from the writer; RDS User Guide, "Replica lag and Multi-AZ DB clusters").
 * Not checked against a live cluster: after the first deployment, confirm that the readers publish it
 * (`aws cloudwatch list-metrics --namespace AWS/RDS --metric-name ReplicaLag`) — the lag alarms stay
 * OK, not INSUFFICIENT_DATA, when the metric is missing. The writer publishes none, so missing data is
 * not breaching.
 */
export function clusterInstanceAlarms<V>(member: ReplicaDimensions<V>, t: MonitoringThresholds, allocatedGiB?: number): AlarmSpec<V>[] {
    const dims = { DBInstanceIdentifier: member.identifier };
    const n = member.name;
    const runbook = "docs/runbooks/db-writer-fails.md";
    return [
        {
            ...dbLivenessAlarm({ role: `db-${n}-liveness`, who: n, writer: true, identifier: member.identifier }),
            description:
                `${n} of the Multi-AZ DB cluster has sent no metrics for 3 minutes: it failed or its host or zone is down (a cluster's instances cannot be stopped one by one). ` +
                "If it was the writer, RDS fails over to a readable standby by itself, typically in under 35 s, and `writer` follows the cluster endpoint; RDS then replaces the failed instance. " +
                `FIRST: \`aws rds describe-events --source-type db-cluster --duration 60\` and the cluster's status; RDS recovers it by itself. Runbook: ${runbook}`,
        },
        dbCpuAlarm(
            `db-${n}-cpu`,
            dims,
            t,
            `The CPU of ${n} of the Multi-AZ DB cluster was above ${t.dbCpuPercent}% for 10 minutes; queries slow down, and on a standby replica lag follows. ` +
                `FIRST: find the top queries (Performance Insights, slow query log); if the load is legitimate, move to a larger dbClusterInstanceClass. Runbook: ${runbook}#the-writer-struggles-cpu-memory-connections-storage`,
        ),
        replicaLagAlarm(
            `db-${n}-replica-lag`,
            dims,
            t,
            `${n} of the Multi-AZ DB cluster has been more than ${t.replicaLagSeconds} s behind the writer for 5 minutes: reads through the reader name may be stale, and a failover to it would wait for it to apply the backlog. ` +
                `FIRST: check the writer's write load and long transactions on the dashboard; commits are safe (semi-synchronous: each waits for one standby), only the applying lags. Runbook: ${runbook}`,
        ),
        freeStorageAlarm(
            `db-${n}-free-storage`,
            dims,
            t,
            `${n} of the Multi-AZ DB cluster has less than ${t.dbFreeStorageGiB} GiB of free storage${allocatedGiB !== undefined ? ` of ${gib(allocatedGiB)}` : ""}; Multi-AZ DB clusters have no storage autoscaling, and when it runs out MySQL stops taking writes. ` +
                "FIRST: raise dbAllocatedStorageGiB (and dbIops within 0.5-50 per GiB for io1) and run `pulumi up`: a cluster's storage change waits for the maintenance window unless applied at once, so run `aws rds modify-db-cluster --db-cluster-identifier <id> --allocated-storage <GiB> --apply-immediately` first. Then find what grew. Runbook: " + runbook,
        ),
        dbFreeableMemoryAlarm(
            `db-${n}-freeable-memory`,
            dims,
            t,
            `${n} of the Multi-AZ DB cluster has had less than ${t.dbFreeableMemoryMiB} MiB of freeable memory for 10 minutes; it will swap, slow down, or be restarted by RDS (the writer: a failover). ` +
                "FIRST: check its connection count (each connection costs memory) and memory-hungry queries; the durable fix is a larger dbClusterInstanceClass, which waits for the maintenance window unless applied with " +
                `\`aws rds modify-db-cluster --db-cluster-identifier <id> --db-cluster-instance-class <class> --apply-immediately\`. Runbook: ${runbook}#the-writer-struggles-cpu-memory-connections-storage`,
        ),
        dbConnectionsAlarm(
            `db-${n}-connections`,
            dims,
            t,
            `${n} of the Multi-AZ DB cluster has held more than ${t.dbConnections} connections for 5 minutes; at max_connections it refuses new ones: the site returns errors (the writer) or reads fail (a reader). ` +
                `FIRST: check whether requests pile up (latency alarm) or the application leaks connections; restart the application on the server holding the most (SHOW PROCESSLIST); raise dbClusterInstanceClass if the load is real. Runbook: ${runbook}#the-writer-struggles-cpu-memory-connections-storage`,
        ),
    ];
}

/** RDS event categories of the source type `db-cluster` the alert topic receives (USER_Events.Messages: cluster events). */
export const RDS_CLUSTER_EVENT_CATEGORIES: readonly string[] = ["deletion", "failover", "failure", "maintenance", "notification"];

// ---- WAF -----------------------------------------------------------------------------------------

export interface WafDimensions<V> {
    /**
     * The web ACL's metric name, `visibilityConfig.metricName`: the `WebACL` dimension of its
     * `AWS/WAFV2` metrics. Not its name or ARN: the two may differ, and then an alarm on the name
     * watches a metric that does not exist and stays quiet through any attack.
     */
    readonly webAclMetricName: V;
    /** Region of a REGIONAL web ACL (an ALB's); CloudFront web ACLs have no Region dimension. */
    readonly region: string;
}

/**
 * A spike of requests blocked by the web ACL (namespace `AWS/WAFV2`). The web ACL's total is the
 * metric with `Rule = ALL`; a REGIONAL web ACL's metrics also carry `Region`; `WebACL` is the ACL's
 * `visibilityConfig.metricName` ("A name of the Amazon CloudWatch metric dimension":
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-wafv2-webacl-visibilityconfig.html). As used by
 * 18F/identity-pki (terraform/waf/module/alerts.tf) and cdk-monitoring-constructs' WafV2MetricFactory;
 * https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html
 */
export function wafAlarms<V>(waf: WafDimensions<V>, t: MonitoringThresholds): AlarmSpec<V | string>[] {
    return [
        {
            role: "waf-blocked-requests",
            namespace: "AWS/WAFV2",
            metricName: "BlockedRequests",
            dimensions: { WebACL: waf.webAclMetricName, Region: waf.region, Rule: "ALL" },
            statistic: "Sum",
            period: 300,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            comparisonOperator: "GreaterThanThreshold",
            threshold: t.wafBlockedPer5Min,
            treatMissingData: "notBreaching",
            description:
                `The WAF blocked more than ${t.wafBlockedPer5Min} requests in 5 minutes: an attack or scan in progress, or a rule blocking real users. ` +
                "FIRST: in WAF > Web ACLs > Sampled requests, see which rule blocks and which clients. Real users blocked: switch that rule to Count and tell the security owner. An attack: confirm the site is healthy and watch the rate limit. Runbook: docs/runbooks/web-server-fails.md",
        },
    ];
}

// ---- external health check -----------------------------------------------------------------------

/**
 * The Route 53 health check's status (namespace `AWS/Route53`, dimension HealthCheckId; 1 healthy,
 * 0 unhealthy). Route 53 publishes health-check metrics in us-east-1 only, so this alarm lives
 * there. Route 53 already waits for `failureThreshold` failed checks, and 2 minutes on top keep a
 * short internet blip from paging.
 *
 * @param url what is checked, for the description
 * @param stackRegion where the stack's other alarms are, for the description
 */
export function healthCheckAlarm<V>(healthCheckId: V, url: string, stackRegion: string): AlarmSpec<V> {
    return {
        role: "health-check",
        namespace: "AWS/Route53",
        metricName: "HealthCheckStatus",
        dimensions: { HealthCheckId: healthCheckId },
        statistic: "Minimum",
        period: 60,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        treatMissingData: "breaching",
        description:
            `The site is DOWN as seen from the internet: Route 53 health checkers in several regions get no 2xx/3xx from ${url}. ` +
            `FIRST: open the URL yourself, then check the load balancer alarms in ${stackRegion}. If those are OK, suspect DNS, the TLS certificate, or the WAF blocking the health checkers. Runbook: docs/runbooks/web-server-fails.md`,
    };
}
