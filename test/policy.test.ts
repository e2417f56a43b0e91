/**
 * Every guardrail policy, outside the engine, with hand-built arguments: at least one resource (or
 * stack) that passes and one that fails, with the exact message, plus the edge cases that decide
 * whether our own design passes (egress is not ingress, the load balancer's group may face the
 * internet on 80/443, replicas inherit encryption, unknown ids during a preview). Last, the pack as
 * the Pulumi CLI runs it: policy/ loaded by run-policy-pack and asked over the analyzer protocol.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as path from "path";
import { ResourceValidationPolicy, StackValidationPolicy, unknownCheckingProxy } from "@pulumi/policy";
import { NotApplicable, ResourceRecord, evaluatePolicies, mandatoryViolations, resourceArgs, runResourcePolicy, runStackPolicy, stackArgs, toPolicyResources } from "../policy/evaluate";
import { TLS12_POLICY_PATTERNS, isTls12Policy, providerDefaultTags } from "../policy/lib";
import * as p from "../policy/policies";

// Sentinels the engine puts where a value is unknown during a preview (internal to @pulumi/policy).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownStringValue, unknownArrayValue } = require("@pulumi/policy/proxy");

const SG = "aws:ec2/securityGroup:SecurityGroup";
const DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const LB = "aws:lb/loadBalancer:LoadBalancer";
const LISTENER = "aws:lb/listener:Listener";
const LISTENER_RULE = "aws:lb/listenerRule:ListenerRule";
const CERT = "aws:acm/certificate:Certificate";
const WAF_ASSOC = "aws:wafv2/webAclAssociation:WebAclAssociation";
const RDS = "aws:rds/instance:Instance";
const EC2 = "aws:ec2/instance:Instance";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const ASG = "aws:autoscaling/group:Group";
const VOLUME = "aws:ebs/volume:Volume";
const SUBNET = "aws:ec2/subnet:Subnet";
const BUCKET = "aws:s3/bucket:Bucket";
const BPA = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const ACCOUNT_BPA = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";
const PROVIDER = "pulumi:providers:aws";

/** Violations of a resource policy for one resource named `r`, props seen through the engine's unknown-checking proxy. */
function check(policy: ResourceValidationPolicy, type: string, props: Record<string, any>, config: Record<string, unknown> = {}): Promise<string[]> {
    return runResourcePolicy(policy, resourceArgs({ type, props: unknownCheckingProxy(props), name: "r" }, config));
}

const urnOf = (type: string, name: string) => `urn:pulumi:test::web-infra::${type}::${name}`;

/** A recorded resource: `refs` maps an input to the resources it references (→ propertyDependencies). */
function rec(type: string, name: string, state: Record<string, any>, refs: Record<string, [string, string][]> = {}, extra: Partial<ResourceRecord> = {}): ResourceRecord {
    return {
        type,
        name,
        urn: urnOf(type, name),
        inputs: state,
        state,
        propertyDependencies: Object.fromEntries(Object.entries(refs).map(([k, targets]) => [k, targets.map(([t, n]) => urnOf(t, n))])),
        ...extra,
    };
}

/** Violations of a stack policy over these records (props through the unknown-checking proxy). */
async function checkStack(policy: StackValidationPolicy, records: ResourceRecord[], config: Record<string, unknown> = {}) {
    const resources = toPolicyResources(records).map((r) => Object.assign(r, { props: unknownCheckingProxy(r.props) }));
    return runStackPolicy(policy, stackArgs(resources, config));
}

// ---------------------------------------------------------------------------------------------------

describe("security-group-no-remote-admin-ports", () => {
    const policy = p.noRemoteAdminPorts;

    it.each([
        ["HTTPS from anywhere", INGRESS, { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }],
        ["the app port from the LB's group", INGRESS, { ipProtocol: "tcp", fromPort: 80, toPort: 80, referencedSecurityGroupId: "sg-lb" }],
        ["telnet's neighbour 23", INGRESS, { ipProtocol: "tcp", fromPort: 23, toPort: 23, cidrIpv4: "10.0.0.0/8" }],
        ["ICMP", INGRESS, { ipProtocol: "icmp", fromPort: -1, toPort: -1, cidrIpv4: "10.0.0.0/8" }],
        ["SSH as egress (not ingress)", SG_RULE, { type: "egress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
        ["a group with only egress", SG, { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] }],
        ["the emptied default group", DEFAULT_SG, { ingress: [], egress: [] }],
    ])("passes %s", async (_label, type, props) => {
        expect(await check(policy, type, props)).toEqual([]);
    });

    it.each([
        [
            "SSH from a private range",
            INGRESS,
            { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "10.0.0.0/8" },
            ["r admits tcp 22 from 10.0.0.0/8, which opens SSH (tcp/22). Remote administration goes through SSM Session Manager; narrow the rule to the ports the service needs."],
        ],
        [
            "all traffic from a security group",
            INGRESS,
            { ipProtocol: "-1", referencedSecurityGroupId: "sg-1" },
            ["r admits all traffic from a security group, which opens SSH (tcp/22) and RDP (tcp/3389) and RDP (udp/3389). Remote administration goes through SSM Session Manager; narrow the rule to the ports the service needs."],
        ],
        [
            "a port range over RDP (protocol number 6)",
            SG_RULE,
            { type: "ingress", protocol: "6", fromPort: 3000, toPort: 4000, cidrBlocks: ["192.168.0.0/16"] },
            ["r admits tcp 3000-4000 from 192.168.0.0/16, which opens RDP (tcp/3389). Remote administration goes through SSM Session Manager; narrow the rule to the ports the service needs."],
        ],
        [
            "RDP over UDP",
            INGRESS,
            { ipProtocol: "udp", fromPort: 3389, toPort: 3389, cidrIpv6: "::/0" },
            ["r admits udp 3389 from ::/0, which opens RDP (udp/3389). Remote administration goes through SSM Session Manager; narrow the rule to the ports the service needs."],
        ],
        [
            "inline all-traffic ingress from itself",
            SG,
            { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }] },
            ["r admits all traffic from itself, which opens SSH (tcp/22) and RDP (tcp/3389) and RDP (udp/3389). Remote administration goes through SSM Session Manager; narrow the rule to the ports the service needs."],
        ],
        [
            "inline SSH on the default group",
            DEFAULT_SG,
            { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] },
            ["r admits tcp 22 from 0.0.0.0/0, which opens SSH (tcp/22). Remote administration goes through SSM Session Manager; narrow the rule to the ports the service needs."],
        ],
    ])("fails %s", async (_label, type, props, messages) => {
        expect(await check(policy, type, props)).toEqual(messages);
    });

    it("marks other resource types not applicable", () => {
        const validate = policy.validateResource as (a: any, r: any) => void;
        expect(() => validate(resourceArgs({ type: BUCKET, props: {} }), () => undefined)).toThrow(NotApplicable);
    });
});

describe("security-group-no-public-ingress", () => {
    const policy = p.noPublicIngress;
    /** The intended design: the LB's group open on 80/443 (v4 and v6), the web group only from it, HTTPS egress anywhere. */
    const design = (lbProps: Record<string, any> = {}): ResourceRecord[] => [
        rec(SG, "lb-sg", { id: "sg-lb" }),
        rec(SG, "web-sg", { id: "sg-web" }),
        rec(LB, "alb", { loadBalancerType: "application", internal: false, securityGroups: ["sg-lb"], ...lbProps }, { securityGroups: [[SG, "lb-sg"]] }),
        ...[80, 443].flatMap((port) => [
            rec(INGRESS, `lb-${port}-v4`, { securityGroupId: "sg-lb", ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: "0.0.0.0/0" }, { securityGroupId: [[SG, "lb-sg"]] }),
            rec(INGRESS, `lb-${port}-v6`, { securityGroupId: "sg-lb", ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv6: "::/0" }, { securityGroupId: [[SG, "lb-sg"]] }),
        ]),
        rec(INGRESS, "web-from-lb", { securityGroupId: "sg-web", ipProtocol: "tcp", fromPort: 80, toPort: 80, referencedSecurityGroupId: "sg-lb" }, { securityGroupId: [[SG, "web-sg"]] }),
        rec(EGRESS, "web-egress-https", { securityGroupId: "sg-web", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }, { securityGroupId: [[SG, "web-sg"]] }),
    ];

    it("passes our design: 80/443 from the internet on the LB's group only, egress anywhere is not ingress", async () => {
        expect(await checkStack(policy, design())).toEqual([]);
    });

    it("passes during a preview, when new ids are unknown, by following property dependencies", async () => {
        const preview = design().map((r) => {
            const state = { ...r.state };
            if ("id" in state) state.id = unknownStringValue;
            if ("securityGroupId" in state) state.securityGroupId = unknownStringValue;
            if ("securityGroups" in state) state.securityGroups = unknownArrayValue;
            return { ...r, state, inputs: state };
        });
        expect(await checkStack(policy, preview)).toEqual([]);
    });

    it("links by value when the LB names an existing group by id", async () => {
        const records = design().map((r) => ({ ...r, propertyDependencies: {} }));
        expect(await checkStack(policy, records)).toEqual([]);
    });

    it("fails HTTPS from the internet straight to the web servers' group", async () => {
        const records = [
            ...design(),
            rec(INGRESS, "web-443-world", { securityGroupId: "sg-web", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }, { securityGroupId: [[SG, "web-sg"]] }),
        ];
        expect(await checkStack(policy, records)).toEqual([
            {
                message:
                    "web-443-world admits tcp 443 from 0.0.0.0/0: its security group is not an internet-facing load balancer's. Only the load balancer faces the internet: admit traffic from the load balancer's security group instead.",
                urn: urnOf(INGRESS, "web-443-world"),
            },
        ]);
    });

    it("leaves every other port from the internet to security-group-world-ingress-web-ports-only (checked on the rule itself)", async () => {
        const records = [
            ...design(),
            rec(INGRESS, "lb-8080", { securityGroupId: "sg-lb", ipProtocol: "tcp", fromPort: 8080, toPort: 8080, cidrIpv4: "0.0.0.0/0" }, { securityGroupId: [[SG, "lb-sg"]] }),
            rec(INGRESS, "lb-80-443", { securityGroupId: "sg-lb", ipProtocol: "tcp", fromPort: 80, toPort: 443, cidrIpv4: "0.0.0.0/0" }, { securityGroupId: [[SG, "lb-sg"]] }),
        ];
        expect(await checkStack(policy, records)).toEqual([]);
        expect(await check(p.worldIngressWebPortsOnly, INGRESS, records[records.length - 2].inputs)).toHaveLength(1);
        expect(await check(p.worldIngressWebPortsOnly, INGRESS, records[records.length - 1].inputs)).toHaveLength(1);
    });

    it("fails 443 from the internet on an internal load balancer's group", async () => {
        const violations = await checkStack(policy, design({ internal: true }));
        expect(violations.map((v) => v.urn)).toEqual(["lb-80-v4", "lb-80-v6", "lb-443-v4", "lb-443-v6"].map((n) => urnOf(INGRESS, n)));
    });

    it("fails inline ingress and legacy rules from the internet, and rules whose group it cannot identify", async () => {
        const records = [
            rec(SG, "inline", { id: "sg-inline", ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }),
            rec(SG_RULE, "legacy", { type: "ingress", securityGroupId: "sg-elsewhere", protocol: "6", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["::/0"] }),
        ];
        expect((await checkStack(policy, records)).map((v) => v.message)).toEqual([
            "inline admits tcp 443 from 0.0.0.0/0: its security group is not an internet-facing load balancer's. Only the load balancer faces the internet: admit traffic from the load balancer's security group instead.",
            "legacy admits tcp 443 from ::/0: its security group is not an internet-facing load balancer's. Only the load balancer faces the internet: admit traffic from the load balancer's security group instead.",
        ]);
    });

    it("counts the /1 halves of the address space as the internet (0.0.0.0/1 + 128.0.0.0/1 = 0.0.0.0/0), IPv6 too", async () => {
        const halves = ["0.0.0.0/1", "128.0.0.0/1"].map((cidr, i) =>
            rec(INGRESS, `web-443-half-${i}`, { securityGroupId: "sg-web", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: cidr }, { securityGroupId: [[SG, "web-sg"]] }),
        );
        const v6 = rec(INGRESS, "web-80-v6-half", { securityGroupId: "sg-web", ipProtocol: "tcp", fromPort: 80, toPort: 80, cidrIpv6: "8000::/1" }, { securityGroupId: [[SG, "web-sg"]] });
        expect((await checkStack(policy, [...design(), ...halves, v6])).map((v) => v.message.split(": its")[0])).toEqual([
            "web-443-half-0 admits tcp 443 from 0.0.0.0/1",
            "web-443-half-1 admits tcp 443 from 128.0.0.0/1",
            "web-80-v6-half admits tcp 80 from 8000::/1",
        ]);
        // Narrower ranges are not the whole internet (documented in docs/security.md).
        const narrow = rec(INGRESS, "web-443-quarter", { securityGroupId: "sg-web", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/2" }, { securityGroupId: [[SG, "web-sg"]] });
        expect(await checkStack(policy, [...design(), narrow])).toEqual([]);
    });

    it("does not resolve prefix lists: a rule from a prefix list is not treated as the internet (documented limitation)", async () => {
        const fromList = rec(INGRESS, "web-443-pl", { securityGroupId: "sg-web", ipProtocol: "tcp", fromPort: 443, toPort: 443, prefixListId: "pl-0123456789abcdef0" }, { securityGroupId: [[SG, "web-sg"]] });
        expect(await checkStack(policy, [...design(), fromList])).toEqual([]);
    });

    describe("the load balancer's group is the load balancer's alone", () => {
        const message = (name: string, type: string) =>
            `${name} (${type}) is in lb-sg, the security group of internet-facing load balancer alb, which may admit TCP 80/443 from the internet: give it a group of its own that admits traffic from the load balancer's group.`;

        it("passes instances, templates, databases and functions in their own groups", async () => {
            const records = [
                ...design(),
                rec(EC2, "web-1", { vpcSecurityGroupIds: ["sg-web"] }, { vpcSecurityGroupIds: [[SG, "web-sg"]] }),
                rec(LT, "web-lt", { vpcSecurityGroupIds: ["sg-web"] }),
                rec(RDS, "db", { vpcSecurityGroupIds: ["sg-db"] }),
                rec("aws:lambda/function:Function", "failover", { vpcConfig: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-web"] } }),
            ];
            expect(await checkStack(policy, records)).toEqual([]);
        });

        it.each([
            ["an instance by vpcSecurityGroupIds (a known id)", EC2, { vpcSecurityGroupIds: ["sg-web", "sg-lb"] }, {}],
            ["an instance by dependency (a preview: the id is unknown)", EC2, { vpcSecurityGroupIds: unknownArrayValue }, { vpcSecurityGroupIds: [[SG, "lb-sg"]] as [string, string][] }],
            ["an instance by securityGroups", EC2, { securityGroups: ["sg-lb"] }, {}],
            ["a VPC endpoint by securityGroupIds", "aws:ec2/vpcEndpoint:VpcEndpoint", { securityGroupIds: ["sg-lb"] }, {}],
            ["a launch template's network interface", LT, { networkInterfaces: [{ securityGroups: ["sg-lb"] }] }, {}],
            ["a Lambda function's vpcConfig", "aws:lambda/function:Function", { vpcConfig: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-lb"] } }, {}],
        ])("fails %s", async (_label, type, props, refs) => {
            const user = rec(type, "user", props, refs);
            expect(await checkStack(policy, [...design(), user])).toEqual([{ message: message("user", type), urn: user.urn }]);
        });
    });
});

describe("security-group-world-ingress-web-ports-only", () => {
    const policy = p.worldIngressWebPortsOnly;
    const msg = (what: string, from: string) => `r admits ${what} from ${from}: only TCP 80 and 443 to the load balancer's security group may be open to the internet.`;

    it("is a resource policy: the engine runs it on the rule's inputs before creating it, in `pulumi up` without a preview too", () => {
        expect(policy.enforcementLevel).toBe("mandatory");
        expect(typeof policy.validateResource).toBe("function");
        expect(policy).not.toHaveProperty("validateStack");
    });

    it.each([
        ["HTTP from anywhere (v4)", INGRESS, { ipProtocol: "tcp", fromPort: 80, toPort: 80, cidrIpv4: "0.0.0.0/0" }],
        ["HTTPS from anywhere (v6, protocol number)", INGRESS, { ipProtocol: "6", fromPort: 443, toPort: 443, cidrIpv6: "::/0" }],
        ["any port from a private range", INGRESS, { ipProtocol: "-1", cidrIpv4: "10.0.0.0/8" }],
        ["any port from a security group", SG_RULE, { type: "ingress", protocol: "tcp", fromPort: 0, toPort: 65535, sourceSecurityGroupId: "sg-lb" }],
        ["all traffic to the world as egress (not ingress)", SG_RULE, { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
        ["inline 443 from anywhere", SG, { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }] }],
        ["a source not known yet (a preview)", INGRESS, { ipProtocol: "tcp", fromPort: 8080, toPort: 8080, cidrIpv4: unknownStringValue }],
    ])("passes %s", async (_label, type, props) => {
        expect(await check(policy, type, props)).toEqual([]);
    });

    it.each([
        ["another port", INGRESS, { ipProtocol: "tcp", fromPort: 8080, toPort: 8080, cidrIpv4: "0.0.0.0/0" }, [msg("tcp 8080", "0.0.0.0/0")]],
        ["a range spanning 80-443", INGRESS, { ipProtocol: "tcp", fromPort: 80, toPort: 443, cidrIpv6: "::/0" }, [msg("tcp 80-443", "::/0")]],
        ["UDP 443 (QUIC)", INGRESS, { ipProtocol: "udp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }, [msg("udp 443", "0.0.0.0/0")]],
        ["all traffic from half the internet", INGRESS, { ipProtocol: "-1", cidrIpv4: "128.0.0.0/1" }, [msg("all traffic", "128.0.0.0/1")]],
        ["a protocol not known yet (fails closed)", INGRESS, { ipProtocol: unknownStringValue, fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }, [msg("all traffic", "0.0.0.0/0")]],
        ["a legacy rule with both halves", SG_RULE, { type: "ingress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] }, [msg("tcp 22", "0.0.0.0/1, 128.0.0.0/1")]],
        [
            "inline ingress on the default group",
            DEFAULT_SG,
            { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }, { protocol: "tcp", fromPort: 3306, toPort: 3306, ipv6CidrBlocks: ["::/0"] }] },
            [msg("tcp 3306", "::/0")],
        ],
    ])("fails %s", async (_label, type, props, messages) => {
        expect(await check(policy, type, props)).toEqual(messages);
    });
});

// ---------------------------------------------------------------------------------------------------

describe("rds-storage-encrypted", () => {
    const policy = p.rdsStorageEncrypted;
    it("passes an encrypted primary and a replica that inherits", async () => {
        expect(await check(policy, RDS, { storageEncrypted: true, backupRetentionPeriod: 7 })).toEqual([]);
        expect(await check(policy, RDS, { replicateSourceDb: "db-primary" })).toEqual([]);
        expect(await check(policy, RDS, { replicateSourceDb: unknownStringValue })).toEqual([]);
    });
    it("fails an unencrypted primary and a replica that turns encryption off", async () => {
        expect(await check(policy, RDS, {})).toEqual([
            "r must set storageEncrypted: true. An unencrypted instance has unencrypted backups, snapshots and replicas, and can only be encrypted later by restoring a snapshot into a new instance.",
        ]);
        expect(await check(policy, RDS, { replicateSourceDb: "db-primary", storageEncrypted: false })).toEqual([
            "r is a read replica with storageEncrypted: false; leave it unset (a replica inherits its source's encryption) or true.",
        ]);
    });
});

describe("rds-not-publicly-accessible", () => {
    it("passes a private instance and fails a public one", async () => {
        expect(await check(p.rdsNotPublic, RDS, { publiclyAccessible: false })).toEqual([]);
        expect(await check(p.rdsNotPublic, RDS, {})).toEqual([]);
        expect(await check(p.rdsNotPublic, RDS, { publiclyAccessible: true })).toEqual([
            "r sets publiclyAccessible: true, which gives it a public DNS name and address; databases are reached only from the web tier's security group.",
        ]);
    });
});

describe("rds-backup-retention", () => {
    const policy = p.rdsBackupRetention;
    it("passes 7 days or more, and does not apply to replicas", async () => {
        expect(await check(policy, RDS, { backupRetentionPeriod: 7 })).toEqual([]);
        expect(await check(policy, RDS, { backupRetentionPeriod: 35 })).toEqual([]);
        expect(await check(policy, RDS, { replicateSourceDb: "db-primary" })).toEqual([]);
    });
    it("fails fewer days, or none set", async () => {
        expect(await check(policy, RDS, { backupRetentionPeriod: 1 })).toEqual([
            "r keeps automated backups 1 days; set backupRetentionPeriod to at least 7 (point-in-time recovery, and read replicas need backups on).",
        ]);
        expect(await check(policy, RDS, {})).toEqual([
            "r keeps automated backups for an unset number of days; set backupRetentionPeriod to at least 7 (point-in-time recovery, and read replicas need backups on).",
        ]);
    });
    it("takes the minimum from the policy config", async () => {
        expect(await check(policy, RDS, { backupRetentionPeriod: 7 }, { minimumDays: 14 })).toHaveLength(1);
    });
});

describe("RDS DB clusters (Multi-AZ DB cluster guardrails)", () => {
    const CLUSTER = "aws:rds/cluster:Cluster";
    const good = { engine: "mysql", dbClusterInstanceClass: "db.c6gd.medium", storageEncrypted: true, backupRetentionPeriod: 7, deletionProtection: true, skipFinalSnapshot: false };
    /** Policy args for a cluster whose provider carries these default tags. */
    const clusterArgs = (props: Record<string, any>, environment: string) =>
        resourceArgs({
            type: CLUSTER,
            props: unknownCheckingProxy(props),
            name: "c",
            provider: { type: PROVIDER, name: "aws", urn: urnOf(PROVIDER, "aws"), props: unknownCheckingProxy({ defaultTags: JSON.stringify({ tags: { Environment: environment } }) }) },
        });

    it("encrypted: passes storageEncrypted true, fails anything else", async () => {
        expect(await check(p.rdsStorageEncrypted, CLUSTER, good)).toEqual([]);
        expect(await check(p.rdsStorageEncrypted, CLUSTER, { ...good, storageEncrypted: false })).toEqual([
            "r must set storageEncrypted: true. A DB cluster's encryption is fixed at creation: an unencrypted one can only be encrypted by restoring a snapshot into a new cluster.",
        ]);
    });

    it("backups: passes 7 days or more, fails fewer", async () => {
        expect(await check(p.rdsBackupRetention, CLUSTER, good)).toEqual([]);
        expect(await check(p.rdsBackupRetention, CLUSTER, { ...good, backupRetentionPeriod: 1 })).toEqual([
            "r keeps automated backups 1 days; set backupRetentionPeriod to at least 7 (point-in-time recovery, and read replicas need backups on).",
        ]);
    });

    it("not public: passes without publiclyAccessible (the provider has none for clusters) or false, fails true", async () => {
        expect(await check(p.rdsNotPublic, CLUSTER, good)).toEqual([]);
        expect(await check(p.rdsNotPublic, CLUSTER, { ...good, publiclyAccessible: true })).toHaveLength(1);
    });

    it("deletion protection in production: passes when set, fails without it or with skipFinalSnapshot; not applicable outside production", async () => {
        const policy = p.rdsDeletionProtectionInProduction;
        expect(await runResourcePolicy(policy, clusterArgs(good, "production"))).toEqual([]);
        expect(await runResourcePolicy(policy, clusterArgs({ ...good, deletionProtection: false, skipFinalSnapshot: true }, "production"))).toEqual([
            "c is in production and must set deletionProtection: true: a stray delete (a replaced resource, a destroyed stack) would take the database with it.",
            "c is in production and sets skipFinalSnapshot: true; keep a final snapshot (skipFinalSnapshot: false with a finalSnapshotIdentifier).",
        ]);
        expect(await runResourcePolicy(policy, clusterArgs({ ...good, deletionProtection: false }, "development"))).toEqual([]);
        // Read replicas are out of scope: they must stay replaceable.
        expect(await check(policy, RDS, { replicateSourceDb: "db-primary", deletionProtection: false }, {})).toEqual([]);
    });
});

// ---------------------------------------------------------------------------------------------------

describe("ebs-volumes-encrypted", () => {
    const policy = p.ebsEncrypted;
    it("passes encrypted root, data, standalone and launch-template volumes", async () => {
        expect(await check(policy, EC2, { rootBlockDevice: { encrypted: true, volumeType: "gp3" }, ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true }] })).toEqual([]);
        expect(await check(policy, VOLUME, { encrypted: true, size: 10 })).toEqual([]);
        expect(await check(policy, LT, { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }] })).toEqual([]);
    });
    it("fails an unencrypted or undeclared root volume, data volume, standalone volume or mapping", async () => {
        expect(await check(policy, EC2, {})).toEqual([
            "r declares no rootBlockDevice, so its root volume is encrypted only if the AMI's snapshot or the account's EBS default says so; declare rootBlockDevice with encrypted: true.",
        ]);
        expect(await check(policy, EC2, { rootBlockDevice: { encrypted: false }, ebsBlockDevices: [{ deviceName: "/dev/sdf" }] })).toEqual([
            "r must set rootBlockDevice.encrypted: true.",
            "r must set ebsBlockDevices[0] (/dev/sdf).encrypted: true.",
        ]);
        expect(await check(policy, VOLUME, { size: 10 })).toEqual(["r must set encrypted: true."]);
        expect(await check(policy, LT, { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] })).toEqual([
            'r must set blockDeviceMappings[0] (/dev/xvda).ebs.encrypted: "true".',
        ]);
        expect(await check(policy, LT, { imageId: "ami-1" })).toEqual([
            'r declares no blockDeviceMappings with ebs, so the root volume of every instance it launches is encrypted only if the AMI\'s snapshot or the account\'s EBS default says so; map the root device with ebs.encrypted: "true".',
        ]);
    });
});

describe("ec2-imdsv2-required", () => {
    const policy = p.imdsv2Required;
    it("passes required tokens, or no metadata service at all", async () => {
        expect(await check(policy, EC2, { metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 } })).toEqual([]);
        expect(await check(policy, LT, { metadataOptions: { httpEndpoint: "disabled" } })).toEqual([]);
    });
    it("fails optional or unset tokens", async () => {
        const message =
            'r must set metadataOptions.httpTokens: "required" (IMDSv2). With IMDSv1 a server-side request forgery in the app can read the instance role\'s credentials from 169.254.169.254.';
        expect(await check(policy, EC2, { metadataOptions: { httpTokens: "optional" } })).toEqual([message]);
        expect(await check(policy, EC2, {})).toEqual([message]);
        expect(await check(policy, LT, {})).toEqual([message]);
    });
});

describe("ec2-no-public-ip", () => {
    const policy = p.noPublicIp;
    it("passes instances, templates and subnets that hand out no public address", async () => {
        expect(await check(policy, EC2, { associatePublicIpAddress: false })).toEqual([]);
        expect(await check(policy, EC2, {})).toEqual([]);
        expect(await check(policy, LT, { networkInterfaces: [{ associatePublicIpAddress: "false" }] })).toEqual([]);
        expect(await check(policy, SUBNET, { mapPublicIpOnLaunch: false, assignIpv6AddressOnCreation: false })).toEqual([]);
    });
    it("fails a public IP asked for, by template, or assigned by the subnet", async () => {
        expect(await check(policy, EC2, { associatePublicIpAddress: true })).toEqual([
            "r sets associatePublicIpAddress: true; servers sit in private subnets behind the load balancer and reach out through NAT.",
        ]);
        expect(await check(policy, LT, { networkInterfaces: [{ associatePublicIpAddress: "true" }] })).toEqual([
            "r sets networkInterfaces[0].associatePublicIpAddress; instances get no public IP.",
        ]);
        expect(await check(policy, SUBNET, { mapPublicIpOnLaunch: true, assignIpv6AddressOnCreation: true })).toEqual([
            "r sets mapPublicIpOnLaunch: true, which gives every instance launched in it a public IPv4 address; set it to false (the load balancer and NAT gateways bring their own).",
            "r sets assignIpv6AddressOnCreation: true, which gives every instance launched in it a globally routable IPv6 address; set it to false.",
        ]);
    });

    const EIP = "aws:ec2/eip:Eip";
    const EIP_ASSOC = "aws:ec2/eipAssociation:EipAssociation";
    it("passes a NAT gateway's Elastic IP (neither instance nor network interface: the NAT gateway takes the allocation id)", async () => {
        expect(await check(policy, EIP, { domain: "vpc", tags: { Name: "nat-a" } })).toEqual([]);
        expect(await check(policy, EIP, { domain: "vpc", instance: "", networkInterface: "" })).toEqual([]);
    });
    it.each([
        ["an Elastic IP on an instance", EIP, { domain: "vpc", instance: "i-0123456789abcdef0" }, ["r attaches an Elastic IP to an instance (instance); servers get no public IP: they sit behind the load balancer and reach out through NAT."]],
        ["an Elastic IP on an instance created in the same preview", EIP, { domain: "vpc", instance: unknownStringValue }, ["r attaches an Elastic IP to an instance (instance); servers get no public IP: they sit behind the load balancer and reach out through NAT."]],
        ["an Elastic IP on a network interface", EIP, { domain: "vpc", networkInterface: "eni-0123456789abcdef0" }, ["r attaches an Elastic IP to a network interface (networkInterface); servers get no public IP: they sit behind the load balancer and reach out through NAT."]],
        ["an association with an instance", EIP_ASSOC, { allocationId: "eipalloc-1", instanceId: "i-0123456789abcdef0" }, ["r associates an Elastic IP with an instance (instanceId); servers get no public IP: they sit behind the load balancer and reach out through NAT."]],
        ["an association with a network interface", EIP_ASSOC, { allocationId: "eipalloc-1", networkInterfaceId: unknownStringValue }, ["r associates an Elastic IP with a network interface (networkInterfaceId); servers get no public IP: they sit behind the load balancer and reach out through NAT."]],
    ])("fails %s", async (_label, type, props, messages) => {
        expect(await check(policy, type, props)).toEqual(messages);
    });
});

// ---------------------------------------------------------------------------------------------------

describe("autoscaling-elb-health-check", () => {
    const policy = p.autoScalingElbHealthCheck;
    const message = (type: string) =>
        `r is attached to a target group but uses healthCheckType ${type}: the default EC2 health checks see only the instance's status checks, so a server whose web server fails stays in the group (out of rotation, never replaced) and an active-passive standby never takes over. Set healthCheckType: "ELB".`;
    it("passes a group behind a target group on ELB health checks, by targetGroupArns, trafficSources or ARNs unknown in a preview", async () => {
        expect(await check(policy, ASG, { targetGroupArns: ["arn:tg"], healthCheckType: "ELB", minSize: 2, maxSize: 4 })).toEqual([]);
        expect(await check(policy, ASG, { trafficSources: [{ identifier: "arn:tg", type: "elbv2" }], healthCheckType: "ELB" })).toEqual([]);
        expect(await check(policy, ASG, { targetGroupArns: unknownArrayValue, healthCheckType: "ELB" })).toEqual([]);
        expect(await check(policy, ASG, { trafficSources: [{ identifier: "arn:aws:vpc-lattice:us-east-1:1:targetgroup/tg-1", type: "vpc-lattice" }], healthCheckType: "VPC_LATTICE" })).toEqual([]);
    });
    it("does not apply to a group attached to nothing by its own inputs (a worker pool)", async () => {
        expect(await check(policy, ASG, { minSize: 1, maxSize: 2 })).toEqual([]);
        expect(await check(policy, ASG, { targetGroupArns: [], healthCheckType: "EC2" })).toEqual([]);
    });
    it("fails a group behind a target group on EC2 health checks, declared or by default", async () => {
        expect(await check(policy, ASG, { targetGroupArns: ["arn:tg"], healthCheckType: "EC2" })).toEqual([message("EC2")]);
        expect(await check(policy, ASG, { trafficSources: [{ identifier: "arn:tg" }] })).toEqual([message("EC2 (the default)")]);
        expect(await check(policy, ASG, { targetGroupArns: unknownArrayValue })).toEqual([message("EC2 (the default)")]);
    });
});

describe("autoscaling-attached-elb-health-check", () => {
    const policy = p.autoScalingAttachedElbHealthCheck;
    const group = (healthCheckType?: string) => rec(ASG, "web-asg", { name: "web-asg-1", ...(healthCheckType ? { healthCheckType } : {}) });
    const attachment = rec("aws:autoscaling/attachment:Attachment", "web-asg-tg", { autoscalingGroupName: "web-asg-1", lbTargetGroupArn: "arn:tg" }, { autoscalingGroupName: [[ASG, "web-asg"]] });
    it("passes a group attached by an aws.autoscaling.Attachment that uses ELB health checks", async () => {
        expect(await checkStack(policy, [group("ELB"), attachment])).toEqual([]);
    });
    it("fails one that keeps the default EC2 health checks", async () => {
        expect(await checkStack(policy, [group(), attachment])).toEqual([
            {
                message:
                    'web-asg is attached to a target group by web-asg-tg but uses healthCheckType EC2 (the default): the default EC2 health checks see only the instance\'s status checks, so a server whose web server fails stays in the group (out of rotation, never replaced) and an active-passive standby never takes over. Set healthCheckType: "ELB".',
                urn: urnOf(ASG, "web-asg"),
            },
        ]);
    });
});

describe("launch-template-tags-launched", () => {
    const policy = p.launchTemplateTags;
    const tags = { Project: "web-infra", Stack: "dev", Owner: "me", CostCenter: "cc", Name: "web-server" };
    it("passes a template whose instances and volumes carry the required tags", async () => {
        expect(await check(policy, LT, { tagSpecifications: [{ resourceType: "instance", tags }, { resourceType: "volume", tags }] })).toEqual([]);
        expect(await check(policy, LT, { tagSpecifications: [{ resourceType: "instance", tags: { Team: "web" } }, { resourceType: "volume", tags: { Team: "web" } }] }, { requiredTags: ["Team"] })).toEqual([]);
    });
    it("fails what it launches without them, whatever the template's own tags (the provider's default tags do not reach launched instances)", async () => {
        expect(await check(policy, LT, { tags, tagSpecifications: [{ resourceType: "instance", tags: { Name: "web-server" } }] })).toEqual([
            'r launches instances without the tags Project, Stack, Owner, CostCenter: add them to tagSpecifications (resourceType "instance"); the provider\'s default tags tag the template, not what it launches.',
            'r launches volumes without the tags Project, Stack, Owner, CostCenter: add them to tagSpecifications (resourceType "volume"); the provider\'s default tags tag the template, not what it launches.',
        ]);
    });
    it("required-tags leaves the Auto Scaling group to its template (provider default tags do not apply to a group)", async () => {
        expect(await check(p.requiredTags, ASG, { tags: [{ key: "Name", value: "web-asg", propagateAtLaunch: false }] })).toEqual([]);
    });
});

describe("alb-drop-invalid-header-fields", () => {
    const policy = p.albDropInvalidHeaders;
    it("passes an ALB that drops them, fails one that does not, ignores network load balancers", async () => {
        expect(await check(policy, LB, { loadBalancerType: "application", dropInvalidHeaderFields: true })).toEqual([]);
        expect(await check(policy, LB, {})).toEqual([
            "r must set dropInvalidHeaderFields: true: malformed header names are a request-smuggling and header-injection vector against the servers behind it.",
        ]);
        expect(await check(policy, LB, { loadBalancerType: "network" })).toEqual([]);
    });
});

describe("alb-access-logs-enabled", () => {
    const policy = p.albAccessLogs;
    const message = "r must set accessLogs: { enabled: true, bucket } (an AccessLogBucket): without them there is no record of who sent what, for incident response.";
    it("passes enabled logs with a bucket, even one whose name is not known yet", async () => {
        expect(await check(policy, LB, { accessLogs: { enabled: true, bucket: "logs-bucket-1234567", prefix: "alb" } })).toEqual([]);
        expect(await check(policy, LB, { accessLogs: { enabled: true, bucket: unknownStringValue } })).toEqual([]);
    });
    it.each([
        ["no access logs", {}],
        ["disabled", { accessLogs: { enabled: false, bucket: "logs" } }],
        ["a bucket but enabled left out (the provider's default is false)", { accessLogs: { bucket: "logs" } }],
        ["an empty bucket", { accessLogs: { enabled: true, bucket: "" } }],
    ])("fails %s", async (_label, props) => {
        expect(await check(policy, LB, props)).toEqual([message]);
    });
});

describe("alb-https-tls12-policy", () => {
    const policy = p.httpsTlsPolicy;
    it.each([
        "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
        "ELBSecurityPolicy-TLS-1-2-2017-01",
        "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
        "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    ])("passes %s", async (sslPolicy) => {
        expect(isTls12Policy(sslPolicy)).toBe(true);
        expect(await check(policy, LISTENER, { protocol: "HTTPS", port: 443, sslPolicy })).toEqual([]);
    });
    it.each([
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-TLS13-1-0-2021-06",
        "ELBSecurityPolicy-TLS13-1-1-2021-06",
        "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
        "ELBSecurityPolicy-TLS-1-1-2017-01",
        "ELBSecurityPolicy-FS-2018-06",
        "ELBSecurityPolicy-FS-1-1-2019-08",
    ])("fails %s (accepts TLS below 1.2)", async (sslPolicy) => {
        expect(await check(policy, LISTENER, { protocol: "HTTPS", port: 443, sslPolicy })).toEqual([
            `r uses sslPolicy ${sslPolicy}, which accepts TLS below 1.2; use ELBSecurityPolicy-TLS13-1-2-2021-06 or another TLS13-1-2/1-3, TLS-1-2 or FS-1-2 policy.`,
        ]);
    });
    it("fails an HTTPS listener that leaves the policy to AWS's default, ignores HTTP listeners", async () => {
        expect(await check(policy, LISTENER, { protocol: "HTTPS", port: 443 })).toEqual([
            "r uses no sslPolicy (AWS then applies ELBSecurityPolicy-2016-08, which accepts TLS 1.0); use ELBSecurityPolicy-TLS13-1-2-2021-06 or another TLS13-1-2/1-3, TLS-1-2 or FS-1-2 policy.",
        ]);
        expect(await check(policy, LISTENER, { protocol: "TLS", port: 443, sslPolicy: "ELBSecurityPolicy-2016-08" })).toHaveLength(1);
        expect(await check(policy, LISTENER, { protocol: "HTTP", port: 80 })).toEqual([]);
        expect(TLS12_POLICY_PATTERNS).toHaveLength(3);
    });
});

/** A load balancer with listeners; `https` adds a 443 listener, `http` is the port-80 default action. */
function lbStack(opts: { https?: boolean; http: Record<string, any>; internal?: boolean; certificate?: boolean; extra?: ResourceRecord[] }): ResourceRecord[] {
    const lbArn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/alb/1";
    return [
        rec(LB, "alb", { arn: lbArn, id: lbArn, loadBalancerType: "application", internal: opts.internal ?? false }),
        ...(opts.https
            ? [rec(LISTENER, "https", { loadBalancerArn: lbArn, protocol: "HTTPS", port: 443, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }, { loadBalancerArn: [[LB, "alb"]] })]
            : []),
        rec(LISTENER, "http", { arn: `${lbArn}/l80`, id: `${lbArn}/l80`, loadBalancerArn: lbArn, protocol: "HTTP", port: 80, defaultActions: [opts.http] }, { loadBalancerArn: [[LB, "alb"]] }),
        ...(opts.certificate ? [rec(CERT, "cert", { domainName: "www.example.com" })] : []),
        ...(opts.extra ?? []),
    ];
}
const REDIRECT = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };
const FORWARD = { type: "forward", targetGroupArn: "arn:tg" };

describe("alb-http-redirects-to-https", () => {
    const policy = p.httpRedirectsToHttps;
    it("passes HTTP redirected to the HTTPS listener, and an HTTP-only stack without a certificate", async () => {
        expect(await checkStack(policy, lbStack({ https: true, http: REDIRECT, certificate: true }))).toEqual([]);
        expect(await checkStack(policy, lbStack({ http: FORWARD }))).toEqual([]);
    });
    it("fails HTTP that forwards next to HTTPS", async () => {
        expect(await checkStack(policy, lbStack({ https: true, http: FORWARD }))).toEqual([
            {
                message: "http serves plain HTTP next to an HTTPS listener: its action is forward, not a redirect. Redirect HTTP to HTTPS (HTTP_301, port 443).",
                urn: urnOf(LISTENER, "http"),
            },
        ]);
    });
    it("fails a redirect that keeps the protocol or the port", async () => {
        const samePort = { type: "redirect", redirect: { protocol: "HTTPS", statusCode: "HTTP_301" } };
        const sameProtocol = { type: "redirect", redirect: { port: "443", statusCode: "HTTP_301" } };
        expect((await checkStack(policy, lbStack({ https: true, http: samePort }))).map((v) => v.message)).toEqual([
            "http serves plain HTTP next to an HTTPS listener: it redirects to port #{port} (the default: the HTTP port itself), not the HTTPS listener's 443. Redirect HTTP to HTTPS (HTTP_301, port 443).",
        ]);
        expect((await checkStack(policy, lbStack({ https: true, http: sameProtocol }))).map((v) => v.message)).toEqual([
            "http serves plain HTTP next to an HTTPS listener: it redirects to the same protocol (#{protocol}), not HTTPS. Redirect HTTP to HTTPS (HTTP_301, port 443).",
        ]);
    });
    it("fails a listener rule that forwards plain HTTP around the redirect", async () => {
        const rule = rec(LISTENER_RULE, "api-over-http", { listenerArn: "x", actions: [FORWARD] }, { listenerArn: [[LISTENER, "http"]] });
        expect(await checkStack(policy, lbStack({ https: true, http: REDIRECT, extra: [rule] }))).toEqual([
            { message: "api-over-http on HTTP listener http bypasses the HTTPS redirect: its action is forward, not a redirect.", urn: rule.urn },
        ]);
    });
    it("fails a stack that has a certificate (a domain) but no HTTPS listener", async () => {
        expect(await checkStack(policy, lbStack({ http: FORWARD, certificate: true }))).toEqual([
            { message: "alb has no HTTPS listener although the stack declares certificate cert: serve HTTPS on 443 and redirect HTTP to it.", urn: urnOf(LB, "alb") },
        ]);
    });
});

describe("alb-http-only (advisory)", () => {
    const policy = p.httpOnlyAdvisory;
    it("is advisory", () => expect(policy.enforcementLevel).toBe("advisory"));
    it("reports an internet-facing LB without HTTPS, not one with HTTPS or an internal one", async () => {
        expect(await checkStack(policy, lbStack({ http: FORWARD }))).toEqual([
            {
                message:
                    "alb serves the internet over plain HTTP only: requests, cookies and credentials cross the network in clear text. Configure `domain` (or `certificateArn`) to serve HTTPS.",
                urn: urnOf(LB, "alb"),
            },
        ]);
        expect(await checkStack(policy, lbStack({ https: true, http: REDIRECT }))).toEqual([]);
        expect(await checkStack(policy, lbStack({ http: FORWARD, internal: true }))).toEqual([]);
    });
});

describe("alb-waf-associated (advisory)", () => {
    const policy = p.wafAssociatedAdvisory;
    it("reports an internet-facing ALB without a web ACL, not one with", async () => {
        expect(policy.enforcementLevel).toBe("advisory");
        expect(await checkStack(policy, lbStack({ http: FORWARD }))).toEqual([
            { message: "alb faces the internet without a WAF web ACL (set `wafEnabled: true`).", urn: urnOf(LB, "alb") },
        ]);
        const association = rec(WAF_ASSOC, "waf-association", { resourceArn: unknownStringValue, webAclArn: "arn:acl" }, { resourceArn: [[LB, "alb"]] });
        expect(await checkStack(policy, lbStack({ http: FORWARD, extra: [association] }))).toEqual([]);
    });
});

// ---------------------------------------------------------------------------------------------------

describe("s3-block-public-access", () => {
    const policy = p.s3BlockPublicAccess;
    const allOn = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true };
    const bucket = rec(BUCKET, "logs", { id: "logs-1234567", bucket: "logs-1234567" });

    it("passes a bucket whose public access block has all four settings on (linked by dependency or by name)", async () => {
        expect(await checkStack(policy, [bucket, rec(BPA, "logs-bpa", { bucket: unknownStringValue, ...allOn }, { bucket: [[BUCKET, "logs"]] })])).toEqual([]);
        expect(await checkStack(policy, [bucket, rec(BPA, "logs-bpa", { bucket: "logs-1234567", ...allOn })])).toEqual([]);
    });
    it("passes any bucket when the account blocks public access", async () => {
        expect(await checkStack(policy, [bucket, rec(ACCOUNT_BPA, "account", allOn)])).toEqual([]);
    });
    it("fails a bucket without a block, or with a setting off", async () => {
        expect(await checkStack(policy, [bucket, rec(BPA, "other-bpa", { bucket: "other", ...allOn })])).toEqual([
            {
                message: "logs has no aws.s3.BucketPublicAccessBlock: add one with blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets all true.",
                urn: bucket.urn,
            },
        ]);
        expect(await checkStack(policy, [bucket, rec(BPA, "logs-bpa", { bucket: "logs-1234567", ...allOn, restrictPublicBuckets: false, blockPublicPolicy: undefined })])).toEqual([
            { message: "logs-bpa (public access block of logs) must set blockPublicPolicy, restrictPublicBuckets to true.", urn: urnOf(BPA, "logs-bpa") },
        ]);
        expect(await checkStack(policy, [bucket, rec(ACCOUNT_BPA, "account", { ...allOn, ignorePublicAcls: false })])).toHaveLength(1);
    });
});

// ---------------------------------------------------------------------------------------------------

describe("required-tags", () => {
    const policy = p.requiredTags;
    const tags = { Project: "web-infra", Stack: "dev", Environment: "development", Owner: "platform-team", CostCenter: "web-dev", ManagedBy: "pulumi" };
    const provider = (name: string, defaultTags: unknown) => rec(PROVIDER, name, { region: "us-east-1", defaultTags }, {}, { id: `${name}-id` });
    const withProvider = (r: ResourceRecord, providerName: string) => ({ ...r, provider: `${urnOf(PROVIDER, providerName)}::${providerName}-id` });
    /** The policy alone over records, each resource with its provider's inputs (as the engine's AnalyzeRequest has them). */
    const run = async (records: ResourceRecord[], config: Record<string, unknown> = {}) =>
        (await evaluatePolicies(records, { policies: [policy], config: { [policy.name]: config } })).map(({ message, urn }) => ({ message, urn }));

    it("is a resource policy: it sees the provider's inputs (args.provider) and stops `pulumi up` without a preview", () => {
        expect(typeof policy.validateResource).toBe("function");
        expect(policy).not.toHaveProperty("validateStack");
    });

    it("parses the provider's defaultTags as the Node SDK sends them (JSON) or as an object", () => {
        expect(providerDefaultTags({ defaultTags: JSON.stringify({ tags }) })).toEqual(tags);
        expect(providerDefaultTags({ defaultTags: { tags } })).toEqual(tags);
        expect(providerDefaultTags({ defaultTags: "not json" })).toEqual({});
        expect(providerDefaultTags({})).toEqual({});
    });

    it("passes resources tagged by the provider's default tags, by their own tags, and untaggable ones", async () => {
        const records = [
            provider("aws", JSON.stringify({ tags })),
            provider("bare", undefined),
            withProvider(rec("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16", tags: { Name: "vpc" } }), "aws"),
            withProvider(rec("aws:cloudwatch/logGroup:LogGroup", "untagged-group", { retentionInDays: 30 }), "aws"),
            withProvider(rec("aws:s3/bucket:Bucket", "own-tags", { tags: { Project: "p", Stack: "s", Owner: "o", CostCenter: "c" } }), "bare"),
            withProvider(rec("aws:ec2/route:Route", "route", { destinationCidrBlock: "0.0.0.0/0" }), "bare"),
            rec("web-infra:network:Network", "network", {}),
        ];
        expect(await run(records)).toEqual([]);
    });

    it("fails a taggable resource that would miss a required tag, naming the tags", async () => {
        const records = [
            provider("partial", JSON.stringify({ tags: { Project: "web-infra", Stack: "dev", Owner: " " } })),
            withProvider(rec("aws:cloudwatch/logGroup:LogGroup", "group", { retentionInDays: 30 }), "partial"),
            withProvider(rec("aws:ec2/vpc:Vpc", "vpc", { tags: { CostCenter: "web-dev" } }), "partial"),
            // No provider reference at all (a default provider the record does not describe): own tags only.
            rec("aws:sns/topic:Topic", "topic", { tags: { Project: "p", Stack: "s", Owner: "o" } }),
        ];
        expect(await run(records)).toEqual([
            {
                message:
                    "group (aws:cloudwatch/logGroup:LogGroup) would lack the tags Owner, CostCenter: set them in the AWS provider's defaultTags (infra/main.ts does, from the stack config) or in the resource's tags.",
                urn: urnOf("aws:cloudwatch/logGroup:LogGroup", "group"),
            },
            {
                message: "vpc (aws:ec2/vpc:Vpc) would lack the tag Owner: set them in the AWS provider's defaultTags (infra/main.ts does, from the stack config) or in the resource's tags.",
                urn: urnOf("aws:ec2/vpc:Vpc", "vpc"),
            },
            {
                message: "topic (aws:sns/topic:Topic) would lack the tag CostCenter: set them in the AWS provider's defaultTags (infra/main.ts does, from the stack config) or in the resource's tags.",
                urn: urnOf("aws:sns/topic:Topic", "topic"),
            },
        ]);
    });

    it("waits for the update when the resource's tags or the provider's default tags are not known yet (a preview)", async () => {
        const unknownProvider = { type: PROVIDER, name: "aws", urn: urnOf(PROVIDER, "aws"), props: unknownCheckingProxy({ defaultTags: unknownStringValue }) };
        const args = (props: Record<string, any>, withProvider = true) =>
            resourceArgs({ type: "aws:ec2/vpc:Vpc", props: unknownCheckingProxy(props), name: "vpc", ...(withProvider ? { provider: unknownProvider } : {}) });
        expect(await runResourcePolicy(policy, args({}))).toEqual([]);
        expect(await runResourcePolicy(policy, args({ tags: unknownStringValue }, false))).toEqual([]);
        expect(await runResourcePolicy(policy, args({}, false))).toHaveLength(1);
    });

    it("takes the required keys from the policy config", async () => {
        const records = [provider("aws", JSON.stringify({ tags })), withProvider(rec("aws:ec2/vpc:Vpc", "vpc", {}), "aws")];
        expect(await run(records)).toEqual([]);
        expect(await run(records, { requiredTags: ["DataClassification"] })).toHaveLength(1);
    });
});

// ---------------------------------------------------------------------------------------------------

describe("the pack as a whole", () => {
    it("has unique names, a description and an enforcement level for every policy", () => {
        const names = p.policies.map((x) => x.name);
        expect(new Set(names).size).toBe(names.length);
        expect(names).not.toContain("all");
        for (const x of p.policies) {
            expect(x.description.length).toBeGreaterThan(10);
            expect(["mandatory", "advisory"]).toContain(x.enforcementLevel);
        }
        expect(p.policies.filter((x) => x.enforcementLevel === "advisory").map((x) => x.name)).toEqual(["alb-http-only", "alb-waf-associated"]);
    });

    it("keeps as stack policies only what links resources together: everything else stops `pulumi up` by itself, before the resource exists", () => {
        // The engine runs stack policies after the last step of an update; without a preview first
        // (Automation API, --skip-preview) they report what already exists.
        expect(p.policies.filter((x) => "validateStack" in x).map((x) => x.name)).toEqual([
            "security-group-no-public-ingress",
            "autoscaling-attached-elb-health-check",
            "alb-http-redirects-to-https",
            "alb-http-only",
            "alb-waf-associated",
            "s3-block-public-access",
        ]);
    });

    it("evaluatePolicies runs resource policies on inputs and stack policies on outputs, and honours config levels", async () => {
        const tags = { Project: "web-infra", Stack: "test", Owner: "me", CostCenter: "cc" };
        const records = [rec(RDS, "db", { publiclyAccessible: true, storageEncrypted: true, backupRetentionPeriod: 7, tags })];
        expect(await evaluatePolicies(records)).toEqual([
            {
                policy: "rds-not-publicly-accessible",
                enforcementLevel: "mandatory",
                message: "db sets publiclyAccessible: true, which gives it a public DNS name and address; databases are reached only from the web tier's security group.",
                urn: urnOf(RDS, "db"),
            },
        ]);
        const advisory = await evaluatePolicies(records, { config: { "rds-not-publicly-accessible": { enforcementLevel: "advisory" } } });
        expect(mandatoryViolations(advisory)).toEqual([]);
        expect(await evaluatePolicies(records, { config: { "rds-not-publicly-accessible": { enforcementLevel: "disabled" } } })).toEqual([]);
        // The stack policies see the same records: untagged, the instance fails required-tags too.
        const untagged = [rec(RDS, "db", { storageEncrypted: true, backupRetentionPeriod: 7 })];
        expect((await evaluatePolicies(untagged)).map((v) => v.policy)).toEqual(["required-tags"]);
    });
});

// ---------------------------------------------------------------------------------------------------

describe("the pack as the Pulumi CLI loads and runs it (policy/ under run-policy-pack, driven over the analyzer's gRPC protocol)", () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const grpc = require("@grpc/grpc-js");
    const { AnalyzerClient } = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
    const pb = require("@pulumi/pulumi/proto/analyzer_pb");
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
    const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const policyDir = path.resolve(__dirname, "..", "policy");
    let child: ChildProcess | undefined;
    let firstLine = "";
    let client: any;
    const call = <T>(method: string, request: unknown) =>
        new Promise<T>((resolve, reject) => client[method](request, (err: Error | null, response: T) => (err ? reject(err) : resolve(response))));

    beforeAll(async () => {
        // What the CLI's `pulumi-analyzer-policy` plugin does, with its working directory set to the pack:
        // resolve @pulumi/pulumi/cmd/run-policy-pack from there (here: the root's node_modules), run it
        // with node, engine address and pack directory as arguments. It compiles index.ts with Pulumi's
        // own ts-node and prints the port of its gRPC server on the first line of stdout.
        const script = spawnSync(process.execPath, ["-e", "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))"], { cwd: policyDir, encoding: "utf8" });
        expect(script.stderr).toBe("");
        child = spawn(process.execPath, [script.stdout.trim(), "127.0.0.1:1", "."], { cwd: policyDir, stdio: ["ignore", "pipe", "pipe"] });
        firstLine = await new Promise<string>((resolve, reject) => {
            let out = "";
            let err = "";
            child!.stdout!.on("data", (d) => {
                out += d;
                if (out.includes("\n")) resolve(out.split("\n")[0]);
            });
            child!.stderr!.on("data", (d) => (err += d));
            child!.on("exit", (code) => reject(new Error(`run-policy-pack exited (${code}) before printing a port:\n${err}`)));
        });
        client = new AnalyzerClient(`127.0.0.1:${firstLine.trim()}`, grpc.credentials.createInsecure());
    }, 30000);

    afterAll(() => {
        client?.close();
        if (child && child.exitCode === null) child.kill();
    });

    it("prints its port on the first line", () => {
        expect(firstLine).toMatch(/^\d{2,5}$/);
    });

    it("serves the pack: its name and every policy of policies.ts, with its enforcement level", async () => {
        const info = await call<any>("getAnalyzerInfo", new Empty());
        expect(info.getName()).toBe("web-infra-guardrails");
        const levels: Record<string, number> = { advisory: pb.EnforcementLevel.ADVISORY, mandatory: pb.EnforcementLevel.MANDATORY };
        expect(info.getPoliciesList().map((x: any) => [x.getName(), x.getEnforcementlevel()])).toEqual(p.policies.map((x) => [x.name, levels[x.enforcementLevel!]]));
    });

    it("refuses an SSH rule from the internet and a resource without the required tags at Analyze time, from the provider's inputs", async () => {
        const request = new pb.AnalyzeRequest();
        request.setType(INGRESS);
        request.setName("ssh");
        request.setUrn(urnOf(INGRESS, "ssh"));
        request.setProperties(Struct.fromJavaScript({ securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }));
        request.setOptions(new pb.AnalyzerResourceOptions());
        const provider = new pb.AnalyzerProviderResource();
        provider.setType(PROVIDER);
        provider.setName("aws");
        provider.setUrn(urnOf(PROVIDER, "aws"));
        provider.setProperties(Struct.fromJavaScript({ region: "us-east-1", defaultTags: JSON.stringify({ tags: { Project: "web-infra", Stack: "dev", Owner: "me" } }) }));
        request.setProvider(provider);
        const response = await call<any>("analyze", request);
        expect(response.getDiagnosticsList().map((d: any) => [d.getPolicyname(), d.getEnforcementlevel(), d.getMessage().split("\n")[1]])).toEqual([
            ["security-group-no-remote-admin-ports", pb.EnforcementLevel.MANDATORY, expect.stringMatching(/^ssh admits tcp 22 from 0\.0\.0\.0\/0, which opens SSH/)],
            ["security-group-world-ingress-web-ports-only", pb.EnforcementLevel.MANDATORY, "ssh admits tcp 22 from 0.0.0.0/0: only TCP 80 and 443 to the load balancer's security group may be open to the internet."],
            ["required-tags", pb.EnforcementLevel.MANDATORY, expect.stringMatching(/^ssh \(aws:vpc\/securityGroupIngressRule:SecurityGroupIngressRule\) would lack the tag CostCenter:/)],
        ]);
    });
});
