import { FAILOVER_HANDLER_SOURCE } from "../components/lib/failoverHandler";
import { allResources, resourceNamed, resourcesOf, settle, setupMocks } from "./mocks";

// ---- the handler, run for real against a fake ELBv2 client ---------------------------------------

interface Sent {
    command: string;
    input: any;
}

/** Load the handler source as Lambda would, with the SDK module replaced by a recorder. */
function loadHandler(env: Record<string, string>, healthy: string[] = []) {
    const sent: Sent[] = [];
    const command = (name: string) =>
        class {
            constructor(public input: any) {}
            readonly command = name;
        };
    const sdk = {
        ElasticLoadBalancingV2Client: class {
            async send(cmd: { command: string; input: any }) {
                sent.push({ command: cmd.command, input: cmd.input });
                if (cmd.command === "DescribeTargetHealth") {
                    return {
                        TargetHealthDescriptions: cmd.input.Targets.map((t: { Id: string }) => ({
                            Target: t,
                            TargetHealth: { State: healthy.includes(t.Id) ? "healthy" : "unhealthy" },
                        })),
                    };
                }
                return {};
            }
        },
        RegisterTargetsCommand: command("RegisterTargets"),
        DeregisterTargetsCommand: command("DeregisterTargets"),
        DescribeTargetHealthCommand: command("DescribeTargetHealth"),
    };
    const module = { exports: {} as { handler: (e: unknown) => Promise<any> } };
    const fakeRequire = (id: string) => {
        if (id !== "@aws-sdk/client-elastic-load-balancing-v2") throw new Error(`handler requires ${id}, which the Lambda runtime may not have`);
        return sdk;
    };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
        new Function("require", "module", "exports", "console", FAILOVER_HANDLER_SOURCE)(fakeRequire, module, module.exports, { log: () => undefined });
    } finally {
        process.env = saved;
    }
    return { handler: module.exports.handler, sent };
}

const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";
const ENV = {
    TARGET_GROUP_ARN: TG,
    ACTIVE_TARGETS: JSON.stringify([{ Id: "i-active", Port: 80 }]),
    STANDBY_TARGETS: JSON.stringify([{ Id: "i-standby", Port: 80 }]),
};
const alarmEvent = (value: string) => ({ source: "aws.cloudwatch", alarmData: { alarmName: "web-failover-active-down", state: { value } } });

describe("failover handler", () => {
    it("registers the standby when the alarm goes to ALARM", async () => {
        const { handler, sent } = loadHandler(ENV);
        await expect(handler(alarmEvent("ALARM"))).resolves.toEqual({ action: "failover", registered: ["i-standby"] });
        expect(sent).toEqual([{ command: "RegisterTargets", input: { TargetGroupArn: TG, Targets: [{ Id: "i-standby", Port: 80 }] } }]);
    });

    it.each(["OK", "INSUFFICIENT_DATA"])("does nothing on %s (failback is manual)", async (state) => {
        const { handler, sent } = loadHandler(ENV);
        await expect(handler(alarmEvent(state))).resolves.toEqual({ action: "none", alarmState: state });
        expect(sent).toEqual([]);
    });

    it("fails back only when an active server is healthy", async () => {
        const down = loadHandler(ENV, []);
        await expect(down.handler({ action: "failback" })).rejects.toThrow("refusing to fail back: no active server is healthy in the target group (i-active)");
        expect(down.sent.map((s) => s.command)).toEqual(["DescribeTargetHealth"]);

        const up = loadHandler(ENV, ["i-active"]);
        await expect(up.handler({ action: "failback" })).resolves.toEqual({ action: "failback", deregistered: ["i-standby"], healthyActive: ["i-active"] });
        expect(up.sent).toEqual([
            { command: "DescribeTargetHealth", input: { TargetGroupArn: TG, Targets: [{ Id: "i-active", Port: 80 }] } },
            { command: "DeregisterTargets", input: { TargetGroupArn: TG, Targets: [{ Id: "i-standby", Port: 80 }] } },
        ]);
    });
});

// ---- the component under the mocks ---------------------------------------------------------------

describe("StandbyFailover", () => {
    let mod: typeof import("../components/standbyFailover");
    beforeAll(async () => {
        await setupMocks();
        const aws = await import("@pulumi/aws");
        mod = await import("../components/standbyFailover");
        const lb = new aws.lb.LoadBalancer("alb", { name: "alb" });
        const tg = new aws.lb.TargetGroup("tg", { port: 80, protocol: "HTTP", vpcId: "vpc-1" });
        const topic = new aws.sns.Topic("alerts", {});
        new mod.StandbyFailover("web-failover", {
            targetGroupArn: tg.arn,
            targetGroupArnSuffix: tg.arnSuffix,
            loadBalancerArnSuffix: lb.arnSuffix,
            activeInstanceIds: ["i-active"],
            standbyInstanceIds: ["i-standby-1", "i-standby-2"],
            port: 8080,
            notifyTopicArns: [topic.arn],
        });
        await settle();
    });

    it("alarms on the target group's healthy hosts < 1 and invokes the function directly", () => {
        const alarm = resourceNamed("aws:cloudwatch/metricAlarm:MetricAlarm", "web-failover-active-down");
        const fn = resourceNamed("aws:lambda/function:Function", "web-failover-fn");
        expect(alarm.inputs).toMatchObject({
            namespace: "AWS/ApplicationELB",
            metricName: "HealthyHostCount",
            dimensions: { TargetGroup: resourceNamed("aws:lb/targetGroup:TargetGroup", "tg").state.arnSuffix, LoadBalancer: resourceNamed("aws:lb/loadBalancer:LoadBalancer", "alb").state.arnSuffix },
            statistic: "Minimum",
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            treatMissingData: "breaching",
        });
        const topicArn = resourceNamed("aws:sns/topic:Topic", "alerts").state.arn;
        expect(alarm.inputs.alarmActions).toEqual([fn.state.arn, topicArn]);
        expect(alarm.inputs.okActions).toEqual([topicArn]);
    });

    it("lets only that alarm, in this account, invoke the function", () => {
        const perm = resourceNamed("aws:lambda/permission:Permission", "web-failover-alarm-invoke");
        expect(perm.inputs).toEqual(
            expect.objectContaining({
                action: "lambda:InvokeFunction",
                function: resourceNamed("aws:lambda/function:Function", "web-failover-fn").state.name,
                principal: "lambda.alarms.cloudwatch.amazonaws.com",
                sourceArn: resourceNamed("aws:cloudwatch/metricAlarm:MetricAlarm", "web-failover-active-down").state.arn,
                sourceAccount: "123456789012",
            }),
        );
    });

    it("ships the tested handler and tells it the target group and both sides", () => {
        const fn = resourceNamed("aws:lambda/function:Function", "web-failover-fn");
        expect(fn.inputs.runtime).toBe("nodejs24.x");
        expect(fn.inputs.handler).toBe("index.handler");
        expect(fn.inputs.environment.variables).toEqual({
            TARGET_GROUP_ARN: resourceNamed("aws:lb/targetGroup:TargetGroup", "tg").state.arn,
            ACTIVE_TARGETS: JSON.stringify([{ Id: "i-active", Port: 8080 }]),
            STANDBY_TARGETS: JSON.stringify([
                { Id: "i-standby-1", Port: 8080 },
                { Id: "i-standby-2", Port: 8080 },
            ]),
        });
        expect(fn.inputs.loggingConfig.logGroup).toBe(resourceNamed("aws:cloudwatch/logGroup:LogGroup", "web-failover-logs").state.name);
        expect(fn.inputs.role).toBe(resourceNamed("aws:iam/role:Role", "web-failover-role").state.arn);
    });

    it("may register and deregister targets in that one target group only", () => {
        const policy = JSON.parse(resourceNamed("aws:iam/rolePolicy:RolePolicy", "web-failover-policy").inputs.policy);
        const tgArn = resourceNamed("aws:lb/targetGroup:TargetGroup", "tg").state.arn;
        const write = policy.Statement.find((s: { Sid: string }) => s.Sid === "MoveStandbyInAndOut");
        expect(write).toEqual({ Sid: "MoveStandbyInAndOut", Effect: "Allow", Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"], Resource: tgArn });
        const actions = policy.Statement.flatMap((s: { Action: string | string[] }) => s.Action);
        expect(actions.filter((a: string) => a.includes("*"))).toEqual([]);
        const trust = JSON.parse(resourceNamed("aws:iam/role:Role", "web-failover-role").inputs.assumeRolePolicy);
        expect(trust.Statement[0].Principal).toEqual({ Service: "lambda.amazonaws.com" });
    });

    it.each<[Record<string, unknown>, string]>([
        [{ activeInstanceIds: [] }, "StandbyFailover bad: `activeInstanceIds` must name at least one active server (got none)"],
        [{ standbyInstanceIds: [] }, "StandbyFailover bad: `standbyInstanceIds` must name at least one standby server (got none)"],
        [{ port: 0 }, "StandbyFailover bad: `port` must be from 1 to 65535 (got 0)"],
    ])("rejects %j before registering anything", async (override, message) => {
        const before = allResources().length;
        const args = { targetGroupArn: "a", targetGroupArnSuffix: "b", loadBalancerArnSuffix: "c", activeInstanceIds: ["i-1"], standbyInstanceIds: ["i-2"], port: 80, ...override };
        expect(() => new mod.StandbyFailover("bad", args)).toThrow(message);
        await settle();
        expect(allResources()).toHaveLength(before);
        expect(resourcesOf("web-infra:web:StandbyFailover", "bad")).toEqual([]);
    });
});
