/**
 * The web servers' user data, checked by the tools that will consume it (`npm run test:host`):
 * `cloud-init schema` (the cloud-config), PyYAML (the YAML, as cloud-init parses it), `shellcheck` (each
 * shell file as it is on disk in components/assets/web/, and as the cloud-config installs it), `nginx -t`
 * and a live nginx on loopback (the nginx configs), real runs of the scripts against a fake IMDSv2, and the
 * probe (real python3) against a MySQL server's connection phase, jsonschema (the CloudWatch agent
 * configuration). A missing tool FAILS its tests naming the Debian package to install; nothing is
 * skipped. The Node-only checks of the same files are in test/userData.test.ts.
 */
import { execFile, spawn, ChildProcess } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { ASSETS_DIR } from "../../components/lib/assets";
import {
    DATABASE_CHECK_SCRIPT,
    IDENTITY_SCRIPT,
    MYSQL_PING_SCRIPT,
    MYSQL_PROBE_USER,
    PUBLISH_LIBRARY,
    SCRIPTS,
    SERVER_PATHS,
    renderAppEnv,
    renderCloudConfig,
    renderCloudWatchAgentConfig,
    renderNginxConfig,
    renderNginxMainConfig,
} from "../../components/lib/userData";
import { DATABASE, LOG_GROUP, WITH_DB, WITHOUT_DB, YamlCaseDoc, parseCloudConfig, yamlCaseDocument, yamlCases } from "../fixtures/userData";
import { requirePythonModule, requireTool } from "./tools";

// ---- helpers ------------------------------------------------------------------------------------

interface RunResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Run a command with a hard timeout; never rejects on a non-zero exit (the test asserts the code). */
function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const child = execFile(command, args, { env: options.env ?? process.env, timeout: options.timeoutMs ?? 20_000, maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
            if (error && typeof error.code !== "number") {
                reject(new Error(`${command} ${args.join(" ")} did not finish: ${error.message}\n${stderr}`));
                return;
            }
            resolve({ code: error ? Number(error.code) : 0, stdout: String(stdout), stderr: String(stderr) });
        });
        if (options.input !== undefined) child.stdin?.end(options.input);
    });
}

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `web-infra-${prefix}-`));
    tempDirs.push(dir);
    return dir;
}
afterAll(() => {
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A TCP port that was free a moment ago. */
async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

function get(port: number, urlPath: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
        const req = http.get({ host: "127.0.0.1", port, path: urlPath, timeout: 2000, agent: false, headers: { Host: "web-lb-123.us-east-1.elb.amazonaws.com" } }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (chunk) => (body += chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        });
        req.on("timeout", () => req.destroy(new Error(`GET ${urlPath} timed out`)));
        req.on("error", reject);
    });
}


// ---- YAML: what cloud-init's parser (PyYAML, YAML 1.1) reads ----------------------------------------

/** Parse a YAML file with Debian's python3 + PyYAML and print it back as JSON. */
async function pyYamlLoad(file: string): Promise<unknown> {
    const python = requirePythonModule("yaml", "python3-yaml");
    const result = await run(python, ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", file]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout);
}

describe("PyYAML, the parser cloud-init uses (real python3-yaml)", () => {
    it("round-trips every emitter case (0644, 1_000, yes, 1:20 and dates stay strings)", async () => {
        const cases = yamlCases();
        const file = path.join(tempDir("yaml"), "cases.yaml");
        fs.writeFileSync(file, yamlCaseDocument(cases));
        const doc = (await pyYamlLoad(file)) as YamlCaseDoc;
        expect(doc.values.map((c) => c.value)).toEqual(cases);
        expect(doc.lists).toEqual([cases]);
    });

    it.each([
        ["with a database", WITH_DB],
        ["without a database", WITHOUT_DB],
    ])("reads the cloud-config %s exactly as js-yaml does", async (label, options) => {
        const text = renderCloudConfig(options);
        const file = path.join(tempDir("cloud-config"), `${label.replace(/\W+/g, "-")}.yaml`);
        fs.writeFileSync(file, text);
        const doc = await pyYamlLoad(file);
        expect(doc).toEqual(parseCloudConfig(text));
        expect((doc as { write_files: { permissions: unknown }[] }).write_files.map((f) => typeof f.permissions)).toEqual(parseCloudConfig(text).write_files.map(() => "string"));
    });
});

// ---- cloud-init schema ----------------------------------------------------------------------------

describe("cloud-init schema (real tool)", () => {
    let dir: string;
    beforeAll(() => {
        dir = tempDir("cloud-init");
    });

    it.each([
        ["with a database", WITH_DB],
        ["without a database", WITHOUT_DB],
    ])("accepts the cloud-config %s", async (label, options) => {
        const cloudInit = requireTool("cloud-init");
        const file = path.join(dir, `${label.replace(/\W+/g, "-")}.yaml`);
        fs.writeFileSync(file, renderCloudConfig(options));
        const result = await run(cloudInit, ["schema", "--config-file", file]);
        expect({ code: result.code, stderr: result.stderr.trim() }).toEqual({ code: 0, stderr: "" });
        expect(result.stdout).toContain("Valid cloud-config");
    });

    it("rejects a broken variant (so a pass above means something)", async () => {
        const cloudInit = requireTool("cloud-init");
        const file = path.join(dir, "broken.yaml");
        const text = renderCloudConfig(WITHOUT_DB);
        const broken = text.replace("packages:\n  - nginx\n  - amazon-cloudwatch-agent\n", "packages: nginx\n").replace("permissions: '0644'", "permissions: 644");
        expect(broken).not.toBe(text);
        fs.writeFileSync(file, broken);
        const result = await run(cloudInit, ["schema", "--config-file", file]);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/packages: 'nginx' is not of type 'array'/);
    });
});

// ---- shellcheck -----------------------------------------------------------------------------------

const SHELLCHECK = ["--shell=bash", "--severity=style", "--external-sources"];

describe("shellcheck (real tool)", () => {
    const onDisk = fs.readdirSync(path.join(ASSETS_DIR, "web")).filter((f) => f.endsWith(".sh"));

    it("finds the three shell files in components/assets/web", () => {
        expect(onDisk.sort()).toEqual(["check-database.sh", "publish.sh", "write-identity.sh"]);
    });

    it.each(onDisk)("accepts components/assets/web/%s as it is on disk (following what it sources)", async (file) => {
        const shellcheck = requireTool("shellcheck");
        const result = await run(shellcheck, [...SHELLCHECK, path.join(ASSETS_DIR, "web", file)]);
        expect(`${result.stdout}${result.stderr}`).toBe("");
        expect(result.code).toBe(0);
    });

    it.each(Object.keys(SCRIPTS))("accepts %s as the cloud-config installs it", async (serverPath) => {
        const shellcheck = requireTool("shellcheck");
        // The server's layout in a temp dir: the scripts in bin/ find publish.sh in lib/.
        const root = tempDir("shellcheck");
        const written = (p: string) => path.join(root, p);
        for (const [p, text] of Object.entries(SCRIPTS)) {
            fs.mkdirSync(path.dirname(written(p)), { recursive: true });
            fs.writeFileSync(written(p), text);
        }
        const result = await run(shellcheck, [...SHELLCHECK, "--source-path", path.dirname(written(SERVER_PATHS.publishLibrary)), written(serverPath)]);
        expect(`${result.stdout}${result.stderr}`).toBe("");
        expect(result.code).toBe(0);
        expect(serverPath).toMatch(/^\/opt\/web-infra\/(bin|lib)\//);
    });

    it("follows the sourced library: a script whose publish.sh is not found is flagged", async () => {
        const shellcheck = requireTool("shellcheck");
        const dir = tempDir("shellcheck-alone");
        fs.writeFileSync(path.join(dir, "write-identity"), IDENTITY_SCRIPT);
        const result = await run(shellcheck, [...SHELLCHECK, path.join(dir, "write-identity")]);
        expect(result.code).not.toBe(0);
        expect(result.stdout).toMatch(/SC1091/);
    });

    it("flags a careless script (so a pass above means something)", async () => {
        const shellcheck = requireTool("shellcheck");
        const result = await run(shellcheck, ["--shell=bash", "-"], { input: "#!/bin/bash\nrm -rf $dir/*\n" });
        expect(result.code).not.toBe(0);
        expect(result.stdout).toMatch(/SC2086|SC2115/);
    });
});

// ---- a MySQL server, as far as the probe meets one --------------------------------------------------

/** How a connection ended, in the terms MySQL's host cache uses (performance_schema.host_cache). */
type MysqlOutcome = "handshake error" | "authentication error" | "blocked" | "silent";

interface MysqlConnection {
    /** What the client sent: user, auth response length and plugin of its HandshakeResponse41. */
    user?: string;
    authResponseLength?: number;
    plugin?: string;
    capabilities?: number;
    /** Payload length of the client's answer to an authentication-method switch. */
    switchResponseLength?: number;
    outcome?: MysqlOutcome;
}

/**
 * A MySQL 8.4 server's side of the connection phase, for the probe: greeting (protocol 10,
 * caching_sha2_password), the client's HandshakeResponse41, optionally an authentication-method switch,
 * then "access denied" (ERR 1045). It records how each connection ended as MySQL would count it: a client
 * that closes before completing the handshake, or sends a malformed response, is a HANDSHAKE error (the
 * only kind counted against max_connect_errors); one that gets to "access denied" is an authentication
 * error. `blocked` answers with ERR 1129 instead of a greeting, `silent` never greets.
 */
class FakeMysql {
    readonly connections: MysqlConnection[] = [];
    readonly server: net.Server;
    constructor(readonly mode: "deny" | "switch" | "blocked" | "silent") {
        this.server = net.createServer((socket) => this.serve(socket));
    }
    async listen(): Promise<number> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        return (this.server.address() as net.AddressInfo).port;
    }
    close(): Promise<void> {
        return new Promise((resolve) => this.server.close(() => resolve()));
    }
    /** Every connection has ended (the client closed), so every outcome is final. */
    async settled(count: number): Promise<MysqlConnection[]> {
        for (let i = 0; i < 200 && (this.connections.length < count || this.connections.some((c) => c.outcome === undefined)); i++) {
            await new Promise((r) => setTimeout(r, 10));
        }
        return this.connections;
    }

    private static packet(sequence: number, payload: Buffer): Buffer {
        const header = Buffer.alloc(4);
        header.writeUIntLE(payload.length, 0, 3);
        header[3] = sequence;
        return Buffer.concat([header, payload]);
    }
    private static error(sequence: number, code: number, state: string, message: string): Buffer {
        const head = Buffer.alloc(3);
        head[0] = 0xff;
        head.writeUInt16LE(code, 1);
        return FakeMysql.packet(sequence, Buffer.concat([head, Buffer.from(`#${state}${message}`)]));
    }
    static greeting(): Buffer {
        // CLIENT_LONG_PASSWORD | FOUND_ROWS | LONG_FLAG | CONNECT_WITH_DB | PROTOCOL_41 | TRANSACTIONS |
        // SECURE_CONNECTION | MULTI_STATEMENTS | MULTI_RESULTS | PS_MULTI_RESULTS | PLUGIN_AUTH | CONNECT_ATTRS |
        // PLUGIN_AUTH_LENENC_CLIENT_DATA | ... as a MySQL 8.4 server announces them.
        const capabilities = 0xdfffffff;
        const lower = Buffer.alloc(2);
        lower.writeUInt16LE(capabilities & 0xffff);
        const upper = Buffer.alloc(2);
        upper.writeUInt16LE(capabilities >>> 16);
        const threadId = Buffer.alloc(4);
        threadId.writeUInt32LE(4711);
        return FakeMysql.packet(
            0,
            Buffer.concat([
                Buffer.from([0x0a]),
                Buffer.from("8.4.3\0"),
                threadId,
                Buffer.from("AbCdEfGh"),
                Buffer.from([0]),
                lower,
                Buffer.from([255, 0x02, 0x00]),
                upper,
                Buffer.from([21]),
                Buffer.alloc(10),
                Buffer.from("IjKlMnOpQrSt\0"),
                Buffer.from("caching_sha2_password\0"),
            ]),
        );
    }

    private serve(socket: net.Socket): void {
        const connection: MysqlConnection = {};
        this.connections.push(connection);
        let buffered = Buffer.alloc(0);
        let stage: "response" | "switch-response" | "done" = "response";
        const finish = (outcome: MysqlOutcome) => {
            connection.outcome ??= outcome;
            stage = "done";
        };
        socket.on("error", () => undefined);
        socket.on("close", () => finish("handshake error"));
        if (this.mode === "blocked") {
            socket.end(FakeMysql.error(0, 1129, "HY000", "Host '127.0.0.1' is blocked because of many connection errors"));
            finish("blocked");
            return;
        }
        if (this.mode === "silent") {
            connection.outcome = "silent";
            return;
        }
        socket.write(FakeMysql.greeting());
        socket.on("data", (chunk: Buffer) => {
            buffered = Buffer.concat([buffered, chunk]);
            while (buffered.length >= 4 && stage !== "done") {
                const length = buffered.readUIntLE(0, 3);
                if (buffered.length < 4 + length) return;
                const sequence = buffered[3];
                const payload = buffered.subarray(4, 4 + length);
                buffered = buffered.subarray(4 + length);
                if (stage === "response") {
                    // HandshakeResponse41: capabilities(4) max-packet(4) charset(1) filler(23) user NUL
                    // auth-length(1) auth plugin NUL. Anything else is a malformed handshake.
                    const nul = payload.indexOf(0, 32);
                    if (sequence !== 1 || payload.length < 34 || nul < 0 || payload.subarray(9, 32).some((b) => b !== 0)) {
                        finish("handshake error");
                        socket.destroy();
                        return;
                    }
                    connection.capabilities = payload.readUInt32LE(0);
                    connection.user = payload.subarray(32, nul).toString();
                    connection.authResponseLength = payload[nul + 1];
                    const pluginStart = nul + 2 + payload[nul + 1];
                    connection.plugin = payload.subarray(pluginStart, payload.indexOf(0, pluginStart)).toString();
                    if (this.mode === "switch") {
                        stage = "switch-response";
                        socket.write(FakeMysql.packet(2, Buffer.concat([Buffer.from([0xfe]), Buffer.from("mysql_native_password\0"), Buffer.from("0123456789abcdefghij\0")])));
                    } else {
                        finish("authentication error");
                        socket.end(FakeMysql.error(2, 1045, "28000", `Access denied for user '${connection.user}'@'127.0.0.1' (using password: NO)`));
                    }
                } else if (stage === "switch-response") {
                    if (sequence !== 3) {
                        finish("handshake error");
                        socket.destroy();
                        return;
                    }
                    connection.switchResponseLength = payload.length;
                    finish("authentication error");
                    socket.end(FakeMysql.error(4, 1045, "28000", `Access denied for user '${connection.user}'@'127.0.0.1' (using password: NO)`));
                }
            }
        });
    }
}

/** The probe, installed in a temp dir and run by the system python3 (the interpreter AL2023 runs it with). */
function installMysqlPing(dir: string): string {
    const file = path.join(dir, "mysql-ping");
    fs.writeFileSync(file, MYSQL_PING_SCRIPT, { mode: 0o755 });
    return file;
}

describe("the database probe (mysql-ping, real python3) against a MySQL server's connection phase", () => {
    let ping: string;
    let python: string;
    beforeAll(() => {
        python = requirePythonModule("socket", "python3");
        ping = installMysqlPing(tempDir("mysql-ping"));
    });
    const runPing = (port: number) => run(python, ["-I", ping, "127.0.0.1", String(port), "1"], { timeoutMs: 10_000 });

    it.each(["deny", "switch"] as const)("completes the login exchange (%s), so the server counts an authentication error, never a handshake error", async (mode) => {
        const server = new FakeMysql(mode);
        const port = await server.listen();
        try {
            const result = await runPing(port);
            expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: "reachable\n", stderr: "" });
            const [connection] = await server.settled(1);
            expect(connection).toMatchObject({ user: MYSQL_PROBE_USER, authResponseLength: 0, plugin: "caching_sha2_password", outcome: "authentication error" });
            if (mode === "switch") expect(connection.switchResponseLength).toBe(0);
            // PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH, and no SSL request (it never sends a password).
            expect(connection.capabilities! & 0x00088200).toBe(0x00088200);
            expect(connection.capabilities! & 0x800).toBe(0);
        } finally {
            await server.close();
        }
    });

    it("the old probe, a bare TCP connect and close, is a handshake error to the same server (so the check above means something)", async () => {
        const server = new FakeMysql("deny");
        const port = await server.listen();
        try {
            const result = await run("bash", ["-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`]);
            expect(result.code).toBe(0);
            expect((await server.settled(1)).map((c) => c.outcome)).toEqual(["handshake error"]);
        } finally {
            await server.close();
        }
    });

    it("reports a server that refuses this host (1129: blocked) as refusing, not reachable", async () => {
        const server = new FakeMysql("blocked");
        const port = await server.listen();
        try {
            const result = await runPing(port);
            expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: "refusing connections (MySQL error 1129)\n" });
        } finally {
            await server.close();
        }
    });

    it("reports unreachable when nothing listens, and when a listener never greets (within the timeout)", async () => {
        const nothing = await runPing(await freePort());
        expect({ code: nothing.code, stdout: nothing.stdout }).toEqual({ code: 1, stdout: "unreachable\n" });
        const server = new FakeMysql("silent");
        const port = await server.listen();
        try {
            const silent = await runPing(port);
            expect({ code: silent.code, stdout: silent.stdout }).toEqual({ code: 1, stdout: "unreachable (no MySQL greeting)\n" });
        } finally {
            await server.close();
        }
    });
});


// ---- the CloudWatch agent -------------------------------------------------------------------------

describe("CloudWatch agent configuration (real python3-jsonschema)", () => {
    it("validates against the agent's own JSON schema, as the agent's config-translator checks it", async () => {
        // test/fixtures/amazon-cloudwatch-agent-schema.json: translator/config/schema.json of
        // aws/amazon-cloudwatch-agent at ab55b8daa204e95c42c0267ee5aa49ec3b3a7317 (MIT, see the .LICENSE next to it).
        const schema = path.join(__dirname, "..", "fixtures", "amazon-cloudwatch-agent-schema.json");
        const python = requirePythonModule("jsonschema", "python3-jsonschema");
        const validate = (document: string) =>
            run(python, ["-c", "import json, sys, jsonschema; jsonschema.Draft4Validator(json.load(open(sys.argv[1]))).validate(json.load(sys.stdin))", schema], { input: document });
        const good = await validate(renderCloudWatchAgentConfig(LOG_GROUP));
        expect({ code: good.code, stderr: good.stderr }).toEqual({ code: 0, stderr: "" });
        // A misspelt key is refused (so the pass above means something).
        const bad = await validate(renderCloudWatchAgentConfig(LOG_GROUP).replace('"file_path"', '"path"'));
        expect(bad.code).not.toBe(0);
        expect(bad.stderr).toMatch(/'file_path' is a required property|'path' was unexpected/);
    });
});

// ---- nginx -t and a live server -------------------------------------------------------------------

/** A throwaway nginx prefix: our main config and site with temp paths, the web root, logs. */
function nginxPrefix(port: number) {
    const prefix = tempDir("nginx");
    const webRoot = path.join(prefix, "www");
    const confDir = path.join(prefix, "conf.d");
    fs.mkdirSync(webRoot, { mode: 0o755 });
    fs.mkdirSync(confDir);
    fs.chmodSync(prefix, 0o755);
    const conf = path.join(prefix, "nginx.conf");
    fs.writeFileSync(
        conf,
        renderNginxMainConfig({
            // As root, `user nginx` needs that account (Debian has none) and workers that can read the temp
            // dirs: run them as root. Unprivileged, nginx ignores the directive (with a warning).
            user: process.getuid?.() === 0 ? "root" : undefined,
            workerProcesses: "1",
            pidFile: path.join(prefix, "nginx.pid"),
            errorLog: path.join(prefix, "error.log"),
            accessLog: path.join(prefix, "access.log"),
            mimeTypes: "/etc/nginx/mime.types",
            confDir,
            modulesInclude: path.join(prefix, "modules", "*.conf"),
        }),
    );
    fs.writeFileSync(path.join(confDir, "web-infra.conf"), renderNginxConfig({ port, webRoot, listenAddress: "127.0.0.1" }));
    const args = ["-p", prefix, "-e", path.join(prefix, "error.log"), "-c", conf];
    return { prefix, webRoot, confDir, conf, args };
}

describe("nginx -t (real tool)", () => {
    it("accepts our nginx.conf with the site", async () => {
        const nginx = requireTool("nginx");
        const { args } = nginxPrefix(await freePort());
        const result = await run(nginx, ["-t", ...args]);
        expect(result.stderr).toContain("syntax is ok");
        expect(result.stderr).toContain("test is successful");
        expect(result.code).toBe(0);
    });

    it("rejects a broken site (so a pass above means something)", async () => {
        const nginx = requireTool("nginx");
        const { args, confDir } = nginxPrefix(await freePort());
        const site = path.join(confDir, "web-infra.conf");
        fs.writeFileSync(site, fs.readFileSync(site, "utf8").replace("server_tokens off;", "server_tokens off"));
        const result = await run(nginx, ["-t", ...args]);
        expect(result.code).not.toBe(0);
    });
});

describe("a live server on loopback: boot script against a fake IMDSv2, DB check, nginx", () => {
    const INSTANCE_ID = "i-0a1b2c3d4e5f60718";
    const ZONE = "us-east-1b";
    const TOKEN = "AQAEAFakeImdsV2Token==";
    const imdsLog: string[] = [];
    let imds: http.Server;
    let imdsPort = 0;
    let database: net.Server;
    let mysql: FakeMysql;
    let dbPort = 0;
    let nginxProcess: ChildProcess | undefined;
    let nginxPort = 0;
    let nginxStderr = "";
    let home: string;
    let webRoot: string;
    let envFile: string;
    let scriptEnv: NodeJS.ProcessEnv;
    let identityRun: RunResult;
    let databaseRun: RunResult;

    beforeAll(async () => {
        const nginx = requireTool("nginx");
        requireTool("curl");

        // IMDSv2 as EC2 enforces it with httpTokens=required: a PUT for a token, then GETs carrying it;
        // anything else is 401.
        imds = http.createServer((req, res) => {
            imdsLog.push(`${req.method} ${req.url}`);
            if (req.method === "PUT" && req.url === "/latest/api/token" && req.headers["x-aws-ec2-metadata-token-ttl-seconds"]) {
                res.end(TOKEN);
                return;
            }
            const answers: Record<string, string> = { "/latest/meta-data/instance-id": INSTANCE_ID, "/latest/meta-data/placement/availability-zone": ZONE };
            if (req.method === "GET" && req.headers["x-aws-ec2-metadata-token"] === TOKEN && req.url && answers[req.url]) {
                res.end(answers[req.url]);
                return;
            }
            res.statusCode = 401;
            res.end();
        });
        await new Promise<void>((resolve) => imds.listen(0, "127.0.0.1", resolve));
        imdsPort = (imds.address() as net.AddressInfo).port;

        // The "writer" (a MySQL server's connection phase) listens on 127.0.0.1; the "reader" is 127.0.0.2
        // on the same port, where nothing listens.
        mysql = new FakeMysql("deny");
        dbPort = await mysql.listen();
        database = mysql.server;

        nginxPort = await freePort();
        const prefix = nginxPrefix(nginxPort);
        home = prefix.prefix;
        webRoot = prefix.webRoot;
        envFile = path.join(home, "app.env");
        fs.writeFileSync(
            envFile,
            renderAppEnv({ appPort: nginxPort, region: "us-east-1", logGroupName: LOG_GROUP, database: { ...DATABASE, writerHost: "127.0.0.1", readerHost: "127.0.0.2", port: dbPort } }),
        );
        for (const [name, text] of [["write-identity", IDENTITY_SCRIPT], ["check-database", DATABASE_CHECK_SCRIPT]]) {
            fs.writeFileSync(path.join(home, name), text, { mode: 0o755 });
        }
        fs.writeFileSync(path.join(home, "publish.sh"), PUBLISH_LIBRARY, { mode: 0o644 });
        const mysqlPing = installMysqlPing(home);
        scriptEnv = {
            PATH: process.env.PATH,
            IMDS_ENDPOINT: `http://127.0.0.1:${imdsPort}`,
            WEB_INFRA_WEB_ROOT: webRoot,
            WEB_INFRA_ENV_FILE: envFile,
            WEB_INFRA_MYSQL_PING: mysqlPing,
            WEB_INFRA_PUBLISH_LIB: path.join(home, "publish.sh"),
            WEB_INFRA_DB_TIMEOUT_SECONDS: "1",
        };

        // Boot order on the server: identity, then nginx; the DB check every minute after that.
        identityRun = await run(path.join(home, "write-identity"), [], { env: scriptEnv, timeoutMs: 15_000 });
        databaseRun = await run(path.join(home, "check-database"), [], { env: scriptEnv, timeoutMs: 15_000 });

        nginxProcess = spawn(nginx, [...prefix.args, "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
        nginxProcess.stderr?.on("data", (d) => (nginxStderr += String(d)));
        const deadline = Date.now() + 5000;
        for (;;) {
            try {
                await get(nginxPort, "/health");
                break;
            } catch (e) {
                if (Date.now() > deadline || nginxProcess.exitCode !== null) {
                    throw new Error(`nginx did not come up on 127.0.0.1:${nginxPort}: ${(e as Error).message}\n${nginxStderr}`);
                }
                await new Promise((r) => setTimeout(r, 50));
            }
        }
    }, 30_000);

    afterAll(async () => {
        if (nginxProcess && nginxProcess.exitCode === null) {
            const exited = new Promise((resolve) => nginxProcess!.once("exit", resolve));
            nginxProcess.kill("SIGTERM");
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 3000)))]);
            clearTimeout(timer);
            if (nginxProcess.exitCode === null) nginxProcess.kill("SIGKILL");
        }
        await Promise.all([imds, database].filter(Boolean).map((s) => new Promise((r) => s.close(r))));
    });

    it("the boot script used IMDSv2 (token first, then reads with it) and succeeded", () => {
        expect(identityRun.stderr).toBe("");
        expect(identityRun.code).toBe(0);
        expect(identityRun.stdout.trim()).toBe(`write-identity: ${INSTANCE_ID} in ${ZONE}`);
        expect(imdsLog).toEqual(["PUT /latest/api/token", "GET /latest/meta-data/instance-id", "GET /latest/meta-data/placement/availability-zone"]);
    });

    it("the DB check ran cleanly, and its one connection to the writer was a completed login, not a handshake error", async () => {
        expect({ code: databaseRun.code, stderr: databaseRun.stderr }).toEqual({ code: 0, stderr: "" });
        expect((await mysql.settled(1)).map((c) => c.outcome)).toEqual(["authentication error"]);
    });

    it("GET /health answers 200 ok, text/plain, not cached", async () => {
        const res = await get(nginxPort, "/health");
        expect(res.status).toBe(200);
        expect(res.body).toBe("ok\n");
        expect(res.headers["content-type"]).toMatch(/^text\/plain/);
        expect(res.headers["cache-control"]).toBe("no-store");
        expect(res.headers.server).toBe("nginx");
    });

    it("GET / names the server (instance id and zone) and reports the writer and the reader", async () => {
        const res = await get(nginxPort, "/");
        expect(res.status).toBe(200);
        expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
        const lines = res.body.trimEnd().split("\n");
        expect(lines.slice(0, 5)).toEqual([
            `served-by: ${INSTANCE_ID} (${ZONE})`,
            `instance-id: ${INSTANCE_ID}`,
            `availability-zone: ${ZONE}`,
            `db-writer: reachable (127.0.0.1:${dbPort})`,
            `db-reader: unreachable (127.0.0.2:${dbPort})`,
        ]);
        expect(lines[5]).toMatch(/^db-checked-at: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });

    it("any other path is 404", async () => {
        expect((await get(nginxPort, "/index.txt")).status).toBe(404);
        expect((await get(nginxPort, "/app.env")).status).toBe(404);
    });

    it("/health does not depend on the page (or the DB): with index.txt gone, / is 503 and /health still 200", async () => {
        fs.rmSync(path.join(webRoot, "index.txt"));
        expect((await get(nginxPort, "/")).status).toBe(503);
        expect((await get(nginxPort, "/health")).status).toBe(200);
    });

    it("the boot script refuses to publish when IMDS refuses it (IMDSv1-style call without a token)", async () => {
        const otherRoot = path.join(home, "www-refused");
        const refused = http.createServer((_req, res) => {
            res.statusCode = 401;
            res.end();
        });
        await new Promise<void>((resolve) => refused.listen(0, "127.0.0.1", resolve));
        try {
            const port = (refused.address() as net.AddressInfo).port;
            const result = await run(path.join(home, "write-identity"), [], {
                env: { ...scriptEnv, IMDS_ENDPOINT: `http://127.0.0.1:${port}`, WEB_INFRA_WEB_ROOT: otherRoot },
                timeoutMs: 15_000,
            });
            expect(result.code).not.toBe(0);
            expect(result.stderr).toMatch(/401/);
            expect(fs.existsSync(path.join(otherRoot, "identity.txt"))).toBe(false);
        } finally {
            await new Promise((r) => refused.close(r));
        }
    });
});
