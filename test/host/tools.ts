/**
 * Host tools for the host-tool suites (`npm run test:host`): the real programs that check what the
 * servers run (cloud-init, nginx, shellcheck, Debian's python3 with PyYAML and jsonschema) and the
 * AWS API emulator (`moto_server`). `npm test` never needs any of them.
 *
 * A missing tool fails the test with the Debian package (or pip package) that provides it, never skips:
 * a host check that silently skips is a check nobody runs.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** Where each tool comes from (what `.ci/run` installs). */
export const TOOL_PACKAGES: Readonly<Record<string, string>> = {
    "cloud-init": "cloud-init",
    nginx: "nginx-light",
    shellcheck: "shellcheck",
    curl: "curl",
    python3: "python3",
    moto_server: "moto[server] (pip; preinstalled on the project's machine image)",
};

/** The first executable `command` on PATH (or in the sbin directories, where Debian puts nginx). */
export function findTool(command: string): string | undefined {
    const dirs = [...(process.env.PATH ?? "").split(":").filter(Boolean), "/usr/sbin", "/sbin", "/usr/local/sbin"];
    for (const dir of dirs) {
        const candidate = path.join(dir, command);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            return candidate;
        } catch {
            // not here
        }
    }
    return undefined;
}

/** The tool's path, or an error naming the package to install. */
export function requireTool(command: string, pkg: string = TOOL_PACKAGES[command] ?? command): string {
    const found = findTool(command);
    if (found === undefined) {
        throw new Error(
            `\`${command}\` is not installed: install ${pkg} (\`bash .ci/run\` installs the host tools). ` +
                "Host-tool tests run the real tool on purpose and fail rather than skip without it.",
        );
    }
    return found;
}

/**
 * Debian's python3 (the interpreter cloud-init runs on; a pyenv one may shadow it on PATH) with
 * `module` importable, or an error naming the Debian package (e.g. python3-yaml).
 */
export function requirePythonModule(module: string, debianPackage: string): string {
    const python = fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : requireTool("python3");
    try {
        execFileSync(python, ["-c", `import ${module}`], { stdio: "ignore", timeout: 20_000 });
    } catch {
        throw new Error(`python module \`${module}\` is missing for ${python}: install ${debianPackage} (\`bash .ci/run\` installs it).`);
    }
    return python;
}
