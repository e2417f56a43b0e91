/**
 * The web servers' user data, checked by the tools that will consume it: `cloud-init schema` (the
 * cloud-config), PyYAML (the YAML emitter, as cloud-init parses it), `nginx -t` and a live nginx on
 * loopback (the nginx configs), `shellcheck` and real runs against a fake IMDSv2 and a TCP listener
 * (the scripts). A missing tool FAILS its tests with the Debian package to install; nothing is skipped.
 */
import { execFile, spawn, ChildProcess } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import {
    DATABASE_CHECK_SCRIPT,
    IDENTITY_SCRIPT,
    SCRIPTS,
    SERVER_PATHS,
    USER_DATA_MAX_BYTES,
    CloudConfigOptions,
    renderAppEnv,
    renderCloudConfig,
    renderNginxConfig,
    renderNginxMainConfig,
    serverCommands,
    serverFiles,
    yamlString,
} from "../components/lib/userData";

// ---- helpers ------------------------------------------------------------------------------------

/** Debian package that provides each tool (what `.ci/run` installs). */
const PACKAGES: Record<string, string> = { "cloud-init": "cloud-init", nginx: "nginx-light", shellcheck: "shellcheck", python3: "python3-yaml", curl: "curl" };

function findTool(command: string): string | undefined {
    const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/sbin", "/usr/local/sbin"];
    for (const dir of dirs) {
        const candidate = path.join(dir, command);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            return candidate;
        } catch {
            // not here
        }
    }
    return undefined;
}

/** The tool's path, or an error that says which Debian package to install. */
function requireTool(command: string): string {
    const found = findTool(command);
    if (found === undefined) {
        throw new Error(
            `\`${command}\` is not installed: run \`apt-get install --no-install-recommends ${PACKAGES[command] ?? command}\` (.ci/run does). ` +
                "These tests run the real tool on purpose and fail rather than skip without it.",
        );
    }
    return found;
}

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

const DATABASE = {
    writerHost: "app-writer.db.web-infra.internal",
    readerHost: "app-reader.db.web-infra.internal",
    port: 3306,
    name: "app",
    secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:web-infra-db-master-AbC123",
};
const WITH_DB: CloudConfigOptions = { appPort: 80, region: "us-east-1", database: DATABASE };
const WITHOUT_DB: CloudConfigOptions = { appPort: 8080, region: "eu-west-1" };

interface CloudConfigDoc {
    packages: string[];
    write_files: { path: string; owner: string; permissions: string; content: string }[];
    runcmd: string[][];
}
const parse = (text: string) => yaml.load(text) as CloudConfigDoc;

// ---- the cloud-config document (pure) -------------------------------------------------------------

describe("renderCloudConfig", () => {
    it.each([
        ["with a database", WITH_DB],
        ["without a database", WITHOUT_DB],
    ])("%s: a #cloud-config that installs nginx and writes exactly the server files", (_label, options) => {
        const text = renderCloudConfig(options);
        expect(text.startsWith("#cloud-config\n")).toBe(true);
        const doc = parse(text);
        expect(doc.packages).toEqual(["nginx"]);
        // Every file round-trips byte for byte through the YAML.
        expect(doc.write_files.map((f) => ({ path: f.path, permissions: f.permissions, content: f.content }))).toEqual(serverFiles(options));
        expect(doc.write_files.every((f) => f.owner === "root:root")).toBe(true);
        expect(doc.runcmd).toEqual(serverCommands(options));
        expect(Buffer.byteLength(text)).toBeLessThan(USER_DATA_MAX_BYTES);
    });

    it("installs our nginx.conf after the package (runcmd), then starts identity before nginx", () => {
        const commands = serverCommands(WITH_DB).map((c) => c.join(" "));
        expect(commands).toEqual([
            `install -m 0644 ${SERVER_PATHS.nginxMainSource} ${SERVER_PATHS.nginxMain}`,
            "systemctl daemon-reload",
            "systemctl enable --now web-infra-identity.service",
            "systemctl enable --now nginx.service",
            "systemctl enable --now web-infra-db-check.timer",
        ]);
    });

    it("without a database there is no status check, and / says so", () => {
        const paths = serverFiles(WITHOUT_DB).map((f) => f.path);
        expect(paths).not.toContain(SERVER_PATHS.databaseCheckScript);
        expect(paths).not.toContain(SERVER_PATHS.databaseCheckTimer);
        expect(serverCommands(WITHOUT_DB).flat()).not.toContain("web-infra-db-check.timer");
        expect(IDENTITY_SCRIPT).toContain("database: not configured");
    });

    it("the nginx site listens on the app port", () => {
        const site = (o: CloudConfigOptions) => serverFiles(o).find((f) => f.path === SERVER_PATHS.nginxSite)?.content;
        expect(site(WITH_DB)).toContain("listen 80 default_server;");
        expect(site(WITHOUT_DB)).toContain("listen 8080 default_server;");
        expect(site(WITH_DB)).toBe(renderNginxConfig({ port: 80 }));
    });

    it("app.env carries the DB endpoints and the secret's ARN, never a password", () => {
        const env = serverFiles(WITH_DB).find((f) => f.path === SERVER_PATHS.appEnv);
        expect(env?.permissions).toBe("0640");
        const vars = Object.fromEntries(
            env!.content
                .split("\n")
                .filter((l) => l !== "" && !l.startsWith("#"))
                .map((l) => l.split(/=(.*)/s).slice(0, 2)),
        );
        expect(vars).toEqual({
            APP_PORT: "80",
            AWS_REGION: "us-east-1",
            WEB_ROOT: SERVER_PATHS.webRoot,
            DB_WRITER_HOST: DATABASE.writerHost,
            DB_READER_HOST: DATABASE.readerHost,
            DB_PORT: "3306",
            DB_NAME: "app",
            DB_SECRET_ARN: DATABASE.secretArn,
        });
        expect(Object.keys(vars).some((k) => /PASS|SECRET_VALUE/i.test(k))).toBe(false);
    });

    it.each([
        ["a space", "db host"],
        ["a newline", "db\nEVIL=1"],
        ["a command substitution", "$(reboot)"],
        ["a quote", "db'"],
        ["nothing", ""],
    ])("app.env refuses a value with %s", (_label, bad) => {
        expect(() => renderAppEnv({ ...WITH_DB, database: { ...DATABASE, writerHost: bad } })).toThrow(
            `app.env value of DB_WRITER_HOST must be non-empty and use only letters, digits and . _ : / @ + = , - (got ${JSON.stringify(bad)})`,
        );
    });

    it.each([0, 65536, 1.5, -80])("refuses app port %p", (port) => {
        expect(() => renderCloudConfig({ ...WITHOUT_DB, appPort: port })).toThrow(`\`appPort\` must be a whole number from 1 to 65535 (got ${port})`);
    });

    it("refuses user data over EC2's 16 KB limit", () => {
        const huge = { ...DATABASE, writerHost: `${"a".repeat(USER_DATA_MAX_BYTES)}.internal` };
        expect(() => renderCloudConfig({ ...WITH_DB, database: huge })).toThrow(/^the cloud-config is \d+ bytes; EC2 user data is limited to 16384$/);
    });
});

// ---- YAML emitter: a property, checked with js-yaml here and with PyYAML (cloud-init's parser) below

/** Deterministic pseudo-random strings over an alphabet full of YAML-significant characters. */
function yamlCases(): string[] {
    const alphabet = [" ", "  ", "\n", "\n\n", "\t", ":", ": ", "#", " #", "'", '"', "\\", "|", ">", "-", "- ", "{", "}", "[", "]", ",", "&", "*", "!", "%", "@", "`", "?", "é", "✓", "a", "b", "x y", "true", "0644", "~", "null", "---", "...", "\r"];
    let seed = 0x2545f491;
    const next = () => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) / 0x100000000;
    };
    const cases = ["", "\n", "a", "a\n", "a\n\n", " a\n", "\na\n", "x\n  y\n", "  \n", "a\n \nb\n", "#!/bin/bash\necho hi\n", "key: value\n- item\n"];
    for (let i = 0; i < 400; i++) {
        const length = Math.floor(next() * 24);
        let s = "";
        for (let j = 0; j < length; j++) s += alphabet[Math.floor(next() * alphabet.length)];
        // Half of them end like a file (one newline), which takes the literal-block path.
        cases.push(i % 2 === 0 ? `${s.replace(/\n+$/, "")}\n` : s);
    }
    return cases;
}

/** One YAML document: a list of the cases as the emitter writes them at indent 4 (as in write_files). */
function yamlCaseDocument(cases: string[]): string {
    return `cases:\n${cases.map((c) => `  - value: ${yamlString(c, 6)}`).join("\n")}\n`;
}

describe("yamlString", () => {
    const cases = yamlCases();

    it("uses a literal block for file-like text and round-trips every case (js-yaml)", () => {
        expect(yamlString("a\nb\n", 6)).toBe("|\n      a\n      b");
        const doc = yaml.load(yamlCaseDocument(cases)) as { cases: { value: string }[] };
        expect(doc.cases.map((c) => c.value)).toEqual(cases);
    });

    it("round-trips every case through PyYAML, the parser cloud-init uses", async () => {
        // Debian's python3 is the interpreter cloud-init runs on (a pyenv one may shadow it on PATH).
        const python = fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : requireTool("python3");
        const dir = tempDir("yaml");
        const file = path.join(dir, "cases.yaml");
        fs.writeFileSync(file, yamlCaseDocument(cases));
        const result = await run(python, ["-c", "import json, sys, yaml; print(json.dumps([c['value'] for c in yaml.safe_load(open(sys.argv[1]))['cases']]))", file]);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(JSON.parse(result.stdout)).toEqual(cases);
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
        fs.writeFileSync(file, renderCloudConfig(WITHOUT_DB).replace('packages:\n  - "nginx"', 'packages: "nginx"').replace('permissions: "0644"', "permissions: 644"));
        const result = await run(cloudInit, ["schema", "--config-file", file]);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/packages: 'nginx' is not of type 'array'/);
    });
});

// ---- shellcheck -----------------------------------------------------------------------------------

describe("shellcheck (real tool)", () => {
    it.each(Object.entries(SCRIPTS))("accepts %s", async (scriptPath, text) => {
        const shellcheck = requireTool("shellcheck");
        const result = await run(shellcheck, ["--shell=bash", "--severity=style", "-"], { input: text });
        expect(`${result.stdout}${result.stderr}`).toBe("");
        expect(result.code).toBe(0);
        expect(scriptPath.startsWith("/opt/web-infra/bin/")).toBe(true);
    });

    it("flags a careless script (so a pass above means something)", async () => {
        const shellcheck = requireTool("shellcheck");
        const result = await run(shellcheck, ["--shell=bash", "-"], { input: "#!/bin/bash\nrm -rf $dir/*\n" });
        expect(result.code).not.toBe(0);
        expect(result.stdout).toMatch(/SC2086|SC2115/);
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
            // As root, nginx would otherwise run its workers as `nobody`; only the user differs from production.
            user: process.getuid?.() === 0 ? "root" : null,
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

        // The "writer" listens on 127.0.0.1; the "reader" is 127.0.0.2 on the same port, where nothing listens.
        database = net.createServer((socket) => socket.end());
        await new Promise<void>((resolve) => database.listen(0, "127.0.0.1", resolve));
        dbPort = (database.address() as net.AddressInfo).port;

        nginxPort = await freePort();
        const prefix = nginxPrefix(nginxPort);
        home = prefix.prefix;
        webRoot = prefix.webRoot;
        envFile = path.join(home, "app.env");
        fs.writeFileSync(
            envFile,
            renderAppEnv({ appPort: nginxPort, region: "us-east-1", database: { ...DATABASE, writerHost: "127.0.0.1", readerHost: "127.0.0.2", port: dbPort } }),
        );
        for (const [name, text] of [["write-identity", IDENTITY_SCRIPT], ["check-database", DATABASE_CHECK_SCRIPT]]) {
            fs.writeFileSync(path.join(home, name), text, { mode: 0o755 });
        }
        scriptEnv = {
            PATH: process.env.PATH,
            IMDS_ENDPOINT: `http://127.0.0.1:${imdsPort}`,
            WEB_INFRA_WEB_ROOT: webRoot,
            WEB_INFRA_ENV_FILE: envFile,
            WEB_INFRA_DB_TIMEOUT_SECONDS: "1",
        };

        // Boot order on the server: identity, then nginx; the DB check every 10 s after that.
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

    it("the DB check ran cleanly", () => {
        expect({ code: databaseRun.code, stderr: databaseRun.stderr }).toEqual({ code: 0, stderr: "" });
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
