import { DEFAULT_THRESHOLDS } from "../components/lib/alarms";
import { DASHBOARD_NAME_PATTERN, DashboardInput, GRID_WIDTH, buildDashboardBody, dashboardNameOf, dashboardUrl } from "../components/lib/dashboard";

interface Widget {
    type: string;
    x: number;
    y: number;
    width: number;
    height: number;
    properties: Record<string, any>;
}

const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$/;

/**
 * Problems with a dashboard body under CloudWatch's rules (Dashboard Body Structure and Syntax):
 * grid bounds, no overlapping widgets, metric-array format, expression ids, alarm widget limits.
 */
function problemsOf(body: string): string[] {
    const problems: string[] = [];
    const doc = JSON.parse(body);
    if (!Array.isArray(doc.widgets)) return ["no widgets array"];
    const widgets = doc.widgets as Widget[];
    if (widgets.length > 500) problems.push(`${widgets.length} widgets (max 500)`);
    widgets.forEach((w, i) => {
        const at = `widget ${i} (${w.type} ${w.properties?.title ?? ""})`;
        if (!["metric", "text", "alarm", "log", "explorer"].includes(w.type)) problems.push(`${at}: type ${w.type}`);
        for (const k of ["x", "y", "width", "height"] as const) if (!Number.isInteger(w[k])) problems.push(`${at}: ${k} not an integer`);
        if (w.x < 0 || w.x > 23) problems.push(`${at}: x ${w.x} outside 0-23`);
        if (w.width < 1 || w.width > 24) problems.push(`${at}: width ${w.width} outside 1-24`);
        if (w.x + w.width > GRID_WIDTH) problems.push(`${at}: x + width = ${w.x + w.width} > 24`);
        if (w.height < 1 || w.height > 1000) problems.push(`${at}: height ${w.height} outside 1-1000`);
        if (w.y < 0) problems.push(`${at}: y ${w.y} < 0`);
        widgets.slice(i + 1).forEach((o, j) => {
            const overlap = w.x < o.x + o.width && o.x < w.x + w.width && w.y < o.y + o.height && o.y < w.y + w.height;
            if (overlap) problems.push(`${at} overlaps widget ${i + 1 + j}`);
        });
        if (w.type === "metric") {
            const p = w.properties;
            if (typeof p.region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(p.region)) problems.push(`${at}: region ${p.region}`);
            if (!Array.isArray(p.metrics) || p.metrics.length < 1 || p.metrics.length > 100) problems.push(`${at}: ${p.metrics?.length} metrics (1-100)`);
            const ids = new Set<string>();
            for (const m of p.metrics as unknown[][]) {
                const last = m[m.length - 1];
                if (m.length === 1 && typeof last === "object" && last !== null && "expression" in last) {
                    const e = last as { expression: string; id: string };
                    if (typeof e.expression !== "string" || typeof e.id !== "string") problems.push(`${at}: bad expression ${JSON.stringify(m)}`);
                    continue;
                }
                const strings = typeof last === "object" ? m.slice(0, -1) : m;
                if (!strings.every((s) => typeof s === "string" && s.length > 0)) problems.push(`${at}: non-string in ${JSON.stringify(m)}`);
                if (!/^AWS\//.test(String(strings[0]))) problems.push(`${at}: namespace ${strings[0]}`);
                // [Namespace, MetricName, then dimension name/value pairs].
                if (strings.length < 2 || strings.length % 2 !== 0) problems.push(`${at}: not [ns, metric, (name, value)*]: ${JSON.stringify(m)}`);
                if (typeof last === "object" && last !== null && "id" in last) ids.add((last as { id: string }).id);
            }
            for (const m of p.metrics as unknown[][]) {
                const e = m[0] as { expression?: string };
                if (typeof e === "object" && e.expression) {
                    for (const ref of e.expression.match(/\bm\d+\b/g) ?? []) if (!ids.has(ref)) problems.push(`${at}: expression refers to unknown id ${ref}`);
                }
            }
        }
        if (w.type === "alarm") {
            const alarms = w.properties.alarms as string[];
            if (!Array.isArray(alarms) || alarms.length < 1 || alarms.length > 100) problems.push(`${at}: ${alarms?.length} alarms (1-100)`);
            for (const a of alarms ?? []) if (!ALARM_ARN.test(a)) problems.push(`${at}: not an alarm ARN: ${a}`);
        }
    });
    return problems;
}

const alarmArn = (i: number, region = "eu-west-1") => `arn:aws:cloudwatch:${region}:123456789012:alarm:monitoring-alarm-${i}-abc1234`;

function input(servers: number, replicas: number, extra: Partial<DashboardInput> = {}): DashboardInput {
    return {
        region: "eu-west-1",
        title: "web-infra-test-monitoring: web stack health",
        thresholds: DEFAULT_THRESHOLDS,
        loadBalancer: { arnSuffix: "app/web-lb-1a2b3c4/50dc6c495c0c9188", targetGroupArnSuffix: "targetgroup/web-tg-5d6e7f8/73e2d6bc24d8a067", expectedHealthyHosts: servers },
        webFleet: servers > 0 ? { autoScalingGroupName: `web-asg-${servers}-0f1e2d3`, minSize: servers, maxSize: 2 * servers } : undefined,
        database: {
            primaryIdentifier: "app-primary-9a8b7c6",
            replicas: Array.from({ length: replicas }, (_, i) => ({ name: `replica-${i + 1}`, identifier: `app-replica-${i + 1}-0f1e2d3` })),
        },
        waf: { webAclMetricName: "webAclMetric-4b5c6d7" },
        healthCheck: { id: "0b1c2d3e-4f5a-4b6c-a7d8-e9f0a1b2c3d4", url: "https://www.example.com/health" },
        alarmArns: Array.from({ length: 10 }, (_, i) => alarmArn(i)),
        ...extra,
    };
}

const widgetsOf = (body: string) => JSON.parse(body).widgets as Widget[];
const titled = (widgets: Widget[], title: RegExp) => {
    const found = widgets.filter((w) => title.test(String(w.properties.title ?? "")));
    expect(found).toHaveLength(1);
    return found[0];
};
/** Every dimension value and label a widget's metrics mention. */
const mentioned = (w: Widget) => JSON.stringify(w.properties.metrics);

describe("the dashboard of a full stack (3 servers, 2 replicas, WAF, health check)", () => {
    const full = input(3, 2);
    const body = buildDashboardBody(full);
    const widgets = widgetsOf(body);

    it("is JSON that follows CloudWatch's dashboard rules", () => {
        expect(() => JSON.parse(body)).not.toThrow();
        expect(problemsOf(body)).toEqual([]);
    });

    it("names every server, the load balancer, its target group, the primary and each replica", () => {
        expect(body).toContain(full.webFleet!.autoScalingGroupName);
        expect(body).toContain(full.loadBalancer!.arnSuffix);
        expect(body).toContain(full.loadBalancer!.targetGroupArnSuffix);
        expect(body).toContain(full.database!.primaryIdentifier);
        for (const r of full.database!.replicas) expect(body).toContain(r.identifier);
        expect(body).toContain(full.waf!.webAclMetricName);
        expect(body).toContain(full.healthCheck!.id);
    });

    it("graphs requests, 4xx/5xx, latency p50/p99 and healthy/unhealthy hosts of that load balancer", () => {
        const lb = full.loadBalancer!;
        expect(titled(widgets, /^Requests/).properties.metrics).toEqual([["AWS/ApplicationELB", "RequestCount", "LoadBalancer", lb.arnSuffix, { label: "requests" }]]);
        const errors = titled(widgets, /4xx \/ 5xx/).properties.metrics.map((m: unknown[]) => m[1]);
        expect(errors).toEqual(["HTTPCode_ELB_4XX_Count", "HTTPCode_ELB_5XX_Count", "HTTPCode_Target_4XX_Count", "HTTPCode_Target_5XX_Count"]);
        const latency = titled(widgets, /response time/).properties;
        expect(latency.metrics.map((m: any[]) => [m[1], m[m.length - 1].stat])).toEqual([
            ["TargetResponseTime", "p50"],
            ["TargetResponseTime", "p99"],
        ]);
        expect(latency.annotations.horizontal).toEqual([{ label: "p99 alarm", value: 1 }]);
        const hosts = titled(widgets, /Healthy \/ unhealthy/).properties;
        expect(hosts.metrics.map((m: unknown[]) => m.slice(0, 6))).toEqual([
            ["AWS/ApplicationELB", "HealthyHostCount", "TargetGroup", lb.targetGroupArnSuffix, "LoadBalancer", lb.arnSuffix],
            ["AWS/ApplicationELB", "UnHealthyHostCount", "TargetGroup", lb.targetGroupArnSuffix, "LoadBalancer", lb.arnSuffix],
        ]);
        expect(hosts.annotations.horizontal).toEqual([{ label: "expected", value: 3 }]);
    });

    it("graphs the fleet by group: servers in service against its minimum and maximum, and its CPU against the alarm", () => {
        const group = ["AutoScalingGroupName", full.webFleet!.autoScalingGroupName];
        const servers = titled(widgets, /servers in service/).properties;
        expect(servers.metrics.map((m: unknown[]) => m.slice(0, 4))).toEqual([
            ["AWS/AutoScaling", "GroupInServiceInstances", ...group],
            ["AWS/AutoScaling", "GroupDesiredCapacity", ...group],
            ["AWS/AutoScaling", "GroupPendingInstances", ...group],
            ["AWS/AutoScaling", "GroupStandbyInstances", ...group],
        ]);
        expect(servers.annotations.horizontal).toEqual([
            { label: "minimum", value: 3 },
            { label: "maximum", value: 6 },
        ]);
        const cpu = titled(widgets, /Web fleet CPU/).properties;
        expect(cpu.metrics.map((m: unknown[]) => m.slice(0, 4))).toEqual([
            ["AWS/EC2", "CPUUtilization", ...group],
            ["AWS/EC2", "CPUUtilization", ...group],
        ]);
        expect(cpu.annotations.horizontal).toEqual([{ label: "CPU alarm", value: 80 }]);
        expect(body).not.toContain(`"InstanceId"`);
    });

    it("graphs database CPU, connections, free storage and memory for the primary and every replica, and replica lag per replica", () => {
        const ids = [full.database!.primaryIdentifier, ...full.database!.replicas.map((r) => r.identifier)];
        for (const title of [/Database CPU/, /Database connections/, /free storage/, /freeable memory/]) {
            const text = mentioned(titled(widgets, title));
            for (const id of ids) expect(text).toContain(`"DBInstanceIdentifier","${id}"`);
        }
        const lag = titled(widgets, /Replica lag/).properties;
        expect(lag.metrics.map((m: unknown[]) => m[3])).toEqual(full.database!.replicas.map((r) => r.identifier));
        expect(lag.yAxis.left.min).toBe(-1);
    });

    it("shows free storage in GiB with metric math over hidden byte metrics", () => {
        const storage = titled(widgets, /free storage/).properties.metrics as any[][];
        expect(storage[0]).toEqual(["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", full.database!.primaryIdentifier, { id: "m0", visible: false, stat: "Minimum" }]);
        expect(storage[1]).toEqual([{ expression: `m0 / ${1024 ** 3}`, id: "e0", label: `primary (${full.database!.primaryIdentifier}) GiB` }]);
    });

    it("graphs WAF allowed/blocked for the web ACL's total in the stack's region, by its metric name", () => {
        const waf = titled(widgets, /^WAF/).properties.metrics;
        expect(waf.map((m: unknown[]) => m.slice(0, 8))).toEqual([
            ["AWS/WAFV2", "AllowedRequests", "WebACL", "webAclMetric-4b5c6d7", "Region", "eu-west-1", "Rule", "ALL"],
            ["AWS/WAFV2", "BlockedRequests", "WebACL", "webAclMetric-4b5c6d7", "Region", "eu-west-1", "Rule", "ALL"],
        ]);
    });

    it("reads the health check from us-east-1 and everything else from the stack's region", () => {
        const metricWidgets = widgets.filter((w) => w.type === "metric");
        const hc = titled(widgets, /External health check/);
        expect(hc.properties.region).toBe("us-east-1");
        for (const w of metricWidgets.filter((m) => m !== hc)) expect(w.properties.region).toBe("eu-west-1");
    });

    it("shows the status of the alarms it is given, ALARM first", () => {
        const alarm = widgets.filter((w) => w.type === "alarm");
        expect(alarm).toHaveLength(1);
        expect(alarm[0].properties).toMatchObject({ alarms: full.alarmArns, sortBy: "stateUpdatedTimestamp" });
        expect(alarm[0]).toMatchObject({ x: 0, width: 24 });
    });
});

describe("optional parts", () => {
    it("a stack with no replicas, WAF or health check has no widget for them", () => {
        const body = buildDashboardBody(input(2, 0, { waf: undefined, healthCheck: undefined }));
        const titles = widgetsOf(body).map((w) => String(w.properties.title ?? ""));
        expect(titles.filter((t) => /Replica lag|WAF|health check/.test(t))).toEqual([]);
        expect(problemsOf(body)).toEqual([]);
    });

    it("more than 100 alarms are split over alarm widgets of at most 100", () => {
        const arns = Array.from({ length: 230 }, (_, i) => alarmArn(i));
        const alarm = widgetsOf(buildDashboardBody(input(2, 1, { alarmArns: arns }))).filter((w) => w.type === "alarm");
        expect(alarm.map((w) => w.properties.alarms.length)).toEqual([100, 100, 30]);
        expect(alarm.flatMap((w) => w.properties.alarms)).toEqual(arns);
    });

    it("no alarms: no (invalid, empty) alarm widget", () => {
        expect(widgetsOf(buildDashboardBody(input(2, 1, { alarmArns: [] }))).filter((w) => w.type === "alarm")).toEqual([]);
    });
});

describe("every shape of stack (property)", () => {
    const shapes: [number, number, boolean, boolean][] = [];
    for (let servers = 0; servers <= 12; servers++) {
        for (let replicas = 0; replicas <= 5; replicas++) shapes.push([servers, replicas, servers % 2 === 0, replicas % 2 === 1]);
    }
    it.each(shapes)("%i servers, %i replicas, load balancer %p, WAF + health check %p: valid, and names every resource", (servers, replicas, withLb, withEdge) => {
        const i = input(servers, replicas, {
            loadBalancer: withLb ? input(servers, replicas).loadBalancer : undefined,
            waf: withEdge ? input(0, 0).waf : undefined,
            healthCheck: withEdge ? input(0, 0).healthCheck : undefined,
            alarmArns: Array.from({ length: servers * 3 + replicas * 3 + 12 }, (_, k) => alarmArn(k)),
        });
        const body = buildDashboardBody(i);
        expect(problemsOf(body)).toEqual([]);
        expect(body.includes(`"AutoScalingGroupName","web-asg-${servers}-0f1e2d3"`)).toBe(servers > 0);
        for (const r of i.database!.replicas) expect(body).toContain(`"DBInstanceIdentifier","${r.identifier}"`);
        expect(body.includes(`"LoadBalancer","${input(0, 0).loadBalancer!.arnSuffix}"`)).toBe(withLb);
    });
});

describe("the checker catches what CloudWatch rejects (so the tests above can fail)", () => {
    const one = (w: Partial<Widget>) =>
        JSON.stringify({ widgets: [{ type: "metric", x: 0, y: 0, width: 6, height: 6, properties: { region: "eu-west-1", metrics: [["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"]] }, ...w }] });
    it.each([
        [{ x: 20, width: 6 }, "x + width = 26 > 24"],
        [{ width: 0 }, "width 0 outside 1-24"],
        [{ properties: { region: "eu-west-1", metrics: [["AWS/EC2", "CPUUtilization", "InstanceId"]] } }, "not [ns, metric, (name, value)*]"],
        [{ properties: { metrics: [["AWS/EC2", "CPUUtilization"]] } }, "region undefined"],
        [{ properties: { region: "eu-west-1", metrics: [[{ expression: "m9 / 2", id: "e1" }]] } }, "unknown id m9"],
        [{ type: "alarm", properties: { alarms: ["not-an-arn"] } }, "not an alarm ARN"],
    ])("%p → %s", (widget, problem) => {
        expect(problemsOf(one(widget)).join("\n")).toContain(problem);
    });

    it("overlapping widgets", () => {
        const body = JSON.stringify({ widgets: [0, 1].map((i) => ({ type: "text", x: i * 3, y: 0, width: 6, height: 6, properties: { markdown: "x" } })) });
        expect(problemsOf(body)).toEqual(["widget 0 (text ) overlaps widget 1"]);
    });
});

describe("names and URLs", () => {
    it.each([
        [["web-infra", "dev", "monitoring"], "web-infra-dev-monitoring"],
        [["web-infra", "org.prod", "mon"], "web-infra-org-prod-mon"],
        [["web infra", "--x--", "m"], "web-infra-x-m"],
    ])("dashboardNameOf(%p) = %s, a valid dashboard name", (parts, name) => {
        expect(dashboardNameOf(...parts)).toBe(name);
        expect(name).toMatch(DASHBOARD_NAME_PATTERN);
    });

    it.each([
        ["eu-west-1", "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=web-infra-dev-monitoring"],
        ["cn-north-1", "https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#dashboards:name=web-infra-dev-monitoring"],
    ])("the console URL in %s", (region, url) => {
        expect(dashboardUrl(region, "web-infra-dev-monitoring")).toBe(url);
    });
});
