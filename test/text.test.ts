import { MAX_LINE_WIDTH, overlongLines, plural, wrap, wrapMarkdown } from "../scripts/lib/text";

describe("plural", () => {
    it.each<[number, string, string | undefined, string]>([
        [0, "zone", undefined, "0 zones"],
        [1, "zone", undefined, "1 zone"],
        [2, "zone", undefined, "2 zones"],
        [1, "policy", "policies", "1 policy"],
        [3, "policy", "policies", "3 policies"],
        [1, "warm standby", "warm standbys", "1 warm standby"],
    ])("plural(%d, %j, %j) = %j", (n, one, many, expected) => {
        expect(plural(n, one, many)).toBe(expected);
    });
});

describe("wrap", () => {
    const words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu";

    it("keeps every line within the width, at word boundaries, with a hanging indent", () => {
        const out = wrap(words, 20, "- ", "  ");
        const lines = out.split("\n");
        expect(lines.length).toBeGreaterThan(1);
        for (const line of lines) expect(line.length).toBeLessThanOrEqual(20);
        expect(lines[0].startsWith("- alpha")).toBe(true);
        for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}\S/);
        // Nothing lost or reordered.
        expect(out.replace(/^- /, "").split(/\s+/).join(" ")).toBe(words);
    });

    it("leaves a short text on one line and a word longer than the width whole", () => {
        expect(wrap("short text", 80)).toBe("short text");
        expect(wrap(`a ${"x".repeat(30)} b`, 10)).toBe(`a\n${"x".repeat(30)}\nb`);
    });

    it("defaults to the plan's width of 120", () => {
        expect(MAX_LINE_WIDTH).toBe(120);
        const lines = wrap(words.repeat(10)).split("\n");
        expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(120);
        expect(lines.length).toBeGreaterThan(1);
    });
});

describe("wrapMarkdown", () => {
    const prose = "word ".repeat(40).trim();

    it("wraps paragraphs and list items (continued under their text), not tables, headings, HTML or code", () => {
        const row = `| ${prose} | x |`;
        const code = `    ${prose}`;
        const md = [prose, `- ${prose}`, row, `## ${prose}`, `<summary>${prose}</summary>`, "```", code, "```"].join("\n");
        const out = wrapMarkdown(md, 60).split("\n");
        expect(out).toContain(row);
        expect(out).toContain(`## ${prose}`);
        expect(out).toContain(`<summary>${prose}</summary>`);
        expect(out).toContain(code);
        expect(overlongLines(out.join("\n"), 60, true)).toEqual([`## ${prose}`, `<summary>${prose}</summary>`]);
        const item = out.findIndex((l) => l.startsWith("- word"));
        expect(out[item + 1]).toMatch(/^ {2}word/);
    });
});

describe("wrapProse (Markdown prose)", () => {
    it("never starts a continuation line with a list, heading or quote marker", async () => {
        const { wrapProse } = await import("../scripts/lib/text");
        for (const marker of ["-", "+", "*", "1.", "2)", "#", ">"]) {
            const text = `${"word ".repeat(20)}costs $3 ${marker} $0.03 a month and ${"more ".repeat(10)}`;
            for (const width of [40, 60, 80, 101, 102, 103]) {
                const lines = wrapProse(text, width).split("\n");
                for (const l of lines.slice(1)) expect(l.split(" ")[0]).not.toMatch(/^([-+*>#]|\d+[.)])$/);
                expect(lines.join(" ")).toBe(text.trim().replace(/ +/g, " "));
            }
        }
    });

    it("keeps an inline code span whole, its inner spaces included", async () => {
        const { wrapProse } = await import("../scripts/lib/text");
        const text = `${"word ".repeat(15)}\`aws  rds describe-db-instances --query x\` ${"tail ".repeat(5)}`;
        const out = wrapProse(text, 60);
        expect(out.replace(/\n/g, " ")).toContain("`aws  rds describe-db-instances --query x`");
    });
});
