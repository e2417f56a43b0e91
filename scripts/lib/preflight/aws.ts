/**
 * The read-only AWS calls the preflight makes, behind one narrow interface: `sdkApi` implements it with
 * the AWS SDK for JavaScript v3, tests implement the calls moto_server lacks with fakes.
 *
 * Every client is built with only `region` (when the stack names one): credentials, profile and
 * endpoint come from the SDK's standard chain, so `AWS_PROFILE` (and SSO), `AWS_ACCESS_KEY_ID`/…,
 * `AWS_REGION` and `AWS_ENDPOINT_URL` (SDK ≥ 3.410, "service-specific endpoints") work as for the AWS
 * CLI. https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 * Only Describe/List/Get calls: the preflight changes nothing.
 */
import {
    DescribeAddressesCommand,
    DescribeAvailabilityZonesCommand,
    DescribeImagesCommand,
    DescribeInstanceTypeOfferingsCommand,
    DescribeInstanceTypesCommand,
    DescribeInstancesCommand,
    DescribeInternetGatewaysCommand,
    DescribeNatGatewaysCommand,
    DescribeRegionsCommand,
    DescribeSubnetsCommand,
    DescribeVpcsCommand,
    EC2Client,
} from "@aws-sdk/client-ec2";
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeOrderableDBInstanceOptionsCommand, RDSClient } from "@aws-sdk/client-rds";
import { ListHostedZonesByNameCommand, Route53Client } from "@aws-sdk/client-route-53";
import { GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { ListSubscriptionsCommand, ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

export interface Image {
    readonly id: string;
    readonly name?: string;
    readonly architecture?: string;
    readonly state?: string;
    readonly ownerId?: string;
    /** `amazon` for Amazon's own public images (DescribeImages ImageOwnerAlias). */
    readonly ownerAlias?: string;
}

export interface InstanceTypeInfo {
    readonly architectures: readonly string[];
    readonly vcpus: number;
}

/** One row of RDS DescribeOrderableDBInstanceOptions, reduced to what the checks read. */
export interface OrderableDbOption {
    readonly engineVersion: string;
    readonly zones: readonly string[];
    readonly multiAzCapable: boolean;
    readonly readReplicaCapable: boolean;
    readonly supportsClusters: boolean;
    readonly storageType?: string;
}

export interface HostedZone {
    readonly id: string;
    readonly name: string;
    readonly privateZone: boolean;
}

export interface EmailSubscription {
    readonly topicArn: string;
    /** SNS lists an unconfirmed subscription with SubscriptionArn `PendingConfirmation`. */
    readonly pending: boolean;
}

export interface AwsApi {
    /**
     * STS GetCallerIdentity. Without `region`, in the partition's always-enabled region (`homeRegion`):
     * it answers even when the stack's region is an opt-in region the account has not enabled. With
     * `region`, in that region: the probe that the region accepts the credentials.
     */
    callerIdentity(region?: string): Promise<{ account: string; arn: string }>;
    /** EC2 DescribeRegions `OptInStatus` of `region` (opt-in-not-required | opted-in | not-opted-in), asked in `homeRegion`; undefined when unknown. */
    regionOptInStatus(region: string): Promise<string | undefined>;
    /** Zones the program picks from (components/network.ts ZONE_QUERY: without opt-in), names and zone IDs in the same order. */
    availabilityZones(): Promise<{ names: string[]; zoneIds: string[] }>;
    /** Route 53 hosted zones named exactly `name`. */
    hostedZones(name: string): Promise<HostedZone[]>;
    image(id: string): Promise<Image | undefined>;
    instanceType(type: string): Promise<InstanceTypeInfo | undefined>;
    /** Zones (of `zones`) where EC2 offers `type`. */
    instanceTypeZones(type: string, zones: readonly string[]): Promise<string[]>;
    orderableDbOptions(engine: string, instanceClass: string): Promise<OrderableDbOption[]>;
    /** Applied (else default) value of a Service Quotas quota, or undefined when Service Quotas does not know it. */
    quota(serviceCode: string, quotaCode: string): Promise<number | undefined>;
    vpcCount(): Promise<number>;
    internetGatewayCount(): Promise<number>;
    elasticIpCount(): Promise<number>;
    /** Pending or available NAT gateways per zone. */
    natGatewaysPerZone(): Promise<Record<string, number>>;
    applicationLoadBalancerCount(): Promise<number>;
    /** vCPUs of pending or running On-Demand instances of the standard families (A, C, D, H, I, M, R, T, Z). */
    standardOnDemandVcpus(): Promise<number>;
    /** SNS topic ARNs in `region`. */
    topicArns(region: string): Promise<string[]>;
    /** E-mail subscriptions of `endpoint` in `region`, to any topic. */
    emailSubscriptions(endpoint: string, region: string): Promise<EmailSubscription[]>;
}

/** Families counted by the "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances" quota. */
export const STANDARD_FAMILIES = /^(a|c|d|h|i|m|r|t|z)\d/;

/** Collect every page of a paginated call. */
async function pages<T>(fetch: (token?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
    const all: T[] = [];
    let token: string | undefined;
    do {
        const page = await fetch(token);
        all.push(...page.items);
        token = page.next;
    } while (token);
    return all;
}

/**
 * The region of `region`'s partition that is always enabled: us-east-1 for the commercial partition.
 * Opt-in regions exist there only; the China and GovCloud partitions take credentials of their own.
 */
export function homeRegion(region?: string): string {
    if (region?.startsWith("cn-")) return "cn-north-1";
    if (region?.startsWith("us-gov-")) return "us-gov-west-1";
    return "us-east-1";
}

/**
 * What STS and EC2 answer in a region the account has not enabled (or is still enabling): the
 * credentials are not valid there. STS: RegionDisabledException, or InvalidClientTokenId for IAM
 * users' keys; EC2: AuthFailure ("AWS was not able to validate the provided access credentials").
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html,
 * https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html
 */
export const REGION_DISABLED_ERRORS: ReadonlySet<string> = new Set(["RegionDisabledException", "InvalidClientTokenId", "AuthFailure", "UnrecognizedClientException"]);

/** The real thing: AWS SDK v3 clients in `region` (or the SDK's default region). */
export function sdkApi(region?: string): AwsApi {
    const config = region ? { region } : {};
    const ec2 = new EC2Client(config);
    // Identity and the region's opt-in status are asked where the account surely works (see homeRegion).
    const home = { ...config, region: homeRegion(region) };
    const homeEc2 = new EC2Client(home);
    const homeSts = new STSClient(home);
    // Route 53 is global; its endpoint is in us-east-1 whatever the stack's region.
    const route53 = new Route53Client({ ...config, region: "us-east-1" });
    const rds = new RDSClient(config);
    const quotas = new ServiceQuotasClient(config);
    const elb = new ElasticLoadBalancingV2Client(config);
    // SNS in the stack's region and in us-east-1 (the health-check alarm's topic): one client per region.
    const snsClients = new Map<string, SNSClient>();
    const sns = (inRegion: string) => snsClients.get(inRegion) ?? snsClients.set(inRegion, new SNSClient({ ...config, region: inRegion })).get(inRegion)!;

    const api: AwsApi = {
        async callerIdentity(inRegion) {
            const sts = inRegion === undefined ? homeSts : new STSClient({ ...config, region: inRegion });
            const id = await sts.send(new GetCallerIdentityCommand({}));
            return { account: id.Account ?? "", arn: id.Arn ?? "" };
        },
        async regionOptInStatus(name) {
            const out = await homeEc2.send(new DescribeRegionsCommand({ AllRegions: true, RegionNames: [name] }));
            return out.Regions?.find((r) => r.RegionName === name)?.OptInStatus;
        },
        async availabilityZones() {
            const out = await ec2.send(
                new DescribeAvailabilityZonesCommand({ Filters: [{ Name: "opt-in-status", Values: ["opt-in-not-required"] }] }),
            );
            const zones = (out.AvailabilityZones ?? [])
                .filter((z) => z.ZoneType === undefined || z.ZoneType === "availability-zone")
                .sort((a, b) => a.ZoneName!.localeCompare(b.ZoneName!));
            return { names: zones.map((z) => z.ZoneName!), zoneIds: zones.map((z) => z.ZoneId ?? "?") };
        },
        async hostedZones(name) {
            const fqdn = `${name.replace(/\.$/, "")}.`;
            const out = await route53.send(new ListHostedZonesByNameCommand({ DNSName: fqdn, MaxItems: 100 }));
            return (out.HostedZones ?? [])
                .filter((z) => z.Name === fqdn)
                .map((z) => ({ id: (z.Id ?? "").replace(/^\/hostedzone\//, ""), name: z.Name!.replace(/\.$/, ""), privateZone: z.Config?.PrivateZone === true }));
        },
        async image(id) {
            try {
                const out = await ec2.send(new DescribeImagesCommand({ ImageIds: [id] }));
                const img = out.Images?.[0];
                return img && { id: img.ImageId ?? id, name: img.Name, architecture: img.Architecture, state: img.State, ownerId: img.OwnerId, ownerAlias: img.ImageOwnerAlias };
            } catch (e) {
                if (/^InvalidAMIID\./.test((e as Error).name)) return undefined;
                throw e;
            }
        },
        async instanceType(type) {
            try {
                const out = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [type as never] }));
                const t = out.InstanceTypes?.[0];
                return t && { architectures: (t.ProcessorInfo?.SupportedArchitectures ?? []) as string[], vcpus: t.VCpuInfo?.DefaultVCpus ?? 0 };
            } catch (e) {
                if ((e as Error).name === "InvalidInstanceType") return undefined;
                throw e;
            }
        },
        async instanceTypeZones(type, zones) {
            const offerings = await pages(async (NextToken) => {
                const out = await ec2.send(
                    new DescribeInstanceTypeOfferingsCommand({
                        LocationType: "availability-zone",
                        Filters: [
                            { Name: "instance-type", Values: [type] },
                            { Name: "location", Values: [...zones] },
                        ],
                        NextToken,
                    }),
                );
                return { items: out.InstanceTypeOfferings ?? [], next: out.NextToken };
            });
            return [...new Set(offerings.filter((o) => o.InstanceType === type).map((o) => o.Location!))].sort();
        },
        async orderableDbOptions(engine, instanceClass) {
            const options = await pages(async (Marker) => {
                const out = await rds.send(new DescribeOrderableDBInstanceOptionsCommand({ Engine: engine, DBInstanceClass: instanceClass, Marker, MaxRecords: 100 }));
                return { items: out.OrderableDBInstanceOptions ?? [], next: out.Marker };
            });
            return options.map((o) => ({
                engineVersion: o.EngineVersion ?? "",
                zones: (o.AvailabilityZones ?? []).map((z) => z.Name!).filter(Boolean),
                multiAzCapable: o.MultiAZCapable === true,
                readReplicaCapable: o.ReadReplicaCapable === true,
                supportsClusters: o.SupportsClusters === true,
                storageType: o.StorageType,
            }));
        },
        async quota(ServiceCode, QuotaCode) {
            try {
                return (await quotas.send(new GetServiceQuotaCommand({ ServiceCode, QuotaCode }))).Quota?.Value;
            } catch (e) {
                if ((e as Error).name !== "NoSuchResourceException") throw e;
            }
            // Never changed in this account: the default applies.
            try {
                return (await quotas.send(new GetAWSDefaultServiceQuotaCommand({ ServiceCode, QuotaCode }))).Quota?.Value;
            } catch (e) {
                if ((e as Error).name === "NoSuchResourceException") return undefined;
                throw e;
            }
        },
        async vpcCount() {
            return (await pages(async (NextToken) => {
                const out = await ec2.send(new DescribeVpcsCommand({ NextToken }));
                return { items: out.Vpcs ?? [], next: out.NextToken };
            })).length;
        },
        async internetGatewayCount() {
            return (await pages(async (NextToken) => {
                const out = await ec2.send(new DescribeInternetGatewaysCommand({ NextToken }));
                return { items: out.InternetGateways ?? [], next: out.NextToken };
            })).length;
        },
        async elasticIpCount() {
            const out = await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: "domain", Values: ["vpc"] }] }));
            return (out.Addresses ?? []).length;
        },
        async natGatewaysPerZone() {
            const nats = await pages(async (NextToken) => {
                const out = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "state", Values: ["pending", "available"] }], NextToken }));
                return { items: out.NatGateways ?? [], next: out.NextToken };
            });
            const subnetIds = [...new Set(nats.map((n) => n.SubnetId!).filter(Boolean))];
            const zoneOf = new Map<string, string>();
            if (subnetIds.length > 0) {
                const subnets = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }));
                for (const s of subnets.Subnets ?? []) zoneOf.set(s.SubnetId!, s.AvailabilityZone!);
            }
            const perZone: Record<string, number> = {};
            for (const n of nats) {
                const zone = zoneOf.get(n.SubnetId ?? "") ?? "unknown";
                perZone[zone] = (perZone[zone] ?? 0) + 1;
            }
            return perZone;
        },
        async applicationLoadBalancerCount() {
            const lbs = await pages(async (Marker) => {
                const out = await elb.send(new DescribeLoadBalancersCommand({ Marker }));
                return { items: out.LoadBalancers ?? [], next: out.NextMarker };
            });
            return lbs.filter((lb) => lb.Type === "application").length;
        },
        async standardOnDemandVcpus() {
            const reservations = await pages(async (NextToken) => {
                const out = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-state-name", Values: ["pending", "running"] }], NextToken }));
                return { items: out.Reservations ?? [], next: out.NextToken };
            });
            const instances = reservations.flatMap((r) => r.Instances ?? []).filter((i) => i.InstanceLifecycle !== "spot" && STANDARD_FAMILIES.test(i.InstanceType ?? ""));
            // CpuOptions holds what runs (cores can be switched off); the type's default where it is missing.
            const defaults = new Map<string, number>();
            for (const type of new Set(instances.filter((i) => !i.CpuOptions?.CoreCount).map((i) => i.InstanceType!))) {
                defaults.set(type, (await api.instanceType(type))?.vcpus ?? 0);
            }
            return instances.reduce(
                (sum, i) => sum + (i.CpuOptions?.CoreCount ? i.CpuOptions.CoreCount * (i.CpuOptions.ThreadsPerCore ?? 1) : (defaults.get(i.InstanceType!) ?? 0)),
                0,
            );
        },
        async topicArns(inRegion) {
            const topics = await pages(async (NextToken) => {
                const out = await sns(inRegion).send(new ListTopicsCommand({ NextToken }));
                return { items: out.Topics ?? [], next: out.NextToken };
            });
            return topics.map((t) => t.TopicArn!).filter(Boolean);
        },
        async emailSubscriptions(endpoint, inRegion) {
            const subs = await pages(async (NextToken) => {
                const out = await sns(inRegion).send(new ListSubscriptionsCommand({ NextToken }));
                return { items: out.Subscriptions ?? [], next: out.NextToken };
            });
            return subs
                .filter((s) => s.Protocol === "email" && s.Endpoint?.toLowerCase() === endpoint.toLowerCase())
                .map((s) => ({ topicArn: s.TopicArn ?? "", pending: s.SubscriptionArn === "PendingConfirmation" }));
        },
    };
    return api;
}
