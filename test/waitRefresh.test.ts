/** The deploy's wait for the web fleet's instance refresh (scripts/wait-refresh.ts): its decisions, without AWS. */
import { FAILURE_STATUSES, Refresh, parseArgs, refreshVerdict, waitForRefresh } from "../scripts/wait-refresh";

const SINCE = new Date("2026-12-06T10:00:00Z");
const at = (minutes: number) => new Date(SINCE.getTime() + minutes * 60_000);
const refresh = (over: Partial<Refresh>): Refresh => ({ id: "r-new", status: "InProgress", startTime: at(2), ...over });

describe("refreshVerdict", () => {
    it("passes when the deploy started no refresh (none at all, or only older ones, even failed)", () => {
        expect(refreshVerdict([], SINCE)).toMatchObject({ done: true, ok: true });
        const old = refreshVerdict([refresh({ id: "r-old", status: "Failed", startTime: at(-90) })], SINCE);
        expect(old).toMatchObject({ done: true, ok: true, message: "no instance refresh started since 2026-12-06T10:00:00.000Z: the deploy changed no server" });
    });

    it("passes on Successful", () => {
        expect(refreshVerdict([refresh({ status: "Successful" })], SINCE)).toEqual({ done: true, ok: true, message: "instance refresh r-new is Successful" });
    });

    it.each(["Failed", "Cancelled", "RollbackSuccessful", "RollbackFailed"])("fails on %s, naming the reason and the runbook", (status) => {
        const v = refreshVerdict([refresh({ status, statusReason: "alarm web-5xx in ALARM" })], SINCE);
        expect(v).toEqual({ done: true, ok: false, message: `instance refresh r-new is ${status} (alarm web-5xx in ALARM): the new servers did not become healthy (docs/runbooks/web-rolling-deploy.md)` });
    });

    it.each(["Pending", "InProgress", "Cancelling", "RollbackInProgress", "Baking"])("waits while %s", (status) => {
        expect(refreshVerdict([refresh({ status, percentageComplete: 50 })], SINCE)).toEqual({ done: false, message: `instance refresh r-new is ${status}, 50% done` });
    });

    it("the failure set is exactly the API's terminal non-success statuses", () => {
        expect([...FAILURE_STATUSES].sort()).toEqual(["Cancelled", "Failed", "RollbackFailed", "RollbackSuccessful"]);
    });

    it("reads the newest of this deploy's refreshes, whatever the order (a Pending one has no start time yet)", () => {
        const list = [refresh({ id: "r1", status: "Cancelled", startTime: at(1) }), refresh({ id: "r2", status: "Successful", startTime: at(5) }), refresh({ id: "r0", status: "Failed", startTime: at(-5) })];
        expect(refreshVerdict(list, SINCE)).toMatchObject({ done: true, ok: true, message: "instance refresh r2 is Successful" });
        expect(refreshVerdict([...list, refresh({ id: "r3", status: "Pending", startTime: undefined })], SINCE)).toMatchObject({ done: false, message: "instance refresh r3 is Pending" });
    });
});

describe("waitForRefresh", () => {
    it("polls until the refresh is terminal", async () => {
        const answers = [[refresh({ status: "Pending", startTime: undefined })], [refresh({ status: "InProgress" })], [refresh({ status: "RollbackSuccessful" })]];
        const describe = jest.fn(async () => answers.shift()!);
        const sleep = jest.fn(async () => undefined);
        const r = await waitForRefresh({ group: "web", since: SINCE, timeoutMs: 3_600_000, describe, sleep, log: () => undefined, now: () => 0 });
        expect(r.ok).toBe(false);
        expect(describe).toHaveBeenCalledTimes(3);
        expect(sleep).toHaveBeenCalledTimes(2);
    });

    it("gives up, failing, when the time is up", async () => {
        let clock = 0;
        const r = await waitForRefresh({
            group: "web",
            since: SINCE,
            timeoutMs: 120_000,
            pollMs: 30_000,
            describe: async () => [refresh({ status: "InProgress" })],
            sleep: async (ms) => void (clock += ms),
            log: () => undefined,
            now: () => clock,
        });
        expect(r).toEqual({ ok: false, message: "instance refresh r-new is InProgress after 2 minutes: gave up waiting (the refresh goes on; see docs/runbooks/web-rolling-deploy.md)" });
        expect(clock).toBeLessThanOrEqual(120_000);
    });
});

describe("parseArgs", () => {
    it.each([
        [["--group", "g", "--region", "eu-west-1", "--since", "2026-12-06T10:00:00Z"], { group: "g", region: "eu-west-1", since: SINCE, timeoutMinutes: 60 }],
        [["--group=g", "--region=eu-west-1", "--since=2026-12-06T10:00:00Z", "--timeout-minutes=30"], { group: "g", region: "eu-west-1", since: SINCE, timeoutMinutes: 30 }],
        [["--group", "g", "--region", "r"], { error: "--since is required" }],
        [["--group", "g", "--region", "r", "--since", "yesterday"], { error: '--since must be an ISO time (got "yesterday")' }],
        [["--stack", "dev"], { error: 'unknown argument "--stack"' }],
    ])("%j", (argv, expected) => {
        expect(parseArgs(argv)).toEqual(expected);
    });
});
