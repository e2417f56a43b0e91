/**
 * A monthly cost estimate from the declared resources: every priced resource the program declares,
 * at us-east-1 on-demand list prices, with the usage assumptions stated. Pure.
 *
 * It is an estimate for comparing stacks and seeing what a setting costs, not a quote: prices change
 * (check https://aws.amazon.com/pricing/), usage-driven charges (requests, data) are assumptions, and
 * free tiers are ignored. Resources with a negligible fixed cost (IAM, security groups, route tables,
 * SNS e-mail, Lambda at alarm volumes) are not listed; a function that runs all the time (the
 * active-passive failover function) is.
 */
import { fleetsOf, standbyCount, warmPoolSize } from "./fleet";
import { PlanRecord, RecordSet, T, field, num, str } from "./records";
import { plural } from "./text";

/** When the prices below were last checked, and where. */
export const PRICES_AS_OF = "2026-11, us-east-1, on-demand, Linux";

const HOURS_PER_MONTH = 730;

/** USD per hour, EC2 Linux on-demand, us-east-1. */
export const EC2_HOURLY: Readonly<Record<string, number>> = {
    "t4g.nano": 0.0042,
    "t4g.micro": 0.0084,
    "t4g.small": 0.0168,
    "t4g.medium": 0.0336,
    "t4g.large": 0.0672,
    "t3.micro": 0.0104,
    "t3.small": 0.0208,
    "t3.medium": 0.0416,
    "m7g.medium": 0.0408,
    "m7g.large": 0.0816,
    "m7i.large": 0.1008,
    "c7g.large": 0.0725,
};

/** USD per hour, RDS for MySQL single-AZ on-demand, us-east-1 (Multi-AZ: twice). */
export const RDS_MYSQL_HOURLY: Readonly<Record<string, number>> = {
    "db.t4g.micro": 0.016,
    "db.t4g.small": 0.032,
    "db.t4g.medium": 0.065,
    "db.t4g.large": 0.129,
    "db.t3.micro": 0.017,
    "db.t3.small": 0.034,
    "db.m7g.large": 0.168,
    "db.r7g.large": 0.239,
};

/**
 * USD per hour of ONE DB instance of an RDS for MySQL Multi-AZ DB cluster (a cluster runs three),
 * us-east-1 on-demand. Approximate list prices of the Multi-AZ DB cluster deployment option: check
 * https://aws.amazon.com/rds/mysql/pricing/ ("Multi-AZ deployment (two readable standbys)") before
 * relying on them.
 */
export const RDS_MYSQL_CLUSTER_INSTANCE_HOURLY: Readonly<Record<string, number>> = {
    "db.c6gd.medium": 0.068,
    "db.c6gd.large": 0.136,
    "db.m6gd.large": 0.177,
    "db.m5d.large": 0.2,
    "db.r6gd.large": 0.246,
};

export const PRICE = {
    ebsGp3PerGiB: 0.08,
    rdsGp3PerGiB: 0.115, // single-AZ; Multi-AZ twice
    rdsGp3IopsAbove12000: 0.02, // per IOPS-month above the 12000 included from 400 GiB (MySQL)
    rdsIo1PerGiB: 0.125,
    rdsIo1PerIops: 0.1, // per provisioned IOPS-month
    rdsIo2PerGiB: 0.125,
    rdsIo2PerIops: 0.1,
    albHourly: 0.0225,
    albLcuHourly: 0.008,
    natHourly: 0.045,
    natPerGiB: 0.045,
    publicIpv4Hourly: 0.005,
    interfaceEndpointHourlyPerAz: 0.01,
    wafAclMonthly: 5,
    wafRuleMonthly: 1,
    wafPerMillionRequests: 0.6,
    alarmMetricMonthly: 0.1, // standard resolution, per metric in the alarm
    compositeAlarmMonthly: 0.5,
    dashboardMonthly: 3,
    logsIngestPerGiB: 0.5,
    logsStoragePerGiB: 0.03,
    route53ZoneMonthly: 0.5,
    healthCheckMonthly: 0.5, // AWS endpoint; each optional feature (HTTPS, string match, fast interval, latency) +1.00
    healthCheckFeatureMonthly: 1,
    kmsKeyMonthly: 1,
    secretMonthly: 0.4,
    s3PerGiB: 0.023,
    // Lambda, us-east-1: per GB-second of duration (arm64 is 20 % cheaper than x86_64) and per request.
    lambdaArmPerGbSecond: 0.0000133334,
    lambdaX86PerGbSecond: 0.0000166667,
    lambdaPerMillionRequests: 0.2,
    customMetricMonthly: 0.3, // first 10,000 metrics; a metric filter publishes one per dimension value
} as const;

/** What usage the estimate assumes; shown with the estimate. */
export const ASSUMPTIONS = {
    albLcu: 1, // average LCUs: ~25 new connections/s or 1 GB/h processed, a small site
    natGiBPerGateway: 10, // package updates, AWS APIs not covered by endpoints
    wafMillionRequests: 3, // ≈ 1.2 requests/s around the clock
    logGiBPerGroup: 1, // ingested per log group per month (flow logs, WAF logs, …), kept ~1 month
    accessLogGiB: 1, // ALB access logs stored in S3
} as const;

export interface CostLine {
    readonly item: string;
    readonly detail: string;
    readonly monthly: number;
}

export interface CostEstimate {
    readonly lines: readonly CostLine[];
    readonly total: number;
    /** Instance types or classes without a price in the tables (left out of the total). */
    readonly unpriced: readonly string[];
    /**
     * With Auto Scaling groups: `total` prices them at their minimum; this is the total with every group
     * at its maximum (warm pools shrink as the group grows: PutWarmPool keeps max − desired, at least MinSize).
     */
    readonly atMaximum?: { readonly total: number; readonly detail: string };
}

const money = (n: number) => Math.round(n * 100) / 100;

export function estimateCost(records: readonly PlanRecord[]): CostEstimate {
    const rs = new RecordSet(records);
    const lines: CostLine[] = [];
    const unpriced: string[] = [];
    const add = (item: string, detail: string, monthly: number) => {
        if (monthly > 0) lines.push({ item, detail, monthly: money(monthly) });
    };

    // ---- EC2 ----
    const instances = rs.of(T.instance);
    const byType = new Map<string, number>();
    let rootGiB = 0;
    for (const i of instances) {
        const type = str(field(i, "instanceType")) ?? "?";
        byType.set(type, (byType.get(type) ?? 0) + 1);
        rootGiB += num((field(i, "rootBlockDevice") as Record<string, unknown> | undefined)?.volumeSize) ?? 8;
    }
    for (const [type, n] of byType) {
        const hourly = EC2_HOURLY[type];
        if (hourly === undefined) unpriced.push(type);
        else add("EC2 instances", `${n} × ${type} at $${hourly}/h`, n * hourly * HOURS_PER_MONTH);
    }
    const volumes = rs.of("aws:ebs/volume:Volume").reduce((s, v) => s + (num(field(v, "size")) ?? 0), 0);
    add("EBS gp3", `${rootGiB + volumes} GiB at $${PRICE.ebsGp3PerGiB}/GiB-month`, (rootGiB + volumes) * PRICE.ebsGp3PerGiB);

    // ---- Auto Scaling groups: at minimum in the total, at maximum beside it ----
    // Warm-pool instances kept Running are billed as instances; Stopped or Hibernated ones for their
    // volumes only ("We don't charge usage for a stopped instance … you are charged for Amazon EBS
    // volume usage", EC2 API Reference, StopInstances).
    let maxExtra = 0;
    const maxDetails: string[] = [];
    for (const f of fleetsOf(records, rs)) {
        const type = f.instanceType ?? "?";
        const hourly = EC2_HOURLY[type];
        if (hourly === undefined) unpriced.push(type);
        const instanceMonthly = (hourly ?? 0) * HOURS_PER_MONTH;
        const volumeMonthly = f.volumeGiBPerInstance * PRICE.ebsGp3PerGiB;
        // Standby servers run (and are billed) outside the desired capacity; at the maximum the group's
        // maxSize counts every server.
        const standbys = standbyCount(f);
        const monthly = (desired: number) => {
            const pool = warmPoolSize(f, desired) + (desired < f.maxSize ? standbys : 0);
            const running = f.warmPool?.poolState === "Running" || standbys > 0 ? pool : 0;
            return { pool, running, cost: (desired + running) * instanceMonthly + (desired + pool) * volumeMonthly };
        };
        const min = f.desiredCapacity ?? f.minSize;
        const atMin = monthly(min);
        const atMax = monthly(f.maxSize);
        const pool = (p: { pool: number; running: number }) => (p.pool > 0 ? (standbys > 0 ? ` + ${p.pool} Standby (running)` : ` + ${p.pool} warm standby (${f.warmPool?.poolState})`) : "");
        add(
            "EC2 Auto Scaling group (at minimum)",
            `${f.name}: ${min}${pool(atMin)} × ${type} at $${hourly ?? "?"}/h + ${f.volumeGiBPerInstance} GiB gp3 each at $${PRICE.ebsGp3PerGiB}; at maximum ${f.maxSize}${pool(atMax)}: $${atMax.cost.toFixed(2)}`,
            atMin.cost,
        );
        maxExtra += atMax.cost - atMin.cost;
        maxDetails.push(`${f.name} at ${f.maxSize}`);
    }

    // ---- the active-passive failover function: one invocation a minute, looping RUN_SECONDS each ----
    for (const f of fleetsOf(records, rs)) {
        const fn = f.standbyFunction && rs.of("aws:lambda/function:Function").find((x) => x.name === f.standbyFunction!.name);
        if (!fn) continue;
        const invocations = HOURS_PER_MONTH * 60;
        const gb = (num(field(fn, "memorySize")) ?? 128) / 1024;
        const arm = ((field(fn, "architectures") as unknown[] | undefined) ?? []).includes("arm64");
        const perGbSecond = arm ? PRICE.lambdaArmPerGbSecond : PRICE.lambdaX86PerGbSecond;
        const gbSeconds = invocations * f.standbyFunction!.runSeconds * gb;
        add(
            "Lambda (active-passive failover)",
            `${fn.name}: ${invocations} runs × ${f.standbyFunction!.runSeconds} s × ${gb * 1024} MB = ${Math.round(gbSeconds)} GB-s at $${perGbSecond} (${arm ? "arm64" : "x86_64"}) + requests at $${PRICE.lambdaPerMillionRequests}/million`,
            gbSeconds * perGbSecond + (invocations / 1e6) * PRICE.lambdaPerMillionRequests,
        );
    }
    const metricFilters = rs.of("aws:cloudwatch/logMetricFilter:LogMetricFilter").length;
    add("CloudWatch custom metrics", `${metricFilters} from log metric filters at $${PRICE.customMetricMonthly}`, metricFilters * PRICE.customMetricMonthly);

    // ---- load balancer ----
    for (const lb of rs.of(T.loadBalancer)) {
        add("Application Load Balancer", `${lb.name}: $${PRICE.albHourly}/h + ${ASSUMPTIONS.albLcu} LCU at $${PRICE.albLcuHourly}/LCU-h`, (PRICE.albHourly + ASSUMPTIONS.albLcu * PRICE.albLcuHourly) * HOURS_PER_MONTH);
    }

    // ---- public IPv4: the internet-facing ALB has one per zone; Elastic IPs (NAT) one each ----
    const albIps = rs
        .of(T.loadBalancer)
        .filter((lb) => field(lb, "internal") !== true)
        .reduce((s, lb) => s + ((field(lb, "subnets") as unknown[] | undefined)?.length ?? 2), 0);
    const eips = rs.of("aws:ec2/eip:Eip").length;
    add("Public IPv4 addresses", `${albIps} ALB + ${eips} Elastic IP at $${PRICE.publicIpv4Hourly}/h`, (albIps + eips) * PRICE.publicIpv4Hourly * HOURS_PER_MONTH);

    // ---- NAT ----
    const nats = rs.of(T.natGateway).length;
    add(
        "NAT gateways",
        `${nats} × ($${PRICE.natHourly}/h + ${ASSUMPTIONS.natGiBPerGateway} GB at $${PRICE.natPerGiB}/GB)`,
        nats * (PRICE.natHourly * HOURS_PER_MONTH + ASSUMPTIONS.natGiBPerGateway * PRICE.natPerGiB),
    );
    const endpointAzs = rs
        .of("aws:ec2/vpcEndpoint:VpcEndpoint")
        .filter((e) => field(e, "vpcEndpointType") === "Interface")
        .reduce((s, e) => s + ((field(e, "subnetIds") as unknown[] | undefined)?.length ?? 1), 0);
    add("Interface VPC endpoints", `${plural(endpointAzs, "endpoint-zone")} at $${PRICE.interfaceEndpointHourlyPerAz}/h`, endpointAzs * PRICE.interfaceEndpointHourlyPerAz * HOURS_PER_MONTH);

    // ---- RDS ----
    const dbs = rs.of(T.dbInstance);
    const writerStorage = dbs.map((d) => num(field(d, "allocatedStorage"))).find((n) => n !== undefined) ?? 20;
    for (const d of dbs) {
        const cls = str(field(d, "instanceClass")) ?? "?";
        const multi = field(d, "multiAz") === true;
        const hourly = RDS_MYSQL_HOURLY[cls];
        const role = str(d.inputs.replicateSourceDb) ? "replica" : "primary";
        const storage = num(field(d, "allocatedStorage")) ?? writerStorage;
        if (hourly === undefined) {
            unpriced.push(cls);
            continue;
        }
        add(
            `RDS MySQL ${role}`,
            `${d.name}: ${cls}${multi ? " Multi-AZ (×2)" : ""} at $${hourly}/h + ${storage} GiB gp3 at $${PRICE.rdsGp3PerGiB}${multi ? "×2" : ""}`,
            (multi ? 2 : 1) * (hourly * HOURS_PER_MONTH + storage * PRICE.rdsGp3PerGiB),
        );
    }

    // A Multi-AZ DB cluster: three instances, each with its own copy of the storage (and its IOPS).
    for (const c of rs.of(T.dbCluster).filter((x) => field(x, "dbClusterInstanceClass") !== undefined)) {
        const cls = str(field(c, "dbClusterInstanceClass")) ?? "?";
        const hourly = RDS_MYSQL_CLUSTER_INSTANCE_HOURLY[cls];
        if (hourly === undefined) {
            unpriced.push(`${cls} (Multi-AZ DB cluster)`);
            continue;
        }
        const type = str(field(c, "storageType")) ?? "io1";
        const gib = num(field(c, "allocatedStorage")) ?? 0;
        const iops = num(field(c, "iops")) ?? 0;
        const perGiB = type === "gp3" ? PRICE.rdsGp3PerGiB : type === "io2" ? PRICE.rdsIo2PerGiB : PRICE.rdsIo1PerGiB;
        const iopsMonthly = type === "gp3" ? Math.max(0, iops - 12000) * PRICE.rdsGp3IopsAbove12000 : iops * (type === "io2" ? PRICE.rdsIo2PerIops : PRICE.rdsIo1PerIops);
        add(
            "RDS MySQL Multi-AZ DB cluster",
            `${c.name}: 3 × ${cls} at $${hourly}/h + 3 × ${gib} GiB ${type} at $${perGiB}${iopsMonthly > 0 ? ` + 3 × ${iops} IOPS` : type === "gp3" ? " (12000 IOPS included)" : ""}`,
            3 * (hourly * HOURS_PER_MONTH + gib * perGiB + iopsMonthly),
        );
    }

    // ---- WAF ----
    for (const acl of rs.of(T.webAcl)) {
        const rules = ((field(acl, "rules") as unknown[] | undefined) ?? []).length;
        add(
            "WAF web ACL",
            `${acl.name}: $${PRICE.wafAclMonthly} + ${rules} rules at $${PRICE.wafRuleMonthly} + ${ASSUMPTIONS.wafMillionRequests}M requests at $${PRICE.wafPerMillionRequests}/M`,
            PRICE.wafAclMonthly + rules * PRICE.wafRuleMonthly + ASSUMPTIONS.wafMillionRequests * PRICE.wafPerMillionRequests,
        );
    }

    // ---- CloudWatch ----
    const metricAlarms = rs.of(T.metricAlarm);
    const alarmMetrics = metricAlarms.reduce((s, a) => {
        const queries = (a.inputs.metricQueries as { metric?: unknown }[] | undefined) ?? [];
        return s + Math.max(1, queries.filter((q) => q.metric !== undefined).length);
    }, 0);
    const composites = rs.of(T.compositeAlarm).length;
    add(
        "CloudWatch alarms",
        `${plural(metricAlarms.length, "alarm")} (${plural(alarmMetrics, "metric")}) at $${PRICE.alarmMetricMonthly}${composites ? ` + ${composites} composite at $${PRICE.compositeAlarmMonthly}` : ""}`,
        alarmMetrics * PRICE.alarmMetricMonthly + composites * PRICE.compositeAlarmMonthly,
    );
    const dashboards = rs.of(T.dashboard).length;
    add("CloudWatch dashboards", `${dashboards} at $${PRICE.dashboardMonthly}`, dashboards * PRICE.dashboardMonthly);
    const logGroups = rs.of("aws:cloudwatch/logGroup:LogGroup").length;
    add(
        "CloudWatch Logs",
        `${plural(logGroups, "log group")} × ${ASSUMPTIONS.logGiBPerGroup} GB ingested at $${PRICE.logsIngestPerGiB} + stored at $${PRICE.logsStoragePerGiB}`,
        logGroups * ASSUMPTIONS.logGiBPerGroup * (PRICE.logsIngestPerGiB + PRICE.logsStoragePerGiB),
    );

    // ---- Route 53 ----
    const zones = rs.of("aws:route53/zone:Zone").length;
    add("Route 53 hosted zones", `${zones} declared at $${PRICE.route53ZoneMonthly} (a looked-up public zone is not counted)`, zones * PRICE.route53ZoneMonthly);
    const checks = rs.of(T.healthCheck);
    const features = checks.reduce((s, c) => {
        const type = String(field(c, "type") ?? "");
        return s + (type.startsWith("HTTPS") ? 1 : 0) + (type.endsWith("STR_MATCH") ? 1 : 0) + (num(field(c, "requestInterval")) === 10 ? 1 : 0) + (field(c, "measureLatency") === true ? 1 : 0);
    }, 0);
    add("Route 53 health checks", `${checks.length} at $${PRICE.healthCheckMonthly} + ${plural(features, "optional feature")} at $${PRICE.healthCheckFeatureMonthly}`, checks.length * PRICE.healthCheckMonthly + features * PRICE.healthCheckFeatureMonthly);

    // ---- keys, secrets, S3 ----
    const keys = rs.of("aws:kms/key:Key").length;
    add("KMS keys", `${keys} customer-managed at $${PRICE.kmsKeyMonthly}`, keys * PRICE.kmsKeyMonthly);
    const secrets = rs.of("aws:secretsmanager/secret:Secret").length;
    add("Secrets Manager", `${plural(secrets, "secret")} at $${PRICE.secretMonthly}`, secrets * PRICE.secretMonthly);
    const buckets = rs.of("aws:s3/bucket:Bucket").length;
    add("S3", `${plural(buckets, "bucket")}, ${ASSUMPTIONS.accessLogGiB} GB stored each at $${PRICE.s3PerGiB}`, buckets * ASSUMPTIONS.accessLogGiB * PRICE.s3PerGiB);

    const total = money(lines.reduce((s, l) => s + l.monthly, 0));
    return {
        lines,
        total,
        unpriced: [...new Set(unpriced)],
        ...(maxDetails.length > 0 ? { atMaximum: { total: money(total + maxExtra), detail: maxDetails.join(", ") } } : {}),
    };
}

const usd = (n: number) => `$${n.toFixed(2)}`;

export function costMarkdown(c: CostEstimate): string {
    const out = ["| item | what | per month |", "|---|---|---:|", ...c.lines.map((l) => `| ${l.item} | ${l.detail.replace(/\|/g, "\\|")} | ${usd(l.monthly)} |`), `| **total**${c.atMaximum ? " (Auto Scaling groups at minimum)" : ""} | | **${usd(c.total)}** |`];
    if (c.atMaximum) out.push(`| **total at maximum** | ${c.atMaximum.detail} | **${usd(c.atMaximum.total)}** |`);
    if (c.unpriced.length > 0) out.push("", `Not priced (add them to scripts/lib/cost.ts): ${c.unpriced.join(", ")}.`);
    out.push(
        "",
        `Prices: ${PRICES_AS_OF}; free tiers ignored. Usage assumed: ${ASSUMPTIONS.albLcu} ALB LCU on average, ${ASSUMPTIONS.natGiBPerGateway} GB per NAT gateway, ${ASSUMPTIONS.wafMillionRequests}M WAF requests, ${ASSUMPTIONS.logGiBPerGroup} GB per log group; internet data transfer out not included.`,
    );
    return out.join("\n");
}
