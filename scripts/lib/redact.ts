/**
 * Secret redaction for what the plan writes to disk. Pure.
 *
 * The mock harness records which input paths arrived as Pulumi secrets (`secretPaths`, dotted,
 * `(root)` for the whole object). Those values become `"[secret]"`. As a second line of defence,
 * every secret string found that way — and the secret outputs of generators such as
 * `random.RandomPassword.result` — is also scrubbed wherever else it appears, so a secret copied into
 * a non-secret input (a bug in a component) is not written out either.
 */
import { PlanRecord } from "./records";

export const REDACTED = "[secret]";

/** Outputs a provider always marks secret (`additionalSecretOutputs`), by type. */
const SECRET_OUTPUTS: Readonly<Record<string, readonly string[]>> = {
    "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"],
    "aws:iam/accessKey:AccessKey": ["secret", "sesSmtpPasswordV4"],
};

/** Strings shorter than this are not scrubbed globally: "true" or "80" are not worth hiding. */
const MIN_SCRUB_LENGTH = 6;

function leaves(value: unknown, out: string[]): void {
    if (typeof value === "string") out.push(value);
    else if (value !== null && typeof value === "object") for (const v of Object.values(value)) leaves(v, out);
}

function getPath(obj: any, path: readonly string[]): unknown {
    let cur = obj;
    for (const key of path) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = cur[key];
    }
    return cur;
}

function setPath(obj: any, path: readonly string[], value: unknown): void {
    let cur = obj;
    for (const key of path.slice(0, -1)) {
        if (cur === null || typeof cur !== "object") return;
        cur = cur[key];
    }
    if (cur !== null && typeof cur === "object" && path[path.length - 1] in cur) cur[path[path.length - 1]] = value;
}

/** Every secret string the records hold: values at their secret input paths and known secret outputs. */
export function secretValues(records: readonly PlanRecord[]): string[] {
    const found: string[] = [];
    for (const r of records) {
        for (const p of r.secretPaths ?? []) leaves(p === "(root)" ? r.inputs : getPath(r.inputs, p.split(".")), found);
        for (const key of SECRET_OUTPUTS[r.type] ?? []) leaves(r.state?.[key], found);
    }
    // Longest first, so a secret that contains another is replaced whole.
    return [...new Set(found.filter((s) => s.length >= MIN_SCRUB_LENGTH))].sort((a, b) => b.length - a.length);
}

function scrub(value: unknown, secrets: readonly string[]): unknown {
    if (typeof value === "string") {
        let out = value;
        for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
        return out;
    }
    if (Array.isArray(value)) return value.map((v) => scrub(v, secrets));
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, secrets)]));
    return value;
}

/** A deep copy of `inputs` with the secret paths replaced and every known secret scrubbed. */
export function redactInputs(inputs: Readonly<Record<string, any>>, secretPaths: readonly string[], secrets: readonly string[]): Record<string, any> {
    if (secretPaths.includes("(root)")) return { [REDACTED]: true };
    const copy = JSON.parse(JSON.stringify(inputs ?? {}));
    for (const p of secretPaths) setPath(copy, p.split("."), REDACTED);
    return scrub(copy, secrets) as Record<string, any>;
}

/** Config keys whose values are credentials by their name (`aws:secretKey`, `db:password`, …). */
const SECRET_KEY_NAME = /secret|password|passphrase|token|credential|private/i;

/**
 * The `--config` overrides as the plan records them: `key=value`, in the order given; `key` alone for a
 * key the override removes. A value is `[secret]` when its key is secure in the stack file
 * (`{secure: …}`), when the key's name says credential, or when the value is a secret the run held.
 */
export function redactOverrides(
    overrides: Readonly<Record<string, string | undefined>>,
    stackFile: Readonly<Record<string, string>>,
    secrets: readonly string[],
    namespace: string,
): string[] {
    return Object.entries(overrides).map(([key, value]) => {
        if (value === undefined) return `${key} (removed)`;
        const full = key.includes(":") ? key : `${namespace}:${key}`;
        const secure = /^\{"secure":/.test(stackFile[full] ?? "");
        const secret = secure || SECRET_KEY_NAME.test(key) || (value.length >= MIN_SCRUB_LENGTH && secrets.some((s) => s.includes(value) || value.includes(s)));
        return `${key}=${secret ? REDACTED : value}`;
    });
}
