/**
 * A probe of bad values, setting by setting: every value AWS (or the stack's own rules) would refuse must
 * be a ConfigError naming the key, before any resource is declared. The table is the record of what was
 * probed; a value that slips through fails here, naming the key and the value.
 */
import { ConfigError, parseConfig } from "../infra/config";
import { SETTINGS, SETTING_KEYS, SettingKey } from "../infra/settings";

const BASE = { owner: "platform-team", costCenter: "web-1234" };
const long = (n: number, c = "a") => c.repeat(n);

/** Bad for any integer setting. */
const NOT_INTEGERS = ["two", "1.5", "1e3", "0x10", " 5", "5 ", "+5", "-0", "08", "NaN", "Infinity", "true", "9999999999999999999999", "٣", "5\n"];
/** Bad for any boolean setting. */
const NOT_BOOLEANS = ["True", "TRUE", "1", "0", "yes", "no", "on", " true", "false "];
/** Bad for any string setting with a format. */
const JUNK = [" ", "\t", "\n", "💥", "<script>", "'; DROP TABLE x;--", long(300)];

/** Per-setting bad values beyond the generic ones. */
const BAD: Partial<Record<SettingKey, readonly string[]>> = {
    environment: ["prod", "Production", "dev", "test"],
    owner: ["a;b", 'a"b', "a<b>", "a,b", "x!", "a*b", "a#b", " ops", "ops ", "  ", long(257)],
    costCenter: ["a;b", "a#b", "cc 1 ", long(257)],
    vpcCidr: [
        "10.0.0.0", "10.0.0.0/8", "10.0.0.0/15", "10.0.0.0/23", "10.0.0.0/28", "256.0.0.0/16", "10.0.0.0/16 ", "010.0.0.0/16", "10.0.0/16",
        "::/0", "10.0.0.0/016", "10.0.0.0/-1", "10.0.1.0/16", "0.0.0.0/16", "127.0.0.0/16", "169.254.0.0/16", "224.0.0.0/16", "240.0.0.0/16",
    ],
    natStrategy: ["both", "perAZ", "per-az", "NONE"],
    webServerMode: ["hot-standby", "active_active", "Active-Active"],
    webInstanceType: ["t4g", "T4g.micro", "t4g.micro.x", "t4g..micro", ".micro", "t4g.", `${long(40)}.micro`, "t4g micro"],
    webAmiId: ["ami-123", "ami-0123456789ABCDEF0", "ami-0123456789abcdef01", "AMI-01234567", "ami-0123456g", "i-0123456789abcdef0"],
    lbAlgorithm: ["roundRobin", "round-robin", "least_connections"],
    domain: [
        "Example.com", "localhost", "10.0.0.1", "1.2.3.4", "example.123", "[::1]", "example.com.", "*.example.com", "-a.example.com", "a-.example.com",
        "a..b.com", "a_b.example.com", "https://example.com", "example.com/path", "ex ample.com", `${long(64, "x")}.com`, `${long(60)}.example.com`,
    ],
    hostedZone: ["10.0.0.1", "Example.com", "com.", "example..com"],
    certificateArn: [
        "arn:aws:acm:us-east-1:123:certificate/x", "arn:aws:acm:us-east-1:123456789012:certificate/", "arn:aws:iam::123456789012:server-certificate/x",
        "arn:aws:acm:US-EAST-1:123456789012:certificate/abc", "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
    ],
    dbEngineVersion: ["8", "8.1", "8.4.3", "9.0", "5.7", "8.0.0", "mysql8.4"],
    dbInstanceClass: ["db.t4g", "t4g.micro", "db..micro", "DB.t4g.micro", `db.${long(40)}.large`],
    // RDS: the autoscaling limit must be at least 10% above the allocated storage (20 GiB by default).
    dbMaxAllocatedStorageGiB: ["21"],
    dbPromoteReplica: ["1", "replica-0", "replica-01", "replica-6", "replica-", "Replica-1", "replica-1 "],
    dbName: ["1app", "a-b", "_app", long(65), "mysql", "sys", "information_schema", "performance_schema", "select", "order", "Table", "GROUP", "key", "app db"],
    dbUsername: ["1user", "user-name", long(17), "rdsadmin", "RDSADMIN", "rdsrepladmin", "select", "admin user"],
    alertEmail: [
        "ops", "a@b", "a@b.c d", "a b@c.com", "<a@b.com>", "Ops <ops@example.com>", "a@b.com,c@d.com", "a@b.com;c@d.com", '"a"@b.com', "a..b@c.com",
        ".a@b.com", "a.@b.com", "a@-b.com", "a@10.0.0.1", "a@b.123", `${long(65)}@b.com`, `a@${long(63, "b")}.${long(63, "c")}.${long(63, "d")}.${long(63, "e")}.com`,
    ],
};

/** Integer settings also get the values just outside their bounds or their allowed set. */
function outOfRange(key: SettingKey): string[] {
    const spec = SETTINGS[key] as { enum?: readonly (string | number)[]; min?: number; max?: number };
    const values: string[] = [];
    if (spec.min !== undefined) values.push(String(spec.min - 1));
    if (spec.max !== undefined) values.push(String(spec.max + 1));
    if (spec.enum) values.push(String(Math.max(...(spec.enum as number[])) + 1), "2");
    return values.filter((v) => !(spec.enum ?? []).map(String).includes(v));
}

const CASES: [SettingKey, string][] = SETTING_KEYS.flatMap((key) => {
    const spec = SETTINGS[key] as { type: string; pattern?: RegExp; check?: unknown; enum?: unknown };
    const generic =
        spec.type === "integer" ? [...NOT_INTEGERS, ...outOfRange(key)] : spec.type === "boolean" ? NOT_BOOLEANS : spec.pattern || spec.check || spec.enum ? JUNK : [];
    return [...generic, ...(BAD[key] ?? [])].map((value): [SettingKey, string] => [key, value]);
});

describe("a probe of bad values: each is a config error naming its key", () => {
    it("probes every setting, several hundred values in all", () => {
        expect(new Set(CASES.map(([key]) => key)).size).toBe(SETTING_KEYS.length);
        expect(CASES.length).toBeGreaterThan(400);
    });

    it.each(CASES)("%s = %j", (key, value) => {
        let error: unknown;
        try {
            parseConfig({ ...BASE, [key]: value }, "probe", "us-east-1");
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const problems = (error as ConfigError).problems;
        expect(problems.filter((p) => p.startsWith(`\`${key}\``))).not.toHaveLength(0);
    });
});

describe("good values next to the bad ones still pass", () => {
    it.each<[SettingKey, string]>([
        ["domain", "www.example.com"],
        ["domain", "a1.example.io"],
        ["domain", `${long(52)}.example.com`],
        ["alertEmail", "ops+alerts@example.com"],
        ["alertEmail", "o'brien@example.co.uk"],
        ["dbName", "app_db"],
        ["dbName", "orders"],
        ["dbUsername", "dbadmin"],
        ["dbUsername", "admin"],
        ["dbUsername", "user"], // a keyword, but not reserved
        ["vpcCidr", "100.64.0.0/16"],
        ["vpcCidr", "172.31.0.0/20"],
        ["owner", "Platform Team: web@example.com"],
        ["webInstanceType", "c7i-flex.large"],
        ["dbInstanceClass", "db.r7g.2xlarge"],
    ])("%s = %j", (key, value) => {
        expect(() => parseConfig({ ...BASE, [key]: value }, "probe", "us-east-1")).not.toThrow();
    });
});
