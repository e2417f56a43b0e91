/**
 * The web servers' user data, Node only: what renderCloudConfig assembles from components/assets/web/,
 * the templates and their placeholders, the values it refuses, and a snapshot of the whole document
 * (test/__snapshots__/userData.test.ts.snap: review a change to any asset there). The checks that run
 * the real tools (cloud-init, PyYAML, shellcheck, nginx, the probe against a MySQL connection phase)
 * are in test/host/userData.test.ts (`npm run test:host`).
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ASSETS_DIR, fillTemplate, placeholdersOf, readAsset } from "../components/lib/assets";
import { emitYaml } from "../components/lib/yaml";
import {
    CLOUDWATCH_AGENT_NAMESPACE,
    DATABASE_CHECK_INTERVAL_SECONDS,
    DATABASE_CHECK_SCRIPT,
    DATABASE_CHECK_TIMER,
    DATABASE_CHECK_UNIT,
    IDENTITY_SCRIPT,
    IDENTITY_UNIT,
    MYSQL_PING_SCRIPT,
    MYSQL_PROBE_USER,
    PUBLISH_LIBRARY,
    SCRIPTS,
    SERVER_PACKAGES,
    SERVER_PATHS,
    TEMPLATES,
    USER_DATA_MAX_BYTES,
    CloudConfigOptions,
    renderAppEnv,
    renderCloudConfig,
    renderCloudWatchAgentConfig,
    renderNginxConfig,
    renderNginxMainConfig,
    serverCommands,
    serverFiles,
} from "../components/lib/userData";
import { DATABASE, LOG_GROUP, WITH_DB, WITHOUT_DB, YamlCaseDoc, parseCloudConfig as parse, yamlCaseDocument, yamlCases } from "./fixtures/userData";

const WEB_ASSETS = path.join(ASSETS_DIR, "web");
const asset = (name: string) => fs.readFileSync(path.join(WEB_ASSETS, name), "utf8");

// ---- the cloud-config document ----------------------------------------------------------------------

describe("renderCloudConfig", () => {
    it.each([
        ["with a database", WITH_DB],
        ["without a database", WITHOUT_DB],
    ])("%s: a #cloud-config that installs nginx and the CloudWatch agent and writes exactly the server files", (_label, options) => {
        const text = renderCloudConfig(options);
        expect(text.startsWith("#cloud-config\n")).toBe(true);
        const doc = parse(text);
        expect(Object.keys(doc)).toEqual(["packages", "write_files", "runcmd"]);
        expect(doc.packages).toEqual(["nginx", "amazon-cloudwatch-agent"]);
        expect(doc.packages).toEqual(SERVER_PACKAGES);
        // Every file round-trips byte for byte through the YAML.
        expect(doc.write_files.map((f) => ({ path: f.path, permissions: f.permissions, content: f.content }))).toEqual(serverFiles(options));
        expect(doc.write_files.every((f) => f.owner === "root:root")).toBe(true);
        expect(doc.runcmd).toEqual(serverCommands(options));
        expect(Buffer.byteLength(text)).toBeLessThan(USER_DATA_MAX_BYTES);
    });

    it("with a database: the whole document, as a server receives it (snapshot)", () => {
        expect(renderCloudConfig(WITH_DB)).toMatchSnapshot();
    });

    it("writes file contents as literal blocks and permissions as quoted strings (0644 unquoted is an octal number to YAML 1.1)", () => {
        const text = renderCloudConfig(WITH_DB);
        expect(text).toContain(`  - path: ${SERVER_PATHS.identityScript}\n    owner: root:root\n    permissions: '0755'\n    content: |\n      #!/bin/bash\n`);
        expect(text).toContain("\nruncmd:\n  - - install\n    - '-m'\n    - '0644'\n");
        expect(text).not.toMatch(/permissions: 0/);
    });

    it("installs our nginx.conf after the package (runcmd), starts identity before nginx, then the CloudWatch agent with our config", () => {
        const commands = serverCommands(WITH_DB).map((c) => c.join(" "));
        expect(commands).toEqual([
            `install -m 0644 ${SERVER_PATHS.nginxMainSource} ${SERVER_PATHS.nginxMain}`,
            "systemctl daemon-reload",
            "systemctl enable --now web-infra-identity.service",
            "systemctl enable --now nginx.service",
            "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/etc/web-infra/cloudwatch-agent.json",
            "systemctl enable --now web-infra-db-check.timer",
        ]);
    });

    it("without a database there is no status check and no probe, and / says so", () => {
        const paths = serverFiles(WITHOUT_DB).map((f) => f.path);
        expect(paths).not.toContain(SERVER_PATHS.databaseCheckScript);
        expect(paths).not.toContain(SERVER_PATHS.databaseCheckTimer);
        expect(paths).not.toContain(SERVER_PATHS.mysqlPing);
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

    it("stays well under EC2's 16 KB limit with long, realistic names (at least 1 KB to spare)", () => {
        const long = (label: string) => `${label}.${"d".repeat(40)}.web-infra-production.internal`;
        const text = renderCloudConfig({ ...WITH_DB, logGroupName: `web-nginx-logs-${"x".repeat(40)}`, database: { ...DATABASE, writerHost: long("writer"), readerHost: long("reader") } });
        expect(Buffer.byteLength(text)).toBeLessThan(USER_DATA_MAX_BYTES - 1024);
    });

    it("refuses user data over EC2's 16 KB limit", () => {
        const huge = { ...DATABASE, writerHost: `${"a".repeat(USER_DATA_MAX_BYTES)}.internal` };
        expect(() => renderCloudConfig({ ...WITH_DB, database: huge })).toThrow(/^the cloud-config is \d+ bytes; EC2 user data is limited to 16384$/);
    });
});

// ---- the assets: real files, shipped as they are ------------------------------------------------------

describe("assets (components/assets/web)", () => {
    const shipped = (serverPath: string) => serverFiles(WITH_DB).find((f) => f.path === serverPath);

    it.each([
        [SERVER_PATHS.identityScript, "write-identity.sh", "0755"],
        [SERVER_PATHS.databaseCheckScript, "check-database.sh", "0755"],
        [SERVER_PATHS.publishLibrary, "publish.sh", "0644"],
        [SERVER_PATHS.mysqlPing, "mysql-ping.py", "0755"],
        [SERVER_PATHS.identityUnit, "web-infra-identity.service", "0644"],
        [SERVER_PATHS.databaseCheckUnit, "web-infra-db-check.service", "0644"],
        [SERVER_PATHS.databaseCheckTimer, "web-infra-db-check.timer", "0644"],
        [`${SERVER_PATHS.appDir}/README`, "app-README.txt", "0644"],
    ])("%s is %s byte for byte", (serverPath, file, permissions) => {
        expect(shipped(serverPath)).toEqual({ path: serverPath, permissions, content: asset(file) });
    });

    it("every file in the folder is shipped: the plain ones above, the templates filled (nothing orphaned)", () => {
        const plain = ["app-README.txt", "check-database.sh", "mysql-ping.py", "publish.sh", "web-infra-db-check.service", "web-infra-db-check.timer", "web-infra-identity.service", "write-identity.sh"];
        const templates = Object.keys(TEMPLATES).map((t) => path.basename(t));
        expect(fs.readdirSync(WEB_ASSETS).sort()).toEqual([...plain, ...templates].sort());
        expect(SCRIPTS).toEqual({ [SERVER_PATHS.identityScript]: asset("write-identity.sh"), [SERVER_PATHS.databaseCheckScript]: asset("check-database.sh"), [SERVER_PATHS.publishLibrary]: asset("publish.sh") });
        expect(PUBLISH_LIBRARY).toBe(asset("publish.sh"));
    });

    it("each template holds exactly its allowed placeholders; no other asset holds any", () => {
        for (const [name, allowed] of Object.entries(TEMPLATES)) {
            expect([name, placeholdersOf(readAsset(name))]).toEqual([name, [...allowed].sort()]);
        }
        for (const file of fs.readdirSync(WEB_ASSETS).filter((f) => !(`web/${f}` in TEMPLATES))) {
            expect([file, asset(file).includes("{{")]).toEqual([file, false]);
        }
    });

    it("no rendered file keeps a placeholder", () => {
        for (const f of [...serverFiles(WITH_DB), ...serverFiles(WITHOUT_DB)]) {
            expect([f.path, f.content.includes("{{")]).toEqual([f.path, false]);
        }
    });

    it("the scripts' default paths are the server's (SERVER_PATHS), overridable for the tests", () => {
        expect(IDENTITY_SCRIPT).toContain(`web_root="\${WEB_INFRA_WEB_ROOT:-${SERVER_PATHS.webRoot}}"`);
        expect(IDENTITY_SCRIPT).toContain(`env_file="\${WEB_INFRA_ENV_FILE:-${SERVER_PATHS.appEnv}}"`);
        expect(IDENTITY_SCRIPT).toContain(`. "\${WEB_INFRA_PUBLISH_LIB:-${SERVER_PATHS.publishLibrary}}"`);
        expect(DATABASE_CHECK_SCRIPT).toContain(`web_root="\${WEB_INFRA_WEB_ROOT:-${SERVER_PATHS.webRoot}}"`);
        expect(DATABASE_CHECK_SCRIPT).toContain(`env_file="\${WEB_INFRA_ENV_FILE:-${SERVER_PATHS.appEnv}}"`);
        expect(DATABASE_CHECK_SCRIPT).toContain(`mysql_ping="\${WEB_INFRA_MYSQL_PING:-${SERVER_PATHS.mysqlPing}}"`);
        expect(DATABASE_CHECK_SCRIPT).toContain(`. "\${WEB_INFRA_PUBLISH_LIB:-${SERVER_PATHS.publishLibrary}}"`);
        // The site's comment names the scripts that write what it serves.
        expect(renderNginxConfig({ port: 80 })).toContain(`${SERVER_PATHS.identityScript} at boot and ${SERVER_PATHS.databaseCheckScript} every ${DATABASE_CHECK_INTERVAL_SECONDS} s`);
    });

    it("the units run the scripts where the cloud-config writes them, with the same hardening", () => {
        expect(IDENTITY_UNIT).toContain(`\nExecStart=${SERVER_PATHS.identityScript}\n`);
        expect(DATABASE_CHECK_UNIT).toContain(`\nExecStart=${SERVER_PATHS.databaseCheckScript}\n`);
        const hardening = "StateDirectory=web-infra\nNoNewPrivileges=yes\nPrivateTmp=yes\nProtectSystem=strict\nProtectHome=yes\n";
        expect(IDENTITY_UNIT).toContain(hardening);
        expect(DATABASE_CHECK_UNIT).toContain(hardening);
        expect(IDENTITY_UNIT).toContain("\nBefore=nginx.service\n");
    });

    it("the probe logs in as MYSQL_PROBE_USER", () => {
        expect(MYSQL_PROBE_USER).toBe("web-infra-probe");
        expect(MYSQL_PING_SCRIPT).toContain(`user = b"${MYSQL_PROBE_USER}\\0"`);
        expect(MYSQL_PING_SCRIPT.startsWith("#!/usr/bin/python3 -I\n")).toBe(true);
    });

    it("a missing asset is an error that says where it looked and what the build must do", () => {
        expect(() => readAsset("web/no-such-file.sh")).toThrow(`web-infra asset \`web/no-such-file.sh\` is missing from ${ASSETS_DIR}`);
        expect(() => readAsset("web/no-such-file.sh")).toThrow(/a build must copy components\/assets\/ to dist\/components\/assets\/, as `npm run build` does$/);
    });
});

describe("fillTemplate", () => {
    const text = "listen {{host}}:{{port}};\nroot {{root}}; # {{port}} again\n";
    const allowed = ["host", "port", "root"];

    it("fills every placeholder, each occurrence", () => {
        expect(fillTemplate("t.conf", text, allowed, { host: "127.0.0.1", port: "80", root: "/www" })).toBe("listen 127.0.0.1:80;\nroot /www; # 80 again\n");
    });

    it.each([
        ["a placeholder that is not allowed", "x {{host}} {{port}} {{root}} {{other}}", {}, "template t.conf uses {{other}}, which is not an allowed placeholder (allowed: {{host}}, {{port}}, {{root}})"],
        ["an allowed placeholder the file does not use", "x {{host}} {{port}}", {}, "template t.conf does not use the allowed placeholder {{root}}: drop it from the list or put it in the file"],
        ["a placeholder without a value", text, { host: "h", root: "/r" }, "template t.conf needs a value for {{port}}"],
        ["a value for no placeholder", text, { host: "h", port: "1", root: "/r", extra: "x" }, "template t.conf has no placeholder {{extra}} (allowed: {{host}}, {{port}}, {{root}})"],
        ["a value that brings a placeholder in", text, { host: "{{port}}", port: "1", root: "/r" }, 'template t.conf still holds "{{" after filling, on line 1: "listen {{port}}:1;"'],
        ["a malformed placeholder left in the file", `${text}{{ port }}\n`, { host: "h", port: "1", root: "/r" }, 'template t.conf still holds "{{" after filling, on line 3: "{{ port }}"'],
    ])("refuses %s", (_label, template, values, message) => {
        expect(() => fillTemplate("t.conf", template, allowed, values as Record<string, string>)).toThrow(message);
    });
});

describe("renderNginxMainConfig", () => {
    it("with no options is the production file: nginx user, package paths, our conf.d", () => {
        const main = renderNginxMainConfig();
        expect(main).toContain("\nuser nginx;\nworker_processes auto;\nerror_log /var/log/nginx/error.log notice;\npid /run/nginx.pid;\n");
        expect(main).toContain("\n    include /etc/nginx/mime.types;\n");
        expect(main).toContain("\n    include /etc/nginx/conf.d/*.conf;\n}\n");
        expect(main).toContain("\n    keepalive_timeout 75s;\n");
        expect(main).toBe(serverFiles(WITHOUT_DB).find((f) => f.path === SERVER_PATHS.nginxMainSource)?.content);
    });

    it.each([
        [{ user: "root; daemon off" }, '`user` must be a user name: lowercase letters, digits, _ and - (got "root; daemon off")'],
        [{ workerProcesses: "0" }, '`workerProcesses` must be "auto" or a whole number from 1 to 9999 (got "0")'],
        [{ pidFile: "run/nginx.pid" }, '`pidFile` must be an absolute path of letters, digits and . _ / - (got "run/nginx.pid")'],
        [{ confDir: "/etc/nginx/conf.d; include /etc/passwd" }, '`confDir` must be an absolute path of letters, digits and . _ / - (got "/etc/nginx/conf.d; include /etc/passwd")'],
    ])("refuses %p", (opts, message) => {
        expect(() => renderNginxMainConfig(opts)).toThrow(message);
    });

    it("refuses a listen address that is not IPv4, and a web root that is not a plain path", () => {
        expect(() => renderNginxConfig({ port: 80, listenAddress: "localhost" })).toThrow('`listenAddress` must be an IPv4 address (got "localhost")');
        expect(() => renderNginxConfig({ port: 80, webRoot: "/www; root /" })).toThrow('`webRoot` must be an absolute path of letters, digits and . _ / - (got "/www; root /")');
    });
});

// ---- YAML: a property of the emitter, checked with js-yaml here and with PyYAML in test/host ---------

describe("emitYaml", () => {
    it("quotes every string YAML 1.1 (PyYAML, cloud-init's parser) reads as something else, and leaves plain words plain", () => {
        const pyyamlWouldRetype = ["0644", "1_000", "0x1F", "1:20", "1.5", ".inf", "yes", "Off", "~", "", "2026-12-06", "=", "<<"];
        const plain = ["nginx", "root:root", "file:/etc/web-infra/cloudwatch-agent.json", "/etc/nginx/nginx.conf", "enable"];
        expect(emitYaml(pyyamlWouldRetype)).toBe(pyyamlWouldRetype.map((v) => `- '${v}'\n`).join(""));
        expect(emitYaml(plain)).toBe(plain.map((v) => `- ${v}\n`).join(""));
    });

    it("writes file-like text as a literal block and round-trips every case (js-yaml)", () => {
        expect(emitYaml({ value: "a\nb\n" })).toBe("value: |\n  a\n  b\n");
        const cases = yamlCases();
        const doc = yaml.load(yamlCaseDocument(cases)) as YamlCaseDoc;
        expect(doc.values.map((c) => c.value)).toEqual(cases);
        expect(doc.lists).toEqual([cases]);
    });
});

// ---- the database check ---------------------------------------------------------------------------------

describe("the database check", () => {
    it("runs every minute, not every 10 s: each check is a connection to each endpoint", () => {
        expect(DATABASE_CHECK_INTERVAL_SECONDS).toBe(60);
        expect(DATABASE_CHECK_TIMER).toContain(`OnUnitActiveSec=${DATABASE_CHECK_INTERVAL_SECONDS}s\n`);
        expect(DATABASE_CHECK_TIMER).toContain("OnUnitActiveSec=60s\n");
        expect(serverFiles(WITH_DB).find((f) => f.path === SERVER_PATHS.mysqlPing)).toEqual({ path: SERVER_PATHS.mysqlPing, permissions: "0755", content: MYSQL_PING_SCRIPT });
        expect(serverFiles(WITHOUT_DB).map((f) => f.path)).not.toContain(SERVER_PATHS.mysqlPing);
    });
});

// ---- the CloudWatch agent -------------------------------------------------------------------------------

describe("CloudWatch agent configuration", () => {
    const config = () => JSON.parse(renderCloudWatchAgentConfig(LOG_GROUP));

    it("parses, and ships nginx's access and error logs to the log group, one stream per server and file", () => {
        expect(config().logs.logs_collected.files.collect_list).toEqual([
            { file_path: "/var/log/nginx/access.log", log_group_name: LOG_GROUP, log_stream_name: "{instance_id}-access" },
            { file_path: "/var/log/nginx/error.log", log_group_name: LOG_GROUP, log_stream_name: "{instance_id}-error" },
        ]);
    });

    it("publishes memory and root-disk use per instance and aggregated per Auto Scaling group (the fleet's alarms) in the CWAgent namespace", () => {
        const metrics = config().metrics;
        expect(metrics.namespace).toBe(CLOUDWATCH_AGENT_NAMESPACE);
        expect(metrics.namespace).toBe("CWAgent");
        expect(metrics.append_dimensions).toEqual({ InstanceId: "$" + "{aws:InstanceId}", AutoScalingGroupName: "$" + "{aws:AutoScalingGroupName}" });
        expect(metrics.aggregation_dimensions).toEqual([["AutoScalingGroupName"]]);
        expect(metrics.metrics_collected).toEqual({
            mem: { measurement: ["mem_used_percent"] },
            disk: { measurement: ["used_percent"], resources: ["/"], drop_device: true },
        });
        expect(config().agent).toEqual({ metrics_collection_interval: 60 });
    });

    it("is the asset with the log group filled in, one line per section (the 16 KB budget)", () => {
        const text = renderCloudWatchAgentConfig(LOG_GROUP);
        expect(JSON.parse(text)).toEqual(JSON.parse(asset("cloudwatch-agent.json").split("{{logGroupName}}").join(LOG_GROUP)));
        expect(text.split("\n")).toHaveLength(6);
    });

    it("is the file the cloud-config writes, and the logs are nginx's own (our nginx.conf writes there)", () => {
        expect(serverFiles(WITHOUT_DB).find((f) => f.path === SERVER_PATHS.cloudWatchAgentConfig)?.content).toBe(renderCloudWatchAgentConfig(LOG_GROUP));
        const main = renderNginxMainConfig();
        expect(main).toContain(`error_log ${SERVER_PATHS.nginxErrorLog} `);
        expect(main).toContain(`access_log ${SERVER_PATHS.nginxAccessLog} main;`);
    });

    it.each(["", "bad name", "a:b", "x".repeat(513), "{{x}}"])("refuses the log group name %p", (bad) => {
        expect(() => renderCloudWatchAgentConfig(bad)).toThrow(`\`logGroupName\` must be 1-512 letters, digits and _ / . # - (got ${JSON.stringify(bad)})`);
    });
});
