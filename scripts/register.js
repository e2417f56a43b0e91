// A minimal TypeScript require hook: `node -r ./scripts/register.js scripts/plan.ts`.
//
// Transpile only (no type-check: that is `npm run typecheck`), with the installed `typescript`
// package's `transpileModule`, so the repository needs no ts-node/tsx. Each file is transpiled on
// first require; the result is cached under node_modules/.cache/web-infra-ts keyed by a hash of the
// source and the compiler version, which saves ~100 ms on later runs.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const Module = require("module");
const ts = require("typescript");

const root = path.resolve(__dirname, "..");
const tsconfig = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile).config ?? {};
const compilerOptions = {
    ...ts.convertCompilerOptionsFromJson(tsconfig.compilerOptions ?? {}, root).options,
    module: ts.ModuleKind.CommonJS,
    sourceMap: false,
    inlineSourceMap: true,
    inlineSources: false,
    declaration: false,
    noEmit: false,
};
const cacheDir = process.env.WEB_INFRA_TS_CACHE === "0" ? undefined : path.join(root, "node_modules", ".cache", "web-infra-ts");

function transpile(source, filename) {
    const key = crypto.createHash("sha1").update(ts.version).update("\0").update(filename).update("\0").update(source).digest("hex");
    const cached = cacheDir && path.join(cacheDir, `${key}.js`);
    if (cached) {
        try {
            return fs.readFileSync(cached, "utf8");
        } catch {
            // not cached yet
        }
    }
    const out = ts.transpileModule(source, { compilerOptions, fileName: filename, reportDiagnostics: false }).outputText;
    if (cached) {
        try {
            fs.mkdirSync(cacheDir, { recursive: true });
            fs.writeFileSync(`${cached}.${process.pid}`, out);
            fs.renameSync(`${cached}.${process.pid}`, cached);
        } catch {
            // a read-only tree just goes without the cache
        }
    }
    return out;
}

Module._extensions[".ts"] = function (module, filename) {
    module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
};
