#!/usr/bin/env bash
# Benchmark `npm run plan` against its floor. Not a test: it prints numbers.
#
#   bash scripts/bench-plan.sh [runs]        (default 5 runs each; uses hyperfine when installed)
#
# Rows:
#   node startup      node -e ''
#   floor             node + the TS hook + loading @pulumi/aws + starting the mock engine (setMocks)
#                     — what any offline run of the program pays before declaring a resource
#   plan dev / prod   the full plan: run the program, analyse, write the three files
#   plan dev max 100  dev with webServerMaxCount=100 (issue 11: resources no longer grow with the server
#                     count, so this row should match "plan dev"; test/plan.test.ts checks the counts)
# The plan's own cost is the difference between its row and the floor.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-5}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

names=("node startup" "floor" "plan dev" "plan prod" "plan dev max 100")
cmds=(
    "node -e ''"
    "node -r ./scripts/register.js -e 'require(\"./test/mocks\").setupMocks().then(() => require(\"@pulumi/aws\"))'"
    "node -r ./scripts/register.js scripts/plan.ts --stack dev --out $out"
    "node -r ./scripts/register.js scripts/plan.ts --stack prod --out $out"
    "node -r ./scripts/register.js scripts/plan.ts --stack dev --out $out --config webServerMaxCount=100"
)

# Warm the transpile cache and the OS file cache once, so every row measures a warm start.
node -r ./scripts/register.js scripts/plan.ts --stack dev --out "$out" >/dev/null

if command -v hyperfine >/dev/null 2>&1; then
    args=()
    for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
    hyperfine --warmup 1 --runs "$runs" --style basic "${args[@]}"
    exit 0
fi

echo "hyperfine not found: timing $runs runs of each with date +%s%N"
printf '%-17s %8s %8s %8s\n' "" "min ms" "median" "max ms"
for i in "${!cmds[@]}"; do
    times=()
    for _ in $(seq "$runs"); do
        start=$(date +%s%N)
        bash -c "${cmds[$i]}" >/dev/null
        times+=($(( ($(date +%s%N) - start) / 1000000 )))
    done
    sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    printf '%-17s %8d %8d %8d\n' "${names[$i]}" "${sorted[0]}" "${sorted[$(( ${#sorted[@]} / 2 ))]}" "${sorted[-1]}"
done
