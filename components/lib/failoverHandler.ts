/**
 * Source of the Lambda function behind active-passive mode (components/standbyFailover.ts). Kept as a
 * string so it ships inside the component (no build step, no asset path for library users) and so the
 * tests can run this exact code against a fake ELB client.
 *
 * Runs on the `nodejs24.x` runtime, whose AWS SDK v3 is built in. Two ways in:
 * - a CloudWatch alarm action (`event.alarmData.state.value`): on ALARM — the active servers have no
 *   healthy target — register the standby servers in the target group;
 * - a manual invoke `{"action": "failback"}`: once an active server is healthy again, deregister the
 *   standby servers. Failback is deliberate, never automatic: after failover the target group's
 *   healthy count includes the standby, so the alarm cannot tell when the active server is back, and an
 *   automatic flip-flop during a flapping incident would be worse than staying on the standby.
 */
export const FAILOVER_HANDLER_SOURCE = String.raw`"use strict";
const {
    ElasticLoadBalancingV2Client,
    RegisterTargetsCommand,
    DeregisterTargetsCommand,
    DescribeTargetHealthCommand,
} = require("@aws-sdk/client-elastic-load-balancing-v2");

const client = new ElasticLoadBalancingV2Client({});
const targetGroupArn = process.env.TARGET_GROUP_ARN;
const activeTargets = JSON.parse(process.env.ACTIVE_TARGETS || "[]");
const standbyTargets = JSON.parse(process.env.STANDBY_TARGETS || "[]");

function log(message, detail) {
    console.log(JSON.stringify({ message, targetGroupArn, ...detail }));
}

exports.handler = async (event) => {
    const alarmState = event && event.alarmData && event.alarmData.state && event.alarmData.state.value;
    const action = (event && event.action) || (alarmState === "ALARM" ? "failover" : "none");

    if (action === "failover") {
        await client.send(new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: standbyTargets }));
        log("failover: standby registered", { standby: standbyTargets.map((t) => t.Id), alarm: event.alarmData && event.alarmData.alarmName });
        return { action, registered: standbyTargets.map((t) => t.Id) };
    }

    if (action === "failback") {
        const health = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn, Targets: activeTargets }));
        const healthy = (health.TargetHealthDescriptions || [])
            .filter((d) => d.TargetHealth && d.TargetHealth.State === "healthy")
            .map((d) => d.Target.Id);
        if (healthy.length === 0) {
            throw new Error("refusing to fail back: no active server is healthy in the target group (" + activeTargets.map((t) => t.Id).join(", ") + ")");
        }
        await client.send(new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: standbyTargets }));
        log("failback: standby deregistered", { healthyActive: healthy, standby: standbyTargets.map((t) => t.Id) });
        return { action, deregistered: standbyTargets.map((t) => t.Id), healthyActive: healthy };
    }

    log("no action", { alarmState: alarmState || null });
    return { action: "none", alarmState: alarmState || null };
};
`;
