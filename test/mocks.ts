/**
 * The one mock harness every test uses.
 *
 * - Runs the real program (or components) under `pulumi.runtime.setMocks`.
 * - Records every resource registration (type, name, inputs, parent, protect, ignoreChanges, which
 *   input paths were secret) and every invoke.
 * - Returns the computed outputs a real AWS provider returns for the types we use, in the real
 *   per-service formats (ARNs, arnSuffix, dnsName, RDS endpoint, ACM domainValidationOptions, …).
 * - Answers the invokes the program makes and THROWS on any other, naming the token, so nothing
 *   silently resolves to `undefined`.
 *
 * Jest gives every test file its own module registry, so the recorded state starts empty per file;
 * `setupMocks` also clears it, so one file can run several programs one after the other.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { shared } from "./sharedRuns";

export const ACCOUNT_ID = "123456789012";
export const DEFAULT_REGION = "us-east-1";
/** The project name; config keys are `web-infra:<key>`. */
export const PROJECT = "web-infra";
export const ROOT = path.resolve(__dirname, "..");

/** Route 53 hosted-zone ids of ALBs per region (the alias target `zoneId`), from the AWS endpoints table. */
const ALB_ZONE_IDS: Record<string, string> = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
};

/** Regional ELB account ids for access-log delivery (regions older than Aug 2022). */
const ELB_ACCOUNT_IDS: Record<string, string> = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-central-1": "054676820928",
};

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    /** Inputs as the provider sees them, secrets unwrapped. */
    readonly inputs: Record<string, any>;
    /** The state the mock returned: inputs + computed outputs. */
    readonly state: Record<string, any>;
    readonly id: string;
    readonly urn: string;
    readonly parentUrn?: string;
    readonly custom: boolean;
    readonly provider?: string;
    readonly protect: boolean;
    readonly ignoreChanges: readonly string[];
    /** Input paths whose change replaces the resource (the `replaceOnChanges` option). */
    readonly replaceOnChanges: readonly string[];
    /** The `deleteBeforeReplace` option (false: the replacement is created before the old one is deleted). */
    readonly deleteBeforeReplace: boolean;
    readonly dependencies: readonly string[];
    /** Dotted paths of inputs that arrived as Pulumi secrets, e.g. `password`, `tags.Secret`. */
    readonly secretPaths: readonly string[];
    /**
     * Input name → URNs of the resources whose outputs flowed into it (what the engine hands a
     * CrossGuard stack policy as `propertyDependencies`; it links resources even while ids are unknown).
     */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
}

export interface RecordedInvoke {
    readonly token: string;
    readonly inputs: Record<string, any>;
}

interface RegistrationMeta {
    urn: string;
    parentUrn?: string;
    protect: boolean;
    ignoreChanges: string[];
    replaceOnChanges: string[];
    deleteBeforeReplace: boolean;
    dependencies: string[];
    secretPaths: string[];
    provider?: string;
    propertyDependencies: Record<string, string[]>;
}

const state = {
    resources: [] as RecordedResource[],
    invokes: [] as RecordedInvoke[],
    region: DEFAULT_REGION,
    stack: "test",
    meta: new Map<string, RegistrationMeta[]>(),
};

/** Every resource registered since the last `setupMocks`. */
export function allResources(): readonly RecordedResource[] {
    return state.resources;
}

/** Every invoke made since the last `setupMocks`. */
export function allInvokes(): readonly RecordedInvoke[] {
    return state.invokes;
}

/** Resources of a type (e.g. `aws:ec2/subnet:Subnet`), optionally whose name matches. */
export function resourcesOf(type: string, name?: string | RegExp): RecordedResource[] {
    return state.resources.filter(
        (r) => r.type === type && (name === undefined || (typeof name === "string" ? r.name === name : name.test(r.name))),
    );
}

/** The one resource of this type and name; throws (listing what exists) when there is not exactly one. */
export function resourceNamed(type: string, name: string): RecordedResource {
    const found = resourcesOf(type, name);
    if (found.length !== 1) {
        const names = resourcesOf(type).map((r) => r.name);
        throw new Error(`expected one ${type} named ${name}, found ${found.length}; ${type} names: ${names.join(", ") || "(none)"}`);
    }
    return found[0];
}

/** Children (direct or not) of the resource with this URN. */
export function descendantsOf(urn: string): RecordedResource[] {
    const byUrn = new Map(state.resources.map((r) => [r.urn, r]));
    return state.resources.filter((r) => {
        for (let p = r.parentUrn; p !== undefined; p = byUrn.get(p)?.parentUrn) {
            if (p === urn) return true;
        }
        return false;
    });
}

/** Await an Output's value (Output.promise() is internal). */
export function awaitOutput<T>(output: pulumi.Output<T> | pulumi.Input<T>): Promise<T> {
    return new Promise<T>((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

/** Await every Output in an object (e.g. the stack's exports). */
export async function awaitAll<T extends Record<string, any>>(outputs: T): Promise<{ [K in keyof T]: pulumi.Unwrap<T[K]> }> {
    return (await awaitOutput(pulumi.output(outputs))) as any;
}

// ---------------------------------------------------------------------------------------------------
// Deterministic fake identifiers.

function hash(text: string): number {
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = Math.imul(h, 16777619) >>> 0;
    }
    return h;
}

/** `n` lower-case hex digits derived from `seed`. */
export function fakeHex(seed: string, n: number): string {
    let out = "";
    for (let i = 0; out.length < n; i++) out += hash(`${seed}#${i}`).toString(16).padStart(8, "0");
    return out.slice(0, n);
}

function fakeUuid(seed: string): string {
    const h = fakeHex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Pulumi auto-naming: `<logical name>-<7 hex>`, cut to the service's limit. */
function autoName(logical: string, seed: string, maxLength = 255): string {
    const suffix = fakeHex(seed, 7);
    return `${logical.slice(0, Math.max(1, maxLength - 8))}-${suffix}`;
}

// ---------------------------------------------------------------------------------------------------
// Computed outputs per resource type.

type Outputs = { id: string; state: Record<string, any> };

function arn(service: string, resource: string, opts: { region?: string; account?: string } = {}): string {
    const region = opts.region ?? state.region;
    const account = opts.account ?? ACCOUNT_ID;
    return `arn:aws:${service}:${region}:${account}:${resource}`;
}

function subnetZone(subnetId: string | undefined): string | undefined {
    const subnet = state.resources.find((r) => r.type === "aws:ec2/subnet:Subnet" && r.id === subnetId);
    return subnet?.inputs.availabilityZone;
}

/**
 * Computed outputs a real provider returns for `type`; throws on a type the harness doesn't model.
 * A resource with its own `region` input (pulumi-aws v7) gets ARNs and names in that region.
 */
export function computedOutputs(type: string, name: string, inputs: Record<string, any>): Outputs {
    const stackRegion = state.region;
    if (typeof inputs.region === "string") state.region = inputs.region;
    try {
        return computedOutputsInRegion(type, name, inputs);
    } finally {
        state.region = stackRegion;
    }
}

function computedOutputsInRegion(type: string, name: string, inputs: Record<string, any>): Outputs {
    const seed = `${type}::${name}`;
    const hex = (n: number) => fakeHex(seed, n);
    const region = state.region;
    switch (type) {
        // ---- providers / components ----
        case "pulumi:providers:aws":
        case "pulumi:providers:random":
            return { id: fakeUuid(seed), state: {} };

        // ---- EC2 / VPC ----
        case "aws:ec2/vpc:Vpc": {
            const id = `vpc-${hex(17)}`;
            return {
                id,
                state: {
                    arn: arn("ec2", `vpc/${id}`),
                    defaultSecurityGroupId: `sg-${fakeHex(seed + "sg", 17)}`,
                    defaultNetworkAclId: `acl-${fakeHex(seed + "acl", 17)}`,
                    defaultRouteTableId: `rtb-${fakeHex(seed + "rtb", 17)}`,
                    mainRouteTableId: `rtb-${fakeHex(seed + "rtb", 17)}`,
                    ownerId: ACCOUNT_ID,
                    ...(inputs.assignGeneratedIpv6CidrBlock
                        ? { ipv6CidrBlock: `2600:1f18:${fakeHex(seed, 3)}:${fakeHex(seed + "6", 2)}00::/56`, ipv6AssociationId: `vpc-cidr-assoc-${hex(17)}` }
                        : {}),
                },
            };
        }
        case "aws:ec2/subnet:Subnet": {
            const id = `subnet-${hex(17)}`;
            return { id, state: { arn: arn("ec2", `subnet/${id}`), ownerId: ACCOUNT_ID } };
        }
        case "aws:ec2/internetGateway:InternetGateway": {
            const id = `igw-${hex(17)}`;
            return { id, state: { arn: arn("ec2", `internet-gateway/${id}`), ownerId: ACCOUNT_ID } };
        }
        case "aws:ec2/eip:Eip": {
            const id = `eipalloc-${hex(17)}`;
            const n = hash(seed);
            return {
                id,
                state: { allocationId: id, publicIp: `3.${(n >>> 16) % 256}.${(n >>> 8) % 256}.${n % 256}`, arn: arn("ec2", `elastic-ip/${id}`) },
            };
        }
        case "aws:ec2/natGateway:NatGateway": {
            const id = `nat-${hex(17)}`;
            return { id, state: { networkInterfaceId: `eni-${hex(17)}`, privateIp: "10.0.64.10", publicIp: "3.3.3.3" } };
        }
        case "aws:ec2/routeTable:RouteTable": {
            const id = `rtb-${hex(17)}`;
            return { id, state: { arn: arn("ec2", `route-table/${id}`), ownerId: ACCOUNT_ID } };
        }
        case "aws:ec2/route:Route":
            return { id: `r-${inputs.routeTableId}${hash(inputs.destinationCidrBlock ?? "")}`, state: { state: "active", origin: "CreateRoute" } };
        case "aws:ec2/routeTableAssociation:RouteTableAssociation":
            return { id: `rtbassoc-${hex(17)}`, state: {} };
        case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
        case "aws:ec2/securityGroup:SecurityGroup": {
            const id = `sg-${hex(17)}`;
            const sgName = inputs.name ?? (type.endsWith("DefaultSecurityGroup") ? "default" : autoName(name, seed));
            return { id, state: { arn: arn("ec2", `security-group/${id}`), name: sgName, ownerId: ACCOUNT_ID } };
        }
        case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
            const id = `sgr-${hex(17)}`;
            return { id, state: { arn: arn("ec2", `security-group-rule/${id}`), securityGroupRuleId: id } };
        }
        case "aws:ec2/vpcEndpoint:VpcEndpoint": {
            const id = `vpce-${hex(17)}`;
            return {
                id,
                state: {
                    arn: arn("ec2", `vpc-endpoint/${id}`),
                    prefixListId: inputs.vpcEndpointType === "Gateway" ? `pl-${hex(8)}` : undefined,
                    dnsEntries: inputs.vpcEndpointType === "Interface" ? [{ dnsName: `${id}.${inputs.serviceName}.vpce.amazonaws.com`, hostedZoneId: "Z7HUB22UULQXV" }] : [],
                    networkInterfaceIds: (inputs.subnetIds ?? []).map((_: string, i: number) => `eni-${fakeHex(seed + i, 17)}`),
                    state: "available",
                },
            };
        }
        case "aws:ec2/flowLog:FlowLog": {
            const id = `fl-${hex(17)}`;
            return { id, state: { arn: arn("ec2", `vpc-flow-log/${id}`) } };
        }
        case "aws:ec2/instance:Instance": {
            const id = `i-${hex(17)}`;
            const az = inputs.availabilityZone ?? subnetZone(inputs.subnetId);
            const n = hash(seed);
            const privateIp = `10.0.${n % 64}.${(n >>> 8) % 250 + 4}`;
            return {
                id,
                state: {
                    arn: arn("ec2", `instance/${id}`),
                    availabilityZone: az,
                    privateIp,
                    privateDns: `ip-${privateIp.replace(/\./g, "-")}.ec2.internal`,
                    primaryNetworkInterfaceId: `eni-${hex(17)}`,
                    instanceState: "running",
                    publicIp: "",
                    publicDns: "",
                },
            };
        }
        case "aws:ec2/launchTemplate:LaunchTemplate": {
            const id = `lt-${hex(17)}`;
            return { id, state: { arn: arn("ec2", `launch-template/${id}`), latestVersion: 1, defaultVersion: 1, name: inputs.name ?? autoName(name, seed) } };
        }

        // ---- Auto Scaling ----
        case "aws:autoscaling/group:Group": {
            const groupName = inputs.name ?? autoName(name, seed);
            return {
                id: groupName,
                state: {
                    name: groupName,
                    arn: `arn:aws:autoscaling:${state.region}:${ACCOUNT_ID}:autoScalingGroup:${fakeUuid(seed)}:autoScalingGroupName/${groupName}`,
                    // What AWS reports for a group created without desiredCapacity: it starts at minSize.
                    desiredCapacity: inputs.desiredCapacity ?? inputs.minSize,
                    availabilityZones: (inputs.vpcZoneIdentifiers ?? []).map((id: string) => subnetZone(id)),
                    defaultCooldown: 300,
                    serviceLinkedRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
                },
            };
        }
        case "aws:autoscaling/policy:Policy": {
            const policyName = inputs.name ?? autoName(name, seed);
            return {
                id: policyName,
                state: {
                    name: policyName,
                    arn: `arn:aws:autoscaling:${state.region}:${ACCOUNT_ID}:scalingPolicy:${fakeUuid(seed)}:autoScalingGroupName/${inputs.autoscalingGroupName}:policyName/${policyName}`,
                },
            };
        }

        // ---- IAM ----
        case "aws:iam/role:Role": {
            const roleName = inputs.name ?? autoName(name, seed, 64);
            return { id: roleName, state: { name: roleName, arn: `arn:aws:iam::${ACCOUNT_ID}:role${inputs.path ?? "/"}${roleName}`, uniqueId: `AROA${hex(17).toUpperCase()}` } };
        }
        case "aws:iam/instanceProfile:InstanceProfile": {
            const profileName = inputs.name ?? autoName(name, seed, 128);
            return { id: profileName, state: { name: profileName, arn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile${inputs.path ?? "/"}${profileName}`, uniqueId: `AIPA${hex(17).toUpperCase()}` } };
        }
        case "aws:iam/policy:Policy": {
            const policyName = inputs.name ?? autoName(name, seed, 128);
            const policyArn = `arn:aws:iam::${ACCOUNT_ID}:policy${inputs.path ?? "/"}${policyName}`;
            return { id: policyArn, state: { name: policyName, arn: policyArn, policyId: `ANPA${hex(17).toUpperCase()}` } };
        }
        case "aws:iam/rolePolicy:RolePolicy": {
            const policyName = inputs.name ?? autoName(name, seed, 128);
            return { id: `${inputs.role}:${policyName}`, state: { name: policyName } };
        }
        case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            return { id: `${inputs.role}-${hex(20)}`, state: {} };

        // ---- CloudWatch / logs ----
        case "aws:cloudwatch/logGroup:LogGroup": {
            const groupName = inputs.name ?? autoName(name, seed, 512);
            return { id: groupName, state: { name: groupName, arn: arn("logs", `log-group:${groupName}`) } };
        }
        case "aws:cloudwatch/logResourcePolicy:LogResourcePolicy":
            // Account-scoped policies are identified by name, log-group-scoped ones by the group's ARN.
            return {
                id: inputs.resourceArn ?? inputs.policyName,
                state: { policyScope: inputs.resourceArn ? "RESOURCE" : "ACCOUNT", revisionId: inputs.resourceArn ? fakeUuid(seed) : "" },
            };
        case "aws:cloudwatch/metricAlarm:MetricAlarm": {
            const alarmName = inputs.name ?? autoName(name, seed);
            return { id: alarmName, state: { name: alarmName, arn: arn("cloudwatch", `alarm:${alarmName}`) } };
        }
        case "aws:cloudwatch/compositeAlarm:CompositeAlarm": {
            const alarmName = inputs.alarmName;
            return { id: alarmName, state: { arn: arn("cloudwatch", `alarm:${alarmName}`) } };
        }
        case "aws:cloudwatch/eventRule:EventRule": {
            const ruleName = inputs.name ?? autoName(name, seed, 64);
            return { id: ruleName, state: { name: ruleName, arn: arn("events", `rule/${ruleName}`) } };
        }
        case "aws:cloudwatch/eventTarget:EventTarget": {
            const targetId = inputs.targetId ?? autoName(name, seed, 64);
            return { id: `${inputs.rule}-${targetId}`, state: { targetId, eventBusName: "default" } };
        }
        case "aws:cloudwatch/logMetricFilter:LogMetricFilter": {
            const filterName = inputs.name ?? autoName(name, seed, 512);
            return { id: filterName, state: { name: filterName } };
        }
        case "aws:cloudwatch/dashboard:Dashboard":
            return { id: inputs.dashboardName, state: { dashboardArn: `arn:aws:cloudwatch::${ACCOUNT_ID}:dashboard/${inputs.dashboardName}` } };

        // ---- Load balancing ----
        case "aws:lb/loadBalancer:LoadBalancer":
        case "aws:alb/loadBalancer:LoadBalancer": {
            const lbName = inputs.name ?? autoName(name, seed, 32);
            const suffix = `app/${lbName}/${hex(16)}`;
            return {
                id: arn("elasticloadbalancing", `loadbalancer/${suffix}`),
                state: {
                    name: lbName,
                    arn: arn("elasticloadbalancing", `loadbalancer/${suffix}`),
                    arnSuffix: suffix,
                    dnsName: `${lbName}-${hash(seed) % 1000000000}.${region}.elb.amazonaws.com`,
                    zoneId: ALB_ZONE_IDS[region] ?? "Z35SXDOTRQ7X7K",
                    vpcId: "vpc-from-subnets",
                },
            };
        }
        case "aws:lb/targetGroup:TargetGroup":
        case "aws:alb/targetGroup:TargetGroup": {
            const tgName = inputs.name ?? autoName(name, seed, 32);
            const suffix = `targetgroup/${tgName}/${hex(16)}`;
            return { id: arn("elasticloadbalancing", suffix), state: { name: tgName, arn: arn("elasticloadbalancing", suffix), arnSuffix: suffix } };
        }
        case "aws:lb/listener:Listener":
        case "aws:alb/listener:Listener": {
            const listenerArn = `${String(inputs.loadBalancerArn).replace(":loadbalancer/", ":listener/")}/${hex(16)}`;
            return { id: listenerArn, state: { arn: listenerArn } };
        }
        case "aws:lb/listenerRule:ListenerRule": {
            const ruleArn = `${String(inputs.listenerArn).replace(":listener/", ":listener-rule/")}/${hex(16)}`;
            return { id: ruleArn, state: { arn: ruleArn } };
        }
        case "aws:lb/targetGroupAttachment:TargetGroupAttachment":
        case "aws:alb/targetGroupAttachment:TargetGroupAttachment":
            return { id: `${inputs.targetGroupArn}-${hex(20)}`, state: {} };
        case "aws:lb/listenerCertificate:ListenerCertificate":
            return { id: `${inputs.listenerArn}_${inputs.certificateArn}`, state: {} };

        // ---- ACM / Route 53 ----
        case "aws:acm/certificate:Certificate": {
            const names: string[] = [inputs.domainName, ...(inputs.subjectAlternativeNames ?? [])].filter(
                (n: string | undefined, i: number, all: (string | undefined)[]) => n !== undefined && all.indexOf(n) === i,
            );
            const certArn = arn("acm", `certificate/${fakeUuid(seed)}`);
            return {
                id: certArn,
                state: {
                    arn: certArn,
                    status: "PENDING_VALIDATION",
                    domainValidationOptions: names.map((domainName) => ({
                        domainName,
                        resourceRecordName: `_${fakeHex(seed + domainName, 32)}.${domainName.replace(/^\*\./, "")}.`,
                        resourceRecordType: "CNAME",
                        resourceRecordValue: `_${fakeHex(seed + domainName + "v", 32)}.mhbtsbpdnt.acm-validations.aws.`,
                    })),
                },
            };
        }
        case "aws:acm/certificateValidation:CertificateValidation":
            return { id: new Date(0).toISOString(), state: { certificateArn: inputs.certificateArn } };
        case "aws:route53/zone:Zone": {
            const zoneId = `Z${hex(20).toUpperCase()}`;
            return {
                id: zoneId,
                state: { zoneId, arn: `arn:aws:route53:::hostedzone/${zoneId}`, nameServers: inputs.vpcs ? [] : ["ns-1.awsdns-01.org"], primaryNameServer: "ns-1.awsdns-01.org" },
            };
        }
        case "aws:route53/record:Record": {
            const recordName = String(inputs.name).replace(/\.$/, "");
            return { id: `${inputs.zoneId}_${recordName}_${inputs.type}`, state: { fqdn: recordName } };
        }
        case "aws:route53/healthCheck:HealthCheck": {
            const id = fakeUuid(seed);
            return { id, state: { arn: `arn:aws:route53:::healthcheck/${id}` } };
        }

        // ---- RDS ----
        case "aws:rds/instance:Instance": {
            const identifier = inputs.identifier ?? autoName(name, seed, 63).toLowerCase();
            const address = `${identifier}.c${hex(11)}.${region}.rds.amazonaws.com`;
            const port = inputs.port ?? 3306;
            const resourceId = `db-${hex(26).toUpperCase()}`;
            return {
                // Since pulumi-aws v6 the id of an RDS instance is its resource id, not its identifier.
                id: resourceId,
                state: {
                    identifier,
                    resourceId,
                    arn: arn("rds", `db:${identifier}`),
                    address,
                    endpoint: `${address}:${port}`,
                    port,
                    hostedZoneId: "Z2R2ITUGPM61AM",
                    availabilityZone: inputs.availabilityZone ?? `${region}a`,
                    status: "available",
                    masterUserSecrets: [],
                    ...(inputs.replicateSourceDb ? {} : { username: inputs.username }),
                },
            };
        }
        case "aws:rds/cluster:Cluster": {
            // The provider's id of a DB cluster is its identifier. A Multi-AZ DB cluster's endpoints share
            // one hash: `<id>.cluster-<hash>` (writer) and `<id>.cluster-ro-<hash>` (reader); RDS names its
            // three DB instances itself (clusterMembers).
            const identifier = inputs.clusterIdentifier ?? autoName(name, seed, 63).toLowerCase();
            const h = hex(12);
            return {
                id: identifier,
                state: {
                    clusterIdentifier: identifier,
                    arn: arn("rds", `cluster:${identifier}`),
                    clusterResourceId: `cluster-${hex(26).toUpperCase()}`,
                    endpoint: `${identifier}.cluster-${h}.${region}.rds.amazonaws.com`,
                    readerEndpoint: `${identifier}.cluster-ro-${h}.${region}.rds.amazonaws.com`,
                    port: inputs.port ?? 3306,
                    hostedZoneId: "Z2R2ITUGPM61AM",
                    clusterMembers: [1, 2, 3].map((i) => `${identifier}-instance-${i}`),
                    masterUserSecrets: [],
                },
            };
        }
        case "aws:rds/clusterParameterGroup:ClusterParameterGroup": {
            const groupName = inputs.name ?? autoName(name, seed, 255).toLowerCase();
            return { id: groupName, state: { name: groupName, arn: arn("rds", `cluster-pg:${groupName}`) } };
        }
        case "aws:rds/subnetGroup:SubnetGroup": {
            const groupName = inputs.name ?? autoName(name, seed, 255).toLowerCase();
            return { id: groupName, state: { name: groupName, arn: arn("rds", `subgrp:${groupName}`) } };
        }
        case "aws:rds/parameterGroup:ParameterGroup": {
            const groupName = inputs.name ?? autoName(name, seed, 255).toLowerCase();
            return { id: groupName, state: { name: groupName, arn: arn("rds", `pg:${groupName}`) } };
        }
        case "aws:rds/eventSubscription:EventSubscription": {
            // The provider's id is the subscription name; the ARN is `es:<name>`.
            const subName = inputs.name ?? autoName(name, seed, 255);
            return { id: subName, state: { name: subName, arn: arn("rds", `es:${subName}`), customerAwsId: ACCOUNT_ID } };
        }

        // ---- Secrets Manager / KMS ----
        case "aws:secretsmanager/secret:Secret": {
            const secretName = inputs.name ?? autoName(name, seed, 512);
            const secretArn = arn("secretsmanager", `secret:${secretName}-${fakeHex(seed, 6)}`);
            return { id: secretArn, state: { arn: secretArn, name: secretName } };
        }
        case "aws:secretsmanager/secretVersion:SecretVersion": {
            const versionId = fakeUuid(seed);
            return { id: `${inputs.secretId}|${versionId}`, state: { versionId, arn: inputs.secretId, versionStages: ["AWSCURRENT"] } };
        }
        case "aws:secretsmanager/secretPolicy:SecretPolicy":
            return { id: inputs.secretArn, state: {} };
        case "aws:kms/key:Key": {
            const keyId = fakeUuid(seed);
            return { id: keyId, state: { keyId, arn: arn("kms", `key/${keyId}`) } };
        }
        case "aws:kms/alias:Alias":
            return { id: inputs.name, state: { arn: arn("kms", String(inputs.name)), targetKeyArn: arn("kms", `key/${inputs.targetKeyId}`) } };

        // ---- SNS ----
        case "aws:sns/topic:Topic": {
            const topicName = inputs.name ?? autoName(name, seed, 256);
            const topicArn = arn("sns", topicName);
            return { id: topicArn, state: { arn: topicArn, name: topicName, owner: ACCOUNT_ID } };
        }
        case "aws:sns/topicSubscription:TopicSubscription": {
            const subArn = `${inputs.topic}:${fakeUuid(seed)}`;
            return { id: subArn, state: { arn: subArn, pendingConfirmation: inputs.protocol === "email" } };
        }
        case "aws:sns/topicPolicy:TopicPolicy":
            return { id: inputs.arn, state: { owner: ACCOUNT_ID } };

        // ---- WAF ----
        case "aws:wafv2/webAcl:WebAcl": {
            const id = fakeUuid(seed);
            const aclName = inputs.name ?? autoName(name, seed, 128);
            return { id, state: { name: aclName, arn: arn("wafv2", `regional/webacl/${aclName}/${id}`), capacity: 1200, lockToken: fakeUuid(seed + "lock") } };
        }
        case "aws:wafv2/webAclAssociation:WebAclAssociation":
            return { id: `${inputs.webAclArn},${inputs.resourceArn}`, state: {} };
        case "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration":
            return { id: inputs.resourceArn, state: {} };

        // ---- S3 ----
        case "aws:s3/bucket:Bucket": {
            const bucketName = inputs.bucket ?? autoName(name, seed, 63).toLowerCase();
            return {
                id: bucketName,
                state: {
                    bucket: bucketName,
                    arn: `arn:aws:s3:::${bucketName}`,
                    bucketDomainName: `${bucketName}.s3.amazonaws.com`,
                    bucketRegionalDomainName: `${bucketName}.s3.${region}.amazonaws.com`,
                    hostedZoneId: "Z3AQBSTGFYJSTF",
                    region,
                },
            };
        }
        case "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
        case "aws:s3/bucketPolicy:BucketPolicy":
        case "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        case "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
        case "aws:s3/bucketOwnershipControls:BucketOwnershipControls":
        case "aws:s3/bucketVersioning:BucketVersioning":
            return { id: String(inputs.bucket), state: {} };

        // ---- Lambda ----
        case "aws:lambda/function:Function": {
            const functionName = inputs.name ?? autoName(name, seed, 64);
            const functionArn = arn("lambda", `function:${functionName}`);
            return {
                id: functionName,
                state: {
                    name: functionName,
                    arn: functionArn,
                    qualifiedArn: `${functionArn}:$LATEST`,
                    invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
                    version: "$LATEST",
                    sourceCodeHash: fakeHex(seed, 44),
                },
            };
        }
        case "aws:lambda/permission:Permission":
            return { id: inputs.statementId ?? autoName(name, seed, 100), state: {} };
        // The provider's id is the function's name (and qualifier, when one is set).
        case "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig":
            return { id: inputs.qualifier ? `${inputs.functionName}:${inputs.qualifier}` : String(inputs.functionName), state: {} };

        // ---- SSM ----
        case "aws:ssm/parameter:Parameter": {
            return { id: inputs.name, state: { arn: arn("ssm", `parameter/${String(inputs.name).replace(/^\//, "")}`), version: 1 } };
        }

        // ---- random ----
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString": {
            const length = inputs.length ?? 16;
            const special = inputs.special === false ? "" : (inputs.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?");
            const alphabet = `ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789${special}`;
            let result = "";
            for (let i = 0; i < length; i++) result += alphabet[hash(`${seed}${i}`) % alphabet.length];
            return { id: "none", state: { result, bcryptHash: `$2a$10$${hex(53)}` } };
        }
        case "random:index/randomId:RandomId": {
            const bytes = inputs.byteLength ?? 8;
            const h = hex(bytes * 2);
            return { id: Buffer.from(h, "hex").toString("base64url"), state: { hex: h, b64Url: Buffer.from(h, "hex").toString("base64url"), dec: BigInt(`0x${h}`).toString() } };
        }
    }
    if (!type.startsWith("aws:") && !type.startsWith("random:")) {
        // Component resources (our own `web-infra:*` types) have no provider outputs.
        return { id: `${name}_id`, state: {} };
    }
    throw new Error(`test/mocks.ts does not model ${type} (resource ${name}): add its computed outputs to computedOutputs()`);
}

// ---------------------------------------------------------------------------------------------------
// Invokes.

/** RDS for MySQL versions getEngineVersion knows, by major, oldest first (a snapshot, not the live list). */
export const RDS_MYSQL_MINORS: Readonly<Record<string, readonly string[]>> = {
    "8.0": ["8.0.41", "8.0.42", "8.0.43"],
    "8.4": ["8.4.5", "8.4.6", "8.4.7"],
};

/** Results of the invokes the program makes; throws on any other token. */
export function invokeResult(token: string, inputs: Record<string, any>): Record<string, any> {
    const region = inputs.region ?? state.region;
    switch (token) {
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            const letters = ["a", "b", "c", "d", "e", "f"];
            return {
                id: region,
                names: letters.map((l) => `${region}${l}`),
                zoneIds: letters.map((_, i) => `use1-az${i + 1}`),
                groupNames: [region],
                state: inputs.state,
            };
        }
        case "aws:index/getRegion:getRegion":
            return { id: region, region, name: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { id: ACCOUNT_ID, accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/ci`, userId: "AIDAEXAMPLE" };
        case "aws:index/getPartition:getPartition":
            return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
        case "aws:ssm/getParameter:getParameter": {
            const name = String(inputs.name);
            if (!name.startsWith("/aws/service/ami-amazon-linux-latest/")) {
                throw new Error(`test/mocks.ts: no SSM parameter ${name} (only the public AL2023 AMI parameters are modelled)`);
            }
            const arch = name.endsWith("arm64") ? "a" : "b";
            const amiId = `ami-0${arch}${fakeHex(name, 15)}`;
            // Like the provider: `value` (always marked secret) and `insecureValue` (not) both hold it.
            return { id: name, name, type: "String", value: amiId, version: 1, arn: arn("ssm", `parameter${name}`), insecureValue: amiId };
        }
        case "aws:route53/getZone:getZone": {
            const zoneName = String(inputs.name).replace(/\.$/, "");
            const zoneId = `Z${fakeHex(`zone:${zoneName}`, 20).toUpperCase()}`;
            return { id: zoneId, zoneId, name: zoneName, arn: `arn:aws:route53:::hostedzone/${zoneId}`, privateZone: inputs.privateZone ?? false, nameServers: ["ns-1.awsdns-01.org"], resourceRecordSetCount: 2 };
        }
        case "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": {
            // Zone "e" of the mock region offers no Graviton (…g.) types, as us-east-1e (use1-az3) offers
            // none of the newer types in real accounts: zone selection must skip it.
            const filter = (inputs.filters ?? []).find((f: { name: string }) => f.name === "instance-type");
            const types: string[] = filter?.values ?? [];
            if (inputs.locationType !== "availability-zone") {
                throw new Error(`test/mocks.ts: getInstanceTypeOfferings modelled for locationType availability-zone only (got ${inputs.locationType})`);
            }
            const zones = ["a", "b", "c", "d", "e", "f"].map((l) => `${region}${l}`);
            const rows = types.flatMap((t) => zones.filter((z) => !(z.endsWith("e") && /^[a-z]+\d+[a-z]*g[a-z]*\./.test(t))).map((z) => ({ type: t, zone: z })));
            return {
                id: region,
                locations: rows.map((r) => r.zone),
                locationTypes: rows.map(() => "availability-zone"),
                instanceTypes: rows.map((r) => r.type),
            };
        }
        case "aws:rds/getOrderableDbInstance:getOrderableDbInstance": {
            // RDS offers options per full engine version: a major-only one ("8.4") matches several, and
            // the data source fails on that ("multiple RDS DB Instance Classes match").
            if (!/^\d+\.\d+\.\d+$/.test(String(inputs.engineVersion ?? ""))) {
                throw new Error(`test/mocks.ts: getOrderableDbInstance needs a full engineVersion (got ${JSON.stringify(inputs.engineVersion)}): several options would match`);
            }
            // Every class the tests use is orderable in zones a-d and f (RDS answers for one option).
            const zones = ["a", "b", "c", "d", "f"].map((l) => `${region}${l}`);
            return {
                id: `${inputs.engine}-${inputs.engineVersion}-${inputs.instanceClass}`,
                engine: inputs.engine,
                engineVersion: inputs.engineVersion,
                instanceClass: inputs.instanceClass,
                storageType: inputs.storageType ?? "gp3",
                licenseModel: "general-public-license",
                availabilityZones: zones,
                multiAzCapable: true,
                readReplicaCapable: true,
                supportsStorageEncryption: true,
            };
        }
        case "aws:rds/getEngineVersion:getEngineVersion": {
            // DescribeDBEngineVersions as the provider's data source answers it: a partial `version` (a
            // major) matches every minor of it, which the provider refuses ("multiple RDS engine
            // versions") unless `latest` picks the newest. `versionActual` is the complete version.
            const minors = RDS_MYSQL_MINORS[String(inputs.version)];
            if (inputs.engine !== "mysql" || minors === undefined) {
                throw new Error(`test/mocks.ts: getEngineVersion modelled for engine mysql and versions ${Object.keys(RDS_MYSQL_MINORS).join(", ")} only (got ${JSON.stringify(inputs)})`);
            }
            if (minors.length > 1 && inputs.latest !== true) {
                throw new Error(`multiple RDS engine versions (${minors.join(", ")}) match the criteria; try a more specific search (test/mocks.ts, as the provider)`);
            }
            const actual = minors[minors.length - 1];
            const family = `mysql${actual.split(".").slice(0, 2).join(".")}`;
            return {
                id: actual,
                engine: "mysql",
                engineDescription: "MySQL Community Edition",
                version: actual,
                versionActual: actual,
                versionDescription: `MySQL ${actual}`,
                parameterGroupFamily: family,
                status: "available",
                latest: inputs.latest,
                defaultCharacterSet: "",
                exportableLogTypes: ["audit", "error", "general", "iam-db-auth-error", "slowquery"],
                supportsLogExportsToCloudwatch: true,
                supportsReadReplica: true,
                supportedModes: [],
                supportedFeatureNames: [],
                supportedCharacterSets: [],
                supportedTimezones: [],
                validUpgradeTargets: [],
                validMajorTargets: [],
                validMinorTargets: [],
                region,
            };
        }
        case "aws:elb/getServiceAccount:getServiceAccount": {
            const account = ELB_ACCOUNT_IDS[region];
            if (!account) throw new Error(`test/mocks.ts: no ELB service account modelled for ${region}`);
            return { id: account, arn: `arn:aws:iam::${account}:root` };
        }
    }
    throw new Error(`test/mocks.ts: unexpected invoke ${token} (${JSON.stringify(inputs)}); model it in invokeResult() if the program really needs it`);
}

// ---------------------------------------------------------------------------------------------------
// Setup.

function isSecretEnvelope(value: any): boolean {
    return value !== null && typeof value === "object" && value[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

/** Replace every secret envelope by the value inside it. */
export function unwrapSecrets(value: any): any {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value === null || typeof value !== "object") return value;
    if (isSecretEnvelope(value)) return unwrapSecrets(value.value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
}

/** A RegisterResourceRequest's property dependencies as plain data: input name → URNs. */
function propertyDependenciesOf(req: any): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
        out[key] = deps.getUrnsList();
    });
    return out;
}

function secretPathsOf(value: any, prefix = ""): string[] {
    if (value === null || typeof value !== "object") return [];
    if (isSecretEnvelope(value)) return [prefix || "(root)"];
    return Object.entries(value).flatMap(([k, v]) => secretPathsOf(v, prefix ? `${prefix}.${k}` : k));
}

export interface MockOptions {
    /** Stack name. @default "test" */
    readonly stack?: string;
    /** Config, keys with namespace (`web-infra:natStrategy`, `aws:region`). */
    readonly config?: Readonly<Record<string, string>>;
    /** Run as a preview (`pulumi.runtime.isDryRun()` true). @default false: an update, every output resolves */
    readonly preview?: boolean;
}

/**
 * Install the mocks and clear the recordings. Call before importing or constructing anything that
 * declares resources. As an update by default (preview = false: every output resolves, even one the
 * mocks leave out); `preview: true` makes `pulumi.runtime.isDryRun()` true, as `pulumi preview` does.
 */
export async function setupMocks(options: MockOptions = {}): Promise<void> {
    const config = options.config ?? {};
    state.resources = [];
    state.invokes = [];
    state.meta = new Map();
    state.stack = options.stack ?? "test";
    state.region = config["aws:region"] ?? DEFAULT_REGION;
    pulumi.runtime.setAllConfig({ ...config }, Object.keys(config).filter((k) => /password|secret/i.test(k)));

    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
                // Secret inputs arrive wrapped; record plain values (secretPaths says which were secret).
                const inputs = unwrapSecrets(args.inputs) as Record<string, any>;
                const computed = computedOutputs(args.type, args.name, inputs);
                const resultState = { ...args.inputs, ...computed.state };
                const key = `${args.type}::${args.name}`;
                const meta = state.meta.get(key)?.shift();
                const urn = meta?.urn ?? `urn:pulumi:${state.stack}::${PROJECT}::${args.type}::${args.name}`;
                state.resources.push({
                    type: args.type,
                    name: args.name,
                    inputs,
                    state: { ...inputs, ...computed.state },
                    id: computed.id,
                    urn,
                    parentUrn: meta?.parentUrn,
                    custom: args.custom ?? true,
                    provider: args.provider,
                    protect: meta?.protect ?? false,
                    ignoreChanges: meta?.ignoreChanges ?? [],
                    replaceOnChanges: meta?.replaceOnChanges ?? [],
                    deleteBeforeReplace: meta?.deleteBeforeReplace ?? false,
                    dependencies: meta?.dependencies ?? [],
                    secretPaths: meta?.secretPaths ?? [],
                    propertyDependencies: meta?.propertyDependencies ?? {},
                });
                return { id: computed.id, state: resultState };
            },
            call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
                state.invokes.push({ token: args.token, inputs: args.inputs });
                try {
                    return invokeResult(args.token, args.inputs);
                } catch (e) {
                    // The runtime rebuilds the error from gRPC's `details`; without it the message is lost.
                    (e as Error & { details?: string }).details = (e as Error).message;
                    throw e;
                }
            },
        },
        PROJECT,
        state.stack,
        options.preview ?? false,
    );

    // The mock API hands `newResource` neither the parent nor the resource options. Wrap the mock
    // monitor's registerResource to record them (and which inputs were secret) first.
    const monitor: any = (pulumi.runtime as any).getMonitor();
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        const key = `${req.getType()}::${req.getName()}`;
        const list = state.meta.get(key) ?? [];
        list.push({
            urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
            parentUrn: req.getParent() || undefined,
            protect: Boolean(req.getProtect()),
            ignoreChanges: req.getIgnorechangesList(),
            replaceOnChanges: req.getReplaceonchangesList(),
            deleteBeforeReplace: Boolean(req.getDeletebeforereplace()),
            dependencies: req.getDependenciesList(),
            secretPaths: secretPathsOf(req.getObject()?.toJavaScript() ?? {}),
            provider: req.getProvider() || undefined,
            propertyDependencies: propertyDependenciesOf(req),
        });
        state.meta.set(key, list);
        return original(req, callback);
    };
}

/**
 * Settle every registration: resources register asynchronously after the program returns.
 *
 * The mock engine answers in promises, so each turn of the event loop (a `setImmediate`, after every
 * queued promise callback has run) moves every pending registration on. Wait for three turns without
 * a new resource, then confirm over one 10 ms timer (for anything waiting on a timer); a new resource
 * meanwhile starts it over. It used to be four 10 ms timers at least: ~40 ms idle per call, 2-3 s of a
 * jest run spent waiting in the suites that check "nothing was registered" after each bad input.
 */
export async function settle(): Promise<void> {
    const turn = () => new Promise((r) => setImmediate(r));
    const timer = () => new Promise((r) => setTimeout(r, 10));
    for (let i = 0, quiet = 0; i < 200; i++) {
        const before = state.resources.length;
        await turn();
        quiet = state.resources.length === before ? quiet + 1 : 0;
        if (quiet < 3) continue;
        await timer();
        if (state.resources.length === before) return;
        quiet = 0;
    }
}

// ---------------------------------------------------------------------------------------------------
// Stack config files.

/** The `config:` of `Pulumi.<stack>.yaml` as flat strings, the way Pulumi hands them to the program. */
export function stackConfig(stack: string): Record<string, string> {
    const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | undefined;
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(doc?.config ?? {})) {
        out[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return out;
}

/** Names of the stacks that have a `Pulumi.<stack>.yaml` in the repository. */
export function stackNames(): string[] {
    return fs
        .readdirSync(ROOT)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

export interface StackRun {
    /** The stack's exports, resolved. */
    readonly outputs: Record<string, any>;
    readonly resources: readonly RecordedResource[];
}

/**
 * Run the real stack program (`infra/index.ts`) under the mocks with `Pulumi.<stack>.yaml`'s config
 * plus `overrides` (keys with or without the `web-infra:` namespace; `undefined` removes a key).
 *
 * As a preview by default (`isDryRun()` true), like `npm run plan` and `pulumi preview`: the program
 * then warns about placeholders instead of refusing them. `preview: false` runs it as a real update
 * (`pulumi up`). Every output the stack exports still resolves: the mocks return every property the
 * program reads (checked for dev and prod: the same resources and PLAN.md in both modes).
 *
 * Within one jest run, the program runs once per stack and config: the recording (resources, invokes,
 * outputs) is shared with every other test file that asks for the same (test/sharedRuns.ts). Either
 * way the mocks are installed with that config and `allResources()`/`allInvokes()` answer for it.
 */
export async function runStack(
    stack = "dev",
    overrides: Readonly<Record<string, string | undefined>> = {},
    options: {
        readonly preview?: boolean;
        /** Run the program even if another test file recorded this stack and config. */
        readonly fresh?: boolean;
        /**
         * When the run comes from another file's recording, call `pulumi.log.warn` again with each
         * warning the program logged, in order (to check what it warns without running it again).
         */
        readonly replayWarnings?: boolean;
    } = {},
): Promise<StackRun> {
    const config: Record<string, string> = stackConfig(stack);
    for (const [key, value] of Object.entries(overrides)) {
        const full = key.includes(":") ? key : `${PROJECT}:${key}`;
        if (value === undefined) delete config[full];
        else config[full] = value;
    }
    const preview = options.preview ?? true;
    const key = JSON.stringify(["runStack", stack, preview, Object.entries(config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
    let ranHere = false;
    const run = async () => {
        ranHere = true;
        await setupMocks({ stack, config, preview });
        // What the program warns (e.g. placeholders in a preview), recorded with the run.
        const warnings: string[] = [];
        const warn = pulumi.log.warn;
        pulumi.log.warn = (msg, ...rest) => {
            warnings.push(msg);
            return warn.call(pulumi.log, msg, ...rest);
        };
        try {
            const program = await import("../infra/main");
            const outputs = await awaitAll(await program.main());
            await settle();
            return { outputs, resources: state.resources, invokes: state.invokes, warnings };
        } finally {
            pulumi.log.warn = warn;
        }
    };
    const recorded = options.fresh ? await run() : await shared(key, run);
    if (recorded.resources !== state.resources) {
        await setupMocks({ stack, config, preview });
        state.resources = recorded.resources;
        state.invokes = recorded.invokes;
    }
    if (options.replayWarnings && !ranHere) for (const msg of recorded.warnings) await pulumi.log.warn(msg);
    return { outputs: recorded.outputs, resources: state.resources };
}
