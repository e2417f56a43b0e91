/**
 * Jest globalSetup: a fresh directory for the results test files share within this run
 * (test/sharedRuns.ts); workers and the processes they spawn inherit its path from the environment.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SHARED_RUNS_ENV } from "./sharedRuns";

export default function globalSetup(): void {
    process.env[SHARED_RUNS_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), "web-infra-shared-runs-"));
}
