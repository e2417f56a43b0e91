/**
 * Does every job that calls a reusable workflow grant the `GITHUB_TOKEN` permissions the called
 * workflow's jobs ask for? GitHub refuses the whole run before any job starts when it does not ("The
 * nested job 'up' is requesting 'id-token: write', but is only allowed 'id-token: none'"), and
 * actionlint does not check it (it lints one file at a time). Pure: parsed YAML in, problems out.
 *
 * GitHub's rules, as applied here (docs: "Controlling permissions for GITHUB_TOKEN" and "Reusing
 * workflows" → "Access and permissions", https://docs.github.com/en/actions/using-workflows/reusing-workflows):
 * - A job's `permissions` replace the workflow's top-level ones entirely (they are not merged).
 * - Once any scope is listed, every scope not listed is `none`; `{}` is all `none`.
 * - `read-all` / `write-all` give every scope read / write; `write` includes `read`.
 * - A called workflow's jobs can only keep or lower what the caller job has: a called job (or the called
 *   workflow's top level) that asks for more is an error; one that asks nothing inherits the caller's.
 * - Nothing declared at all: the repository's default token permissions. We assume the restricted
 *   default (`contents: read`, `packages: read`; GitHub's default for new repositories), so a check
 *   never passes because of a setting outside the repository.
 */

/** Scope → level; a missing scope is `none`. */
export type Grant = Readonly<Record<string, Level>>;
export type Level = 0 | 1 | 2; // none, read, write

const LEVELS: Readonly<Record<string, Level>> = { none: 0, read: 1, write: 2 };
const NAMES = ["none", "read", "write"] as const;

/**
 * The token scopes GitHub knows (`read-all` / `write-all` expand to these); any other key is refused,
 * as GitHub refuses the workflow ("Unexpected value 'id_token'"). `artifact-metadata`: generally
 * available since 2026-01-13 (GitHub changelog, "New fine-grained permission for artifact metadata").
 */
export const SCOPES = [
    "actions",
    "artifact-metadata",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
] as const;

/** What a workflow with no `permissions` anywhere gets: the restricted repository default. */
export const RESTRICTED_DEFAULT: Grant = { contents: 1, packages: 1 };

/** A `permissions:` value (string shorthand or map) as a grant; `undefined` when absent. */
export function parsePermissions(value: unknown, where: string): Grant | undefined {
    if (value === undefined || value === null) return undefined;
    if (value === "read-all" || value === "write-all") {
        const level: Level = value === "read-all" ? 1 : 2;
        return Object.fromEntries(SCOPES.map((s) => [s, level]));
    }
    if (typeof value !== "object" || Array.isArray(value)) {
        throw new Error(`${where}: \`permissions\` must be read-all, write-all or a map of scopes (got ${JSON.stringify(value)})`);
    }
    const grant: Record<string, Level> = {};
    for (const [scope, raw] of Object.entries(value as Record<string, unknown>)) {
        if (!(SCOPES as readonly string[]).includes(scope)) {
            const near = SCOPES.find((s) => s.replace(/-/g, "") === scope.toLowerCase().replace(/[-_ ]/g, ""));
            throw new Error(`${where}: GitHub knows no permission \`${scope}\`${near ? ` (did you mean \`${near}\`?)` : ""}; the permissions are ${SCOPES.join(", ")}`);
        }
        const level = LEVELS[String(raw)];
        if (level === undefined) throw new Error(`${where}: permission \`${scope}: ${String(raw)}\` must be read, write or none`);
        grant[scope] = level;
    }
    return grant;
}

export interface Workflow {
    readonly permissions?: unknown;
    readonly jobs?: Readonly<Record<string, { readonly permissions?: unknown; readonly uses?: string } | undefined>>;
}

/** A caller job's grant: its own permissions, else the workflow's, else the repository default. */
function effective(job: { permissions?: unknown }, workflow: Workflow, where: string, inherited?: Grant): Grant {
    return parsePermissions(job.permissions, where) ?? parsePermissions(workflow.permissions, where) ?? inherited ?? RESTRICTED_DEFAULT;
}

function missing(requested: Grant, allowed: Grant): string[] {
    return Object.entries(requested)
        .filter(([scope, level]) => level > (allowed[scope] ?? 0))
        .map(([scope, level]) => `'${scope}: ${NAMES[level]}' (allowed '${scope}: ${NAMES[allowed[scope] ?? 0]}')`);
}

/**
 * Problems in `name` and the local reusable workflows it calls (`uses: ./.github/workflows/x.yml`),
 * one line per called job that asks for more than its caller job grants.
 *
 * @param load returns a local workflow by its path (`.github/workflows/x.yml`)
 * @param inherited the caller's grant when `name` is itself called (internal)
 */
export function permissionProblems(name: string, workflow: Workflow, load: (path: string) => Workflow, inherited?: Grant, depth = 0): string[] {
    if (depth > 4) return [`${name}: reusable workflows nested deeper than GitHub's limit of 4 levels`];
    const problems: string[] = [];
    for (const [jobId, job] of Object.entries(workflow.jobs ?? {})) {
        if (!job?.uses || !job.uses.startsWith("./")) continue; // remote workflows are not read here
        const callerGrant = effective(job, workflow, `${name} job ${jobId}`, inherited);
        const path = job.uses.replace(/^\.\//, "").replace(/@.*$/, "");
        const called = load(path);
        const calledTop = parsePermissions(called.permissions, path);
        if (calledTop !== undefined) {
            for (const m of missing(calledTop, callerGrant)) {
                problems.push(`${name} job '${jobId}' calls ${path}, whose top-level permissions request ${m}`);
            }
        }
        for (const [calledId, calledJob] of Object.entries(called.jobs ?? {})) {
            // A called job's grant: its own permissions, else the called workflow's top level, else the caller's.
            const requested = parsePermissions(calledJob?.permissions, `${path} job ${calledId}`);
            if (requested !== undefined) {
                for (const m of missing(requested, callerGrant)) {
                    problems.push(`${name} job '${jobId}' calls ${path}: the nested job '${calledId}' is requesting ${m}`);
                }
            }
        }
        // What the called workflow's own callers pass on: at most the caller's grant.
        const passedOn = calledTop ? capped(calledTop, callerGrant) : callerGrant;
        problems.push(...permissionProblems(path, { ...called, permissions: undefined }, load, passedOn, depth + 1));
    }
    return problems;
}

function capped(requested: Grant, allowed: Grant): Grant {
    return Object.fromEntries(Object.entries(requested).map(([s, l]) => [s, Math.min(l, allowed[s] ?? 0) as Level]));
}
