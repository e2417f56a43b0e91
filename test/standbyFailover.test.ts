/**
 * The active-passive failover function's decision (components/assets/standby/index.js, the file Lambda
 * runs): a snapshot of the group, its target health and its instance refreshes in, actions out.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { decide, configFromEnv } = require("../components/assets/standby/index.js");

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
}
const snap = (servers: Server[], extra: { refreshInProgress?: boolean; desiredCapacity?: number } = {}) => ({
    now: NOW,
    desiredCapacity: extra.desiredCapacity ?? servers.filter((s) => (s.lifecycle ?? "InService") !== "Standby").length,
    refreshInProgress: extra.refreshInProgress ?? false,
    instances: servers.map((s) => ({
        id: s.id,
        lifecycle: s.lifecycle ?? "InService",
        health: s.health ?? "Healthy",
        zone: s.zone ?? "us-east-1a",
        launchTime: s.launchTime ?? OLD,
        target: s.target ? { state: s.target, reason: null } : undefined,
    })),
});
const run = (servers: Server[], extra = {}, config: { standbyCount?: number; holdFailover?: boolean } = {}) =>
    decide(snap(servers, extra), { standbyCount: config.standbyCount ?? 1, graceSeconds: GRACE, holdFailover: config.holdFailover ?? false });

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

    it("extra healthy InService servers become standbys (the oldest healthy stays active), up to the standby count", () => {
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
        expect(d.actions).toEqual([{ type: "enterStandby", instanceIds: ["i-new"] }]);
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

    it("reads its configuration from the environment, refusing a bad number by its key", () => {
        expect(configFromEnv({ GROUP_NAME: "g", TARGET_GROUP_ARN: "arn", STANDBY_COUNT: "2", POLL_SECONDS: "5" })).toMatchObject({ standbyCount: 2, pollSeconds: 5, runSeconds: 50 });
        expect(() => configFromEnv({ GROUP_NAME: "g", TARGET_GROUP_ARN: "arn", POLL_SECONDS: "five" })).toThrow('POLL_SECONDS must be a whole number ≥ 0 (got "five")');
        expect(() => configFromEnv({})).toThrow("GROUP_NAME and TARGET_GROUP_ARN must be set");
    });
});
