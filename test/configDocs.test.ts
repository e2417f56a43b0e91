/**
 * The config reference exists three times — infra/settings.ts (the source), Pulumi.yaml's `config:`
 * and docs/configuration.md — and must say the same thing. `npm run docs` regenerates the last two.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { SETTINGS, SettingSpec } from "../infra/settings";
import { GENERATED_HEADER, allowedCell, configTable, configurationDoc, defaultCell, parseConfigTable, pulumiConfigBlock, replacePulumiConfig } from "../scripts/lib/configDocs";
import { configDocs } from "../scripts/config-docs";
import { stackConfig, stackNames } from "./mocks";

const ROOT = path.resolve(__dirname, "..");
const configDoc = fs.readFileSync(path.join(ROOT, "docs/configuration.md"), "utf8");
const pulumiYaml = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
const entries = Object.entries(SETTINGS) as [string, SettingSpec][];

describe("docs/configuration.md ⇔ infra/settings.ts", () => {
    const rows = parseConfigTable(configDoc);

    it("says it is generated, and by what", () => {
        expect(configDoc.split("\n")[0]).toBe(GENERATED_HEADER);
        expect(GENERATED_HEADER).toContain("npm run docs");
    });

    it("lists every setting once, in declaration order, and nothing else", () => {
        expect(rows.map((r) => r.key)).toEqual(entries.map(([k]) => k));
    });

    it.each(entries)("`%s`: type, default and description match", (key, spec) => {
        const row = rows.find((r) => r.key === key);
        expect(row).toEqual({ key, type: spec.type, default: defaultCell(spec), allowed: allowedCell(spec), description: spec.description });
    });
});

describe("Pulumi.yaml config ⇔ infra/settings.ts", () => {
    const config = (yaml.load(pulumiYaml) as { config: Record<string, { type: string; default?: unknown; description: string }> }).config;

    it("declares every setting, in declaration order, and nothing else", () => {
        expect(Object.keys(config)).toEqual(entries.map(([k]) => k));
    });

    it.each(entries)("`%s`: type, typed default and description match", (key, spec) => {
        const declared = config[key];
        // An optional integer/boolean without a default is declared a string (its default "" must match).
        expect(declared.type).toBe(spec.default === undefined && !spec.required ? "string" : spec.type);
        expect(declared.description).toBe(spec.description);
        if (spec.default !== undefined) expect(declared.default).toStrictEqual(spec.default);
        else if (spec.required) expect(declared).not.toHaveProperty("default");
        // Optional without a value: "" (unset for parseConfig), or Pulumi would demand it from every stack.
        else expect(declared.default).toBe("");
    });

    // Pulumi's own rule when it merges project and stack config: a declared key with no default must be
    // set by every stack, else `pulumi up` stops with "Stack '<name>' is missing configuration value".
    it.each(stackNames())("stack %s sets every declared key that has no default", (stack) => {
        const values = stackConfig(stack);
        const missing = Object.entries(config)
            .filter(([, c]) => !("default" in c))
            .map(([key]) => key)
            .filter((key) => values[`web-infra:${key}`] === undefined);
        expect(missing).toEqual([]);
    });

    it("no required setting has a default (Pulumi would silently use it)", () => {
        for (const [key] of entries.filter(([, s]) => s.required)) expect([key, config[key]]).not.toHaveProperty("1.default");
    });
});

describe("npm run docs", () => {
    it("finds docs/configuration.md and Pulumi.yaml up to date (else run `npm run docs`)", () => {
        expect(configDocs({ root: ROOT, check: true })).toEqual([
            { file: "docs/configuration.md", changed: false },
            { file: "Pulumi.yaml", changed: false },
        ]);
    });

    it("rewrites stale files and leaves everything outside the generated parts alone", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-docs-"));
        const staleDoc = configDoc.replace(/\| `vpcCidr` \|[^\n]*\n/, "| `vpcCidr` | string | `10.1.0.0/16` | old text |\n| `gone` | string | — | removed |\n");
        expect(staleDoc).not.toBe(configDoc);
        const staleYaml = pulumiYaml.replace(/ {2}natStrategy:\n( {4}[^\n]*\n)+/, "");
        fs.mkdirSync(path.join(dir, "docs"));
        fs.writeFileSync(path.join(dir, "docs/configuration.md"), staleDoc);
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), staleYaml);

        expect(configDocs({ root: dir, check: true }).map((r) => r.changed)).toEqual([true, true]);
        expect(fs.readFileSync(path.join(dir, "docs/configuration.md"), "utf8")).toBe(staleDoc); // --check writes nothing
        expect(configDocs({ root: dir }).map((r) => r.changed)).toEqual([true, true]);
        expect(fs.readFileSync(path.join(dir, "docs/configuration.md"), "utf8")).toBe(configDoc);
        expect(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")).toBe(pulumiYaml);
        expect(configDocs({ root: dir }).map((r) => r.changed)).toEqual([false, false]);
    });
});

describe("generators", () => {
    const tricky: Record<string, SettingSpec> = {
        plain: { group: "general", type: "string", default: "a: b # not a comment", description: 'Quotes " and \\ backslash, a | pipe, unicode ≥ …' },
        needed: { group: "general", type: "string", required: true, description: "Must be set." },
        optional: { group: "network", type: "string", description: "No default." },
        optionalCount: { group: "network", type: "integer", description: "No default, not a string." },
        count: { group: "network", type: "integer", default: 0, description: "Zero is a default too." },
        flag: { group: "web", type: "boolean", default: false, description: "False is a default too." },
    };

    it.each([
        [tricky.plain, "`a: b # not a comment`"],
        [tricky.needed, "**required**"],
        [tricky.optional, "—"],
        [tricky.optionalCount, "—"],
        [tricky.count, "`0`"],
        [tricky.flag, "`false`"],
    ])("default cell of %j is %s", (spec, cell) => {
        expect(defaultCell(spec)).toBe(cell);
    });

    it("the YAML block parses back to the same types, defaults and descriptions, with a comment per group", () => {
        const block = pulumiConfigBlock(tricky);
        const parsed = (yaml.load(block) as { config: Record<string, any> }).config;
        for (const [key, spec] of Object.entries(tricky)) {
            const expectedDefault = spec.default !== undefined ? { default: spec.default } : spec.required ? {} : { default: "" };
            const declaredType = spec.default === undefined && !spec.required ? "string" : spec.type;
            expect(parsed[key]).toEqual({ type: declaredType, description: spec.description, ...expectedDefault });
        }
        expect(block.match(/^ {2}# ---- \w+ ----$/gm)).toEqual(["  # ---- general ----", "  # ---- network ----", "  # ---- web ----"]);
    });

    it("the table parses back, pipes included", () => {
        expect(parseConfigTable(configTable(tricky)).map((r) => [r.key, r.description])).toEqual(Object.entries(tricky).map(([k, s]) => [k, s.description]));
    });

    it("the page is the header, a title, the intro and the table, nothing else to keep by hand", () => {
        const doc = configurationDoc(tricky);
        expect(doc.startsWith(`${GENERATED_HEADER}\n\n# Configuration reference\n`)).toBe(true);
        expect(doc.endsWith(`\n${configTable(tricky)}\n`)).toBe(true);
        expect(parseConfigTable(doc).map((r) => r.key)).toEqual(Object.keys(tricky));
    });

    it("a missing page counts as stale and is written", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-docs-"));
        fs.mkdirSync(path.join(dir, "docs"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), pulumiYaml);
        expect(configDocs({ root: dir, check: true })).toEqual([
            { file: "docs/configuration.md", changed: true },
            { file: "Pulumi.yaml", changed: false },
        ]);
        configDocs({ root: dir });
        expect(fs.readFileSync(path.join(dir, "docs/configuration.md"), "utf8")).toBe(configDoc);
    });

    it("replaces the config section of Pulumi.yaml, keeping the keys before and after it", () => {
        const doc = "name: x\nconfig:\n  old:\n    type: string\n\nbackend:\n  url: file://.\n";
        expect(replacePulumiConfig(doc, { count: tricky.count })).toBe(
            'name: x\nconfig:\n  # ---- network ----\n  count:\n    type: integer\n    default: 0\n    description: "Zero is a default too."\n\nbackend:\n  url: file://.\n',
        );
        expect(replacePulumiConfig("name: x\n", { count: tricky.count })).toBe(`name: x\n${pulumiConfigBlock({ count: tricky.count })}\n`);
    });
});

describe("Pulumi.yaml defaults have the declared type (Pulumi's project validation refuses the project otherwise)", () => {
    const config = (yaml.load(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")) as { config: Record<string, { type: string; default?: unknown }> }).config;
    it.each(Object.entries(config))("`%s`", (_key, declared) => {
        if (declared.default === undefined) return;
        const expected = { string: "string", integer: "number", boolean: "boolean" }[declared.type];
        expect(typeof declared.default).toBe(expected);
        if (declared.type === "integer") expect(Number.isInteger(declared.default)).toBe(true);
    });
});

describe("the allowed-values cell says what infra/config.ts accepts", () => {
    it.each([
        [{ group: "general", type: "string", enum: ["a", "b"], description: "" }, "`a`, `b`"],
        [{ group: "general", type: "integer", min: 1, max: 5, description: "" }, "1–5"],
        [{ group: "general", type: "integer", min: 0, description: "" }, "≥ 0"],
        [{ group: "general", type: "string", pattern: /x/, patternHint: "an x", description: "" }, "an x"],
        [{ group: "general", type: "boolean", description: "" }, "`true`, `false`"],
        [{ group: "general", type: "string", description: "" }, "—"],
    ] as [SettingSpec, string][])("%j → %s", (spec, cell) => {
        expect(allowedCell(spec)).toBe(cell);
    });

    it("names lbAlgorithm's values and dbMonitoringIntervalSeconds' intervals in the generated page", () => {
        const row = (key: string) => parseConfigTable(configDoc).find((r) => r.key === key)!;
        expect(row("lbAlgorithm").allowed).toContain("`least_outstanding_requests`");
        expect(row("dbMonitoringIntervalSeconds").allowed).toBe("`1`, `5`, `10`, `15`, `30`, `60`");
    });
});
