#!/usr/bin/env bash
# Proves the two-command split (docs/testing.md): on a fresh clone, with the host tools hidden,
# `npm ci && npm test` passes and `npm run test:host` fails naming what is missing.
#
#   sudo bash scripts/check-node-only.sh [repo]     (default: this repository's committed HEAD)
#
# Needs root (or CAP_SYS_ADMIN) for `unshare -m`: in a private mount namespace, an empty, non-executable
# file is bind-mounted over every copy of cloud-init, nginx, shellcheck, curl, moto_server and python3
# (Debian's and any on PATH, e.g. pyenv shims) — so no python3 module is importable either. Nothing
# outside the namespace changes; the clone is removed at the end. Not a test: run it by hand or in a
# job when the test setup changes.
set -euo pipefail

repo="$(cd "${1:-$(dirname "$0")/..}" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/node-only-XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "== fresh clone of $repo ($(git -C "$repo" rev-parse --short HEAD)) into $work/repo"
git clone -q "$repo" "$work/repo"
: >"$work/hidden"
chmod 0644 "$work/hidden"

# The part that runs inside the namespace, written to a file (not fed on stdin, which npm would read).
cat >"$work/inner.sh" <<'INNER'
set -euo pipefail
work="$1"
tools=(cloud-init nginx shellcheck curl moto_server)
# Every file a tool name or a python3 interpreter resolves to, on PATH and in the sbin directories.
targets=()
for dir in ${PATH//:/ } /usr/sbin /sbin /usr/local/sbin /usr/bin /bin /usr/local/bin; do
    for name in "${tools[@]}" python3 'python3.*'; do
        for file in "$dir"/$name; do
            [ -e "$file" ] || continue
            [[ "$file" == *-config ]] && continue
            targets+=("$(readlink -f "$file")")
        done
    done
done
if [ "${#targets[@]}" -gt 0 ]; then
    mapfile -t targets < <(printf '%s\n' "${targets[@]}" | sort -u)
    for target in "${targets[@]}"; do mount --bind "$work/hidden" "$target"; done
fi
echo "== hidden: ${targets[*]:-(none were installed)}"
for name in "${tools[@]}" python3; do
    if command -v "$name" >/dev/null 2>&1 && [ -x "$(command -v "$name")" ]; then
        echo "!! $name is still runnable at $(command -v "$name")" >&2
        exit 1
    fi
done

cd "$work/repo"
echo "== npm ci"
npm ci --no-audit --no-fund

echo "== npm test (must pass with only Node)"
npm test

echo "== npm run test:host (must fail, naming what is missing)"
set +e
npm run test:host >"$work/host.log" 2>&1
status=$?
set -e
grep -E "is not installed: install|is missing for" "$work/host.log" | sed 's/^ *//' | grep -vE '^(>|[0-9]+ \|)' | sort -u | head -20
if [ "$status" -eq 0 ]; then
    echo "!! npm run test:host passed without the host tools" >&2
    exit 1
fi
if ! grep -q "install moto\[server\]" "$work/host.log"; then
    echo "!! npm run test:host failed without naming moto[server]:" >&2
    tail -40 "$work/host.log" >&2
    exit 1
fi
echo "== OK: npm test passed with only Node; npm run test:host failed (exit $status) naming the missing tools"
INNER
unshare -m --propagation private bash "$work/inner.sh" "$work" </dev/null
