import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    AlarmSpec,
    LABEL_PATTERN,
    MAX_DESCRIPTION_LENGTH,
    MonitoringThresholds,
    RDS_CLUSTER_EVENT_CATEGORIES,
    RDS_EVENT_CATEGORIES,
    clusterInstanceAlarms,
    ec2ActionArn,
    freeStorageProblems,
    healthCheckAlarm,
    loadBalancerAlarms,
    metricAlarmArgs,
    partitionOf,
    primaryDbAlarms,
    replicaAlarms,
    resolveThresholds,
    wafAlarms,
    webFleetAlarms,
    standbyFailoverAlarms,
} from "./lib/alarms";
import { DASHBOARD_NAME_PATTERN, buildDashboardBody, dashboardNameOf, dashboardUrl } from "./lib/dashboard";
import { emailProblem, hostnameProblem } from "./lib/formats";

export type { MonitoringThresholds } from "./lib/alarms";

/** Route 53 publishes health-check metrics only here, so the health-check alarm (and its topic) live here. */
export const ROUTE53_METRICS_REGION = "us-east-1";

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export interface MonitoredLoadBalancer {
    /** The ALB's `arnSuffix` (`app/<name>/<id>`), the CloudWatch `LoadBalancer` dimension. */
    readonly arnSuffix: pulumi.Input<string>;
    /** The target group's `arnSuffix` (`targetgroup/<name>/<id>`), the `TargetGroup` dimension. */
    readonly targetGroupArnSuffix: pulumi.Input<string>;
    /** How many web servers should be healthy: the redundancy alarm's threshold (the server count). */
    readonly expectedHealthyHosts: number;
}

export interface MonitoredWebFleet {
    /** The Auto Scaling group's name (the `AutoScalingGroupName` dimension). */
    readonly autoScalingGroupName: pulumi.Input<string>;
    /** The group's minimum: fewer in service pages. */
    readonly minSize: number;
    /** The group's maximum, drawn on the dashboard. */
    readonly maxSize: number;
    /**
     * Active-passive: the failover function's name, for its alarms (errors, standbys missing, failover
     * performed).
     * @default - no failover alarms (active-active)
     */
    readonly failoverFunctionName?: pulumi.Input<string>;
}

/**
 * Auto Scaling events that reach the alert topic through EventBridge: a server that could not be
 * launched (capacity, quota, a broken template or AMI) or terminated, and an instance refresh that
 * failed, was cancelled or rolled back. No metric shows these; a refresh that rolled back is a deploy
 * that did not happen. Names from the EC2 Auto Scaling event reference:
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-event-reference.html
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/instance-refresh-eventbridge-events.html
 */
export const FLEET_EVENT_DETAIL_TYPES: readonly string[] = [
    "EC2 Instance Launch Unsuccessful",
    "EC2 Instance Terminate Unsuccessful",
    "EC2 Auto Scaling Instance Refresh Failed",
    "EC2 Auto Scaling Instance Refresh Cancelled",
    "EC2 Auto Scaling Instance Refresh Rollback Started",
    "EC2 Auto Scaling Instance Refresh Rollback Succeeded",
    "EC2 Auto Scaling Instance Refresh Rollback Failed",
];

export interface MonitoredDatabase {
    /** The primary's RDS `identifier` (the `DBInstanceIdentifier` dimension), not its resource id. */
    readonly primaryIdentifier: pulumi.Input<string>;
    /** Read replicas, each with a stable label such as `replica-1` and its RDS `identifier`. */
    readonly replicas: readonly { readonly name: string; readonly identifier: pulumi.Input<string> }[];
    /**
     * A Multi-AZ DB cluster instead of instances: its identifier (`primaryIdentifier` is the same) and
     * its three DB instances by label, with the identifiers RDS reports (`clusterMembers`). Alarms per
     * instance (liveness, CPU, replica lag, free storage, freeable memory, connections), cluster events
     * and the instances' events.
     * @default - instances (`primaryIdentifier` and `replicas`)
     */
    readonly cluster?: {
        readonly identifier: pulumi.Input<string>;
        readonly members: readonly { readonly name: string; readonly identifier: pulumi.Input<string> }[];
    };
    /**
     * The primary's storage at creation, GiB (`dbAllocatedStorageGiB`). With it, `thresholds.dbFreeStorageGiB`
     * is checked against the size: below it, and with storage autoscaling at most 5 % of it.
     * @default - size unknown: the threshold is not checked
     */
    readonly allocatedStorageGiB?: number;
    /**
     * The storage autoscaling limit, GiB (`dbMaxAllocatedStorageGiB`), above `allocatedStorageGiB`:
     * autoscaling is on. Named in the free-storage alarm's description.
     * @default - no storage autoscaling
     */
    readonly maxAllocatedStorageGiB?: number;
}

export interface MonitoredWaf {
    /**
     * The REGIONAL web ACL's `visibilityConfig.metricName` (the `WebAcl` component's `metricName`): the
     * `WebACL` dimension of its CloudWatch metrics. Required unless `webAclName` is given.
     * @default - `webAclName`
     */
    readonly webAclMetricName?: pulumi.Input<string>;
    /**
     * @deprecated The `WebACL` dimension is the metric name, which may differ from the name: pass
     * `webAclMetricName`. Used only without it, and right only when the ACL's metric name is its name.
     * @default - none
     */
    readonly webAclName?: pulumi.Input<string>;
}

export interface MonitoredHealthCheck {
    /** Public name of the site, checked over HTTPS on 443 from Route 53's checkers outside the VPC. */
    readonly domain: string;
    /**
     * Path requested; it must answer 2xx/3xx within 2 seconds without a login.
     * @default "/health"
     */
    readonly path?: string;
    /**
     * Seconds between checks from each checker: 30 (standard) or 10 (fast, costs more).
     * @default 30
     */
    readonly requestIntervalSeconds?: 10 | 30;
    /**
     * Consecutive failed checks before a checker calls the site unhealthy (1-10).
     * @default 3
     */
    readonly failureThreshold?: number;
}

export interface MonitoringArgs {
    /** The stack's region: where the watched resources and their alarms are, and the EC2 actions' region. */
    readonly region: string;
    /**
     * Address that receives every alarm and recovery by e-mail (an SNS subscription the recipient must
     * confirm, once per topic).
     * @default - no subscription: alarms go only to the topic
     */
    readonly alertEmail?: string;
    /**
     * Alarm thresholds; missing keys take the defaults of `infra/settings.ts`.
     * @default DEFAULT_THRESHOLDS (CPU 80 %, p99 1000 ms, 10 5xx/min, DB CPU 80 %, 2 GiB, 64 MiB, 60 connections, 30 s lag, 500 WAF blocks/5 min)
     */
    readonly thresholds?: Partial<MonitoringThresholds>;
    /**
     * The load balancer and its target group.
     * @default - no load balancer alarms or widgets
     */
    readonly loadBalancer?: MonitoredLoadBalancer;
    /**
     * The web fleet: alarms by group (in service below minimum, CPU), its failed launches and failed or
     * rolled-back instance refreshes to the topic through EventBridge, and its widgets.
     * @default - no fleet alarms, events or widgets
     */
    readonly webFleet?: MonitoredWebFleet;
    /**
     * The RDS primary and its read replicas: alarms (a liveness alarm each), widgets, and an RDS event
     * subscription of the topic to all of them.
     * @default - no database alarms, widgets or event subscription
     */
    readonly database?: MonitoredDatabase;
    /**
     * The web ACL, for a blocked-requests spike alarm.
     * @default - no WAF alarm or widget
     */
    readonly waf?: MonitoredWaf;
    /**
     * An external HTTPS health check of the site by Route 53, with its own alarm in us-east-1.
     * @default - no health check
     */
    readonly healthCheck?: MonitoredHealthCheck;
    /**
     * Name of the CloudWatch dashboard (letters, digits, `-`, `_`; unique in the account).
     * @default - `<project>-<stack>-<name>`
     */
    readonly dashboardName?: string;
    /**
     * Tags added to every taggable resource (on top of the provider's default tags).
     * @default {}
     */
    readonly tags?: Record<string, string>;
}

/** The encrypted topic alarms publish to, in one region. */
interface AlertTopic {
    readonly key: aws.kms.Key;
    readonly topic: aws.sns.Topic;
    readonly policy: aws.sns.TopicPolicy;
}

/** A topic policy statement: nobody publishes to the topic over plain HTTP (both alert topics carry it). */
function denyPublishWithoutTls(topicArn: pulumi.Input<string>) {
    return { Sid: "DenyPublishWithoutTls", Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: topicArn, Condition: { Bool: { "aws:SecureTransport": "false" } } };
}

/**
 * Alarms that reach a person, a dashboard, and an external health check.
 *
 * - An SNS topic encrypted with its own customer-managed KMS key, a topic policy that lets only this
 *   account's CloudWatch alarms publish (over TLS), and an e-mail subscription when `alertEmail` is
 *   set.
 * - A CloudWatch alarm per failure the architecture is built to survive (a server down, redundancy
 *   lost, the primary in trouble, a replica lagging or stopped, any DB instance gone silent), each
 *   sending ALARM and OK to the topic and describing what broke and what to do first. Web servers
 *   are watched by group: the group replaces a failed server itself, so there is no per-instance
 *   recover/reboot alarm; what pages is the group staying below its minimum, fleet CPU, and (through
 *   EventBridge) failed launches and failed or rolled-back instance refreshes.
 * - With `database`: an RDS event subscription to every DB instance (failover, failure, deletion,
 *   recovery, low storage, ...), or to the Multi-AZ DB cluster and (a second one) its three DB
 *   instances, delivered to a topic of its own that needs no KMS key, with the same e-mail subscription.
 * - A dashboard whose body comes from the pure `buildDashboardBody`.
 * - With `healthCheck`: a Route 53 HTTPS health check from outside the VPC and its alarm, in
 *   us-east-1 (where Route 53 publishes its metrics), notifying a second topic there when the stack
 *   is elsewhere (an alarm can only notify a topic in its own region).
 */
export class Monitoring extends pulumi.ComponentResource {
    /** The alert topic in the stack's region. */
    public readonly topic: aws.sns.Topic;
    public readonly topicArn: pulumi.Output<string>;
    /** The us-east-1 topic of the health-check alarm; only when the stack is in another region. */
    public readonly usEast1TopicArn?: pulumi.Output<string>;
    /** Every alarm, in creation order (the health-check alarm last). */
    public readonly alarms: aws.cloudwatch.MetricAlarm[];
    public readonly alarmNames: pulumi.Output<string>[];
    public readonly dashboard: aws.cloudwatch.Dashboard;
    public readonly dashboardName: pulumi.Output<string>;
    public readonly dashboardUrl: pulumi.Output<string>;
    public readonly dashboardArn: pulumi.Output<string>;
    /** The Route 53 health check, when `healthCheck` is set. */
    public readonly healthCheckId?: pulumi.Output<string>;
    /** The RDS event subscription to the DB instances or cluster (`database`), notifying `dbEventsTopicArn`. */
    public readonly dbEventSubscription?: aws.rds.EventSubscription;
    /** With a Multi-AZ DB cluster: the RDS event subscription to its three DB instances (db-instance events), notifying `dbEventsTopicArn`. */
    public readonly dbInstanceEventSubscription?: aws.rds.EventSubscription;
    /** With `database`: the topic RDS events go to (no customer-managed key; see `dbEventsTopic`). */
    public readonly dbEventsTopicArn?: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-infra:monitoring:Monitoring", name, {}, opts);

        // ---- defaults ----
        const region = args.region;
        const fleet = args.webFleet;
        const replicas = args.database?.replicas ?? [];
        const clusterMembers = args.database?.cluster?.members ?? [];
        const dashboardName = args.dashboardName ?? dashboardNameOf(pulumi.getProject(), pulumi.getStack(), name);
        const tags = args.tags ?? {};
        const hc = args.healthCheck && {
            domain: args.healthCheck.domain,
            path: args.healthCheck.path ?? "/health",
            // 30 s is the standard interval; 10 s ("fast") detects sooner but is billed extra.
            requestInterval: args.healthCheck.requestIntervalSeconds ?? 30,
            // 3 × 30 s: about 90 s from the first failure to "unhealthy".
            failureThreshold: args.healthCheck.failureThreshold ?? 3,
        };
        const { thresholds, problems } = resolveThresholds(args.thresholds);
        const db = args.database;
        const storage = db && { allocatedGiB: db.allocatedStorageGiB, maxAllocatedGiB: db.maxAllocatedStorageGiB };

        // ---- validation (before any resource) ----
        const fail = (message: string): never => {
            throw new Error(`Monitoring ${name}: ${message}`);
        };
        if (!REGION_PATTERN.test(region ?? "")) fail(`\`region\` must be an AWS region such as eu-west-1 (got ${JSON.stringify(region)})`);
        if (problems.length > 0) fail(problems.join("; "));
        // Only once the thresholds are valid: the storage check reads dbFreeStorageGiB.
        const storageProblems = freeStorageProblems(thresholds, storage);
        if (storageProblems.length > 0) fail(storageProblems.join("; "));
        if (args.waf && args.waf.webAclMetricName === undefined && args.waf.webAclName === undefined) {
            fail("`waf.webAclMetricName` is required: the web ACL's visibilityConfig.metricName (the WebAcl component's `metricName`)");
        }
        const emailIssue = args.alertEmail === undefined ? undefined : emailProblem(args.alertEmail, "alertEmail");
        if (emailIssue) fail(emailIssue);
        const expected = args.loadBalancer?.expectedHealthyHosts;
        if (expected !== undefined && (!Number.isInteger(expected) || expected < 1)) {
            fail(`\`loadBalancer.expectedHealthyHosts\` must be a whole number ≥ 1 (got ${expected})`);
        }
        if (fleet && (!Number.isInteger(fleet.minSize) || fleet.minSize < 1 || !Number.isInteger(fleet.maxSize) || fleet.maxSize < fleet.minSize)) {
            fail(`\`webFleet.minSize\` must be a whole number ≥ 1 and \`webFleet.maxSize\` ≥ it (got ${fleet.minSize} and ${fleet.maxSize})`);
        }
        const labels = [
            ...replicas.map((r) => ({ arg: "database.replicas", name: r.name })),
            ...clusterMembers.map((m) => ({ arg: "database.cluster.members", name: m.name })),
        ];
        for (const l of labels) {
            if (!LABEL_PATTERN.test(l.name ?? "")) {
                fail(`\`${l.arg}[].name\` must be 1-32 lower-case letters, digits or '-', starting and ending with a letter or digit, such as web-1 (got ${JSON.stringify(l.name)})`);
            }
        }
        const seen = new Set<string>();
        for (const l of labels) {
            if (seen.has(l.name)) fail(`\`database.replicas[].name\` must be distinct (got ${JSON.stringify(l.name)} twice)`);
            seen.add(l.name);
        }
        if (hc) {
            const domainIssue = hostnameProblem(hc.domain, "healthCheck.domain");
            if (domainIssue) fail(domainIssue);
            if (!/^\/[^\s?#]*(\?[^\s#]*)?$/.test(hc.path) || hc.path.length > 255) {
                fail(`\`healthCheck.path\` must start with / and have no spaces, at most 255 characters (got ${JSON.stringify(hc.path)})`);
            }
            if (hc.requestInterval !== 10 && hc.requestInterval !== 30) fail(`\`healthCheck.requestIntervalSeconds\` must be 10 or 30 (got ${hc.requestInterval})`);
            if (!Number.isInteger(hc.failureThreshold) || hc.failureThreshold < 1 || hc.failureThreshold > 10) {
                fail(`\`healthCheck.failureThreshold\` must be a whole number from 1 to 10 (got ${hc.failureThreshold})`);
            }
        }
        if (!DASHBOARD_NAME_PATTERN.test(dashboardName)) {
            fail(`\`dashboardName\` must be 1-255 letters, digits, '-' or '_' (got ${JSON.stringify(dashboardName)})`);
        }

        const parent = { parent: this };
        const partition = partitionOf(region);
        const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
        const url = dashboardUrl(region, dashboardName);
        const healthUrl = hc && `https://${hc.domain}${hc.path}`;

        // ---- alert topics ----
        // EventBridge (the fleet's Auto Scaling events) may publish to it; RDS events have a topic of their own.
        const main = this.alertTopic(name, "alerts", undefined, region, partition, accountId, args.alertEmail, tags, fleet !== undefined);
        this.topic = main.topic;
        this.topicArn = main.topic.arn;
        // An alarm's actions must be in the alarm's region, and the health-check alarm must be in
        // us-east-1: outside us-east-1 it needs a topic (and key, and subscription) of its own there.
        let usEast1 = main;
        if (hc && region !== ROUTE53_METRICS_REGION) {
            usEast1 = this.alertTopic(name, "alerts-us-east-1", ROUTE53_METRICS_REGION, ROUTE53_METRICS_REGION, partition, accountId, args.alertEmail, tags, false);
            this.usEast1TopicArn = usEast1.topic.arn;
        }

        // ---- alarms ----
        type Spec = AlarmSpec<pulumi.Input<string>>;
        const specs: Spec[] = [];
        if (args.loadBalancer) {
            specs.push(...loadBalancerAlarms({ loadBalancer: args.loadBalancer.arnSuffix, targetGroup: args.loadBalancer.targetGroupArnSuffix }, args.loadBalancer.expectedHealthyHosts, thresholds));
        }
        if (fleet) specs.push(...webFleetAlarms({ autoScalingGroupName: fleet.autoScalingGroupName, minSize: fleet.minSize }, thresholds));
        if (fleet?.failoverFunctionName !== undefined) {
            specs.push(...standbyFailoverAlarms({ functionName: fleet.failoverFunctionName, autoScalingGroupName: fleet.autoScalingGroupName }));
        }
        if (db) {
            const dbStorage = db.allocatedStorageGiB !== undefined ? { allocatedGiB: db.allocatedStorageGiB, maxAllocatedGiB: db.maxAllocatedStorageGiB } : undefined;
            if (db.cluster) {
                for (const member of clusterMembers) specs.push(...clusterInstanceAlarms(member, thresholds, db.allocatedStorageGiB));
            } else {
                specs.push(...primaryDbAlarms(db.primaryIdentifier, thresholds, dbStorage));
                for (const replica of replicas) specs.push(...replicaAlarms(replica, thresholds));
            }
        }
        // Validated above: one of the two is set.
        const wafMetricName = args.waf && (args.waf.webAclMetricName ?? args.waf.webAclName)!;
        if (wafMetricName !== undefined) specs.push(...wafAlarms({ webAclMetricName: wafMetricName, region }, thresholds));

        const alarm = (spec: Spec, topic: aws.sns.Topic, alarmRegion: string | undefined): aws.cloudwatch.MetricAlarm => {
            const footer = `\nDashboard: ${url}`;
            const description = spec.description.length + footer.length <= MAX_DESCRIPTION_LENGTH ? spec.description + footer : spec.description;
            // EC2 actions act on the instance in the alarm's region; the topic both alarms and recoveries.
            const alarmActions: pulumi.Input<string>[] = [...(spec.ec2Action ? [ec2ActionArn(spec.ec2Action, region)] : []), topic.arn];
            return new aws.cloudwatch.MetricAlarm(
                `${name}-${spec.role}`,
                {
                    ...(alarmRegion ? { region: alarmRegion } : {}),
                    alarmDescription: description,
                    ...metricAlarmArgs(spec),
                    actionsEnabled: true,
                    alarmActions,
                    // OK goes to the topic too, so whoever was paged learns that it recovered.
                    okActions: [topic.arn],
                    tags: { ...tags, Name: `${name}-${spec.role}` },
                },
                parent,
            );
        };
        const stackAlarms = specs.map((s) => alarm(s, main.topic, undefined));
        this.alarms = [...stackAlarms];

        // ---- RDS events ----
        // What no metric shows, or shows late: a Multi-AZ failover, a failed, deleted, stopped or
        // recovering instance, replication broken, storage autoscaling stuck or near its maximum.
        // Events of every instance given (primary and replicas), by RDS identifier, or of the cluster.
        // They go to a topic of their own without a customer-managed key (see dbEventsTopic).
        if (db) {
            const events = this.dbEventsTopic(name, region, partition, accountId, args.alertEmail, tags);
            this.dbEventsTopicArn = events.topic.arn;
            this.dbEventSubscription = new aws.rds.EventSubscription(
                `${name}-db-events`,
                {
                    snsTopic: events.topic.arn,
                    ...(db.cluster
                        ? { sourceType: "db-cluster", sourceIds: [db.cluster.identifier], eventCategories: [...RDS_CLUSTER_EVENT_CATEGORIES] }
                        : { sourceType: "db-instance", sourceIds: [db.primaryIdentifier, ...replicas.map((r) => r.identifier)], eventCategories: [...RDS_EVENT_CATEGORIES] }),
                    enabled: true,
                    tags: { ...tags, Name: `${name}-db-events` },
                },
                // Events RDS sends before the topic policy lets it publish are lost.
                { parent: this, dependsOn: [events.policy] },
            );
            // A cluster's events say little about its three DB instances: a reboot, a failed or recovered
            // instance, storage running out (no autoscaling here) are db-instance events, and a
            // subscription has one source type. So a second one, on the members by the identifiers RDS
            // reports for them (DescribeDBClusters DBClusterMembers, the cluster's `clusterMembers`):
            // RDS names them itself and AWS documents no naming rule, so we never build one. A member RDS
            // replaces under a new identifier is subscribed at the next `pulumi up --refresh`; the
            // cluster subscription reports the failover meanwhile.
            if (db.cluster) {
                const memberIds = pulumi.all(clusterMembers.map((m) => m.identifier)).apply((ids) => ids.filter((id) => id !== ""));
                this.dbInstanceEventSubscription = new aws.rds.EventSubscription(
                    `${name}-db-instance-events`,
                    {
                        snsTopic: events.topic.arn,
                        sourceType: "db-instance",
                        sourceIds: memberIds,
                        eventCategories: [...RDS_EVENT_CATEGORIES],
                        enabled: true,
                        tags: { ...tags, Name: `${name}-db-instance-events` },
                    },
                    { parent: this, dependsOn: [events.policy] },
                );
            }
        }

        // ---- fleet events: failed launches, failed or rolled-back refreshes ----
        if (fleet) {
            const rule = new aws.cloudwatch.EventRule(
                `${name}-fleet-events`,
                {
                    description: "Web fleet: failed launches/terminations and failed, cancelled or rolled-back instance refreshes, to the alert topic. Runbook: docs/runbooks/web-rolling-deploy.md",
                    eventPattern: pulumi.jsonStringify({
                        source: ["aws.autoscaling"],
                        "detail-type": [...FLEET_EVENT_DETAIL_TYPES],
                        detail: { AutoScalingGroupName: [fleet.autoScalingGroupName] },
                    }),
                    tags: { ...tags, Name: `${name}-fleet-events` },
                },
                parent,
            );
            new aws.cloudwatch.EventTarget(
                `${name}-fleet-events-to-topic`,
                { rule: rule.name, arn: main.topic.arn },
                // EventBridge publishes only once the topic and key policies let events.amazonaws.com in.
                { parent: this, dependsOn: [main.policy, main.key] },
            );
        }

        // ---- external health check ----
        if (hc && healthUrl) {
            const check = new aws.route53.HealthCheck(
                `${name}-health-check`,
                {
                    type: "HTTPS",
                    fqdn: hc.domain,
                    port: 443,
                    resourcePath: hc.path,
                    // Send the name in the TLS handshake, so the load balancer presents the right certificate.
                    enableSni: true,
                    requestInterval: hc.requestInterval,
                    failureThreshold: hc.failureThreshold,
                    // Latency graphs per checker region; can only be chosen when the check is created.
                    measureLatency: true,
                    // `regions` left out: Route 53 checks from all its checker regions, the widest view.
                    // The console lists checks by this tag; tag values can't hold `?`, `&` and the like.
                    tags: { ...tags, Name: `${name} ${healthUrl}`.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, "_").slice(0, 256) },
                },
                parent,
            );
            this.healthCheckId = check.id;
            this.alarms.push(alarm(healthCheckAlarm(check.id, healthUrl, region), usEast1.topic, ROUTE53_METRICS_REGION));
        }
        this.alarmNames = this.alarms.map((a) => a.name);

        // ---- dashboard ----
        const lb = args.loadBalancer;
        // `pulumi.output` of a plain object waits for every Input inside it.
        const body = pulumi
            .output({
                lb: lb ? { arnSuffix: lb.arnSuffix, targetGroupArnSuffix: lb.targetGroupArnSuffix } : undefined,
                groupName: fleet?.autoScalingGroupName,
                primary: args.database?.primaryIdentifier,
                replicaIds: replicas.map((r) => r.identifier),
                memberIds: clusterMembers.map((m) => m.identifier),
                wafMetricName,
                healthCheckId: this.healthCheckId,
                // The alarm status widget shows the alarms in this region (the health check has its own graph).
                alarmArns: stackAlarms.map((a) => a.arn),
            })
            .apply((v) =>
                buildDashboardBody({
                    region,
                    title: `${dashboardName}: web stack health`,
                    thresholds,
                    loadBalancer: lb && v.lb ? { ...v.lb, expectedHealthyHosts: lb.expectedHealthyHosts } : undefined,
                    webFleet: fleet && v.groupName !== undefined ? { autoScalingGroupName: v.groupName, minSize: fleet.minSize, maxSize: fleet.maxSize } : undefined,
                    database:
                        v.primary === undefined
                            ? undefined
                            : clusterMembers.length > 0
                              ? (() => {
                                    const members = clusterMembers.map((m, i) => ({ name: m.name, identifier: v.memberIds[i] }));
                                    return { primaryIdentifier: v.primary, replicas: members, instances: members };
                                })()
                              : { primaryIdentifier: v.primary, replicas: replicas.map((r, i) => ({ name: r.name, identifier: v.replicaIds[i] })) },
                    waf: v.wafMetricName !== undefined ? { webAclMetricName: v.wafMetricName } : undefined,
                    healthCheck: v.healthCheckId !== undefined && healthUrl ? { id: v.healthCheckId, url: healthUrl } : undefined,
                    alarmArns: v.alarmArns,
                }),
            );
        this.dashboard = new aws.cloudwatch.Dashboard(`${name}-dashboard`, { dashboardName, dashboardBody: body }, parent);
        this.dashboardName = this.dashboard.dashboardName;
        this.dashboardArn = this.dashboard.dashboardArn;
        this.dashboardUrl = this.dashboard.dashboardName.apply((n) => dashboardUrl(region, n));

        this.registerOutputs({
            topicArn: this.topicArn,
            usEast1TopicArn: this.usEast1TopicArn,
            alarmNames: this.alarmNames,
            dashboardName: this.dashboardName,
            dashboardUrl: this.dashboardUrl,
            healthCheckId: this.healthCheckId,
            dbEventSubscriptionArn: this.dbEventSubscription?.arn,
            dbInstanceEventSubscriptionArn: this.dbInstanceEventSubscription?.arn,
        });
    }

    /**
     * A KMS key, an SNS topic encrypted with it, the topic policy, and the e-mail subscription.
     *
     * The key is customer-managed because CloudWatch cannot publish to a topic encrypted with the
     * AWS-managed `alias/aws/sns` (its key policy cannot be changed to let cloudwatch.amazonaws.com
     * use it): the alarm history then shows a KMS AccessDeniedException and nobody is told.
     * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
     * https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger, aws/aws-cdk#11121
     *
     * RDS events do not come here: see `dbEventsTopic`.
     *
     * @param resourceRegion `region` of the resources (undefined: the provider's)
     * @param region where they are, for ARNs in policies
     * @param fleetEvents let EventBridge rules of this account publish (the fleet's Auto Scaling events)
     */
    private alertTopic(
        name: string,
        role: string,
        resourceRegion: string | undefined,
        region: string,
        partition: string,
        accountId: pulumi.Output<string>,
        alertEmail: string | undefined,
        tags: Record<string, string>,
        fleetEvents: boolean,
    ): AlertTopic {
        const parent = { parent: this };
        const inRegion = resourceRegion ? { region: resourceRegion } : {};
        const root = pulumi.interpolate`arn:${partition}:iam::${accountId}:root`;
        const key = new aws.kms.Key(
            `${name}-${role}-key`,
            {
                ...inRegion,
                description: `Encrypts the ${name} alarm topic (${role}) in ${region}; usable by CloudWatch alarms to publish`,
                enableKeyRotation: true,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            // The default key policy: the account administers the key through IAM.
                            Sid: "AccountAdministersKey",
                            Effect: "Allow",
                            Principal: { AWS: root },
                            Action: "kms:*",
                            Resource: "*",
                        },
                        {
                            // What CloudWatch needs to publish to the encrypted topic. Left without
                            // conditions, as AWS documents it: an over-tight condition fails silently
                            // (alarms fire, nobody hears). The key serves this topic only, and the topic
                            // policy limits publishing to this account's alarms.
                            Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
                            Effect: "Allow",
                            Principal: { Service: "cloudwatch.amazonaws.com" },
                            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                            Resource: "*",
                        },
                        // EventBridge rules (the fleet's events) publish to the encrypted topic the same way:
                        // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions
                        ...(fleetEvents
                            ? [
                                  {
                                      Sid: "EventBridgePublishesToEncryptedTopic",
                                      Effect: "Allow",
                                      Principal: { Service: "events.amazonaws.com" },
                                      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                                      Resource: "*",
                                  },
                              ]
                            : []),
                    ],
                }),
                tags: { ...tags, Name: `${name}-${role}-key` },
            },
            parent,
        );
        const topic = new aws.sns.Topic(
            `${name}-${role}`,
            {
                ...inRegion,
                // The sender name of the e-mails.
                displayName: `${name} alarms`.slice(0, 100),
                kmsMasterKeyId: key.arn,
                tags: { ...tags, Name: `${name}-${role}` },
            },
            parent,
        );
        const policy = new aws.sns.TopicPolicy(
            `${name}-${role}-policy`,
            {
                ...inRegion,
                arn: topic.arn,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "AccountManagesTopic",
                            Effect: "Allow",
                            Principal: { AWS: root },
                            Action: [
                                "sns:GetTopicAttributes",
                                "sns:SetTopicAttributes",
                                "sns:AddPermission",
                                "sns:RemovePermission",
                                "sns:DeleteTopic",
                                "sns:Subscribe",
                                "sns:ListSubscriptionsByTopic",
                                "sns:Publish",
                            ],
                            Resource: topic.arn,
                        },
                        {
                            // Confused-deputy guard: only alarms of this account, in this region.
                            Sid: "CloudWatchAlarmsPublish",
                            Effect: "Allow",
                            Principal: { Service: "cloudwatch.amazonaws.com" },
                            Action: "sns:Publish",
                            Resource: topic.arn,
                            Condition: {
                                StringEquals: { "aws:SourceAccount": accountId },
                                ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:cloudwatch:${region}:${accountId}:alarm:*` },
                            },
                        },
                        // Confused-deputy guard: only this account's EventBridge rules.
                        ...(fleetEvents
                            ? [
                                  {
                                      Sid: "EventBridgeRulesPublish",
                                      Effect: "Allow",
                                      Principal: { Service: "events.amazonaws.com" },
                                      Action: "sns:Publish",
                                      Resource: topic.arn,
                                      Condition: {
                                          StringEquals: { "aws:SourceAccount": accountId },
                                          ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:events:${region}:${accountId}:rule/*` },
                                      },
                                  },
                              ]
                            : []),
                        denyPublishWithoutTls(topic.arn),
                    ],
                }),
            },
            parent,
        );
        if (alertEmail !== undefined) {
            // Stays "pending confirmation" until the recipient clicks the link AWS e-mails them.
            new aws.sns.TopicSubscription(`${name}-${role}-email`, { ...inRegion, topic: topic.arn, protocol: "email", endpoint: alertEmail }, parent);
        }
        return { key, topic, policy };
    }

    /**
     * The topic RDS event notifications go to: no customer-managed key, so no key policy stands between
     * RDS and the people subscribed. The alarm topic's key cannot serve here: the current SNS guide no
     * longer lists which services publish to topics under a customer-managed key ("see your service
     * documentation"), and the RDS guide on event notification permissions documents only the topic
     * policy (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.GrantingPermissions.html),
     * so an encrypted topic would be an alert path nobody has seen work. The events carry identifiers
     * and event texts, no data. Publishing needs TLS and comes only from this account's RDS resources.
     * The e-mail address gets a second subscription to confirm (docs/runbooks/confirm-alert-email.md).
     */
    private dbEventsTopic(
        name: string,
        region: string,
        partition: string,
        accountId: pulumi.Output<string>,
        alertEmail: string | undefined,
        tags: Record<string, string>,
    ): { topic: aws.sns.Topic; policy: aws.sns.TopicPolicy } {
        const parent = { parent: this };
        const topic = new aws.sns.Topic(`${name}-db-events-topic`, { displayName: `${name} database events`.slice(0, 100), tags: { ...tags, Name: `${name}-db-events-topic` } }, parent);
        const root = pulumi.interpolate`arn:${partition}:iam::${accountId}:root`;
        const policy = new aws.sns.TopicPolicy(
            `${name}-db-events-topic-policy`,
            {
                arn: topic.arn,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "AccountManagesTopic",
                            Effect: "Allow",
                            Principal: { AWS: root },
                            Action: ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:DeleteTopic", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"],
                            Resource: topic.arn,
                        },
                        {
                            // Confused-deputy guard as RDS documents it: this account's DB instances, clusters
                            // and event subscriptions in this region.
                            Sid: "RdsEventsPublish",
                            Effect: "Allow",
                            Principal: { Service: "events.rds.amazonaws.com" },
                            Action: "sns:Publish",
                            Resource: topic.arn,
                            Condition: {
                                StringEquals: { "aws:SourceAccount": accountId },
                                ArnLike: {
                                    "aws:SourceArn": [
                                        pulumi.interpolate`arn:${partition}:rds:${region}:${accountId}:db:*`,
                                        pulumi.interpolate`arn:${partition}:rds:${region}:${accountId}:cluster:*`,
                                        pulumi.interpolate`arn:${partition}:rds:${region}:${accountId}:es:*`,
                                    ],
                                },
                            },
                        },
                        denyPublishWithoutTls(topic.arn),
                    ],
                }),
            },
            parent,
        );
        if (alertEmail !== undefined) {
            new aws.sns.TopicSubscription(`${name}-db-events-email`, { topic: topic.arn, protocol: "email", endpoint: alertEmail }, parent);
        }
        return { topic, policy };
    }
}
