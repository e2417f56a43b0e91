#!/usr/bin/env node
// `npm test`: type-check, lint and jest, run at the same time; exits non-zero if any of them fails.
//
//   node scripts/test.js [jest args…]     what `npm test` runs (`npm test -- test/stack.test.ts` passes
//                                          the file to jest; type-check and lint still cover everything)
//   node scripts/test.js --bench           `npm run bench:test`: the same from cold caches (a fresh jest
//                                          cache directory, scripts/register.js's cache emptied), with
//                                          the machine and each phase's wall time
//
// Why at the same time: the three phases share nothing, and none keeps both CPUs busy throughout
// (tsc's native compiler finishes in ~2 s, eslint is single-threaded, jest's last suites run alone),
// so running them one after another left a core idle for about a third of the time. Each phase's
// output is held back and printed whole when it ends, so the three never interleave.
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.resolve(__dirname, "..");
const args = process.argv.slice(2);
const bench = args[0] === "--bench";
const jestArgs = bench ? args.slice(1) : args;

const bin = (pkg, file) => path.join(path.dirname(require.resolve(`${pkg}/package.json`, { paths: [root] })), file);

/** The phases of `npm test`; each is one process. */
const phases = [
    // TypeScript 7's native compiler (package alias typescript-native): see tsconfig.typecheck.json.
    // Single-threaded: its checker threads only compete with eslint and jest for the same CPUs; alone
    // it took 2.1 s wall and 4.0 s of CPU, single-threaded 2.2 s wall and 2.9 s of CPU.
    { name: "typecheck", argv: [bin("typescript-native", "bin/tsc"), "-p", "tsconfig.typecheck.json", "--singleThreaded"] },
    { name: "lint", argv: [bin("eslint", "bin/eslint.js"), "."] },
    // A young generation of up to 128 MiB (V8's default: 16) in jest, its workers and the processes the
    // tests spawn: the stack program and the module loading of every test file allocate short-lived
    // objects fast, and scavenges were ~13% of jest's CPU. Alone on 2 CPUs: 15.5 s wall / 26.6 s user
    // -> 13.9 s / 23.8 s; peak RSS of a process 0.72 -> 0.84 GB. (No effect on eslint's time.)
    // --no-opt (jest-worker passes it on to the workers): no optimizing compiler for code that mostly
    // runs once — module bodies, the stack program, each test. Jest alone: 13.9 s wall / 24.0 s user ->
    // 12.1-12.4 s / 20.2-20.6 s, measured three times each. Not for eslint, whose rules do run hot
    // (3.5 s wall / 4.9 s user -> 5.8-6.2 s / 6.2-6.6 s).
    { name: "jest", argv: ["--no-opt", bin("jest", "bin/jest.js"), ...jestArgs], env: { NODE_OPTIONS: [process.env.NODE_OPTIONS, "--max-semi-space-size=128"].filter(Boolean).join(" ") } },
];

const env = { ...process.env };
let coldDir;
if (bench) {
    coldDir = fs.mkdtempSync(path.join(os.tmpdir(), "web-infra-bench-"));
    phases[2].argv.push("--cacheDirectory", path.join(coldDir, "jest"));
    // scripts/register.js (the plan and preview-replacements CLIs the tests spawn) caches transpiled
    // files there; a fresh clone has none.
    fs.rmSync(path.join(root, "node_modules", ".cache", "web-infra-ts"), { recursive: true, force: true });
    const cpus = os.cpus();
    console.log(`machine: ${os.cpus().length} CPUs (nproc ${os.availableParallelism?.() ?? cpus.length}), ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`);
    console.log(`node ${process.version}, ${os.type()} ${os.release()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    console.log("caches: a fresh jest cache directory, scripts/register.js's cache emptied; tsc and eslint keep none");
}
if ((process.stdout.isTTY || process.stderr.isTTY) && env.FORCE_COLOR === undefined) env.FORCE_COLOR = "1";

const started = process.hrtime.bigint();
const seconds = (from, to = process.hrtime.bigint()) => Number(to - from) / 1e9;
console.log(`running ${phases.map((p) => p.name).join(", ")} at the same time…`);

function run(phase) {
    return new Promise((resolve) => {
        const t0 = process.hrtime.bigint();
        const chunks = [];
        const child = spawn(process.execPath, phase.argv, { cwd: root, env: { ...env, ...phase.env }, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout.on("data", (c) => chunks.push(c));
        child.stderr.on("data", (c) => chunks.push(c));
        child.on("error", (err) => chunks.push(Buffer.from(`${err.stack ?? err}\n`)));
        child.on("close", (code, signal) => {
            const result = { name: phase.name, ok: code === 0, status: signal ?? code, seconds: seconds(t0), sinceStart: seconds(started) };
            const output = Buffer.concat(chunks).toString();
            console.log(`\n== ${phase.name}: ${result.ok ? "passed" : `FAILED (exit ${result.status})`} in ${result.seconds.toFixed(1)} s`);
            if (output.trim() !== "") process.stdout.write(output.endsWith("\n") ? output : `${output}\n`);
            resolve(result);
        });
    });
}

Promise.all(phases.map(run)).then((results) => {
    if (coldDir) fs.rmSync(coldDir, { recursive: true, force: true });
    const total = seconds(started);
    const failed = results.filter((r) => !r.ok);
    console.log(`\n${bench ? "bench:test" : "npm test"}: ${results.map((r) => `${r.name} ${r.seconds.toFixed(1)} s`).join(", ")}; total ${total.toFixed(1)} s wall`);
    if (failed.length > 0) console.log(`failed: ${failed.map((r) => r.name).join(", ")}`);
    process.exitCode = failed.length > 0 ? 1 : 0;
});
