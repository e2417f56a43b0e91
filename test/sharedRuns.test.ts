/**
 * test/sharedRuns.ts: a result computed once per jest run and read by the other files.
 * Each test points SHARED_RUNS_ENV at its own temp directory (the run's own is left alone).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SHARED_RUNS_ENV, shared } from "./sharedRuns";

let dir: string;
const runDir = process.env[SHARED_RUNS_ENV];
beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "shared-runs-test-"));
    process.env[SHARED_RUNS_ENV] = dir;
});
afterEach(() => {
    if (runDir === undefined) delete process.env[SHARED_RUNS_ENV];
    else process.env[SHARED_RUNS_ENV] = runDir;
    fs.rmSync(dir, { recursive: true, force: true });
});

describe("shared(key, compute)", () => {
    it("computes once; later calls get a copy of the stored value, undefined fields included", async () => {
        const compute = jest.fn(async () => ({ list: [1, { a: undefined, b: "x" }], n: 2 }));
        const first = await shared("k", compute);
        const second = await shared("k", compute);
        expect(compute).toHaveBeenCalledTimes(1);
        expect(second).toStrictEqual(first);
        expect(second).not.toBe(first);
        expect(Object.keys(second.list[1] as object)).toEqual(["a", "b"]);
        expect(fs.readdirSync(dir).filter((f) => f.endsWith(".bin"))).toHaveLength(1);
    });

    it("keeps keys apart", async () => {
        expect(await shared("a", async () => "A")).toBe("A");
        expect(await shared("b", async () => "B")).toBe("B");
        expect(await shared("a", async () => "not again")).toBe("A");
    });

    it("does not store an error: the next caller computes again and removes the lock", async () => {
        await expect(shared("k", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
        expect(fs.readdirSync(dir)).toEqual([]);
        expect(await shared("k", async () => "ok")).toBe("ok");
    });

    it("waits for another process holding the key's lock, then reads what it stored", async () => {
        // A child process takes the lock the way shared() does, then stores the value after 100 ms (the waiter polls every 20 ms).
        const script = `
            const fs = require("fs"), v8 = require("v8");
            const [file] = process.argv.slice(1);
            fs.writeFileSync(file + ".lock", String(process.pid), { flag: "wx" });
            process.stdout.write("locked\\n");
            setTimeout(() => { fs.writeFileSync(file, v8.serialize({ from: "child" })); fs.rmSync(file + ".lock"); }, 100);`;
        await shared("probe", async () => 0); // learn the key's file name
        const file = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith(".bin"))!);
        fs.rmSync(file);
        const child = spawn(process.execPath, ["-e", script, file], { stdio: ["ignore", "pipe", "inherit"] });
        await new Promise((resolve) => child.stdout!.once("data", resolve));
        const compute = jest.fn(async () => ({ from: "here" }));
        expect(await shared("probe", compute)).toEqual({ from: "child" });
        expect(compute).not.toHaveBeenCalled();
    });

    it("takes over a lock left by a process that died", async () => {
        await shared("k", async () => 0);
        const file = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith(".bin"))!);
        fs.rmSync(file);
        const dead = spawn(process.execPath, ["-e", ""]);
        await new Promise((resolve) => dead.on("exit", resolve));
        fs.writeFileSync(`${file}.lock`, String(dead.pid));
        expect(await shared("k", async () => "recomputed")).toBe("recomputed");
        expect(fs.existsSync(`${file}.lock`)).toBe(false);
    });

    it("just computes when no run directory is set (e.g. npm run plan)", async () => {
        delete process.env[SHARED_RUNS_ENV];
        const compute = jest.fn(async () => 1);
        await shared("k", compute);
        await shared("k", compute);
        expect(compute).toHaveBeenCalledTimes(2);
        expect(fs.readdirSync(dir)).toEqual([]);
    });
});
