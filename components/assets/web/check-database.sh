#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# web-infra: report on / whether this server reaches the database writer and reader (a MySQL login
# exchange as a user that does not exist; no credentials involved). Run every 60 s by
# web-infra-db-check.timer. /health never depends on this: a database outage must not drain every web
# server at once.
set -euo pipefail

web_root="${WEB_INFRA_WEB_ROOT:-/var/lib/web-infra/www}"
env_file="${WEB_INFRA_ENV_FILE:-/etc/web-infra/app.env}"
mysql_ping="${WEB_INFRA_MYSQL_PING:-/opt/web-infra/bin/mysql-ping}"
timeout_seconds="${WEB_INFRA_DB_TIMEOUT_SECONDS:-2}"

# publish and assemble_index (components/assets/web/publish.sh).
# shellcheck source=publish.sh
. "${WEB_INFRA_PUBLISH_LIB:-/opt/web-infra/lib/publish.sh}"

# shellcheck source=/dev/null
. "$env_file"
writer="${DB_WRITER_HOST:?DB_WRITER_HOST missing from $env_file}"
reader="${DB_READER_HOST:?DB_READER_HOST missing from $env_file}"
port="${DB_PORT:?DB_PORT missing from $env_file}"

# One status line for host:port. The probe bounds each step by the timeout; `timeout` the whole.
probe() {
    local status
    status="$(timeout "$((timeout_seconds * 2))" "$mysql_ping" "$1" "$2" "$timeout_seconds" 2>/dev/null)" || true
    echo "${status:-unreachable}"
}

writer_status="$(probe "$writer" "$port")"
reader_status="$(probe "$reader" "$port")"
install -d -m 0755 "$web_root"
publish database.txt "db-writer: $writer_status ($writer:$port)
db-reader: $reader_status ($reader:$port)
db-checked-at: $(date -u +%Y-%m-%dT%H:%M:%SZ)
"
assemble_index
