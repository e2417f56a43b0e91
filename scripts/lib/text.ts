/**
 * Plain-text helpers for what the plan prints and writes: counts with the right plural, and prose
 * wrapped to the plan's line width. Pure.
 */

/**
 * The widest line the plan prints or writes as prose (terminal report, PLAN.md outside tables and
 * code blocks): readable in a terminal, a pull-request comment and a side-by-side diff.
 */
export const MAX_LINE_WIDTH = 120;

/** `1 zone`, `2 zones`, `0 zones`; `many` for irregular plurals (`plural(2, "policy", "policies")`). */
export function plural(n: number, one: string, many = `${one}s`): string {
    return `${n} ${n === 1 ? one : many}`;
}

/**
 * `text` wrapped at spaces so no line is wider than `width` (a word longer than a line stays whole
 * on a line of its own). The first line starts with `first`, the others with `rest` (a hanging indent).
 */
export function wrap(text: string, width = MAX_LINE_WIDTH, first = "", rest = first): string {
    const lines: string[] = [];
    let line = first;
    let empty = true;
    for (const word of text.split(/ +/).filter((w) => w !== "")) {
        if (!empty && line.length + 1 + word.length > width) {
            lines.push(line);
            line = rest + word;
        } else {
            line += (empty ? "" : " ") + word;
        }
        empty = false;
    }
    lines.push(line);
    return lines.join("\n");
}

/**
 * Markdown with every prose line wrapped to `width`: paragraphs, list items (continued under their
 * text) and bold lines. Table rows, headings, HTML and fenced code blocks are left as they are: a
 * Markdown table row can't be wrapped, and code is what it is.
 */
export function wrapMarkdown(markdown: string, width = MAX_LINE_WIDTH): string {
    let fenced = false;
    return markdown
        .split("\n")
        .map((line) => {
            if (line.startsWith("```")) fenced = !fenced;
            if (fenced || line.startsWith("```") || line.length <= width || /^\s*(\||#|<)/.test(line)) return line;
            const item = /^(\s*(?:[-*]|\d+\.) )(.*)$/.exec(line);
            if (item) return wrapProse(item[2], width, item[1], " ".repeat(item[1].length));
            const indent = /^\s*/.exec(line)![0];
            return wrapProse(line.trim(), width, indent);
        })
        .join("\n");
}

/** A word Markdown reads as the start of a list, a heading or a quote when it begins a line. */
const BLOCK_MARKER = /^([-+*>#]|\d+[.)])$/;

/**
 * `wrap` for Markdown prose: an inline code span (`…`) stays whole, spaces inside it kept (unless it is
 * longer than a line), and no
 * continuation line starts with a word Markdown would read as a list item, heading or quote (`- `,
 * `+ `, `1. `, `#`, `>`): the word before it moves down with it.
 */
export function wrapProse(text: string, width = MAX_LINE_WIDTH, first = "", rest = first): string {
    // Words: split on spaces outside code spans.
    const words: string[] = [];
    let current = "";
    let inCode = false;
    for (const ch of text) {
        if (ch === "`") inCode = !inCode;
        if (ch === " " && !inCode) {
            if (current !== "") words.push(current);
            current = "";
        } else current += ch;
    }
    if (current !== "") words.push(current);
    // A code span longer than a line cannot stay whole: it is broken at its spaces like prose.
    const room = width - Math.max(first.length, rest.length);
    const fitted = words.flatMap((w) => (w.length > room && w.includes(" ") ? w.split(/ +/) : [w]));
    words.splice(0, words.length, ...fitted);
    const lines: string[][] = [[]];
    const lengthOf = (ws: string[], prefix: string) => prefix.length + ws.join(" ").length;
    for (const word of words) {
        const line = lines[lines.length - 1];
        const prefix = lines.length === 1 ? first : rest;
        if (line.length > 0 && lengthOf([...line, word], prefix) > width) {
            // Never begin a continuation line with a block marker: carry the previous word along.
            if (BLOCK_MARKER.test(word) && line.length > 1) lines.push([line.pop()!, word]);
            else lines.push([word]);
        } else line.push(word);
    }
    return lines.map((ws, i) => (i === 0 ? first : rest) + ws.join(" ")).join("\n");
}

/** Lines of `text` wider than `width`, outside Markdown tables and fenced code: what a test forbids. */
export function overlongLines(text: string, width = MAX_LINE_WIDTH, markdown = false): string[] {
    let fenced = false;
    return text.split("\n").filter((line) => {
        if (markdown && line.startsWith("```")) {
            fenced = !fenced;
            return false;
        }
        if (markdown && (fenced || line.startsWith("|"))) return false;
        return line.length > width;
    });
}
