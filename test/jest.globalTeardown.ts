/** Jest globalTeardown: remove this run's shared results (test/sharedRuns.ts, test/jest.globalSetup.ts). */
import * as fs from "fs";
import { SHARED_RUNS_ENV } from "./sharedRuns";

export default function globalTeardown(): void {
    const dir = process.env[SHARED_RUNS_ENV];
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    delete process.env[SHARED_RUNS_ENV];
}
