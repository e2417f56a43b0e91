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
            if (item) return wrap(item[2], width, item[1], " ".repeat(item[1].length));
            const indent = /^\s*/.exec(line)![0];
            return wrap(line.trim(), width, indent);
        })
        .join("\n");
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
