/**
 * "Did you mean …?" for a mistyped setting key. Pure.
 *
 * A key is close when it differs only in case or separators (`db_name`, `DBNAME`), when one is the
 * other with characters added or dropped at the end (`alarmDbCpu` → `alarmDbCpuPercent`), or
 * when few single-character edits separate them (Damerau-Levenshtein: a swap such as `dbNmae` counts
 * once). The distance allowed grows with the key's length: a third of it, at least 2. A prefix of at
 * least 4 characters (`alarmDb`) ranks after every key within that distance.
 */

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}

const fold = (s: string) => s.toLowerCase().replace(/[-_.\s]/g, "");

/**
 * The known keys closest to `key` (the best ones, at most 3, alphabetical), or none when nothing is
 * close enough to be a likely typo.
 */
export function closestKeys(key: string, known: readonly string[]): string[] {
    const k = fold(key);
    const scored = known
        .map((candidate) => {
            const c = fold(candidate);
            if (c === k) return { candidate, score: 0 };
            // One is the start of the other (a truncated or extended key).
            const prefix = (c.startsWith(k) || k.startsWith(c)) && Math.min(c.length, k.length) >= 4;
            const distance = editDistance(k, c);
            const allowed = Math.max(2, Math.floor(Math.max(k.length, c.length) / 3));
            if (distance <= allowed) return { candidate, score: distance };
            if (prefix) return { candidate, score: allowed + 1 };
            return undefined;
        })
        .filter((s): s is { candidate: string; score: number } => s !== undefined)
        .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate));
    // Only the best: an exact match hides the rest, a one-letter typo hides the two-letter ones.
    return scored
        .filter((s) => s.score === scored[0].score)
        .slice(0, 3)
        .map((s) => s.candidate);
}
