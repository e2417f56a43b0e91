/**
 * What a web server runs, as text: the cloud-config user data, the nginx site, the boot and status
 * scripts, the systemd units. Pure: no Pulumi, no AWS, no YAML library (js-yaml is a dev dependency
 * only), so the exact bytes a server receives are unit-tested and checked by the real tools
 * (`cloud-init schema`, `nginx -t`, `shellcheck`, a live nginx) in test/userData.test.ts.
 *
 * Server layout (Amazon Linux 2023, which ships cloud-init, the SSM agent, curl and nginx in its
 * repositories):
 *
 * | path | what |
 * |---|---|
 * | `/etc/nginx/nginx.conf` | ours, replacing the package's (see renderNginxMainConfig) |
 * | `/etc/nginx/conf.d/web-infra.conf` | the site: `/health` (static 200) and `/` (which server answered) |
 * | `/etc/web-infra/app.env` | settings for the application: port, region, DB endpoints and the ARN of the DB secret — never a password |
 * | `/opt/web-infra/bin/write-identity` | boot script: instance id and zone from IMDSv2 → `/var/lib/web-infra/www` |
 * | `/opt/web-infra/bin/check-database` | every 60 s (systemd timer), only with a database: do the writer and the reader answer as MySQL? |
 * | `/opt/web-infra/bin/mysql-ping` | the probe it runs (python3, which AL2023 ships): reads the greeting, then completes the login exchange as an unknown user |
 * | `/opt/web-infra/app/` | room for the application (next issue) |
 * | `/var/lib/web-infra/www/` | what nginx serves on `/` (`index.txt`) |
 */
import { DatabaseEndpoints } from "./databaseEndpoints";

/** Where things live on the server. */
export const SERVER_PATHS = {
    nginxMain: "/etc/nginx/nginx.conf",
    /** Our nginx.conf, written by cloud-init and installed over the package's by `runcmd`. */
    nginxMainSource: "/etc/web-infra/nginx.conf",
    nginxSite: "/etc/nginx/conf.d/web-infra.conf",
    appEnv: "/etc/web-infra/app.env",
    appDir: "/opt/web-infra/app",
    identityScript: "/opt/web-infra/bin/write-identity",
    databaseCheckScript: "/opt/web-infra/bin/check-database",
    mysqlPing: "/opt/web-infra/bin/mysql-ping",
    webRoot: "/var/lib/web-infra/www",
    /** CloudWatch agent configuration, loaded with `amazon-cloudwatch-agent-ctl -a fetch-config`. */
    cloudWatchAgentConfig: "/etc/web-infra/cloudwatch-agent.json",
    cloudWatchAgentCtl: "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl",
    nginxAccessLog: "/var/log/nginx/access.log",
    nginxErrorLog: "/var/log/nginx/error.log",
    identityUnit: "/etc/systemd/system/web-infra-identity.service",
    databaseCheckUnit: "/etc/systemd/system/web-infra-db-check.service",
    databaseCheckTimer: "/etc/systemd/system/web-infra-db-check.timer",
} as const;

/** EC2 rejects user data larger than 16 KB (before base64). */
export const USER_DATA_MAX_BYTES = 16 * 1024;

/**
 * How often the database reachability check runs, in seconds. Each check is one connection per
 * endpoint, and MySQL counts every connection that ends in a handshake error against the client host,
 * blocking the host after `max_connect_errors` (RDS default 100) of them in a row: see MYSQL_PING_SCRIPT
 * for why the probe's connections are not such errors. A minute is enough for a status line.
 */
export const DATABASE_CHECK_INTERVAL_SECONDS = 60;

/** The user name the probe logs in as. No such account exists: the server answers "access denied". */
export const MYSQL_PROBE_USER = "web-infra-probe";

/** Database endpoints the server is told about: DatabaseEndpoints, plain values; never the password. */
export type DatabaseSettings = DatabaseEndpoints;

export interface CloudConfigOptions {
    /** Port nginx listens on (the target group's port). */
    readonly appPort: number;
    /** CloudWatch Logs group the CloudWatch agent ships nginx's access and error logs to (it must exist). */
    readonly logGroupName: string;
    /** AWS region, written as `AWS_REGION` for the application's SDK. */
    readonly region: string;
    /** Database endpoints; without them the server reports "database: not configured". */
    readonly database?: DatabaseSettings;
}

// -------------------------------------------------------------------------------------------------
// nginx

export interface NginxMainOptions {
    /** Worker user; `null` leaves the directive out (tests running unprivileged). @default "nginx" */
    readonly user?: string | null;
    /** @default "auto" */
    readonly workerProcesses?: string;
    /** @default "/run/nginx.pid" */
    readonly pidFile?: string;
    /** @default "/var/log/nginx/error.log" */
    readonly errorLog?: string;
    /** @default "/var/log/nginx/access.log" */
    readonly accessLog?: string;
    /** @default "/etc/nginx/mime.types" */
    readonly mimeTypes?: string;
    /** Directory whose `*.conf` are the sites. @default "/etc/nginx/conf.d" */
    readonly confDir?: string;
    /** Dynamic-module loaders (a glob; no match is fine). @default "/usr/share/nginx/modules/*.conf" */
    readonly modulesInclude?: string;
}

/**
 * Our `nginx.conf`. We own the main file instead of dropping a site next to the package's: Amazon
 * Linux's stock `nginx.conf` carries its own welcome `server` on port 80, and depending on the
 * package version it is marked `default_server` (two default servers on one port is a fatal config
 * error) or not (then it competes for requests). With this file the only servers are ours in
 * `conf.d/`. Everything else follows the package's defaults.
 */
export function renderNginxMainConfig(opts: NginxMainOptions = {}): string {
    const user = opts.user === undefined ? "nginx" : opts.user;
    const path = (name: string, value: string) => {
        assertSafePath(name, value.replace(/\*/g, "x"));
        return value;
    };
    return `# web-infra nginx.conf, written by cloud-init (components/lib/userData.ts). Sites: ${opts.confDir ?? "/etc/nginx/conf.d"}/*.conf.
${user === null ? "" : `user ${user};\n`}worker_processes ${opts.workerProcesses ?? "auto"};
error_log ${path("errorLog", opts.errorLog ?? "/var/log/nginx/error.log")} notice;
pid ${path("pidFile", opts.pidFile ?? "/run/nginx.pid")};

include ${path("modulesInclude", opts.modulesInclude ?? "/usr/share/nginx/modules/*.conf")};

events {
    worker_connections 1024;
}

http {
    log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent "$http_referer" '
                    '"$http_user_agent" "$http_x_forwarded_for"';
    access_log ${path("accessLog", opts.accessLog ?? "/var/log/nginx/access.log")} main;

    sendfile on;
    tcp_nopush on;
    types_hash_max_size 4096;
    server_tokens off;
    # Longer than the load balancer's 60 s idle timeout: the LB, not nginx, must be the side that
    # closes an idle keep-alive connection, or a request sent on a connection nginx just closed
    # becomes a 502 (AWS: target keep-alive > LB idle timeout).
    keepalive_timeout 75s;

    include ${path("mimeTypes", opts.mimeTypes ?? "/etc/nginx/mime.types")};
    default_type application/octet-stream;

    include ${path("confDir", opts.confDir ?? "/etc/nginx/conf.d")}/*.conf;
}
`;
}

export interface NginxOptions {
    /** Port to listen on. */
    readonly port: number;
    /** Directory holding `index.txt`. @default SERVER_PATHS.webRoot */
    readonly webRoot?: string;
    /**
     * Address to bind. @default - every IPv4 address (the private subnets are IPv4-only; tests bind
     * 127.0.0.1)
     */
    readonly listenAddress?: string;
}

/**
 * The site (a `server` block for `conf.d/`): the `default_server` on the app port, so it answers
 * whatever Host the request carries (the load balancer's DNS name, the domain, the health checker's
 * IP). `/health` is static; `/` serves `index.txt` from the web root.
 */
export function renderNginxConfig(opts: NginxOptions): string {
    assertPort("port", opts.port);
    const webRoot = opts.webRoot ?? SERVER_PATHS.webRoot;
    assertSafePath("webRoot", webRoot);
    const listen = opts.listenAddress === undefined ? `${opts.port}` : `${opts.listenAddress}:${opts.port}`;
    if (opts.listenAddress !== undefined && !/^(\d{1,3}\.){3}\d{1,3}$/.test(opts.listenAddress)) {
        throw new Error(`\`listenAddress\` must be an IPv4 address (got ${JSON.stringify(opts.listenAddress)})`);
    }
    return `# web-infra site, written by cloud-init (components/lib/userData.ts). Replaced with the instance.
server {
    listen ${listen} default_server;
    server_tokens off;
    root ${webRoot};

    # The load balancer's health check: static, no disk, no database, so a database outage never takes
    # every server out of rotation at once. Not logged: it arrives every 5 s from every LB node.
    location = /health {
        access_log off;
        default_type text/plain;
        add_header Cache-Control "no-store" always;
        return 200 "ok\\n";
    }

    # Which server answered (instance id and zone), and whether it reaches the database. Written by
    # ${SERVER_PATHS.identityScript} at boot and ${SERVER_PATHS.databaseCheckScript} every ${DATABASE_CHECK_INTERVAL_SECONDS} s.
    location = / {
        charset utf-8;
        default_type text/plain;
        add_header Cache-Control "no-store" always;
        try_files /index.txt =503;
    }

    location / {
        return 404;
    }
}
`;
}

// -------------------------------------------------------------------------------------------------
// Scripts. Constant text: paths and endpoints come from environment variables with the production
// defaults, so the tests run the very same bytes against temp dirs and a fake IMDS.

/** Shared by both scripts: atomically publish a file and rebuild `index.txt` from the parts. */
const PUBLISH_FUNCTIONS = `# Replace "$web_root/$1" with "$2" atomically: nginx never serves a half-written file.
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
}`;

/**
 * Boot script (`web-infra-identity.service`, every boot, before nginx): asks the instance metadata
 * service, IMDSv2 only (a session token first, then reads with it), for the instance id and zone and
 * publishes them for `/`.
 */
export const IDENTITY_SCRIPT = `#!/bin/bash
# web-infra: publish which server this is (instance id, zone) for nginx to serve on /.
# Run at every boot by web-infra-identity.service, before nginx. IMDSv2 only: PUT for a session token,
# then GETs carrying it (the instance requires tokens; IMDSv1 calls get 401).
set -euo pipefail

imds="\${IMDS_ENDPOINT:-http://169.254.169.254}"
web_root="\${WEB_INFRA_WEB_ROOT:-${SERVER_PATHS.webRoot}}"
env_file="\${WEB_INFRA_ENV_FILE:-${SERVER_PATHS.appEnv}}"

${PUBLISH_FUNCTIONS}

imds_curl() {
    curl --silent --show-error --fail --connect-timeout 2 --max-time 5 \\
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
    db_writer="\${DB_WRITER_HOST:-}"
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
`;

/**
 * The database probe (python3: Amazon Linux 2023 ships it; cloud-init and dnf run on it). Prints one
 * status line for host:port and exits 0 when a MySQL server answered, 1 otherwise.
 *
 * Why not just open and close a TCP connection: MySQL sends its greeting on connect and then waits
 * for the client's handshake response. A client that closes instead (or sends anything malformed) is a
 * handshake error, the only kind the server counts against the client host: after
 * `max_connect_errors` of them in a row (RDS default 100) without a successful connection, the host
 * is blocked ("Host ... is blocked because of many connection errors") until someone runs FLUSH HOSTS.
 * A bare TCP check every 10 s blocked a web server in about 17 minutes.
 * https://dev.mysql.com/doc/refman/8.4/en/host-cache.html and
 * https://dev.mysql.com/doc/refman/8.4/en/performance-schema-host-cache-table.html (SUM_CONNECT_ERRORS:
 * "only protocol handshake errors are counted").
 *
 * So the probe completes the protocol: it reads the greeting, answers with a well-formed
 * HandshakeResponse41 for the account MYSQL_PROBE_USER (which does not exist) with an empty password
 * and the server's own authentication plugin, answers an authentication-method switch with an empty
 * response, and reads the server's verdict, "access denied" (1045), before closing. The server files
 * that as an authentication failure (COUNT_AUTHENTICATION_ERRORS / COUNT_AUTH_PLUGIN_ERRORS in
 * `performance_schema.host_cache`), which never blocks a host. No credentials are involved, no TLS is
 * needed (the login fails before `require_secure_transport` applies), and the database's error log may
 * note an "Access denied for user 'web-infra-probe'" per check. The Database component also raises
 * `max_connect_errors`, for the handshake errors real clients cause (timeouts, crashes).
 */
export const MYSQL_PING_SCRIPT = String.raw`#!/usr/bin/python3 -I
# web-infra: does a MySQL server answer on HOST PORT? Prints a status; exit 0 if it does. It logs in as a
# user that does not exist instead of dropping the connection after the greeting: MySQL blocks a host
# after max_connect_errors dropped handshakes, never for failed logins. Why: components/lib/userData.ts.
import socket
import struct
import sys

# CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH (MySQL >= 5.5)
FLAGS = 0x1 | 0x200 | 0x8000 | 0x80000

def read(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data

def receive(sock):
    header = read(sock, 4)
    return header[3], read(sock, int.from_bytes(header[:3], "little"))

def send(sock, sequence, payload):
    sock.sendall(len(payload).to_bytes(3, "little") + bytes([sequence & 0xFF]) + payload)

def login(sock, sequence, greeting):
    # The greeting ends with the server's authentication plugin: answer with it and an empty password.
    plugin = greeting.rstrip(b"\0").rsplit(b"\0", 1)[-1]
    user = b"${MYSQL_PROBE_USER}\0"
    send(sock, sequence + 1, struct.pack("<IIB23x", FLAGS, 1 << 24, 45) + user + b"\0" + plugin + b"\0")
    for _ in range(4):
        sequence, reply = receive(sock)
        if reply[:1] == b"\xfe":  # authentication method switch: an empty password again
            send(sock, sequence + 1, b"")
        elif reply[:1] == b"\x00":  # logged in (no password?): leave politely with COM_QUIT
            send(sock, 0, b"\x01")
            return
        elif reply[:2] != b"\x01\x03":  # ERR (access denied), or more than a probe can answer
            return

def probe(host, port, timeout):
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError:
        return "unreachable", 1
    with sock:
        try:
            sequence, greeting = receive(sock)
        except (OSError, EOFError):
            return "unreachable (no MySQL greeting)", 1
        if greeting[:1] == b"\xff":  # 1040 too many connections, 1129 host blocked, ...
            return "refusing connections (MySQL error %d)" % int.from_bytes(greeting[1:3], "little"), 1
        if greeting[:1] != b"\x0a":
            return "unreachable (not a MySQL greeting)", 1
        try:
            login(sock, sequence, greeting)
        except (OSError, EOFError):
            pass  # it answered as MySQL: how the login ended does not change that
        return "reachable", 0

if __name__ == "__main__":
    status, code = probe(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
    print(status)
    sys.exit(code)
`;

/**
 * Status script (`web-infra-db-check.timer`, every 60 s, only with a database): does a MySQL server
 * answer on the writer and on the reader (MYSQL_PING_SCRIPT)? Reports on `/`; never affects `/health`,
 * and always exits 0 (an unreachable database is a status, not a failure of the check).
 */
export const DATABASE_CHECK_SCRIPT = `#!/bin/bash
# web-infra: report on / whether this server reaches the database writer and reader (a MySQL login
# exchange as a user that does not exist; no credentials involved). Run every ${DATABASE_CHECK_INTERVAL_SECONDS} s by
# web-infra-db-check.timer. /health never depends on this: a database outage must not drain every web
# server at once.
set -euo pipefail

web_root="\${WEB_INFRA_WEB_ROOT:-${SERVER_PATHS.webRoot}}"
env_file="\${WEB_INFRA_ENV_FILE:-${SERVER_PATHS.appEnv}}"
mysql_ping="\${WEB_INFRA_MYSQL_PING:-${SERVER_PATHS.mysqlPing}}"
timeout_seconds="\${WEB_INFRA_DB_TIMEOUT_SECONDS:-2}"

${PUBLISH_FUNCTIONS}

# shellcheck source=/dev/null
. "$env_file"
writer="\${DB_WRITER_HOST:?DB_WRITER_HOST missing from $env_file}"
reader="\${DB_READER_HOST:?DB_READER_HOST missing from $env_file}"
port="\${DB_PORT:?DB_PORT missing from $env_file}"

# One status line for host:port. The probe bounds each step by the timeout; \`timeout\` the whole.
probe() {
    local status
    status="$(timeout "$((timeout_seconds * 2))" "$mysql_ping" "$1" "$2" "$timeout_seconds" 2>/dev/null)" || true
    echo "\${status:-unreachable}"
}

writer_status="$(probe "$writer" "$port")"
reader_status="$(probe "$reader" "$port")"
install -d -m 0755 "$web_root"
publish database.txt "db-writer: $writer_status ($writer:$port)
db-reader: $reader_status ($reader:$port)
db-checked-at: $(date -u +%Y-%m-%dT%H:%M:%SZ)
"
assemble_index
`;

/** Every shell script the cloud-config installs, by path (for shellcheck; the probe is Python). */
export const SCRIPTS: Readonly<Record<string, string>> = {
    [SERVER_PATHS.identityScript]: IDENTITY_SCRIPT,
    [SERVER_PATHS.databaseCheckScript]: DATABASE_CHECK_SCRIPT,
};

// -------------------------------------------------------------------------------------------------
// systemd units

// Both services run as root but may write only /var/lib/web-infra (StateDirectory= creates it and
// keeps it writable under ProtectSystem=strict); the rest of the file system is read-only to them.
const HARDENING = `StateDirectory=web-infra
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=yes`;

export const IDENTITY_UNIT = `[Unit]
Description=web-infra: publish instance id and zone for nginx
Wants=network-online.target
After=network-online.target
Before=nginx.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${SERVER_PATHS.identityScript}
${HARDENING}

[Install]
WantedBy=multi-user.target
`;

export const DATABASE_CHECK_UNIT = `[Unit]
Description=web-infra: check that the database writer and reader are reachable
After=network-online.target web-infra-identity.service

[Service]
Type=oneshot
ExecStart=${SERVER_PATHS.databaseCheckScript}
${HARDENING}
`;

export const DATABASE_CHECK_TIMER = `[Unit]
Description=web-infra: database reachability every ${DATABASE_CHECK_INTERVAL_SECONDS} s

[Timer]
OnActiveSec=1s
OnUnitActiveSec=${DATABASE_CHECK_INTERVAL_SECONDS}s
# The default accuracy is a minute, as long as the interval itself: the checks would drift by that much.
AccuracySec=1s

[Install]
WantedBy=timers.target
`;

// -------------------------------------------------------------------------------------------------
// CloudWatch agent

/** Namespace of the agent's metrics (the agent's default, named explicitly). */
export const CLOUDWATCH_AGENT_NAMESPACE = "CWAgent";

/**
 * The CloudWatch agent's configuration (amazon-cloudwatch-agent, from the AL2023 repositories; the
 * instance role has CloudWatchAgentServerPolicy). Ships nginx's access and error logs to `logGroupName`,
 * one stream per server and file (`<instance id>-access`, `<instance id>-error`), and publishes memory
 * and root-disk use every minute as `CWAgent` `mem_used_percent` and `disk_used_percent` (dimensions
 * InstanceId, and path and fstype for the disk): what EC2's own metrics cannot see from outside.
 * No `retention_in_days`: the log group is Pulumi's (WebServers), retention included.
 * Shape: the agent's schema (translator/config/schema.json in aws/amazon-cloudwatch-agent) and
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Agent-Configuration-File-Details.html
 */
export function renderCloudWatchAgentConfig(logGroupName: string): string {
    if (!/^[A-Za-z0-9_/.#-]{1,512}$/.test(logGroupName)) {
        throw new Error(`\`logGroupName\` must be 1-512 letters, digits and _ / . # - (got ${JSON.stringify(logGroupName)})`);
    }
    const file = (path: string, stream: string) => ({ file_path: path, log_group_name: logGroupName, log_stream_name: `{instance_id}-${stream}` });
    const config = {
        agent: { metrics_collection_interval: 60 },
        metrics: {
            namespace: CLOUDWATCH_AGENT_NAMESPACE,
            append_dimensions: { InstanceId: "${aws:InstanceId}" },
            metrics_collected: {
                mem: { measurement: ["mem_used_percent"] },
                // The root file system only, without the device name (it differs between instance types).
                disk: { measurement: ["used_percent"], resources: ["/"], drop_device: true },
            },
        },
        logs: { logs_collected: { files: { collect_list: [file(SERVER_PATHS.nginxAccessLog, "access"), file(SERVER_PATHS.nginxErrorLog, "error")] } } },
    };
    // One line per section: the whole cloud-config must stay under EC2's 16 KB, and the file is for the agent.
    const sections = Object.entries(config).map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`);
    return `{\n${sections.join(",\n")}\n}\n`;
}

// -------------------------------------------------------------------------------------------------
// app.env

/** Characters allowed in an app.env value: enough for host names, ports, names, ARNs and regions. */
const ENV_VALUE = /^[A-Za-z0-9._:/@+=,-]+$/;

/**
 * `/etc/web-infra/app.env`: `KEY=value` lines readable by bash (`.`) and systemd (`EnvironmentFile=`)
 * alike. Values are restricted to characters that need no quoting in either, and anything else is
 * refused rather than escaped. No secrets: the application reads the password from Secrets Manager.
 */
export function renderAppEnv(opts: CloudConfigOptions): string {
    const entries: [string, string][] = [
        ["APP_PORT", String(opts.appPort)],
        ["AWS_REGION", opts.region],
        ["WEB_ROOT", SERVER_PATHS.webRoot],
    ];
    if (opts.database) {
        const db = opts.database;
        assertPort("database.port", db.port);
        entries.push(
            ["DB_WRITER_HOST", db.writerHost],
            ["DB_READER_HOST", db.readerHost],
            ["DB_PORT", String(db.port)],
            ["DB_NAME", db.name],
            ["DB_SECRET_ARN", db.secretArn],
        );
    }
    for (const [key, value] of entries) {
        if (!ENV_VALUE.test(value)) {
            throw new Error(`app.env value of ${key} must be non-empty and use only letters, digits and . _ : / @ + = , - (got ${JSON.stringify(value)})`);
        }
    }
    return [
        "# web-infra application settings, written by cloud-init. No secrets here: the database password",
        "# is in Secrets Manager (DB_SECRET_ARN), readable with this instance's role.",
        ...entries.map(([k, v]) => `${k}=${v}`),
        "",
    ].join("\n");
}

// -------------------------------------------------------------------------------------------------
// cloud-config

/** What cloud-init installs with dnf: the web server and the CloudWatch agent (both in AL2023's repositories). */
export const SERVER_PACKAGES: readonly string[] = ["nginx", "amazon-cloudwatch-agent"];

/** One `write_files` entry. */
export interface WriteFile {
    readonly path: string;
    readonly permissions: string;
    readonly content: string;
}

/** The files the cloud-config writes, in order. */
export function serverFiles(opts: CloudConfigOptions): WriteFile[] {
    assertPort("appPort", opts.appPort);
    const files: WriteFile[] = [
        { path: SERVER_PATHS.nginxMainSource, permissions: "0644", content: renderNginxMainConfig() },
        { path: SERVER_PATHS.nginxSite, permissions: "0644", content: renderNginxConfig({ port: opts.appPort }) },
        // 0640: nothing secret, but nothing the nginx user needs either.
        { path: SERVER_PATHS.appEnv, permissions: "0640", content: renderAppEnv(opts) },
        { path: `${SERVER_PATHS.appDir}/README`, permissions: "0644", content: "The web-infra application is installed here; its settings are in /etc/web-infra/app.env.\n" },
        { path: SERVER_PATHS.identityScript, permissions: "0755", content: IDENTITY_SCRIPT },
        { path: SERVER_PATHS.identityUnit, permissions: "0644", content: IDENTITY_UNIT },
        { path: SERVER_PATHS.cloudWatchAgentConfig, permissions: "0644", content: renderCloudWatchAgentConfig(opts.logGroupName) },
    ];
    if (opts.database) {
        files.push(
            { path: SERVER_PATHS.mysqlPing, permissions: "0755", content: MYSQL_PING_SCRIPT },
            { path: SERVER_PATHS.databaseCheckScript, permissions: "0755", content: DATABASE_CHECK_SCRIPT },
            { path: SERVER_PATHS.databaseCheckUnit, permissions: "0644", content: DATABASE_CHECK_UNIT },
            { path: SERVER_PATHS.databaseCheckTimer, permissions: "0644", content: DATABASE_CHECK_TIMER },
        );
    }
    return files;
}

/** The commands `runcmd` runs, once, after the packages are installed. */
export function serverCommands(opts: CloudConfigOptions): string[][] {
    const commands = [
        // After the package install (runcmd runs last), so the package cannot put its own back.
        ["install", "-m", "0644", SERVER_PATHS.nginxMainSource, SERVER_PATHS.nginxMain],
        ["systemctl", "daemon-reload"],
        ["systemctl", "enable", "--now", "web-infra-identity.service"],
        ["systemctl", "enable", "--now", "nginx.service"],
        // Loads our configuration and (re)starts the agent; its `start` also enables it for every boot.
        [SERVER_PATHS.cloudWatchAgentCtl, "-a", "fetch-config", "-m", "ec2", "-s", "-c", `file:${SERVER_PATHS.cloudWatchAgentConfig}`],
    ];
    if (opts.database) commands.push(["systemctl", "enable", "--now", "web-infra-db-check.timer"]);
    return commands;
}

/**
 * The user data: a `#cloud-config` document that installs nginx, writes the files above and starts
 * the services. cloud-init applies it on the instance's first boot only (write_files, packages and
 * runcmd are per-instance modules), which is why a change to it must replace the instance.
 *
 * Emitted as block YAML by hand: literal blocks for file contents (readable in the EC2 console),
 * JSON-quoted scalars and flow sequences elsewhere (JSON strings are valid YAML double-quoted scalars).
 * Packages are not upgraded at boot: Amazon Linux 2023 locks the repositories to the AMI's release,
 * so updates arrive by rolling the servers onto a newer AMI.
 */
export function renderCloudConfig(opts: CloudConfigOptions): string {
    const lines = [
        "#cloud-config",
        "# web-infra web server (components/lib/userData.ts). Applied once, at first boot.",
        "packages:",
        ...SERVER_PACKAGES.map((p) => `  - ${yamlScalar(p)}`),
        "write_files:",
    ];
    for (const file of serverFiles(opts)) {
        lines.push(
            `  - path: ${yamlScalar(file.path)}`,
            `    owner: ${yamlScalar("root:root")}`,
            `    permissions: ${yamlScalar(file.permissions)}`,
            `    content: ${yamlString(file.content, 6)}`,
        );
    }
    lines.push("runcmd:");
    for (const command of serverCommands(opts)) {
        lines.push(`  - [${command.map(yamlScalar).join(", ")}]`);
    }
    const text = `${lines.join("\n")}\n`;
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > USER_DATA_MAX_BYTES) {
        throw new Error(`the cloud-config is ${bytes} bytes; EC2 user data is limited to ${USER_DATA_MAX_BYTES}`);
    }
    return text;
}

// -------------------------------------------------------------------------------------------------
// YAML emitting (exported for the round-trip property test)

/** A YAML double-quoted scalar. JSON's string syntax is a subset of YAML's double-quoted style. */
export function yamlScalar(value: string): string {
    return JSON.stringify(value);
}

/**
 * A string as a YAML value at `indent` spaces: a literal block (`|`) when that reproduces it exactly
 * (printable ASCII lines, ending in exactly one newline, not starting with a space), otherwise a
 * double-quoted scalar, which can hold anything.
 */
export function yamlString(value: string, indent: number): string {
    const literalSafe = /^[\x20-\x7e\n]*$/.test(value) && value.endsWith("\n") && !value.endsWith("\n\n") && !value.startsWith(" ") && !value.startsWith("\n");
    if (!literalSafe) return yamlScalar(value);
    const pad = " ".repeat(indent);
    const body = value
        .slice(0, -1)
        .split("\n")
        .map((line) => (line === "" ? "" : pad + line))
        .join("\n");
    return `|\n${body}`;
}

// -------------------------------------------------------------------------------------------------

function assertPort(name: string, port: number): void {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new Error(`\`${name}\` must be a whole number from 1 to 65535 (got ${port})`);
    }
}

function assertSafePath(name: string, path: string): void {
    if (!/^\/[A-Za-z0-9._/-]*$/.test(path)) {
        throw new Error(`\`${name}\` must be an absolute path of letters, digits and . _ / - (got ${JSON.stringify(path)})`);
    }
}
