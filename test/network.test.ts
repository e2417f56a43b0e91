import { cidrContains, cidrsOverlap, ipv6Subnet64 } from "../components/lib/cidr";
import { RecordedResource, allInvokes, allResources, awaitOutput, resourceNamed, resourcesOf, settle, setupMocks } from "./mocks";

const SUBNET = "aws:ec2/subnet:Subnet";
const ROUTE = "aws:ec2/route:Route";
const RT = "aws:ec2/routeTable:RouteTable";
const RTA = "aws:ec2/routeTableAssociation:RouteTableAssociation";
const NAT = "aws:ec2/natGateway:NatGateway";

type NetworkModule = typeof import("../components/network");
let net: NetworkModule;
const built: Record<string, InstanceType<NetworkModule["Network"]>> = {};

beforeAll(async () => {
    await setupMocks({ config: { "aws:region": "us-east-1" } });
    net = await import("../components/network");
    const zones3 = ["us-east-1a", "us-east-1b", "us-east-1c"];
    built.single = new net.Network("single", { availabilityZones: zones3.slice(0, 2), natStrategy: "single", flowLogRetentionDays: 14 });
    built.peraz = new net.Network("peraz", { cidrBlock: "172.20.0.0/20", availabilityZones: zones3, natStrategy: "perAz" });
    built.none = new net.Network("none", { availabilityZones: zones3.slice(0, 2), natStrategy: "none", enableIpv6: false });
    built.lookup = new net.Network("lookup", { availabilityZoneCount: 3 });
    await awaitOutput(built.lookup.availabilityZones[2]);
    await settle();
});

/** Resources of `type` that belong to the network named `prefix`. */
const of = (type: string, prefix: string) => resourcesOf(type, new RegExp(`^${prefix}-`));
const byId = (type: string, id: string) => resourcesOf(type).find((r) => r.id === id);

/** The route table associated with a subnet. */
function routeTableOf(subnet: RecordedResource): RecordedResource {
    const assoc = resourcesOf(RTA).filter((a) => a.inputs.subnetId === subnet.id);
    expect(assoc).toHaveLength(1);
    return byId(RT, assoc[0].inputs.routeTableId)!;
}
const routesOf = (rt: RecordedResource) => resourcesOf(ROUTE).filter((r) => r.inputs.routeTableId === rt.id);

describe("VPC", () => {
    it("has the configured CIDR, DNS support and hostnames on", () => {
        expect(resourceNamed("aws:ec2/vpc:Vpc", "peraz-vpc").inputs).toMatchObject({ cidrBlock: "172.20.0.0/20", enableDnsSupport: true, enableDnsHostnames: true });
        expect(resourceNamed("aws:ec2/vpc:Vpc", "single-vpc").inputs.cidrBlock).toBe("10.0.0.0/16");
    });

    it("adopts the default security group with no rules at all", () => {
        const sg = resourceNamed("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "single-default-sg");
        expect(sg.inputs.vpcId).toBe(resourceNamed("aws:ec2/vpc:Vpc", "single-vpc").id);
        expect(sg.inputs.ingress).toEqual([]);
        expect(sg.inputs.egress).toEqual([]);
    });
});

describe("subnets", () => {
    it.each([
        ["single", 2, "10.0.0.0/16"],
        ["peraz", 3, "172.20.0.0/20"],
    ])("%s: a public, a private and a database subnet per zone, disjoint, inside the VPC", (name, zones, vpcCidr) => {
        const subnets = of(SUBNET, name);
        expect(subnets).toHaveLength(3 * zones);
        for (const tier of ["public", "private", "database"]) {
            const tierSubnets = subnets.filter((s) => s.inputs.tags.Tier === tier);
            expect(tierSubnets.map((s) => s.inputs.availabilityZone).sort()).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"].slice(0, zones));
        }
        const cidrs = subnets.map((s) => s.inputs.cidrBlock as string);
        for (const [i, a] of cidrs.entries()) {
            expect(cidrContains(vpcCidr, a)).toBe(true);
            for (const b of cidrs.slice(i + 1)) expect(cidrsOverlap(a, b)).toBe(false);
        }
    });

    it("no subnet hands out public IPs", () => {
        expect(resourcesOf(SUBNET).length).toBeGreaterThanOrEqual(24);
        for (const s of resourcesOf(SUBNET)) expect(s.inputs.mapPublicIpOnLaunch).toBe(false);
    });

    it("public subnets get an IPv6 /64 of the VPC's /56 when IPv6 is on, and none when off", () => {
        const vpc = resourceNamed("aws:ec2/vpc:Vpc", "single-vpc");
        expect(vpc.inputs.assignGeneratedIpv6CidrBlock).toBe(true);
        const v6 = of(SUBNET, "single-public").map((s) => s.inputs.ipv6CidrBlock);
        // The /64s are the first two of the /56 the VPC actually got (read back from the VPC's state).
        expect(v6).toEqual([0, 1].map((i) => ipv6Subnet64(vpc.state.ipv6CidrBlock, i)));
        expect(new Set(v6).size).toBe(2);
        for (const s of of(SUBNET, "single-private")) expect(s.inputs).not.toHaveProperty("ipv6CidrBlock");
        expect(resourceNamed("aws:ec2/vpc:Vpc", "none-vpc").inputs.assignGeneratedIpv6CidrBlock).toBe(false);
        for (const s of of(SUBNET, "none-public")) expect(s.inputs).not.toHaveProperty("ipv6CidrBlock");
    });

    it("zones are looked up with the availability-zones invoke (no opt-in zones, whatever their health) when not given", async () => {
        const call = allInvokes().find((i) => i.token === "aws:index/getAvailabilityZones:getAvailabilityZones");
        // No `state` filter: an impaired zone must not shift the list and move every subnet.
        expect(call?.inputs).toEqual({ filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] });
        expect(of(SUBNET, "lookup-private").map((s) => s.inputs.availabilityZone)).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
    });
});

describe("routing", () => {
    it("public subnets route 0.0.0.0/0 and ::/0 to the internet gateway", () => {
        const igw = resourceNamed("aws:ec2/internetGateway:InternetGateway", "single-igw");
        expect(of(SUBNET, "single-public")).toHaveLength(2);
        for (const s of of(SUBNET, "single-public")) {
            const routes = routesOf(routeTableOf(s));
            expect(routes.map((r) => [r.inputs.destinationCidrBlock ?? r.inputs.destinationIpv6CidrBlock, r.inputs.gatewayId])).toEqual([
                ["0.0.0.0/0", igw.id],
                ["::/0", igw.id],
            ]);
        }
    });

    it("single: one NAT gateway, in a public subnet, and every private route table points at it", () => {
        const nats = of(NAT, "single");
        expect(nats).toHaveLength(1);
        expect(of(SUBNET, "single-public").map((s) => s.id)).toContain(nats[0].inputs.subnetId);
        expect(nats[0].inputs.allocationId).toBe(resourceNamed("aws:ec2/eip:Eip", "single-nat-eip-1").id);
        const privates = of(SUBNET, "single-private");
        const tables = new Set(privates.map((s) => routeTableOf(s).id));
        expect(tables.size).toBe(2);
        for (const s of privates) {
            expect(routesOf(routeTableOf(s)).map((r) => [r.inputs.destinationCidrBlock, r.inputs.natGatewayId])).toEqual([["0.0.0.0/0", nats[0].id]]);
        }
    });

    it("perAz: one NAT per zone, and each private route table points at its own zone's NAT", () => {
        const nats = of(NAT, "peraz");
        expect(nats).toHaveLength(3);
        const publicZone = new Map(of(SUBNET, "peraz-public").map((s) => [s.id, s.inputs.availabilityZone]));
        expect(of(SUBNET, "peraz-private")).toHaveLength(3);
        for (const s of of(SUBNET, "peraz-private")) {
            const routes = routesOf(routeTableOf(s));
            expect(routes).toHaveLength(1);
            const nat = nats.find((n) => n.id === routes[0].inputs.natGatewayId)!;
            expect(publicZone.get(nat.inputs.subnetId)).toBe(s.inputs.availabilityZone);
        }
    });

    it("none: no NAT, no EIP and no default route from private subnets", () => {
        expect(of(NAT, "none")).toHaveLength(0);
        expect(of("aws:ec2/eip:Eip", "none")).toHaveLength(0);
        const privates = of(SUBNET, "none-private");
        expect(privates).toHaveLength(2);
        for (const s of privates) expect(routesOf(routeTableOf(s))).toEqual([]);
    });

    it.each(["single", "peraz", "none"])("%s: database subnets share a table with no route at all (only the implicit local one)", (name) => {
        const tables = new Set(of(SUBNET, `${name}-database`).map((s) => routeTableOf(s).id));
        expect(tables.size).toBe(1);
        const [dbRt] = [...tables].map((id) => byId(RT, id)!);
        expect(dbRt.name).toBe(`${name}-database-rt`);
        expect(routesOf(dbRt)).toEqual([]);
        // and nothing anywhere routes 0.0.0.0/0 through the database table
        expect(resourcesOf(ROUTE).filter((r) => r.inputs.routeTableId === dbRt.id && r.inputs.destinationCidrBlock === "0.0.0.0/0")).toEqual([]);
    });
});

describe("VPC endpoints", () => {
    it("an S3 gateway endpoint serves every private route table", () => {
        const ep = resourceNamed("aws:ec2/vpcEndpoint:VpcEndpoint", "peraz-s3-endpoint");
        expect(ep.inputs).toMatchObject({ serviceName: "com.amazonaws.us-east-1.s3", vpcEndpointType: "Gateway" });
        expect([...ep.inputs.routeTableIds].sort()).toEqual(of(SUBNET, "peraz-private").map((s) => routeTableOf(s).id).sort());
    });

    it("with NAT there are no interface endpoints; without NAT, SSM/Secrets Manager/CloudWatch endpoints in every private subnet", () => {
        expect(of("aws:ec2/vpcEndpoint:VpcEndpoint", "single").map((e) => e.name)).toEqual(["single-s3-endpoint"]);
        const iface = of("aws:ec2/vpcEndpoint:VpcEndpoint", "none").filter((e) => e.inputs.vpcEndpointType === "Interface");
        expect(iface.map((e) => e.inputs.serviceName).sort()).toEqual(
            ["ec2messages", "logs", "monitoring", "secretsmanager", "ssm", "ssmmessages"].map((s) => `com.amazonaws.us-east-1.${s}`),
        );
        const sg = resourceNamed("aws:ec2/securityGroup:SecurityGroup", "none-endpoints-sg");
        const privateIds = of(SUBNET, "none-private").map((s) => s.id);
        for (const e of iface) {
            expect(e.inputs.privateDnsEnabled).toBe(true);
            expect(e.inputs.subnetIds).toEqual(privateIds);
            expect(e.inputs.securityGroupIds).toEqual([sg.id]);
        }
        const rules = resourcesOf("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.securityGroupId === sg.id);
        expect(rules.map((r) => [r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4])).toEqual([[443, 443, "10.0.0.0/16"]]);
    });
});

describe("flow logs", () => {
    it("go to a log group with the configured retention, through a role scoped to that group", () => {
        const group = resourceNamed("aws:cloudwatch/logGroup:LogGroup", "single-flow-logs");
        expect(group.inputs.retentionInDays).toBe(14);
        expect(resourceNamed("aws:cloudwatch/logGroup:LogGroup", "peraz-flow-logs").inputs.retentionInDays).toBe(30);

        const role = resourceNamed("aws:iam/role:Role", "single-flow-logs-role");
        const flowLog = resourceNamed("aws:ec2/flowLog:FlowLog", "single-flow-log");
        expect(flowLog.inputs).toMatchObject({
            vpcId: resourceNamed("aws:ec2/vpc:Vpc", "single-vpc").id,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: group.state.arn,
            iamRoleArn: role.state.arn,
        });

        const trust = JSON.parse(role.inputs.assumeRolePolicy);
        expect(trust.Statement[0].Principal).toEqual({ Service: "vpc-flow-logs.amazonaws.com" });
        expect(trust.Statement[0].Condition.StringEquals["aws:SourceAccount"]).toBe("123456789012");

        const policy = JSON.parse(resourceNamed("aws:iam/rolePolicy:RolePolicy", "single-flow-logs-policy").inputs.policy);
        expect(resourceNamed("aws:iam/rolePolicy:RolePolicy", "single-flow-logs-policy").inputs.role).toBe(role.id);
        const resources = policy.Statement.flatMap((s: { Resource: string | string[] }) => s.Resource);
        expect(resources).toEqual([group.state.arn, `${group.state.arn}:*`]);
        expect(JSON.stringify(policy)).not.toContain('"*"');
    });
});

describe("argument validation, before any resource", () => {
    it.each<[Record<string, unknown>, string]>([
        [{ availabilityZones: ["us-east-1a"] }, "Network bad: `availabilityZoneCount` must be from 2 to 8 (got 1): one zone is a single point of failure"],
        [{ availabilityZoneCount: 9 }, "Network bad: `availabilityZoneCount` must be from 2 to 8 (got 9): one zone is a single point of failure"],
        [{ availabilityZones: ["us-east-1a", "us-east-1a"] }, "Network bad: `availabilityZones` must be distinct (got us-east-1a, us-east-1a)"],
        [{ natStrategy: "double" }, 'Network bad: `natStrategy` must be one of none, single, perAz (got "double")'],
        [{ flowLogRetentionDays: 2 }, "Network bad: `flowLogRetentionDays` must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 2)"],
        [{ cidrBlock: "10.0.0.0/12" }, 'Network bad: `cidrBlock` must have a prefix from /16 to /22 (got "10.0.0.0/12")'],
        [{ interfaceEndpoints: ["SSM!"] }, 'Network bad: `interfaceEndpoints` takes short service names such as ssm or logs (got "SSM!")'],
    ])("%j → %s", async (args, message) => {
        const before = allResources().length;
        expect(() => new net.Network("bad", args as never)).toThrow(message);
        await settle();
        // Nothing was registered: not a VPC, not even the component itself.
        expect(allResources()).toHaveLength(before);
    });
});
