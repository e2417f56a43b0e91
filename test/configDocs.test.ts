/**
 * The config reference exists three times — infra/settings.ts (the source), Pulumi.yaml's `config:`
 * and the README table — and must say the same thing. `npm run docs` regenerates the last two.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { SETTINGS, SettingSpec } from "../infra/settings";
import {
    TABLE_END,
    TABLE_START,
    defaultCell,
    parseReadmeTable,
    pulumiConfigBlock,
    readmeTable,
    replacePulumiConfig,
    replaceReadmeTable,
} from "../scripts/lib/configDocs";
import { configDocs } from "../scripts/config-docs";
import { stackConfig, stackNames } from "./mocks";

const ROOT = path.resolve(__dirname, "..");
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const pulumiYaml = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
const entries = Object.entries(SETTINGS) as [string, SettingSpec][];

describe("README config table ⇔ infra/settings.ts", () => {
    const rows = parseReadmeTable(readme);

    it("lists every setting once, in declaration order, and nothing else", () => {
        expect(rows.map((r) => r.key)).toEqual(entries.map(([k]) => k));
    });

    it.each(entries)("`%s`: type, default and description match", (key, spec) => {
        const row = rows.find((r) => r.key === key);
        expect(row).toEqual({ key, type: spec.type, default: defaultCell(spec), description: spec.description });
    });
});

describe("Pulumi.yaml config ⇔ infra/settings.ts", () => {
    const config = (yaml.load(pulumiYaml) as { config: Record<string, { type: string; default?: unknown; description: string }> }).config;

    it("declares every setting, in declaration order, and nothing else", () => {
        expect(Object.keys(config)).toEqual(entries.map(([k]) => k));
    });

    it.each(entries)("`%s`: type, typed default and description match", (key, spec) => {
        const declared = config[key];
        expect(declared.type).toBe(spec.type);
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
    it("finds README.md and Pulumi.yaml up to date (else run `npm run docs`)", () => {
        expect(configDocs({ root: ROOT, check: true })).toEqual([
            { file: "README.md", changed: false },
            { file: "Pulumi.yaml", changed: false },
        ]);
    });

    it("rewrites stale files and leaves everything outside the generated parts alone", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-docs-"));
        const staleReadme = readme.replace(/\| `vpcCidr` \|[^\n]*\n/, "| `vpcCidr` | string | `10.1.0.0/16` | old text |\n| `gone` | string | — | removed |\n");
        const staleYaml = pulumiYaml.replace(/ {2}natStrategy:\n( {4}[^\n]*\n)+/, "");
        fs.writeFileSync(path.join(dir, "README.md"), staleReadme);
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), staleYaml);

        expect(configDocs({ root: dir, check: true }).map((r) => r.changed)).toEqual([true, true]);
        expect(fs.readFileSync(path.join(dir, "README.md"), "utf8")).toBe(staleReadme); // --check writes nothing
        expect(configDocs({ root: dir }).map((r) => r.changed)).toEqual([true, true]);
        expect(fs.readFileSync(path.join(dir, "README.md"), "utf8")).toBe(readme);
        expect(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")).toBe(pulumiYaml);
        expect(configDocs({ root: dir }).map((r) => r.changed)).toEqual([false, false]);
    });
});

describe("generators", () => {
    const tricky: Record<string, SettingSpec> = {
        plain: { group: "general", type: "string", default: "a: b # not a comment", description: 'Quotes " and \\ backslash, a | pipe, unicode ≥ …' },
        needed: { group: "general", type: "string", required: true, description: "Must be set." },
        optional: { group: "network", type: "string", description: "No default." },
        count: { group: "network", type: "integer", default: 0, description: "Zero is a default too." },
        flag: { group: "web", type: "boolean", default: false, description: "False is a default too." },
    };

    it.each([
        [tricky.plain, "`a: b # not a comment`"],
        [tricky.needed, "**required**"],
        [tricky.optional, "—"],
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
            expect(parsed[key]).toEqual({ type: spec.type, description: spec.description, ...expectedDefault });
        }
        expect(block.match(/^ {2}# ---- \w+ ----$/gm)).toEqual(["  # ---- general ----", "  # ---- network ----", "  # ---- web ----"]);
    });

    it("the README table parses back, pipes included", () => {
        const doc = `x\n${TABLE_START}\n${readmeTable(tricky)}\n${TABLE_END}\ny\n`;
        expect(parseReadmeTable(doc).map((r) => [r.key, r.description])).toEqual(Object.entries(tricky).map(([k, s]) => [k, s.description]));
    });

    it("replaces only between the markers, and refuses a README without them", () => {
        const doc = `before\n${TABLE_START}\nold\n${TABLE_END}\nafter\n`;
        expect(replaceReadmeTable(doc, tricky)).toBe(`before\n${TABLE_START}\n${readmeTable(tricky)}\n${TABLE_END}\nafter\n`);
        expect(() => replaceReadmeTable("no markers", tricky)).toThrow(`README.md must contain ${TABLE_START} … ${TABLE_END}`);
    });

    it("replaces the config section of Pulumi.yaml, keeping the keys before and after it", () => {
        const doc = "name: x\nconfig:\n  old:\n    type: string\n\nbackend:\n  url: file://.\n";
        expect(replacePulumiConfig(doc, { count: tricky.count })).toBe(
            'name: x\nconfig:\n  # ---- network ----\n  count:\n    type: integer\n    default: 0\n    description: "Zero is a default too."\n\nbackend:\n  url: file://.\n',
        );
        expect(replacePulumiConfig("name: x\n", { count: tricky.count })).toBe(`name: x\n${pulumiConfigBlock({ count: tricky.count })}\n`);
    });
});

describe("README links", () => {
    /** GitHub's heading anchors: lower case, punctuation dropped, spaces → '-', repeats get -1, -2… */
    function anchors(markdown: string): Set<string> {
        const seen = new Map<string, number>();
        const out = new Set<string>();
        const body = markdown.replace(/```[\s\S]*?```/g, "");
        for (const [, text] of body.matchAll(/^#{1,6} (.+)$/gm)) {
            const slug = text
                .trim()
                .toLowerCase()
                .replace(/[^\p{L}\p{N} _-]/gu, "")
                .replace(/ /g, "-");
            const n = seen.get(slug) ?? 0;
            seen.set(slug, n + 1);
            out.add(n === 0 ? slug : `${slug}-${n}`);
        }
        return out;
    }

    it("every #anchor link points at a heading (the runbook index stays valid as sections change)", () => {
        const known = anchors(readme);
        const links = [...readme.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
        expect(links.length).toBeGreaterThan(5);
        expect(links.filter((l) => !known.has(l))).toEqual([]);
    });

    it("every relative file link points at a file of the repository", () => {
        const files = [...readme.matchAll(/\]\((?!https?:|#|mailto:)([^)#\s]+)[^)]*\)/g)].map((m) => m[1]);
        expect(files.filter((f) => !fs.existsSync(path.join(ROOT, f)))).toEqual([]);
    });
});
