/**
 * The config reference, generated from `infra/settings.ts` (the single source of truth): the README
 * table between `<!-- config-table:start -->` and `<!-- config-table:end -->`, and the `config:`
 * section of `Pulumi.yaml`. Pure string functions; scripts/config-docs.ts writes the files and
 * test/configDocs.test.ts checks the three agree.
 */
import type { SettingSpec } from "../../infra/settings";

export const TABLE_START = "<!-- config-table:start -->";
export const TABLE_END = "<!-- config-table:end -->";

type Settings = Readonly<Record<string, SettingSpec>>;

/** The README cell for a default: `` `value` ``, **required**, or — for an optional key without one. */
export function defaultCell(spec: SettingSpec): string {
    if (spec.required) return "**required**";
    if (spec.default === undefined) return "—";
    return `\`${String(spec.default)}\``;
}

const mdCell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The Markdown table (header + one row per setting, in declaration order). */
export function readmeTable(settings: Settings): string {
    const rows = Object.entries(settings).map(([key, s]) => `| \`${key}\` | ${s.type} | ${defaultCell(s)} | ${mdCell(s.description)} |`);
    return ["| key | type | default | description |", "|---|---|---|---|", ...rows].join("\n");
}

/** A YAML scalar for a default: strings double-quoted (JSON quoting is valid YAML), others bare. */
function yamlScalar(value: string | number | boolean): string {
    return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** The `config:` block of Pulumi.yaml, with a comment line per group. */
export function pulumiConfigBlock(settings: Settings): string {
    const lines = ["config:"];
    let group: string | undefined;
    for (const [key, s] of Object.entries(settings)) {
        if (s.group !== group) {
            group = s.group;
            lines.push(`  # ---- ${group} ----`);
        }
        lines.push(`  ${key}:`, `    type: ${s.type}`);
        // Pulumi requires every stack to set a declared key that has no default, so an optional setting
        // without one declares `default: ""` (parseConfig reads "" as unset). Required ones keep none.
        if (s.default !== undefined) lines.push(`    default: ${yamlScalar(s.default)}`);
        else if (!s.required) lines.push(`    default: ""`);
        lines.push(`    description: ${JSON.stringify(s.description)}`);
    }
    return lines.join("\n");
}

/** README with the table between the markers replaced; throws when the markers are missing. */
export function replaceReadmeTable(readme: string, settings: Settings): string {
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    if (start < 0 || end < start) throw new Error(`README.md must contain ${TABLE_START} … ${TABLE_END}`);
    return `${readme.slice(0, start + TABLE_START.length)}\n${readmeTable(settings)}\n${readme.slice(end)}`;
}

/**
 * Pulumi.yaml with its top-level `config:` section replaced (up to the next top-level key or the end),
 * everything else kept byte for byte.
 */
export function replacePulumiConfig(pulumiYaml: string, settings: Settings): string {
    const lines = pulumiYaml.split("\n");
    const start = lines.findIndex((l) => /^config:\s*$/.test(l));
    const block = pulumiConfigBlock(settings).split("\n");
    if (start < 0) {
        const trimmed = pulumiYaml.replace(/\n*$/, "");
        return `${trimmed}\n${block.join("\n")}\n`;
    }
    let end = start + 1;
    while (end < lines.length && (lines[end] === "" || /^\s/.test(lines[end]))) end++;
    // Keep blank lines that separate the block from a following key.
    let tail = end;
    while (tail > start + 1 && lines[tail - 1] === "") tail--;
    return [...lines.slice(0, start), ...block, ...lines.slice(tail)].join("\n").replace(/\n*$/, "\n");
}

export interface TableRow {
    readonly key: string;
    readonly type: string;
    readonly default: string;
    readonly description: string;
}

/** Parse the README's config table back into rows (for the agreement test). */
export function parseReadmeTable(readme: string): TableRow[] {
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    if (start < 0 || end < start) throw new Error(`README.md must contain ${TABLE_START} … ${TABLE_END}`);
    return readme
        .slice(start + TABLE_START.length, end)
        .split("\n")
        .filter((l) => l.startsWith("| `"))
        .map((l) => {
            const cells = l
                .replace(/^\|\s*|\s*\|$/g, "")
                .split(/\s*(?<!\\)\|\s*/)
                .map((c) => c.replace(/\\\|/g, "|"));
            return { key: cells[0].replace(/`/g, ""), type: cells[1], default: cells[2], description: cells.slice(3).join(" | ") };
        });
}
