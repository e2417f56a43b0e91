/**
 * The preflight against a fake AWS (Node only): every check, including the ones moto_server cannot
 * answer (test/host/preflight.test.ts runs the rest against moto): RDS DescribeOrderableDBInstanceOptions
 * (empty for mysql in moto), Service Quotas for ec2 and elasticloadbalancing (moto knows only vpc),
 * a region that is not opted in (moto reports every region enabled) and an e-mail subscription pending
 * confirmation (moto confirms e-mail subscriptions at once).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { AwsApi, OrderableDbOption } from "../scripts/lib/preflight/aws";
import { REFRESH_MAX_HEALTHY_FACTOR, STACK_TOPIC_NAME } from "../scripts/lib/preflight/checks";
import { stackNeeds } from "../scripts/lib/preflight/needs";
import { loadStack } from "../scripts/lib/preflight/stack";
import { parseArgs, preflight } from "../scripts/preflight";
import { resourcesOf, runStack, stackNames } from "./mocks";

const ACCOUNT = "210987654321";
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"];
const ZONE_IDS = ["use1-az6", "use1-az1", "use1-az2", "use1-az4", "use1-az3", "use1-az5"];

/** Pulumi.prod.yaml with what a team fills in before its first `up`. */
const REAL_PROD = {
    domain: "www.acme-shop.io",
    alertEmail: "oncall@acme-shop.io",
    webAmiId: "ami-0a1b2c3d4e5f67890",
    awsAccountId: ACCOUNT,
};

const db = (over: Partial<OrderableDbOption> = {}): OrderableDbOption => ({
    engineVersion: "8.4.5",
    zones: ZONES,
    multiAzCapable: true,
    readReplicaCapable: true,
    supportsClusters: false,
    storageType: "gp3",
    ...over,
});

const QUOTAS: Record<string, number> = { "L-F678F1CE": 5, "L-A4707A72": 5, "L-0263D0A3": 5, "L-FE5A380F": 5, "L-53DA6B97": 50, "L-1216C47A": 32 };

/** An account where prod (with real values) passes; each test breaks one thing. */
function account(over: Partial<AwsApi> = {}): AwsApi {
    return {
        callerIdentity: async () => ({ account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/ci` }),
        regionOptInStatus: async () => "opt-in-not-required",
        availabilityZones: async () => ({ names: ZONES, zoneIds: ZONE_IDS }),
        hostedZones: async (name) => (name === "acme-shop.io" ? [{ id: "Z0123456789ABCDEFGHIJ", name, privateZone: false }] : []),
        image: async (id) => (id === "ami-0a1b2c3d4e5f67890" ? { id, name: "al2023-ami-2023.9.20251208.0-kernel-6.1-arm64", architecture: "arm64", state: "available", ownerId: "137112412989" } : undefined),
        instanceType: async (type) => (type.startsWith("t4g.") ? { architectures: ["arm64"], vcpus: 2 } : type.startsWith("t3.") ? { architectures: ["x86_64"], vcpus: 2 } : undefined),
        instanceTypeZones: async (_type, zones) => [...zones],
        // Prod runs a Multi-AZ DB cluster of db.c6gd (dbClusterInstanceClass); db.c6gd classes support clusters.
        orderableDbOptions: async (_engine, instanceClass) => [db({ supportsClusters: instanceClass.startsWith("db.c6gd.") })],
        quota: async (_service, code) => QUOTAS[code],
        vpcCount: async () => 1,
        internetGatewayCount: async () => 1,
        elasticIpCount: async () => 0,
        natGatewaysPerZone: async () => ({}),
        applicationLoadBalancerCount: async () => 0,
        standardOnDemandVcpus: async () => 0,
        topicArns: async () => [],
        emailSubscriptions: async () => [],
        ...over,
    };
}

async function run(api: AwsApi, overrides: Record<string, string> = REAL_PROD, stack = "prod") {
    return preflight({ stack, overrides, api });
}

/** The one ✗ of a run (the test breaks exactly one thing). */
async function onlyFailure(api: AwsApi, overrides: Record<string, string> = REAL_PROD) {
    const r = await run(api, overrides);
    const failed = r.results.filter((c) => !c.ok);
    expect(failed).toHaveLength(1);
    expect(r.exitCode).toBe(1);
    expect(r.report).toContain(`✗ ${failed[0].title}: ${failed[0].found}\n    fix: ${failed[0].fix}`);
    return failed[0];
}

describe("preflight (fake AWS)", () => {
    it("passes every check for prod with real values in a ready account, exit 0", async () => {
        const r = await run(account());
        expect(r.results.filter((c) => !c.ok)).toEqual([]);
        expect(r.exitCode).toBe(0);
        expect(r.results.map((c) => c.title)).toEqual([
            "No placeholders",
            "Credentials and account",
            "Region us-east-1 enabled",
            "3 availability zones",
            "Route 53 public hosted zone",
            "Web server AMI",
            "Instance type t4g.small offered",
            "DB class db.c6gd.medium orderable",
            "Zones the stack will use",
            "Quota: VPCs per Region",
            "Quota: Internet gateways per Region",
            "Quota: EC2-VPC Elastic IPs",
            "Quota: NAT gateways per Availability Zone",
            "Quota: Application Load Balancers per Region",
            "Quota: Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (vCPUs)",
            "Alert e-mail subscription",
        ]);
        expect(r.report.split("\n").filter((l) => l.startsWith("✓"))).toHaveLength(16);
        expect(r.report).toContain(`✓ DB class db.c6gd.medium orderable: MySQL 8.4 on db.c6gd.medium (Multi-AZ DB cluster) with gp3 storage, a Multi-AZ DB cluster in ${ZONES.join(", ")}`);
        expect(r.report).toContain("✓ Zones the stack will use: us-east-1a (use1-az6), us-east-1b (use1-az1), us-east-1c (use1-az2)\n");
        expect(r.report).toContain("✓ Quota: Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (vCPUs): 0 used + 24 for the stack (6 web servers at the most, twice during an instance refresh (maxHealthyPercentage 200), 2 vCPUs each) = 24 of 32");
        expect(r.report).toContain("All 16 checks passed.");
    });

    it("✗ placeholders: prod as committed names every placeholder key and its fix", async () => {
        const c = await onlyFailure(
            account({ callerIdentity: async () => ({ account: "123456789012", arn: "arn:aws:iam::123456789012:user/x" }), hostedZones: async (name) => [{ id: "Z1", name, privateZone: false }], image: async (id) => ({ id, name: "al2023-ami-2023.9.20251208.0-kernel-6.1-arm64", architecture: "arm64", state: "available", ownerAlias: "amazon" }) }),
            {},
        );
        expect(c.title).toBe("No placeholders");
        expect(c.found).toBe(
            '4 setting(s) still hold placeholders, which `pulumi up` refuses: domain = "www.example.com", alertEmail = "ops@example.com", webAmiId = "ami-0123456789abcdef0", awsAccountId = "123456789012"',
        );
        expect(c.fix).toContain("`awsAccountId` is still a placeholder");
    });

    it("✗ credentials: none work; the checks that need AWS are not run", async () => {
        const r = await run(account({ callerIdentity: async () => Promise.reject(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" })) }));
        expect(r.exitCode).toBe(1);
        expect(r.results.map((c) => [c.title, c.ok])).toEqual([
            ["No placeholders", true],
            ["Credentials and account", false],
        ]);
        expect(r.results[1].found).toBe("no working AWS credentials (CredentialsProviderError: Could not load credentials from any providers)");
        expect(r.results[1].fix).toMatch(/^set AWS_PROFILE/);
    });

    it("✗ account: credentials of another account than awsAccountId", async () => {
        const c = await onlyFailure(account({ callerIdentity: async () => ({ account: "111122223333", arn: "arn:aws:iam::111122223333:user/me" }) }));
        expect(c.found).toBe("the credentials are arn:aws:iam::111122223333:user/me in account 111122223333, but the stack's `awsAccountId` is 210987654321; `pulumi up` would refuse (allowedAccountIds)");
        expect(c.fix).toContain("use credentials of account 210987654321");
    });

    it("✗ region: not opted in", async () => {
        const c = await onlyFailure(account({ regionOptInStatus: async () => "not-opted-in" }));
        expect(c.title).toBe("Region us-east-1 enabled");
        expect(c.fix).toContain("aws account enable-region --region-name us-east-1");
    });

    it("✗ region: an opt-in region not enabled (yet): identity is asked in us-east-1, the region's own STS refuses, and nothing else is run there", async () => {
        const disabled = Object.assign(new Error("STS is not activated in this region for account:210987654321."), { name: "RegionDisabledException" });
        const callerIdentity = jest.fn(async (region?: string) => {
            if (region === "eu-south-2") throw disabled;
            return { account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/ci` };
        });
        const availabilityZones = jest.fn(async () => ({ names: ZONES, zoneIds: ZONE_IDS }));
        const r = await run(account({ callerIdentity, regionOptInStatus: async () => "opted-in", availabilityZones }), { ...REAL_PROD, "aws:region": "eu-south-2" });
        expect(r.results.map((c) => [c.title, c.ok])).toEqual([
            ["No placeholders", true],
            ["Credentials and account", true],
            ["Region eu-south-2 enabled", false],
        ]);
        expect(r.results[2].found).toBe("opt-in status opted-in, but eu-south-2 refuses the credentials (RegionDisabledException): the region is not enabled for this account yet (ENABLING)");
        expect(r.results[2].fix).toContain("aws account get-region-opt-status --region-name eu-south-2");
        expect(callerIdentity.mock.calls).toEqual([[], ["eu-south-2"]]);
        expect(availabilityZones).not.toHaveBeenCalled();
    });

    it.each(["InvalidClientTokenId", "AuthFailure"])("✗ region: %s from the stack's region is a region not enabled, not bad credentials", async (name) => {
        const refused = Object.assign(new Error("The security token included in the request is invalid."), { name });
        const c = await onlyFailure(account({ callerIdentity: async (region) => (region ? Promise.reject(refused) : { account: ACCOUNT, arn: "arn:aws:iam::210987654321:user/me" }) }));
        expect(c.title).toBe("Region us-east-1 enabled");
        expect(c.found).toContain(`refuses the credentials (${name})`);
    });

    it("✗ region: another error of the regional probe is reported as the failed call it is", async () => {
        const throttled = Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
        const c = await onlyFailure(account({ callerIdentity: async (region) => (region ? Promise.reject(throttled) : { account: ACCOUNT, arn: "arn:aws:iam::210987654321:user/me" }) }));
        expect(c.found).toBe("the AWS call failed: Throttling: Rate exceeded");
    });

    it("✗ zones: fewer zones than availabilityZoneCount", async () => {
        const r = await run(account({ availabilityZones: async () => ({ names: ["us-east-1a", "us-east-1b"], zoneIds: ["use1-az6", "use1-az1"] }) }));
        const c = r.results.find((x) => x.title === "3 availability zones")!;
        expect(c).toMatchObject({ ok: false, found: "us-east-1 has 2 zones without opt-in (us-east-1a, us-east-1b)", fix: "set `availabilityZoneCount` to at most 2, or use another region" });
    });

    it.each([
        ["missing", [], "no hosted zone named acme-shop.io in this account"],
        ["private only", [{ id: "Z9", name: "acme-shop.io", privateZone: true }], "only a private hosted zone named acme-shop.io"],
    ])("✗ hosted zone: %s", async (_label, zones, found) => {
        const c = await onlyFailure(account({ hostedZones: async () => zones }));
        expect(c.found).toContain(found);
        expect(c.fix).toContain("aws route53 create-hosted-zone --name acme-shop.io");
    });

    it.each([
        ["missing", undefined, "ami-0a1b2c3d4e5f67890 does not exist in us-east-1", "al2023-ami-kernel-default-arm64"],
        ["Amazon Linux 2", { name: "amzn2-ami-kernel-5.10-hvm-2.0.20251201.0-arm64-gp2", architecture: "arm64" }, 'is "amzn2-ami-kernel-5.10-hvm-2.0.20251201.0-arm64-gp2", not a standard Amazon Linux 2023 AMI', "pin a standard Amazon Linux 2023 AMI"],
        ["AL2023 minimal", { name: "al2023-ami-minimal-2023.9.20251208.0-kernel-6.1-arm64", architecture: "arm64" }, "the minimal AMI has no SSM agent", "pin a standard Amazon Linux 2023 AMI"],
        ["x86_64 for a Graviton type", { name: "al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64", architecture: "x86_64" }, "is x86_64, but t4g.small runs arm64", "pin the arm64 build"],
        ["a look-alike, not Amazon's", { name: "al2023-ami-2023.9.20251208.0-kernel-6.1-arm64", architecture: "arm64", ownerId: "999988887777" }, "is named al2023-ami-2023.9.20251208.0-kernel-6.1-arm64 but is not Amazon's (owner 999988887777)", "pin Amazon's own image"],
    ])("✗ AMI: %s", async (_label, image, found, fix) => {
        const c = await onlyFailure(account({ image: async (id) => (image ? { id, state: "available", ownerId: "137112412989", ...image } : undefined) }));
        expect(c.title).toBe("Web server AMI");
        expect(c.found).toContain(found);
        expect(c.fix).toContain(fix);
    });

    it("zones: the program's choice (chooseZones): a zone without the instance type or the DB class is passed over, and named", async () => {
        const r = await run(
            account({
                instanceTypeZones: async (_t, zones) => zones.filter((z) => z !== "us-east-1b"),
                orderableDbOptions: async () => [db({ supportsClusters: true, zones: ZONES.filter((z) => z !== "us-east-1c") })],
            }),
        );
        expect(r.exitCode).toBe(0);
        expect(r.report).toContain(
            "✓ Zones the stack will use: us-east-1a (use1-az6), us-east-1d (use1-az4), us-east-1e (use1-az3); skipped us-east-1b (lacks `webInstanceType` t4g.small), us-east-1c (lacks `dbClusterInstanceClass` db.c6gd.medium)\n",
        );
        // The quota checks count the chosen zones: NAT gateways in us-east-1d are the stack's business now.
        const nat = await run(account({ instanceTypeZones: async (_t, zones) => zones.filter((z) => z !== "us-east-1b"), natGatewaysPerZone: async () => ({ "us-east-1b": 5, "us-east-1d": 5 }) }));
        expect(nat.results.filter((c) => !c.ok).map((c) => c.title)).toEqual(["Quota: NAT gateways per Availability Zone"]);
    });

    it("✗ zones: fewer zones than availabilityZoneCount offer the instance type and the DB class: the program's own error", async () => {
        const c = await onlyFailure(
            account({ instanceTypeZones: async () => ["us-east-1a", "us-east-1b", "us-east-1c"], orderableDbOptions: async () => [db({ supportsClusters: true, zones: ["us-east-1b", "us-east-1c", "us-east-1d"] })] }),
        );
        expect(c.title).toBe("Zones the stack will use");
        expect(c.found).toBe(
            "`availabilityZoneCount` is 3, but only 2 zones of the region offer `webInstanceType` t4g.small and `dbClusterInstanceClass` db.c6gd.medium (us-east-1b, us-east-1c): us-east-1a lacks `dbClusterInstanceClass` db.c6gd.medium; us-east-1d lacks `webInstanceType` t4g.small; us-east-1e lacks `webInstanceType` t4g.small, `dbClusterInstanceClass` db.c6gd.medium; us-east-1f lacks `webInstanceType` t4g.small, `dbClusterInstanceClass` db.c6gd.medium",
        );
        expect(c.fix).toBe("lower `availabilityZoneCount` to at most 2, or choose a `webInstanceType` / `dbClusterInstanceClass` offered in more zones");
    });

    it("AMI: Amazon's image in a region where another Amazon account publishes it (owner alias amazon) passes", async () => {
        const r = await run(account({ image: async (id) => ({ id, name: "al2023-ami-2023.9.20251208.0-kernel-6.1-arm64", architecture: "arm64", state: "available", ownerId: "210953353124", ownerAlias: "amazon" }) }));
        expect(r.exitCode).toBe(0);
    });

    it("✗ instance type: offered in no zone of the region", async () => {
        const c = await onlyFailure(account({ instanceTypeZones: async () => [] }));
        expect(c.found).toBe("not offered in any zone of us-east-1");
        expect(c.fix).toContain("describe-instance-type-offerings");
    });

    it("DB zones come only from the options that meet the deployment's needs (a zone whose option lacks SupportsClusters does not count)", async () => {
        const options = [db({ supportsClusters: true, zones: ["us-east-1a", "us-east-1b"] }), db({ supportsClusters: false, zones: ZONES })];
        const c = await onlyFailure(account({ orderableDbOptions: async () => options }));
        expect(c.title).toBe("Zones the stack will use");
        expect(c.found).toContain("only 2 zones of the region offer `webInstanceType` t4g.small and `dbClusterInstanceClass` db.c6gd.medium (us-east-1a, us-east-1b)");
    });

    it.each([
        ["no such class for the version", [db({ engineVersion: "8.0.40" })], "RDS offers no MySQL 8.4 on db.t4g.small with gp3 storage in us-east-1"],
        ["no Multi-AZ", [db({ multiAzCapable: false })], "does not support Multi-AZ"],
        ["no replicas", [db({ readReplicaCapable: false })], "does not support read replicas"],
        ["Multi-AZ and replicas only in different options", [db({ multiAzCapable: false }), db({ readReplicaCapable: false })], "no single orderable MySQL 8.4 on db.t4g.small with gp3 storage supports all of Multi-AZ, read replicas in a zone"],
    ])("✗ DB class: %s", async (_label, options, found) => {
        // The instance deployment: a Multi-AZ primary with replicas of db.t4g.small.
        const instance = { ...REAL_PROD, dbDeployment: "instance", dbMultiAz: "true", dbReplicaCount: "2", dbInstanceClass: "db.t4g.small", dbAllocatedStorageGiB: "50", dbMaxAllocatedStorageGiB: "500", alarmDbFreeStorageGiB: "2" };
        const c = await onlyFailure(account({ orderableDbOptions: async () => options }), instance);
        expect(c.title).toBe("DB class db.t4g.small orderable");
        expect(c.found).toContain(found);
        expect(c.fix).toContain("describe-orderable-db-instance-options --engine mysql --engine-version 8.4");
    });

    it("the DB check for a Multi-AZ DB cluster asks for SupportsClusters, of the cluster's class", async () => {
        const { runChecks } = await import("../scripts/lib/preflight/checks");
        const stack = loadStack(`${__dirname}/..`, "prod", REAL_PROD);
        const cluster = { ...stack, config: { ...stack.config, database: { ...stack.config.database, deployment: "multiAzCluster" as const, clusterInstanceClass: "db.t4g.small" } } };
        const results = await runChecks(cluster, account(), "us-east-1");
        expect(results.find((r) => r.title.startsWith("DB class"))).toMatchObject({ ok: false, found: "MySQL 8.4 on db.t4g.small (Multi-AZ DB cluster) with gp3 storage does not support a Multi-AZ DB cluster" });
    });

    it.each([
        ["VPCs per Region", { vpcCount: async () => 5 }, "5 used + 1 for the stack (the stack's VPC) = 6 of 5", "--service-code vpc --quota-code L-F678F1CE --desired-value 6"],
        ["Internet gateways per Region", { internetGatewayCount: async () => 5 }, "= 6 of 5", "--quota-code L-A4707A72"],
        ["EC2-VPC Elastic IPs", { elasticIpCount: async () => 3 }, "3 used + 3 for the stack (one per NAT gateway (natStrategy perAz)) = 6 of 5", "--service-code ec2 --quota-code L-0263D0A3 --desired-value 6"],
        ["NAT gateways per Availability Zone", { natGatewaysPerZone: async () => ({ "us-east-1b": 5, "us-east-1f": 9 }) }, "5 used + 1 for the stack (one per zone; the busiest zone counted) = 6 of 5", "--quota-code L-FE5A380F"],
        ["Application Load Balancers per Region", { applicationLoadBalancerCount: async () => 50 }, "50 used + 1", "--service-code elasticloadbalancing --quota-code L-53DA6B97 --desired-value 51"],
        ["Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (vCPUs)", { standardOnDemandVcpus: async () => 30 }, "30 used + 24 for the stack (6 web servers at the most, twice during an instance refresh (maxHealthyPercentage 200), 2 vCPUs each) = 54 of 32", "--quota-code L-1216C47A --desired-value 54"],
    ])("✗ quota: %s", async (name, over, found, fix) => {
        const c = await onlyFailure(account(over as Partial<AwsApi>));
        expect(c.title).toBe(`Quota: ${name}`);
        expect(c.found).toContain(found);
        expect(c.fix).toContain(fix);
    });

    it("✗ quota: Service Quotas does not report one", async () => {
        const c = await onlyFailure(account({ quota: async (_s, code) => (code === "L-53DA6B97" ? undefined : QUOTAS[code]) }));
        expect(c.found).toBe("Service Quotas does not report elasticloadbalancing/L-53DA6B97 in us-east-1");
    });

    it("✗ an AWS call that fails (a missing permission) is that check's ✗, and the others still run", async () => {
        const denied = Object.assign(new Error("User is not authorized to perform: route53:ListHostedZonesByName"), { name: "AccessDenied" });
        const c = await onlyFailure(account({ hostedZones: async () => Promise.reject(denied) }));
        expect(c).toMatchObject({ title: "Route 53 public hosted zone", found: "the AWS call failed: AccessDenied: User is not authorized to perform: route53:ListHostedZonesByName" });
    });

    it("alert e-mail: before the first up there is nothing to check (no topic of the stack), whatever else is pending", async () => {
        const emailSubscriptions = jest.fn(async () => [{ topicArn: "arn:aws:sns:us-east-1:210987654321:other-team-alerts", pending: true }]);
        const r = await run(account({ topicArns: async () => ["arn:aws:sns:us-east-1:210987654321:other-team-alerts"], emailSubscriptions }));
        expect(r.exitCode).toBe(0);
        expect(r.report).toContain("✓ Alert e-mail subscription: nothing to check yet: none of the stack's topics (monitoring-alerts-…, monitoring-db-events-topic-…) exists in us-east-1 before its first `pulumi up`");
    });

    it("✗ alert e-mail: a subscription to one of the stack's topics (stack region or us-east-1) still waits for confirmation; others' are not counted", async () => {
        const topics: Record<string, string[]> = {
            "eu-west-1": ["arn:aws:sns:eu-west-1:210987654321:monitoring-alerts-0a1b2c3", "arn:aws:sns:eu-west-1:210987654321:billing-alerts"],
            "us-east-1": ["arn:aws:sns:us-east-1:210987654321:monitoring-alerts-us-east-1-9f8e7d6"],
        };
        const subs: Record<string, { topicArn: string; pending: boolean }[]> = {
            "eu-west-1": [
                { topicArn: "arn:aws:sns:eu-west-1:210987654321:monitoring-alerts-0a1b2c3", pending: false },
                { topicArn: "arn:aws:sns:eu-west-1:210987654321:billing-alerts", pending: true },
            ],
            "us-east-1": [{ topicArn: "arn:aws:sns:us-east-1:210987654321:monitoring-alerts-us-east-1-9f8e7d6", pending: true }],
        };
        const api = account({
            availabilityZones: async () => ({ names: ["eu-west-1a", "eu-west-1b", "eu-west-1c"], zoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"] }),
            orderableDbOptions: async () => [db({ supportsClusters: true, zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] })],
            topicArns: async (region) => topics[region] ?? [],
            emailSubscriptions: async (_email, region) => subs[region] ?? [],
        });
        const c = await onlyFailure(api, { ...REAL_PROD, "aws:region": "eu-west-1" });
        expect(c.found).toBe(
            "1 subscription(s) of oncall@acme-shop.io to the stack's topics still wait for confirmation (arn:aws:sns:us-east-1:210987654321:monitoring-alerts-us-east-1-9f8e7d6): until then no alarm reaches anyone",
        );
        expect(c.fix).toContain("docs/runbooks/confirm-alert-email.md");
    });

    it("✗ a stack file the program would refuse stops before any AWS call", async () => {
        const api = account({ callerIdentity: jest.fn() });
        const r = await run(api, { ...REAL_PROD, natStrategy: "two" });
        expect(r.exitCode).toBe(1);
        expect(r.results).toEqual([expect.objectContaining({ title: "Stack configuration", ok: false, found: 'Invalid stack configuration: `natStrategy` must be one of none, single, perAz (got "two")' })]);
        expect(api.callerIdentity).not.toHaveBeenCalled();
    });

    it("takes the region from the stack file, else AWS_REGION, else fails naming both", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-root-"));
        fs.writeFileSync(path.join(root, "Pulumi.bare.yaml"), "config:\n  web-infra:owner: me\n  web-infra:costCenter: cc\n");
        const saved = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION };
        try {
            delete process.env.AWS_REGION;
            delete process.env.AWS_DEFAULT_REGION;
            const none = await preflight({ stack: "bare", root, api: account() });
            expect(none.results).toEqual([
                { title: "Region", ok: false, found: "Pulumi.bare.yaml sets no `aws:region` and AWS_REGION is not set", fix: "`pulumi config set aws:region <region> --stack bare`" },
            ]);
            process.env.AWS_REGION = "eu-west-1";
            const fromEnv = await preflight({ stack: "bare", root, api: account({ availabilityZones: async () => ({ names: ["eu-west-1a", "eu-west-1b"], zoneIds: ["euw1-az1", "euw1-az2"] }), orderableDbOptions: async () => [db({ zones: ["eu-west-1a", "eu-west-1b"] })] }) });
            expect(fromEnv.report).toContain("web-infra preflight — stack bare, region eu-west-1 (read-only)");
            expect(fromEnv.exitCode).toBe(0);
            delete process.env.AWS_REGION;
            process.env.AWS_DEFAULT_REGION = "eu-west-1";
            expect((await preflight({ stack: "bare", root, api: account() })).report).toContain("region eu-west-1");
            // docs/deploy.md says the same (it once promised the profile's region, which is never read).
            const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "deploy.md"), "utf8").replace(/\s+/g, " ");
            expect(doc).toContain("The region is the stack's `aws:region` (what Pulumi uses), else `AWS_REGION`, else `AWS_DEFAULT_REGION`; with none of them it stops at a ✗ `Region` line");
        } finally {
            for (const [k, v] of Object.entries(saved)) {
                if (v === undefined) delete process.env[k];
                else process.env[k] = v;
            }
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it.each([
        [["--stack", "prod"], { stack: "prod", overrides: {} }],
        [["--stack=dev", "--config", "wafMode=count"], { stack: "dev", overrides: { wafMode: "count" } }],
        [[], { error: "--stack is required (usage: npm run preflight -- --stack <name> [--config <key>=<value> …])" }],
        [["prod"], { error: 'unknown argument "prod" (usage: npm run preflight -- --stack <name> [--config <key>=<value> …])' }],
    ])("parseArgs(%j)", (argv, expected) => {
        expect(parseArgs(argv)).toEqual(expected);
    });
});

describe("what the stack creates, as the quotas count it", () => {
    it.each(stackNames())("%s: the counts from config match the resources the program declares", async (stack) => {
        await runStack(stack);
        const needs = stackNeeds(loadStack(`${__dirname}/..`, stack).config);
        const count = (type: string) => resourcesOf(type).length;
        expect({
            vpcs: count("aws:ec2/vpc:Vpc"),
            internetGateways: count("aws:ec2/internetGateway:InternetGateway"),
            elasticIps: count("aws:ec2/eip:Eip"),
            applicationLoadBalancers: resourcesOf("aws:lb/loadBalancer:LoadBalancer").filter((lb) => lb.inputs.loadBalancerType === "application").length,
            // The fleet at its largest: the group's maximum, or (active-passive) its running servers.
            instances: resourcesOf("aws:autoscaling/group:Group").reduce((n, g) => n + Math.max(Number(g.inputs.maxSize), 1 + Number(g.inputs.warmPool?.minSize ?? 0)), 0),
        }).toEqual({ vpcs: needs.vpcs, internetGateways: needs.internetGateways, elasticIps: needs.elasticIps, applicationLoadBalancers: needs.applicationLoadBalancers, instances: needs.instances });
        // The vCPU quota counts the fleet REFRESH_MAX_HEALTHY_FACTOR times: at least what the group may launch.
        for (const g of resourcesOf("aws:autoscaling/group:Group")) {
            const percents = [g.inputs.instanceRefresh?.preferences?.maxHealthyPercentage, g.inputs.instanceMaintenancePolicy?.maxHealthyPercentage].filter((p) => p !== undefined).map(Number);
            expect(Math.max(100, ...percents)).toBeLessThanOrEqual(REFRESH_MAX_HEALTHY_FACTOR * 100);
        }
        // The alert subscription check finds the stack's topics by the names Pulumi gives them.
        const topics = resourcesOf("aws:sns/topic:Topic");
        expect(topics.length).toBeGreaterThan(0);
        for (const t of topics) {
            expect(t.inputs.name).toBeUndefined();
            expect(`${t.name}-0a1b2c3`).toMatch(STACK_TOPIC_NAME);
        }
        const natZones = resourcesOf("aws:ec2/natGateway:NatGateway").map((n) => n.inputs.subnetId);
        expect(new Set(natZones).size).toBe(natZones.length); // at most one per (public) subnet, i.e. per zone
        expect(natZones.length > 0 ? 1 : 0).toBe(needs.natGatewaysPerZone);
    });
});
