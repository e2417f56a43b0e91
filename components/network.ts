import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MAX_ZONES, ipv6Subnet64, subnetLayout } from "./lib/cidr";
import { LOG_RETENTION_DAYS } from "./lib/aws";

/** How private subnets reach the internet. */
export type NatStrategy = "none" | "single" | "perAz";
export const NAT_STRATEGIES: readonly NatStrategy[] = ["none", "single", "perAz"];


/**
 * The zone query the Network and the stack share: the region's zones that need no opt-in (Local and
 * Wavelength Zones are opt-in and lack most services, so they must never be picked by default).
 *
 * Deliberately NOT filtered on `state: "available"`: the list must not depend on the zones' health
 * today. If zone a were impaired during a `pulumi up` (exactly when the zone-failure runbook runs one),
 * "the first N available zones" would shift to b, c and every subnet, server and replica would be
 * replaced into other zones.
 */
export const ZONE_QUERY: aws.GetAvailabilityZonesArgs = {
    filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
};

export interface NetworkArgs {
    /**
     * IPv4 CIDR of the VPC, /16 to /22. Quarter 0 holds the private subnets, quarter 1 the public,
     * quarter 2 the database subnets, quarter 3 is kept free; each subnet is 1/32 of the VPC.
     * @default "10.0.0.0/16"
     */
    readonly cidrBlock?: string;
    /**
     * Zone names to use, in order. When given, `availabilityZoneCount` is their number.
     * @default - the first `availabilityZoneCount` zones of the region that need no opt-in
     */
    readonly availabilityZones?: readonly string[];
    /**
     * How many zones to span when `availabilityZones` is not given (2 to 8).
     * @default 2
     */
    readonly availabilityZoneCount?: number;
    /**
     * NAT for the private subnets. `single` costs one NAT gateway (~$33/month + data) but loses
     * private egress if its zone fails; `perAz` costs one per zone and survives a zone; `none` gives
     * private subnets no internet at all (reach AWS services through VPC endpoints instead).
     * @default "single"
     */
    readonly natStrategy?: NatStrategy;
    /**
     * Give the VPC an Amazon-provided IPv6 /56 and each public subnet a /64, so an internet-facing
     * load balancer can be dual-stack. Private and database subnets stay IPv4-only.
     * @default true
     */
    readonly enableIpv6?: boolean;
    /**
     * AWS services reachable from the private subnets through interface VPC endpoints (short names:
     * `ssm`, `ssmmessages`, `ec2messages`, `secretsmanager`, `logs`, `monitoring`, …). Each costs about
     * $7.30/month per zone, so they are on only where there is no NAT to reach the public endpoints.
     * An S3 gateway endpoint (free) is always created: it carries the Amazon Linux package repositories.
     * @default - `["ssm", "ssmmessages", "ec2messages", "secretsmanager", "logs", "monitoring"]` when `natStrategy` is `none` (what Session Manager, the app's secret and the CloudWatch agent need), else `[]`
     */
    readonly interfaceEndpoints?: readonly string[];
    /**
     * Retention of the VPC flow log group, in days (a CloudWatch Logs retention value).
     * @default 30
     */
    readonly flowLogRetentionDays?: number;
    /**
     * Which traffic the flow log records.
     * @default "ALL"
     */
    readonly flowLogTrafficType?: "ALL" | "ACCEPT" | "REJECT";
    /**
     * Tags added to every resource (on top of the provider's default tags).
     * @default {}
     */
    readonly tags?: Record<string, string>;
}

/** Defaults and validation of NetworkArgs: pure, runs before anything is registered. */
function resolveNetworkArgs(name: string, args: NetworkArgs) {
    // ---- defaults ----
    const cidrBlock = args.cidrBlock ?? "10.0.0.0/16";
    const zoneCount = args.availabilityZones?.length ?? args.availabilityZoneCount ?? 2;
    const natStrategy = args.natStrategy ?? "single";
    const enableIpv6 = args.enableIpv6 ?? true;
    const retentionDays = args.flowLogRetentionDays ?? 30;
    const tags = args.tags ?? {};
    const interfaceEndpoints =
        args.interfaceEndpoints ?? (natStrategy === "none" ? ["ssm", "ssmmessages", "ec2messages", "secretsmanager", "logs", "monitoring"] : []);

    // ---- validation (before any resource) ----
    if (!Number.isInteger(zoneCount) || zoneCount < 2 || zoneCount > MAX_ZONES) {
        throw new Error(`Network ${name}: \`availabilityZoneCount\` must be from 2 to ${MAX_ZONES} (got ${zoneCount}): one zone is a single point of failure`);
    }
    if (args.availabilityZones && new Set(args.availabilityZones).size !== args.availabilityZones.length) {
        throw new Error(`Network ${name}: \`availabilityZones\` must be distinct (got ${args.availabilityZones.join(", ")})`);
    }
    if (!NAT_STRATEGIES.includes(natStrategy)) {
        throw new Error(`Network ${name}: \`natStrategy\` must be one of ${NAT_STRATEGIES.join(", ")} (got ${JSON.stringify(natStrategy)})`);
    }
    if (!LOG_RETENTION_DAYS.includes(retentionDays)) {
        throw new Error(`Network ${name}: \`flowLogRetentionDays\` must be one of ${LOG_RETENTION_DAYS.join(", ")} (got ${retentionDays})`);
    }
    const badEndpoint = interfaceEndpoints.find((e) => !/^[a-z0-9][a-z0-9.-]*$/.test(e));
    if (badEndpoint !== undefined) {
        throw new Error(`Network ${name}: \`interfaceEndpoints\` takes short service names such as ssm or logs (got ${JSON.stringify(badEndpoint)})`);
    }
    let layout: ReturnType<typeof subnetLayout>;
    try {
        layout = subnetLayout(cidrBlock, zoneCount);
    } catch (e) {
        throw new Error(`Network ${name}: ${(e as Error).message}`);
    }

    return { cidrBlock, zoneCount, natStrategy, enableIpv6, retentionDays, tags, interfaceEndpoints, layout };
}

/**
 * A VPC over N availability zones with, per zone, a public, a private (app) and a database subnet.
 *
 * Public subnets route to an internet gateway; private subnets route to a NAT gateway (per zone, one
 * shared, or none); database subnets have no route out of the VPC at all. The default security group
 * is adopted and emptied, so nothing can fall back on it. VPC flow logs go to CloudWatch Logs through a
 * role that may write only to that log group.
 */
export class Network extends pulumi.ComponentResource {
    public readonly vpc: aws.ec2.Vpc;
    public readonly vpcId: pulumi.Output<string>;
    public readonly vpcCidrBlock: pulumi.Output<string>;
    /** Zone of each zone index, in order (the same index as the subnet arrays). */
    public readonly availabilityZones: pulumi.Output<string>[];
    public readonly publicSubnets: aws.ec2.Subnet[];
    public readonly privateSubnets: aws.ec2.Subnet[];
    public readonly databaseSubnets: aws.ec2.Subnet[];
    public readonly publicSubnetIds: pulumi.Output<string>[];
    public readonly privateSubnetIds: pulumi.Output<string>[];
    public readonly databaseSubnetIds: pulumi.Output<string>[];
    public readonly natGateways: aws.ec2.NatGateway[];
    public readonly natStrategy: NatStrategy;
    public readonly ipv6Enabled: boolean;
    public readonly flowLogGroupName: pulumi.Output<string>;
    /** Route tables of the private subnets, one per zone. */
    public readonly privateRouteTableIds: pulumi.Output<string>[];
    /** Interface endpoints by short service name (empty unless `interfaceEndpoints` asks for some). */
    public readonly interfaceEndpointIds: Record<string, pulumi.Output<string>>;
    /**
     * What "the private subnets have egress" means: every private route-table association, every
     * private default route to a NAT gateway (and the NAT gateways), the S3 gateway endpoint (Amazon
     * Linux's repositories) and the interface endpoints. Workloads that bootstrap from the network on
     * first boot (the web fleet's `dnf install`) pass these as `dependsOn`, so no instance launches
     * before its subnet has a route out.
     */
    public readonly egressReady: pulumi.Resource[];

    constructor(name: string, args: NetworkArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        // Validate before registering anything, the component included.
        const { cidrBlock, zoneCount, natStrategy, enableIpv6, retentionDays, tags, interfaceEndpoints, layout } = resolveNetworkArgs(name, args);
        super("web-infra:network:Network", name, {}, opts);

        const parent = { parent: this };
        this.natStrategy = natStrategy;
        this.ipv6Enabled = enableIpv6;

        // ---- zones ----
        if (args.availabilityZones) {
            this.availabilityZones = args.availabilityZones.map((z) => pulumi.output(z));
        } else {
            const found = aws.getAvailabilityZonesOutput(ZONE_QUERY, parent).names.apply((names) => {
                if (names.length < zoneCount) {
                    throw new Error(`Network ${name}: \`availabilityZoneCount\` is ${zoneCount} but the region has only ${names.length} zones without opt-in (${names.join(", ")})`);
                }
                return names;
            });
            this.availabilityZones = Array.from({ length: zoneCount }, (_, i) => found.apply((names) => names[i]));
        }

        // ---- VPC ----
        this.vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock,
                enableDnsSupport: true,
                // Needed for RDS endpoints, private hosted zones and SSM/interface endpoints to resolve.
                enableDnsHostnames: true,
                assignGeneratedIpv6CidrBlock: enableIpv6,
                tags: { ...tags, Name: `${name}-vpc` },
            },
            parent,
        );
        this.vpcId = this.vpc.id;
        this.vpcCidrBlock = this.vpc.cidrBlock;

        // Adopting the default SG with no rules removes the allow-all-from-itself and allow-all-out
        // rules AWS puts there, so a resource launched without an explicit SG is isolated.
        new aws.ec2.DefaultSecurityGroup(
            `${name}-default-sg`,
            { vpcId: this.vpc.id, ingress: [], egress: [], tags: { ...tags, Name: `${name}-default-sg (no rules)` } },
            parent,
        );

        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: this.vpc.id, tags: { ...tags, Name: `${name}-igw` } }, parent);

        // ---- subnets ----
        const subnet = (tier: "public" | "private" | "database", i: number, extra: Partial<aws.ec2.SubnetArgs> = {}) =>
            new aws.ec2.Subnet(
                `${name}-${tier}-${i + 1}`,
                {
                    vpcId: this.vpc.id,
                    cidrBlock: layout[tier][i],
                    availabilityZone: this.availabilityZones[i],
                    // Nothing gets a public IP by accident, not even in public subnets: the ALB and NAT
                    // gateways bring their own addresses.
                    mapPublicIpOnLaunch: false,
                    ...extra,
                    tags: { ...tags, Name: `${name}-${tier}-${i + 1}`, Tier: tier },
                },
                parent,
            );
        const zones = Array.from({ length: zoneCount }, (_, i) => i);
        this.publicSubnets = zones.map((i) =>
            subnet(
                "public",
                i,
                enableIpv6
                    ? { ipv6CidrBlock: this.vpc.ipv6CidrBlock.apply((c) => ipv6Subnet64(c, i)), assignIpv6AddressOnCreation: false }
                    : {},
            ),
        );
        this.privateSubnets = zones.map((i) => subnet("private", i));
        this.databaseSubnets = zones.map((i) => subnet("database", i));
        this.publicSubnetIds = this.publicSubnets.map((s) => s.id);
        this.privateSubnetIds = this.privateSubnets.map((s) => s.id);
        this.databaseSubnetIds = this.databaseSubnets.map((s) => s.id);

        // ---- public routing: everything to the internet gateway ----
        const publicRt = new aws.ec2.RouteTable(`${name}-public-rt`, { vpcId: this.vpc.id, tags: { ...tags, Name: `${name}-public-rt` } }, parent);
        // Part of "egress ready" too: a NAT gateway forwards to the internet only through its public
        // subnet's default route.
        const publicEgress: pulumi.Resource[] = [
            new aws.ec2.Route(`${name}-public-default-route`, { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, parent),
        ];
        if (enableIpv6) {
            new aws.ec2.Route(`${name}-public-default-route-ipv6`, { routeTableId: publicRt.id, destinationIpv6CidrBlock: "::/0", gatewayId: igw.id }, parent);
        }
        this.publicSubnets.forEach((s, i) =>
            publicEgress.push(new aws.ec2.RouteTableAssociation(`${name}-public-rta-${i + 1}`, { subnetId: s.id, routeTableId: publicRt.id }, parent)),
        );

        // ---- NAT gateways ----
        const natZones = natStrategy === "perAz" ? zones : natStrategy === "single" ? [0] : [];
        this.natGateways = natZones.map((i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-eip-${i + 1}`, { domain: "vpc", tags: { ...tags, Name: `${name}-nat-eip-${i + 1}` } }, parent);
            return new aws.ec2.NatGateway(
                `${name}-nat-${i + 1}`,
                { allocationId: eip.id, subnetId: this.publicSubnets[i].id, connectivityType: "public", tags: { ...tags, Name: `${name}-nat-${i + 1}` } },
                // A NAT gateway needs the internet gateway attached before it can come up.
                { parent: this, dependsOn: [igw] },
            );
        });

        // ---- private routing: one table per zone, default route to its NAT (if any) ----
        const egress: pulumi.Resource[] = [...this.natGateways, ...(this.natGateways.length > 0 ? publicEgress : [])];
        this.privateRouteTableIds = zones.map((i) => {
            const rt = new aws.ec2.RouteTable(`${name}-private-rt-${i + 1}`, { vpcId: this.vpc.id, tags: { ...tags, Name: `${name}-private-rt-${i + 1}` } }, parent);
            const nat = natStrategy === "perAz" ? this.natGateways[i] : this.natGateways[0];
            if (nat) {
                egress.push(
                    new aws.ec2.Route(`${name}-private-default-route-${i + 1}`, { routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id }, parent),
                );
            }
            egress.push(new aws.ec2.RouteTableAssociation(`${name}-private-rta-${i + 1}`, { subnetId: this.privateSubnets[i].id, routeTableId: rt.id }, parent));
            return rt.id;
        });

        // ---- database routing: a table with only the implicit local route ----
        // An explicit table (not the VPC's main table) so that a route later added to the main table can
        // never give the database subnets a way out.
        const dbRt = new aws.ec2.RouteTable(`${name}-database-rt`, { vpcId: this.vpc.id, tags: { ...tags, Name: `${name}-database-rt` } }, parent);
        this.databaseSubnets.forEach((s, i) =>
            new aws.ec2.RouteTableAssociation(`${name}-database-rta-${i + 1}`, { subnetId: s.id, routeTableId: dbRt.id }, parent),
        );

        // ---- VPC endpoints ----
        const region = aws.getRegionOutput({}, parent);
        // Gateway endpoints are free. Amazon Linux's package repositories live in S3, so with this the
        // servers can bootstrap even with natStrategy `none`, and S3 traffic never pays NAT data charges.
        const s3Endpoint = new aws.ec2.VpcEndpoint(
            `${name}-s3-endpoint`,
            {
                vpcId: this.vpc.id,
                serviceName: pulumi.interpolate`com.amazonaws.${region.region}.s3`,
                vpcEndpointType: "Gateway",
                routeTableIds: this.privateRouteTableIds,
                tags: { ...tags, Name: `${name}-s3-endpoint` },
            },
            parent,
        );
        egress.push(s3Endpoint);
        this.interfaceEndpointIds = {};
        if (interfaceEndpoints.length > 0) {
            const endpointSg = new aws.ec2.SecurityGroup(
                `${name}-endpoints-sg`,
                { vpcId: this.vpc.id, description: `Interface VPC endpoints of ${name}: HTTPS from inside the VPC`, tags: { ...tags, Name: `${name}-endpoints-sg` } },
                parent,
            );
            // A CIDR rule on purpose: an endpoint serves every workload in the VPC, whatever its group.
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-endpoints-https-from-vpc`,
                {
                    securityGroupId: endpointSg.id,
                    description: "Any workload in the VPC calls AWS APIs (SSM, Secrets Manager, CloudWatch) over HTTPS through the endpoints",
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    cidrIpv4: this.vpc.cidrBlock,
                },
                parent,
            );
            for (const service of interfaceEndpoints) {
                const endpoint = new aws.ec2.VpcEndpoint(
                    `${name}-${service.replace(/\./g, "-")}-endpoint`,
                    {
                        vpcId: this.vpc.id,
                        serviceName: pulumi.interpolate`com.amazonaws.${region.region}.${service}`,
                        vpcEndpointType: "Interface",
                        // One ENI per zone, so losing a zone doesn't lose the endpoint.
                        subnetIds: this.privateSubnetIds,
                        securityGroupIds: [endpointSg.id],
                        privateDnsEnabled: true,
                        tags: { ...tags, Name: `${name}-${service}-endpoint` },
                    },
                    parent,
                );
                this.interfaceEndpointIds[service] = endpoint.id;
                egress.push(endpoint);
            }
        }
        this.egressReady = egress;

        // ---- flow logs ----
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { retentionInDays: retentionDays, tags: { ...tags, Name: `${name}-flow-logs` } },
            parent,
        );
        const caller = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);
        const flowLogRole = new aws.iam.Role(
            `${name}-flow-logs-role`,
            {
                description: `Lets VPC Flow Logs write ${name}'s flow log to its log group, nothing else`,
                assumeRolePolicy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            // Confused-deputy guard: only flow logs of this account may assume the role.
                            Condition: {
                                StringEquals: { "aws:SourceAccount": caller.accountId },
                                ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition.partition}:ec2:${region.region}:${caller.accountId}:vpc-flow-log/*` },
                            },
                        },
                    ],
                }),
                tags: { ...tags, Name: `${name}-flow-logs-role` },
            },
            parent,
        );
        new aws.iam.RolePolicy(
            `${name}-flow-logs-policy`,
            {
                role: flowLogRole.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:DescribeLogGroups"],
                            Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
                        },
                    ],
                }),
            },
            parent,
        );
        new aws.ec2.FlowLog(
            `${name}-flow-log`,
            {
                vpcId: this.vpc.id,
                trafficType: args.flowLogTrafficType ?? "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: flowLogRole.arn,
                // 1-minute aggregation: during an incident, 10-minute-old flow data is too late.
                maxAggregationInterval: 60,
                tags: { ...tags, Name: `${name}-flow-log` },
            },
            parent,
        );
        this.flowLogGroupName = logGroup.name;

        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            databaseSubnetIds: this.databaseSubnetIds,
            natGatewayIds: this.natGateways.map((n) => n.id),
            flowLogGroupName: this.flowLogGroupName,
        });
    }
}
