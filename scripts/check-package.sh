#!/usr/bin/env bash
# Prove that web-infra works as an installed package, not only through the repo's path mapping:
#
#   npm run check:package
#
# 1. `npm pack` (which runs `prepare` → `npm run build`) and check what the tarball holds;
# 2. unpack it into a scratch app's node_modules/web-infra, next to the Pulumi SDKs (linked from this
#    repo's node_modules: no network);
# 3. type-check examples/three-servers/index.ts there with moduleResolution node16 (package `exports`
#    and `types`) and with classic node resolution (`main`/`types`);
# 4. run it under the mock engine and check that `web-infra` resolved to the packed dist/ and built
#    three servers (with user data rendered from the packed dist/components/assets), a
#    least_outstanding_requests target group and one DB instance.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
started=$(date +%s%N)

echo "== npm pack"
tarball="$(npm pack --silent --pack-destination "$work" 2>/dev/null | tail -n 1)"
tar -tzf "$work/$tarball" | sort > "$work/files.txt"
for need in package/package.json package/README.md package/LICENSE package/dist/components/index.js package/dist/components/index.d.ts; do
    grep -qx "$need" "$work/files.txt" || { echo "FAIL: $tarball lacks $need" >&2; exit 1; }
done
# The files the user-data renderer reads at run time (components/lib/assets.ts), every one of them.
(cd components && find assets -type f) | sort | while read -r asset; do
    grep -qx "package/dist/components/$asset" "$work/files.txt" || { echo "FAIL: $tarball lacks dist/components/$asset" >&2; exit 1; }
done
if grep -Ev '^package/(package\.json|README\.md|LICENSE|dist/components/.*\.(js|d\.ts)|dist/components/assets/.+)$' "$work/files.txt" >&2; then
    echo "FAIL: $tarball holds files outside package.json, README.md, LICENSE and dist/components (above)" >&2
    exit 1
fi
echo "   $tarball: $(wc -l < "$work/files.txt") files, all under dist/components (+ package.json, README.md), assets included"

echo "== install into a scratch app"
app="$work/app"
mkdir -p "$app/node_modules/@types"
tar -xzf "$work/$tarball" -C "$app/node_modules"
mv "$app/node_modules/package" "$app/node_modules/web-infra"
ln -s "$root/node_modules/@pulumi" "$app/node_modules/@pulumi"
# The package's own dependencies, as `npm install web-infra` would bring them (js-yaml).
for dep in $(node -p "Object.keys(require('./package.json').dependencies || {}).join(' ')"); do
    ln -s "$root/node_modules/$dep" "$app/node_modules/$dep"
done
ln -s "$root/node_modules/@types/node" "$app/node_modules/@types/node"
cp examples/three-servers/index.ts "$app/index.ts"

echo "== type-check the example against the package"
for resolution in node16 node10; do
    module=$([ "$resolution" = node16 ] && echo node16 || echo commonjs)
    cat > "$app/tsconfig.json" <<EOF
{ "compilerOptions": { "target": "ES2022", "module": "$module", "moduleResolution": "$resolution", "strict": true,
  "esModuleInterop": true, "skipLibCheck": true, "noEmit": true, "types": ["node"] }, "files": ["index.ts"] }
EOF
    node "$root/node_modules/typescript/bin/tsc" -p "$app/tsconfig.json"
    echo "   ok with moduleResolution $resolution"
done

echo "== build the example under the mocks"
cat > "$app/run.js" <<'EOF'
const path = require("path");
const root = process.argv[2];
(async () => {
    const mocks = require(path.join(root, "test/mocks.ts"));
    await mocks.setupMocks({ stack: "package-check", config: { "aws:region": "us-east-1" } });
    const resolved = require.resolve("web-infra", { paths: [__dirname] });
    if (!resolved.startsWith(path.join(__dirname, "node_modules", "web-infra", "dist") + path.sep)) throw new Error(`web-infra resolved to ${resolved}`);
    const program = require("./index.ts");
    await mocks.awaitAll(await program());
    await mocks.settle();
    const count = (t) => mocks.resourcesOf(t).length;
    const [tg] = mocks.resourcesOf("aws:lb/targetGroup:TargetGroup");
    // The user data is rendered from the package's dist/components/assets (a #cloud-config with our nginx.conf),
    // into the fleet's launch template (base64, as EC2 takes it).
    const userData = mocks.resourcesOf("aws:ec2/launchTemplate:LaunchTemplate").map((t) => Buffer.from(String(t.inputs.userData), "base64").toString("utf8"));
    const rendered = userData.length > 0 && userData.every((u) => u.startsWith("#cloud-config\n") && u.includes("written by cloud-init (components/assets/web/nginx.conf)"));
    const [group] = mocks.resourcesOf("aws:autoscaling/group:Group");
    const got = { fleetMinSize: group && group.inputs.minSize, algorithm: tg && tg.inputs.loadBalancingAlgorithmType, dbInstances: count("aws:rds/instance:Instance"), userDataFromAssets: rendered };
    const want = { fleetMinSize: 3, algorithm: "least_outstanding_requests", dbInstances: 1, userDataFromAssets: true };
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    console.log(`   web-infra → ${path.relative(__dirname, resolved)}; ${mocks.allResources().length} resources: ${JSON.stringify(got)}`);
})().catch((e) => {
    console.error(`FAIL: ${e.message}`);
    process.exit(1);
});
EOF
(cd "$app" && node -r "$root/scripts/register.js" run.js "$root")
echo "ok: the packed package works by name ($(( ($(date +%s%N) - started) / 1000000 )) ms)"
