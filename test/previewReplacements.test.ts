/**
 * The deploy gate (scripts/preview-replacements.ts, run by .github/workflows/deploy.yml before
 * `pulumi up`): a `pulumi preview --json` that replaces any EC2 instance fails the deployment and points
 * at the rolling runbook; anything else passes.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { INSTANCE_TYPE, RUNBOOK, refusal, replacedResources, typeOfUrn } from "../scripts/preview-replacements";

const ROOT = path.resolve(__dirname, "..");
const urn = (type: string, name: string, parent = "web-infra:web:WebServers") => `urn:pulumi:prod::web-infra::${parent}$${type}::${name}`;
const web = (n: number) => urn(INSTANCE_TYPE, `web-${n}`);
const step = (op: string, u: string) => ({ op, urn: u, provider: "urn:pulumi:prod::web-infra::pulumi:providers:aws::aws::0", replaceReasons: op === "same" ? undefined : ["ami"] });

/** What `pulumi preview --json` prints when a new Amazon Linux release changes the AMI of every server. */
const newAmi = {
    config: { "aws:region": "us-east-1" },
    steps: [
        step("same", urn("pulumi:pulumi:Stack", "web-infra-prod", "")),
        step("replace", web(1)),
        step("create-replacement", web(1)),
        step("delete-replaced", web(1)),
        step("replace", web(2)),
        step("replace", urn("aws:lb/targetGroupAttachment:TargetGroupAttachment", "lb-target-1", "web-infra:web:LoadBalancer")),
        step("update", urn("aws:ec2/launchTemplate:LaunchTemplate", "web-lt")),
    ],
    changeSummary: { replace: 3, same: 1, update: 1 },
};

describe("replacedResources", () => {
    it("names every replaced EC2 instance once, whatever step kinds the preview lists", () => {
        expect(replacedResources(newAmi)).toEqual([web(1), web(2)]);
    });

    it.each([
        ["only updates and creates", { steps: [step("update", web(1)), step("create", web(3)), step("delete", web(4))] }],
        ["replacements of other types (a target-group attachment, an RDS instance named like a server)", { steps: [step("replace", urn("aws:rds/instance:Instance", "web-1", "web-infra:db:Database"))] }],
        ["no steps at all (the field is omitted)", { changeSummary: {} }],
    ])("finds nothing in a preview with %s", (_label, preview) => {
        expect(replacedResources(preview)).toEqual([]);
    });

    it.each([["an array", []], ["null", null], ["steps that are not a list", { steps: {} }]])("refuses %s", (_label, doc) => {
        expect(() => replacedResources(doc)).toThrow(/^not a `pulumi preview --json` document/);
    });

    it.each([
        [web(1), INSTANCE_TYPE],
        ["urn:pulumi:dev::web-infra::aws:ec2/instance:Instance::bastion", INSTANCE_TYPE],
        ["urn:pulumi:dev::web-infra::pulumi:pulumi:Stack::web-infra-dev", "pulumi:pulumi:Stack"],
        ["not a urn", undefined],
    ])("typeOfUrn(%s) = %s", (u, type) => {
        expect(typeOfUrn(u)).toBe(type);
    });

    it("the refusal names the servers and the runbook, whose heading exists in the README", () => {
        expect(refusal([])).toBe("");
        expect(refusal([web(1), web(2)])).toBe(
            `the preview replaces 2 EC2 instance(s) (web-1, web-2); \`pulumi up\` would replace them all at once, and the load balancer could be left without a healthy server while the new ones boot. Roll them one at a time (${RUNBOOK}), then re-run this deployment.`,
        );
        expect(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")).toMatch(/^### Runbook: roll the web servers one at a time, without downtime$/m);
    });
});

describe("the CLI, as deploy.yml runs it", () => {
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

    it("fails a preview that replaces servers, as a GitHub error annotation", () => {
        const r = run(newAmi, { GITHUB_ACTIONS: "true" });
        expect(r.status).toBe(1);
        expect(r.stderr).toBe(`::error::preview-replacements: ${refusal([web(1), web(2)])}\n`);
    });

    it("passes a preview without server replacements, and rejects a file that is not a preview (status 2)", () => {
        const ok = run({ steps: [step("update", web(1))] });
        expect([ok.status, ok.stdout]).toEqual([0, "preview-replacements: no EC2 instance is replaced.\n"]);
        const bad = run("error: no stack named 'dev' found");
        expect(bad.status).toBe(2);
        expect(bad.stderr).toMatch(/^preview-replacements: Unexpected token/);
    });
});
