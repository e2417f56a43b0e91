# shellcheck shell=bash
# web-infra: functions shared by write-identity and check-database, which source this file from
# /opt/web-infra/lib/publish.sh after setting web_root (the directory nginx serves / from).
# shellcheck disable=SC2154  # web_root: set by the script that sources this file

# Replace "$web_root/$1" with "$2" atomically: nginx never serves a half-written file.
publish() {
    local tmp
    tmp="$(mktemp "$web_root/.$1.XXXXXX")"
    printf '%s' "$2" >"$tmp"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$web_root/$1"
}

# index.txt, served on /, is identity.txt followed by database.txt (when there is one).
assemble_index() {
    [ -f "$web_root/identity.txt" ] || return 0
    local parts
    parts="$(cat "$web_root/identity.txt")"
    if [ -f "$web_root/database.txt" ]; then
        parts="$parts
$(cat "$web_root/database.txt")"
    fi
    publish index.txt "$parts
"
}
