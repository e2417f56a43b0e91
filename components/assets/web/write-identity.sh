#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# web-infra: publish which server this is (instance id, zone) for nginx to serve on /.
# Run at every boot by web-infra-identity.service, before nginx. IMDSv2 only: PUT for a session token,
# then GETs carrying it (the instance requires tokens; IMDSv1 calls get 401).
set -euo pipefail

imds="${IMDS_ENDPOINT:-http://169.254.169.254}"
web_root="${WEB_INFRA_WEB_ROOT:-/var/lib/web-infra/www}"
env_file="${WEB_INFRA_ENV_FILE:-/etc/web-infra/app.env}"

# publish and assemble_index (components/assets/web/publish.sh).
# shellcheck source=publish.sh
. "${WEB_INFRA_PUBLISH_LIB:-/opt/web-infra/lib/publish.sh}"

imds_curl() {
    curl --silent --show-error --fail --connect-timeout 2 --max-time 5 \
        --retry 5 --retry-connrefused --retry-delay 1 "$@"
}

token="$(imds_curl -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "$imds/latest/api/token")"
metadata() {
    imds_curl -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/$1"
}
instance_id="$(metadata instance-id)"
zone="$(metadata placement/availability-zone)"

# Refuse to publish anything that is not an instance id or a zone name (a proxy's error page, say).
if ! [[ $instance_id =~ ^i-[0-9a-f]{8,17}$ ]]; then
    echo "write-identity: unexpected instance id from IMDS: $instance_id" >&2
    exit 1
fi
if ! [[ $zone =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$ ]]; then
    echo "write-identity: unexpected availability zone from IMDS: $zone" >&2
    exit 1
fi

install -d -m 0755 "$web_root"
publish identity.txt "served-by: $instance_id ($zone)
instance-id: $instance_id
availability-zone: $zone
"

db_writer=""
if [ -r "$env_file" ]; then
    # shellcheck source=/dev/null
    . "$env_file"
    db_writer="${DB_WRITER_HOST:-}"
fi
if [ -z "$db_writer" ]; then
    publish database.txt "database: not configured
"
elif [ ! -f "$web_root/database.txt" ]; then
    publish database.txt "database: first check pending
"
fi
assemble_index
echo "write-identity: $instance_id in $zone"
