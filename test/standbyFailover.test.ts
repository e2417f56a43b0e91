import { FAILOVER_HANDLER_SOURCE } from "../components/lib/failoverHandler";
import { allResources, resourceNamed, resourcesOf, settle, setupMocks } from "./mocks";

// ---- the handler, run for real against fake ELBv2 and CloudWatch clients ------------------------

interface Sent {
    client: "elb" | "cloudwatch";
    command: string;
    input: any;
}

/** What the fake target group reports: a state (and reason) per instance id; absent = not registered. */
type Health = Record<string, { state: string; reason?: string }>;

interface FakeAws {
    /** Target health per id. Ids in `gone` make DescribeTargetHealth with explicit targets fail like AWS does. */
    health?: Health;
    gone?: string[];
    /** Fail this command once (a throttle), to check a retry re-decides. */
    failOnce?: string;
}

/** Load the handler source as Lambda would, with the SDK modules replaced by recorders. */
function loadHandler(env: Record<string, string>, fake: FakeAws = {}) {
    const sent: Sent[] = [];
    const health = fake.health ?? {};
    let failOnce = fake.failOnce;
    const command = (name: string) =>
        class {
            constructor(public input: any) {}
            readonly command = name;
        };
    const describe = (input: any) => {
        const asked: { Id: string; Port: number }[] | undefined = input.Targets;
        if (asked?.some((t) => fake.gone?.includes(t.Id))) {
            const error = new Error(`The following targets are not valid instances: ${asked.map((t) => t.Id).join(", ")}`);
            error.name = "InvalidTargetException";
            throw error;
        }
        // Without Targets: every registered target. With: each asked one, unregistered ones as unused.
        const listed = asked ?? Object.keys(health).map((Id) => ({ Id, Port: 80 }));
        return {
            TargetHealthDescriptions: listed.map((t) => ({
                Target: t,
                TargetHealth: health[t.Id] ? { State: health[t.Id].state, Reason: health[t.Id].reason } : { State: "unused", Reason: "Target.NotRegistered" },
            })),
        };
    };
    const recorder = (client: Sent["client"]) =>
        class {
            async send(cmd: { command: string; input: any }) {
                sent.push({ client, command: cmd.command, input: cmd.input });
                if (failOnce === cmd.command) {
                    failOnce = undefined;
                    const error = new Error("Rate exceeded");
                    error.name = "ThrottlingException";
                    throw error;
                }
                return cmd.command === "DescribeTargetHealth" ? describe(cmd.input) : {};
            }
        };
    const modules: Record<string, unknown> = {
        "@aws-sdk/client-elastic-load-balancing-v2": {
            ElasticLoadBalancingV2Client: recorder("elb"),
            RegisterTargetsCommand: command("RegisterTargets"),
            DeregisterTargetsCommand: command("DeregisterTargets"),
            DescribeTargetHealthCommand: command("DescribeTargetHealth"),
        },
        "@aws-sdk/client-cloudwatch": { CloudWatchClient: recorder("cloudwatch"), SetAlarmStateCommand: command("SetAlarmState") },
    };
    const module = { exports: {} as { handler: (e: unknown) => Promise<any> } };
    const fakeRequire = (id: string) => {
        if (!(id in modules)) throw new Error(`handler requires ${id}, which the Lambda runtime may not have`);
        return modules[id];
    };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
        new Function("require", "module", "exports", "console", FAILOVER_HANDLER_SOURCE)(fakeRequire, module, module.exports, { log: () => undefined });
    } finally {
        process.env = saved;
    }
    const commands = () => sent.map((s) => s.command);
    return { handler: module.exports.handler, sent, commands };
}

const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";
const ENV = {
    TARGET_GROUP_ARN: TG,
    ACTIVE_TARGETS: JSON.stringify([{ Id: "i-active", Port: 80 }]),
    STANDBY_TARGETS: JSON.stringify([{ Id: "i-standby", Port: 80 }]),
};
const ALARM_NAME = "web-failover-active-down-1a2b3c4";
const alarmEvent = (value: string) => ({ source: "aws.cloudwatch", alarmData: { alarmName: ALARM_NAME, state: { value } } });
const DESCRIBE_ACTIVE = { client: "elb", command: "DescribeTargetHealth", input: { TargetGroupArn: TG, Targets: [{ Id: "i-active", Port: 80 }] } };
const REGISTER_STANDBY = { client: "elb", command: "RegisterTargets", input: { TargetGroupArn: TG, Targets: [{ Id: "i-standby", Port: 80 }] } };

describe("failover handler: on ALARM it checks the active targets first", () => {
    it.each([
        ["unhealthy", "Target.FailedHealthChecks"],
        ["unhealthy", "Target.Timeout"],
        ["unavailable", undefined],
        ["unused", "Target.InvalidState"], // stopped or terminated
        ["unused", "Target.NotRegistered"], // deregistered
        ["unused", "Target.NotInUse"], // its zone no longer enabled on the load balancer
    ])("registers the standby when the active target is %s (%s)", async (state, reason) => {
        const { handler, sent } = loadHandler(ENV, { health: { "i-active": { state, reason } } });
        await expect(handler(alarmEvent("ALARM"))).resolves.toEqual({
            action: "failover",
            registered: ["i-standby"],
            reason: "active-failed",
            alarm: ALARM_NAME,
            active: [{ id: "i-active", state, reason: reason ?? null }],
        });
        expect(sent).toEqual([DESCRIBE_ACTIVE, REGISTER_STANDBY]);
    });

    it("registers the standby when the active target is not registered at all (absent from the target group)", async () => {
        const { handler, sent } = loadHandler(ENV, { health: {} });
        await expect(handler(alarmEvent("ALARM"))).resolves.toMatchObject({ action: "failover", active: [{ id: "i-active", state: "unused", reason: "Target.NotRegistered" }] });
        expect(sent).toEqual([DESCRIBE_ACTIVE, REGISTER_STANDBY]);
    });

    it("registers the standby when the active instance no longer exists (ELB refuses to describe it)", async () => {
        const { handler, sent } = loadHandler(ENV, { gone: ["i-active"], health: { "i-other": { state: "healthy" } } });
        await expect(handler(alarmEvent("ALARM"))).resolves.toMatchObject({ action: "failover", active: [{ id: "i-active", state: "unused" }] });
        expect(sent).toEqual([DESCRIBE_ACTIVE, { client: "elb", command: "DescribeTargetHealth", input: { TargetGroupArn: TG } }, REGISTER_STANDBY]);
    });

    it.each([
        ["initial", "Elb.RegistrationInProgress"],
        ["initial", "Elb.InitialHealthChecking"],
        ["draining", "Target.DeregistrationInProgress"],
    ])("does not fail over while the active target is %s (%s), and re-arms the alarm to decide again", async (state, reason) => {
        const { handler, sent, commands } = loadHandler(ENV, { health: { "i-active": { state, reason } } });
        await expect(handler(alarmEvent("ALARM"))).resolves.toEqual({
            action: "none",
            reason: "active-settling",
            alarmState: "ALARM",
            active: [{ id: "i-active", state, reason }],
            rearmed: true,
        });
        expect(commands()).toEqual(["DescribeTargetHealth", "SetAlarmState"]);
        expect(commands()).not.toContain("RegisterTargets");
        const rearm = sent[1];
        expect(rearm).toMatchObject({ client: "cloudwatch", input: { AlarmName: ALARM_NAME, StateValue: "OK" } });
        expect(rearm.input.StateReason).toContain(`i-active ${state} (${reason})`);
        expect(rearm.input.StateReason.length).toBeLessThanOrEqual(1023);
    });

    it("does nothing when an active target is healthy (the metric lagged), and leaves the alarm to clear itself", async () => {
        const { handler, commands } = loadHandler(ENV, { health: { "i-active": { state: "healthy" } } });
        await expect(handler(alarmEvent("ALARM"))).resolves.toEqual({ action: "none", reason: "active-healthy", alarmState: "ALARM", active: [{ id: "i-active", state: "healthy", reason: null }] });
        expect(commands()).toEqual(["DescribeTargetHealth"]);
    });

    it("with several active targets: one failed and one still initial is a failover; one healthy is not", async () => {
        const env = { ...ENV, ACTIVE_TARGETS: JSON.stringify([{ Id: "i-a", Port: 80 }, { Id: "i-b", Port: 80 }]) };
        const mixed = loadHandler(env, { health: { "i-a": { state: "unhealthy" }, "i-b": { state: "initial" } } });
        await expect(mixed.handler(alarmEvent("ALARM"))).resolves.toMatchObject({ action: "failover" });
        const oneUp = loadHandler(env, { health: { "i-a": { state: "unhealthy" }, "i-b": { state: "healthy" } } });
        await expect(oneUp.handler(alarmEvent("ALARM"))).resolves.toMatchObject({ action: "none", reason: "active-healthy" });
        expect(oneUp.commands()).not.toContain("RegisterTargets");
    });

    it("is retry-safe: a throttled describe throws (Lambda retries), and the retry decides from fresh health", async () => {
        const { handler, commands } = loadHandler(ENV, { health: { "i-active": { state: "unhealthy" } }, failOnce: "DescribeTargetHealth" });
        await expect(handler(alarmEvent("ALARM"))).rejects.toThrow("Rate exceeded");
        expect(commands()).toEqual(["DescribeTargetHealth"]);
        await expect(handler(alarmEvent("ALARM"))).resolves.toMatchObject({ action: "failover", registered: ["i-standby"] });
        // Registering twice (a retry after a lost response) is harmless: RegisterTargets is idempotent.
        await expect(handler(alarmEvent("ALARM"))).resolves.toMatchObject({ action: "failover" });
        expect(commands()).toEqual(["DescribeTargetHealth", "DescribeTargetHealth", "RegisterTargets", "DescribeTargetHealth", "RegisterTargets"]);
    });

    it.each(["OK", "INSUFFICIENT_DATA"])("does nothing on %s (failback is manual)", async (state) => {
        const { handler, sent } = loadHandler(ENV);
        await expect(handler(alarmEvent(state))).resolves.toEqual({ action: "none", alarmState: state });
        expect(sent).toEqual([]);
    });
});

describe("failover handler: manual invokes", () => {
    it("a manual failover registers the standby without asking (a planned move)", async () => {
        const { handler, sent } = loadHandler(ENV, { health: { "i-active": { state: "healthy" } } });
        await expect(handler({ action: "failover" })).resolves.toEqual({ action: "failover", registered: ["i-standby"], reason: "manual" });
        expect(sent).toEqual([REGISTER_STANDBY]);
    });

    it("fails back only when an active server is healthy", async () => {
        const down = loadHandler(ENV, { health: { "i-active": { state: "unhealthy" } } });
        await expect(down.handler({ action: "failback" })).rejects.toThrow("refusing to fail back: no active server is healthy in the target group (i-active unhealthy)");
        expect(down.commands()).toEqual(["DescribeTargetHealth"]);

        const up = loadHandler(ENV, { health: { "i-active": { state: "healthy" } } });
        await expect(up.handler({ action: "failback" })).resolves.toEqual({ action: "failback", deregistered: ["i-standby"], healthyActive: ["i-active"] });
        expect(up.sent).toEqual([DESCRIBE_ACTIVE, { client: "elb", command: "DeregisterTargets", input: { TargetGroupArn: TG, Targets: [{ Id: "i-standby", Port: 80 }] } }]);
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

    it("alarms on the target group's healthy hosts < 1 for 2 minutes and invokes the function directly", () => {
        const alarm = resourceNamed("aws:cloudwatch/metricAlarm:MetricAlarm", "web-failover-active-down");
        const fn = resourceNamed("aws:lambda/function:Function", "web-failover-fn");
        expect(alarm.inputs).toMatchObject({
            namespace: "AWS/ApplicationELB",
            metricName: "HealthyHostCount",
            dimensions: { TargetGroup: resourceNamed("aws:lb/targetGroup:TargetGroup", "tg").state.arnSuffix, LoadBalancer: resourceNamed("aws:lb/loadBalancer:LoadBalancer", "alb").state.arnSuffix },
            statistic: "Minimum",
            period: 60,
            // Two minutes in a row: a booting active server is not woken on every deploy.
            evaluationPeriods: 2,
            datapointsToAlarm: 2,
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            // Missing data (no target registered any more) must still reach the function.
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

    it("may register and deregister targets in that one target group only, and re-arm only its own alarm", () => {
        const policy = JSON.parse(resourceNamed("aws:iam/rolePolicy:RolePolicy", "web-failover-policy").inputs.policy);
        const tgArn = resourceNamed("aws:lb/targetGroup:TargetGroup", "tg").state.arn;
        const write = policy.Statement.find((s: { Sid: string }) => s.Sid === "MoveStandbyInAndOut");
        expect(write).toEqual({ Sid: "MoveStandbyInAndOut", Effect: "Allow", Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"], Resource: tgArn });
        // It may re-arm (SetAlarmState) its own alarm and no other.
        expect(policy.Statement.find((s: { Sid: string }) => s.Sid === "RearmOwnAlarm")).toEqual({
            Sid: "RearmOwnAlarm",
            Effect: "Allow",
            Action: "cloudwatch:SetAlarmState",
            Resource: resourceNamed("aws:cloudwatch/metricAlarm:MetricAlarm", "web-failover-active-down").state.arn,
        });
        const actions = policy.Statement.flatMap((s: { Action: string | string[] }) => s.Action);
        expect(actions.filter((a: string) => a.includes("*"))).toEqual([]);
        const trust = JSON.parse(resourceNamed("aws:iam/role:Role", "web-failover-role").inputs.assumeRolePolicy);
        expect(trust.Statement[0].Principal).toEqual({ Service: "lambda.amazonaws.com" });
    });

    it("is part of the library's public API (`web-infra`)", async () => {
        const library = await import("web-infra");
        expect(library.StandbyFailover).toBe(mod.StandbyFailover);
        const args: import("web-infra").StandbyFailoverArgs = { targetGroupArn: "a", targetGroupArnSuffix: "b", loadBalancerArnSuffix: "c", activeInstanceIds: ["i-1"], standbyInstanceIds: ["i-2"], port: 80 };
        expect(args.port).toBe(80);
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
