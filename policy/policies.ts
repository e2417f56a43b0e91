/**
 * web-infra's guardrails as CrossGuard policy objects. `policy/index.ts` puts them in a PolicyPack;
 * tests and `evaluatePolicies` (policy/evaluate.ts) call them directly, without the engine.
 *
 * Resource policies see a resource's inputs (and its provider's) as it is registered, before the engine
 * creates or updates it: a mandatory violation stops a preview and an update alike. Stack policies see
 * every resource's outputs only after the last step, so in an update they report what already exists;
 * they stop a deployment only through a preview run first (`pulumi up` asks for one; `pulumi up
 * --skip-preview` and the Automation API behind `pulumi/actions` do not: .github/workflows/deploy.yml
 * previews with the pack before `up`). So whatever one resource's inputs can decide is a resource
 * policy; stack policies keep what links resources together (which security group belongs to a load
 * balancer, which bucket a public access block protects, which listener redirects for which). Stack
 * policies read through `peek` because outputs of resources not created yet are unknown in a preview.
 */
import { PolicyResource, Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    DEFAULT_REQUIRED_TAGS,
    IngressPermission,
    Known,
    T,
    UNKNOWN,
    admitsPort,
    describePorts,
    groupsJoinedBy,
    ingressPermissions,
    isApplicationLb,
    isInternetFacing,
    isTaggable,
    isTls12Policy,
    isWebPort,
    isWorld,
    items,
    ofTypes,
    onTypes,
    ownTagKeys,
    peek,
    providerDefaultTags,
    referencedBy,
} from "./lib";

const SECURITY_GROUP_TYPES = [T.securityGroup, T.defaultSecurityGroup] as const;
const isGroup = (r: PolicyResource) => (SECURITY_GROUP_TYPES as readonly string[]).includes(r.type);

function sourcesOf(perm: IngressPermission): string {
    return [...perm.cidrs, ...perm.otherSources].join(", ") || "any source";
}

// ---------------------------------------------------------------------------------------------------
// Security groups.

/** Remote-administration ports that must never be open, whatever the source. */
const ADMIN_PORTS: readonly { protocol: "tcp" | "udp"; port: number; service: string }[] = [
    { protocol: "tcp", port: 22, service: "SSH" },
    { protocol: "tcp", port: 3389, service: "RDP" },
    { protocol: "udp", port: 3389, service: "RDP" },
];

export const noRemoteAdminPorts: ResourceValidationPolicy = {
    name: "security-group-no-remote-admin-ports",
    description: "No security group admits SSH (22) or RDP (3389) from any source, all-traffic rules included: shell access is SSM Session Manager.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: onTypes([T.securityGroup, T.defaultSecurityGroup, T.ingressRule, T.securityGroupRule], (props, args, report) => {
        for (const perm of ingressPermissions(args.type, props)) {
            const open = ADMIN_PORTS.filter((p) => admitsPort(perm, p.protocol, p.port));
            if (open.length === 0) continue;
            const what = [...new Set(open.map((p) => `${p.service} (${p.protocol}/${p.port})`))].join(" and ");
            report(
                `${args.name} admits ${describePorts(perm)} from ${sourcesOf(perm)}, which opens ${what}. Remote administration goes through SSM Session Manager; narrow the rule to the ports the service needs.`,
            );
        }
    }),
};

export const worldIngressWebPortsOnly: ResourceValidationPolicy = {
    name: "security-group-world-ingress-web-ports-only",
    description: "Ingress from the whole internet (0.0.0.0/0, ::/0, or a /1 half of either) admits exactly TCP 80 or TCP 443, nothing else.",
    enforcementLevel: "mandatory",
    severity: "critical",
    // A resource policy, not part of the stack policy below: the engine runs resource policies on each
    // resource's inputs before it creates or updates the resource, in `pulumi up` as in a preview; stack
    // policies run only after every step, when the rule would already exist. `pulumi/actions` runs `up`
    // without a preview (Automation API), so only what is checked here stops an update by itself.
    validateResource: onTypes([T.securityGroup, T.defaultSecurityGroup, T.ingressRule, T.securityGroupRule], (props, args, report) => {
        for (const perm of ingressPermissions(args.type, props)) {
            const world = perm.cidrs.filter(isWorld);
            if (world.length === 0 || isWebPort(perm)) continue;
            report(`${args.name} admits ${describePorts(perm)} from ${world.join(", ")}: only TCP 80 and 443 to the load balancer's security group may be open to the internet.`);
        }
    }),
};

export const noPublicIngress: StackValidationPolicy = {
    name: "security-group-no-public-ingress",
    description:
        "TCP 80/443 from the internet (0.0.0.0/0, ::/0 or a /1 half) only on an internet-facing load balancer's security group, and that group is the load balancer's alone.",
    enforcementLevel: "mandatory",
    severity: "critical",
    // Which group a rule belongs to, and whether that group is a load balancer's, is only known from
    // links between resources: a stack policy. Every other port from the internet is refused earlier, on
    // the rule itself, by security-group-world-ingress-web-ports-only.
    validateStack: (args, report) => {
        const groups = args.resources.filter(isGroup);
        // The groups of internet-facing load balancers, found through the LB's `securityGroups`.
        const lbGroups = new Map<string, PolicyResource>();
        for (const lb of ofTypes(args.resources, T.loadBalancers)) {
            if (!isInternetFacing(lb.props)) continue;
            for (const group of referencedBy(lb, "securityGroups", groups)) lbGroups.set(group.urn, lb);
        }
        for (const resource of args.resources) {
            const permissions = ingressPermissions(resource.type, resource.props);
            if (permissions.length === 0) continue;
            const owners = isGroup(resource) ? [resource] : referencedBy(resource, "securityGroupId", groups);
            for (const perm of permissions) {
                const world = perm.cidrs.filter(isWorld);
                if (world.length === 0 || !isWebPort(perm)) continue;
                // An owner we cannot identify is not known to be a load balancer's: fail closed.
                if (owners.length > 0 && owners.every((o) => lbGroups.has(o.urn))) continue;
                report(
                    `${resource.name} admits ${describePorts(perm)} from ${world.join(", ")}: its security group is not an internet-facing load balancer's. Only the load balancer faces the internet: admit traffic from the load balancer's security group instead.`,
                    resource.urn,
                );
            }
        }
        // The exemption above is for the load balancer: an instance (or anything else) placed in the
        // same group would get 80/443 from the internet around the load balancer and the WAF.
        const lbGroupList = groups.filter((g) => lbGroups.has(g.urn));
        for (const resource of args.resources) {
            if ((T.loadBalancers as readonly string[]).includes(resource.type)) continue;
            for (const group of groupsJoinedBy(resource, lbGroupList)) {
                report(
                    `${resource.name} (${resource.type}) is in ${group.name}, the security group of internet-facing load balancer ${lbGroups.get(group.urn)!.name}, which may admit TCP 80/443 from the internet: give it a group of its own that admits traffic from the load balancer's group.`,
                    resource.urn,
                );
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------------
// RDS.

/** A read replica (`replicateSourceDb` set; an unknown value is set too). */
function isReplica(props: Record<string, any>): boolean {
    const source = peek(() => props.replicateSourceDb);
    return source === UNKNOWN || (typeof source === "string" && source !== "");
}

export const rdsStorageEncrypted: ResourceValidationPolicy = {
    name: "rds-storage-encrypted",
    description: "RDS instances and DB clusters are encrypted at rest (read replicas inherit their source's encryption and must not turn it off).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onTypes([T.rdsInstance, T.rdsCluster], (props, args, report) => {
        if (args.type === T.rdsCluster) {
            if (props.storageEncrypted !== true) {
                report(`${args.name} must set storageEncrypted: true. A DB cluster's encryption is fixed at creation: an unencrypted one can only be encrypted by restoring a snapshot into a new cluster.`);
            }
            return;
        }
        if (isReplica(props)) {
            if (props.storageEncrypted === false) {
                report(`${args.name} is a read replica with storageEncrypted: false; leave it unset (a replica inherits its source's encryption) or true.`);
            }
            return;
        }
        if (props.storageEncrypted !== true) {
            report(
                `${args.name} must set storageEncrypted: true. An unencrypted instance has unencrypted backups, snapshots and replicas, and can only be encrypted later by restoring a snapshot into a new instance.`,
            );
        }
    }),
};

export const rdsNotPublic: ResourceValidationPolicy = {
    name: "rds-not-publicly-accessible",
    description: "RDS instances and DB clusters are not publicly accessible.",
    enforcementLevel: "mandatory",
    severity: "critical",
    // aws.rds.Cluster has no publiclyAccessible input (CreateDBCluster makes a Multi-AZ DB cluster in
    // private subnets private); if a provider version adds it, true is refused here too.
    validateResource: onTypes([T.rdsInstance, T.rdsCluster], (props, args, report) => {
        if (props.publiclyAccessible === true) {
            report(`${args.name} sets publiclyAccessible: true, which gives it a public DNS name and address; databases are reached only from the web tier's security group.`);
        }
    }),
};

export const rdsBackupRetention: ResourceValidationPolicy = {
    name: "rds-backup-retention",
    description: "RDS instances other than read replicas, and DB clusters, keep automated backups for at least 7 days.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: { properties: { minimumDays: { type: "integer", minimum: 1, maximum: 35, default: 7 } } },
    validateResource: onTypes([T.rdsInstance, T.rdsCluster], (props, args, report) => {
        if (args.type === T.rdsInstance && isReplica(props)) {
            args.notApplicable("read replicas are restored from their source's backups");
        }
        const minimum = args.getConfig<{ minimumDays?: number }>().minimumDays ?? 7;
        const days = props.backupRetentionPeriod;
        if (typeof days !== "number" || days < minimum) {
            report(
                `${args.name} keeps automated backups ${typeof days === "number" ? `${days} days` : "for an unset number of days"}; set backupRetentionPeriod to at least ${minimum} (point-in-time recovery, and read replicas need backups on).`,
            );
        }
    }),
};

/** Whether a resource belongs to a production stack: `Environment` = production in its own tags or its provider's default tags. */
function isProduction(props: Record<string, any>, provider: Record<string, any> | undefined): Known<boolean> {
    const own = peek(() => props.tags?.Environment);
    if (own === UNKNOWN || (provider && peek(() => provider.defaultTags) === UNKNOWN)) return UNKNOWN;
    return own === "production" || providerDefaultTags(provider)["Environment"] === "production";
}

export const rdsDeletionProtectionInProduction: ResourceValidationPolicy = {
    name: "rds-deletion-protection-in-production",
    description: "In production (tag Environment = production), RDS DB clusters and instances other than read replicas have deletion protection and skip no final snapshot.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onTypes([T.rdsInstance, T.rdsCluster], (props, args, report) => {
        if (args.type === T.rdsInstance && isReplica(props)) args.notApplicable("read replicas hold no data of their own and must stay replaceable");
        const production = isProduction(props, args.provider?.props);
        if (production === UNKNOWN) return;
        if (!production) args.notApplicable("not a production stack");
        if (props.deletionProtection !== true) {
            report(`${args.name} is in production and must set deletionProtection: true: a stray delete (a replaced resource, a destroyed stack) would take the database with it.`);
        }
        if (props.skipFinalSnapshot === true) {
            report(`${args.name} is in production and sets skipFinalSnapshot: true; keep a final snapshot (skipFinalSnapshot: false with a finalSnapshotIdentifier).`);
        }
    }),
};

// ---------------------------------------------------------------------------------------------------
// EC2.

const isTrue = (v: unknown) => v === true || v === "true";
/** A reference input that is given: a non-empty string, or a value not known until the update. */
const isSet = (v: unknown) => (typeof v === "string" && v !== "") || v === UNKNOWN;

export const ebsEncrypted: ResourceValidationPolicy = {
    name: "ebs-volumes-encrypted",
    description: "EBS volumes are encrypted: instance root and data volumes, standalone volumes, launch-template mappings.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onTypes([T.instance, T.volume, T.launchTemplate], (props, args, report) => {
        switch (args.type) {
            case T.instance: {
                const root = props.rootBlockDevice;
                if (root === undefined || root === null) {
                    report(
                        `${args.name} declares no rootBlockDevice, so its root volume is encrypted only if the AMI's snapshot or the account's EBS default says so; declare rootBlockDevice with encrypted: true.`,
                    );
                } else if (root.encrypted !== true) {
                    report(`${args.name} must set rootBlockDevice.encrypted: true.`);
                }
                (props.ebsBlockDevices ?? []).forEach((d: any, i: number) => {
                    if (d?.encrypted !== true) report(`${args.name} must set ebsBlockDevices[${i}] (${d?.deviceName}).encrypted: true.`);
                });
                return;
            }
            case T.volume:
                if (props.encrypted !== true) report(`${args.name} must set encrypted: true.`);
                return;
            case T.launchTemplate: {
                const mappings = items(() => props.blockDeviceMappings);
                // As for an instance without rootBlockDevice: the root volume would be whatever the AMI's
                // snapshot and the account's EBS default make it.
                if (mappings !== UNKNOWN && !mappings.some((m: any) => m !== UNKNOWN && m?.ebs)) {
                    report(
                        `${args.name} declares no blockDeviceMappings with ebs, so the root volume of every instance it launches is encrypted only if the AMI's snapshot or the account's EBS default says so; map the root device with ebs.encrypted: "true".`,
                    );
                }
                (props.blockDeviceMappings ?? []).forEach((m: any, i: number) => {
                    if (m?.ebs && !isTrue(m.ebs.encrypted)) {
                        report(`${args.name} must set blockDeviceMappings[${i}] (${m.deviceName}).ebs.encrypted: "true".`);
                    }
                });
                return;
            }
        }
    }),
};

export const imdsv2Required: ResourceValidationPolicy = {
    name: "ec2-imdsv2-required",
    description: "EC2 instances and launch templates require IMDSv2 session tokens (or turn the metadata service off).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onTypes([T.instance, T.launchTemplate], (props, args, report) => {
        const options = props.metadataOptions;
        if (options?.httpEndpoint === "disabled") return;
        if (options?.httpTokens !== "required") {
            report(
                `${args.name} must set metadataOptions.httpTokens: "required" (IMDSv2). With IMDSv1 a server-side request forgery in the app can read the instance role's credentials from 169.254.169.254.`,
            );
        }
    }),
};

export const noPublicIp: ResourceValidationPolicy = {
    name: "ec2-no-public-ip",
    description:
        "EC2 instances get no public IP address: not asked for, not by launch template, not by a subnet that assigns one on launch, not by an Elastic IP attached to an instance or a network interface.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onTypes([T.instance, T.launchTemplate, T.subnet, T.eip, T.eipAssociation], (props, args, report) => {
        switch (args.type) {
            case T.instance:
                if (props.associatePublicIpAddress === true) {
                    report(`${args.name} sets associatePublicIpAddress: true; servers sit in private subnets behind the load balancer and reach out through NAT.`);
                }
                return;
            case T.launchTemplate:
                (props.networkInterfaces ?? []).forEach((n: any, i: number) => {
                    if (isTrue(n?.associatePublicIpAddress)) report(`${args.name} sets networkInterfaces[${i}].associatePublicIpAddress; instances get no public IP.`);
                });
                return;
            case T.subnet:
                if (props.mapPublicIpOnLaunch === true) {
                    report(`${args.name} sets mapPublicIpOnLaunch: true, which gives every instance launched in it a public IPv4 address; set it to false (the load balancer and NAT gateways bring their own).`);
                }
                if (props.assignIpv6AddressOnCreation === true) {
                    report(`${args.name} sets assignIpv6AddressOnCreation: true, which gives every instance launched in it a globally routable IPv6 address; set it to false.`);
                }
                return;
            // An Elastic IP is a public address too. A NAT gateway's (or a network load balancer's) EIP sets
            // neither `instance` nor `networkInterface`: those take the allocation id themselves. A value
            // that is unknown in a preview (an instance created in the same update) counts as set.
            case T.eip:
                for (const key of ["instance", "networkInterface"] as const) {
                    if (isSet(peek(() => props[key]))) report(`${args.name} attaches an Elastic IP to ${key === "instance" ? "an instance" : "a network interface"} (${key}); servers get no public IP: they sit behind the load balancer and reach out through NAT.`);
                }
                return;
            case T.eipAssociation:
                for (const key of ["instanceId", "networkInterfaceId"] as const) {
                    if (isSet(peek(() => props[key]))) report(`${args.name} associates an Elastic IP with ${key === "instanceId" ? "an instance" : "a network interface"} (${key}); servers get no public IP: they sit behind the load balancer and reach out through NAT.`);
                }
                return;
        }
    }),
};

// ---------------------------------------------------------------------------------------------------
// Auto Scaling groups.

/** The health-check type a group needs for the traffic sources it declares (undefined: none declared). */
function healthCheckTypeFor(props: Record<string, any>): "ELB" | "VPC_LATTICE" | undefined {
    const arns = items(() => props.targetGroupArns);
    const sources = items(() => props.trafficSources);
    // An unknown list (ARNs of target groups created in the same preview) is a list of target groups.
    if (arns === UNKNOWN || (Array.isArray(arns) && arns.length > 0)) return "ELB";
    if (sources === UNKNOWN) return "ELB";
    const types = sources.map((s: any) => (s === UNKNOWN ? UNKNOWN : peek(() => s?.type)));
    if (types.length === 0) return undefined;
    // `type` is optional: elb (a Classic Load Balancer), elbv2 (a target group) or vpc-lattice (EC2 Auto
    // Scaling API Reference, TrafficSourceIdentifier); anything but vpc-lattice is a load balancer.
    return types.every((t) => t === "vpc-lattice") ? "VPC_LATTICE" : "ELB";
}

const HEALTH_CHECK_WHY =
    "the default EC2 health checks see only the instance's status checks, so a server whose web server fails stays in the group (out of rotation, never replaced) and an active-passive standby never takes over";

export const autoScalingElbHealthCheck: ResourceValidationPolicy = {
    name: "autoscaling-elb-health-check",
    description: "An Auto Scaling group attached to a load balancer's target group (targetGroupArns or trafficSources) replaces instances on its health checks: healthCheckType \"ELB\".",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onTypes([T.autoScalingGroup], (props, args, report) => {
        const needed = healthCheckTypeFor(props);
        if (needed === undefined) args.notApplicable("attached to no traffic source by its own inputs (attachment resources are checked by autoscaling-attached-elb-health-check)");
        const type = peek(() => props.healthCheckType);
        if (type === UNKNOWN || type === needed) return;
        report(`${args.name} is attached to ${needed === "ELB" ? "a target group" : "a VPC Lattice target group"} but uses healthCheckType ${type ?? "EC2 (the default)"}: ${HEALTH_CHECK_WHY}. Set healthCheckType: "${needed}".`);
    }),
};

export const autoScalingAttachedElbHealthCheck: StackValidationPolicy = {
    name: "autoscaling-attached-elb-health-check",
    description: "An Auto Scaling group attached to a target group by an aws.autoscaling.Attachment or TrafficSourceAttachment uses ELB health checks too.",
    enforcementLevel: "mandatory",
    severity: "high",
    // The link is a separate resource (the group's own inputs say nothing), so this is a stack policy.
    validateStack: (args, report) => {
        const groups = args.resources.filter((r) => r.type === T.autoScalingGroup);
        for (const attachment of args.resources.filter((r) => r.type === T.autoScalingAttachment || r.type === T.trafficSourceAttachment)) {
            const lattice = attachment.type === T.trafficSourceAttachment && peek(() => attachment.props.trafficSource?.type) === "vpc-lattice";
            const needed = lattice ? "VPC_LATTICE" : "ELB";
            for (const group of referencedBy(attachment, "autoscalingGroupName", groups, ["name", "id"])) {
                const type = peek(() => group.props.healthCheckType);
                if (type === UNKNOWN || type === needed) continue;
                report(`${group.name} is attached to a target group by ${attachment.name} but uses healthCheckType ${type ?? "EC2 (the default)"}: ${HEALTH_CHECK_WHY}. Set healthCheckType: "${needed}".`, group.urn);
            }
        }
    },
};

export const launchTemplateTags: ResourceValidationPolicy = {
    name: "launch-template-tags-launched",
    description: "Launch templates tag the instances and volumes they launch with the required tags (tagSpecifications): the provider's default tags do not reach them.",
    enforcementLevel: "mandatory",
    severity: "low",
    configSchema: { properties: { requiredTags: { type: "array", items: { type: "string" }, default: [...DEFAULT_REQUIRED_TAGS] } } },
    // The provider's defaultTags tag the template resource itself; instances an Auto Scaling group
    // launches from it get only the template's tagSpecifications (and the group's propagated tags):
    // terraform-aws-modules/terraform-aws-autoscaling #162, terraform-aws-eks #1916. The web servers were
    // aws.ec2.Instance resources that required-tags checked; this keeps their cost tags checked.
    validateResource: onTypes([T.launchTemplate], (props, args, report) => {
        const required = args.getConfig<{ requiredTags?: string[] }>().requiredTags ?? [...DEFAULT_REQUIRED_TAGS];
        const specs = items(() => props.tagSpecifications);
        if (specs === UNKNOWN) return;
        for (const resourceType of ["instance", "volume"]) {
            const spec = specs.find((s: any) => s !== UNKNOWN && peek(() => s?.resourceType) === resourceType) as Record<string, any> | undefined;
            const keys = spec ? ownTagKeys(spec) : [];
            if (keys === UNKNOWN) continue;
            const missing = required.filter((k) => !keys.includes(k));
            if (missing.length === 0) continue;
            report(
                `${args.name} launches ${resourceType === "instance" ? "instances" : "volumes"} without the tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: add them to tagSpecifications (resourceType "${resourceType}"); the provider's default tags tag the template, not what it launches.`,
            );
        }
    }),
};

// ---------------------------------------------------------------------------------------------------
// Load balancers.

export const albDropInvalidHeaders: ResourceValidationPolicy = {
    name: "alb-drop-invalid-header-fields",
    description: "Application load balancers drop HTTP headers with invalid names instead of passing them to the servers.",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: onTypes(T.loadBalancers, (props, args, report) => {
        if (!isApplicationLb(props)) args.notApplicable("only application load balancers parse HTTP headers");
        if (props.dropInvalidHeaderFields !== true) {
            report(`${args.name} must set dropInvalidHeaderFields: true: malformed header names are a request-smuggling and header-injection vector against the servers behind it.`);
        }
    }),
};

export const albAccessLogs: ResourceValidationPolicy = {
    name: "alb-access-logs-enabled",
    description: "Application load balancers write access logs to S3.",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: onTypes(T.loadBalancers, (props, args, report) => {
        if (!isApplicationLb(props)) args.notApplicable("access logs are checked on application load balancers");
        const logs = props.accessLogs;
        // An unknown bucket name (a bucket created in the same preview) will be set: accept it.
        const bucket = logs ? peek(() => logs.bucket) : undefined;
        if (!logs || logs.enabled !== true || !(bucket === UNKNOWN || (typeof bucket === "string" && bucket !== ""))) {
            report(`${args.name} must set accessLogs: { enabled: true, bucket } (an AccessLogBucket): without them there is no record of who sent what, for incident response.`);
        }
    }),
};

export const httpsTlsPolicy: ResourceValidationPolicy = {
    name: "alb-https-tls12-policy",
    description: "HTTPS and TLS listeners use a security policy whose minimum is TLS 1.2.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: onTypes(T.listeners, (props, args, report) => {
        const protocol = String(props.protocol ?? "").toUpperCase();
        if (protocol !== "HTTPS" && protocol !== "TLS") args.notApplicable("not an HTTPS or TLS listener");
        if (!isTls12Policy(props.sslPolicy)) {
            report(
                `${args.name} uses ${props.sslPolicy === undefined ? "no sslPolicy (AWS then applies ELBSecurityPolicy-2016-08, which accepts TLS 1.0)" : `sslPolicy ${props.sslPolicy}, which accepts TLS below 1.2`}; use ELBSecurityPolicy-TLS13-1-2-2021-06 or another TLS13-1-2/1-3, TLS-1-2 or FS-1-2 policy.`,
            );
        }
    }),
};

/** Upper-cased protocol of a listener, or UNKNOWN. */
function listenerProtocol(listener: PolicyResource): string | typeof UNKNOWN | undefined {
    const p = peek(() => listener.props.protocol);
    return typeof p === "string" ? p.toUpperCase() : p === UNKNOWN ? UNKNOWN : undefined;
}

/** The listeners of each load balancer (key: the LB's URN, or "" when the LB can't be identified). */
function listenersByLb(resources: readonly PolicyResource[]): Map<string, { lb?: PolicyResource; listeners: PolicyResource[] }> {
    const lbs = ofTypes(resources, T.loadBalancers).filter((lb) => isApplicationLb(lb.props));
    const groups = new Map<string, { lb?: PolicyResource; listeners: PolicyResource[] }>(lbs.map((lb) => [lb.urn, { lb, listeners: [] }]));
    for (const listener of ofTypes(resources, T.listeners)) {
        const lb = referencedBy(listener, "loadBalancerArn", lbs)[0];
        const key = lb?.urn ?? "";
        if (!groups.has(key)) groups.set(key, { listeners: [] });
        groups.get(key)!.listeners.push(listener);
    }
    return groups;
}

/** Why a set of listener actions is not a redirect to one of `httpsPorts` over HTTPS (undefined: it is). */
function redirectProblem(actionsOf: () => unknown, httpsPorts: ReadonlySet<string>): string | undefined {
    const actions = items(actionsOf);
    if (actions === UNKNOWN) return undefined;
    const kinds = actions.map((a) => (a === UNKNOWN ? "unknown" : String(peek(() => (a as any).type))));
    if (actions.length !== 1 || kinds[0] !== "redirect") return `its action is ${kinds.join(" + ") || "missing"}, not a redirect`;
    const redirect = peek(() => (actions[0] as any).redirect);
    if (redirect === UNKNOWN) return undefined;
    const protocol = peek(() => redirect?.protocol);
    if (protocol !== "HTTPS" && protocol !== UNKNOWN) return `it redirects to ${protocol ?? "the same protocol (#{protocol})"}, not HTTPS`;
    const port = peek(() => redirect?.port);
    if (port !== UNKNOWN && httpsPorts.size > 0 && !httpsPorts.has(String(port))) {
        return `it redirects to port ${port ?? "#{port} (the default: the HTTP port itself)"}, not the HTTPS listener's ${[...httpsPorts].join("/")}`;
    }
    return undefined;
}

export const httpRedirectsToHttps: StackValidationPolicy = {
    name: "alb-http-redirects-to-https",
    description: "Where HTTPS is configured (an HTTPS listener or a certificate in the stack), plain HTTP only redirects to it.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateStack: (args, report) => {
        const certificates = args.resources.filter((r) => r.type === T.certificate);
        const listenerRules = ofTypes(args.resources, T.listenerRules);
        for (const { lb, listeners } of listenersByLb(args.resources).values()) {
            const https = listeners.filter((l) => listenerProtocol(l) === "HTTPS");
            if (https.length === 0) {
                // A certificate means a domain is configured: then serving plain HTTP only is a mistake.
                if (lb && isInternetFacing(lb.props) && certificates.length > 0) {
                    report(
                        `${lb.name} has no HTTPS listener although the stack declares certificate ${certificates.map((c) => c.name).join(", ")}: serve HTTPS on 443 and redirect HTTP to it.`,
                        lb.urn,
                    );
                }
                continue;
            }
            const httpsPorts = new Set(https.map((l) => peek(() => l.props.port)).filter((p) => typeof p === "number").map(String));
            for (const http of listeners.filter((l) => listenerProtocol(l) === "HTTP")) {
                const problem = redirectProblem(() => http.props.defaultActions, httpsPorts);
                if (problem) report(`${http.name} serves plain HTTP next to an HTTPS listener: ${problem}. Redirect HTTP to HTTPS (HTTP_301, port 443).`, http.urn);
                for (const rule of listenerRules.filter((r) => referencedBy(r, "listenerArn", [http]).length > 0)) {
                    const ruleProblem = redirectProblem(() => rule.props.actions, httpsPorts);
                    if (ruleProblem) report(`${rule.name} on HTTP listener ${http.name} bypasses the HTTPS redirect: ${ruleProblem}.`, rule.urn);
                }
            }
        }
    },
};

export const httpOnlyAdvisory: StackValidationPolicy = {
    name: "alb-http-only",
    description: "An internet-facing load balancer without an HTTPS listener (no domain configured) is reported.",
    // Advisory: a stack without `domain`/`certificateArn` cannot have HTTPS (an ALB needs a certificate
    // for a name it serves), and dev stacks are HTTP-only by design. Raise it to mandatory for a stack
    // with `--policy-pack-config` ({"alb-http-only": "mandatory"}).
    enforcementLevel: "advisory",
    severity: "medium",
    validateStack: (args, report) => {
        for (const { lb, listeners } of listenersByLb(args.resources).values()) {
            if (!lb || !isInternetFacing(lb.props) || listeners.length === 0) continue;
            if (listeners.some((l) => listenerProtocol(l) === "HTTPS" || listenerProtocol(l) === UNKNOWN)) continue;
            report(
                `${lb.name} serves the internet over plain HTTP only: requests, cookies and credentials cross the network in clear text. Configure \`domain\` (or \`certificateArn\`) to serve HTTPS.`,
                lb.urn,
            );
        }
    },
};

export const wafAssociatedAdvisory: StackValidationPolicy = {
    name: "alb-waf-associated",
    description: "An internet-facing application load balancer has a WAF web ACL associated.",
    // Advisory: `wafEnabled: false` is allowed for throwaway stacks (config.ts requires the WAF in production).
    enforcementLevel: "advisory",
    severity: "medium",
    validateStack: (args, report) => {
        const associations = args.resources.filter((r) => r.type === T.wafAssociation);
        for (const lb of ofTypes(args.resources, T.loadBalancers)) {
            if (!isApplicationLb(lb.props) || !isInternetFacing(lb.props)) continue;
            if (associations.some((a) => referencedBy(a, "resourceArn", [lb], ["arn", "id"]).length > 0)) continue;
            report(`${lb.name} faces the internet without a WAF web ACL (set \`wafEnabled: true\`).`, lb.urn);
        }
    },
};

// ---------------------------------------------------------------------------------------------------
// S3.

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"] as const;

export const s3BlockPublicAccess: StackValidationPolicy = {
    name: "s3-block-public-access",
    description: "Every S3 bucket has a public access block with all four settings on (or the account has one).",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateStack: (args, report) => {
        const offFlags = (block: PolicyResource) => PUBLIC_ACCESS_FLAGS.filter((f) => peek(() => block.props[f]) !== true);
        // The account-level block overrides every bucket's settings.
        if (args.resources.some((r) => r.type === T.accountPublicAccessBlock && offFlags(r).length === 0)) return;
        const blocks = args.resources.filter((r) => r.type === T.bucketPublicAccessBlock);
        for (const bucket of ofTypes(args.resources, T.buckets)) {
            const own = blocks.filter((b) => referencedBy(b, "bucket", [bucket], ["id", "bucket"]).length > 0);
            if (own.length === 0) {
                report(`${bucket.name} has no aws.s3.BucketPublicAccessBlock: add one with ${PUBLIC_ACCESS_FLAGS.join(", ")} all true.`, bucket.urn);
                continue;
            }
            for (const block of own) {
                const off = offFlags(block);
                if (off.length > 0) report(`${block.name} (public access block of ${bucket.name}) must set ${off.join(", ")} to true.`, block.urn);
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------------
// Tags.

export const requiredTags: ResourceValidationPolicy = {
    name: "required-tags",
    description: "Every taggable AWS resource carries the Project, Stack, Owner and CostCenter tags (its own or the provider's default tags).",
    enforcementLevel: "mandatory",
    severity: "low",
    configSchema: { properties: { requiredTags: { type: "array", items: { type: "string" }, default: [...DEFAULT_REQUIRED_TAGS] } } },
    // The tags that matter are the effective ones: the resource's own `tags` plus its provider's
    // `defaultTags`. `tagsAll` (the provider's sum) is a computed output, so it is not among the inputs a
    // resource policy sees; the provider's inputs are, as `args.provider` (the engine puts the provider
    // resource in every AnalyzeRequest). A resource policy, so that a resource without the tags is refused
    // before it is created, in `pulumi up` without a preview too.
    validateResource: (args, report) => {
        if (!isTaggable(args.type, args.props)) args.notApplicable("not a taggable AWS resource");
        // The provider's default tags do not apply to a group (its `tags` is a list of {key, value,
        // propagateAtLaunch}); it costs nothing itself, and what it launches is tagged by its launch
        // template, checked by launch-template-tags-launched.
        if (args.type === T.autoScalingGroup) args.notApplicable("an Auto Scaling group's instances are tagged by its launch template (launch-template-tags-launched)");
        const required = args.getConfig<{ requiredTags?: string[] }>().requiredTags ?? [...DEFAULT_REQUIRED_TAGS];
        const own = ownTagKeys(args.props);
        // Own tags or the provider's default tags unknown (computed in this preview): they may supply
        // what is missing; the update, where both are known, decides.
        if (own === UNKNOWN || (args.provider && peek(() => args.provider!.props.defaultTags) === UNKNOWN)) return;
        const defaults = Object.entries(providerDefaultTags(args.provider?.props))
            .filter(([, v]) => v.trim() !== "")
            .map(([k]) => k);
        const effective = new Set([...defaults, ...own]);
        const missing = required.filter((k) => !effective.has(k));
        if (missing.length === 0) return;
        report(
            `${args.name} (${args.type}) would lack the tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: set them in the AWS provider's defaultTags (infra/main.ts does, from the stack config) or in the resource's tags.`,
        );
    },
};

// ---------------------------------------------------------------------------------------------------

/** Every guardrail, in the order a report lists them. */
export const policies: Policies = [
    noRemoteAdminPorts,
    worldIngressWebPortsOnly,
    noPublicIngress,
    rdsStorageEncrypted,
    rdsNotPublic,
    rdsBackupRetention,
    rdsDeletionProtectionInProduction,
    ebsEncrypted,
    imdsv2Required,
    noPublicIp,
    autoScalingElbHealthCheck,
    autoScalingAttachedElbHealthCheck,
    launchTemplateTags,
    albDropInvalidHeaders,
    albAccessLogs,
    httpsTlsPolicy,
    httpRedirectsToHttps,
    httpOnlyAdvisory,
    wafAssociatedAdvisory,
    s3BlockPublicAccess,
    requiredTags,
];
