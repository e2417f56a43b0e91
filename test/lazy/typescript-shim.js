// @pulumi/pulumi's typescript-shim, loaded on first use: see lazyModule.js.
"use strict";
const path = require("path");
const { createRequire } = require("module");
const lazyModule = require("./lazyModule");

const shim = path.join(path.dirname(createRequire(__filename).resolve("@pulumi/pulumi/package.json")), "typescript-shim.js");
module.exports = lazyModule("typescript-shim", () => require(shim));
