/**
 * The deploy's last gate: wait for the web fleet's instance refresh that `pulumi up` started.
 *
 *   node -r ./scripts/register.js scripts/wait-refresh.ts --group <asg> --region <region> --since <ISO time> [--timeout-minutes 60]
 *
 * `pulumi up` returns as soon as the Auto Scaling group has its new launch template version: the
 * provider starts the instance refresh and does not wait for it. Without this step a deploy whose new
 * servers never get healthy (the refresh fails, or its gate alarm stops it) would be reported
 * green, and deploy.yml would go on to prod with the same change.
 *
 * Polls DescribeInstanceRefreshes (most recent first) until the newest refresh started at or after
 * `--since` (the time the `up` step began) is terminal. Exit 0 on Successful or when this deploy
 * started none; 1 on Failed, Cancelled, RollbackSuccessful, RollbackFailed, or when the time is up;
 * 2 for bad arguments. Statuses: Amazon EC2 Auto Scaling API reference, InstanceRefresh.Status
 * (Pending | InProgress | Successful | Failed | Cancelling | Cancelled | RollbackInProgress |
 * RollbackFailed | RollbackSuccessful | Baking).
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_InstanceRefresh.html
 * Read-only: needs autoscaling:DescribeInstanceRefreshes.
 */
import { AutoScalingClient, DescribeInstanceRefreshesCommand } from "@aws-sdk/client-auto-scaling";

/** One instance refresh, as much of DescribeInstanceRefreshes as the decision reads. */
export interface Refresh {
    readonly id: string;
    readonly status: string;
    readonly statusReason?: string;
    /** Missing while Pending. */
    readonly startTime?: Date;
    readonly percentageComplete?: number;
}

/** Finished, and the new servers serve. */
export const SUCCESS_STATUSES: ReadonlySet<string> = new Set(["Successful"]);
/** Finished without the new servers: the deploy failed (a rollback put the old version back). */
export const FAILURE_STATUSES: ReadonlySet<string> = new Set(["Failed", "Cancelled", "RollbackSuccessful", "RollbackFailed"]);

export type Verdict = { readonly done: true; readonly ok: boolean; readonly message: string } | { readonly done: false; readonly message: string };

/**
 * What to do with the group's refreshes: pass, fail, or wait. Pure.
 *
 * @param refreshes DescribeInstanceRefreshes' answer, any order
 * @param since refreshes that started before it belong to an earlier deploy and are ignored
 */
export function refreshVerdict(refreshes: readonly Refresh[], since: Date): Verdict {
    // A Pending refresh has no start time yet: it is the newest.
    const time = (r: Refresh) => r.startTime?.getTime() ?? Number.POSITIVE_INFINITY;
    const ours = refreshes.filter((r) => time(r) >= since.getTime()).sort((a, b) => time(b) - time(a));
    const newest = ours[0];
    if (newest === undefined) {
        return { done: true, ok: true, message: `no instance refresh started since ${since.toISOString()}: the deploy changed no server` };
    }
    const what = `instance refresh ${newest.id} is ${newest.status}${newest.statusReason ? ` (${newest.statusReason})` : ""}`;
    if (SUCCESS_STATUSES.has(newest.status)) return { done: true, ok: true, message: what };
    if (FAILURE_STATUSES.has(newest.status)) {
        return { done: true, ok: false, message: `${what}: the new servers did not become healthy (docs/runbooks/web-rolling-deploy.md)` };
    }
    return { done: false, message: `${what}${newest.percentageComplete !== undefined ? `, ${newest.percentageComplete}% done` : ""}` };
}

export interface WaitOptions {
    readonly group: string;
    readonly since: Date;
    readonly timeoutMs: number;
    readonly pollMs?: number;
    readonly describe: (group: string) => Promise<Refresh[]>;
    readonly log?: (line: string) => void;
    readonly sleep?: (ms: number) => Promise<void>;
    readonly now?: () => number;
}

/** Poll until `refreshVerdict` is done or the time is up (a time-out fails). */
export async function waitForRefresh(options: WaitOptions): Promise<{ ok: boolean; message: string }> {
    const { pollMs = 30_000, log = console.log, sleep = (ms) => new Promise((r) => setTimeout(r, ms)), now = Date.now } = options;
    const deadline = now() + options.timeoutMs;
    for (;;) {
        const verdict = refreshVerdict(await options.describe(options.group), options.since);
        log(`${options.group}: ${verdict.message}`);
        if (verdict.done) return { ok: verdict.ok, message: verdict.message };
        if (now() + pollMs > deadline) {
            return { ok: false, message: `${verdict.message} after ${Math.round(options.timeoutMs / 60_000)} minutes: gave up waiting (the refresh goes on; see docs/runbooks/web-rolling-deploy.md)` };
        }
        await sleep(pollMs);
    }
}

/** The group's refreshes of the last six weeks (the API keeps no more), through the AWS SDK. */
export function sdkDescribe(region: string): (group: string) => Promise<Refresh[]> {
    const client = new AutoScalingClient({ region });
    return async (group) => {
        const all: Refresh[] = [];
        let NextToken: string | undefined;
        do {
            const out = await client.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: group, NextToken }));
            for (const r of out.InstanceRefreshes ?? []) {
                all.push({ id: r.InstanceRefreshId ?? "?", status: r.Status ?? "?", statusReason: r.StatusReason, startTime: r.StartTime, percentageComplete: r.PercentageComplete });
            }
            NextToken = out.NextToken;
        } while (NextToken);
        return all;
    };
}

export function parseArgs(argv: readonly string[]): { group: string; region: string; since: Date; timeoutMinutes: number } | { error: string } {
    const args: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split(/=(.*)/s, 2);
        if (!["--group", "--region", "--since", "--timeout-minutes"].includes(flag)) return { error: `unknown argument ${JSON.stringify(argv[i])}` };
        const value = inline ?? argv[++i];
        if (!value) return { error: `${flag} needs a value` };
        args[flag.slice(2)] = value;
    }
    for (const required of ["group", "region", "since"]) if (!args[required]) return { error: `--${required} is required` };
    const since = new Date(args.since);
    if (Number.isNaN(since.getTime())) return { error: `--since must be an ISO time (got ${JSON.stringify(args.since)})` };
    const timeoutMinutes = Number(args["timeout-minutes"] ?? "60");
    if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0) return { error: `--timeout-minutes must be a positive number (got ${JSON.stringify(args["timeout-minutes"])})` };
    return { group: args.group, region: args.region, since, timeoutMinutes };
}

if (require.main === module) {
    const args = parseArgs(process.argv.slice(2));
    if ("error" in args) {
        console.error(`wait-refresh: ${args.error}`);
        process.exit(2);
    }
    waitForRefresh({ group: args.group, since: args.since, timeoutMs: args.timeoutMinutes * 60_000, describe: sdkDescribe(args.region) }).then(
        (r) => {
            if (!r.ok) console.error(`::error::${args.group}: ${r.message}`);
            process.exit(r.ok ? 0 : 1);
        },
        (e) => {
            console.error(`wait-refresh: ${(e as Error)?.stack ?? e}`);
            process.exit(1);
        },
    );
}
