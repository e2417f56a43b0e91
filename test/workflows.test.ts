import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { Workflow, parsePermissions, permissionProblems } from "../scripts/lib/workflowPermissions";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

function loadFile(rel: string): Workflow {
    return yaml.load(fs.readFileSync(path.join(ROOT, rel), "utf8")) as Workflow;
}

/** A loader over in-memory files, for fixtures. */
function loader(files: Record<string, string>) {
    return (rel: string): Workflow => {
        if (!(rel in files)) throw new Error(`no fixture ${rel}`);
        return yaml.load(files[rel]) as Workflow;
    };
}

// The called workflow as it is in the repository: its `up` job asks for id-token: write (AWS OIDC).
const PULUMI_UP = fs.readFileSync(path.join(WORKFLOWS, "pulumi-up.yml"), "utf8");

// deploy.yml as it was before issue 13: `contents: read` at the top, the calling jobs grant nothing
// of their own. GitHub refused every run of it before any job started.
const BROKEN_DEPLOY = `
name: deploy
on: { push: { branches: [main] } }
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps: [{ run: npm test }]
  up-dev:
    needs: test
    uses: ./.github/workflows/pulumi-up.yml
    with: { stack: dev, environment: dev }
    secrets: inherit
  up-prod:
    needs: up-dev
    uses: ./.github/workflows/pulumi-up.yml
    with: { stack: prod, environment: production }
    secrets: inherit
`;

describe("workflow permissions: a caller job grants what the called workflow's jobs request", () => {
    const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

    it("finds the repository's workflows, and deploy.yml calls pulumi-up.yml", () => {
        expect(files).toEqual(expect.arrayContaining(["deploy.yml", "pulumi-up.yml"]));
        const deploy = loadFile(".github/workflows/deploy.yml");
        const calls = Object.values(deploy.jobs ?? {}).filter((j) => j?.uses === "./.github/workflows/pulumi-up.yml");
        expect(calls.length).toBeGreaterThanOrEqual(2);
    });

    it.each(fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)))("%s: no called job asks for more than its caller grants", (file) => {
        expect(permissionProblems(`.github/workflows/${file}`, loadFile(`.github/workflows/${file}`), loadFile)).toEqual([]);
    });

    it("fails on the deploy.yml before the fix: every up job is refused id-token: write", () => {
        const problems = permissionProblems("deploy.yml", yaml.load(BROKEN_DEPLOY) as Workflow, loader({ ".github/workflows/pulumi-up.yml": PULUMI_UP }));
        expect(problems).toEqual([
            "deploy.yml job 'up-dev' calls .github/workflows/pulumi-up.yml: the nested job 'up' is requesting 'id-token: write' (allowed 'id-token: none')",
            "deploy.yml job 'up-prod' calls .github/workflows/pulumi-up.yml: the nested job 'up' is requesting 'id-token: write' (allowed 'id-token: none')",
        ]);
    });

    it("a caller job's own permissions replace the top level ones (not merged)", () => {
        const caller = `
permissions: { contents: read, id-token: write }
jobs:
  up:
    permissions: { contents: read }
    uses: ./.github/workflows/pulumi-up.yml
`;
        const problems = permissionProblems("caller.yml", yaml.load(caller) as Workflow, loader({ ".github/workflows/pulumi-up.yml": PULUMI_UP }));
        expect(problems).toEqual([expect.stringContaining("'id-token: write' (allowed 'id-token: none')")]);
    });

    it("write includes read; write-all grants everything; read-all does not grant write", () => {
        const called = `
permissions: { contents: read }
jobs:
  a: { runs-on: x, permissions: { contents: read, pull-requests: write }, steps: [{ run: "true" }] }
`;
        const load = loader({ ".github/workflows/c.yml": called });
        const call = (perms: string) => yaml.load(`jobs:\n  j:\n    permissions: ${perms}\n    uses: ./.github/workflows/c.yml\n`) as Workflow;
        expect(permissionProblems("w", call("{ contents: write, pull-requests: write }"), load)).toEqual([]);
        expect(permissionProblems("w", call("write-all"), load)).toEqual([]);
        expect(permissionProblems("w", call("read-all"), load)).toEqual([
            "w job 'j' calls .github/workflows/c.yml: the nested job 'a' is requesting 'pull-requests: write' (allowed 'pull-requests: read')",
        ]);
        // `{}` is every scope none: even the called workflow's top-level contents: read is too much.
        expect(permissionProblems("w", call("{}"), load)).toEqual([
            "w job 'j' calls .github/workflows/c.yml, whose top-level permissions request 'contents: read' (allowed 'contents: none')",
            "w job 'j' calls .github/workflows/c.yml: the nested job 'a' is requesting 'contents: read' (allowed 'contents: none')",
            "w job 'j' calls .github/workflows/c.yml: the nested job 'a' is requesting 'pull-requests: write' (allowed 'pull-requests: none')",
        ]);
    });

    it("with no permissions anywhere the caller has only the restricted repository default", () => {
        const load = loader({ ".github/workflows/pulumi-up.yml": PULUMI_UP });
        const caller = yaml.load("jobs:\n  up:\n    uses: ./.github/workflows/pulumi-up.yml\n") as Workflow;
        expect(permissionProblems("w", caller, load)).toEqual([expect.stringContaining("'id-token: write' (allowed 'id-token: none')")]);
    });

    it("refuses a permission GitHub does not know (a typo would silently grant nothing), suggesting the right one", () => {
        expect(() => parsePermissions({ id_token: "write" }, "x.yml")).toThrow("x.yml: GitHub knows no permission `id_token` (did you mean `id-token`?); the permissions are actions, artifact-metadata, attestations,");
        expect(() => parsePermissions({ "pull-request": "write" }, "x.yml")).toThrow("GitHub knows no permission `pull-request`;");
        expect(parsePermissions({ "artifact-metadata": "write", "id-token": "write" }, "x.yml")).toEqual({ "artifact-metadata": 2, "id-token": 2 });
    });

    it("refuses a permission level GitHub does not know, naming it", () => {
        expect(() => parsePermissions({ "id-token": "admin" }, "x.yml")).toThrow("x.yml: permission `id-token: admin` must be read, write or none");
    });
});

describe("pulumi-up.yml: the deploy job", () => {
    interface Step {
        readonly name?: string;
        readonly uses?: string;
        readonly run?: string;
        readonly with?: Record<string, unknown>;
    }
    const up = (yaml.load(PULUMI_UP) as { jobs: { up: { "timeout-minutes": number; steps: Step[] } } }).jobs.up;

    it("asks AWS for a session as long as the job may run (OIDC sessions last 1 hour by default)", () => {
        const creds = up.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
        expect(Number(creds.with?.["role-duration-seconds"])).toBeGreaterThanOrEqual(up["timeout-minutes"] * 60);
    });

    it("refreshes the state in the `up`, then waits for the fleet's instance refresh started since the up began", () => {
        const upIndex = up.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up");
        expect(up.steps[upIndex].with?.refresh).toBe(true);
        const started = up.steps.findIndex((s) => s.run?.includes("UP_STARTED="));
        const wait = up.steps.findIndex((s) => s.run?.includes("scripts/wait-refresh.ts"));
        expect(started).toBeGreaterThanOrEqual(0);
        expect(started).toBeLessThan(upIndex);
        expect(wait).toBeGreaterThan(upIndex);
        expect(up.steps[wait].run).toContain('--since "$UP_STARTED"');
        expect(up.steps[wait].run).toContain("pulumi stack output webAutoScalingGroupName");
    });
});
