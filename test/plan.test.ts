/**
 * `npm run plan`: the real stacks planned in-process into a temp dir (files, redaction, SPOF report,
 * diagram, HTML), the error paths (config error, unknown stack, mandatory policy violation) and the
 * CLI's exit status and one-line messages.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PlanResult, parseArgs, plan } from "../scripts/plan";
import { REDACTED, redactInputs, redactOverrides, secretValues } from "../scripts/lib/redact";
import { PlanRecord } from "../scripts/lib/records";
import { adaptEvaluator } from "../scripts/lib/policy";
import { costMarkdown, estimateCost } from "../scripts/lib/cost";
import { MAX_LINE_WIDTH, overlongLines } from "../scripts/lib/text";
import { stackNames } from "./mocks";


const ROOT = path.resolve(__dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-"));
const quiet = () => undefined;
const read = (file: string) => fs.readFileSync(file, "utf8");

const results: Record<string, PlanResult> = {};
/** What each plan printed (the terminal report). */
const printed: Record<string, string> = {};
/** The dev plan's run of the program, for the cases that only vary what happens after it. */
const devRun = () => ({ resources: results.dev.records!, outputs: results.dev.outputs! });

beforeAll(async () => {
    // Sequential: the mock engine is process-global.
    for (const stack of stackNames()) {
        const out: string[] = [];
        results[stack] = await plan({ stack, outDir: tmp, log: (t) => out.push(t), policy: undefined });
        printed[stack] = out.join("\n");
    }
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(["dev", "prod"])("plan of the %s stack", (stack) => {
    const result = () => results[stack];

    it("succeeds and writes resources.json, PLAN.md and architecture.html under <out>/<stack>", () => {
        expect(result().error).toBeUndefined();
        expect(result().exitCode).toBe(0);
        const dir = path.join(tmp, stack);
        expect(fs.readdirSync(dir).sort()).toEqual(["PLAN.md", "architecture.html", "resources.json"]);
        expect(result().files).toEqual({
            dir,
            resources: path.join(dir, "resources.json"),
            planMd: path.join(dir, "PLAN.md"),
            html: path.join(dir, "architecture.html"),
        });
    });

    it("resources.json lists every recorded resource with its component and inputs", () => {
        const json = JSON.parse(read(result().files!.resources));
        const records = result().records!;
        expect(json.stack).toBe(stack);
        expect(json.count).toBe(records.length);
        expect(json.resources.map((r: { type: string; name: string }) => `${r.type}::${r.name}`)).toEqual(records.map((r) => `${r.type}::${r.name}`));
        const vpc = json.resources.find((r: { type: string }) => r.type === "aws:ec2/vpc:Vpc");
        expect(vpc.component).toBe("network (web-infra:network:Network)");
        expect(vpc.inputs.cidrBlock).toBe(stack === "prod" ? "10.20.0.0/16" : "10.0.0.0/16");
    });

    it("resources.json holds no secret value; secret inputs read \"[secret]\"", () => {
        const text = read(result().files!.resources);
        const records = result().records!;
        for (const secret of secretValues(records)) expect(text).not.toContain(secret);
        const json = JSON.parse(text);
        for (const r of records.filter((x) => x.secretPaths.length > 0 && !x.secretPaths.includes("(root)"))) {
            const entry = json.resources.find((e: { urn: string }) => e.urn === r.urn);
            for (const p of r.secretPaths) expect([r.name, p, p.split(".").reduce((o: any, k) => o?.[k], entry.inputs)]).toEqual([r.name, p, REDACTED]);
        }
    });

    it("PLAN.md has the summary, the SPOF table and a Mermaid diagram", () => {
        const md = read(result().files!.planMd);
        expect(md).toContain(`## Plan: stack \`${stack}\``);
        expect(md).toContain("| tier | survives losing one server | survives losing one zone | why |");
        for (const tier of ["DNS/edge", "load balancer", "web servers", "NAT/egress", "database writer", "database readers", "monitoring"]) {
            expect(md).toMatch(new RegExp(`^\\| ${tier} \\| (yes|n/a|\\*\\*NO\\*\\*) \\| (yes|n/a|\\*\\*NO\\*\\*) \\|`, "m"));
        }
        expect(md).toMatch(/```mermaid\nflowchart TD\n[\s\S]+?\n```/);
        expect(md).toMatch(/^\| policy \| policy pack/m);
    });

    it(`prints and writes no prose line wider than ${MAX_LINE_WIDTH} columns (Markdown tables and the diagram excepted)`, () => {
        expect(printed[stack]).toContain("Single points of failure (from the declared resources):");
        expect(overlongLines(printed[stack])).toEqual([]);
        const md = read(result().files!.planMd);
        expect(overlongLines(md, MAX_LINE_WIDTH, true)).toEqual([]);
        // The check has something to bite on: the unwrapped report has longer lines than that.
        expect(printed[stack].split("\n").filter((l) => /^ {10,}\S/.test(l)).length).toBeGreaterThan(0);
    });

    it("writes counts with their plural right: no '(s)', no '1 <plural>'", () => {
        for (const text of [printed[stack], read(result().files!.planMd)]) {
            expect(text).not.toMatch(/\(s\)/);
            expect(text.match(/\b1 (servers|zones|alarms|dashboards|replicas|buckets|policies|violations|resources|overrides|instances|secrets|metrics|log groups|gateways)\b/g)).toBeNull();
        }
    });

    it("records the stack and that no override was given", () => {
        expect(JSON.parse(read(result().files!.resources))).toMatchObject({ stack, overrides: [] });
        expect(read(result().files!.planMd)).toContain(`Config: \`Pulumi.${stack}.yaml\` as committed, no overrides.`);
        expect(printed[stack]).toContain("config overrides: no overrides");
    });

    it("architecture.html inlines mermaid and the diagram, and loads nothing", () => {
        const html = read(result().files!.html);
        const bundle = read(require.resolve("mermaid/dist/mermaid.min.js"));
        expect(html.length).toBeGreaterThan(bundle.length);
        expect(html).toContain(bundle.slice(0, 2000));
        expect(html).toContain(bundle.slice(-2000));
        // Exactly the two <script> blocks we wrote: the bundle cannot close its own element early.
        expect(html.match(/<script\b/g)?.length).toBe(2);
        expect(html.match(/<\/script>/gi)?.length).toBe(2);
        // Outside the scripts, nothing that would fetch: no src=, <link>, <img>, CSS @import or url().
        const page = html.replace(/<script>[\s\S]*?<\/script>/g, "<script></script>");
        expect(page.match(/\bsrc=|<link\b|<img\b|@import|url\(/g)).toBeNull();
        expect(html).toContain('<pre class="mermaid" id="diagram">\nflowchart TD\n');
        expect(html).toContain("mermaid.initialize(");
        expect(html).toContain("mermaid\n    .run(");
    });
});

describe("the SPOF report on the real stacks (from the declared resources)", () => {
    it("dev: names the single NAT gateway and the single-AZ writer, and nothing else", () => {
        expect(results.dev.spof!.spofs).toEqual([
            { tier: "NAT/egress", loss: "zone", reason: "single NAT gateway in us-east-1a: private egress lost if that zone fails" },
            { tier: "database writer", loss: "server", reason: expect.stringMatching(/^writer \S+ is a single instance in us-east-1a \(multiAz false\)/) },
            { tier: "database writer", loss: "zone", reason: expect.stringMatching(/^writer is single-AZ in us-east-1a \(multiAz false\): writes stop until a replica is promoted/) },
        ]);
    });

    it("prod: names none of them; every tier is declared and survives a server and a zone", () => {
        expect(results.prod.spof!.spofs).toEqual([]);
        for (const t of results.prod.spof!.tiers) expect([t.tier, t.declared, t.survivesServer, t.survivesZone]).toEqual([t.tier, true, true, true]);
    });

    it("the summary reads the web and database tiers from the resources", () => {
        expect(results.dev.summary).toMatchObject({ dbReplicasPerZone: { "us-east-1b": 1 }, https: false });
        expect(results.dev.summary!.dbWriter).toMatchObject({ zone: "us-east-1a", multiAz: false });
        // prod: a Multi-AZ DB cluster (dbDeployment), no instances of ours.
        expect(results.prod.summary).toMatchObject({ dbReplicasPerZone: {}, https: true, httpRedirectsToHttps: true, waf: true });
        expect(results.prod.summary!.dbWriter).toBeUndefined();
        expect(results.prod.summary!.dbCluster).toEqual({ name: "database-cluster", instanceClass: "db.c6gd.medium", zones: ["us-east-1a", "us-east-1b", "us-east-1c"] });
        expect(results.prod.summary!.url).toBe("https://www.example.com");
        expect(results.prod.summary!.failureDetection!.seconds).toBeGreaterThan(0);
        // prod has a third server, a second replica, a WAF and a health check: more alarms than dev.
        expect(results.dev.summary!.alarms).toBeGreaterThan(0);
        expect(results.prod.summary!.alarms).toBeGreaterThan(results.dev.summary!.alarms);
    });

    it("the diagram draws internet → WAF → ALB → the web fleet → the Multi-AZ DB cluster, and monitoring", () => {
        const md = read(results.prod.files!.planMd);
        expect(md).toMatch(/internet --> dns\n[\s\S]*dns --> waf\n[\s\S]*waf --> alb\n/);
        for (const zone of ["us_east_1a", "us_east_1b", "us_east_1c"]) expect(md).toContain(`subgraph az_${zone}["us-east-1${zone.slice(-1)}"]`);
        expect(md.match(/^ {4}alb --> asg_web_asg$/gm)).toHaveLength(1);
        expect(md.match(/asg_web_asg -->\|SQL\| db_database_cluster/g)).toHaveLength(1);
        expect(md).toContain("Multi-AZ DB cluster");
        expect(md).toContain("automatic failover #lt; 35 s");
        expect(md.match(/-->\|replicates\| db_/g)).toBeNull();
        expect(md).toContain("alarms --> sns");
    });
});

describe("the web fleet (Auto Scaling group) in the plan of the real stacks", () => {
    const typeCounts = (r: PlanResult) => {
        const out: Record<string, number> = {};
        for (const x of r.records!) out[x.type] = (out[x.type] ?? 0) + 1;
        return out;
    };

    it("dev and prod: the fleet by zone at minimum and maximum, the scaling range with target tracking, the replacement time and how it was computed", () => {
        for (const stack of ["dev", "prod"]) {
            const f = results[stack].summary!.fleet!;
            const zones = f.zones.length;
            expect([stack, zones]).toEqual([stack, stack === "prod" ? 3 : 2]);
            expect(Object.values(f.atMinimum).reduce((a, b) => a + b, 0)).toBe(f.minSize);
            expect(Object.values(f.atMaximum).reduce((a, b) => a + b, 0)).toBe(f.maxSize);
            expect(f.maxSize).toBeGreaterThan(f.minSize);
            expect(f.healthCheckType).toBe("ELB");
            expect(f.desiredCapacity).toBeUndefined();
            expect(f.scaling.map((x) => x.metric).sort()).toEqual(["ALBRequestCountPerTarget", "ASGAverageCPUUtilization"]);
            expect(f.replacement!.steps.map((x) => x.basis)).toEqual(["declared", "assumed", "assumed", "bound", "declared"]);
            const md = read(results[stack].files!.planMd);
            expect(md).toMatch(/^\| web fleet \| Auto Scaling group \S+ of \S+ over \d zones?; at minimum \d+: [\d+]+ \(/m);
            expect(md).toMatch(/^\| replacement time \| failed server → a new one serving: ≈ \d+ s = \d+ s target group marks the server unhealthy \(\d+ s interval × \d+ unhealthy checks\)/m);
            // One node for the group, none per instance.
            expect(md.match(/^ {4}asg_\w+\["Auto Scaling group /gm)).toHaveLength(1);
            expect(md).not.toMatch(/^ {4}alb --> web_/m);
        }
    });

    it("the web tier survives a server and a zone in dev and prod; the cost shows the minimum and the maximum", () => {
        for (const stack of ["dev", "prod"]) {
            expect(results[stack].spof!.tiers.find((t) => t.tier === "web servers")).toMatchObject({ survivesServer: true, survivesZone: true });
            expect(read(results[stack].files!.planMd)).toMatch(/^\| \*\*total at maximum\*\* \| \S+ at \d+ \| \*\*\$[\d.]+\*\* \|$/m);
        }
    });

    it("active-passive: a Standby server outside the target group, the failover time (≤ 60 s) and how it was computed; one server is a failover, not an outage", async () => {
        const r = await plan({ stack: "dev", outDir: path.join(tmp, "active-passive"), overrides: { webServerMode: "active-passive" }, log: quiet, policy: null });
        expect(r.error).toBeUndefined();
        const f = r.summary!.fleet!;
        expect(f.minSize).toBe(1);
        expect(f.warmStandbys).toBeUndefined();
        expect(f.standbys).toEqual({ count: 1, functionName: "web-failover" });
        expect(f.desiredAtCreation).toBe(2);
        // Worst case with the assumed steps (scripts/lib/fleet.ts failoverTime): still within the 60 s goal.
        expect(f.failover!.seconds).toBe(50);
        expect(f.failover!.seconds).toBeLessThanOrEqual(60);
        expect(read(r.files!.planMd)).toMatch(/^\| failover time \| active's failure → a Standby server serving: ≈ 50 s = /m);
        const web = r.spof!.tiers.find((t) => t.tier === "web servers")!;
        expect(web).toMatchObject({ survivesServer: true, survivesZone: true });
        expect(web.server).toMatch(/^active-passive: 1 active server; when it fails, web-failover moves one of 1 Standby server \(running, outside the target group\) in service — a failover, not an outage/);
    });

    it("webServerMaxCount=100 declares exactly the resources of the default plan (nothing grows with the server count)", async () => {
        const r = await plan({ stack: "dev", outDir: path.join(tmp, "max100"), overrides: { webServerMaxCount: "100" }, log: quiet, policy: null });
        expect(r.error).toBeUndefined();
        expect(r.summary!.fleet!.maxSize).toBe(100);
        expect(typeCounts(r)).toEqual(typeCounts(results.dev));
    });
});

describe("secrets never reach the files", () => {
    it.each(["dev", "prod"])("%s: the generated DB password is redacted from resources.json, PLAN.md and the page", (stack) => {
        const passwords = results[stack].records!.filter((r) => r.type === "random:index/randomPassword:RandomPassword").map((r) => r.state.result as string);
        expect(passwords.length).toBeGreaterThan(0);
        for (const file of [results[stack].files!.resources, results[stack].files!.planMd, results[stack].files!.html]) {
            const text = read(file);
            for (const p of passwords) expect(text.includes(p)).toBe(false);
        }
        expect(read(results[stack].files!.resources)).toContain(`"${REDACTED}"`);
    });
});

describe("every stack config in the repository", () => {
    it.each(stackNames())("%s plans without error and without a mandatory policy violation", (stack) => {
        expect([stack, results[stack].error]).toEqual([stack, undefined]);
        const policy = results[stack].summary!.policy;
        if (policy.available) expect(policy.violations.filter((v) => v.mandatory)).toEqual([]);
    });
});

describe("a plan made with --config overrides says so", () => {
    it("records the stack and every override (key=value; removed keys) in resources.json, PLAN.md and the report", async () => {
        const out: string[] = [];
        const overrides = { webServerCount: "3", "aws:region": "us-east-1", alarmReplicaLagSeconds: undefined };
        const r = await plan({ stack: "dev", outDir: path.join(tmp, "overrides"), overrides, log: (t) => out.push(t), policy: null });
        expect(r.exitCode).toBe(0);
        const recorded = ["webServerCount=3", "aws:region=us-east-1", "alarmReplicaLagSeconds (removed)"];
        expect(JSON.parse(read(r.files!.resources))).toMatchObject({ stack: "dev", overrides: recorded });
        // Prose is wrapped: compare with line breaks read as spaces.
        const md = read(r.files!.planMd).replace(/\n(?!\n)/g, " ");
        expect(md).toContain("`npm run plan -- --stack dev --config webServerCount=3 --config aws:region=us-east-1`");
        expect(md).toContain("with 3 overrides: `webServerCount=3`, `aws:region=us-east-1`, `alarmReplicaLagSeconds (removed)`.");
        expect(out.join("\n")).toContain("config overrides: webServerCount=3, aws:region=us-east-1, alarmReplicaLagSeconds (removed)");
        // The override took effect: three servers.
        expect(r.summary!.serversPerZone).toEqual({ "us-east-1a": 2, "us-east-1b": 1 });
    });

    it("redacts secret values: secure in the stack file, named like a credential, or a secret of the run", () => {
        const stackFile = { "web-infra:owner": "team", "web-infra:apiKey": '{"secure":"AAEAAb…"}' };
        expect(redactOverrides({ owner: "ops", apiKey: "k-123456", "aws:secretKey": "abc", dbPassword: "x", note: "S3cr3t-Passw0rd-xyz" }, stackFile, ["S3cr3t-Passw0rd-xyz"], "web-infra")).toEqual([
            "owner=ops",
            "apiKey=[secret]",
            "aws:secretKey=[secret]",
            "dbPassword=[secret]",
            "note=[secret]",
        ]);
    });
});

describe("planning from a recorded run (what the policy cases below use instead of running the program again)", () => {
    it("gives the same files as running the program", async () => {
        const r = await plan({ stack: "dev", outDir: path.join(tmp, "recorded"), log: quiet, recorded: devRun() });
        expect(r.exitCode).toBe(0);
        expect(r.records).toBe(results.dev.records);
        for (const file of ["resources", "planMd", "html"] as const) expect([file, read(r.files![file])]).toEqual([file, read(results.dev.files![file])]);
    });
});

describe("errors give one clear line and exit status 1", () => {
    it("a config error names the key, the value and what is allowed, and writes nothing", async () => {
        const out = path.join(tmp, "config-error");
        const r = await plan({ stack: "dev", outDir: out, overrides: { natStrategy: "bogus" }, log: quiet });
        expect(r.exitCode).toBe(1);
        expect(r.error).toBe('Invalid stack configuration: `natStrategy` must be one of none, single, perAz (got "bogus")');
        expect(fs.existsSync(out)).toBe(false);
    });

    it("several config problems are listed one per line, each naming its key", async () => {
        const r = await plan({ stack: "dev", outDir: path.join(tmp, "x"), overrides: { natStrategy: "bogus", owner: undefined, natStrategyy: "x" }, log: quiet });
        expect(r.error!.split("\n")).toEqual([
            "Invalid stack configuration (3 problems):",
            "  - `natStrategyy` is not a setting of web-infra; did you mean `natStrategy`?",
            expect.stringMatching(/^ {2}- `owner` is required: /),
            '  - `natStrategy` must be one of none, single, perAz (got "bogus")',
        ]);
    });

    it("an unknown stack lists the stacks there are", async () => {
        const r = await plan({ stack: "nope", outDir: tmp, log: quiet });
        expect(r).toMatchObject({ exitCode: 1, error: `no stack config Pulumi.nope.yaml (stacks: ${stackNames().join(", ")})` });
    });

    it("a mandatory policy violation fails the plan (files still written for review); an advisory one does not", async () => {
        const violation = (mandatory: boolean) => ({ policy: "rds-no-public-access", resource: "db-primary", message: "publiclyAccessible must be false", mandatory });
        const failing = await plan({ stack: "dev", outDir: path.join(tmp, "policy"), log: quiet, recorded: devRun(), policy: () => ({ pack: "web-infra", policies: 3, violations: [violation(true), violation(false)] }) });
        expect(failing.exitCode).toBe(1);
        expect(failing.error).toBe("1 mandatory policy violation:\n  - rds-no-public-access (db-primary): publiclyAccessible must be false");
        expect(read(failing.files!.planMd)).toContain("| policy | policy pack web-infra: FAILED (3 policies; 1 mandatory, 1 advisory violation) |");

        const advisory = await plan({ stack: "dev", outDir: path.join(tmp, "policy"), log: quiet, recorded: devRun(), policy: () => ({ pack: "web-infra", policies: 3, violations: [violation(false)] }) });
        expect(advisory.exitCode).toBe(0);
        expect(read(advisory.files!.planMd)).toContain("- **advisory** `rds-no-public-access` (db-primary): publiclyAccessible must be false");
    });

    it("without a policy evaluator the plan says so and succeeds", async () => {
        const r = await plan({ stack: "dev", outDir: path.join(tmp, "nopolicy"), log: quiet, recorded: devRun(), policy: null });
        expect(r.exitCode).toBe(0);
        expect(r.summary!.policy).toEqual({ available: false, reason: "policy/evaluate.ts not found" });
        expect(read(r.files!.planMd)).toContain("| policy | policy pack: not available (policy/evaluate.ts not found) |");
    });

    it("an evaluator that throws is an error, not a pass", async () => {
        const r = await plan({
            stack: "dev",
            outDir: path.join(tmp, "x"),
            log: quiet,
            recorded: devRun(),
            policy: () => {
                throw new Error("boom");
            },
        });
        expect(r).toMatchObject({ exitCode: 1, error: "policy pack evaluation failed: boom" });
    });
});

describe("the policy pack adapter (policy/evaluate.ts → the plan)", () => {
    it("maps the pack's violations: enforcement level → mandatory, URN → resource name", async () => {
        const evaluatePolicies = async () => [
            { policy: "rds-storage-encrypted", enforcementLevel: "mandatory", message: "encrypt it", urn: "urn:pulumi:dev::web-infra::web-infra:database:Database$aws:rds/instance:Instance::db-primary" },
            { policy: "alb-http-only", enforcementLevel: "advisory", message: "use HTTPS" },
        ];
        const evaluator = adaptEvaluator({ evaluatePolicies }, { pack: "guardrails", policies: 16 })!;
        expect(await evaluator({ stack: "dev", records: [], outputs: {}, config: {} })).toEqual({
            pack: "guardrails",
            policies: 16,
            violations: [
                { policy: "rds-storage-encrypted", message: "encrypt it", resource: "db-primary", mandatory: true },
                { policy: "alb-http-only", message: "use HTTPS", mandatory: false },
            ],
        });
    });

    it("a module without evaluatePolicies gives no evaluator", () => {
        expect(adaptEvaluator({ evaluate: () => [] }, { pack: "x", policies: 0 })).toBeNull();
    });

    it("the real pack is loaded and run by default", () => {
        expect(results.dev.summary!.policy).toMatchObject({ available: true, pack: "web-infra-guardrails" });
    });
});

describe("the CLI", () => {
    const cli = (...args: string[]) =>
        spawnSync(process.execPath, ["-r", "./scripts/register.js", "scripts/plan.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60000 });

    it("prints the summary and the SPOF report and exits 0", () => {
        const r = cli("--stack", "dev", "--out", path.join(tmp, "cli"));
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("web-infra plan — stack dev (offline, mock engine)");
        expect(r.stdout).toContain("Single points of failure (from the declared resources):");
        expect(r.stdout).toMatch(/wrote .*cli\/dev\/\{resources\.json, PLAN\.md, architecture\.html\} in \d+ ms/);
        expect(r.stdout).toContain("config overrides: no overrides");
    });

    it("a config error is one line on stderr, exit 1, no stack trace", () => {
        const r = cli("--config", "natStrategy=bogus", "--out", path.join(tmp, "cli"));
        expect(r.status).toBe(1);
        expect(r.stderr).toBe('plan: Invalid stack configuration: `natStrategy` must be one of none, single, perAz (got "bogus")\n');
    });

    it.each([
        [[], { stack: "dev", outDir: undefined, overrides: {}, debug: false, help: false }],
        [["--stack", "prod"], { stack: "prod", outDir: undefined, overrides: {}, debug: false, help: false }],
        [["--stack=prod", "--out=x", "-c", "a=b=c", "--config", "d="], { stack: "prod", outDir: "x", overrides: { a: "b=c", d: "" }, debug: false, help: false }],
        [["--stack"], { error: "--stack needs a stack name" }],
        [["--config", "novalue"], { error: '--config needs <key>=<value> (got "novalue")' }],
        [["prod"], { error: 'unknown argument "prod" (usage: npm run plan [-- --stack <name>] [--out <dir>] [--config <key>=<value> …] [--debug])' }],
    ])("parseArgs(%j)", (argv, expected) => {
        expect(parseArgs(argv)).toEqual(expected);
    });
});

describe("redaction", () => {
    const records: PlanRecord[] = [
        { type: "random:index/randomPassword:RandomPassword", name: "pw", inputs: { length: 24 }, state: { result: "S3cr3t-Passw0rd-xyz", bcryptHash: "$2a$10$abcdefgh" } },
        { type: "aws:rds/instance:Instance", name: "db", inputs: { password: "S3cr3t-Passw0rd-xyz", tags: { a: "b" } }, secretPaths: ["password"] },
        {
            type: "aws:secretsmanager/secretVersion:SecretVersion",
            name: "v",
            inputs: { secretString: '{"username":"admin","password":"S3cr3t-Passw0rd-xyz"}' },
            secretPaths: ["secretString"],
        },
        // A component bug: the password copied into a plain input. Scrubbed all the same.
        { type: "aws:ssm/parameter:Parameter", name: "leak", inputs: { value: "jdbc://admin:S3cr3t-Passw0rd-xyz@db" } },
        { type: "aws:ec2/instance:Instance", name: "nested", inputs: { list: [{ token: "tok-123456" }] }, secretPaths: ["list.0.token"] },
    ];
    const secrets = secretValues(records);

    it("collects secret inputs and known secret outputs, longest first", () => {
        expect(secrets).toEqual(['{"username":"admin","password":"S3cr3t-Passw0rd-xyz"}', "S3cr3t-Passw0rd-xyz", "$2a$10$abcdefgh", "tok-123456"]);
    });

    it.each([
        ["a secret input", records[1], { password: REDACTED, tags: { a: "b" } }],
        ["a secret JSON document", records[2], { secretString: REDACTED }],
        ["a secret copied into a plain input", records[3], { value: `jdbc://admin:${REDACTED}@db` }],
        ["a secret inside an array", records[4], { list: [{ token: REDACTED }] }],
    ])("redacts %s", (_what, r, expected) => {
        expect(redactInputs(r.inputs, r.secretPaths ?? [], secrets)).toEqual(expected);
        expect(r.inputs).not.toEqual(expected); // the record itself is not modified
    });

    it("a secret root hides all inputs", () => {
        expect(redactInputs({ a: 1 }, ["(root)"], [])).toEqual({ [REDACTED]: true });
    });
});

describe("cost estimate (from the declared resources)", () => {
    const r = (type: string, name: string, inputs: Record<string, any>): PlanRecord => ({ type, name, inputs, state: inputs, id: `${name}-id` });
    const records: PlanRecord[] = [
        r("aws:ec2/instance:Instance", "web-1", { instanceType: "t4g.micro" }),
        r("aws:ec2/instance:Instance", "web-2", { instanceType: "t4g.micro", rootBlockDevice: { volumeSize: 12 } }),
        r("aws:ec2/instance:Instance", "odd", { instanceType: "x9z.huge" }),
        r("aws:rds/instance:Instance", "db-primary", { instanceClass: "db.t4g.small", multiAz: true, allocatedStorage: 50 }),
        r("aws:rds/instance:Instance", "db-replica-1", { instanceClass: "db.t4g.small", replicateSourceDb: "db-primary" }),
        r("aws:route53/healthCheck:HealthCheck", "site", { type: "HTTPS_STR_MATCH", requestInterval: 30 }),
        r("aws:ec2/natGateway:NatGateway", "nat", {}),
    ];
    const cost = estimateCost(records);
    const line = (item: string) => cost.lines.filter((l) => l.item === item);

    it.each([
        ["EC2 instances", 12.26], // 2 × $0.0084 × 730 h
        ["EBS gp3", 2.24], // (8 + 12 + 8) GiB × $0.08
        ["RDS MySQL primary", 58.22], // Multi-AZ doubles: 2 × ($0.032 × 730 + 50 GiB × $0.115)
        ["RDS MySQL replica", 29.11], // the replica starts with the primary's 50 GiB
        ["Route 53 health checks", 2.5], // $0.50 + HTTPS $1 + string match $1
        ["NAT gateways", 33.3], // $0.045 × 730 + 10 GB × $0.045
        ["Public IPv4 addresses", 0], // no EIP or ALB declared: no line at all
    ])("%s: $%d", (item, monthly) => {
        expect(line(item).reduce((s, l) => s + l.monthly, 0)).toBeCloseTo(monthly, 2);
    });

    it("leaves unknown instance types out of the total and names them", () => {
        expect(cost.unpriced).toEqual(["x9z.huge"]);
        expect(cost.total).toBeCloseTo(cost.lines.reduce((s, l) => s + l.monthly, 0), 2);
        expect(costMarkdown(cost)).toContain("Not priced (add them to scripts/lib/cost.ts): x9z.huge.");
    });

    it("prod costs more than dev, and PLAN.md shows the breakdown", () => {
        expect(results.prod.summary!.cost!.total).toBeGreaterThan(results.dev.summary!.cost!.total);
        expect(read(results.dev.files!.planMd)).toMatch(/### Estimated monthly cost\n\n\| item \| what \| per month \|/);
    });
});
