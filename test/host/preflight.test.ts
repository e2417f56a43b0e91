/**
 * The preflight against a real AWS API emulator (moto_server): seeded through the API, checked
 * through the real AWS SDK clients (`sdkApi`), with the environment a user has (AWS_ENDPOINT_URL,
 * AWS_ACCESS_KEY_ID/…, AWS_REGION).
 *
 * Each test gets an account of its own: moto keys its data by the account of the access key, so an
 * IAM access key created in account N (x-moto-account-id on the IAM call) makes every later call
 * with it act in N, as real credentials would.
 *
 * What moto lacks, and is tested in test/preflight.test.ts against a fake client instead:
 * - RDS DescribeOrderableDBInstanceOptions returns nothing for mysql: the passing run supplies the
 *   orderable options; the failing DB run below is moto's real (empty) answer.
 * - Service Quotas knows only the `vpc` service: EC2 (Elastic IPs L-0263D0A3, vCPUs L-1216C47A) and
 *   elasticloadbalancing (ALBs L-53DA6B97) quota values are supplied; their usage is counted by moto.
 * - every region is `opt-in-not-required`, and e-mail subscriptions are confirmed at once: the
 *   not-opted-in region and the pending subscription are fake-client tests.
 */
import { EC2Client, AllocateAddressCommand, CreateImageCommand, CreateInternetGatewayCommand, CreateVpcCommand, DescribeImagesCommand, RunInstancesCommand, TerminateInstancesCommand } from "@aws-sdk/client-ec2";
import { CreateHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { CreateTopicCommand, DeleteTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { AwsApi } from "../../scripts/lib/preflight/aws";
import { Moto, startMoto } from "./moto";

const ROOT = path.resolve(__dirname, "..", "..");
const QUOTAS_MOTO_LACKS: Record<string, number> = { "L-0263D0A3": 5, "L-53DA6B97": 50, "L-1216C47A": 32 };

interface Credentials {
    readonly account: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
}

let moto: Moto;
let nextAccount = 210000000001;

/** An IAM user and access key in a fresh moto account (raw query API: moto picks the account from a header). */
async function newAccount(): Promise<Credentials> {
    const account = String(nextAccount++);
    const call = async (params: Record<string, string>) => {
        const res = await fetch(`${moto.endpoint}/`, {
            method: "POST",
            headers: {
                "content-type": "application/x-www-form-urlencoded",
                "x-moto-account-id": account,
                authorization: "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x",
            },
            body: new URLSearchParams({ Version: "2010-05-08", ...params }).toString(),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`IAM ${params.Action}: ${text}`);
        return text;
    };
    await call({ Action: "CreateUser", UserName: "deployer" });
    const key = await call({ Action: "CreateAccessKey", UserName: "deployer" });
    const field = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(key)?.[1] ?? "";
    return { account, accessKeyId: field("AccessKeyId"), secretAccessKey: field("SecretAccessKey") };
}

/** Point this process's SDK clients at moto with `creds` (the preflight builds its clients from the environment). */
function useCredentials(creds: Credentials): void {
    Object.assign(process.env, moto.env, { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey });
}

const clientConfig = (creds: Credentials) => ({ endpoint: moto.endpoint, region: "us-east-1", credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey } });

/** moto's Amazon-owned default AMI with this name prefix and architecture. */
async function amazonAmi(creds: Credentials, namePrefix: string, architecture: string): Promise<string> {
    const ec2 = new EC2Client(clientConfig(creds));
    const out = await ec2.send(new DescribeImagesCommand({ Owners: ["amazon"], Filters: [{ Name: "name", Values: [`${namePrefix}*`] }, { Name: "architecture", Values: [architecture] }] }));
    const id = out.Images?.[0]?.ImageId;
    if (!id) throw new Error(`moto has no default AMI ${namePrefix}* (${architecture})`);
    return id;
}

/** What a ready account holds for prod: its public zone, a confirmed alert subscription; returns the settings to use. */
async function readyAccount(creds: Credentials): Promise<Record<string, string>> {
    await new Route53Client(clientConfig(creds)).send(new CreateHostedZoneCommand({ Name: "acme-shop.io", CallerReference: `ref-${creds.account}` }));
    const sns = new SNSClient(clientConfig(creds));
    // The name Pulumi gives the Monitoring component's alert topic (monitoring-alerts + 7 hex characters).
    const topic = await sns.send(new CreateTopicCommand({ Name: "monitoring-alerts-0a1b2c3" }));
    await sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: "email", Endpoint: "oncall@acme-shop.io" }));
    return {
        domain: "www.acme-shop.io",
        alertEmail: "oncall@acme-shop.io",
        // prod runs t4g.small (Graviton): the arm64 build of standard AL2023.
        webAmiId: await amazonAmi(creds, "al2023-ami-2023.", "arm64"),
        awsAccountId: creds.account,
    };
}

/** The SDK-backed client, with what moto lacks supplied (see the file comment). */
async function motoApi(over: Partial<AwsApi> = {}): Promise<AwsApi> {
    const { sdkApi } = await import("../../scripts/lib/preflight/aws");
    const real = sdkApi("us-east-1");
    return {
        ...real,
        orderableDbOptions: async () => [
            { engineVersion: "8.4.5", zones: ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"], multiAzCapable: true, readReplicaCapable: true, supportsClusters: true, storageType: "gp3" },
        ],
        quota: async (service, code) => (service === "vpc" ? real.quota(service, code) : QUOTAS_MOTO_LACKS[code]),
        ...over,
    };
}

async function runPreflight(settings: Record<string, string>, api: AwsApi) {
    const { preflight } = await import("../../scripts/preflight");
    return preflight({ stack: "prod", overrides: settings, api });
}

const failures = (r: { results: readonly { title: string; ok: boolean }[] }) => r.results.filter((c) => !c.ok).map((c) => c.title);

describe("preflight against moto_server", () => {
    const saved = { ...process.env };
    beforeAll(async () => {
        moto = await startMoto();
    }, 60_000);
    afterAll(async () => {
        process.env = saved;
        await moto?.stop();
    });

    it("passes every check for prod in a ready account (real SDK calls; only moto's gaps supplied)", async () => {
        const creds = await newAccount();
        const settings = await readyAccount(creds);
        useCredentials(creds);
        const r = await runPreflight(settings, await motoApi());
        expect(failures(r)).toEqual([]);
        expect(r.exitCode).toBe(0);
        expect(r.report).toContain(`✓ Credentials and account: arn:aws:iam::${creds.account}:user/deployer in account ${creds.account}, the stack's \`awsAccountId\``);
        expect(r.report).toMatch(/✓ Route 53 public hosted zone: acme-shop\.io \(\w+\) holds www\.acme-shop\.io/);
        expect(r.report).toContain(`✓ Web server AMI: ${settings.webAmiId} is al2023-ami-2023.`);
        expect(r.report).toContain("✓ Quota: VPCs per Region: 1 used + 1 for the stack (the stack's VPC) = 2 of 5"); // moto's default VPC
        expect(r.report).toContain("✓ Alert e-mail subscription: 1 confirmed subscription(s) of oncall@acme-shop.io to the stack's topics");
        // The zones chooseZones picks from moto's offerings (zone IDs as moto reports them).
        expect(r.report).toMatch(/^✓ Zones the stack will use: us-east-1\w \(use1-az\d\), us-east-1\w \(use1-az\d\), us-east-1\w \(use1-az\d\)/m);
    });

    it("alert e-mail before the first up: another topic's subscription is not the stack's, nothing to check yet", async () => {
        const creds = await newAccount();
        const settings = await readyAccount(creds);
        const sns = new SNSClient(clientConfig(creds));
        await sns.send(new DeleteTopicCommand({ TopicArn: `arn:aws:sns:us-east-1:${creds.account}:monitoring-alerts-0a1b2c3` }));
        const other = await sns.send(new CreateTopicCommand({ Name: "billing-alerts" }));
        await sns.send(new SubscribeCommand({ TopicArn: other.TopicArn, Protocol: "email", Endpoint: "oncall@acme-shop.io" }));
        useCredentials(creds);
        const r = await runPreflight(settings, await motoApi());
        expect(failures(r)).toEqual([]);
        expect(r.report).toContain("✓ Alert e-mail subscription: nothing to check yet: none of the stack's topics (monitoring-alerts-…, monitoring-db-events-topic-…) exists in us-east-1");
    });

    it("✗ AMI: an image named like Amazon Linux 2023 that this account registered (not Amazon's)", async () => {
        const creds = await newAccount();
        const settings = await readyAccount(creds);
        const ec2 = new EC2Client(clientConfig(creds));
        const run = await ec2.send(new RunInstancesCommand({ ImageId: settings.webAmiId, InstanceType: "t4g.small", MinCount: 1, MaxCount: 1 }));
        const image = await ec2.send(new CreateImageCommand({ InstanceId: run.Instances![0].InstanceId!, Name: "al2023-ami-2023.9.20251208.0-kernel-6.1-arm64" }));
        await ec2.send(new TerminateInstancesCommand({ InstanceIds: [run.Instances![0].InstanceId!] }));
        useCredentials(creds);
        const r = await runPreflight({ ...settings, webAmiId: image.ImageId! }, await motoApi());
        expect(failures(r)).toEqual(["Web server AMI"]);
        expect(r.report).toContain(`${image.ImageId} is named al2023-ami-2023.9.20251208.0-kernel-6.1-arm64 but is not Amazon's (owner ${creds.account})`);
    });

    it("✗ account: the credentials belong to another account than awsAccountId", async () => {
        const creds = await newAccount();
        const settings = await readyAccount(creds);
        useCredentials(creds);
        const r = await runPreflight({ ...settings, awsAccountId: "111122223333" }, await motoApi());
        expect(failures(r)).toEqual(["Credentials and account"]);
        expect(r.report).toContain(`but the stack's \`awsAccountId\` is 111122223333`);
        expect(r.report).toContain("    fix: use credentials of account 111122223333");
    });

    it("✗ zones: more than the region has", async () => {
        const creds = await newAccount();
        const settings = await readyAccount(creds);
        useCredentials(creds);
        // natStrategy single: eight NAT gateways would also overrun the Elastic IP quota.
        const r = await runPreflight({ ...settings, availabilityZoneCount: "8", natStrategy: "single" }, await motoApi());
        expect(failures(r)).toEqual(["8 availability zones"]);
        expect(r.report).toMatch(/✗ 8 availability zones: us-east-1 has 6 zones without opt-in .*\n {4}fix: set `availabilityZoneCount` to at most 6/);
    });

    it.each([
        ["no zone for the domain", async () => ({ domain: "www.other-shop.io" }), "no hosted zone named other-shop.io in this account"],
        [
            "only a private zone",
            async (creds: Credentials) => {
                const vpc = await new EC2Client(clientConfig(creds)).send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }));
                await new Route53Client(clientConfig(creds)).send(
                    new CreateHostedZoneCommand({ Name: "intranet-shop.io", CallerReference: "private", VPC: { VPCId: vpc.Vpc!.VpcId!, VPCRegion: "us-east-1" }, HostedZoneConfig: { PrivateZone: true } }),
                );
                return { domain: "www.intranet-shop.io" };
            },
            "only a private hosted zone named intranet-shop.io",
        ],
    ])("✗ hosted zone: %s", async (_label, seed, found) => {
        const creds = await newAccount();
        const settings = await readyAccount(creds);
        const extra = await seed(creds);
        useCredentials(creds);
        const r = await runPreflight({ ...settings, ...extra }, await motoApi());
        expect(failures(r)).toEqual(["Route 53 public hosted zone"]);
        expect(r.report).toContain(found);
        expect(r.report).toMatch(/fix: create the public zone \(`aws route53 create-hosted-zone --name \S+ /);
    });

    it.each([
        ["does not exist", async () => "ami-0fedcba9876543210", "does not exist in us-east-1", "al2023-ami-kernel-default-arm64"],
        ["is Amazon Linux 2", (c: Credentials) => amazonAmi(c, "amzn2-ami-kernel-5.10-hvm-", "arm64"), "not a standard Amazon Linux 2023 AMI", "pin a standard Amazon Linux 2023 AMI"],
        ["is the AL2023 minimal image", (c: Credentials) => amazonAmi(c, "al2023-ami-minimal-", "arm64"), "the minimal AMI has no SSM agent", "pin a standard Amazon Linux 2023 AMI"],
        ["is x86_64 for the Graviton t4g.small", (c: Credentials) => amazonAmi(c, "al2023-ami-2023.", "x86_64"), "is x86_64, but t4g.small runs arm64", "pin the arm64 build"],
    ])("✗ AMI: the pinned AMI %s", async (_label, pick, found, fix) => {
        const creds = await newAccount();
        const settings = await readyAccount(creds);
        useCredentials(creds);
        const r = await runPreflight({ ...settings, webAmiId: await pick(creds) }, await motoApi());
        expect(failures(r)).toEqual(["Web server AMI"]);
        expect(r.report).toContain(found);
        expect(r.report).toContain(fix);
    });

    it("✗ instance type: one EC2 does not offer (and so has no vCPU count for the quota)", async () => {
        const creds = await newAccount();
        const settings = await readyAccount(creds);
        useCredentials(creds);
        const r = await runPreflight({ ...settings, webInstanceType: "m9g.large" }, await motoApi());
        expect(failures(r)).toEqual(["Instance type m9g.large offered", "Quota: vCPUs"]);
        expect(r.report).toContain("✗ Instance type m9g.large offered: not offered in any zone of us-east-1");
    });

    it("✗ DB class: moto's real answer (no orderable MySQL option) fails the check", async () => {
        const creds = await newAccount();
        const settings = await readyAccount(creds);
        useCredentials(creds);
        const { sdkApi } = await import("../../scripts/lib/preflight/aws");
        const r = await runPreflight(settings, await motoApi({ orderableDbOptions: sdkApi("us-east-1").orderableDbOptions }));
        expect(failures(r)).toEqual(["DB class db.c6gd.medium orderable"]);
        expect(r.report).toContain("✗ DB class db.c6gd.medium orderable: RDS offers no MySQL 8.4 on db.c6gd.medium (Multi-AZ DB cluster) with gp3 storage in us-east-1");
    });

    it.each([
        [
            "VPCs per Region (moto's quota, seeded VPCs)",
            async (ec2: EC2Client) => {
                for (let i = 1; i <= 4; i++) await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${i}.0.0/16` }));
            },
            "Quota: VPCs per Region",
            "5 used + 1 for the stack (the stack's VPC) = 6 of 5",
            "--service-code vpc --quota-code L-F678F1CE --desired-value 6",
        ],
        [
            "Internet gateways per Region (moto's quota)",
            async (ec2: EC2Client) => {
                for (let i = 0; i < 5; i++) await ec2.send(new CreateInternetGatewayCommand({}));
            },
            "Quota: Internet gateways per Region",
            "5 used + 1 for the stack (the VPC's internet gateway) = 6 of 5",
            "--service-code vpc --quota-code L-A4707A72 --desired-value 6",
        ],
        [
            "Elastic IPs (usage counted by moto)",
            async (ec2: EC2Client) => {
                for (let i = 0; i < 3; i++) await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
            },
            "Quota: EC2-VPC Elastic IPs",
            "3 used + 3 for the stack (one per NAT gateway (natStrategy perAz)) = 6 of 5",
            "--service-code ec2 --quota-code L-0263D0A3 --desired-value 6",
        ],
        [
            "On-Demand vCPUs (usage counted by moto)",
            async (ec2: EC2Client, creds: Credentials) => {
                const ami = await amazonAmi(creds, "al2023-ami-2023.", "x86_64");
                await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: "m5.2xlarge", MinCount: 3, MaxCount: 3 }));
                await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: "t3.small", MinCount: 1, MaxCount: 1 }));
            },
            "Quota: Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (vCPUs)",
            "26 used + 24 for the stack (6 web servers at the most, twice during an instance refresh (maxHealthyPercentage 200), 2 vCPUs each) = 50 of 32",
            "--service-code ec2 --quota-code L-1216C47A --desired-value 50",
        ],
    ])("✗ quota: %s", async (_label, seed, title, found, fix) => {
        const creds = await newAccount();
        const settings = await readyAccount(creds);
        await seed(new EC2Client(clientConfig(creds)), creds);
        useCredentials(creds);
        const r = await runPreflight(settings, await motoApi());
        expect(failures(r)).toEqual([title]);
        const line = r.results.find((c) => c.title === title)!;
        expect(line.found).toBe(found);
        expect(line.fix).toContain(`request an increase to at least ${found.split(" = ")[1].split(" ")[0]}: \`aws service-quotas request-service-quota-increase ${fix}\``);
    });

    it("the CLI: reads the stack file and the standard AWS environment, prints ✓/✗ lines and exits 1 on a ✗", async () => {
        const creds = await newAccount();
        await readyAccount(creds);
        // Pulumi.prod.yaml as committed still holds placeholders: the CLI says so, and fails.
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-home-"));
        const env = { PATH: process.env.PATH ?? "", HOME: home, ...moto.env, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey };
        const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
            new Promise<{ code: number; stdout: string }>((resolve) => {
                execFile(process.execPath, ["-r", "./scripts/register.js", "scripts/preflight.ts", ...args], { cwd: ROOT, env: { ...env, ...extraEnv }, timeout: 60_000 }, (err, stdout) =>
                    resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout }),
                );
            });

        const prod = await cli(["--stack", "prod"]);
        expect(prod.code).toBe(1);
        expect(prod.stdout).toContain("web-infra preflight — stack prod, region us-east-1 (read-only)");
        expect(prod.stdout).toMatch(/^✗ No placeholders: 4 setting\(s\) still hold placeholders/m);
        // The credentials of the environment reached moto: the account is the minted one.
        expect(prod.stdout).toContain(`in account ${creds.account}, but the stack's \`awsAccountId\` is 123456789012`);
        expect(prod.stdout).toMatch(/^✓ Region us-east-1 enabled: opt-in status opt-in-not-required; the region accepts the credentials$/m);

        // A named profile (AWS_PROFILE → ~/.aws/credentials), no keys in the environment: same account.
        fs.mkdirSync(path.join(home, ".aws"));
        fs.writeFileSync(path.join(home, ".aws", "credentials"), `[deploy]\naws_access_key_id = ${creds.accessKeyId}\naws_secret_access_key = ${creds.secretAccessKey}\n`);
        const profile = await cli(["--stack", "dev"], { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_PROFILE: "deploy" });
        expect(profile.stdout).toContain(`✓ Credentials and account: arn:aws:iam::${creds.account}:user/deployer in account ${creds.account} (the stack sets no \`awsAccountId\`: any account is accepted)`);

        // No credentials at all (an unknown AWS_PROFILE, no keys): one ✗ naming the fix, nothing else attempted.
        const none = await cli(["--stack", "dev"], { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_PROFILE: "no-such-profile" });
        expect(none.code).toBe(1);
        expect(none.stdout).toMatch(/^✗ Credentials and account: no working AWS credentials \(/m);
        expect(none.stdout).toContain("    fix: set AWS_PROFILE");
        expect(none.stdout).not.toContain("Region us-east-1");
        fs.rmSync(home, { recursive: true, force: true });
    }, 120_000);
});
