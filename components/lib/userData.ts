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
 * | `/opt/web-infra/bin/check-database` | every 10 s (systemd timer), only with a database: TCP reachability of writer and reader |
 * | `/opt/web-infra/app/` | room for the application (next issue) |
 * | `/var/lib/web-infra/www/` | what nginx serves on `/` (`index.txt`) |
 */

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
    webRoot: "/var/lib/web-infra/www",
    identityUnit: "/etc/systemd/system/web-infra-identity.service",
    databaseCheckUnit: "/etc/systemd/system/web-infra-db-check.service",
    databaseCheckTimer: "/etc/systemd/system/web-infra-db-check.timer",
} as const;

/** EC2 rejects user data larger than 16 KB (before base64). */
export const USER_DATA_MAX_BYTES = 16 * 1024;

/** How often the database reachability check runs, in seconds. */
export const DATABASE_CHECK_INTERVAL_SECONDS = 10;

/** Database endpoints the server is told about. Plain values; never the password. */
export interface DatabaseSettings {
    /** DNS name of the writer (primary). */
    readonly writerHost: string;
    /** DNS name that reaches the read replicas. */
    readonly readerHost: string;
    readonly port: number;
    /** Database (schema) name. */
    readonly name: string;
    /** ARN of the Secrets Manager secret holding the credentials, read at run time with the instance role. */
    readonly secretArn: string;
}

export interface CloudConfigOptions {
    /** Port nginx listens on (the target group's port). */
    readonly appPort: number;
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
 * Status script (`web-infra-db-check.timer`, every 10 s, only with a database): can this server open
 * a TCP connection to the writer and to the reader? Reports on `/`; never affects `/health`, and always
 * exits 0 (an unreachable database is a status, not a failure of the check).
 */
export const DATABASE_CHECK_SCRIPT = `#!/bin/bash
# web-infra: report on / whether this server reaches the database writer and reader (TCP connect with
# a timeout; no credentials involved). Run every ${DATABASE_CHECK_INTERVAL_SECONDS} s by web-infra-db-check.timer. /health never
# depends on this: a database outage must not drain every web server at once.
set -euo pipefail

web_root="\${WEB_INFRA_WEB_ROOT:-${SERVER_PATHS.webRoot}}"
env_file="\${WEB_INFRA_ENV_FILE:-${SERVER_PATHS.appEnv}}"
timeout_seconds="\${WEB_INFRA_DB_TIMEOUT_SECONDS:-2}"

${PUBLISH_FUNCTIONS}

# shellcheck source=/dev/null
. "$env_file"
writer="\${DB_WRITER_HOST:?DB_WRITER_HOST missing from $env_file}"
reader="\${DB_READER_HOST:?DB_READER_HOST missing from $env_file}"
port="\${DB_PORT:?DB_PORT missing from $env_file}"

# "reachable" when a TCP connection to host:port opens within the timeout. The inner bash expands
# $1 and $2 itself (they are its arguments), hence the single quotes.
probe() {
    # shellcheck disable=SC2016
    if timeout "$timeout_seconds" bash -c 'exec 3<>"/dev/tcp/$1/$2"' probe "$1" "$2" 2>/dev/null; then
        echo reachable
    else
        echo unreachable
    fi
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

/** Every script the cloud-config installs, by path (for shellcheck). */
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
# The default accuracy is a minute, which would make a ${DATABASE_CHECK_INTERVAL_SECONDS}-second timer fire irregularly.
AccuracySec=1s

[Install]
WantedBy=timers.target
`;

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
    ];
    if (opts.database) {
        files.push(
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
        `  - ${yamlScalar("nginx")}`,
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
