/**
 * The deploy gate (scripts/preview-replacements.ts, run by .github/workflows/deploy.yml before
 * `pulumi up`): a `pulumi preview --json` that replaces any EC2 instance, or updates one in a way that
 * stops and starts it (an instance type change), fails the deployment and points at the rolling runbook;
 * anything else passes.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    INSTANCE_TYPE,
    RUNBOOK,
    STOP_START_PROPERTIES,
    changedProperties,
    refusal,
    replacedResources,
    stopStartRefusal,
    stopStartedResources,
    topLevelProperty,
    typeOfUrn,
} from "../scripts/preview-replacements";

const ROOT = path.resolve(__dirname, "..");
const urn = (type: string, name: string, parent = "web-infra:web:WebServers") => `urn:pulumi:prod::web-infra::${parent}$${type}::${name}`;
const web = (n: number) => urn(INSTANCE_TYPE, `web-${n}`);
const PROVIDER = "urn:pulumi:prod::web-infra::pulumi:providers:aws::aws::0";
const step = (op: string, u: string) => ({ op, urn: u, provider: PROVIDER, replaceReasons: op === "same" ? undefined : ["ami"] });
/**
 * An `update` step as Pulumi's display.PreviewStep serialises it: `diffReasons` (omitempty) lists the
 * top-level properties, `detailedDiff` (never omitted; `null` without a detailed diff) maps property
 * paths to `{kind, inputDiff}`.
 */
const update = (u: string, paths: readonly string[], format: "both" | "diffReasons" | "detailedDiff" = "both") => ({
    op: "update",
    urn: u,
    provider: PROVIDER,
    ...(format === "detailedDiff" ? {} : { diffReasons: [...new Set(paths.map(topLevelProperty))] }),
    detailedDiff: format === "diffReasons" ? null : Object.fromEntries(paths.map((p) => [p, { kind: "update", inputDiff: false }])),
});

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

/** What `pulumi preview --json` prints after `pulumi config set webInstanceType t4g.small`: every server updated in place. */
const biggerType = {
    config: { "aws:region": "us-east-1", "web-infra:webInstanceType": "t4g.small" },
    steps: [
        step("same", urn("pulumi:pulumi:Stack", "web-infra-prod", "")),
        update(web(1), ["instanceType"]),
        update(web(2), ["instanceType"]),
        step("same", urn("aws:lb/targetGroupAttachment:TargetGroupAttachment", "lb-target-1", "web-infra:web:LoadBalancer")),
    ],
    changeSummary: { same: 2, update: 2 },
};

describe("replacedResources", () => {
    it("names every replaced EC2 instance once, whatever step kinds the preview lists", () => {
        expect(replacedResources(newAmi)).toEqual([web(1), web(2)]);
    });

    it.each([
        ["only updates and creates", { steps: [step("update", web(1)), step("create", web(3)), step("delete", web(4))] }],
        ["an instance type change (an update, not a replacement)", biggerType],
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

    it("the refusal names the servers and the runbook, which exists", () => {
        expect(refusal([])).toBe("");
        expect(refusal([web(1), web(2)])).toBe(
            `the preview replaces 2 EC2 instance(s) (web-1, web-2); \`pulumi up\` would replace them all at once, and the load balancer could be left without a healthy server while the new ones boot. Roll them one at a time (${RUNBOOK}), then re-run this deployment.`,
        );
        expect(RUNBOOK).toBe("docs/runbooks/web-rolling-deploy.md");
        expect(fs.readFileSync(path.join(ROOT, RUNBOOK), "utf8")).toMatch(/^# Runbook: roll the web servers one at a time, without downtime$/m);
    });
});

describe("stopStartedResources", () => {
    it("names every server whose instance type changes in place, once, with the property", () => {
        expect(stopStartedResources(biggerType)).toEqual([
            { urn: web(1), properties: ["instanceType"] },
            { urn: web(2), properties: ["instanceType"] },
        ]);
        expect(stopStartedResources(newAmi)).toEqual([]);
    });

    it.each([
        ["diffReasons and detailedDiff", "both"],
        ["only diffReasons (detailedDiff null: no detailed diff from the provider)", "diffReasons"],
        ["only detailedDiff (diffReasons omitted)", "detailedDiff"],
    ] as const)("reads the changed properties from %s", (_label, format) => {
        const preview = { steps: [update(web(1), ["instanceType", "tags.Team"], format), update(web(2), ["tags.Team"], format)] };
        expect(stopStartedResources(preview)).toEqual([{ urn: web(1), properties: ["instanceType"] }]);
    });

    it.each([
        ["a tag change on every server", { steps: [update(web(1), ["tags.Team", "tagsAll.Team"]), update(web(2), ["tags.Team"])] }],
        ["the instance type of another resource type (a launch template)", { steps: [update(urn("aws:ec2/launchTemplate:LaunchTemplate", "web-lt"), ["instanceType"])] }],
        ["a replacement that also changes the type (the replacement check's business)", { steps: [{ ...update(web(1), ["instanceType", "ami"]), op: "replace" }] }],
        ["an update that reports no diff at all", { steps: [step("update", web(1))] }],
        ["a new server (create)", { steps: [{ ...update(web(3), ["instanceType"]), op: "create" }] }],
    ])("finds nothing in %s", (_label, preview) => {
        expect(stopStartedResources(preview)).toEqual([]);
    });

    it("merges repeated steps of one server and lists every stop/start property it changes", () => {
        const preview = { steps: [update(web(1), ["instanceType"], "diffReasons"), update(web(1), ["userData", "rootBlockDevice.volumeSize"], "detailedDiff")] };
        expect(stopStartedResources(preview)).toEqual([{ urn: web(1), properties: ["instanceType", "userData"] }]);
    });

    // Property: over every op and every combination of changed properties, reported either way, a server
    // is refused exactly when the step is an update that touches a stop/start property.
    it("refuses exactly the updates that touch a stop/start property, for every op and property set", () => {
        const candidates = ["instanceType", "userData", "tags", "monitoring", "rootBlockDevice"];
        const subsets = Array.from({ length: 1 << candidates.length }, (_, mask) => candidates.filter((_c, i) => mask & (1 << i)));
        let refused = 0;
        for (const op of ["update", "same", "create", "delete", "replace", "create-replacement", "read"]) {
            for (const props of subsets) {
                for (const format of ["both", "diffReasons", "detailedDiff"] as const) {
                    const found = stopStartedResources({ steps: [{ ...update(web(1), props.map((p) => (p === "rootBlockDevice" ? "rootBlockDevice.volumeSize" : p)), format), op }] });
                    const expected = op === "update" ? props.filter((p) => STOP_START_PROPERTIES.has(p)).sort() : [];
                    expect(found).toEqual(expected.length > 0 ? [{ urn: web(1), properties: expected }] : []);
                    refused += found.length;
                }
            }
        }
        expect(refused).toBe(3 * 24); // 24 of the 32 subsets contain instanceType or userData, each in 3 formats
    });

    it.each([
        ["instanceType", "instanceType"],
        ["rootBlockDevice.volumeSize", "rootBlockDevice"],
        ["ebsBlockDevices[0].volumeSize", "ebsBlockDevices"],
        ['tags["kubernetes.io/role"]', "tags"],
    ])("topLevelProperty(%s) = %s", (p, head) => {
        expect(topLevelProperty(p)).toBe(head);
    });

    it("changedProperties ignores what is not a list or a map", () => {
        expect(changedProperties({ op: "update", urn: web(1), diffReasons: null, detailedDiff: null })).toEqual([]);
        expect(changedProperties({ op: "update", urn: web(1), diffReasons: ["instanceType"], detailedDiff: { "instanceType": {}, "tags.Team": {} } })).toEqual(["instanceType", "tags"]);
    });

    it("the refusal names the servers, the property and the runbook", () => {
        expect(stopStartRefusal([])).toBe("");
        expect(stopStartRefusal(stopStartedResources(biggerType))).toBe(
            `the preview updates 2 EC2 instance(s) in place (web-1, web-2) by changing \`instanceType\`, which stops and starts each of them; \`pulumi up\` would stop them all at once, and the load balancer could be left without a healthy server until they are running again. Roll them one at a time (${RUNBOOK}), then re-run this deployment.`,
        );
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

    it("fails a preview that changes the servers' instance type in place", () => {
        const r = run(biggerType);
        expect(r.status).toBe(1);
        expect(r.stderr).toBe(`preview-replacements: ${stopStartRefusal(stopStartedResources(biggerType))}\n`);
    });

    it("reports both refusals when a preview replaces some servers and stops others", () => {
        const r = run({ steps: [step("replace", web(1)), update(web(2), ["instanceType"])] }, { GITHUB_ACTIONS: "true" });
        expect(r.status).toBe(1);
        expect(r.stderr.split("\n")).toEqual([
            `::error::preview-replacements: ${refusal([web(1)])}`,
            `::error::preview-replacements: ${stopStartRefusal([{ urn: web(2), properties: ["instanceType"] }])}`,
            "",
        ]);
    });

    it("passes a preview without server replacements or stop/start updates, and rejects a file that is not a preview (status 2)", () => {
        const ok = run({ steps: [step("update", web(1)), update(web(2), ["tags.Team"])] });
        expect([ok.status, ok.stdout, ok.stderr]).toEqual([0, "preview-replacements: no EC2 instance is replaced, or stopped and started.\n", ""]);
        const bad = run("error: no stack named 'dev' found");
        expect(bad.status).toBe(2);
        expect(bad.stderr).toMatch(/^preview-replacements: Unexpected token/);
    });
});
