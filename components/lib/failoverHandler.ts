/**
 * Source of the Lambda function behind active-passive mode (components/standbyFailover.ts). Kept as a
 * string so it ships inside the component (no build step, no asset path for library users) and so the
 * tests can run this exact code against fake ELB and CloudWatch clients.
 *
 * Runs on the `nodejs24.x` runtime, whose AWS SDK v3 is built in. Three ways in:
 * - a CloudWatch alarm action (`event.alarmData.state.value`): on ALARM, the alarm is only a trigger.
 *   The function asks the target group for the health of the ACTIVE targets and registers the standby
 *   servers only when no active target is `healthy` and at least one has FAILED (see FAILED_STATES).
 *   When the active side is merely settling (`initial`: a new or replaced server still booting or being
 *   health-checked; `draining`: a deliberate deregistration), it does nothing and re-arms the alarm
 *   (SetAlarmState OK) so that, if the active side still has no healthy target a minute later, the
 *   alarm goes to ALARM again and the function decides again. Without that, an alarm that stayed in
 *   ALARM would never invoke the function a second time (actions fire on state changes only), and an
 *   active server that went from `initial` to `unhealthy` would never be failed over.
 * - a manual invoke `{"action": "failover"}`: register the standby servers unconditionally (a planned
 *   move, e.g. maintenance on the active server).
 * - a manual invoke `{"action": "failback"}`: once an active server is healthy again, deregister the
 *   standby servers. Failback is deliberate, never automatic: after failover the target group's
 *   healthy count includes the standby, so the alarm cannot tell when the active server is back, and an
 *   automatic flip-flop during a flapping incident would be worse than staying on the standby.
 *
 * Retry-safe: every call it makes is idempotent (RegisterTargets of a registered target, SetAlarmState
 * to the state the alarm is in, DeregisterTargets of an unregistered one), and the decision is taken
 * again from the target group's current health on every invocation, so Lambda's automatic retries of
 * an asynchronous invoke (up to 2, after an error) and the alarm's re-triggers can never act on stale
 * information.
 */
export const FAILOVER_HANDLER_SOURCE = String.raw`"use strict";
const {
    ElasticLoadBalancingV2Client,
    RegisterTargetsCommand,
    DeregisterTargetsCommand,
    DescribeTargetHealthCommand,
} = require("@aws-sdk/client-elastic-load-balancing-v2");
const { CloudWatchClient, SetAlarmStateCommand } = require("@aws-sdk/client-cloudwatch");

const elb = new ElasticLoadBalancingV2Client({});
const cloudwatch = new CloudWatchClient({});
const targetGroupArn = process.env.TARGET_GROUP_ARN;
const activeTargets = JSON.parse(process.env.ACTIVE_TARGETS || "[]");
const standbyTargets = JSON.parse(process.env.STANDBY_TARGETS || "[]");

// Target states (DescribeTargetHealth) that mean an active server has failed:
// - unhealthy (and unhealthy.draining): failing its health checks;
// - unavailable: health checks disabled or unreadable, so the ALB cannot vouch for it;
// - unused: not registered any more (Target.NotRegistered), stopped or terminated
//   (Target.InvalidState), or in a zone the load balancer no longer uses (Target.NotInUse). A
//   terminated active server ends up here, and it must fail over.
// Not failed: initial (registration or first health checks in progress: a new or replaced server) and
// draining (a deliberate deregistration in progress). A target missing from the answer counts as
// unused.
const FAILED_STATES = new Set(["unhealthy", "unhealthy.draining", "unavailable", "unused"]);

function log(message, detail) {
    console.log(JSON.stringify({ message, targetGroupArn, ...detail }));
}

const ids = (targets) => targets.map((t) => t.Id);

/** { id, state, reason } for every active target. */
async function activeHealth() {
    let descriptions;
    try {
        const answer = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn, Targets: activeTargets }));
        descriptions = answer.TargetHealthDescriptions || [];
    } catch (error) {
        // A target that no longer exists at all (an instance terminated long ago) makes ELB refuse the
        // whole call. Ask for every registered target instead: the missing one then counts as unused.
        if (!error || error.name !== "InvalidTargetException") throw error;
        const answer = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
        descriptions = answer.TargetHealthDescriptions || [];
    }
    return activeTargets.map((target) => {
        const found = descriptions.find((d) => d.Target && d.Target.Id === target.Id);
        const health = (found && found.TargetHealth) || { State: "unused", Reason: "Target.NotRegistered" };
        return { id: target.Id, state: health.State, reason: health.Reason || null };
    });
}

async function registerStandby(detail) {
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: standbyTargets }));
    log("failover: standby registered", { standby: ids(standbyTargets), ...detail });
    return { action: "failover", registered: ids(standbyTargets), ...detail };
}

exports.handler = async (event) => {
    const alarmState = event && event.alarmData && event.alarmData.state && event.alarmData.state.value;
    const alarmName = (event && event.alarmData && event.alarmData.alarmName) || null;

    if (event && event.action === "failover") {
        return registerStandby({ reason: "manual" });
    }

    if (event && event.action === "failback") {
        const active = await activeHealth();
        const healthy = active.filter((t) => t.state === "healthy").map((t) => t.id);
        if (healthy.length === 0) {
            throw new Error("refusing to fail back: no active server is healthy in the target group (" + active.map((t) => t.id + " " + t.state).join(", ") + ")");
        }
        await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: standbyTargets }));
        log("failback: standby deregistered", { healthyActive: healthy, standby: ids(standbyTargets) });
        return { action: "failback", deregistered: ids(standbyTargets), healthyActive: healthy };
    }

    if (alarmState !== "ALARM") {
        log("no action", { alarmState: alarmState || null });
        return { action: "none", alarmState: alarmState || null };
    }

    const active = await activeHealth();
    if (active.some((t) => t.state === "healthy")) {
        // The metric lagged or was missing (missing data is breaching); the target group says the active
        // side serves. The alarm returns to OK by itself with the next data point.
        log("no failover: an active server is healthy", { alarm: alarmName, active });
        return { action: "none", reason: "active-healthy", alarmState, active };
    }
    if (active.some((t) => FAILED_STATES.has(t.state))) {
        return registerStandby({ reason: "active-failed", alarm: alarmName, active });
    }

    // Every active target is initial or draining: too early to tell. Re-arm the alarm so it fires again
    // if the active side still has no healthy target at the next evaluation.
    let rearmed = false;
    if (alarmName) {
        const settling = active.map((t) => t.id + " " + t.state + (t.reason ? " (" + t.reason + ")" : "")).join(", ");
        await cloudwatch.send(
            new SetAlarmStateCommand({
                AlarmName: alarmName,
                StateValue: "OK",
                StateReason: ("Failover deferred by the failover function: active target(s) settling, not failed: " + settling + ". Re-evaluating.").slice(0, 1023),
            }),
        );
        rearmed = true;
    }
    log("no failover yet: active side settling", { alarm: alarmName, active, rearmed });
    return { action: "none", reason: "active-settling", alarmState, active, rearmed };
};
`;
