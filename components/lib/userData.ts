/**
 * What a web server runs: the cloud-config user data that installs nginx and the CloudWatch agent and
 * writes the files below. The files themselves are real files in `components/assets/web/` (scripts,
 * units, nginx configuration, the probe, the agent configuration): this module picks them, fills the
 * three templates among them, writes `app.env`, and emits the document with js-yaml. Pure: no Pulumi,
 * no AWS. `test/userData.test.ts` checks the rendering and holds a snapshot of the whole document;
 * `test/host/userData.test.ts` checks it with the real tools (`cloud-init schema`, PyYAML, `nginx -t`,
 * `shellcheck`, a live nginx against a fake IMDSv2, the probe against a MySQL connection phase).
 *
 * Server layout (Amazon Linux 2023, which ships cloud-init, the SSM agent, curl, python3 and nginx in
 * its repositories):
 *
 * | path | what | asset |
 * |---|---|---|
 * | `/etc/nginx/nginx.conf` | ours, replacing the package's (see renderNginxMainConfig) | `nginx.conf` (template) |
 * | `/etc/nginx/conf.d/web-infra.conf` | the site: `/health` (static 200) and `/` (which server answered) | `site.conf` (template) |
 * | `/etc/web-infra/app.env` | settings for the application: port, region, DB endpoints and the ARN of the DB secret — never a password | (renderAppEnv) |
 * | `/opt/web-infra/bin/write-identity` | boot script: instance id and zone from IMDSv2 → `/var/lib/web-infra/www` | `write-identity.sh` |
 * | `/opt/web-infra/lib/publish.sh` | the functions both scripts share (atomic publish, `index.txt`) | `publish.sh` |
 * | `/opt/web-infra/bin/check-database` | every 60 s (systemd timer), only with a database: do the writer and the reader answer as MySQL? | `check-database.sh` |
 * | `/opt/web-infra/bin/mysql-ping` | the probe it runs: reads the greeting, then completes the login exchange as an account that does not exist | `mysql-ping.py` |
 * | `/etc/web-infra/cloudwatch-agent.json` | the CloudWatch agent's configuration | `cloudwatch-agent.json` (template) |
 * | `/opt/web-infra/app/` | room for the application (next issue) | `app-README.txt` |
 * | `/var/lib/web-infra/www/` | what nginx serves on `/` (`index.txt`) | |
 *
 * The scripts are plain files, the same bytes on disk, in the user data and on the server: their paths
 * default to the production ones below (SERVER_PATHS; test/userData.test.ts holds them to it) and can be
 * overridden by environment variables, so the host tests run them against temp dirs and a fake IMDS.
 */
import { fillTemplate, readAsset } from "./assets";
import { emitYaml } from "./yaml";
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
    /** Sourced by both scripts (not executable). */
    publishLibrary: "/opt/web-infra/lib/publish.sh",
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

/**
 * EC2 rejects user data larger than 16 KB "in raw form, before it is base64-encoded" (EC2 User Guide,
 * instancedata-add-user-data.html): the same for an instance and a launch template, which takes it
 * base64-encoded.
 */
export const USER_DATA_MAX_BYTES = 16 * 1024;

/**
 * How often the database reachability check runs, in seconds (`web-infra-db-check.timer`). Each check
 * is one connection per endpoint, and each is a completed login exchange (see MYSQL_PING_SCRIPT), so
 * none counts toward `max_connect_errors`. A minute is enough for a status line.
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
// Templates: the only assets with placeholders, and the only placeholders each may hold.

/** Each template asset and its placeholders, all of them required (assets.ts fillTemplate). */
export const TEMPLATES = {
    "web/nginx.conf": ["accessLog", "confDir", "errorLog", "mimeTypes", "modulesInclude", "pidFile", "user", "workerProcesses"],
    "web/site.conf": ["listen", "webRoot"],
    "web/cloudwatch-agent.json": ["logGroupName"],
} as const satisfies Record<string, readonly string[]>;

function renderTemplate(name: keyof typeof TEMPLATES, values: Readonly<Record<string, string>>): string {
    return fillTemplate(name, readAsset(name), TEMPLATES[name], values);
}

// -------------------------------------------------------------------------------------------------
// nginx

export interface NginxMainOptions {
    /**
     * Worker user. nginx ignores the directive (with a warning) when not started as root, so an
     * unprivileged test can keep the default. @default "nginx"
     */
    readonly user?: string;
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
 * Our `nginx.conf` (asset `web/nginx.conf`). We own the main file instead of dropping a site next to
 * the package's: Amazon Linux's stock `nginx.conf` carries its own welcome `server` on port 80, and
 * depending on the package version it is marked `default_server` (two default servers on one port is a
 * fatal config error) or not (then it competes for requests). With this file the only servers are ours
 * in `conf.d/`. Everything else follows the package's defaults. The options exist for the tests, which
 * run it unprivileged in a temp dir; the server gets the defaults.
 */
export function renderNginxMainConfig(opts: NginxMainOptions = {}): string {
    const user = opts.user ?? "nginx";
    if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(user)) {
        throw new Error(`\`user\` must be a user name: lowercase letters, digits, _ and - (got ${JSON.stringify(user)})`);
    }
    const workerProcesses = opts.workerProcesses ?? "auto";
    if (!/^(auto|[1-9][0-9]{0,3})$/.test(workerProcesses)) {
        throw new Error(`\`workerProcesses\` must be "auto" or a whole number from 1 to 9999 (got ${JSON.stringify(workerProcesses)})`);
    }
    const path = (name: string, value: string) => {
        assertSafePath(name, value.replace(/\*/g, "x"));
        return value;
    };
    return renderTemplate("web/nginx.conf", {
        user,
        workerProcesses,
        errorLog: path("errorLog", opts.errorLog ?? SERVER_PATHS.nginxErrorLog),
        pidFile: path("pidFile", opts.pidFile ?? "/run/nginx.pid"),
        modulesInclude: path("modulesInclude", opts.modulesInclude ?? "/usr/share/nginx/modules/*.conf"),
        accessLog: path("accessLog", opts.accessLog ?? SERVER_PATHS.nginxAccessLog),
        mimeTypes: path("mimeTypes", opts.mimeTypes ?? "/etc/nginx/mime.types"),
        confDir: path("confDir", opts.confDir ?? "/etc/nginx/conf.d"),
    });
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
 * The site (asset `web/site.conf`, a `server` block for `conf.d/`): the `default_server` on the app
 * port, so it answers whatever Host the request carries (the load balancer's DNS name, the domain, the
 * health checker's IP). `/health` is static; `/` serves `index.txt` from the web root.
 */
export function renderNginxConfig(opts: NginxOptions): string {
    assertPort("port", opts.port);
    const webRoot = opts.webRoot ?? SERVER_PATHS.webRoot;
    assertSafePath("webRoot", webRoot);
    if (opts.listenAddress !== undefined && !/^(\d{1,3}\.){3}\d{1,3}$/.test(opts.listenAddress)) {
        throw new Error(`\`listenAddress\` must be an IPv4 address (got ${JSON.stringify(opts.listenAddress)})`);
    }
    const listen = opts.listenAddress === undefined ? `${opts.port}` : `${opts.listenAddress}:${opts.port}`;
    return renderTemplate("web/site.conf", { listen, webRoot });
}

// -------------------------------------------------------------------------------------------------
// Scripts and units: plain files, shipped as they are.

/**
 * The functions both scripts source from SERVER_PATHS.publishLibrary (or `$WEB_INFRA_PUBLISH_LIB`):
 * `publish` (replace a file under the web root atomically) and `assemble_index`.
 */
export const PUBLISH_LIBRARY = readAsset("web/publish.sh");

/**
 * Boot script (`web-infra-identity.service`, every boot, before nginx): asks the instance metadata
 * service, IMDSv2 only (a session token first, then reads with it), for the instance id and zone and
 * publishes them for `/`.
 */
export const IDENTITY_SCRIPT = readAsset("web/write-identity.sh");

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
export const MYSQL_PING_SCRIPT = readAsset("web/mysql-ping.py");

/**
 * Status script (`web-infra-db-check.timer`, every 60 s, only with a database): does a MySQL server
 * answer on the writer and on the reader (MYSQL_PING_SCRIPT)? Reports on `/`; never affects `/health`,
 * and always exits 0 (an unreachable database is a status, not a failure of the check).
 */
export const DATABASE_CHECK_SCRIPT = readAsset("web/check-database.sh");

/** Every shell file the cloud-config installs, by path (for shellcheck; the probe is Python). */
export const SCRIPTS: Readonly<Record<string, string>> = {
    [SERVER_PATHS.identityScript]: IDENTITY_SCRIPT,
    [SERVER_PATHS.databaseCheckScript]: DATABASE_CHECK_SCRIPT,
    [SERVER_PATHS.publishLibrary]: PUBLISH_LIBRARY,
};

// Both services run as root but may write only /var/lib/web-infra (StateDirectory= creates it and
// keeps it writable under ProtectSystem=strict); the rest of the file system is read-only to them.
export const IDENTITY_UNIT = readAsset("web/web-infra-identity.service");
export const DATABASE_CHECK_UNIT = readAsset("web/web-infra-db-check.service");
export const DATABASE_CHECK_TIMER = readAsset("web/web-infra-db-check.timer");

/** What `/opt/web-infra/app/README` says until the application arrives. */
const APP_README = readAsset("web/app-README.txt");

// -------------------------------------------------------------------------------------------------
// CloudWatch agent

/** Namespace of the agent's metrics (the agent's default, named explicitly). */
export const CLOUDWATCH_AGENT_NAMESPACE = "CWAgent";

/**
 * The CloudWatch agent's configuration (asset `web/cloudwatch-agent.json`; amazon-cloudwatch-agent,
 * from the AL2023 repositories; the instance role has CloudWatchAgentServerPolicy). Ships nginx's access
 * and error logs to `logGroupName`, one stream per server and file (`<instance id>-access`,
 * `<instance id>-error`), and publishes memory and root-disk use every minute as `CWAgent`
 * `mem_used_percent` and `disk_used_percent` (dimensions InstanceId, and path and fstype for the disk):
 * what EC2's own metrics cannot see from outside. The disk is the root file system only, without the
 * device name (it differs between instance types). No `retention_in_days`: the log group is Pulumi's
 * (WebServers), retention included.
 * Shape: the agent's schema (translator/config/schema.json in aws/amazon-cloudwatch-agent) and
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Agent-Configuration-File-Details.html
 */
export function renderCloudWatchAgentConfig(logGroupName: string): string {
    if (!/^[A-Za-z0-9_/.#-]{1,512}$/.test(logGroupName)) {
        throw new Error(`\`logGroupName\` must be 1-512 letters, digits and _ / . # - (got ${JSON.stringify(logGroupName)})`);
    }
    const config = JSON.parse(renderTemplate("web/cloudwatch-agent.json", { logGroupName })) as Record<string, unknown>;
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
        { path: `${SERVER_PATHS.appDir}/README`, permissions: "0644", content: APP_README },
        { path: SERVER_PATHS.publishLibrary, permissions: "0644", content: PUBLISH_LIBRARY },
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
 * Packages are not upgraded at boot: Amazon Linux 2023 locks the repositories to the AMI's release,
 * so updates arrive by rolling the servers onto a newer AMI. Emitted by js-yaml with PyYAML's reading
 * of plain scalars in mind (./yaml.ts).
 */
export function renderCloudConfig(opts: CloudConfigOptions): string {
    const document = {
        packages: [...SERVER_PACKAGES],
        write_files: serverFiles(opts).map((f) => ({ path: f.path, owner: "root:root", permissions: f.permissions, content: f.content })),
        runcmd: serverCommands(opts),
    };
    const text = [
        "#cloud-config",
        "# web-infra web server (components/lib/userData.ts, files from components/assets/web/). Applied once, at first boot.",
        emitYaml(document),
    ].join("\n");
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > USER_DATA_MAX_BYTES) {
        throw new Error(`the cloud-config is ${bytes} bytes; EC2 user data is limited to ${USER_DATA_MAX_BYTES}`);
    }
    return text;
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
