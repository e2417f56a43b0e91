// @npmcli/arborist as @pulumi/pulumi requires it, loaded on first use: see lazyModule.js.
"use strict";
const fs = require("fs");
const path = require("path");
const lazyModule = require("./lazyModule");

// Found the way Node would from @pulumi/pulumi's folder. Not with require.resolve: under jest it
// applies moduleNameMapper and would answer this file.
function resolveFromPulumi(pkg) {
    const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    for (let dir = pulumiDir; ; dir = path.dirname(dir)) {
        const manifest = path.join(dir, "node_modules", pkg, "package.json");
        if (fs.existsSync(manifest)) return path.join(path.dirname(manifest), JSON.parse(fs.readFileSync(manifest, "utf8")).main ?? "index.js");
        if (path.dirname(dir) === dir) throw new Error(`test/lazy/arborist.js: ${pkg} not found from ${pulumiDir}`);
    }
}

const arborist = resolveFromPulumi("@npmcli/arborist");
module.exports = lazyModule("@npmcli/arborist", () => require(arborist), { esModule: true });
