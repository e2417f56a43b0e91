/**
 * Checks that keep the documentation navigable: every relative link in README.md and docs/ resolves
 * (to a file, and for `#anchor` links to a heading of the target), and every alarm that pages a person
 * names a runbook under docs/runbooks/ that exists. Pure functions over file contents plus one
 * `exists` callback; test/docs.test.ts runs them on the repository and on broken examples.
 */
import * as fs from "fs";
import * as path from "path";

/** Where runbooks live, relative to the repository root; alarm descriptions name them by this path. */
export const RUNBOOK_DIR = "docs/runbooks";

/** Markdown with fenced code blocks blanked (line count kept), so `# comments` and `[x](y)` in code are ignored. */
function withoutCode(markdown: string): string {
    return markdown.replace(/^([ \t]*)(```|~~~)[\s\S]*?^\1\2[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ""));
}

/**
 * GitHub's heading anchors: the heading text without inline markup, lower-cased, punctuation dropped
 * (letters, digits, spaces, `-` and `_` kept), each space a `-`; a repeated slug gets `-1`, `-2`, ….
 */
export function headingAnchors(markdown: string): Set<string> {
    const seen = new Map<string, number>();
    const out = new Set<string>();
    for (const [, text] of withoutCode(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
        const slug = text
            .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1") // a link in a heading counts by its text
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

/** Inline links and images `[text](target)` outside code: the target, without a title. */
export function linkTargets(markdown: string): string[] {
    const prose = withoutCode(markdown).replace(/`[^`\n]*`/g, "");
    return [...prose.matchAll(/!?\[[^\]]*\]\(\s*(?:<([^>\n]+)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? m[2]);
}

/** A link that leaves the repository (a URL, mail) rather than pointing at a file or a heading. */
const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);

export interface BrokenLink {
    /** The file the link is in, relative to the root. */
    readonly file: string;
    readonly target: string;
    readonly problem: string;
}

/**
 * Every relative link of `files` (paths relative to the root, `/`-separated) that does not resolve.
 * `read` gives a Markdown file's text (for anchors), `exists` whether a path (file or folder) exists.
 */
export function brokenLinks(files: readonly string[], read: (file: string) => string, exists: (file: string) => boolean): BrokenLink[] {
    const broken: BrokenLink[] = [];
    const anchorCache = new Map<string, Set<string>>();
    const anchorsOf = (file: string) => {
        if (!anchorCache.has(file)) anchorCache.set(file, headingAnchors(read(file)));
        return anchorCache.get(file)!;
    };
    for (const file of files) {
        for (const target of linkTargets(read(file))) {
            if (isExternal(target)) continue;
            const [rawPath, anchor] = target.split("#", 2) as [string, string | undefined];
            const resolved = rawPath === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURIComponent(rawPath)));
            if (resolved.startsWith("../") || path.posix.isAbsolute(resolved)) {
                broken.push({ file, target, problem: "points outside the repository" });
                continue;
            }
            if (!exists(resolved.replace(/\/$/, "") || ".")) {
                broken.push({ file, target, problem: `${resolved} does not exist` });
                continue;
            }
            if (anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(resolved).has(anchor)) {
                broken.push({ file, target, problem: `${resolved} has no heading with anchor #${anchor}` });
            }
        }
    }
    return broken;
}

/** README.md and every Markdown file under docs/, relative to `root`, sorted. */
export function markdownFiles(root: string): string[] {
    const out = ["README.md"];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
            const rel = `${dir}/${entry.name}`;
            if (entry.isDirectory()) walk(rel);
            else if (entry.name.endsWith(".md")) out.push(rel);
        }
    };
    if (fs.existsSync(path.join(root, "docs"))) walk("docs");
    return out.sort();
}

/** An alarm as declared: its name, description and the actions it takes on ALARM and OK. */
export interface DeclaredAlarm {
    readonly name: string;
    readonly description?: string;
    readonly actions: readonly string[];
}

/** Runbook paths an alarm description names (`docs/runbooks/<file>.md`). */
export function runbooksNamed(description: string | undefined): string[] {
    return [...(description ?? "").matchAll(/\bdocs\/runbooks\/[A-Za-z0-9._-]+\.md\b/g)].map((m) => m[0]);
}

/** An alarm reaches a person when one of its actions publishes to an SNS topic (e-mail, pager, chat). */
export const notifiesPerson = (alarm: DeclaredAlarm) => alarm.actions.some((a) => /^arn:[^:]+:sns:/.test(a));

/**
 * One line per alarm that pages a person without naming a runbook, or names one that does not exist.
 * Alarms without a person behind them (Route 53 health-check alarms, EC2 actions only) need none.
 */
export function alarmRunbookProblems(alarms: readonly DeclaredAlarm[], exists: (file: string) => boolean): string[] {
    const problems: string[] = [];
    for (const alarm of alarms.filter(notifiesPerson)) {
        const named = runbooksNamed(alarm.description);
        if (named.length === 0) problems.push(`${alarm.name}: notifies a person but names no runbook (${RUNBOOK_DIR}/<file>.md) in its description`);
        for (const file of named.filter((f) => !exists(f))) problems.push(`${alarm.name}: names ${file}, which does not exist`);
    }
    return problems;
}
