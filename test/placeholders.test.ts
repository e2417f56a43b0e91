import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "../infra/config";
import { findPlaceholders, isReservedName, placeholderLines } from "../infra/placeholders";
import { resourceNamed, resourcesOf, runStack, stackConfig } from "./mocks";

const PROVIDER = "pulumi:providers:aws";
const WEB_ACL = "aws:wafv2/webAcl:WebAcl";

/** What a team fills in before its first `pulumi up` of prod. */
const REAL_PROD = {
    domain: "www.acme-shop.io",
    alertEmail: "oncall@acme-shop.io",
    webAmiId: "ami-0a1b2c3d4e5f67890",
    awsAccountId: "210987654321",
};

describe("placeholders (pure)", () => {
    it.each([
        ["example.com", true],
        ["www.example.com", true],
        ["shop.example.net", true],
        ["example.org", true],
        ["site.example", true],
        ["app.test", true],
        ["x.invalid", true],
        ["www.example.com.", true],
        ["myexample.com", false],
        ["example.com.au", true],
        ["www.example.co.uk", true],
        ["EXAMPLE.DE", true],
        ["example-shop.com", false],
        ["examplecorp.com.au", false],
        ["www.acme-shop.io", false],
        ["examples.org", false],
    ])("%s is a reserved documentation name: %s", (name, expected) => {
        expect(isReservedName(name)).toBe(expected);
    });

    it("finds every placeholder in Pulumi.prod.yaml, naming the key, and none in dev", () => {
        const settings = (stack: string) =>
            Object.fromEntries(Object.entries(stackConfig(stack)).filter(([k]) => k.startsWith("web-infra:")).map(([k, v]) => [k.slice("web-infra:".length), v]));
        expect(findPlaceholders(settings("prod")).map((p) => [p.key, p.value])).toEqual([
            ["domain", "www.example.com"],
            ["alertEmail", "ops@example.com"],
            ["webAmiId", "ami-0123456789abcdef0"],
            ["awsAccountId", "123456789012"],
        ]);
        expect(findPlaceholders(settings("dev"))).toEqual([]);
    });

    it("refuses a hostedZone and an alert address on any example.* domain", () => {
        expect(findPlaceholders({ domain: "www.acme-shop.io", hostedZone: "example.org", alertEmail: "me@team.example" }).map((p) => p.key)).toEqual(["hostedZone", "alertEmail"]);
        expect(findPlaceholders({ domain: "shop.example.com.au", alertEmail: "ops@example.de" }).map((p) => p.key)).toEqual(["domain", "alertEmail"]);
    });

    it("accepts real values", () => {
        expect(findPlaceholders(REAL_PROD)).toEqual([]);
    });

    it("each line names the key, the value and the fix", () => {
        expect(placeholderLines(findPlaceholders({ awsAccountId: "123456789012" }))).toEqual([
            '`awsAccountId` is still a placeholder ("123456789012"): the AWS documentation\'s example account: set the target account\'s id (`aws sts get-caller-identity --query Account --output text`)',
        ]);
    });
});

describe("awsAccountId", () => {
    const PROD_BASE = {
        owner: "t",
        costCenter: "c",
        environment: "production",
        deletionProtection: "true",
        domain: "www.acme-shop.io",
        alertEmail: "oncall@acme-shop.io",
        webAmiId: "ami-0a1b2c3d4e5f67890",
    };

    it("is required in production", () => {
        expect(() => parseConfig(PROD_BASE, "prod")).toThrow(
            "`awsAccountId` must be set when `environment` is production: the provider then refuses credentials of any other account",
        );
        expect(parseConfig({ ...PROD_BASE, awsAccountId: "012345678901" }, "prod").awsAccountId).toBe("012345678901");
    });

    it.each(["12345678901", "1234567890123", "12345678901a", "arn:aws:iam::123456789012:root"])("refuses %s, naming the key", (value) => {
        expect(() => parseConfig({ owner: "t", costCenter: "c", awsAccountId: value }, "dev")).toThrow(
            `\`awsAccountId\` must be a 12-digit AWS account id such as 123456789012 (quote it in YAML) (got ${JSON.stringify(value)})`,
        );
    });
});

describe("pulumi up refuses placeholders; preview and plan warn", () => {
    let warn: jest.SpyInstance;
    beforeEach(() => {
        warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async () => undefined);
    });
    afterEach(() => warn.mockRestore());

    it("a real update (preview=false) of prod as committed fails naming every placeholder key, before any resource", async () => {
        const attempt = runStack("prod", {}, { preview: false, fresh: true });
        await expect(attempt).rejects.toThrow(/`domain` is still a placeholder \("www\.example\.com"\)/);
        await expect(attempt).rejects.toThrow(/`alertEmail` is still a placeholder \("ops@example\.com"\)/);
        await expect(attempt).rejects.toThrow(/`webAmiId` is still a placeholder \("ami-0123456789abcdef0"\)/);
        await expect(attempt).rejects.toThrow(/`awsAccountId` is still a placeholder \("123456789012"\)/);
        expect(resourcesOf(PROVIDER)).toEqual([]);
    });

    it("one placeholder left is enough to refuse the update, and the message names that key only", async () => {
        const attempt = runStack("prod", { ...REAL_PROD, alertEmail: "ops@example.com" }, { preview: false, fresh: true });
        await expect(attempt).rejects.toThrow(
            'Invalid stack configuration: `alertEmail` is still a placeholder ("ops@example.com"): no mail is ever delivered to a reserved documentation domain: set the on-call address (a preview accepts it; `pulumi up` does not)',
        );
    });

    it("the same config in a preview succeeds, with one warning listing the placeholders", async () => {
        // Usually another file's recording of this run (~0.5 s of CPU saved), with the warnings it logged.
        const { resources } = await runStack("prod", {}, { preview: true, replayWarnings: true });
        expect(resources.length).toBeGreaterThan(100);
        expect(warn).toHaveBeenCalledTimes(1);
        const message = String(warn.mock.calls[0][0]);
        expect(message).toContain("Stack prod still holds placeholders; `pulumi up` will refuse them:");
        for (const key of ["domain", "alertEmail", "webAmiId", "awsAccountId"]) expect(message).toContain(`\`${key}\` is still a placeholder`);
    });

    it("with real values the update goes through, without a warning, and the provider only acts in awsAccountId", async () => {
        await runStack("prod", REAL_PROD, { preview: false, fresh: true });
        expect(warn).not.toHaveBeenCalled();
        const allowed = resourceNamed(PROVIDER, "aws").inputs.allowedAccountIds;
        expect(typeof allowed === "string" ? JSON.parse(allowed) : allowed).toEqual(["210987654321"]);
    });

    it("without awsAccountId (dev) the provider has no account restriction", async () => {
        await runStack("dev", {}, { preview: false, fresh: true });
        expect(resourceNamed(PROVIDER, "aws").inputs).not.toHaveProperty("allowedAccountIds");
    });
});

describe("wafMode in the stack", () => {
    it.each([
        ["block", { none: {} }, { block: {} }],
        ["count", { count: {} }, { count: {} }],
    ])("wafMode %s: managed groups override %j, the rate rule %j", async (mode, override, rateAction) => {
        await runStack("dev", { wafMode: mode });
        const rules = resourcesOf(WEB_ACL)[0].inputs.rules as { name: string; overrideAction?: unknown; action?: unknown }[];
        expect(rules.filter((r) => r.overrideAction !== undefined).map((r) => r.overrideAction)).toEqual([override, override, override, override]);
        expect(rules.find((r) => r.name === "rate-limit-per-ip")?.action).toEqual(rateAction);
    });
});
