// A minimal TypeScript require hook: `node -r ./scripts/register.js scripts/plan.ts`.
//
// Transpile only (no type-check: that is `npm run typecheck`), so the repository needs no ts-node/tsx:
// with @swc/core (the transform jest uses) when it is installed — a cold `npm run plan` transpiles the
// whole program in ~0.1 s instead of ~1.5 s — else with the `typescript` package's `transpileModule`.
// Each file is transpiled on first require; the result is cached under node_modules/.cache/web-infra-ts
// keyed by a hash of the source and the compiler and its version.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const Module = require("module");

const root = path.resolve(__dirname, "..");
const cacheDir = process.env.WEB_INFRA_TS_CACHE === "0" ? undefined : path.join(root, "node_modules", ".cache", "web-infra-ts");

function swcCompiler() {
    let swc;
    try {
        swc = require("@swc/core");
    } catch {
        return undefined;
    }
    // The options of jest.config.js's transform: tsconfig.json's ES2022 and CommonJS.
    const options = {
        jsc: { parser: { syntax: "typescript" }, target: "es2022", transform: { useDefineForClassFields: true } },
        module: { type: "commonjs", noInterop: false },
        sourceMaps: "inline",
        swcrc: false,
        configFile: false,
    };
    return { id: `swc ${swc.version}`, transpile: (source, filename) => swc.transformSync(source, { ...options, filename }).code };
}

function typescriptCompiler() {
    const ts = require("typescript");
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
    return {
        id: `typescript ${ts.version}`,
        transpile: (source, filename) => ts.transpileModule(source, { compilerOptions, fileName: filename, reportDiagnostics: false }).outputText,
    };
}

const compiler = swcCompiler() ?? typescriptCompiler();

function transpile(source, filename) {
    const key = crypto.createHash("sha1").update(compiler.id).update("\0").update(filename).update("\0").update(source).digest("hex");
    const cached = cacheDir && path.join(cacheDir, `${key}.js`);
    if (cached) {
        try {
            return fs.readFileSync(cached, "utf8");
        } catch {
            // not cached yet
        }
    }
    const out = compiler.transpile(source, filename);
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
