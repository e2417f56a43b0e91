// The documentation stays navigable: every relative link in README.md and docs/ resolves (file and
// heading), and every alarm the stacks declare that pages a person names a runbook that exists.
// The checkers (scripts/lib/docsCheck.ts) are tested on broken examples first, so a pass means something.
import * as fs from "fs";
import * as path from "path";
import { DeclaredAlarm, alarmRunbookProblems, brokenLinks, headingAnchors, linkTargets, markdownFiles, notifiesPerson, runbooksNamed } from "../scripts/lib/docsCheck";
import { ROOT, resourcesOf, runStack } from "./mocks";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

/** The runbooks agreed for this repository (alarm descriptions and other helpers' code name them). */
const RUNBOOKS = [
    "web-server-fails.md",
    "web-rolling-deploy.md",
    "web-failover.md",
    "db-writer-fails.md",
    "db-recreate-replica.md",
    "db-restore.md",
    "zone-fails.md",
    "roll-back.md",
    "confirm-alert-email.md",
];

describe("link checker", () => {
    it.each([
        ["# Runbook: the primary fails", "runbook-the-primary-fails"],
        ["## What happens when the user data, the AMI or the instance type changes", "what-happens-when-the-user-data-the-ami-or-the-instance-type-changes"],
        ["### `natStrategy` and NAT (why)", "natstrategy-and-nat-why"],
        ["## Deploy to AWS ##", "deploy-to-aws"],
        ["## See [the plan](plan.md)", "see-the-plan"],
    ])("the anchor of %j is #%s", (heading, anchor) => {
        expect([...headingAnchors(heading)]).toEqual([anchor]);
    });

    it("numbers repeated headings and ignores # lines in code blocks", () => {
        expect([...headingAnchors("# Alarms\n\n```sh\n# not a heading\n```\n## Alarms\n### Alarms\n")]).toEqual(["alarms", "alarms-1", "alarms-2"]);
    });

    it("finds links in prose only, without titles", () => {
        const md = 'See [a](a.md "title"), ![img](img/x.png) and [b](<b c.md>).\n`[not](code.md)`\n```\n[not](block.md)\n```\n';
        expect(linkTargets(md)).toEqual(["a.md", "img/x.png", "b c.md"]);
    });

    it("reports a missing file, a missing heading and a link out of the repository; accepts the rest", () => {
        const files: Record<string, string> = {
            "README.md": "[ok](docs/a.md#real-heading) [self](#top) [dir](docs/) [web](https://example.com) [gone](docs/missing.md)\n# Top\n",
            "docs/a.md": "# Real heading\n[up](../README.md#top) [bad anchor](../README.md#nowhere) [out](../../etc/passwd) [same](#real-heading)\n",
        };
        const existing = new Set([...Object.keys(files), "docs"]);
        const broken = brokenLinks(Object.keys(files), (f) => files[f], (f) => existing.has(f));
        expect(broken).toEqual([
            { file: "README.md", target: "docs/missing.md", problem: "docs/missing.md does not exist" },
            { file: "docs/a.md", target: "../README.md#nowhere", problem: "README.md has no heading with anchor #nowhere" },
            { file: "docs/a.md", target: "../../etc/passwd", problem: "points outside the repository" },
        ]);
    });
});

describe("README.md and docs/", () => {
    const files = markdownFiles(ROOT);
    const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");

    it("the docs tree is there: README, docs/*.md and one file per runbook, with an index", () => {
        expect(files).toEqual(expect.arrayContaining(["README.md", "docs/configuration.md", "docs/runbooks/README.md", ...RUNBOOKS.map((r) => `docs/runbooks/${r}`)]));
        expect(files.filter((f) => f.startsWith("docs/runbooks/")).sort()).toEqual(["docs/runbooks/README.md", ...RUNBOOKS.map((r) => `docs/runbooks/${r}`)].sort());
    });

    it("every relative link resolves to a file, and every #anchor to a heading of it", () => {
        const links = files.flatMap((f) => linkTargets(read(f)));
        expect(links.length).toBeGreaterThan(50);
        expect(brokenLinks(files, read, (f) => fs.existsSync(path.join(ROOT, f)))).toEqual([]);
    });

    it("the runbook index links every runbook", () => {
        const index = read("docs/runbooks/README.md");
        for (const r of RUNBOOKS) expect(linkTargets(index).map((t) => t.split("#")[0])).toContain(r);
    });

    it("README.md stays short: at most 300 lines", () => {
        expect(read("README.md").split("\n").length).toBeLessThanOrEqual(300);
    });
});

describe("alarm → runbook checker", () => {
    const topic = "arn:aws:sns:us-east-1:123456789012:alerts";
    const exists = (f: string) => f === "docs/runbooks/web-server-fails.md";

    it("finds every runbook path a description names", () => {
        expect(runbooksNamed("… Runbooks: docs/runbooks/web-server-fails.md, docs/runbooks/roll-back.md\nDashboard: https://x")).toEqual([
            "docs/runbooks/web-server-fails.md",
            "docs/runbooks/roll-back.md",
        ]);
        expect(runbooksNamed(undefined)).toEqual([]);
    });

    it("reports an alarm that pages without a runbook, or with one that does not exist; not one that pages nobody", () => {
        const alarms: DeclaredAlarm[] = [
            { name: "ok", description: "FIRST: … Runbook: docs/runbooks/web-server-fails.md", actions: [topic] },
            { name: "none", description: "FIRST: look at it (README: the runbook)", actions: ["arn:aws:automate:us-east-1:ec2:recover", topic] },
            { name: "missing", description: "Runbook: docs/runbooks/gone.md", actions: [topic] },
            { name: "dns-only", description: "drives a Route 53 health check", actions: [] },
            { name: "lambda-only", actions: ["arn:aws:lambda:us-east-1:123456789012:function:f"] },
        ];
        expect(alarmRunbookProblems(alarms, exists)).toEqual([
            "none: notifies a person but names no runbook (docs/runbooks/<file>.md) in its description",
            "missing: names docs/runbooks/gone.md, which does not exist",
        ]);
    });
});

// The stacks as they deploy: dev, prod (domain ⇒ the us-east-1 health-check alarm), and active-passive
// (the failover alarm) with a promoted replica's alarms.
describe.each<[string, string, Record<string, string>, RegExp]>([
    ["dev", "dev", {}, /^monitoring-replica-1-replication-stopped$/],
    ["prod", "prod", {}, /^monitoring-health-check$/],
    // Without NAT: the run test/stack-web.test.ts makes too (dev above has the NAT's alarms).
    ["dev, active-passive without NAT", "dev", { webServerMode: "active-passive", natStrategy: "none", webServerCount: "3", dbReplicaCount: "2" }, /replica-2-lag$/],
])("every alarm of the %s stack that pages a person names an existing runbook", (_title, stack, overrides, special) => {
    let alarms: DeclaredAlarm[];
    beforeAll(async () => {
        await runStack(stack, overrides);
        alarms = resourcesOf(ALARM).map((a) => ({
            name: a.name,
            description: a.inputs.alarmDescription,
            actions: [...(a.inputs.alarmActions ?? []), ...(a.inputs.okActions ?? [])],
        }));
    });

    it("pages through SNS for most alarms, this stack's special one included (the check has something to check)", () => {
        expect(alarms.filter(notifiesPerson).length).toBeGreaterThan(15);
        expect(alarms.filter((a) => special.test(a.name) && notifiesPerson(a))).toHaveLength(1);
    });

    it("names docs/runbooks/<file>.md in the description, and the file exists", () => {
        expect(alarmRunbookProblems(alarms, (f) => fs.existsSync(path.join(ROOT, f)))).toEqual([]);
    });
});
