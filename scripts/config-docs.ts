/**
 * `npm run docs [-- --check]`: regenerate docs/configuration.md and Pulumi.yaml's `config:` section
 * from infra/settings.ts. With `--check`, change nothing and exit 1 if either is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { SETTINGS } from "../infra/settings";
import { configurationDoc, replacePulumiConfig } from "./lib/configDocs";

const ROOT = path.resolve(__dirname, "..");

export interface DocsResult {
    readonly file: string;
    readonly changed: boolean;
}

/** Write (or, with `check`, only compare) the generated docs. */
export function configDocs(options: { root?: string; check?: boolean } = {}): DocsResult[] {
    const root = options.root ?? ROOT;
    const targets: [string, (text: string) => string][] = [
        ["docs/configuration.md", () => configurationDoc(SETTINGS)],
        ["Pulumi.yaml", (t) => replacePulumiConfig(t, SETTINGS)],
    ];
    return targets.map(([name, generate]) => {
        const file = path.join(root, name);
        // A missing generated page is stale, not an error: the first `npm run docs` writes it.
        const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
        const after = generate(before);
        const changed = after !== before;
        if (changed && !options.check) fs.writeFileSync(file, after);
        return { file: name, changed };
    });
}

if (require.main === module) {
    const check = process.argv.includes("--check");
    const results = configDocs({ check });
    for (const r of results) console.log(`${r.file}: ${r.changed ? (check ? "STALE (run `npm run docs`)" : "updated") : "up to date"}`);
    process.exit(check && results.some((r) => r.changed) ? 1 : 0);
}
