/**
 * The active-passive failover function's decision (components/assets/standby/index.js, the file Lambda
 * runs): a snapshot of the group, its target health and its instance refreshes in, actions out.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { decide, configFromEnv, handler, runPass, passOffsets } = require("../components/assets/standby/index.js");

const NOW = Date.parse("2026-12-06T12:00:00Z");
const GRACE = 300;
const OLD = NOW - 3600_000;
const YOUNG = NOW - 60_000;

interface Server {
    id: string;
    lifecycle?: string;
    health?: string;
    zone?: string;
    launchTime?: number;
    target?: string;
    reason?: string;
    /** EC2 State.Name; `null`: not listed by DescribeInstances. */
    ec2?: string | null;
}
interface Extra {
    refreshInProgress?: boolean;
    refreshEndedAt?: number;
    desiredCapacity?: number;
    maxSize?: number;
}
const snap = (servers: Server[], extra: Extra = {}) => ({
    now: NOW,
    desiredCapacity: extra.desiredCapacity ?? servers.filter((s) => !["Standby", "EnteringStandby"].includes(s.lifecycle ?? "InService")).length,
    maxSize: extra.maxSize ?? 4,
    refreshInProgress: extra.refreshInProgress ?? false,
    refreshEndedAt: extra.refreshEndedAt ?? null,
    instances: servers.map((s) => ({
        id: s.id,
        lifecycle: s.lifecycle ?? "InService",
        health: s.health ?? "Healthy",
        zone: s.zone ?? "us-east-1a",
        launchTime: s.launchTime ?? OLD,
        ec2State: s.ec2 === null ? undefined : (s.ec2 ?? "running"),
        target: s.target ? { state: s.target, reason: s.reason ?? null } : undefined,
    })),
});
/** `previouslyFailed` defaults to every server: "the previous pass saw the same failure" (the confirmation has its own tests). */
const run = (servers: Server[], extra: Extra = {}, config: { standbyCount?: number; holdFailover?: boolean; previouslyFailed?: string[] } = {}) =>
    decide(snap(servers, extra), {
        standbyCount: config.standbyCount ?? 1,
        graceSeconds: GRACE,
        holdFailover: config.holdFailover ?? false,
        previouslyFailed: config.previouslyFailed ?? servers.map((s) => s.id),
    });

describe("standby failover: decide", () => {
    it.each([
        ["a booting active (target initial) and a standby", [{ id: "i-a", target: "initial" }, { id: "i-s", lifecycle: "Standby" }]],
        ["the first up: every server booting (unhealthy 10 s after registration, younger than the grace period), no standby yet", [{ id: "i-a", target: "unhealthy", launchTime: YOUNG }, { id: "i-b", target: "initial", launchTime: YOUNG }]],
        ["a replacement booting (unhealthy, young) beside the healthy active", [{ id: "i-a", target: "healthy" }, { id: "i-r", target: "unhealthy", launchTime: YOUNG }, { id: "i-s", lifecycle: "Standby" }]],
        ["a draining active", [{ id: "i-a", target: "draining" }, { id: "i-s", lifecycle: "Standby" }]],
        ["a standby on its way back (Pending, launched long ago)", [{ id: "i-a", target: "unhealthy" }, { id: "i-s", lifecycle: "Pending" }]],
    ])("does nothing for %s", (_what, servers) => {
        expect(run(servers as Server[]).actions).toEqual([]);
    });

    it("active unhealthy past its grace period + a standby: exit standby, then mark the active unhealthy", () => {
        const d = run([
            { id: "i-a", target: "unhealthy", zone: "us-east-1a" },
            { id: "i-s", lifecycle: "Standby", zone: "us-east-1b" },
        ]);
        expect(d.failover).toBe(true);
        expect(d.actions).toEqual([
            { type: "exitStandby", instanceId: "i-s" },
            { type: "setUnhealthy", instanceId: "i-a" },
        ]);
        expect(d.standbysMissing).toBe(1);
    });

    it("prefers a standby in another zone than the failed active's", () => {
        const d = run(
            [
                { id: "i-a", target: "unhealthy", zone: "us-east-1a" },
                { id: "i-s1", lifecycle: "Standby", zone: "us-east-1a", launchTime: OLD - 1 },
                { id: "i-s2", lifecycle: "Standby", zone: "us-east-1b" },
            ],
            {},
            { standbyCount: 2 },
        );
        expect(d.actions[0]).toEqual({ type: "exitStandby", instanceId: "i-s2" });
    });

    it("fails over when no server is in service any more (the active terminated)", () => {
        const d = run([
            { id: "i-a", lifecycle: "Terminating", target: "draining" },
            { id: "i-s", lifecycle: "Standby" },
        ]);
        expect(d.actions).toEqual([{ type: "exitStandby", instanceId: "i-s" }]);
    });

    it("fails over when the active is gone and only its replacement is in service, still booting", () => {
        const d = run([
            { id: "i-a", lifecycle: "Terminating", target: "draining" },
            { id: "i-r", target: "unhealthy", launchTime: YOUNG },
            { id: "i-s", lifecycle: "Standby" },
        ]);
        expect(d.actions).toEqual([{ type: "exitStandby", instanceId: "i-s" }]);
    });

    it("counts a server still draining into Standby (EnteringStandby) as a standby: no extra launch, no second arming", () => {
        const d = run([{ id: "i-a", target: "healthy" }, { id: "i-s", lifecycle: "EnteringStandby", target: "draining" }], { desiredCapacity: 1 });
        expect(d.actions).toEqual([]);
        expect(d.standbysMissing).toBe(0);
    });

    it("does not mark unhealthy a server Auto Scaling already marked", () => {
        const d = run([{ id: "i-a", target: "unhealthy", health: "Unhealthy" }, { id: "i-s", lifecycle: "Standby" }]);
        expect(d.actions).toEqual([{ type: "exitStandby", instanceId: "i-s" }]);
    });

    it("holds a second failover while the first settles", () => {
        expect(run([{ id: "i-a", target: "unhealthy" }, { id: "i-s", lifecycle: "Standby" }], {}, { holdFailover: true }).actions).toEqual([]);
    });

    it("does nothing while an instance refresh is in progress, even with a failed active", () => {
        const d = run([{ id: "i-a", target: "unhealthy" }, { id: "i-s", lifecycle: "Standby" }], { refreshInProgress: true });
        expect(d.actions).toEqual([]);
        expect(d.reason).toMatch(/refresh/);
    });

    it("active failed and no standby: no action, reported (standbysMissing feeds the alarm)", () => {
        const d = run([{ id: "i-a", target: "unhealthy" }]);
        expect(d.actions).toEqual([]);
        expect(d.reason).toBe("active failed and no standby left");
        expect(d.standbysMissing).toBe(1);
        expect(d.failover).toBe(false);
    });

    it("extra healthy InService servers become standbys (the oldest healthy stays active), up to the standby count; the rest are terminated", () => {
        const d = run(
            [
                { id: "i-new", target: "healthy", launchTime: NOW - 600_000 },
                { id: "i-old", target: "healthy", launchTime: OLD },
                { id: "i-newer", target: "healthy", launchTime: NOW - 400_000 },
            ],
            {},
            { standbyCount: 1 },
        );
        expect(d.active).toBe("i-old");
        expect(d.actions).toEqual([
            { type: "enterStandby", instanceIds: ["i-new"] },
            { type: "terminate", instanceId: "i-newer", decrement: true, why: "surplus server in service" },
        ]);
        expect(d.standbysMissing).toBe(0);
    });

    it("never arms a server that has not served (initial or unhealthy while booting)", () => {
        const d = run([
            { id: "i-a", target: "healthy" },
            { id: "i-b", target: "initial", launchTime: YOUNG },
            { id: "i-c", target: "unhealthy", launchTime: YOUNG },
        ]);
        expect(d.actions).toEqual([]);
    });

    it("after a refresh terminated the standbys, raises the desired capacity to launch them again", () => {
        const d = run([{ id: "i-a", target: "healthy" }], { desiredCapacity: 1 }, { standbyCount: 2 });
        expect(d.actions).toEqual([{ type: "setDesired", capacity: 3 }]);
    });

    it("steady state (one active, the standbys armed): nothing to do", () => {
        const d = run([{ id: "i-a", target: "healthy" }, { id: "i-s", lifecycle: "Standby" }], { desiredCapacity: 1 });
        expect(d.actions).toEqual([]);
        expect(d.reason).toBe("serving");
    });

    // ---- review: snapshot 84a4e7b -------------------------------------------------------------------

    it("top-up is idempotent: desired already raised but the new instance not listed yet → no second raise (1)", () => {
        const servers = [{ id: "i-a", target: "healthy" }];
        expect(run(servers, { desiredCapacity: 1 }).actions).toEqual([{ type: "setDesired", capacity: 2 }]);
        // The next pass, 5 s later: Auto Scaling has not listed the launch yet.
        expect(run(servers, { desiredCapacity: 2 }).actions).toEqual([]);
        // Launches failing: the desired capacity stays where it is, it never climbs to maxSize.
        expect(run(servers, { desiredCapacity: 2 }, { standbyCount: 1 }).reason).toBe("serving");
        // Never above maxSize.
        expect(run(servers, { desiredCapacity: 1, maxSize: 2 }, { standbyCount: 3 }).actions).toEqual([{ type: "setDesired", capacity: 2 }]);
    });

    it("scales down: a second healthy server in service with the standbys complete is terminated with a decrement; surplus standbys too (1)", () => {
        const d = run([{ id: "i-a", target: "healthy" }, { id: "i-b", target: "healthy", launchTime: OLD + 1 }, { id: "i-s", lifecycle: "Standby" }]);
        expect(d.actions).toEqual([{ type: "terminate", instanceId: "i-b", decrement: true, why: "surplus server in service" }]);
        expect(d.reason).toBe("trimming surplus servers");
        // webWarmStandbyCount lowered from 2 to 1: the newest standby goes (outside the desired capacity: no decrement).
        const lowered = run([{ id: "i-a", target: "healthy" }, { id: "i-s1", lifecycle: "Standby" }, { id: "i-s2", lifecycle: "Standby", launchTime: OLD + 1 }], { desiredCapacity: 1 });
        expect(lowered.actions).toEqual([{ type: "terminate", instanceId: "i-s2", decrement: false, why: "surplus standby" }]);
    });

    it("a server marked Unhealthy whose target recovered is never the active again; the serving ex-standby stays (2)", () => {
        const d = run([
            { id: "i-old", target: "healthy", health: "Unhealthy" },
            { id: "i-s", target: "healthy", launchTime: OLD + 1000 },
        ]);
        expect(d.active).toBe("i-s");
        expect(d.actions).toEqual([]);
        // Alone and recovered, it still does not count as serving: the standby takes over.
        const alone = run([{ id: "i-old", target: "healthy", health: "Unhealthy" }, { id: "i-s", lifecycle: "Standby" }]);
        expect(alone.actions).toEqual([{ type: "exitStandby", instanceId: "i-s" }]);
        expect(alone.failover).toBe(true);
    });

    it("a stopped standby is never moved in service: another one is, or none (4)", () => {
        const d = run(
            [
                { id: "i-a", target: "unhealthy" },
                { id: "i-dead", lifecycle: "Standby", ec2: "stopped", zone: "us-east-1b" },
                { id: "i-ok", lifecycle: "Standby", zone: "us-east-1a", launchTime: OLD + 1 },
            ],
            {},
            { standbyCount: 2 },
        );
        expect(d.actions[0]).toEqual({ type: "exitStandby", instanceId: "i-ok" });
        const none = run([{ id: "i-a", target: "unhealthy" }, { id: "i-dead", lifecycle: "Standby", ec2: "stopped" }]);
        expect(none.actions).toEqual([]);
        expect(none.reason).toBe("active failed and no standby left");
    });

    it("a stopped or terminated standby is replaced: terminated (no decrement) and the desired capacity raised to launch another (4)", () => {
        const d = run([{ id: "i-a", target: "healthy" }, { id: "i-dead", lifecycle: "Standby", ec2: "stopped" }], { desiredCapacity: 1 });
        expect(d.actions).toEqual([
            { type: "terminate", instanceId: "i-dead", decrement: false, why: "standby stopped" },
            { type: "setDesired", capacity: 2 },
        ]);
        expect(d.standbysMissing).toBe(1);
        // Not listed by DescribeInstances (a moment's inconsistency): not used, not terminated either.
        const unknown = run([{ id: "i-a", target: "healthy" }, { id: "i-s", lifecycle: "Standby", ec2: null }], { desiredCapacity: 2 });
        expect(unknown.actions).toEqual([]);
    });

    it("standbysMissing: 0 during a refresh and for two grace periods after it, the real shortfall otherwise (5)", () => {
        const servers = [{ id: "i-a", target: "healthy" }];
        expect(run(servers, { desiredCapacity: 2 }).standbysMissing).toBe(1);
        expect(run(servers, { desiredCapacity: 2, refreshEndedAt: NOW - GRACE * 1000 }).standbysMissing).toBe(0);
        expect(run(servers, { desiredCapacity: 2, refreshEndedAt: NOW - GRACE * 1000 }).standbysShort).toBe(1);
        expect(run(servers, { desiredCapacity: 2, refreshEndedAt: NOW - 2 * GRACE * 1000 }).standbysMissing).toBe(1);
        expect(run(servers, { refreshInProgress: true }).standbysMissing).toBe(0);
    });

    it("arms only servers past the grace period, and never while Auto Scaling replaces a server marked Unhealthy (6)", () => {
        // Healthy at ~220 s, younger than the 300 s grace period: not yet.
        expect(run([{ id: "i-a", target: "healthy" }, { id: "i-r", target: "healthy", launchTime: NOW - 220_000 }]).actions).toEqual([]);
        // The failed server is still InService/Unhealthy (launch before terminate): no arming, no trimming.
        const d = run([
            { id: "i-failed", target: "unhealthy", health: "Unhealthy" },
            { id: "i-a", target: "healthy", launchTime: OLD + 1 },
            { id: "i-r", target: "healthy", launchTime: NOW - 400_000 },
        ]);
        expect(d.actions).toEqual([]);
        expect(d.reason).toBe("serving; Auto Scaling replacing an Unhealthy server");
    });

    it("an Elb.InternalError is the load balancer's failure, not the server's: no failover (9)", () => {
        const d = run([{ id: "i-a", target: "unhealthy", reason: "Elb.InternalError" }, { id: "i-s", lifecycle: "Standby" }]);
        expect(d.actions).toEqual([]);
        expect(d.reason).toMatch(/Elb.InternalError/);
    });

    it("one failed pass is not a failover: the next pass must see the same server failed (9)", () => {
        const servers = [{ id: "i-a", target: "unhealthy" }, { id: "i-s", lifecycle: "Standby" }];
        const first = run(servers, {}, { previouslyFailed: [] });
        expect(first.actions).toEqual([]);
        expect(first.failed).toEqual(["i-a"]);
        expect(run(servers, {}, { previouslyFailed: first.failed }).actions[0]).toEqual({ type: "exitStandby", instanceId: "i-s" });
        // Gone from service altogether (terminated): no second look needed.
        expect(run([{ id: "i-a", lifecycle: "Terminating" }, { id: "i-s", lifecycle: "Standby" }], {}, { previouslyFailed: [] }).failover).toBe(true);
    });

    it("reports when the active and every standby are in one zone (11)", () => {
        expect(run([{ id: "i-a", target: "healthy" }, { id: "i-s", lifecycle: "Standby" }], { desiredCapacity: 1 }).oneZone).toBe("us-east-1a");
        expect(run([{ id: "i-a", target: "healthy" }, { id: "i-s", lifecycle: "Standby", zone: "us-east-1b" }], { desiredCapacity: 1 }).oneZone).toBeNull();
    });

    it("reads its configuration from the environment, refusing a bad number by its key", () => {
        expect(configFromEnv({ GROUP_NAME: "g", TARGET_GROUP_ARN: "arn", STANDBY_COUNT: "2", POLL_SECONDS: "5" })).toMatchObject({ standbyCount: 2, pollSeconds: 5, runSeconds: 55 });
        expect(() => configFromEnv({ GROUP_NAME: "g", TARGET_GROUP_ARN: "arn", POLL_SECONDS: "five" })).toThrow('POLL_SECONDS must be a whole number ≥ 0 (got "five")');
        expect(() => configFromEnv({})).toThrow("GROUP_NAME and TARGET_GROUP_ARN must be set");
    });
});

/** The handler and a pass with fake clients (the real SDK command classes, answers from the test). */
describe("standby failover: runPass and handler with fake clients", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const commands = { ...require("@aws-sdk/client-auto-scaling"), ...require("@aws-sdk/client-elastic-load-balancing-v2"), ...require("@aws-sdk/client-ec2") };
    const config = { groupName: "web-asg", targetGroupArn: "arn:tg", standbyCount: 1, graceSeconds: 300, pollSeconds: 5, runSeconds: 55, settleSeconds: 30 };
    type Call = { name: string; input: Record<string, unknown> };

    /** The active `i-a` (target unhealthy for `failing`) and the running standby `i-s`; `fail` names commands that throw. */
    function fakeClients(opts: { failing?: boolean; fail?: string[]; ec2NotFound?: boolean } = {}) {
        const calls: Call[] = [];
        const launch = new Date(Date.now() - 3600_000);
        const send = async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
            const name = cmd.constructor.name;
            calls.push({ name, input: cmd.input });
            if (opts.fail?.includes(name)) throw Object.assign(new Error(`${name} refused`), { name: "ValidationError" });
            switch (name) {
                case "DescribeAutoScalingGroupsCommand":
                    return {
                        AutoScalingGroups: [
                            {
                                DesiredCapacity: 1,
                                MaxSize: 4,
                                Instances: [
                                    { InstanceId: "i-a", LifecycleState: "InService", HealthStatus: "Healthy", AvailabilityZone: "us-east-1a" },
                                    { InstanceId: "i-s", LifecycleState: "Standby", HealthStatus: "Healthy", AvailabilityZone: "us-east-1b" },
                                ],
                            },
                        ],
                    };
                case "DescribeTargetHealthCommand":
                    return { TargetHealthDescriptions: [{ Target: { Id: "i-a" }, TargetHealth: { State: opts.failing ? "unhealthy" : "healthy" } }] };
                case "DescribeInstanceRefreshesCommand":
                    return { InstanceRefreshes: [] };
                case "DescribeInstancesCommand":
                    if (cmd.input.InstanceIds) throw Object.assign(new Error("InvalidInstanceID.NotFound"), { name: "InvalidInstanceID.NotFound" });
                    return { Reservations: [{ Instances: ["i-a", "i-s"].map((id) => ({ InstanceId: id, LaunchTime: launch, State: { Name: "running" } })) }] };
                default:
                    return {};
            }
        };
        const client = { send };
        return { clients: { autoscaling: client, elbv2: client, ec2: client, commands }, calls };
    }

    function captureLog() {
        const lines: string[] = [];
        const spy = jest.spyOn(process.stdout, "write").mockImplementation((l: string | Uint8Array) => lines.push(String(l)) > 0);
        return { records: () => lines.map((l) => JSON.parse(l)), restore: () => spy.mockRestore() };
    }

    it("reads EC2 state and launch times with an instance-id filter, never InstanceIds (a just-launched instance would fail the call) (7)", async () => {
        const { clients, calls } = fakeClients();
        const out = captureLog();
        try {
            await runPass(clients, config, { lastFailoverAt: 0 });
        } finally {
            out.restore();
        }
        const describe = calls.find((c) => c.name === "DescribeInstancesCommand")!;
        expect(describe.input).toEqual({ Filters: [{ Name: "instance-id", Values: ["i-a", "i-s"] }] });
    });

    it("a failover whose SetInstanceHealth fails is still recorded: failover line, applied ExitStandby, settle hold (8)", async () => {
        const { clients } = fakeClients({ failing: true, fail: ["SetInstanceHealthCommand"] });
        const state: { lastFailoverAt: number; failed?: string[]; failedAt?: number } = { lastFailoverAt: 0, failed: ["i-a"], failedAt: Date.now() };
        const out = captureLog();
        try {
            await expect(runPass(clients, config, state)).rejects.toThrow("SetInstanceHealthCommand refused");
        } finally {
            out.restore();
        }
        const [line] = out.records();
        expect(line).toMatchObject({ event: "failover", failover: 1, applied: [{ type: "exitStandby", instanceId: "i-s" }], error: "SetInstanceHealthCommand refused" });
        expect(state.lastFailoverAt).toBeGreaterThan(0);
    });

    it("the handler confirms a failure over two passes, then fails over once (9)", async () => {
        const { clients, calls } = fakeClients({ failing: true });
        let t = 0;
        const clock = { now: () => t, sleep: async (ms: number) => void (t += ms) };
        const out = captureLog();
        try {
            await handler({}, { getRemainingTimeInMillis: () => 60_000 - t }, { clients, config: { ...config, runSeconds: 5 }, state: { lastFailoverAt: 0 }, clock });
        } finally {
            out.restore();
        }
        const events = out.records().map((r) => r.event);
        expect(events).toEqual(["pass", "failover"]);
        expect(calls.filter((c) => c.name === "ExitStandbyCommand")).toHaveLength(1);
    });

    it("passes at fixed offsets up to RUN_SECONDS, each started only with 4 s left before the timeout (3)", async () => {
        const { clients } = fakeClients();
        let t = 0;
        const starts: number[] = [];
        // Each pass takes 700 ms: offsets must not drift by it.
        const slow = {
            ...clients,
            autoscaling: {
                send: async (cmd: { constructor: { name: string } }) => {
                    if (cmd.constructor.name === "DescribeAutoScalingGroupsCommand") {
                        starts.push(t);
                        t += 700;
                    }
                    return clients.autoscaling.send(cmd as never);
                },
            },
        };
        const clock = { now: () => t, sleep: async (ms: number) => void (t += ms) };
        const out = captureLog();
        try {
            await expect(handler({}, { getRemainingTimeInMillis: () => 60_000 - t }, { clients: slow, config, state: { lastFailoverAt: 0 }, clock })).resolves.toEqual({ passes: 12, failures: 0 });
            expect(starts).toEqual(passOffsets(5, 55).map((s: number) => s * 1000));
            expect(starts.at(-1)).toBe(55_000);
            // Started 2 s late (a cold start): the 55 s pass would leave under 4 s; it is skipped.
            t = 0;
            starts.length = 0;
            await handler({}, { getRemainingTimeInMillis: () => 58_000 - t }, { clients: slow, config, state: { lastFailoverAt: 0 }, clock });
            expect(starts.at(-1)).toBe(50_000);
        } finally {
            out.restore();
        }
    });

    it("the SDK clients time out per attempt (connection 2 s, request 3 s, which throws) with 2 attempts (3)", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { CLIENT_CONFIG } = require("../components/assets/standby/index.js");
        expect(CLIENT_CONFIG).toEqual({ maxAttempts: 2, requestHandler: { connectionTimeout: 2000, requestTimeout: 3000, throwOnRequestTimeout: true } });
    });
});
