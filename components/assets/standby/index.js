"use strict";
/**
 * Active-passive failover of the web fleet (components/webServer.ts, docs/web-tier.md "Active-passive").
 *
 * A Lambda function (Node.js 22, the AWS SDK v3 clients the runtime ships), run once a minute by an
 * EventBridge schedule, reserved concurrency 1. Each invocation loops: every POLL_SECONDS until
 * RUN_SECONDS, it reads the group, the target health and the group's instance refreshes, and then:
 *
 * 1. fails over: when no InService server is `healthy` in the target group and one has failed (its
 *    target `unhealthy` and it is older than the health-check grace period, i.e. held to serve as Auto
 *    Scaling itself holds it; or no server past its boot is InService: the active is gone and at most its
 *    replacement is booting), it moves one Standby server back in
 *    service (ExitStandby: Auto Scaling registers it in the target group) and marks the failed server
 *    Unhealthy (SetInstanceHealth) so that Auto Scaling replaces it;
 * 2. arms standbys: InService servers beyond the active one whose target is `healthy` (proven to serve)
 *    are moved to Standby (EnterStandby, decrementing the desired capacity, so nothing replaces them)
 *    until STANDBY_COUNT servers wait; the failed server's replacement thus becomes the next standby;
 * 3. tops up: when fewer than STANDBY_COUNT standbys exist or are on their way (an instance refresh
 *    terminates Standby servers: preference `Terminate`), it raises the desired capacity so that the
 *    group launches them; they become standbys once healthy.
 *
 * It does nothing while an instance refresh is in progress, never acts on an `initial` target (a server
 * being registered or checked for the first time), and never judges a server younger than the grace
 * period (a booting server is `unhealthy` about 10 s after registration, long before nginx runs).
 *
 * `decide` is pure (a snapshot in, actions out) and is what the unit tests table-test; `readSnapshot`
 * and `apply` are the AWS calls, tested against moto_server (test/host/standbyFailover.test.ts).
 * Every pass logs one JSON line; `standbysMissing` and `failover` feed the metric filters the alarms
 * read (no direct SNS publish: the alert topic is KMS-encrypted and alarms already reach it).
 */

/** Target states (DescribeTargetHealth) during which nothing is judged: a registration or deregistration in progress. */
const SETTLING_TARGET_STATES = new Set(["initial", "draining"]);
/** Instance refresh states during which the function stands aside (DescribeInstanceRefreshes `Status`). */
const REFRESH_ACTIVE = new Set(["Pending", "InProgress", "Cancelling", "RollbackInProgress", "Baking"]);

/** The configuration from the function's environment. */
function configFromEnv(env) {
    const int = (key, fallback) => {
        const raw = env[key];
        if (raw === undefined || raw === "") return fallback;
        const n = Number(raw);
        if (!Number.isInteger(n) || n < 0) throw new Error(`${key} must be a whole number ≥ 0 (got ${JSON.stringify(raw)})`);
        return n;
    };
    const groupName = env.GROUP_NAME;
    const targetGroupArn = env.TARGET_GROUP_ARN;
    if (!groupName || !targetGroupArn) throw new Error("GROUP_NAME and TARGET_GROUP_ARN must be set");
    return {
        groupName,
        targetGroupArn,
        standbyCount: int("STANDBY_COUNT", 1),
        graceSeconds: int("GRACE_SECONDS", 300),
        pollSeconds: int("POLL_SECONDS", 5),
        runSeconds: int("RUN_SECONDS", 50),
        // After a failover, no second one for this long (the standby is Pending, then `initial`).
        settleSeconds: int("SETTLE_SECONDS", 30),
    };
}

/**
 * One log event: a JSON line written to stdout directly. With the function's Text log format Lambda
 * ships it as is, so the log group's metric filters can parse it (console.log would prefix it with the
 * time, request id and level).
 */
function log(record) {
    process.stdout.write(JSON.stringify(record) + "\n");
}

const byLaunch = (a, b) => a.launchTime - b.launchTime || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * What to do, from one snapshot of the group. Pure.
 *
 * snapshot: { now (ms), desiredCapacity, refreshInProgress, instances: [{ id, lifecycle, health, zone,
 *             launchTime (ms), target: { state, reason } | undefined }] }
 * config:   { standbyCount, graceSeconds, holdFailover (boolean) }
 * returns:  { actions: [{ type: "exitStandby"|"setUnhealthy"|"enterStandby"|"setDesired", ... }],
 *             reason, active, standbys, standbysMissing, failover }
 */
function decide(snapshot, config) {
    const grace = config.graceSeconds * 1000;
    const old = (i) => snapshot.now - i.launchTime >= grace;
    const state = (i) => (i.target ? i.target.state : "unused");
    const instances = [...snapshot.instances].sort(byLaunch);
    const standbys = instances.filter((i) => i.lifecycle === "Standby");
    // Being moved to Standby: deregistration draining (the target group's deregistration delay) first.
    const entering = instances.filter((i) => i.lifecycle === "EnteringStandby");
    const inService = instances.filter((i) => i.lifecycle === "InService");
    const healthy = inService.filter((i) => state(i) === "healthy");
    const result = (reason, actions = [], extra = {}) => ({
        reason,
        actions,
        active: healthy.length > 0 ? healthy[0].id : null,
        standbys: standbys.map((i) => i.id),
        standbysMissing: Math.max(0, config.standbyCount - standbys.length - entering.length),
        failover: false,
        ...extra,
    });

    if (snapshot.refreshInProgress) return result("instance refresh in progress: standing aside");

    if (healthy.length === 0) {
        // A server being registered, health-checked for the first time or deregistered: too early to tell.
        const settling = instances.filter((i) => (i.lifecycle === "InService" || i.lifecycle.startsWith("Pending")) && SETTLING_TARGET_STATES.has(state(i)));
        // A Standby server on its way back in service (ExitStandby: Pending, then InService) is old;
        // a new launch is young and does not hold anything up.
        const returning = instances.filter((i) => i.lifecycle.startsWith("Pending") && old(i));
        if (settling.length > 0 || returning.length > 0 || config.holdFailover) {
            return result("a server is being registered or checked: waiting", [], { settling: [...settling, ...returning].map((i) => i.id) });
        }
        const failed = inService.filter((i) => state(i) === "unhealthy" && old(i));
        const booting = inService.filter((i) => !old(i));
        // No server in service that is past its boot: the active is gone (terminated, or Terminating)
        // and at most its replacement is booting. A standby exists only once a server has served.
        const noActive = !inService.some(old);
        if (failed.length === 0 && !noActive) {
            return result("no server healthy yet, none failed (booting)", [], { booting: booting.map((i) => i.id) });
        }
        if (standbys.length === 0) {
            return result("active failed and no standby left", [], { failed: failed.map((i) => i.id) });
        }
        // Prefer a standby in another zone than the failed server's: a zone failure then fails over too.
        const failedZones = new Set(failed.map((i) => i.zone));
        const standby = standbys.find((i) => !failedZones.has(i.zone)) || standbys[0];
        const actions = [{ type: "exitStandby", instanceId: standby.id }];
        for (const f of failed) if (f.health !== "Unhealthy") actions.push({ type: "setUnhealthy", instanceId: f.id });
        return {
            ...result(noActive ? "no server in service: failing over" : "active failed: failing over", actions, { failed: failed.map((i) => i.id) }),
            standbys: standbys.filter((i) => i !== standby).map((i) => i.id),
            standbysMissing: Math.max(0, config.standbyCount - standbys.length - entering.length + 1),
            failover: true,
        };
    }

    // The group serves. The oldest healthy server stays the active; healthy ones beyond it become standbys.
    const actions = [];
    const extras = healthy.slice(1);
    const toArm = extras.slice(0, Math.max(0, config.standbyCount - standbys.length - entering.length));
    if (toArm.length > 0) actions.push({ type: "enterStandby", instanceIds: toArm.map((i) => i.id) });
    // Standbys that exist or are on their way: every other server in service or launching (a booting
    // one is `unhealthy` long before it serves; a failed one is being replaced at the same capacity).
    const onTheWay = instances.filter((i) => i !== healthy[0] && (i.lifecycle === "InService" || i.lifecycle.startsWith("Pending")));
    const missing = config.standbyCount - standbys.length - entering.length - onTheWay.length;
    if (missing > 0) actions.push({ type: "setDesired", capacity: snapshot.desiredCapacity + missing });
    const armed = standbys.length + entering.length + toArm.length;
    return {
        ...result(toArm.length > 0 ? "arming standbys" : missing > 0 ? "launching missing standbys" : "serving", actions),
        standbys: [...standbys, ...entering, ...toArm].map((i) => i.id),
        standbysMissing: Math.max(0, config.standbyCount - armed),
    };
}

// ---- AWS ------------------------------------------------------------------------------------------

/** The SDK v3 clients the Lambda runtime ships (region and endpoint from the environment, AWS_ENDPOINT_URL included). */
function defaultClients() {
    const as = require("@aws-sdk/client-auto-scaling");
    const elb = require("@aws-sdk/client-elastic-load-balancing-v2");
    const ec2 = require("@aws-sdk/client-ec2");
    return {
        autoscaling: new as.AutoScalingClient({}),
        elbv2: new elb.ElasticLoadBalancingV2Client({}),
        ec2: new ec2.EC2Client({}),
        commands: { ...as, ...elb, ...ec2 },
    };
}

/** Reads the group, target health, instance refreshes and launch times. `overrides` replace single readers (tests). */
async function readSnapshot(clients, config, overrides = {}) {
    const c = clients.commands;
    const groups = await clients.autoscaling.send(new c.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [config.groupName] }));
    const group = (groups.AutoScalingGroups || [])[0];
    if (!group) throw new Error(`Auto Scaling group ${config.groupName} not found`);
    const members = group.Instances || [];
    const targetHealth = overrides.targetHealth
        ? await overrides.targetHealth()
        : ((await clients.elbv2.send(new c.DescribeTargetHealthCommand({ TargetGroupArn: config.targetGroupArn }))).TargetHealthDescriptions || []).map((d) => ({
              id: d.Target && d.Target.Id,
              state: d.TargetHealth && d.TargetHealth.State,
              reason: (d.TargetHealth && d.TargetHealth.Reason) || null,
          }));
    const refreshInProgress = overrides.refreshInProgress
        ? await overrides.refreshInProgress()
        : ((await clients.autoscaling.send(new c.DescribeInstanceRefreshesCommand({ AutoScalingGroupName: config.groupName, MaxRecords: 10 }))).InstanceRefreshes || []).some((r) =>
              REFRESH_ACTIVE.has(r.Status),
          );
    const launchTimes = new Map();
    if (members.length > 0) {
        const answer = await clients.ec2.send(new c.DescribeInstancesCommand({ InstanceIds: members.map((m) => m.InstanceId) }));
        for (const r of answer.Reservations || []) for (const i of r.Instances || []) launchTimes.set(i.InstanceId, new Date(i.LaunchTime).getTime());
    }
    const health = new Map(targetHealth.map((t) => [t.id, { state: t.state, reason: t.reason }]));
    return {
        now: Date.now(),
        desiredCapacity: group.DesiredCapacity,
        refreshInProgress,
        instances: members.map((m) => ({
            id: m.InstanceId,
            lifecycle: m.LifecycleState,
            health: m.HealthStatus,
            zone: m.AvailabilityZone,
            launchTime: launchTimes.get(m.InstanceId) ?? Date.now(),
            target: health.get(m.InstanceId),
        })),
    };
}

/** Carries out `decide`'s actions, in order (ExitStandby before SetInstanceHealth: a standby serves before the failed server goes). */
async function apply(clients, config, actions) {
    const c = clients.commands;
    const group = config.groupName;
    for (const a of actions) {
        if (a.type === "exitStandby") {
            await clients.autoscaling.send(new c.ExitStandbyCommand({ AutoScalingGroupName: group, InstanceIds: [a.instanceId] }));
        } else if (a.type === "setUnhealthy") {
            await clients.autoscaling.send(new c.SetInstanceHealthCommand({ InstanceId: a.instanceId, HealthStatus: "Unhealthy", ShouldRespectGracePeriod: false }));
        } else if (a.type === "enterStandby") {
            await clients.autoscaling.send(new c.EnterStandbyCommand({ AutoScalingGroupName: group, InstanceIds: a.instanceIds, ShouldDecrementDesiredCapacity: true }));
        } else if (a.type === "setDesired") {
            await clients.autoscaling.send(new c.SetDesiredCapacityCommand({ AutoScalingGroupName: group, DesiredCapacity: a.capacity, HonorCooldown: false }));
        } else {
            throw new Error(`unknown action ${JSON.stringify(a)}`);
        }
    }
}

/** One pass: read, decide, act, log one JSON line. Returns the decision. */
async function runPass(clients, config, state = { lastFailoverAt: 0 }, overrides = {}) {
    const snapshot = await readSnapshot(clients, config, overrides);
    const holdFailover = snapshot.now - state.lastFailoverAt < config.settleSeconds * 1000;
    const decision = decide(snapshot, { standbyCount: config.standbyCount, graceSeconds: config.graceSeconds, holdFailover });
    await apply(clients, config, decision.actions);
    if (decision.failover) state.lastFailoverAt = snapshot.now;
    log({
        group: config.groupName,
        event: decision.failover ? "failover" : decision.actions.length > 0 ? "action" : "pass",
        failover: decision.failover ? 1 : 0,
        reason: decision.reason,
        actions: decision.actions,
        active: decision.active,
        standbys: decision.standbys,
        standbysMissing: decision.standbysMissing,
        instances: snapshot.instances.map((i) => `${i.id} ${i.lifecycle} ${i.target ? i.target.state : "-"}`),
    });
    return decision;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The Lambda entry point: passes every POLL_SECONDS for RUN_SECONDS (and 5 s short of the timeout).
 * A failed pass is logged and the loop goes on; the invocation fails (Errors metric, alarm) when more
 * than half of its passes failed.
 */
async function handler(_event, context, deps = {}) {
    const config = deps.config || configFromEnv(process.env);
    const clients = deps.clients || defaultClients();
    const started = Date.now();
    const remaining = () => (context && typeof context.getRemainingTimeInMillis === "function" ? context.getRemainingTimeInMillis() - 5000 : Infinity);
    const state = deps.state || handler.state;
    let passes = 0;
    let failures = 0;
    let lastError;
    for (;;) {
        passes += 1;
        try {
            await runPass(clients, config, state, deps.overrides);
        } catch (e) {
            failures += 1;
            lastError = e;
            log({ group: config.groupName, event: "error", error: String((e && e.message) || e), name: e && e.name });
        }
        const elapsed = Date.now() - started;
        if (elapsed + config.pollSeconds * 1000 >= config.runSeconds * 1000 || config.pollSeconds * 1000 >= remaining()) break;
        await sleep(config.pollSeconds * 1000);
    }
    if (failures * 2 > passes) throw new Error(`${failures} of ${passes} passes failed; last: ${(lastError && lastError.message) || lastError}`);
    return { passes, failures };
}
// Kept between invocations of a warm container (concurrency 1: the same one, usually); a cold start
// forgets it, which only drops the post-failover hold that the Pending/`initial` checks also give.
handler.state = { lastFailoverAt: 0 };

module.exports = { handler, decide, log, readSnapshot, apply, runPass, configFromEnv, defaultClients };
