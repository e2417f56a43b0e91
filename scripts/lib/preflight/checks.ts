/**
 * The preflight's checks: what the target account must offer before the first `pulumi up` of a stack.
 * Each returns one line: ✓ or ✗, what was found and, for ✗, the fix. Read-only (through `AwsApi`).
 */
import { placeholderLines } from "../../../infra/placeholders";
import { REGION_DISABLED_ERRORS, homeRegion, type AwsApi, type OrderableDbOption } from "./aws";
import { chooseZones, type ZoneRequirement } from "../../../components/lib/zones";
import { stackNeeds } from "./needs";
import type { PreflightStack } from "./stack";

export interface CheckResult {
    readonly title: string;
    readonly ok: boolean;
    /** What was found. */
    readonly found: string;
    /** What to do about a ✗. */
    readonly fix?: string;
}

/** How the database is deployed; `dbDeployment` (being added) chooses, instances until then. */
export type DbDeployment = "instance" | "multiAzCluster";

/** State shared between checks: the region's zones, what offers the stack's needs, the zones chosen. */
interface Context {
    readonly stack: PreflightStack;
    readonly api: AwsApi;
    readonly region: string;
    /** The region's zones without opt-in (what the program picks from). */
    regionZones?: { names: string[]; zoneIds: string[] };
    /** What each zone must offer, as the program asks it of chooseZones. */
    requirements?: ZoneRequirement[];
    /** The zones the program will use (chooseZones). */
    zones?: string[];
}

const pass = (title: string, found: string): CheckResult => ({ title, ok: true, found });
const fail = (title: string, found: string, fix: string): CheckResult => ({ title, ok: false, found, fix });
const list = (xs: readonly string[]) => xs.join(", ");

function placeholders(ctx: Context): CheckResult {
    const title = "No placeholders";
    const found = ctx.stack.placeholders;
    if (found.length === 0) return pass(title, "every setting holds a real value");
    return fail(
        title,
        `${found.length} setting(s) still hold placeholders, which \`pulumi up\` refuses: ${found.map((p) => `${p.key} = ${JSON.stringify(p.value)}`).join(", ")}`,
        placeholderLines(found).join("; "),
    );
}

/** The credentials check; `working` says whether any further AWS call can succeed. */
async function credentials(ctx: Context): Promise<{ result: CheckResult; working: boolean }> {
    const result = await credentialsResult(ctx);
    return { result, working: result.ok || result.found.includes("but the stack's `awsAccountId`") };
}

async function credentialsResult(ctx: Context): Promise<CheckResult> {
    const title = "Credentials and account";
    let id: { account: string; arn: string };
    try {
        id = await ctx.api.callerIdentity();
    } catch (e) {
        return fail(
            title,
            `no working AWS credentials (${(e as Error).name}: ${(e as Error).message.replace(/\s*\n\s*/g, " ")})`,
            "set AWS_PROFILE (and run `aws sso login --profile <name>` for SSO) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, then run the preflight again",
        );
    }
    const expected = ctx.stack.config.awsAccountId;
    if (expected === undefined) {
        return pass(title, `${id.arn} in account ${id.account} (the stack sets no \`awsAccountId\`: any account is accepted)`);
    }
    if (id.account !== expected) {
        return fail(
            title,
            `the credentials are ${id.arn} in account ${id.account}, but the stack's \`awsAccountId\` is ${expected}; \`pulumi up\` would refuse (allowedAccountIds)`,
            `use credentials of account ${expected} (another AWS_PROFILE), or correct \`awsAccountId\` in Pulumi.${ctx.stack.name}.yaml if the stack really belongs to ${id.account}`,
        );
    }
    return pass(title, `${id.arn} in account ${id.account}, the stack's \`awsAccountId\``);
}

/**
 * Is the stack's region enabled for the account? The opt-in status is asked in the partition's
 * always-enabled region (in a disabled region every call fails as if the credentials were wrong), then
 * the region itself is asked who the caller is: a region being enabled (ENABLING, minutes to hours)
 * reports opted-in before it accepts the credentials.
 */
async function regionEnabled(ctx: Context): Promise<CheckResult> {
    const title = `Region ${ctx.region} enabled`;
    const status = await ctx.api.regionOptInStatus(ctx.region);
    const enable = `enable it: \`aws account enable-region --region-name ${ctx.region}\` (an account administrator; the region is ENABLING for minutes to hours: \`aws account get-region-opt-status --region-name ${ctx.region}\` says when it is ENABLED), or choose another \`aws:region\``;
    if (status === undefined) {
        return fail(title, `EC2 (asked in ${homeRegion(ctx.region)}) does not know region ${ctx.region}`, `set \`aws:region\` in Pulumi.${ctx.stack.name}.yaml to an AWS region`);
    }
    if (status !== "opt-in-not-required" && status !== "opted-in") {
        return fail(title, `opt-in status ${status} (asked in ${homeRegion(ctx.region)}): the account cannot create anything there`, enable);
    }
    try {
        await ctx.api.callerIdentity(ctx.region);
    } catch (e) {
        const name = (e as Error).name;
        if (!REGION_DISABLED_ERRORS.has(name)) throw e;
        return fail(
            title,
            `opt-in status ${status}, but ${ctx.region} refuses the credentials (${name}): the region is not enabled for this account yet (ENABLING)`,
            `wait until \`aws account get-region-opt-status --region-name ${ctx.region}\` says ENABLED, then run the preflight again; if it says DISABLED, ${enable}`,
        );
    }
    return pass(title, `opt-in status ${status}; the region accepts the credentials`);
}

async function zones(ctx: Context): Promise<CheckResult> {
    const wanted = ctx.stack.config.network.availabilityZoneCount;
    const title = `${wanted} availability zones`;
    const region = await ctx.api.availabilityZones();
    const { names } = region;
    if (names.length < wanted) {
        return fail(title, `${ctx.region} has ${names.length} zones without opt-in (${list(names)})`, `set \`availabilityZoneCount\` to at most ${names.length}, or use another region`);
    }
    ctx.regionZones = region;
    return pass(title, `${ctx.region} has ${names.length} zones without opt-in (${list(names)})`);
}

/**
 * The zones the program will use: `chooseZones` (components/lib/zones.ts) over the same requirements
 * as infra/main.ts (the web instance type's offerings, the orderable zones of the DB class really
 * deployed), so the preflight names the zones `pulumi up` will take, and fails where it would.
 */
function chosenZones(ctx: Context): CheckResult {
    const title = "Zones the stack will use";
    const count = ctx.stack.config.network.availabilityZoneCount;
    try {
        const choice = chooseZones(ctx.regionZones!, count, ctx.requirements ?? []);
        ctx.zones = choice.names;
        // The zones passed over on the way (those after the last chosen one do not change the choice).
        const order = ctx.regionZones!.names;
        const firstSkipped = choice.skipped.filter((z) => order.indexOf(z.name) < order.indexOf(choice.names[choice.names.length - 1]));
        return pass(
            title,
            `${list(choice.names.map((n, i) => `${n} (${choice.zoneIds[i]})`))}${firstSkipped.length > 0 ? `; skipped ${firstSkipped.map((z) => `${z.name} (lacks ${z.missing.join(", ")})`).join(", ")}` : ""}`,
        );
    } catch (e) {
        const message = (e as Error).message;
        const [found, fix] = message.split(/\. (?=Lower `availabilityZoneCount`)/);
        return fail(title, found, fix ? fix.replace(/\.$/, "").replace(/^Lower/, "lower") : "lower `availabilityZoneCount`");
    }
}

async function hostedZone(ctx: Context): Promise<CheckResult> {
    const { domain, hostedZone: zone, certificateArn } = ctx.stack.config.https;
    const title = "Route 53 public hosted zone";
    if (domain === undefined || zone === undefined) {
        return pass(title, certificateArn ? "not needed: `certificateArn` given and no `domain`" : "not needed: no `domain` (HTTP only)");
    }
    const zones = await ctx.api.hostedZones(zone);
    const publicZones = zones.filter((z) => !z.privateZone);
    if (publicZones.length === 0) {
        return fail(
            title,
            zones.length > 0 ? `only a private hosted zone named ${zone}: ACM cannot validate through it and nobody outside the VPC resolves it` : `no hosted zone named ${zone} in this account`,
            `create the public zone (\`aws route53 create-hosted-zone --name ${zone} --caller-reference $(date +%s)\`) and delegate to its name servers at the registrar, or set \`hostedZone\` to the public zone that holds ${domain}`,
        );
    }
    if (publicZones.length > 1) {
        return fail(
            title,
            `${publicZones.length} public hosted zones named ${zone} (${list(publicZones.map((z) => z.id))}): the program's look-up would fail`,
            "delete the zone that is not delegated from the registrar (compare its NS records with `dig NS " + zone + "`)",
        );
    }
    return pass(title, `${zone} (${publicZones[0].id}) holds ${domain}`);
}

/**
 * Amazon's account that publishes Amazon Linux in the commercial regions (the `owners` of AWS's own
 * examples, e.g. `aws ec2 describe-images --owners 137112412989`). Elsewhere (opt-in regions, China,
 * GovCloud) Amazon publishes from other accounts: there the image's owner alias `amazon` decides.
 */
export const AMAZON_LINUX_OWNERS: ReadonlySet<string> = new Set(["137112412989"]);

async function webAmi(ctx: Context): Promise<CheckResult> {
    const { amiId, instanceType } = ctx.stack.config.web;
    const title = "Web server AMI";
    const type = await ctx.api.instanceType(instanceType);
    if (amiId === undefined) {
        return pass(title, "not pinned: the latest Amazon Linux 2023 from AWS's SSM parameter, for the instance type's architecture");
    }
    const image = await ctx.api.image(amiId);
    if (image === undefined) {
        return fail(
            title,
            `${amiId} does not exist in ${ctx.region} (or this account may not use it)`,
            `pin an Amazon Linux 2023 AMI of this region: \`aws ssm get-parameter --region ${ctx.region} --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${type?.architectures.includes("arm64") ? "arm64" : "x86_64"} --query Parameter.Value --output text\``,
        );
    }
    const name = image.name ?? "";
    // Standard AL2023 images are named al2023-ami-2023.<release>-kernel-<k>-<arch>; the minimal
    // (al2023-ami-minimal-…) and ECS-optimized (al2023-ami-ecs-…) variants are not what the user data expects.
    if (!/^al2023-ami-2023\./.test(name)) {
        return fail(
            title,
            `${amiId} is ${JSON.stringify(name)}, not a standard Amazon Linux 2023 AMI${/^al2023-ami-minimal-/.test(name) ? " (the minimal AMI has no SSM agent, and the servers are reached only through SSM)" : ""}`,
            "pin a standard Amazon Linux 2023 AMI (name al2023-ami-2023.*): the user data, the SSM agent and the CloudWatch agent setup assume it",
        );
    }
    // Anyone can publish an image with that name: only Amazon's own is the Amazon Linux the servers expect.
    if (image.ownerAlias !== "amazon" && !AMAZON_LINUX_OWNERS.has(image.ownerId ?? "")) {
        return fail(
            title,
            `${amiId} is named ${name} but is not Amazon's (owner ${image.ownerId ?? "unknown"}${image.ownerAlias ? `, alias ${image.ownerAlias}` : ""}): a look-alike image runs someone else's software on the servers`,
            `pin Amazon's own image: \`aws ssm get-parameter --region ${ctx.region} --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${type?.architectures.includes("arm64") ? "arm64" : "x86_64"} --query Parameter.Value --output text\``,
        );
    }
    if (image.state !== undefined && image.state !== "available") {
        return fail(title, `${amiId} (${name}) is ${image.state}`, "pin an available AMI");
    }
    if (type !== undefined && image.architecture !== undefined && !type.architectures.includes(image.architecture)) {
        return fail(
            title,
            `${amiId} (${name}) is ${image.architecture}, but ${instanceType} runs ${list(type.architectures)}`,
            `pin the ${type.architectures.includes("arm64") ? "arm64" : "x86_64"} build of the same release, or choose a ${image.architecture === "arm64" ? "Graviton (t4g, m7g, …)" : "Intel/AMD (t3, m7i, …)"} \`webInstanceType\``,
        );
    }
    return pass(title, `${amiId} is ${name} (${image.architecture ?? "architecture not reported"}), matching ${instanceType}`);
}

async function instanceOffered(ctx: Context): Promise<CheckResult> {
    const { instanceType } = ctx.stack.config.web;
    const title = `Instance type ${instanceType} offered`;
    const names = ctx.regionZones!.names;
    const offered = await ctx.api.instanceTypeZones(instanceType, names);
    ctx.requirements = [...(ctx.requirements ?? []), { setting: "webInstanceType", value: instanceType, zones: offered }];
    if (offered.length === 0) {
        return fail(
            title,
            `not offered in any zone of ${ctx.region}`,
            `choose a \`webInstanceType\` offered here (\`aws ec2 describe-instance-type-offerings --location-type availability-zone --filters Name=instance-type,Values=${instanceType}\`), or another region`,
        );
    }
    return pass(title, `in ${list(offered)}`);
}

/** What the deployment needs of an orderable option, and how to say it. */
function deploymentNeeds(deployment: DbDeployment, multiAz: boolean, replicas: number): { test: (o: OrderableDbOption) => boolean; text: string }[] {
    if (deployment === "multiAzCluster") return [{ test: (o) => o.supportsClusters, text: "a Multi-AZ DB cluster" }];
    const needs = [];
    if (multiAz) needs.push({ test: (o: OrderableDbOption) => o.multiAzCapable, text: "Multi-AZ" });
    if (replicas > 0) needs.push({ test: (o: OrderableDbOption) => o.readReplicaCapable, text: "read replicas" });
    return needs;
}

/** The class the database really deploys: a Multi-AZ DB cluster has its own class setting. */
function dbInstanceClass(stack: PreflightStack): string {
    const db = stack.config.database;
    return (db.deployment === "multiAzCluster" ? db.clusterInstanceClass : undefined) ?? db.instanceClass;
}

async function dbOrderable(ctx: Context): Promise<CheckResult> {
    const db = ctx.stack.config.database;
    const deployment: DbDeployment = db.deployment;
    const cluster = deployment === "multiAzCluster";
    const instanceClass = dbInstanceClass(ctx.stack);
    const storageType = cluster ? (db.storageType ?? "gp3") : "gp3";
    const classKey = cluster ? "dbClusterInstanceClass" : "dbInstanceClass";
    const title = `DB class ${instanceClass} orderable`;
    const what = `MySQL ${db.engineVersion} on ${instanceClass}${cluster ? " (Multi-AZ DB cluster)" : ""} with ${storageType} storage`;
    const howToList = `\`aws rds describe-orderable-db-instance-options --engine mysql --engine-version ${db.engineVersion} --query "OrderableDBInstanceOptions[].DBInstanceClass"\``;
    const options = (await ctx.api.orderableDbOptions("mysql", instanceClass)).filter(
        (o) => o.engineVersion.startsWith(`${db.engineVersion}.`) && (o.storageType === undefined || o.storageType === storageType),
    );
    if (options.length === 0) {
        return fail(title, `RDS offers no ${what} in ${ctx.region}`, `choose a \`${classKey}\` from ${howToList}`);
    }
    const needs = deploymentNeeds(deployment, db.multiAz, db.replicaCount);
    const missingNeeds = needs.filter((n) => !options.some(n.test));
    if (missingNeeds.length > 0) {
        return fail(title, `${what} does not support ${list(missingNeeds.map((n) => n.text))}`, `choose a \`${classKey}\` that does (${howToList})`);
    }
    // Zones only from the options that meet every need: an option without SupportsClusters (or
    // Multi-AZ) in a zone does not make the cluster (or the standby) orderable there.
    const fitting = options.filter((o) => needs.every((n) => n.test(o)));
    const zones = [...new Set(fitting.flatMap((o) => o.zones))].sort();
    ctx.requirements = [...(ctx.requirements ?? []), { setting: classKey, value: instanceClass, zones }];
    const supports = needs.length > 0 ? `, ${list(needs.map((n) => n.text))}` : "";
    if (fitting.length === 0 || zones.length === 0) {
        return fail(title, `no single orderable ${what} supports all of ${list(needs.map((n) => n.text))} in a zone`, `choose a \`${classKey}\` that does (${howToList})`);
    }
    return pass(title, `${what}${supports} in ${list(zones)}`);
}

/** maxHealthyPercentage 200 of the fleet's instance refresh and maintenance policy, as a factor (a test reads the program's). */
export const REFRESH_MAX_HEALTHY_FACTOR = 2;

/** One Service Quotas quota the stack draws on: `need` more of it than `used` today. */
export interface QuotaSpec {
    readonly name: string;
    readonly serviceCode: string;
    readonly quotaCode: string;
    readonly used: (api: AwsApi, zones: readonly string[]) => Promise<number>;
    readonly need: number;
    readonly why: string;
}

/**
 * The quotas the stack draws on (codes checked against Service Quotas: moto_server's data and the AWS
 * console). vCPUs count the fleet twice: an instance refresh (and a health replacement) with
 * maxHealthyPercentage 200 launches a whole new fleet before terminating the old one
 * (components/webServer.ts), so up to 2 × the group's maximum run at once.
 */
export function quotaSpecs(stack: PreflightStack, vcpusPerServer: number): QuotaSpec[] {
    const needs = stackNeeds(stack.config);
    return [
        { name: "VPCs per Region", serviceCode: "vpc", quotaCode: "L-F678F1CE", used: (api) => api.vpcCount(), need: needs.vpcs, why: "the stack's VPC" },
        { name: "Internet gateways per Region", serviceCode: "vpc", quotaCode: "L-A4707A72", used: (api) => api.internetGatewayCount(), need: needs.internetGateways, why: "the VPC's internet gateway" },
        { name: "EC2-VPC Elastic IPs", serviceCode: "ec2", quotaCode: "L-0263D0A3", used: (api) => api.elasticIpCount(), need: needs.elasticIps, why: `one per NAT gateway (natStrategy ${stack.config.network.natStrategy})` },
        {
            name: "NAT gateways per Availability Zone",
            serviceCode: "vpc",
            quotaCode: "L-FE5A380F",
            used: async (api, zones) => {
                const perZone = await api.natGatewaysPerZone();
                return Math.max(0, ...zones.map((z) => perZone[z] ?? 0));
            },
            need: needs.natGatewaysPerZone,
            why: "one per zone; the busiest zone counted",
        },
        { name: "Application Load Balancers per Region", serviceCode: "elasticloadbalancing", quotaCode: "L-53DA6B97", used: (api) => api.applicationLoadBalancerCount(), need: needs.applicationLoadBalancers, why: "the stack's ALB" },
        {
            name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (vCPUs)",
            serviceCode: "ec2",
            quotaCode: "L-1216C47A",
            used: (api) => api.standardOnDemandVcpus(),
            need: REFRESH_MAX_HEALTHY_FACTOR * needs.instances * vcpusPerServer,
            why: `${needs.instances} web servers at the most, twice during an instance refresh (maxHealthyPercentage ${REFRESH_MAX_HEALTHY_FACTOR * 100}), ${vcpusPerServer} vCPUs each`,
        },
    ];
}

async function quotaCheck(ctx: Context, spec: QuotaSpec): Promise<CheckResult> {
    const title = `Quota: ${spec.name}`;
    const [limit, used] = await Promise.all([ctx.api.quota(spec.serviceCode, spec.quotaCode), spec.used(ctx.api, ctx.zones ?? [])]);
    if (limit === undefined) {
        return fail(title, `Service Quotas does not report ${spec.serviceCode}/${spec.quotaCode} in ${ctx.region}`, "check that the credentials may call servicequotas:GetServiceQuota and GetAWSDefaultServiceQuota");
    }
    const after = used + spec.need;
    const found = `${used} used + ${spec.need} for the stack (${spec.why}) = ${after} of ${limit}`;
    if (after > limit) {
        return fail(
            title,
            found,
            `request an increase to at least ${after}: \`aws service-quotas request-service-quota-increase --service-code ${spec.serviceCode} --quota-code ${spec.quotaCode} --desired-value ${after}\` (or free some)`,
        );
    }
    return pass(title, found);
}

/**
 * The physical names of the stack's SNS topics with e-mail subscribers: the Monitoring component
 * ("monitoring" in infra/main.ts) names them `monitoring-alerts`, `monitoring-alerts-us-east-1` (the
 * health-check alarm's topic, when the stack is not in us-east-1) and `monitoring-db-events-topic`, and
 * Pulumi's auto-naming adds `-` and 7 random hex characters. A test checks this against the topics the
 * program declares. Another stack of this project in the same account and region has the same names.
 */
export const STACK_TOPIC_NAME = /^monitoring-(alerts|alerts-us-east-1|db-events-topic)-[0-9a-f]{7}$/;
/** Where the health-check alarm's topic lives (components/monitoring.ts ROUTE53_METRICS_REGION). */
const HEALTH_CHECK_TOPIC_REGION = "us-east-1";

async function alertSubscription(ctx: Context): Promise<CheckResult> {
    const email = ctx.stack.config.monitoring.alertEmail;
    const title = "Alert e-mail subscription";
    if (email === undefined) return pass(title, "no `alertEmail`: alarms go to the SNS topic only");
    const regions = [...new Set([ctx.region, HEALTH_CHECK_TOPIC_REGION])];
    const topics = new Set((await Promise.all(regions.map((r) => ctx.api.topicArns(r)))).flat().filter((arn) => STACK_TOPIC_NAME.test(arn.split(":").pop() ?? "")));
    if (topics.size === 0) {
        return pass(
            title,
            `nothing to check yet: none of the stack's topics (monitoring-alerts-…, monitoring-db-events-topic-…) exists in ${list(regions)} before its first \`pulumi up\`, which subscribes ${email}; confirm the e-mail AWS then sends (docs/runbooks/confirm-alert-email.md)`,
        );
    }
    const subs = (await Promise.all(regions.map((r) => ctx.api.emailSubscriptions(email, r)))).flat().filter((s) => topics.has(s.topicArn));
    const pending = subs.filter((s) => s.pending);
    if (pending.length > 0) {
        return fail(
            title,
            `${pending.length} subscription(s) of ${email} to the stack's topics still wait for confirmation (${list(pending.map((s) => s.topicArn))}): until then no alarm reaches anyone`,
            `confirm them: open the "AWS Notification - Subscription Confirmation" e-mail to ${email} (docs/runbooks/confirm-alert-email.md)`,
        );
    }
    if (subs.length === 0) return pass(title, `no subscription of ${email} to the stack's topics yet: \`pulumi up\` subscribes it; confirm the e-mail AWS then sends (docs/runbooks/confirm-alert-email.md)`);
    return pass(title, `${subs.length} confirmed subscription(s) of ${email} to the stack's topics`);
}

/** An API error inside a check is that check's ✗ (most often a missing read permission). */
async function guarded(title: string, run: () => Promise<CheckResult>): Promise<CheckResult> {
    try {
        return await run();
    } catch (e) {
        return fail(title, `the AWS call failed: ${(e as Error).name}: ${(e as Error).message.replace(/\s*\n\s*/g, " ")}`, "check the credentials' read permissions (the AWS managed ReadOnlyAccess policy covers every call) and the network");
    }
}

/** Run every check in order. Without working credentials only the checks that need no AWS call run. */
export async function runChecks(stack: PreflightStack, api: AwsApi, region: string): Promise<CheckResult[]> {
    const ctx: Context = { stack, api, region };
    const results: CheckResult[] = [placeholders(ctx)];
    const creds = await credentials(ctx);
    results.push(creds.result);
    // Without credentials every further call fails the same way: say so once. With another account's
    // credentials the checks still run (they describe that account, which may be useful), and fail overall.
    if (!creds.working) return results;

    const regionResult = await guarded(`Region ${region} enabled`, () => regionEnabled(ctx));
    results.push(regionResult);
    // In a region that is not enabled every further call fails with AuthFailure: said once, above.
    if (!regionResult.ok) return results;
    const zonesResult = await guarded("Availability zones", () => zones(ctx));
    results.push(zonesResult);
    results.push(await guarded("Route 53 public hosted zone", () => hostedZone(ctx)));
    results.push(await guarded("Web server AMI", () => webAmi(ctx)));
    if (zonesResult.ok) {
        const web = await guarded(`Instance type ${stack.config.web.instanceType} offered`, () => instanceOffered(ctx));
        const db = await guarded(`DB class ${dbInstanceClass(stack)} orderable`, () => dbOrderable(ctx));
        results.push(web, db);
        if (web.ok && db.ok) results.push(chosenZones(ctx));
    }
    const vcpus = (await api.instanceType(stack.config.web.instanceType).catch(() => undefined))?.vcpus ?? 0;
    if (vcpus === 0) {
        results.push(fail("Quota: vCPUs", `EC2 does not describe instance type ${stack.config.web.instanceType}`, "set `webInstanceType` to an EC2 instance type of this region"));
    }
    for (const spec of quotaSpecs(stack, vcpus)) {
        if (spec.quotaCode === "L-1216C47A" && vcpus === 0) continue;
        results.push(await guarded(`Quota: ${spec.name}`, () => quotaCheck(ctx, spec)));
    }
    results.push(await guarded("Alert e-mail subscription", () => alertSubscription(ctx)));
    return results;
}

/** The report: one line per check (✓/✗, title, what was found), the fix indented under a ✗. */
export function formatResults(stackName: string, region: string, results: readonly CheckResult[]): string {
    const lines = [`web-infra preflight — stack ${stackName}, region ${region} (read-only)`, ""];
    for (const r of results) {
        lines.push(`${r.ok ? "✓" : "✗"} ${r.title}: ${r.found}`);
        if (!r.ok && r.fix) lines.push(`    fix: ${r.fix}`);
    }
    const failed = results.filter((r) => !r.ok).length;
    lines.push("", failed === 0 ? `All ${results.length} checks passed.` : `${failed} of ${results.length} checks failed.`);
    return lines.join("\n");
}
