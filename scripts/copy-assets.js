// `npm run build` step: tsc compiles only TypeScript, so copy the files the component library reads
// at run time (components/assets/: scripts, units, nginx and agent configuration) next to the compiled
// code, where components/lib/assets.ts looks for them (dist/components/lib/ → ../assets). A fresh copy
// each time, so an asset removed from the source is not shipped from an old build.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const from = path.join(root, "components", "assets");
const to = path.join(root, "dist", "components", "assets");
fs.rmSync(to, { recursive: true, force: true });
fs.cpSync(from, to, { recursive: true });
console.log(`copied ${path.relative(root, from)} → ${path.relative(root, to)}`);
