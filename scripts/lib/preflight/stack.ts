/**
 * The stack the preflight checks: `Pulumi.<stack>.yaml` read and validated by the same code as the
 * program (`infra/config.ts`), plus its region and its placeholders. No Pulumi engine, no AWS.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { RawConfig, StackConfig, parseConfig, projectSettings } from "../../../infra/config";
import { Placeholder, findPlaceholders } from "../../../infra/placeholders";

export interface PreflightStack {
    readonly name: string;
    /** `aws:region` of the stack file; `undefined` ⇒ AWS_REGION, else AWS_DEFAULT_REGION (scripts/preflight.ts). */
    readonly region?: string;
    readonly raw: RawConfig;
    readonly config: StackConfig;
    readonly placeholders: readonly Placeholder[];
}

/** The `config:` of a stack file as the flat strings Pulumi hands the program. */
export function readStackFile(file: string): Record<string, string> {
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | undefined;
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(doc?.config ?? {})) {
        // `secure:` values (objects) are ciphertext: nothing the preflight reads.
        if (value !== null && typeof value === "object") continue;
        out[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return out;
}

/** Load and validate a stack; throws the program's own `ConfigError` for bad settings. */
export function loadStack(root: string, name: string, overrides: Readonly<Record<string, string>> = {}): PreflightStack {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`stack name ${JSON.stringify(name)} is not valid`);
    const file = path.join(root, `Pulumi.${name}.yaml`);
    if (!fs.existsSync(file)) {
        const stacks = fs.readdirSync(root).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter(Boolean);
        throw new Error(`no stack config Pulumi.${name}.yaml (stacks: ${stacks.join(", ") || "none"})`);
    }
    const all = readStackFile(file);
    for (const [key, value] of Object.entries(overrides)) all[key.includes(":") ? key : `web-infra:${key}`] = value;
    const region = all["aws:region"];
    const raw = projectSettings(all);
    return { name, region, raw, config: parseConfig(raw, name, region), placeholders: findPlaceholders(raw) };
}
