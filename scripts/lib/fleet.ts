/**
 * The web fleet as the plan sees it: an EC2 Auto Scaling group read from its declared inputs (size
 * range, zones, launch template, health checks, warm pool, target-tracking policies, the active-passive
 * failover function that keeps Standby servers), how AWS spreads it over its zones, and how long a
 * replacement and an active-passive failover take, step by step, from the declared values plus the AWS
 * figures that are not ours to set.
 * Pure: records in, facts out.
 */
import { PlanRecord, RecordSet, T, field, num, str, uniqueSorted } from "./records";

/** A target-tracking scaling policy of the group. */
export interface ScalingTarget {
    readonly policy: string;
    /** `ALBRequestCountPerTarget`, `ASGAverageCPUUtilization`, … or `custom metric`. */
    readonly metric: string;
    readonly target?: number;
}

export interface WarmPoolInfo {
    /** `Running`, `Stopped` or `Hibernated` (AWS default `Stopped`). */
    readonly poolState: string;
    readonly minSize: number;
    /** Undefined (or -1 in the API): the group's maximum size is used. */
    readonly maxGroupPreparedCapacity?: number;
}

/**
 * Active-passive: the function of ours that keeps servers of the group in the Auto Scaling `Standby`
 * state and moves one in service when the active fails (components/standbyFailover.ts), read from its
 * declared environment.
 */
export interface StandbyFunctionInfo {
    /** Logical name of the Lambda function. */
    readonly name: string;
    /** `STANDBY_COUNT`: servers it keeps in Standby. */
    readonly standbyCount: number;
    /** `POLL_SECONDS`: how often it looks within one invocation. */
    readonly pollSeconds: number;
    /** `RUN_SECONDS`: the offset of one invocation's last pass; the schedule starts one a minute. */
    readonly runSeconds: number;
}

/** The function's environment variable naming the group it keeps standbys of. */
export const STANDBY_FUNCTION_GROUP_VARIABLE = "GROUP_NAME";

export interface FleetInfo {
    /** Logical name. */
    readonly name: string;
    /** The group's AWS name (what `AutoScalingGroupName` dimensions and policies refer to). */
    readonly groupName?: string;
    readonly minSize: number;
    readonly maxSize: number;
    /**
     * Declared desired capacity that every `pulumi up` sends; undefined when left to the scaler (as it
     * should be) or set at creation only (`ignoreChanges`: `desiredAtCreation`).
     */
    readonly desiredCapacity?: number;
    /** Declared desired capacity that `ignoreChanges` keeps `up` from sending after creation. */
    readonly desiredAtCreation?: number;
    /** Zones of the group's subnets (`vpcZoneIdentifiers`), sorted. */
    readonly zones: string[];
    readonly launchTemplate?: string;
    readonly instanceType?: string;
    /** EBS GiB per instance (the template's block-device mappings; 8 GiB, the AL2023 root, when none). */
    readonly volumeGiBPerInstance: number;
    /** `EC2` (the AWS default) or `ELB`. */
    readonly healthCheckType: string;
    /** Seconds; the provider's default 300 when not declared. */
    readonly gracePeriodSeconds: number;
    /** Logical names of the target groups it is attached to (inline or through attachment resources). */
    readonly targetGroups: string[];
    readonly scaling: ScalingTarget[];
    readonly warmPool?: WarmPoolInfo;
    /** Active-passive: the failover function keeping Standby servers of this group. */
    readonly standbyFunction?: StandbyFunctionInfo;
    /** Health-check timeout of the (first) target group the group is attached to (AWS's default 5 s for HTTP when not declared). */
    readonly healthCheckTimeoutSeconds?: number;
    /** `instanceMaintenancePolicy.minHealthyPercentage`/`maxHealthyPercentage` (launch before terminate when max > 100). */
    readonly maintenance?: { readonly minHealthyPercentage?: number; readonly maxHealthyPercentage?: number };
}

/** Types of the resources that attach a group to a target group from outside it. */
export const ATTACHMENT_TYPES = {
    attachment: "aws:autoscaling/attachment:Attachment",
    trafficSourceAttachment: "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment",
    policy: "aws:autoscaling/policy:Policy",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
} as const;

// terraform-provider-aws, aws_autoscaling_group: health_check_grace_period Default 300 (the API's is 0).
const PROVIDER_DEFAULT_GRACE_SECONDS = 300;
// Amazon Linux 2023 AMIs have an 8 GiB root volume; a template without mappings gets the AMI's.
const AMI_ROOT_GIB = 8;

/** The names other resources may use for a group: its AWS name (input or computed), id, logical name. */
function namesOf(group: PlanRecord): Set<string> {
    return new Set([str(group.inputs.name), str(group.state?.name), str(group.state?.id), group.id, group.name].filter((n): n is string => n !== undefined));
}

function targetGroupRefs(rs: RecordSet, group: PlanRecord): string[] {
    const inline = ((field(group, "targetGroupArns") as unknown[] | undefined) ?? []).map(str);
    const sources = ((field(group, "trafficSources") as { identifier?: unknown }[] | undefined) ?? []).map((s) => str(s?.identifier));
    const names = namesOf(group);
    const attached = [
        ...rs.of(ATTACHMENT_TYPES.attachment).filter((a) => names.has(String(a.inputs.autoscalingGroupName))).map((a) => str(a.inputs.lbTargetGroupArn)),
        ...rs
            .of(ATTACHMENT_TYPES.trafficSourceAttachment)
            .filter((a) => names.has(String(a.inputs.autoscalingGroupName)))
            .map((a) => str((a.inputs.trafficSource as { identifier?: unknown } | undefined)?.identifier)),
    ];
    return uniqueSorted([...inline, ...sources, ...attached].map((ref) => rs.byRef(ref)?.name ?? ref));
}

function scalingTargets(rs: RecordSet, group: PlanRecord): ScalingTarget[] {
    const names = namesOf(group);
    return rs
        .of(ATTACHMENT_TYPES.policy)
        .filter((p) => names.has(String(p.inputs.autoscalingGroupName)) && p.inputs.policyType === "TargetTrackingScaling")
        .map((p) => {
            const cfg = (p.inputs.targetTrackingConfiguration as Record<string, any> | undefined) ?? {};
            return {
                policy: p.name,
                metric: str(cfg.predefinedMetricSpecification?.predefinedMetricType) ?? "custom metric",
                target: typeof cfg.targetValue === "number" ? cfg.targetValue : num(cfg.targetValue),
            };
        });
}

function launchTemplateOf(rs: RecordSet, group: PlanRecord): PlanRecord | undefined {
    const spec = field(group, "launchTemplate") as { id?: unknown; name?: unknown } | undefined;
    const ref = rs.byRef(spec?.id);
    if (ref?.type === ATTACHMENT_TYPES.launchTemplate) return ref;
    const byName = str(spec?.name);
    return byName ? rs.of(ATTACHMENT_TYPES.launchTemplate).find((t) => str(field(t, "name")) === byName) : undefined;
}

function standbyFunctionOf(rs: RecordSet, group: PlanRecord): StandbyFunctionInfo | undefined {
    const names = namesOf(group);
    for (const fn of rs.of("aws:lambda/function:Function")) {
        const vars = (field(fn, "environment") as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
        if (!names.has(String(vars[STANDBY_FUNCTION_GROUP_VARIABLE]))) continue;
        return { name: fn.name, standbyCount: num(vars.STANDBY_COUNT) ?? 1, pollSeconds: num(vars.POLL_SECONDS) ?? 5, runSeconds: num(vars.RUN_SECONDS) ?? 55 };
    }
    return undefined;
}

/**
 * AWS's health-check timeout when a target group declares none: "For target groups with a protocol of
 * HTTP, the default is 6 seconds. For target groups with a protocol of TCP, TLS or HTTPS, the default is
 * 10 seconds" (ELBv2 API reference, CreateTargetGroup `HealthCheckTimeoutSeconds`).
 */
function healthCheckTimeoutOf(rs: RecordSet, targetGroupName: string | undefined): number | undefined {
    const tg = targetGroupName === undefined ? undefined : rs.of(T.targetGroup).find((t) => t.name === targetGroupName);
    if (!tg) return undefined;
    const hc = (field(tg, "healthCheck") as Record<string, unknown> | undefined) ?? {};
    const protocol = str(hc.protocol) ?? str(field(tg, "protocol")) ?? "HTTP";
    return num(hc.timeout) ?? (protocol === "HTTP" ? 6 : 10);
}

/** Every Auto Scaling group the records declare, read as a fleet. */
export function fleetsOf(records: readonly PlanRecord[], rs: RecordSet = new RecordSet(records)): FleetInfo[] {
    return rs.of(T.autoScalingGroup).map((g) => {
        const template = launchTemplateOf(rs, g);
        const mappings = ((template && field(template, "blockDeviceMappings")) as { ebs?: { volumeSize?: unknown } }[] | undefined) ?? [];
        const volumes = mappings.map((m) => num(m?.ebs?.volumeSize)).filter((n): n is number => n !== undefined);
        const wp = field(g, "warmPool") as Record<string, unknown> | undefined;
        const mp = field(g, "instanceMaintenancePolicy") as Record<string, unknown> | undefined;
        const prepared = num(wp?.maxGroupPreparedCapacity);
        const tgNames = targetGroupRefs(rs, g);
        return {
            name: g.name,
            groupName: str(g.inputs.name) ?? str(g.state?.name) ?? str(g.state?.id) ?? g.id,
            minSize: num(field(g, "minSize")) ?? 0,
            maxSize: num(field(g, "maxSize")) ?? num(field(g, "minSize")) ?? 0,
            desiredCapacity: g.ignoreChanges?.includes("desiredCapacity") ? undefined : num(g.inputs.desiredCapacity),
            desiredAtCreation: g.ignoreChanges?.includes("desiredCapacity") ? num(g.inputs.desiredCapacity) : undefined,
            standbyFunction: standbyFunctionOf(rs, g),
            zones: uniqueSorted(((field(g, "vpcZoneIdentifiers") as unknown[] | undefined) ?? []).map((s) => rs.subnetZone(s))),
            launchTemplate: template?.name,
            instanceType: template ? str(field(template, "instanceType")) : undefined,
            volumeGiBPerInstance: volumes.length > 0 ? volumes.reduce((a, b) => a + b, 0) : AMI_ROOT_GIB,
            healthCheckType: str(field(g, "healthCheckType")) ?? "EC2",
            gracePeriodSeconds: num(field(g, "healthCheckGracePeriod")) ?? PROVIDER_DEFAULT_GRACE_SECONDS,
            targetGroups: tgNames,
            healthCheckTimeoutSeconds: healthCheckTimeoutOf(rs, tgNames[0]),
            scaling: scalingTargets(rs, g),
            warmPool: wp
                ? { poolState: str(wp.poolState) ?? "Stopped", minSize: num(wp.minSize) ?? 0, maxGroupPreparedCapacity: prepared !== undefined && prepared >= 0 ? prepared : undefined }
                : undefined,
            maintenance: mp ? { minHealthyPercentage: num(mp.minHealthyPercentage), maxHealthyPercentage: num(mp.maxHealthyPercentage) } : undefined,
        };
    });
}

/**
 * How EC2 Auto Scaling spreads `count` instances over `zones`: evenly, the remainder one each to some
 * zones ("Auto Scaling maintains an equal number of instances across enabled Availability Zones",
 * EC2 Auto Scaling User Guide, "Auto Scaling group Availability Zone distribution"). Which zones get the
 * extra instance is AWS's choice; here the first ones, so 3 over 2 zones is 2+1.
 */
export function spreadOverZones(count: number, zones: readonly string[]): Record<string, number> {
    if (zones.length === 0) return count > 0 ? { "unknown zone": count } : {};
    const base = Math.floor(count / zones.length);
    const extra = count % zones.length;
    return Object.fromEntries(zones.map((z, i) => [z, base + (i < extra ? 1 : 0)]));
}

/** "2+1" */
export function spreadText(spread: Readonly<Record<string, number>>): string {
    return Object.values(spread).join("+") || "0";
}

/**
 * Instances in the warm pool at a given desired capacity (PutWarmPool, EC2 Auto Scaling API
 * Reference): the group's maximum (or `MaxGroupPreparedCapacity`) minus the desired capacity, and at
 * least the pool's `MinSize`.
 */
export function warmPoolSize(fleet: FleetInfo, desired: number): number {
    if (!fleet.warmPool) return 0;
    const prepared = fleet.warmPool.maxGroupPreparedCapacity ?? fleet.maxSize;
    return Math.max(fleet.warmPool.minSize, prepared - desired, 0);
}

/**
 * Whether the fleet is active-passive: running servers in the Auto Scaling `Standby` state, outside
 * the target group, that a failover function of ours moves in service. A warm pool is not counted: AWS
 * documents it for scale-out ("Whenever your application needs to scale out, the Auto Scaling group can
 * draw on the warm pool"), not for replacing an unhealthy server (docs/web-tier.md).
 */
export function hasRunningStandbys(fleet: FleetInfo): boolean {
    return (fleet.standbyFunction?.standbyCount ?? 0) > 0;
}

/** Servers kept in Standby (active-passive), 0 without a failover function. */
export function standbyCount(fleet: FleetInfo): number {
    return fleet.standbyFunction?.standbyCount ?? 0;
}

// ---- timings ------------------------------------------------------------------------------------

/**
 * Figures AWS does not publish, assumed so that a time can be stated at all. Each is labelled
 * "assumed" wherever it is used; measure them in the account (the runbooks say how) and correct them here.
 */
export const ASSUMED_SECONDS = {
    /**
     * From the target group marking a target unhealthy to EC2 Auto Scaling acting on it. The User Guide
     * ("Health checks for instances in an Auto Scaling group") says only that Auto Scaling receives the
     * notification; no interval is given.
     */
    asgSeesElbUnhealthy: 15,
    /** From RunInstances to the instance running and its user data starting (no AWS SLA; typically under a minute). */
    ec2Launch: 45,
    /**
     * ExitStandby: Auto Scaling moving a Standby instance to InService and registering it in the target
     * group (the User Guide describes the steps, "Temporarily remove instances from your Auto Scaling
     * group", but gives no duration).
     */
    exitStandbyRegistered: 5,
    /**
     * From a scheduled rule's minute to the Lambda function running: "there can be a delay of several
     * seconds between the time the scheduled rule is triggered and the time the target service runs the
     * target resource" (EventBridge User Guide, "Tutorial: Create an EventBridge scheduled rule for AWS
     * Lambda functions"); "several" read as up to 10 s, a cold start included.
     */
    scheduleDelay: 10,
    /** One pass of the failover function: four Describe calls and ExitStandby (no AWS latency figure; typically well under a second each). */
    failoverPass: 2,
} as const;

export interface TimingStep {
    readonly what: string;
    readonly seconds: number;
    /** `declared`: computed from the stack's values; `assumed`: ASSUMED_SECONDS; `bound`: an upper bound. */
    readonly basis: "declared" | "assumed" | "bound";
    readonly how: string;
}

export interface Timing {
    readonly seconds: number;
    readonly steps: readonly TimingStep[];
}

/** The target group's health-check figures the timings need. */
export interface HealthCheckFigures {
    readonly intervalSeconds: number;
    readonly unhealthyThreshold: number;
    readonly healthyThreshold: number;
}

const timing = (steps: TimingStep[]): Timing => ({ seconds: steps.reduce((s, x) => s + x.seconds, 0), steps });

function detect(tg: HealthCheckFigures): TimingStep {
    return {
        what: "target group marks the server unhealthy",
        seconds: tg.intervalSeconds * tg.unhealthyThreshold,
        basis: "declared",
        how: `${tg.intervalSeconds} s interval × ${tg.unhealthyThreshold} unhealthy checks`,
    };
}

function asgNotices(): TimingStep {
    return { what: "Auto Scaling acts on the ELB health status", seconds: ASSUMED_SECONDS.asgSeesElbUnhealthy, basis: "assumed", how: "AWS publishes no interval" };
}

function healthy(tg: HealthCheckFigures): TimingStep {
    return {
        what: "new target passes its health checks and receives requests",
        seconds: tg.intervalSeconds * tg.healthyThreshold,
        basis: "declared",
        how: `${tg.intervalSeconds} s interval × ${tg.healthyThreshold} healthy checks`,
    };
}

/**
 * From a server's failure to a newly launched replacement passing its health checks, for a group with
 * ELB health checks: the target group's detection, Auto Scaling acting on it, a new instance whose user
 * data serves `/health` within the grace period (which the fleet derives from that boot time), and the
 * healthy checks. Always a new launch: whether a health replacement draws on a warm pool is not counted
 * on here (active-passive's failover, below, is where the pool serves). In active-passive this is the
 * time until the failed server's replacement is ready as the next standby. Undefined when the group does
 * not replace on ELB health (EC2 health checks: an instance whose web server fails is never replaced).
 */
export function replacementTime(fleet: FleetInfo, tg: HealthCheckFigures): Timing | undefined {
    if (fleet.healthCheckType !== "ELB") return undefined;
    return timing([
        detect(tg),
        asgNotices(),
        { what: "EC2 launches the new instance", seconds: ASSUMED_SECONDS.ec2Launch, basis: "assumed", how: "no AWS figure; typically under a minute" },
        {
            what: "user data installs and starts the web server",
            seconds: fleet.gracePeriodSeconds,
            basis: "bound",
            how: `at most the ${fleet.gracePeriodSeconds} s health-check grace period, which is sized to the user data's boot time`,
        },
        healthy(tg),
    ]);
}

/** The offsets (s) of one invocation's passes: 0, POLL_SECONDS, … up to RUN_SECONDS (components/assets/standby/index.js `passOffsets`). */
export function passOffsets(pollSeconds: number, runSeconds: number): number[] {
    const out = [0];
    if (pollSeconds > 0) for (let t = pollSeconds; t <= runSeconds; t += pollSeconds) out.push(t);
    return out;
}

/**
 * Active-passive: from the active server's failure to a Standby server serving, worst case. The
 * standby booted and served before it was armed, so there is no boot:
 * - the target group marks the server unhealthy: interval × unhealthy checks, the last one waiting out
 *   its timeout when the server hangs rather than refuses;
 * - the function sees it on two passes in a row (one failed check is not a failover): passes at fixed
 *   offsets 0 … RUN_SECONDS of each one-minute run, so two gaps, one of which may be the gap from a
 *   run's last pass to the next run's first (60 − the last offset), plus EventBridge's start delay;
 * - that pass's reads and its ExitStandby call; ExitStandby registering the standby; its healthy checks.
 * Undefined without a failover function.
 */
export function failoverTime(fleet: FleetInfo, tg: HealthCheckFigures): Timing | undefined {
    const fn = fleet.standbyFunction;
    if (!fn || fn.standbyCount < 1) return undefined;
    const offsets = passOffsets(fn.pollSeconds, fn.runSeconds);
    const last = offsets[offsets.length - 1];
    const boundary = 60 - last;
    const longest = Math.max(fn.pollSeconds, boundary);
    const timeout = fleet.healthCheckTimeoutSeconds;
    return timing([
        timeout === undefined
            ? detect(tg)
            : {
                  what: "target group marks the server unhealthy",
                  seconds: tg.intervalSeconds * tg.unhealthyThreshold + timeout,
                  basis: "bound",
                  how: `${tg.intervalSeconds} s interval × ${tg.unhealthyThreshold} unhealthy checks, the last one waiting out its ${timeout} s timeout (a hung server)`,
              },
        {
            what: `${fn.name} sees it on two passes in a row`,
            seconds: fn.pollSeconds + longest,
            basis: "bound",
            how:
                `passes every ${fn.pollSeconds} s (POLL_SECONDS) from 0 to ${last} s of each one-minute run (RUN_SECONDS ${fn.runSeconds}): ` +
                `one ${fn.pollSeconds} s gap and the ${longest} s one from a run's last pass to the next run's first`,
        },
        { what: "EventBridge starts the next run late", seconds: ASSUMED_SECONDS.scheduleDelay, basis: "assumed", how: "\"a delay of several seconds\" (EventBridge User Guide); a cold start included" },
        { what: "that pass: four reads, then ExitStandby", seconds: ASSUMED_SECONDS.failoverPass, basis: "assumed", how: "no AWS latency figure" },
        { what: "ExitStandby: the standby goes InService and is registered", seconds: ASSUMED_SECONDS.exitStandbyRegistered, basis: "assumed", how: "no AWS figure" },
        healthy(tg),
    ]);
}

/** "≈ 80 s = 10 s (interval 5 s × 2 unhealthy) + 15 s (assumed) + …" */
export function timingText(t: Timing): string {
    const parts = t.steps.map((s) => `${s.seconds} s ${s.what} (${s.basis === "declared" ? s.how : s.basis === "assumed" ? `assumed: ${s.how}` : `upper bound: ${s.how}`})`);
    const assumed = t.steps.some((s) => s.basis !== "declared");
    return `${assumed ? "≈ " : ""}${t.seconds} s = ${parts.join(" + ")}`;
}
