/**
 * The CloudWatch dashboard body, from resolved plain values. Pure: no Pulumi, no AWS, so the layout
 * and every metric reference are unit-tested without the engine.
 *
 * Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
 * - a `widgets` array (0-500); each widget has `type`, `x` (0-23), `y`, `width` (1-24),
 *   `height` (1-1000) and `properties`; the grid is 24 units wide;
 * - a metric widget's `metrics` holds 1-100 entries, each
 *   `[Namespace, MetricName, DimName, DimValue, ..., {rendering options}]` or
 *   `[{ "expression": "...", "id": "...", "label": "..." }]`; `region` says where the metrics are;
 * - an alarm status widget lists 1-100 alarm ARNs in `properties.alarms`.
 */
import { MonitoringThresholds, partitionOf } from "./alarms";

export interface DashboardInput {
    /** Region of the stack: the default for every widget. */
    readonly region: string;
    /** Heading of the dashboard. */
    readonly title: string;
    readonly thresholds: MonitoringThresholds;
    readonly loadBalancer?: {
        /** `app/<name>/<id>` */
        readonly arnSuffix: string;
        /** `targetgroup/<name>/<id>` */
        readonly targetGroupArnSuffix: string;
        readonly expectedHealthyHosts: number;
    };
    /** The web fleet's Auto Scaling group, its bounds drawn as lines. */
    readonly webFleet?: { readonly autoScalingGroupName: string; readonly minSize: number; readonly maxSize: number };
    readonly database?: {
        readonly primaryIdentifier: string;
        readonly replicas: readonly { readonly name: string; readonly identifier: string }[];
        /**
         * Every DB instance to graph, when not the primary and its replicas: a Multi-AZ DB cluster's
         * three instances (`replicas` then lists them too, for the replica lag graph).
         */
        readonly instances?: readonly { readonly name: string; readonly identifier: string }[];
    };
    /** The web ACL's `visibilityConfig.metricName`: the `WebACL` dimension (not necessarily its name). */
    readonly waf?: { readonly webAclMetricName: string };
    /** The Route 53 health check (its metrics are in us-east-1). */
    readonly healthCheck?: { readonly id: string; readonly url: string };
    /** ARNs of the alarms to show in the alarm status widget (alarms in `region`). */
    readonly alarmArns: readonly string[];
}

/** A metric line: namespace, name, dimension name/value pairs, then optional rendering options. */
export type MetricEntry = (string | Record<string, unknown>)[];

export interface Widget {
    readonly type: "metric" | "text" | "alarm";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: Record<string, unknown>;
}

export const GRID_WIDTH = 24;
export const MAX_WIDGETS = 500;
export const MAX_METRICS_PER_WIDGET = 100;
export const MAX_ALARMS_PER_WIDGET = 100;

/** Route 53 publishes health-check metrics in us-east-1 only. */
const ROUTE53_METRICS_REGION = "us-east-1";

/** Console URL of a dashboard. */
export function dashboardUrl(region: string, name: string): string {
    const host =
        partitionOf(region) === "aws-cn"
            ? `${region}.console.amazonaws.cn`
            : partitionOf(region) === "aws-us-gov"
              ? "console.amazonaws-us-gov.com"
              : `${region}.console.aws.amazon.com`;
    return `https://${host}/cloudwatch/home?region=${region}#dashboards:name=${encodeURIComponent(name)}`;
}

/** CloudWatch dashboard names: letters, digits, `-` and `_`, at most 255 (PutDashboard). */
export const DASHBOARD_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

/** A valid dashboard name from arbitrary parts (stack names may contain `.`). */
export function dashboardNameOf(...parts: string[]): string {
    return parts
        .join("-")
        .replace(/[^A-Za-z0-9_-]+/g, "-")
        .replace(/-{2,}/g, "-")
        .replace(/^-|-$/g, "")
        .slice(0, 255);
}

/** Places widgets left to right in rows of `GRID_WIDTH`, starting a new row when one doesn't fit. */
class Grid {
    readonly widgets: Widget[] = [];
    private x = 0;
    private y = 0;
    private rowHeight = 0;

    add(type: Widget["type"], width: number, height: number, properties: Record<string, unknown>): void {
        if (this.x + width > GRID_WIDTH) this.newRow();
        this.widgets.push({ type, x: this.x, y: this.y, width, height, properties });
        this.x += width;
        this.rowHeight = Math.max(this.rowHeight, height);
    }

    newRow(): void {
        if (this.x === 0) return;
        this.y += this.rowHeight;
        this.x = 0;
        this.rowHeight = 0;
    }
}

interface GraphOptions {
    readonly title: string;
    readonly metrics: MetricEntry[];
    readonly region: string;
    readonly stat?: string;
    readonly period?: number;
    /** Horizontal lines, e.g. an alarm's threshold. */
    readonly lines?: readonly { readonly label: string; readonly value: number }[];
    readonly yMin?: number;
    readonly yLabel?: string;
}

function graph(o: GraphOptions): Record<string, unknown> {
    return {
        title: o.title,
        view: "timeSeries",
        stacked: false,
        region: o.region,
        stat: o.stat ?? "Average",
        period: o.period ?? 60,
        metrics: o.metrics,
        ...(o.lines && o.lines.length > 0 ? { annotations: { horizontal: o.lines.map((l) => ({ label: l.label, value: l.value })) } } : {}),
        yAxis: { left: { min: o.yMin ?? 0, ...(o.yLabel ? { label: o.yLabel } : {}), showUnits: o.yLabel === undefined } },
    };
}

/** Split a list into chunks of at most `size`. */
function chunks<T>(items: readonly T[], size: number): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
}

/**
 * The dashboard body (JSON string): a heading, the alarm status, then one row per tier — load
 * balancer (requests, 4xx/5xx, latency p50/p99, healthy/unhealthy hosts), web servers (CPU and
 * status checks per server), database (CPU, connections, free storage, freeable memory, replica lag),
 * WAF (allowed/blocked) and the external health check. Alarm thresholds are drawn as lines.
 */
export function buildDashboardBody(input: DashboardInput): string {
    const { region, thresholds: t } = input;
    const grid = new Grid();
    const half = GRID_WIDTH / 2;
    const third = GRID_WIDTH / 3;

    const parts: string[] = [`# ${input.title}`, `Region **${region}**. Alarms (ALARM and OK) go to the SNS alert topic; each alarm's description says what to do first.`];
    if (input.healthCheck) parts.push(`External health check: \`${input.healthCheck.url}\` (Route 53, metrics in ${ROUTE53_METRICS_REGION}).`);
    grid.add("text", GRID_WIDTH, 2, { markdown: parts.join("\n\n") });
    grid.newRow();

    for (const [i, arns] of chunks(input.alarmArns, MAX_ALARMS_PER_WIDGET).entries()) {
        grid.add("alarm", GRID_WIDTH, 4, {
            title: i === 0 ? "Alarms" : `Alarms (${i + 1})`,
            alarms: arns,
            // ALARM first, then INSUFFICIENT_DATA, then OK; most recent change first within each.
            sortBy: "stateUpdatedTimestamp",
        });
        grid.newRow();
    }

    const lb = input.loadBalancer;
    if (lb) {
        const ns = "AWS/ApplicationELB";
        const lbDims = ["LoadBalancer", lb.arnSuffix];
        const tgDims = ["TargetGroup", lb.targetGroupArnSuffix, "LoadBalancer", lb.arnSuffix];
        grid.add("metric", half, 6, graph({ title: "Requests per minute", region, stat: "Sum", metrics: [[ns, "RequestCount", ...lbDims, { label: "requests" }]] }));
        grid.add(
            "metric",
            half,
            6,
            graph({
                title: "4xx / 5xx per minute",
                region,
                stat: "Sum",
                metrics: [
                    [ns, "HTTPCode_ELB_4XX_Count", ...lbDims, { label: "load balancer 4xx" }],
                    [ns, "HTTPCode_ELB_5XX_Count", ...lbDims, { label: "load balancer 5xx" }],
                    [ns, "HTTPCode_Target_4XX_Count", ...tgDims, { label: "target 4xx" }],
                    [ns, "HTTPCode_Target_5XX_Count", ...tgDims, { label: "target 5xx" }],
                ],
                lines: [{ label: "5xx alarm", value: t.http5xxPerMinute }],
            }),
        );
        grid.add(
            "metric",
            half,
            6,
            graph({
                title: "Target response time (s)",
                region,
                metrics: [
                    [ns, "TargetResponseTime", ...tgDims, { stat: "p50", label: "p50" }],
                    [ns, "TargetResponseTime", ...tgDims, { stat: "p99", label: "p99" }],
                ],
                lines: [{ label: "p99 alarm", value: t.p99LatencyMs / 1000 }],
            }),
        );
        grid.add(
            "metric",
            half,
            6,
            graph({
                title: "Healthy / unhealthy web servers",
                region,
                stat: "Maximum",
                metrics: [
                    [ns, "HealthyHostCount", ...tgDims, { label: "healthy" }],
                    [ns, "UnHealthyHostCount", ...tgDims, { label: "unhealthy" }],
                ],
                lines: [{ label: "expected", value: lb.expectedHealthyHosts }],
            }),
        );
        grid.newRow();
    }

    if (input.webFleet) {
        const group = ["AutoScalingGroupName", input.webFleet.autoScalingGroupName];
        grid.add(
            "metric",
            half,
            6,
            graph({
                title: "Web fleet: servers in service",
                region,
                stat: "Minimum",
                metrics: [
                    ["AWS/AutoScaling", "GroupInServiceInstances", ...group, { label: "in service" }],
                    ["AWS/AutoScaling", "GroupDesiredCapacity", ...group, { label: "desired", stat: "Maximum" }],
                    ["AWS/AutoScaling", "GroupPendingInstances", ...group, { label: "launching", stat: "Maximum" }],
                    ["AWS/AutoScaling", "GroupStandbyInstances", ...group, { label: "standbys (active-passive)", stat: "Minimum" }],
                ],
                lines: [
                    { label: "minimum", value: input.webFleet.minSize },
                    { label: "maximum", value: input.webFleet.maxSize },
                ],
            }),
        );
        grid.add(
            "metric",
            half,
            6,
            graph({
                title: "Web fleet CPU (%)",
                region,
                metrics: [
                    ["AWS/EC2", "CPUUtilization", ...group, { label: "average" }],
                    ["AWS/EC2", "CPUUtilization", ...group, { label: "busiest server", stat: "Maximum" }],
                ],
                lines: [{ label: "CPU alarm", value: t.webCpuPercent }],
            }),
        );
        grid.newRow();
    }

    const db = input.database;
    if (db) {
        const rds = "AWS/RDS";
        const instances = db.instances ?? [{ name: "primary", identifier: db.primaryIdentifier }, ...db.replicas];
        const perInstance = (metric: string, extra: Record<string, unknown> = {}): MetricEntry[] =>
            instances.map((i) => [rds, metric, "DBInstanceIdentifier", i.identifier, { label: `${i.name} (${i.identifier})`, ...extra }]);
        grid.add("metric", third, 6, graph({ title: "Database CPU (%)", region, metrics: perInstance("CPUUtilization"), lines: [{ label: "CPU alarm", value: t.dbCpuPercent }] }));
        grid.add(
            "metric",
            third,
            6,
            graph({ title: "Database connections", region, stat: "Maximum", metrics: perInstance("DatabaseConnections"), lines: [{ label: "primary alarm", value: t.dbConnections }] }),
        );
        // Bytes → GiB / MiB with metric math, so the graphs read in the units of the thresholds.
        const converted = (metric: string, divisor: number, unit: string): MetricEntry[] =>
            instances.flatMap((inst, i): MetricEntry[] => [
                [rds, metric, "DBInstanceIdentifier", inst.identifier, { id: `m${i}`, visible: false, stat: "Minimum" }],
                [{ expression: `m${i} / ${divisor}`, id: `e${i}`, label: `${inst.name} (${inst.identifier}) ${unit}` }],
            ]);
        grid.add(
            "metric",
            third,
            6,
            graph({ title: "Database free storage (GiB)", region, metrics: converted("FreeStorageSpace", 1024 ** 3, "GiB"), lines: [{ label: "primary alarm", value: t.dbFreeStorageGiB }], yLabel: "GiB" }),
        );
        grid.newRow();
        grid.add(
            "metric",
            half,
            6,
            graph({
                title: "Database freeable memory (MiB)",
                region,
                metrics: converted("FreeableMemory", 1024 ** 2, "MiB"),
                lines: [{ label: "primary alarm", value: t.dbFreeableMemoryMiB }],
                yLabel: "MiB",
            }),
        );
        if (db.replicas.length > 0) {
            grid.add(
                "metric",
                half,
                6,
                graph({
                    title: "Replica lag (s; -1 = replication stopped)",
                    region,
                    stat: "Maximum",
                    metrics: db.replicas.map((r) => [rds, "ReplicaLag", "DBInstanceIdentifier", r.identifier, { label: `${r.name} (${r.identifier})` }]),
                    lines: [{ label: "lag alarm", value: t.replicaLagSeconds }],
                    yMin: -1,
                }),
            );
        }
        grid.newRow();
    }

    if (input.waf) {
        const dims = ["WebACL", input.waf.webAclMetricName, "Region", region, "Rule", "ALL"];
        grid.add(
            "metric",
            half,
            6,
            graph({
                title: "WAF requests (per 5 minutes)",
                region,
                stat: "Sum",
                period: 300,
                metrics: [
                    ["AWS/WAFV2", "AllowedRequests", ...dims, { label: "allowed" }],
                    ["AWS/WAFV2", "BlockedRequests", ...dims, { label: "blocked" }],
                ],
                lines: [{ label: "blocked alarm", value: t.wafBlockedPer5Min }],
            }),
        );
    }

    if (input.healthCheck) {
        const dims = ["HealthCheckId", input.healthCheck.id];
        grid.add(
            "metric",
            half,
            6,
            graph({
                title: `External health check: ${input.healthCheck.url}`,
                // A widget may read another region's metrics; this one must.
                region: ROUTE53_METRICS_REGION,
                stat: "Minimum",
                metrics: [
                    ["AWS/Route53", "HealthCheckStatus", ...dims, { label: "status (1 healthy)" }],
                    ["AWS/Route53", "HealthCheckPercentageHealthy", ...dims, { label: "% checkers healthy", stat: "Average", yAxis: "right" }],
                ],
            }),
        );
    }

    if (grid.widgets.length > MAX_WIDGETS) {
        throw new Error(`the dashboard would have ${grid.widgets.length} widgets; CloudWatch allows ${MAX_WIDGETS}`);
    }
    return JSON.stringify({ start: "-PT6H", periodOverride: "inherit", widgets: grid.widgets });
}
