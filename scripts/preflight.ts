/**
 * `npm run preflight -- --stack <name>`: read-only checks of the target AWS account before the first
 * `pulumi up` of a stack. One line per check, ✓ or ✗, with what was found and, for ✗, the fix; exit
 * status 1 when any check fails, 2 for bad arguments.
 *
 * The stack's settings come from `Pulumi.<stack>.yaml` through the program's own parser
 * (infra/config.ts). AWS access is the SDK's standard chain: AWS_PROFILE (SSO included),
 * AWS_ACCESS_KEY_ID/…, AWS_ENDPOINT_URL; the region is the stack's `aws:region`, else AWS_REGION, else
 * AWS_DEFAULT_REGION, else a ✗ (a profile's region is not read). Identity and the region's opt-in status
 * are asked in us-east-1 (lib/preflight/aws.ts homeRegion). It needs read permissions only
 * (ReadOnlyAccess covers every call) and changes nothing.
 * The checks: docs/deploy.md, "Preflight".
 */
import * as path from "path";
import { sdkApi, type AwsApi } from "./lib/preflight/aws";
import { CheckResult, formatResults, runChecks } from "./lib/preflight/checks";
import { loadStack } from "./lib/preflight/stack";

export const USAGE = "usage: npm run preflight -- --stack <name> [--config <key>=<value> …]";
const ROOT = path.resolve(__dirname, "..");

export interface PreflightOptions {
    readonly stack: string;
    /** Settings on top of the stack file (keys with or without `web-infra:`). */
    readonly overrides?: Readonly<Record<string, string>>;
    /** Repository root holding Pulumi.<stack>.yaml. @default the repository */
    readonly root?: string;
    /** The AWS calls. @default sdkApi(the stack's region) */
    readonly api?: AwsApi;
}

export interface PreflightResult {
    readonly exitCode: 0 | 1;
    readonly results: readonly CheckResult[];
    readonly report: string;
}

export async function preflight(options: PreflightOptions): Promise<PreflightResult> {
    let stack;
    try {
        stack = loadStack(options.root ?? ROOT, options.stack, options.overrides);
    } catch (e) {
        const results = [{ title: "Stack configuration", ok: false, found: (e as Error).message.replace(/\n\s*/g, " "), fix: `correct Pulumi.${options.stack}.yaml (\`npm run plan -- --stack ${options.stack}\` shows the same errors)` }];
        return { exitCode: 1, results, report: formatResults(options.stack, "?", results) };
    }
    const region = stack.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (region === undefined) {
        const results = [{ title: "Region", ok: false, found: `Pulumi.${stack.name}.yaml sets no \`aws:region\` and AWS_REGION is not set`, fix: `\`pulumi config set aws:region <region> --stack ${stack.name}\`` }];
        return { exitCode: 1, results, report: formatResults(stack.name, "?", results) };
    }
    const results = await runChecks(stack, options.api ?? sdkApi(region), region);
    return { exitCode: results.every((r) => r.ok) ? 0 : 1, results, report: formatResults(stack.name, region, results) };
}

/** `--stack <name>` / `--stack=<name>` and `--config key=value`. */
export function parseArgs(argv: readonly string[]): { stack: string; overrides: Record<string, string> } | { error: string } {
    let stack: string | undefined;
    const overrides: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].startsWith("--") ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
        const value = () => inline ?? argv[++i];
        if (flag === "--stack" || flag === "-s") {
            stack = value();
            if (!stack) return { error: "--stack needs a stack name" };
        } else if (flag === "--config" || flag === "-c") {
            const pair = value() ?? "";
            const eq = pair.indexOf("=");
            if (eq < 1) return { error: `--config needs <key>=<value> (got ${JSON.stringify(pair)})` };
            overrides[pair.slice(0, eq)] = pair.slice(eq + 1);
        } else {
            return { error: `unknown argument ${JSON.stringify(argv[i])} (${USAGE})` };
        }
    }
    return stack === undefined ? { error: `--stack is required (${USAGE})` } : { stack, overrides };
}

if (require.main === module) {
    const args = parseArgs(process.argv.slice(2));
    if ("error" in args) {
        console.error(`preflight: ${args.error}`);
        process.exit(2);
    }
    preflight(args).then(
        (r) => {
            console.log(r.report);
            process.exit(r.exitCode);
        },
        (e) => {
            console.error(`preflight: ${(e as Error)?.stack ?? e}`);
            process.exit(1);
        },
    );
}
