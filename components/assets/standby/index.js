"use strict";
/**
 * Active-passive failover of the web fleet (components/webServer.ts, docs/web-tier.md "Active-passive").
 *
 * A Lambda function (Node.js 22, the AWS SDK v3 clients the runtime ships), run once a minute by an
 * EventBridge schedule, reserved concurrency 1. Each invocation makes passes at fixed offsets (every
 * POLL_SECONDS up to RUN_SECONDS, a few seconds short of the timeout); each pass reads the group, the
 * target health, the group's instance refreshes and the instances' EC2 state, and then:
 *
 * 1. fails over: when no InService server is `healthy` in the target group (a server marked Unhealthy
 *    never counts: it is being replaced) and one has failed (its target `unhealthy`, not for the load
 *    balancer's own Elb.InternalError, and it is older than the health-check grace period; or marked
 *    Unhealthy; or no server past its boot is InService: the active is gone), and that failure was seen
 *    by the previous pass too (one blip does not replace the active), it moves one running Standby server
 *    back in service (ExitStandby: Auto Scaling registers it) and marks the failed server Unhealthy
 *    (SetInstanceHealth) so that Auto Scaling replaces it;
 * 2. replaces broken standbys: Auto Scaling does not health-check Standby instances, so one EC2 reports
 *    stopped, stopping, shutting-down or terminated is terminated (TerminateInstanceInAutoScalingGroup);
 * 3. arms standbys: InService servers beyond the active one whose target is `healthy` and that are older
 *    than the grace period are moved to Standby (EnterStandby, decrementing the desired capacity) until
 *    STANDBY_COUNT servers wait — never while Auto Scaling replaces a server marked Unhealthy; healthy
 *    servers beyond that, and standbys beyond the count, are terminated (surplus);
 * 4. tops up, idempotently: the desired capacity must be 1 + the standbys still missing; it is raised to
 *    that when lower, never by "+ missing" on top of the current value (a launch not listed yet is
 *    already counted in it).
 *
 * It does nothing while an instance refresh is in progress, never acts on an `initial` target (a server
 * being registered or checked for the first time), and never judges a server younger than the grace
 * period (a booting server is `unhealthy` about 10 s after registration, long before nginx runs).
 *
 * `decide` is pure (a snapshot in, actions out) and is what the unit tests table-test; `readSnapshot`
 * and `apply` are the AWS calls, tested against moto_server (test/host/standbyFailover.test.ts).
 * Every pass logs one JSON line; `standbysMissing` (every pass, 0 during and just after a refresh) and
 * `failover` feed the metric filters the alarms read (no direct SNS publish: the alert topic is
 * KMS-encrypted and alarms already reach it).
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
        runSeconds: int("RUN_SECONDS", 55),
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
 * snapshot: { now (ms), desiredCapacity, maxSize, refreshInProgress, refreshEndedAt (ms | null),
 *             instances: [{ id, lifecycle, health, zone, launchTime (ms), ec2State (State.Name from
 *             DescribeInstances, undefined when not listed), target: { state, reason } | undefined }] }
 * config:   { standbyCount, graceSeconds, holdFailover (boolean), previouslyFailed (ids judged failed by
 *             the previous pass, a few seconds ago) }
 * returns:  { actions: [{ type: "exitStandby"|"setUnhealthy"|"enterStandby"|"terminate"|"setDesired", ... }],
 *             reason, active, standbys, standbysMissing (what the alarm reads: 0 during and just after an
 *             instance refresh), standbysShort (the real shortfall), failover, failed, oneZone }
 */
function decide(snapshot, config) {
    const grace = config.graceSeconds * 1000;
    const old = (i) => snapshot.now - i.launchTime >= grace;
    const state = (i) => (i.target ? i.target.state : "unused");
    const previouslyFailed = new Set(config.previouslyFailed || []);
    const instances = [...snapshot.instances].sort(byLaunch);
    // Auto Scaling does not health-check Standby instances: only a `running` one can take over. One that
    // EC2 reports stopped, stopping, shutting down or terminated is replaced; one not listed yet is left alone.
    const allStandbys = instances.filter((i) => i.lifecycle === "Standby");
    const standbys = allStandbys.filter((i) => i.ec2State === "running");
    const brokenStandbys = allStandbys.filter((i) => i.ec2State !== undefined && i.ec2State !== "running" && i.ec2State !== "pending");
    // Being moved to Standby: deregistration draining (the target group's deregistration delay) first.
    const entering = instances.filter((i) => i.lifecycle === "EnteringStandby");
    const inService = instances.filter((i) => i.lifecycle === "InService");
    // Marked Unhealthy (by us or by Auto Scaling): being replaced. Never the active again, even if its
    // target recovers for a while.
    const markedUnhealthy = inService.filter((i) => i.health === "Unhealthy");
    const healthy = inService.filter((i) => state(i) === "healthy" && i.health !== "Unhealthy");
    // Elb.InternalError: the load balancer's own failure, says nothing about the server.
    const lbFault = (i) => state(i) === "unhealthy" && i.target && i.target.reason === "Elb.InternalError";
    // No standby alarm during an instance refresh (it terminates the standbys) nor for two grace periods
    // after it ended: the relaunched standbys boot (at most the grace period) and are armed once older
    // than the grace period.
    const refreshExcuse = snapshot.refreshInProgress || (snapshot.refreshEndedAt != null && snapshot.now - snapshot.refreshEndedAt < 2 * grace);
    const zonesOf = (servers) => [...new Set(servers.map((i) => i.zone))];
    const result = (reason, actions, s) => {
        const short = Math.max(0, config.standbyCount - s.standbyCount);
        const serving = s.active ? [instances.find((i) => i.id === s.active), ...s.standbyList] : [];
        const zones = zonesOf(serving.filter(Boolean));
        return {
            reason,
            actions,
            active: s.active,
            standbys: s.standbyList.map((i) => i.id),
            standbysShort: short,
            standbysMissing: refreshExcuse ? 0 : short,
            failover: s.failover || false,
            failed: (s.failed || []).map((i) => i.id),
            // With AZRebalance suspended a replacement may land in the standby's zone: one zone failure would then take both.
            oneZone: serving.length >= 2 && zones.length === 1 ? zones[0] : null,
        };
    };
    const waiting = (reason, extra = {}) =>
        result(reason, [], { active: healthy.length > 0 ? healthy[0].id : null, standbyList: [...standbys, ...entering], standbyCount: standbys.length + entering.length, ...extra });

    if (snapshot.refreshInProgress) return waiting("instance refresh in progress: standing aside");

    if (healthy.length === 0) {
        // A server being registered, health-checked for the first time or deregistered: too early to tell.
        const settling = instances.filter((i) => (i.lifecycle === "InService" || i.lifecycle.startsWith("Pending")) && SETTLING_TARGET_STATES.has(state(i)) && i.health !== "Unhealthy");
        // A Standby server on its way back in service (ExitStandby: Pending, then InService) is old;
        // a new launch is young and does not hold anything up.
        const returning = instances.filter((i) => i.lifecycle.startsWith("Pending") && old(i));
        if (settling.length > 0 || returning.length > 0 || config.holdFailover) {
            return waiting("a server is being registered or checked: waiting");
        }
        const failed = inService.filter((i) => old(i) && (i.health === "Unhealthy" || (state(i) === "unhealthy" && !lbFault(i))));
        // No server in service that is past its boot: the active is gone (terminated, or Terminating)
        // and at most its replacement is booting. A standby exists only once a server has served.
        const noActive = !inService.some(old);
        if (failed.length === 0 && !noActive) {
            return waiting(inService.some(lbFault) ? "load balancer internal error (Elb.InternalError): not judged" : "no server healthy yet, none failed (booting)");
        }
        // One failed health status is not enough: it must still be failed on the next pass (a few seconds
        // later), unless Auto Scaling already marked it Unhealthy or no server is in service at all.
        const confirmed = noActive || failed.some((i) => previouslyFailed.has(i.id) || i.health === "Unhealthy");
        if (!confirmed) return waiting("active failed once: confirming on the next pass", { failed });
        if (standbys.length === 0) return waiting("active failed and no standby left", { failed });
        // Prefer a standby in another zone than the failed server's: a zone failure then fails over too.
        const failedZones = new Set(failed.map((i) => i.zone));
        const standby = standbys.find((i) => !failedZones.has(i.zone)) || standbys[0];
        const actions = [{ type: "exitStandby", instanceId: standby.id }];
        for (const f of failed) if (f.health !== "Unhealthy") actions.push({ type: "setUnhealthy", instanceId: f.id });
        const rest = [...standbys, ...entering].filter((i) => i !== standby);
        return result(noActive ? "no server in service: failing over" : "active failed: failing over", actions, {
            active: standby.id,
            standbyList: rest,
            standbyCount: rest.length,
            failover: true,
            failed,
        });
    }

    // The group serves. The oldest healthy server stays the active.
    const active = healthy[0];
    const actions = [];
    for (const b of brokenStandbys) actions.push({ type: "terminate", instanceId: b.id, decrement: false, why: `standby ${b.ec2State}` });
    // Arming and trimming wait while Auto Scaling replaces a server marked Unhealthy (the maintenance
    // policy launches the replacement first and terminates the old one once the new one is ready).
    const replacing = markedUnhealthy.length > 0;
    const need = config.standbyCount - standbys.length - entering.length;
    let toArm = [];
    let surplus = [];
    let surplusStandbys = [];
    if (!replacing) {
        // Healthy servers beyond the active, past their grace period (proven to serve, and not mid-way
        // through a replacement Auto Scaling is still judging).
        const ready = healthy.slice(1).filter(old);
        toArm = ready.slice(0, Math.max(0, need));
        surplus = ready.slice(Math.max(0, need));
        // Standbys beyond the count (webWarmStandbyCount lowered): the newest go.
        if (need < 0) surplusStandbys = standbys.slice(need);
    }
    if (toArm.length > 0) actions.push({ type: "enterStandby", instanceIds: toArm.map((i) => i.id) });
    for (const s of surplus) actions.push({ type: "terminate", instanceId: s.id, decrement: true, why: "surplus server in service" });
    for (const s of surplusStandbys) actions.push({ type: "terminate", instanceId: s.id, decrement: false, why: "surplus standby" });
    // Idempotent top-up: the desired capacity (servers in service or launching; Standby ones are outside
    // it) must be 1 + the standbys still missing. Raised only when below that, never "+ missing" on top
    // of the current value: a launch not listed yet is already in it.
    const armed = standbys.length + entering.length + toArm.length - surplusStandbys.length;
    const wanted = Math.min(1 + Math.max(0, config.standbyCount - armed), snapshot.maxSize ?? Infinity);
    const desiredAfter = snapshot.desiredCapacity - toArm.length - surplus.length;
    if (desiredAfter < wanted) actions.push({ type: "setDesired", capacity: wanted });
    const standbyList = [...standbys.filter((i) => !surplusStandbys.includes(i)), ...entering, ...toArm];
    const reason =
        brokenStandbys.length > 0
            ? "replacing broken standbys"
            : toArm.length > 0
              ? "arming standbys"
              : surplus.length + surplusStandbys.length > 0
                ? "trimming surplus servers"
                : desiredAfter < wanted
                  ? "launching missing standbys"
                  : replacing
                    ? "serving; Auto Scaling replacing an Unhealthy server"
                    : "serving";
    return result(reason, actions, { active: active.id, standbyList, standbyCount: standbyList.length });
}

// ---- AWS ------------------------------------------------------------------------------------------

/**
 * Per-attempt HTTP timeouts and two attempts, so that one stuck call cannot hold a pass for long; the
 * pass's abort signal (runPass) bounds the whole pass anyway. `throwOnRequestTimeout`: newer
 * @smithy/node-http-handler versions only warn on `requestTimeout` without it.
 */
const CLIENT_CONFIG = { maxAttempts: 2, requestHandler: { connectionTimeout: 2000, requestTimeout: 3000, throwOnRequestTimeout: true } };

/** The SDK v3 clients the Lambda runtime ships (region and endpoint from the environment, AWS_ENDPOINT_URL included). */
function defaultClients() {
    const as = require("@aws-sdk/client-auto-scaling");
    const elb = require("@aws-sdk/client-elastic-load-balancing-v2");
    const ec2 = require("@aws-sdk/client-ec2");
    return {
        autoscaling: new as.AutoScalingClient(CLIENT_CONFIG),
        elbv2: new elb.ElasticLoadBalancingV2Client(CLIENT_CONFIG),
        ec2: new ec2.EC2Client(CLIENT_CONFIG),
        commands: { ...as, ...elb, ...ec2 },
    };
}

const sendWith = (signal) => (client, command) => client.send(command, signal ? { abortSignal: signal } : undefined);

/** Reads the group, target health, instance refreshes and the instances' launch times and EC2 states. `overrides` replace single readers (tests). */
async function readSnapshot(clients, config, overrides = {}, signal) {
    const c = clients.commands;
    const send = sendWith(signal);
    const groups = await send(clients.autoscaling, new c.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [config.groupName] }));
    const group = (groups.AutoScalingGroups || [])[0];
    if (!group) throw new Error(`Auto Scaling group ${config.groupName} not found`);
    const members = group.Instances || [];
    const targetHealth = overrides.targetHealth
        ? await overrides.targetHealth()
        : ((await send(clients.elbv2, new c.DescribeTargetHealthCommand({ TargetGroupArn: config.targetGroupArn }))).TargetHealthDescriptions || []).map((d) => ({
              id: d.Target && d.Target.Id,
              state: d.TargetHealth && d.TargetHealth.State,
              reason: (d.TargetHealth && d.TargetHealth.Reason) || null,
          }));
    const refreshes = overrides.refreshes
        ? await overrides.refreshes()
        : (await send(clients.autoscaling, new c.DescribeInstanceRefreshesCommand({ AutoScalingGroupName: config.groupName, MaxRecords: 10 }))).InstanceRefreshes || [];
    const ended = refreshes.filter((r) => !REFRESH_ACTIVE.has(r.Status) && r.EndTime).map((r) => new Date(r.EndTime).getTime());
    const ec2 = new Map();
    if (members.length > 0) {
        // A filter, not InstanceIds: an instance launched seconds ago may not be known to DescribeInstances
        // yet, and InstanceIds would fail the whole call (InvalidInstanceID.NotFound); a filter leaves it out.
        const answer = await send(clients.ec2, new c.DescribeInstancesCommand({ Filters: [{ Name: "instance-id", Values: members.map((m) => m.InstanceId) }] }));
        for (const r of answer.Reservations || []) for (const i of r.Instances || []) ec2.set(i.InstanceId, { launchTime: new Date(i.LaunchTime).getTime(), state: i.State && i.State.Name });
    }
    const health = new Map(targetHealth.map((t) => [t.id, { state: t.state, reason: t.reason }]));
    const now = Date.now();
    return {
        now,
        desiredCapacity: group.DesiredCapacity,
        maxSize: group.MaxSize,
        refreshInProgress: refreshes.some((r) => REFRESH_ACTIVE.has(r.Status)),
        refreshEndedAt: ended.length > 0 ? Math.max(...ended) : null,
        instances: members.map((m) => ({
            id: m.InstanceId,
            lifecycle: m.LifecycleState,
            health: m.HealthStatus,
            zone: m.AvailabilityZone,
            launchTime: ec2.has(m.InstanceId) ? ec2.get(m.InstanceId).launchTime : now,
            ec2State: ec2.has(m.InstanceId) ? ec2.get(m.InstanceId).state : undefined,
            target: health.get(m.InstanceId),
        })),
    };
}

/**
 * Carries out `decide`'s actions, in order (ExitStandby before SetInstanceHealth: a standby serves before
 * the failed server goes), calling `applied(action)` after each one that succeeded.
 */
async function apply(clients, config, actions, applied = () => {}, signal) {
    const c = clients.commands;
    const send = sendWith(signal);
    const group = config.groupName;
    for (const a of actions) {
        if (a.type === "exitStandby") {
            await send(clients.autoscaling, new c.ExitStandbyCommand({ AutoScalingGroupName: group, InstanceIds: [a.instanceId] }));
        } else if (a.type === "setUnhealthy") {
            await send(clients.autoscaling, new c.SetInstanceHealthCommand({ InstanceId: a.instanceId, HealthStatus: "Unhealthy", ShouldRespectGracePeriod: false }));
        } else if (a.type === "enterStandby") {
            await send(clients.autoscaling, new c.EnterStandbyCommand({ AutoScalingGroupName: group, InstanceIds: a.instanceIds, ShouldDecrementDesiredCapacity: true }));
        } else if (a.type === "terminate") {
            // decrement: true for a surplus server in service (counted in the desired capacity); false for
            // a Standby one, which is outside it (EnterStandby decremented it), so that a decrement cannot
            // take a server from those in service. The top-up that follows is idempotent either way.
            await send(clients.autoscaling, new c.TerminateInstanceInAutoScalingGroupCommand({ InstanceId: a.instanceId, ShouldDecrementDesiredCapacity: a.decrement }));
        } else if (a.type === "setDesired") {
            await send(clients.autoscaling, new c.SetDesiredCapacityCommand({ AutoScalingGroupName: group, DesiredCapacity: a.capacity, HonorCooldown: false }));
        } else {
            throw new Error(`unknown action ${JSON.stringify(a)}`);
        }
        applied(a);
    }
}

/**
 * One pass: read, decide, act, log one JSON line — also when an action failed: the line lists the
 * actions applied, and a failover counts (`failover: 1`, the settle hold) as soon as ExitStandby
 * succeeded. Returns the decision; rethrows an action's error after logging.
 */
async function runPass(clients, config, state = { lastFailoverAt: 0 }, overrides = {}, signal) {
    const snapshot = await readSnapshot(clients, config, overrides, signal);
    const holdFailover = snapshot.now - state.lastFailoverAt < config.settleSeconds * 1000;
    // The previous pass's failed servers count only if that pass was recent (a few polls; a cold start forgets them).
    const previouslyFailed = state.failedAt && snapshot.now - state.failedAt <= CONFIRM_WITHIN_MS ? state.failed || [] : [];
    const decision = decide(snapshot, { standbyCount: config.standbyCount, graceSeconds: config.graceSeconds, holdFailover, previouslyFailed });
    state.failed = decision.failed;
    state.failedAt = snapshot.now;
    const applied = [];
    let failedOver = false;
    let error;
    try {
        await apply(clients, config, decision.actions, (a) => {
            applied.push(a);
            if (a.type === "exitStandby") {
                failedOver = true;
                state.lastFailoverAt = snapshot.now;
            }
        }, signal);
    } catch (e) {
        error = e;
    }
    log({
        group: config.groupName,
        event: failedOver ? "failover" : error ? "error" : applied.length > 0 ? "action" : "pass",
        failover: failedOver ? 1 : 0,
        reason: decision.reason,
        actions: decision.actions,
        applied,
        ...(error ? { error: String((error && error.message) || error), name: error && error.name } : {}),
        active: decision.active,
        standbys: decision.standbys,
        standbysMissing: decision.standbysMissing,
        standbysShort: decision.standbysShort,
        failed: decision.failed,
        oneZone: decision.oneZone,
        instances: snapshot.instances.map((i) => `${i.id} ${i.lifecycle} ${i.health} ${i.ec2State || "-"} ${i.target ? i.target.state : "-"}`),
    });
    if (error) {
        error.logged = true;
        throw error;
    }
    return decision;
}

/** How long a failed status stays a witness for the next pass's confirmation. */
const CONFIRM_WITHIN_MS = 30_000;
/** A pass is started only with this much time left before the Lambda timeout, and aborted 1 s before it. */
const PASS_BUDGET_MS = 4000;
const ABORT_MARGIN_MS = 1000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The Lambda entry point: passes at fixed offsets 0, POLL_SECONDS, 2 × POLL_SECONDS, … up to RUN_SECONDS
 * after the start (no drift from the passes' own duration), each started only with PASS_BUDGET_MS left
 * before the timeout and aborted (the SDK calls' abort signal) ABORT_MARGIN_MS before it. A failed pass
 * is logged and the loop goes on; the invocation fails (Errors metric, alarm) when more than half of its
 * passes failed.
 */
async function handler(_event, context, deps = {}) {
    const config = deps.config || configFromEnv(process.env);
    const clients = deps.clients || defaultClients();
    const clock = deps.clock || { now: () => Date.now(), sleep };
    const started = clock.now();
    const remaining = () => (context && typeof context.getRemainingTimeInMillis === "function" ? context.getRemainingTimeInMillis() : Infinity);
    const state = deps.state || handler.state;
    let passes = 0;
    let failures = 0;
    let lastError;
    const poll = config.pollSeconds * 1000;
    for (let k = 0; ; k += 1) {
        const offset = k * poll;
        if (k > 0 && (poll === 0 || offset > config.runSeconds * 1000)) break;
        const wait = started + offset - clock.now();
        if (wait > 0) await clock.sleep(wait);
        if (remaining() < PASS_BUDGET_MS) break;
        passes += 1;
        const abort = new AbortController();
        const left = remaining();
        const timer = Number.isFinite(left) ? setTimeout(() => abort.abort(), left - ABORT_MARGIN_MS) : undefined;
        try {
            await runPass(clients, config, state, deps.overrides, abort.signal);
        } catch (e) {
            failures += 1;
            lastError = e;
            if (!(e && e.logged)) log({ group: config.groupName, event: "error", error: String((e && e.message) || e), name: e && e.name });
        } finally {
            if (timer) clearTimeout(timer);
        }
    }
    if (failures * 2 > passes) throw new Error(`${failures} of ${passes} passes failed; last: ${(lastError && lastError.message) || lastError}`);
    return { passes, failures };
}
// Kept between invocations of a warm container (concurrency 1: the same one, usually); a cold start
// forgets it, which drops the post-failover hold (the Pending/`initial` checks also give it) and the
// previous pass's failed servers (the confirmation then takes one more pass).
handler.state = { lastFailoverAt: 0 };

/** The offsets (s) of one invocation's passes: what the plan's failover time is computed from (scripts/lib/fleet.ts). */
function passOffsets(pollSeconds, runSeconds) {
    const out = [0];
    if (pollSeconds > 0) for (let t = pollSeconds; t <= runSeconds; t += pollSeconds) out.push(t);
    return out;
}

module.exports = { handler, decide, log, readSnapshot, apply, runPass, configFromEnv, defaultClients, passOffsets, CLIENT_CONFIG };
