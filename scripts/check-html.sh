#!/usr/bin/env bash
# Check that the plan's architecture.html renders its Mermaid diagram in a real browser, offline.
#
#   bash scripts/check-html.sh [file.html …]     (default: plan/*/architecture.html, planning dev first
#                                                 if there is none)
#
# Uses the system Chromium (/usr/bin/chromium; Debian: `apt-get install -y chromium`) and installs
# nothing. DNS is mapped to nothing (--host-resolver-rules), so a page that needed the network would
# fail. The page sets <body data-diagram="rendered"> once mermaid.run() has drawn the diagram, or
# "failed"; the check also requires the drawn <svg> and the Internet node in the dumped DOM.
set -euo pipefail
cd "$(dirname "$0")/.."

chromium_bin="${CHROMIUM:-}"
if [ -z "$chromium_bin" ]; then
    for c in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
        if [ -x "$c" ]; then chromium_bin="$c"; break; fi
    done
fi
if [ -z "$chromium_bin" ]; then
    echo "check-html: no Chromium found (install it: apt-get install -y chromium, or set CHROMIUM=/path)" >&2
    exit 2
fi

files=("$@")
if [ "${#files[@]}" -eq 0 ]; then
    shopt -s nullglob
    files=(plan/*/architecture.html)
    if [ "${#files[@]}" -eq 0 ]; then
        npm run --silent plan >/dev/null
        files=(plan/*/architecture.html)
    fi
fi

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
status=0
for f in "${files[@]}"; do
    dom="$profile/dom.html"
    started=$(date +%s%N)
    # --virtual-time-budget lets the page's promises (mermaid.run) settle before the DOM is dumped.
    timeout 120 "$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --host-resolver-rules="MAP * ~NOTFOUND" --virtual-time-budget=15000 \
        --user-data-dir="$profile/profile" --dump-dom "file://$(realpath "$f")" >"$dom" 2>"$profile/stderr" || true
    ms=$(( ($(date +%s%N) - started) / 1000000 ))
    # The rendered diagram is the <svg id="mermaid-…"> mermaid inserts into the <pre>.
    svg="$(grep -o '<svg id="mermaid-[^>]*aria-roledescription="flowchart[^"]*"' "$dom" | head -1 || true)"
    if grep -q 'data-diagram="rendered"' "$dom" && [ -n "$svg" ] && grep -q '>Internet<' "$dom"; then
        echo "ok   $f: diagram rendered as SVG ($(grep -o '<g class="node ' "$dom" | wc -l) nodes, ${ms} ms)"
    else
        status=1
        echo "FAIL $f: no rendered diagram ($(grep -o 'data-diagram="[a-z]*"' "$dom" || echo 'no data-diagram'); status: $(grep -o '<p id="status">[^<]*' "$dom" | sed 's/<p id="status">//'))" >&2
        tail -n 5 "$profile/stderr" >&2 || true
    fi
done
exit "$status"
