/**
 * Results computed once per jest run and shared by every test file (and the processes they spawn).
 *
 * Jest runs each test file in its own module registry, often in another worker process, so a stack
 * program that five files run with the same config used to run five times (~0.5 s of CPU each). Here
 * the first file to need a result computes it and stores it, serialized with `v8.serialize` (which
 * keeps `undefined` values, unlike JSON), in a directory that `jest.globalSetup.ts` creates for this
 * run only and `jest.globalTeardown.ts` removes: nothing survives the run, so a result can never be
 * stale and a fresh clone behaves like every other run. A file that asks while another computes the
 * same key waits for it rather than computing it twice. Errors are not stored: whoever asks next
 * computes again and gets the error itself.
 *
 * Outside jest (e.g. `npm run plan`) the variable is unset and `shared` just calls `compute`.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as v8 from "v8";

/** The environment variable naming this run's directory (set by `test/jest.globalSetup.ts`). */
export const SHARED_RUNS_ENV = "WEB_INFRA_SHARED_RUNS";

/** How long to wait for another process computing the same key before computing it here. */
const WAIT_LIMIT_MS = 120_000;

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

/**
 * `v8.deserialize` builds objects with the prototypes of Node's own realm, not of the jest sandbox
 * that asked: `toStrictEqual` then tells them from equal literals and `instanceof Object` is false.
 * Rebuild plain objects and arrays here, in the caller's realm.
 */
function toThisRealm(value: unknown): unknown {
    if (Array.isArray(value)) return Array.from(value, toThisRealm);
    if (value === null || typeof value !== "object" || Object.prototype.toString.call(value) !== "[object Object]") return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toThisRealm(item);
    return out;
}

/**
 * The value stored under `key` in this run's directory, or `compute()`'s value, stored for the
 * other files. `compute` must return plain data (objects, arrays, primitives, `undefined`).
 */
export async function shared<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const dir = process.env[SHARED_RUNS_ENV];
    if (!dir || !fs.existsSync(dir)) return compute();
    const file = path.join(dir, `${crypto.createHash("sha256").update(key).digest("hex").slice(0, 32)}.bin`);
    const lock = `${file}.lock`;
    const started = Date.now();
    for (;;) {
        try {
            return toThisRealm(v8.deserialize(fs.readFileSync(file))) as T;
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        }
        let owner: number | undefined;
        try {
            fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
            owner = Number(fs.readFileSync(lock, "utf8").trim() || NaN);
        }
        if (owner === undefined) {
            try {
                const value = await compute();
                fs.writeFileSync(`${file}.${process.pid}`, v8.serialize(value));
                fs.renameSync(`${file}.${process.pid}`, file);
                return value;
            } finally {
                fs.rmSync(lock, { force: true });
            }
        }
        // Another process computes it. A holder that died (a killed worker) leaves its lock behind.
        if (Number.isInteger(owner) && owner !== process.pid && !alive(owner)) {
            fs.rmSync(lock, { force: true });
            continue;
        }
        // The same process holds it (two runs of one key started concurrently in one file), or the
        // holder is stuck: compute here rather than wait forever.
        if (owner === process.pid || Date.now() - started > WAIT_LIMIT_MS) return compute();
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}
