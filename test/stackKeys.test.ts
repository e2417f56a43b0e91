import { ConfigError, parseConfig } from "../infra/config";
import { DATABASE_ARG_KEYS, LOAD_BALANCER_ARG_KEYS, WEB_SERVERS_ARG_KEYS, inStackTerms, withStackKeys } from "../infra/stackKeys";
import { servicePortProblem } from "../components/lib/ports";
import { hostedZoneProblem } from "../components/lib/naming";
import { backupRetentionProblem } from "../components/lib/rds";
import { settle, setupMocks } from "./mocks";

const BASE = { owner: "platform-team", costCenter: "web-1234" };

/** The problems parseConfig reports for `raw` (none: []). */
function problems(raw: Record<string, string>): readonly string[] {
    try {
        parseConfig({ ...BASE, ...raw }, "t");
        return [];
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).problems;
    }
}

describe("inStackTerms", () => {
    it("renames every backticked argument the map knows, and nothing else", () => {
        expect(inStackTerms("`minSize` must be ≥ 2; `subnetIds` too; minSize stays", WEB_SERVERS_ARG_KEYS)).toBe("`webServerCount` must be ≥ 2; `subnetIds` too; minSize stays");
        expect(inStackTerms("`https.hostedZoneName` must be `https.domain` or a parent", LOAD_BALANCER_ARG_KEYS)).toBe("`hostedZone` must be `domain` or a parent");
    });
});

describe("one home per rule: the stack's config reports the component's rule in the stack's keys", () => {
    it.each<[string, Record<string, string>, string]>([
        ["22/3389 (WebServers and LoadBalancer)", { appPort: "3389" }, servicePortProblem(3389, "appPort")!],
        ["22/3389 via the LoadBalancer's targetPort", { appPort: "22" }, inStackTerms(servicePortProblem(22, "targetPort")!, LOAD_BALANCER_ARG_KEYS)],
        ["the hosted-zone parent (LoadBalancer)", { domain: "www.example.com", hostedZone: "example.org" }, inStackTerms(hostedZoneProblem("www.example.com", "example.org")!, LOAD_BALANCER_ARG_KEYS)],
        ["a zone without a domain (LoadBalancer)", { hostedZone: "example.org" }, inStackTerms(hostedZoneProblem(undefined, "example.org")!, LOAD_BALANCER_ARG_KEYS)],
        ["backup retention with replicas (Database)", { dbBackupRetentionDays: "0", dbReplicaCount: "2" }, inStackTerms(backupRetentionProblem(0, 2)!, DATABASE_ARG_KEYS)],
        ["backup retention below a week (Database)", { dbBackupRetentionDays: "6" }, inStackTerms(backupRetentionProblem(6, 1)!, DATABASE_ARG_KEYS)],
    ])("%s", (_, raw, expected) => {
        expect(problems(raw)).toEqual([expected]);
        // …and that message names the stack's key, not the component's argument.
        expect(expected).toMatch(/^`(appPort|hostedZone|dbBackupRetentionDays)`/);
    });
});

describe("withStackKeys: a component's refusal, raised while the stack program builds it", () => {
    beforeAll(async () => {
        await setupMocks({ config: { "aws:region": "us-east-1" } });
    });

    it("names the stack setting and the component that refused", async () => {
        const { WebServers } = await import("../components/webServer");
        const build = () =>
            withStackKeys(WEB_SERVERS_ARG_KEYS, () => new WebServers("web", { vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"], targetGroupArns: [], minSize: 1 }));
        expect(build).toThrow(ConfigError);
        expect(build).toThrow("Invalid stack configuration: `webServerCount` must be a whole number ≥ 2 for active-active (got 1) (refused by WebServers web)");
        await settle();
    });

    it("the LoadBalancer's targetPort is the stack's appPort", async () => {
        const { LoadBalancer } = await import("../components/loadBalancer");
        const build = () =>
            withStackKeys(LOAD_BALANCER_ARG_KEYS, () => new LoadBalancer("lb", { vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"], targetPort: 22 }));
        expect(build).toThrow(
            "Invalid stack configuration: `appPort` must not be 22: remote-administration ports are never opened (shell access is SSM Session Manager) (refused by LoadBalancer lb)",
        );
        await settle();
    });

    it("passes other errors through unchanged", () => {
        const other = new TypeError("x is not a function");
        expect(() =>
            withStackKeys(WEB_SERVERS_ARG_KEYS, () => {
                throw other;
            }),
        ).toThrow(other);
        // Shaped like a component's message, but not from one of ours.
        const foreign = new Error("Duplicate thing: `count` is taken");
        expect(() =>
            withStackKeys(WEB_SERVERS_ARG_KEYS, () => {
                throw foreign;
            }),
        ).toThrow(foreign);
        const config = new ConfigError(["`owner` is required"]);
        expect(() =>
            withStackKeys(WEB_SERVERS_ARG_KEYS, () => {
                throw config;
            }),
        ).toThrow(config);
    });
});
