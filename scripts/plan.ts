/**
 * `npm run plan [-- --stack <name>] [--out <dir>]`: what the stack would build, without an AWS
 * account or the Pulumi CLI.
 *
 * Runs the real stack program (`infra/main.ts`) under the shared mock engine (`test/mocks.ts`'s
 * `runStack`, the same harness the tests use) with `Pulumi.<stack>.yaml`'s config, then prints a
 * summary and a single-point-of-failure report computed from the declared resources, and writes
 * `<out>/<stack>/resources.json` (inputs, secrets redacted), `PLAN.md` and `architecture.html`.
 *
 * Exit status: 0 when the plan is written; 1 on a config error, a program error, or a mandatory
 * policy violation (one clear line, no stack trace; `--debug` adds the trace for program errors).
 */
import * as fs from "fs";
import * as path from "path";
import { RawConfig, projectSettings } from "../infra/config";
import { findPlaceholders, placeholderLines } from "../infra/placeholders";
import type { RecordedResource } from "../test/mocks";
import { costMarkdown, estimateCost } from "./lib/cost";
import { architectureHtml, markdownToHtml } from "./lib/html";
import { mermaidDiagram } from "./lib/mermaid";
import { PolicyEvaluator, evaluatePolicy, loadPolicyEvaluator } from "./lib/policy";
import { PlanRecord } from "./lib/records";
import { RecoveryReport, RecoveryTargets, analyseRecovery, recoveryMarkdown, recoveryText, recoveryViolations } from "./lib/recovery";
import { redactInputs, redactOverrides, secretValues } from "./lib/redact";
import { SpofReport, analyseSpof, spofMarkdown, spofText } from "./lib/spof";
import { PlanSummary, componentOf, resourcesMarkdown, summarize, summaryMarkdown, summaryText } from "./lib/summary";
import { MAX_LINE_WIDTH, plural, wrap, wrapMarkdown } from "./lib/text";

export const ROOT = path.resolve(__dirname, "..");

export interface PlanOptions {
    /** Stack whose `Pulumi.<stack>.yaml` is used. @default "dev" */
    readonly stack?: string;
    /** Files go to `<outDir>/<stack>/`. @default "<repo>/plan" */
    readonly outDir?: string;
    /** Config on top of the stack file (keys with or without `web-infra:`; `undefined` removes one). */
    readonly overrides?: Readonly<Record<string, string | undefined>>;
    /**
     * The policy evaluator. `undefined`: load `policy/evaluate.ts` if present; `null`: none ("not
     * available").
     */
    readonly policy?: PolicyEvaluator | null;
    /** Where the report goes. @default console.log */
    readonly log?: (text: string) => void;
    /** Include stack traces of program errors. @default false */
    readonly debug?: boolean;
    /**
     * A run of the stack program already made (a previous plan's `records` and `outputs`, with the
     * same stack and overrides): plan from it instead of running the program again. Tests use it to
     * vary what happens after the run (the policy evaluator) without paying for another run.
     * @default - run the program
     */
    readonly recorded?: { readonly resources: readonly RecordedResource[]; readonly outputs: Readonly<Record<string, unknown>> };
}

export interface PlanFiles {
    readonly dir: string;
    readonly resources: string;
    readonly planMd: string;
    readonly html: string;
}

export interface PlanResult {
    /** 0 success, 1 config/program error or mandatory policy violation. */
    readonly exitCode: number;
    /** The reason when `exitCode` is not 0: one line, or one line per problem when there are several. */
    readonly error?: string;
    readonly summary?: PlanSummary;
    readonly spof?: SpofReport;
    /** Recovery times per failure mode, and the targets the stack declares. */
    readonly recovery?: { readonly report: RecoveryReport; readonly targets: RecoveryTargets; readonly violations: readonly string[] };
    readonly files?: PlanFiles;
    /** What the mock engine recorded (unredacted: for tests, never written as is). */
    readonly records?: readonly RecordedResource[];
    /** The stack's outputs, resolved (unredacted, as `records`). */
    readonly outputs?: Readonly<Record<string, unknown>>;
    /** Settings that still hold placeholders (one line each, naming the key): `pulumi up` refuses them. */
    readonly placeholders?: readonly string[];
    readonly millis: number;
}

/** The project's settings (no namespace) from a stack file's config plus `--config` overrides. */
function stackSettings(config: Readonly<Record<string, string>>, overrides: Readonly<Record<string, string | undefined>>): RawConfig {
    const all: Record<string, string> = { ...config };
    for (const [key, value] of Object.entries(overrides)) {
        const full = key.includes(":") ? key : `web-infra:${key}`;
        if (value === undefined) delete all[full];
        else all[full] = value;
    }
    return projectSettings(all);
}

/** The file entry for one resource: identity, component and its inputs with secrets redacted. */
function resourceEntry(r: RecordedResource, byUrn: ReadonlyMap<string, PlanRecord>, secrets: readonly string[]) {
    return {
        type: r.type,
        name: r.name,
        component: componentOf(r, byUrn),
        urn: r.urn,
        ...(r.parentUrn ? { parent: r.parentUrn } : {}),
        ...(r.protect ? { protect: true } : {}),
        ...(r.secretPaths.length > 0 ? { secretInputs: r.secretPaths } : {}),
        inputs: redactInputs(r.inputs, r.secretPaths, secrets),
    };
}

/**
 * The message for an error thrown by the program or the harness: one line, except a config error with
 * several problems, which lists them one per line (as `ConfigError` does).
 */
function describe(err: unknown, debug: boolean): string {
    const e = err as Error;
    if (e?.name === "ConfigError") return e.message;
    const message = String(e?.message ?? err)
        // Pulumi wraps resource errors: keep what the component said.
        .replace(/^failed to register new resource \S+ \[[^\]]+\]: /, "")
        .split("\n")[0];
    return debug && e?.stack ? `${message}\n${e.stack}` : message;
}

/** Run `fn`, failing fast on a rejection nobody handles (a resource registration that failed). */
async function withUnhandledRejections<T>(fn: () => Promise<T>): Promise<T> {
    let onRejection: ((reason: unknown) => void) | undefined;
    const failed = new Promise<never>((_, reject) => {
        onRejection = (reason) => reject(reason);
        process.on("unhandledRejection", onRejection);
    });
    try {
        return await Promise.race([fn(), failed]);
    } finally {
        process.off("unhandledRejection", onRejection!);
        failed.catch(() => undefined);
    }
}

/** Plan one stack. Never throws for config, program or policy errors: see `exitCode`/`error`. */
export async function plan(options: PlanOptions = {}): Promise<PlanResult> {
    const started = Date.now();
    const stack = options.stack ?? "dev";
    const log = options.log ?? ((t: string) => console.log(t));
    const outDir = path.resolve(options.outDir ?? path.join(ROOT, "plan"));
    const fail = (error: string): PlanResult => ({ exitCode: 1, error, millis: Date.now() - started });
    const overrides = options.overrides ?? {};

    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) return fail(`stack name ${JSON.stringify(stack)} is not valid`);
    if (!fs.existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`))) {
        const stacks = fs.readdirSync(ROOT).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter(Boolean);
        return fail(`no stack config Pulumi.${stack}.yaml (stacks: ${stacks.join(", ") || "none"})`);
    }

    // The harness is loaded here, not at the top: it pulls in @pulumi/pulumi, which the pure parts of
    // this module (and their tests) do not need.
    const mocks = await import("../test/mocks");
    let run: { readonly resources: readonly RecordedResource[]; readonly outputs: Readonly<Record<string, any>> };
    try {
        // As a preview (`isDryRun()`): what `pulumi preview` would run, so placeholders are warned
        // about rather than refused (infra/main.ts `loadConfig`).
        run = options.recorded ?? (await withUnhandledRejections(() => mocks.runStack(stack, overrides, { preview: true })));
    } catch (err) {
        return fail(describe(err, options.debug ?? false));
    }
    const records: readonly RecordedResource[] = run.resources;
    const placeholders = placeholderLines(findPlaceholders(stackSettings(mocks.stackConfig(stack), options.overrides ?? {})));
    const region = mocks.stackConfig(stack)["aws:region"] ?? mocks.DEFAULT_REGION;

    let policy: Awaited<ReturnType<typeof evaluatePolicy>>;
    try {
        const evaluator = options.policy === undefined ? loadPolicyEvaluator(ROOT) : options.policy;
        policy = await evaluatePolicy(evaluator, { stack, records, outputs: run.outputs, config: mocks.stackConfig(stack) });
    } catch (err) {
        return fail(`policy pack evaluation failed: ${describe(err, options.debug ?? false)}`);
    }

    const cost = estimateCost(records);
    const summary = summarize({ stack, records, outputs: run.outputs, policy, region, cost });
    const spof = analyseSpof(records);
    const recoveryReport = analyseRecovery(records);
    // The targets are stack settings the program exports; the figures come from the declared resources.
    const targets = (run.outputs.recoveryTargets ?? {}) as RecoveryTargets;
    const recovery = { report: recoveryReport, targets, violations: recoveryViolations(recoveryReport, targets) };
    const recoveryMd = recoveryMarkdown(recoveryReport, targets).replace(/^## /m, "### ");
    const diagram = mermaidDiagram(records, recoveryReport);

    // ---- files ----
    const dir = path.join(outDir, stack);
    fs.mkdirSync(dir, { recursive: true });
    const byUrn = new Map<string, PlanRecord>(records.map((r) => [r.urn, r]));
    const secrets = secretValues(records);
    // What the plan was made with, so a reader can tell a plan of the stack file from a what-if.
    const overrideList = redactOverrides(overrides, mocks.stackConfig(stack), secrets, mocks.PROJECT);
    const command = ["npm run plan --", `--stack ${stack}`, ...overrideList.filter((o) => !o.endsWith(" (removed)")).map((o) => `--config ${o}`)].join(" ");
    const files: PlanFiles = {
        dir,
        resources: path.join(dir, "resources.json"),
        planMd: path.join(dir, "PLAN.md"),
        html: path.join(dir, "architecture.html"),
    };
    const resourcesJson = {
        stack,
        region,
        overrides: overrideList,
        note: "Generated offline by `npm run plan` under the Pulumi mock engine: ids and ARNs are fake; inputs that are Pulumi secrets are \"[secret]\".",
        count: records.length,
        resources: records.map((r) => resourceEntry(r, byUrn, secrets)),
    };
    fs.writeFileSync(files.resources, `${JSON.stringify(resourcesJson, null, 2)}\n`);

    const summaryMd = summaryMarkdown(summary);
    const resourcesMd = resourcesMarkdown(summary);
    const spofMd = spofMarkdown(spof);
    const md = [
        `<!-- web-infra-plan:${stack} -->`,
        `## Plan: stack \`${stack}\``,
        "",
        `Generated offline by \`${command}\` from the real stack program under the mock engine (no AWS calls; ids and ARNs are fake).`,
        "",
        overrideList.length === 0
            ? `Config: \`Pulumi.${stack}.yaml\` as committed, no overrides.`
            : `Config: \`Pulumi.${stack}.yaml\` with ${plural(overrideList.length, "override")}: ${overrideList.map((o) => `\`${o}\``).join(", ")}.`,
        "",
        ...(placeholders.length > 0
            ? ["### ⚠ Placeholders", "", "A real `pulumi up` refuses these (a preview and this plan accept them):", "", ...placeholders.map((p) => `- ${p}`), ""]
            : []),
        "### Summary",
        "",
        summaryMd,
        "",
        "### Single points of failure",
        "",
        "Computed from the declared resources (subnets' zones, NAT routes, `multiAz`, replicas' zones), not from the config.",
        "",
        spofMd,
        "",
        recoveryMd,
        "### Architecture",
        "",
        "```mermaid",
        diagram,
        "```",
        "",
        "### Estimated monthly cost",
        "",
        costMarkdown(cost),
        "",
        // Collapsed: on a pull request the table is long and the facts above matter more.
        "<details>",
        `<summary>Resources by component and type (${summary.total})</summary>`,
        "",
        resourcesMd,
        "",
        "</details>",
        "",
    ].join("\n");
    // Prose wrapped to the plan's width; tables and the diagram as they are.
    fs.writeFileSync(files.planMd, wrapMarkdown(md));
    fs.writeFileSync(
        files.html,
        architectureHtml({
            title: `web-infra — stack ${stack}`,
            diagram,
            bodyHtml: markdownToHtml(
                [
                    "## Single points of failure",
                    "",
                    spofMd,
                    "",
                    recoveryMd.replace(/^### /m, "## "),
                    "## Summary",
                    "",
                    summaryMd,
                    "",
                    "## Estimated monthly cost",
                    "",
                    costMarkdown(cost),
                    "",
                    `## Resources (${summary.total})`,
                    "",
                    resourcesMd,
                ].join("\n"),
            ),
        }),
    );

    // ---- report ----
    log(`web-infra plan — stack ${stack} (offline, mock engine)`);
    log(`${wrap(overrideList.length === 0 ? "no overrides" : overrideList.join(", "), MAX_LINE_WIDTH, "config overrides: ", "  ")}\n`);
    if (placeholders.length > 0) {
        // The program's own warning (like `pulumi preview`'s) already listed them with their fixes.
        const keys = findPlaceholders(stackSettings(mocks.stackConfig(stack), options.overrides ?? {})).map((p) => p.key);
        log(`${wrap(`⚠ placeholders a real \`pulumi up\` refuses: ${keys.join(", ")} (fixes in the warning above and in PLAN.md)`, MAX_LINE_WIDTH, "", "  ")}\n`);
    }
    log(summaryText(summary));
    log("\nSingle points of failure (from the declared resources):\n");
    log(spofText(spof));
    log(`\n${recoveryText(recoveryReport, targets)}`);
    const rel = (p: string) => path.relative(process.cwd(), p) || p;
    log(`\nwrote ${rel(files.dir)}/{resources.json, PLAN.md, architecture.html} in ${Date.now() - started} ms`);

    const mandatory = policy.available ? policy.violations.filter((v) => v.mandatory) : [];
    const errors = [
        ...(mandatory.length > 0
            ? [
                  [
                      `${plural(mandatory.length, "mandatory policy violation")}:`,
                      ...mandatory.map((v) => wrap(`${v.policy}${v.resource ? ` (${v.resource})` : ""}: ${v.message}`, MAX_LINE_WIDTH, "  - ", "    ")),
                  ].join("\n"),
              ]
            : []),
        // One line per failure mode over the stack's recovery targets: a change that slows recovery fails the plan.
        ...(recovery.violations.length > 0
            ? [["recovery targets missed:", ...recovery.violations.map((v) => wrap(v, MAX_LINE_WIDTH, "  - ", "    "))].join("\n")]
            : []),
    ];
    const result = { summary, spof, recovery, files, records, outputs: run.outputs, placeholders };
    if (errors.length > 0) return { exitCode: 1, error: errors.join("\n"), ...result, millis: Date.now() - started };
    return { exitCode: 0, ...result, millis: Date.now() - started };
}

export interface CliArgs {
    readonly stack: string;
    readonly outDir?: string;
    /** `--config key=value` overrides (repeatable). */
    readonly overrides: Readonly<Record<string, string>>;
    readonly debug: boolean;
    readonly help: boolean;
}

export const USAGE = "usage: npm run plan [-- --stack <name>] [--out <dir>] [--config <key>=<value> …] [--debug]";

/** Parse `--stack <name>`/`--stack=<name>`, `--out <dir>`, `--config key=value`, `--debug`, `--help`. */
export function parseArgs(argv: readonly string[]): CliArgs | { error: string } {
    let stack = "dev";
    let outDir: string | undefined;
    const overrides: Record<string, string> = {};
    let debug = false;
    let help = false;
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].startsWith("--") ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
        const value = () => inline ?? argv[++i];
        switch (flag) {
            case "--stack":
            case "-s":
                stack = value() ?? "";
                if (!stack) return { error: "--stack needs a stack name" };
                break;
            case "--out":
                outDir = value();
                if (!outDir) return { error: "--out needs a directory" };
                break;
            case "--config":
            case "-c": {
                const pair = value() ?? "";
                const eq = pair.indexOf("=");
                if (eq < 1) return { error: `--config needs <key>=<value> (got ${JSON.stringify(pair)})` };
                overrides[pair.slice(0, eq)] = pair.slice(eq + 1);
                break;
            }
            case "--debug":
                debug = true;
                break;
            case "--help":
            case "-h":
                help = true;
                break;
            default:
                return { error: `unknown argument ${JSON.stringify(argv[i])} (${USAGE})` };
        }
    }
    return { stack, outDir, overrides, debug, help };
}

async function cli(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    if ("error" in args) {
        console.error(`plan: ${args.error}`);
        return 2;
    }
    if (args.help) {
        console.log(
            `${USAGE}\n\nRuns the stack program offline under the mock engine with Pulumi.<stack>.yaml (plus --config overrides)\nand writes <out>/<stack>/{resources.json,PLAN.md,architecture.html} (default out: plan/).`,
        );
        return 0;
    }
    const result = await plan({ stack: args.stack, outDir: args.outDir, overrides: args.overrides, debug: args.debug });
    if (result.exitCode !== 0) console.error(`plan: ${result.error}`);
    return result.exitCode;
}

if (require.main === module) {
    cli().then(
        (code) => process.exit(code),
        (err) => {
            console.error(`plan: ${(err as Error)?.stack ?? err}`);
            process.exit(1);
        },
    );
}
