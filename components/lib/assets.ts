/**
 * The files under `components/assets/`: what the servers run (shell scripts, systemd units, nginx
 * configuration, the Python probe, the CloudWatch agent configuration), kept as real files so that
 * shellcheck, nginx, python3 and editors see them exactly as they are shipped. The renderers read them
 * here; a few are templates with `{{name}}` placeholders filled by `fillTemplate`, everything else is
 * shipped byte for byte.
 *
 * Where they are: `components/assets/` when running from source (ts-node, jest), and
 * `dist/components/assets/` in the built package, where `npm run build` copies them (tsc compiles only
 * TypeScript). Both are `../assets` from this file's directory.
 */
import * as fs from "fs";
import * as path from "path";

/** The assets directory, resolved next to this module (source or build). */
export const ASSETS_DIR = path.resolve(__dirname, "..", "assets");

const cache = new Map<string, string>();

/** The text of an asset, by its path under `components/assets/` (e.g. `web/publish.sh`). */
export function readAsset(name: string): string {
    let text = cache.get(name);
    if (text === undefined) {
        const file = path.join(ASSETS_DIR, name);
        try {
            text = fs.readFileSync(file, "utf8");
        } catch (e) {
            throw new Error(
                `web-infra asset \`${name}\` is missing from ${ASSETS_DIR} (${(e as Error).message}): ` +
                    "a build must copy components/assets/ to dist/components/assets/, as `npm run build` does",
            );
        }
        cache.set(name, text);
    }
    return text;
}

/** `{{name}}`: a letter, then letters and digits. */
const PLACEHOLDER = /\{\{([A-Za-z][A-Za-z0-9]*)\}\}/g;
/**
 * What still looks like a placeholder after filling (a malformed one, or one a value brought in). Only
 * the opening: `}}` is ordinary text in shell (`${a:-${b}}`) and JSON.
 */
const LEFTOVER = /\{\{/;

/** The distinct placeholder names in `text`, sorted. */
export function placeholdersOf(text: string): string[] {
    return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))].sort();
}

/**
 * Fill the template `name` (its `text`): every placeholder in the text must be in `allowed`, every
 * allowed one must occur in the text and have a value, no value may be for anything else, and nothing
 * placeholder-like (`{{`) may be left afterwards. Values are inserted as they are: callers
 * validate them for the file's syntax (paths, ports, names) before calling.
 */
export function fillTemplate(name: string, text: string, allowed: readonly string[], values: Readonly<Record<string, string>>): string {
    const list = (names: readonly string[]) => names.map((n) => `{{${n}}}`).join(", ");
    const found = placeholdersOf(text);
    const unknown = found.filter((p) => !allowed.includes(p));
    if (unknown.length > 0) {
        throw new Error(`template ${name} uses ${list(unknown)}, which is not an allowed placeholder (allowed: ${list(allowed)})`);
    }
    const unused = allowed.filter((p) => !found.includes(p));
    if (unused.length > 0) {
        throw new Error(`template ${name} does not use the allowed placeholder ${list(unused)}: drop it from the list or put it in the file`);
    }
    const missing = allowed.filter((p) => values[p] === undefined);
    if (missing.length > 0) {
        throw new Error(`template ${name} needs a value for ${list(missing)}`);
    }
    const extra = Object.keys(values).filter((k) => !allowed.includes(k));
    if (extra.length > 0) {
        throw new Error(`template ${name} has no placeholder ${list(extra)} (allowed: ${list(allowed)})`);
    }
    const filled = text.replace(PLACEHOLDER, (_match, key: string) => values[key]);
    const leftover = filled.split("\n").findIndex((line) => LEFTOVER.test(line));
    if (leftover >= 0) {
        throw new Error(`template ${name} still holds "{{" after filling, on line ${leftover + 1}: ${JSON.stringify(filled.split("\n")[leftover])}`);
    }
    return filled;
}
