// Jest testSequencer (jest.config.js): on a cold cache, the suites that run the stack program first,
// then the ones that spawn processes or load the TypeScript compiler.
//
// With timings from an earlier run, jest's own order stands (slowest first, so the last suites to
// finish are short ones). Without them — a fresh clone, CI, `npm run bench:test` — jest orders by
// file size, and the short files that run the whole stack program several times (stack-*.test.ts,
// plan.test.ts) started last and ran alone at the end while the other CPU idled.
"use strict";
const fs = require("fs");
const Sequencer = require("@jest/test-sequencer").default;

const RUNS_PROGRAM = /\brunStack\(|\bplan\(\{/;
// Next, the short files that are slow all the same: they spawn Node processes or load the TypeScript
// compiler. Ordered by size, test/lazyModules.test.ts (~1 s) started last and ran alone at the end.
const SLOW_FOR_ITS_SIZE = /\bspawnSync\(|\bspawn\(|lazy\/typescript-shim/;

class ProgramSuitesFirst extends Sequencer {
    sort(tests) {
        const sorted = super.sort(tests);
        if (sorted.some((test) => test.duration != null)) return sorted;
        const rank = (test) => {
            const source = fs.readFileSync(test.path, "utf8");
            return RUNS_PROGRAM.test(source) ? 0 : SLOW_FOR_ITS_SIZE.test(source) ? 1 : 2;
        };
        const ranks = new Map(sorted.map((test) => [test, rank(test)]));
        // Array.prototype.sort is stable: within a rank, jest's order (by size) stands.
        return [...sorted].sort((a, b) => ranks.get(a) - ranks.get(b));
    }
}

module.exports = ProgramSuitesFirst;
