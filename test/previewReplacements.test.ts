/**
 * The deploy gate (scripts/preview-replacements.ts, run by .github/workflows/pulumi-up.yml before
 * `pulumi up`): a `pulumi preview --json` that replaces a data-bearing resource (DB instance or
 * cluster, the DB secret, an S3 bucket) fails the deployment; web fleet changes (a new launch template
 * version rolled by instance refresh) and everything else pass.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DATA_BEARING_TYPES, refusal, replacedResources, typeOfUrn } from "../scripts/preview-replacements";

const ROOT = path.resolve(__dirname, "..");
const urn = (type: string, name: string, parent: string) => `urn:pulumi:prod::web-infra::${parent}$${type}::${name}`;
const PROVIDER = "urn:pulumi:prod::web-infra::pulumi:providers:aws::aws::0";
const step = (op: string, u: string) => ({ op, urn: u, provider: PROVIDER });
const primary = urn("aws:rds/instance:Instance", "database-primary", "web-infra:database:Database");
const secret = urn("aws:secretsmanager/secret:Secret", "database-credentials", "web-infra:database:Database");
const bucket = urn("aws:s3/bucket:Bucket", "alb-logs-bucket", "web-infra:logs:AccessLogBucket");
const template = urn("aws:ec2/launchTemplate:LaunchTemplate", "web-template", "web-infra:web:WebServers");
const group = urn("aws:autoscaling/group:Group", "web-asg", "web-infra:web:WebServers");

/** What `pulumi preview --json` prints for a new Amazon Linux release: a template version and a group update. */
const newAmi = {
    config: { "aws:region": "us-east-1" },
    steps: [step("same", urn("pulumi:pulumi:Stack", "web-infra-prod", "")), step("update", template), step("update", group)],
    changeSummary: { update: 2, same: 1 },
};

/** A change that forces a new DB instance (e.g. a different `dbName`): create-before-delete steps. */
const newDatabase = {
    steps: [step("create-replacement", primary), step("replace", primary), step("delete-replaced", primary), step("update", group)],
};

describe("replacedResources", () => {
    it("names every replaced data-bearing resource once, whatever step kinds the preview lists", () => {
        expect(replacedResources(newDatabase)).toEqual([primary]);
        expect(replacedResources({ steps: [step("replace", secret), step("replace", bucket), step("replace", secret)] })).toEqual([secret, bucket]);
    });

    it("lets a fleet rollout through: the template and group are updated, not data", () => {
        expect(replacedResources(newAmi)).toEqual([]);
        // Even a replacement of the group (create-before-delete, waits for the new group's capacity).
        expect(replacedResources({ steps: [step("replace", group), step("replace", template)] })).toEqual([]);
    });

    it.each(["update", "same", "create", "delete", "read"])("does not refuse a %s of a data-bearing resource", (op) => {
        expect(replacedResources({ steps: [step(op, primary), step(op, bucket)] })).toEqual([]);
    });

    it("covers exactly the data-bearing types", () => {
        expect([...DATA_BEARING_TYPES].sort()).toEqual(
            ["aws:rds/cluster:Cluster", "aws:rds/instance:Instance", "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:secretsmanager/secret:Secret"].sort(),
        );
        expect(typeOfUrn(primary)).toBe("aws:rds/instance:Instance");
    });

    it("the refusal names each resource with its type and points at the runbooks", () => {
        expect(refusal([])).toBe("");
        expect(refusal([primary])).toBe(
            "the preview replaces 1 data-bearing resource(s) (database-primary [aws:rds/instance:Instance]); a replacement creates an empty one and deletes the old one with its data. Find which input forces it (`pulumi preview --diff`), undo that change, or make it by hand with its runbook (docs/runbooks/), then re-run this deployment.",
        );
    });
});

describe("the CLI, as pulumi-up.yml runs it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preview-replacements-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const run = (doc: unknown, env: Record<string, string> = {}) => {
        const file = path.join(dir, "preview.json");
        fs.writeFileSync(file, typeof doc === "string" ? doc : JSON.stringify(doc));
        return spawnSync(process.execPath, ["-r", "./scripts/register.js", "scripts/preview-replacements.ts", file], {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, GITHUB_ACTIONS: "", ...env },
        });
    };

    it("fails a preview that replaces the database, as a GitHub error annotation", () => {
        const r = run(newDatabase, { GITHUB_ACTIONS: "true" });
        expect(r.status).toBe(1);
        expect(r.stderr).toBe(`::error::preview-replacements: ${refusal([primary])}\n`);
    });

    it("passes a fleet rollout, and rejects a file that is not a preview (status 2)", () => {
        const ok = run(newAmi);
        expect([ok.status, ok.stdout, ok.stderr]).toEqual([0, "preview-replacements: no data-bearing resource is replaced.\n", ""]);
        const bad = run("error: no stack named 'dev' found");
        expect(bad.status).toBe(2);
        expect(bad.stderr).toMatch(/^preview-replacements: Unexpected token/);
    });
});
