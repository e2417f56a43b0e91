/**
 * `architecture.html`: one self-contained page that renders the Mermaid diagram in a browser with no
 * network access. Mermaid's UMD bundle (mermaid 11, a devDependency) is inlined in a <script>.
 */
import * as fs from "fs";

/** Path of mermaid's browser bundle in node_modules. */
export function mermaidBundlePath(): string {
    return require.resolve("mermaid/dist/mermaid.min.js");
}

let bundleCache: string | undefined;

/**
 * The bundle made safe to inline: the HTML tokenizer ends a <script> at `</script` and treats `<!--`
 * specially inside it. Both only occur inside string and regex literals in the bundle, where `\x3C`
 * (and `<\/`) mean the same characters to JavaScript.
 */
export function inlineableMermaid(): string {
    bundleCache ??= fs
        .readFileSync(mermaidBundlePath(), "utf8")
        .replace(/<\/script/gi, "<\\/script")
        .replace(/<!--/g, "\\x3C!--");
    return bundleCache;
}

export function escapeHtml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export interface HtmlPage {
    readonly title: string;
    readonly diagram: string;
    /** Pre-rendered HTML shown under the diagram (the SPOF table, the summary). */
    readonly bodyHtml: string;
}

/** Render a small Markdown subset (tables, headings, lists, paragraphs, `code`, **bold**) to HTML. */
export function markdownToHtml(md: string): string {
    const inline = (s: string) =>
        escapeHtml(s)
            .replace(/`([^`]+)`/g, "<code>$1</code>")
            .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
    const cells = (row: string) =>
        row
            .replace(/^\||\|$/g, "")
            .split(/(?<!\\)\|/)
            .map((c) => c.trim().replace(/\\\|/g, "|"));
    const out: string[] = [];
    const lines = md.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        if (line.startsWith("|") && lines[i + 1]?.startsWith("|---")) {
            out.push("<table>", `<tr>${cells(line).map((c) => `<th>${inline(c)}</th>`).join("")}</tr>`);
            for (i += 2; i < lines.length && lines[i].startsWith("|"); i++) out.push(`<tr>${cells(lines[i]).map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`);
            out.push("</table>");
            i--;
        } else if (/^#{1,6} /.test(line)) {
            const level = line.indexOf(" ");
            out.push(`<h${level}>${inline(line.slice(level + 1))}</h${level}>`);
        } else if (line.startsWith("- ")) {
            out.push("<ul>");
            for (; i < lines.length && lines[i].startsWith("- "); i++) out.push(`<li>${inline(lines[i].slice(2))}</li>`);
            out.push("</ul>");
            i--;
        } else if (line.trim() !== "") {
            out.push(`<p>${inline(line)}</p>`);
        }
    }
    return out.join("\n");
}

export function architectureHtml(page: HtmlPage): string {
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
  table { border-collapse: collapse; margin: 1rem 0; }
  th, td { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; vertical-align: top; }
  code { background: #f4f4f4; padding: 0 .2rem; }
  #status { color: #666; font-size: .9rem; }
</style>
</head>
<body>
<h1>${escapeHtml(page.title)}</h1>
<p id="status">rendering diagram…</p>
<pre class="mermaid" id="diagram">
${escapeHtml(page.diagram)}
</pre>
${page.bodyHtml}
<script>
${inlineableMermaid()}
</script>
<script>
  // Render explicitly (not on the load event) and record the outcome in the DOM, so a headless
  // browser (scripts/check-html.sh) can tell a rendered diagram from a failed one.
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict", flowchart: { htmlLabels: true } });
  mermaid
    .run({ querySelector: "#diagram" })
    .then(function () {
      document.body.setAttribute("data-diagram", "rendered");
      document.getElementById("status").textContent = "";
    })
    .catch(function (e) {
      document.body.setAttribute("data-diagram", "failed");
      document.getElementById("status").textContent = "diagram failed to render: " + ((e && (e.message || e.str)) || e);
    });
</script>
</body>
</html>
`;
}
