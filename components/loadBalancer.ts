import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { certificateDomainProblem, hostnameProblem } from "./lib/formats";
import { defaultHostedZone, hostedZoneProblem } from "./lib/naming";
import { servicePortProblem } from "./lib/ports";

/** Target-group load-balancing algorithms (the API's snake_case values). */
export type LbAlgorithm = "round_robin" | "least_outstanding_requests" | "weighted_random";
export const LB_ALGORITHMS: readonly LbAlgorithm[] = ["round_robin", "least_outstanding_requests", "weighted_random"];

/**
 * TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only, forward-secret AEAD ciphers only ("Res"),
 * with hybrid post-quantum key exchange (ML-KEM) for clients that offer it. AWS's recommended policy
 * and the console default since 2025-09; clients without ML-KEM negotiate classical ECDHE.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
 */
export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09";

/**
 * HSTS: one year, without `includeSubDomains`/`preload`: this stack serves one name, and forcing
 * HTTPS on every name under it (or, for an apex domain, the whole zone) is a zone-wide decision.
 */
export const HSTS_HEADER = "max-age=31536000";

/** Health check, tuned for fast failover: out of rotation after 2 × 5 s = 10 s. */
export const HEALTH_CHECK = { intervalSeconds: 5, timeoutSeconds: 3, healthyThreshold: 2, unhealthyThreshold: 2, matcher: "200" } as const;

export interface LoadBalancerHttpsArgs {
    /**
     * Public name of the site. Issues an ACM certificate for it, validated by DNS in the Route 53
     * hosted zone `hostedZoneName`, and publishes an alias record to the load balancer.
     * @default - none: then `certificateArn` is required
     */
    readonly domain?: string;
    /**
     * Route 53 public hosted zone holding `domain` (looked up by name).
     * @default - `domain` when it has two labels, else its parent
     */
    readonly hostedZoneName?: string;
    /**
     * An existing ACM certificate (same region) for the HTTPS listener. No ACM resources are created.
     * @default - with `domain`: a new DNS-validated certificate
     */
    readonly certificateArn?: pulumi.Input<string>;
    /**
     * TLS security policy of the HTTPS listener.
     * @default DEFAULT_SSL_POLICY ("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09")
     */
    readonly sslPolicy?: string;
}

export interface LoadBalancerAccessLogsArgs {
    /**
     * S3 bucket for the access logs. Pass the name from the bucket POLICY resource (e.g.
     * `policy.bucket`), not from the bucket: the load balancer then waits for the policy that lets
     * ELB write, instead of failing its access check on create.
     */
    readonly bucket: pulumi.Input<string>;
    /**
     * Key prefix inside the bucket.
     * @default - none (the bucket root)
     */
    readonly prefix?: string;
}

export interface LoadBalancerArgs {
    /** VPC of the load balancer and its targets. */
    readonly vpcId: pulumi.Input<string>;
    /** Public subnets, in at least 2 zones (an ALB requires two). */
    readonly subnetIds: pulumi.Input<string>[];
    /** Port the targets listen on (HTTP). Never 22 or 3389. */
    readonly targetPort: number;
    /**
     * How the target group picks a target: `round_robin` (every server in turn), `least_outstanding_requests`
     * (the least busy), `weighted_random` (random, with automatic target weights: anomaly mitigation on).
     * @default "round_robin"
     */
    readonly algorithm?: LbAlgorithm;
    /**
     * Health-check path on the targets. It must not depend on the database, or a DB blip drains every target.
     * @default "/health"
     */
    readonly healthCheckPath?: string;
    /**
     * Seconds a deregistering target keeps its in-flight requests before it is cut off (0-3600).
     * @default 30
     */
    readonly deregistrationDelaySeconds?: number;
    /**
     * Deletion protection on the load balancer.
     * @default false
     */
    readonly deletionProtection?: boolean;
    /**
     * `dualstack` gives the load balancer IPv6 addresses too (the public subnets need IPv6 CIDRs) and
     * adds ::/0 ingress and an AAAA alias record.
     * @default "ipv4"
     */
    readonly ipAddressType?: "ipv4" | "dualstack";
    /**
     * HTTPS. With it: a 443 listener (TLS 1.3 policy, HSTS and security headers), port 80 redirects
     * there with a 301. Without it: port 80 forwards, and `httpsEnabled` is false.
     * @default - HTTP only
     */
    readonly https?: LoadBalancerHttpsArgs;
    /**
     * ALB access logs to S3.
     * @default - off
     */
    readonly accessLogs?: LoadBalancerAccessLogsArgs;
    /**
     * Tags added to every resource (on top of the provider's default tags).
     * @default {}
     */
    readonly tags?: Record<string, string>;
}

/** Defaults and validation: pure, runs before anything is registered. */
function resolveLoadBalancerArgs(name: string, args: LoadBalancerArgs) {
    const algorithm = args.algorithm ?? "round_robin";
    const healthCheckPath = args.healthCheckPath ?? "/health";
    const deregistrationDelaySeconds = args.deregistrationDelaySeconds ?? 30;
    const deletionProtection = args.deletionProtection ?? false;
    const ipAddressType = args.ipAddressType ?? "ipv4";
    const tags = args.tags ?? {};
    const https = args.https;

    const fail = (message: string) => {
        throw new Error(`LoadBalancer ${name}: ${message}`);
    };
    if (args.subnetIds.length < 2) {
        fail(`\`subnetIds\` must name public subnets in at least 2 zones (got ${args.subnetIds.length}): an Application Load Balancer needs two`);
    }
    if (!LB_ALGORITHMS.includes(algorithm)) {
        fail(`\`algorithm\` must be one of ${LB_ALGORITHMS.join(", ")} (got ${JSON.stringify(algorithm)})`);
    }
    const portProblem = servicePortProblem(args.targetPort, "targetPort");
    if (portProblem) fail(portProblem);
    if (!/^\/[\x21-\x7e]{0,1023}$/.test(healthCheckPath)) {
        fail(`\`healthCheckPath\` must start with / and have no spaces, at most 1024 characters (got ${JSON.stringify(healthCheckPath)})`);
    }
    if (!Number.isInteger(deregistrationDelaySeconds) || deregistrationDelaySeconds < 0 || deregistrationDelaySeconds > 3600) {
        fail(`\`deregistrationDelaySeconds\` must be a whole number from 0 to 3600 (got ${deregistrationDelaySeconds})`);
    }
    if (ipAddressType !== "ipv4" && ipAddressType !== "dualstack") {
        fail(`\`ipAddressType\` must be one of ipv4, dualstack (got ${JSON.stringify(ipAddressType)})`);
    }
    let hostedZoneName: string | undefined;
    if (https) {
        if (https.domain === undefined && https.certificateArn === undefined) {
            fail("`https` needs `domain` (to issue a certificate) or `certificateArn` (to use one)");
        }
        const domainProblem = https.domain === undefined ? undefined : hostnameProblem(https.domain, "https.domain");
        if (domainProblem) fail(domainProblem);
        const zoneProblem = hostedZoneProblem(https.domain, https.hostedZoneName);
        if (zoneProblem) fail(zoneProblem);
        if (https.domain !== undefined) {
            hostedZoneName = (https.hostedZoneName ?? defaultHostedZone(https.domain)).replace(/\.$/, "");
            const nameProblem = https.certificateArn === undefined ? certificateDomainProblem(https.domain) : undefined;
            if (nameProblem) fail(nameProblem);
        }
    }
    return { algorithm, healthCheckPath, deregistrationDelaySeconds, deletionProtection, ipAddressType, tags, https, hostedZoneName };
}

/**
 * The single entry point: an internet-facing Application Load Balancer in the public subnets of ≥ 2
 * zones, one target group (round robin by default) that the web fleet's Auto Scaling group registers
 * its servers in, and the firewall chain by security-group reference (the targets' side added by
 * `allowTargets`):
 *
 *   internet —80/443 (0.0.0.0/0, ::/0)→ LB SG —targetPort→ target SG
 *
 * The LB's group admits 80 (and 443 only when HTTPS is on: no port is open without a listener), and
 * may send only to the targets' group on the target port (which also carries the health checks). The
 * matching ingress rule on the targets' group is created here, as a child of the load balancer, so the
 * chain is declared in one place.
 *
 * With HTTPS (`https.domain` and/or `https.certificateArn`): a 443 listener with a TLS 1.3 policy and
 * HSTS, nosniff, frame-deny headers set by the listener, and port 80 answers 301 to HTTPS. The HTTP
 * listener keeps its name in both modes, so turning HTTPS on updates it in place.
 */
export class LoadBalancer extends pulumi.ComponentResource {
    public readonly loadBalancer: aws.lb.LoadBalancer;
    public readonly arn: pulumi.Output<string>;
    /** For CloudWatch `LoadBalancer` dimensions. */
    public readonly arnSuffix: pulumi.Output<string>;
    public readonly dnsName: pulumi.Output<string>;
    /** Route 53 zone of the LB's DNS name (alias target). */
    public readonly zoneId: pulumi.Output<string>;
    public readonly targetGroup: aws.lb.TargetGroup;
    public readonly targetGroupArn: pulumi.Output<string>;
    /** For CloudWatch `TargetGroup` dimensions. */
    public readonly targetGroupArnSuffix: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    /** Port 80: forwards (HTTP only) or redirects to HTTPS. */
    public readonly httpListener: aws.lb.Listener;
    public readonly httpsListener?: aws.lb.Listener;
    public readonly httpsEnabled: boolean;
    /** https://domain, https://<dnsName> (certificate ARN without domain), or http://<dnsName>. */
    public readonly url: pulumi.Output<string>;
    /** The certificate on the HTTPS listener (the validated ACM one, or the given ARN). */
    public readonly certificateArn?: pulumi.Output<string>;
    public readonly algorithm: LbAlgorithm;
    public readonly healthCheckPath: string;
    public readonly healthCheckIntervalSeconds: number;
    public readonly unhealthyThreshold: number;
    public readonly deregistrationDelaySeconds: number;
    public readonly targetPort: number;
    private readonly componentName: string;
    private readonly ruleTags: Record<string, string>;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        const r = resolveLoadBalancerArgs(name, args);
        super("web-infra:web:LoadBalancer", name, {}, opts);
        const parent = { parent: this };
        const dualstack = r.ipAddressType === "dualstack";
        this.httpsEnabled = r.https !== undefined;
        this.algorithm = r.algorithm;
        this.healthCheckPath = r.healthCheckPath;
        this.healthCheckIntervalSeconds = HEALTH_CHECK.intervalSeconds;
        this.unhealthyThreshold = HEALTH_CHECK.unhealthyThreshold;
        this.deregistrationDelaySeconds = r.deregistrationDelaySeconds;
        this.targetPort = args.targetPort;
        this.componentName = name;
        this.ruleTags = r.tags;

        // ---- security groups: internet → LB → targets ----
        // The provider removes the allow-all egress rule AWS puts on a new group: only the rules below exist.
        const sg = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                description: `web-infra load balancer (${name}): HTTP/HTTPS from the internet, to the web servers only`,
                tags: { ...r.tags, Name: `${name}-sg` },
            },
            parent,
        );
        this.securityGroupId = sg.id;
        const ports = this.httpsEnabled ? [80, 443] : [80];
        const sources = dualstack ? [{ family: "ipv4", cidr: { cidrIpv4: "0.0.0.0/0" } }, { family: "ipv6", cidr: { cidrIpv6: "::/0" } }] : [{ family: "ipv4", cidr: { cidrIpv4: "0.0.0.0/0" } }];
        for (const port of ports) {
            const protocol = port === 443 ? "https" : "http";
            for (const source of sources) {
                new aws.vpc.SecurityGroupIngressRule(
                    `${name}-${protocol}-${source.family}`,
                    {
                        securityGroupId: sg.id,
                        // Rule and group descriptions allow only a-zA-Z0-9, space and ._-:/()#,@[]+=&;{}!$*
                        // (no apostrophe); AWS refuses anything else at create time, which no preview catches.
                        description:
                            port === 443
                                ? `Internet (${source.family}) to the HTTPS listener of the load balancer`
                                : `Internet (${source.family}) to the HTTP listener of the load balancer${this.httpsEnabled ? " (answers 301 to HTTPS)" : ""}`,
                        ipProtocol: "tcp",
                        fromPort: port,
                        toPort: port,
                        ...source.cidr,
                        tags: { ...r.tags, Name: `${name}-${protocol}-${source.family}` },
                    },
                    parent,
                );
            }
        }
        // ---- load balancer ----
        this.loadBalancer = new aws.lb.LoadBalancer(
            `${name}-alb`,
            {
                loadBalancerType: "application",
                internal: false,
                subnets: args.subnetIds,
                securityGroups: [sg.id],
                ipAddressType: r.ipAddressType,
                // Reject requests with header names that are not valid HTTP (request smuggling, header injection).
                dropInvalidHeaderFields: true,
                desyncMitigationMode: "defensive",
                enableDeletionProtection: r.deletionProtection,
                idleTimeout: 60,
                ...(args.accessLogs ? { accessLogs: { enabled: true, bucket: args.accessLogs.bucket, prefix: args.accessLogs.prefix } } : {}),
                tags: { ...r.tags, Name: `${name}-alb` },
            },
            parent,
        );
        this.arn = this.loadBalancer.arn;
        this.arnSuffix = this.loadBalancer.arnSuffix;
        this.dnsName = this.loadBalancer.dnsName;
        this.zoneId = this.loadBalancer.zoneId;

        // ---- target group and targets ----
        this.targetGroup = new aws.lb.TargetGroup(
            `${name}-tg`,
            {
                vpcId: args.vpcId,
                targetType: "instance",
                port: args.targetPort,
                protocol: "HTTP",
                protocolVersion: "HTTP1",
                // snake_case: the API's values (the provider's doc comment shows camelCase, wrongly).
                loadBalancingAlgorithmType: r.algorithm,
                // Anomaly mitigation exists only with weighted_random, and is the reason to pick it.
                ...(r.algorithm === "weighted_random" ? { loadBalancingAnomalyMitigation: "on" } : {}),
                deregistrationDelay: r.deregistrationDelaySeconds,
                healthCheck: {
                    enabled: true,
                    protocol: "HTTP",
                    port: "traffic-port",
                    path: r.healthCheckPath,
                    interval: HEALTH_CHECK.intervalSeconds,
                    timeout: HEALTH_CHECK.timeoutSeconds,
                    healthyThreshold: HEALTH_CHECK.healthyThreshold,
                    unhealthyThreshold: HEALTH_CHECK.unhealthyThreshold,
                    matcher: HEALTH_CHECK.matcher,
                },
                tags: { ...r.tags, Name: `${name}-tg` },
            },
            parent,
        );
        this.targetGroupArn = this.targetGroup.arn;
        this.targetGroupArnSuffix = this.targetGroup.arnSuffix;
        // No targets here: the web fleet's Auto Scaling group registers its servers itself
        // (`targetGroupArns`), the one attachment mechanism; see `allowTargets` for the firewall side.

        // ---- certificate and DNS ----
        const domain = r.https?.domain;
        const zone = r.hostedZoneName === undefined ? undefined : aws.route53.getZoneOutput({ name: r.hostedZoneName, privateZone: false }, parent);
        let certificateArn: pulumi.Output<string> | undefined;
        if (r.https?.certificateArn !== undefined) {
            certificateArn = pulumi.output(r.https.certificateArn);
        } else if (domain !== undefined && zone !== undefined) {
            const certificate = new aws.acm.Certificate(
                `${name}-cert`,
                { domainName: domain, validationMethod: "DNS", keyAlgorithm: "RSA_2048", tags: { ...r.tags, Name: `${name}-cert` } },
                parent,
            );
            // One name, so one validation record: the CNAME ACM asks for, read from the certificate.
            const dvo = certificate.domainValidationOptions.apply((options) => {
                const option = options.find((o) => o.domainName === domain);
                if (!option) throw new Error(`LoadBalancer ${name}: ACM returned no validation option for ${domain}`);
                return option;
            });
            const validationRecord = new aws.route53.Record(
                `${name}-cert-validation-record`,
                {
                    zoneId: zone.zoneId,
                    name: dvo.resourceRecordName,
                    type: dvo.resourceRecordType,
                    records: [dvo.resourceRecordValue],
                    ttl: 60,
                    // ACM reuses the same validation CNAME for the same name in an account: a replacement
                    // certificate (created before the old one is deleted) finds the record already there.
                    allowOverwrite: true,
                },
                parent,
            );
            // Waits until ACM has issued the certificate; the listener uses its ARN, so it waits too.
            const validation = new aws.acm.CertificateValidation(
                `${name}-cert-validation`,
                { certificateArn: certificate.arn, validationRecordFqdns: [validationRecord.fqdn] },
                parent,
            );
            certificateArn = validation.certificateArn;
        }
        this.certificateArn = certificateArn;

        if (domain !== undefined && zone !== undefined) {
            for (const type of dualstack ? ["A", "AAAA"] : ["A"]) {
                new aws.route53.Record(
                    `${name}-alias-${type.toLowerCase()}`,
                    {
                        zoneId: zone.zoneId,
                        name: domain,
                        type,
                        aliases: [{ name: this.loadBalancer.dnsName, zoneId: this.loadBalancer.zoneId, evaluateTargetHealth: true }],
                    },
                    parent,
                );
            }
        }

        // ---- listeners ----
        const forward = [{ type: "forward", targetGroupArn: this.targetGroup.arn }];
        // Set by the listener on every response: the servers need not get them right.
        const securityHeaders = {
            routingHttpResponseXContentTypeOptionsHeaderValue: "nosniff",
            routingHttpResponseXFrameOptionsHeaderValue: "DENY",
            routingHttpResponseServerEnabled: false,
        };
        if (certificateArn !== undefined) {
            this.httpsListener = new aws.lb.Listener(
                `${name}-https`,
                {
                    loadBalancerArn: this.loadBalancer.arn,
                    port: 443,
                    protocol: "HTTPS",
                    sslPolicy: r.https?.sslPolicy ?? DEFAULT_SSL_POLICY,
                    certificateArn,
                    defaultActions: forward,
                    routingHttpResponseStrictTransportSecurityHeaderValue: HSTS_HEADER,
                    ...securityHeaders,
                    tags: { ...r.tags, Name: `${name}-https` },
                },
                parent,
            );
        }
        this.httpListener = new aws.lb.Listener(
            `${name}-http`,
            {
                loadBalancerArn: this.loadBalancer.arn,
                port: 80,
                protocol: "HTTP",
                defaultActions: this.httpsEnabled
                    ? [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]
                    : forward,
                ...securityHeaders,
                tags: { ...r.tags, Name: `${name}-http` },
            },
            // The redirect's inputs do not reference the 443 listener, so without this Pulumi would create
            // (or, turning HTTPS on, update) port 80 at once: for the minutes ACM takes to validate the
            // certificate, every http:// request would be sent to a port with no listener.
            this.httpsListener === undefined ? parent : { ...parent, dependsOn: [this.httpsListener] },
        );

        this.url =
            domain !== undefined
                ? pulumi.output(`https://${domain}`)
                : this.httpsEnabled
                  ? pulumi.interpolate`https://${this.loadBalancer.dnsName}`
                  : pulumi.interpolate`http://${this.loadBalancer.dnsName}`;

        this.registerOutputs({
            arn: this.arn,
            dnsName: this.dnsName,
            targetGroupArn: this.targetGroupArn,
            securityGroupId: this.securityGroupId,
            url: this.url,
            httpsEnabled: this.httpsEnabled,
        });
    }

    /**
     * The targets' side of the chain: the LB's group may send to `targetSecurityGroupId` on the target
     * port, and that group admits the port from the LB's group only (requests and health checks). Both
     * rules are children of the load balancer, so the chain is declared in one place. A method rather
     * than an arg because the targets (the web fleet) need the target group first: build the load
     * balancer, then the fleet with `targetGroupArns`, then call this with the fleet's group. The rules
     * take seconds; a server's health is ignored for its grace period (minutes), so no server is ever
     * judged before they exist.
     */
    public allowTargets(targetSecurityGroupId: pulumi.Input<string>): void {
        const name = this.componentName;
        const port = this.targetPort;
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-to-targets`,
            {
                securityGroupId: this.securityGroupId,
                description: `Load balancer to the web servers on port ${port}: requests and health checks`,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                referencedSecurityGroupId: targetSecurityGroupId,
                tags: { ...this.ruleTags, Name: `${name}-to-targets` },
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-targets-from-lb`,
            {
                securityGroupId: targetSecurityGroupId,
                description: `Web servers accept port ${port} from the load balancer only: requests and health checks`,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                referencedSecurityGroupId: this.securityGroupId,
                tags: { ...this.ruleTags, Name: `${name}-targets-from-lb` },
            },
            { parent: this },
        );
    }
}
