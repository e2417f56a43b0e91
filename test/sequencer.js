// Jest testSequencer (jest.config.js): on a cold cache, the suites that run the stack program first.
//
// With timings from an earlier run, jest's own order stands (slowest first, so the last suites to
// finish are short ones). Without them — a fresh clone, CI, `npm run bench:test` — jest orders by
// file size, and the short files that run the whole stack program several times (stack-*.test.ts,
// plan.test.ts) started last and ran alone at the end while the other CPU idled.
"use strict";
const fs = require("fs");
const Sequencer = require("@jest/test-sequencer").default;

const RUNS_PROGRAM = /\brunStack\(|\bplan\(\{/;

class ProgramSuitesFirst extends Sequencer {
    sort(tests) {
        const sorted = super.sort(tests);
        if (sorted.some((test) => test.duration != null)) return sorted;
        const runsProgram = new Set(sorted.filter((test) => RUNS_PROGRAM.test(fs.readFileSync(test.path, "utf8"))));
        return [...sorted.filter((test) => runsProgram.has(test)), ...sorted.filter((test) => !runsProgram.has(test))];
    }
}

module.exports = ProgramSuitesFirst;
