/**
 * The stack program: read and validate config → look up what AWS decides (zones) → build the
 * components → return the stack outputs. `infra/index.ts` hands this function to Pulumi; tests and
 * `npm run plan` call it under the mock engine.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LoadBalancer } from "../components/loadBalancer";
import { Network, ZONE_QUERY } from "../components/network";
import { WebServers } from "../components/webServer";
import { ConfigError, StackConfig, parseConfig, projectSettings } from "./config";

/** Read the stack's settings; throws a `ConfigError` before anything is declared. */
export function loadConfig(): StackConfig {
    return parseConfig(projectSettings(pulumi.runtime.allConfig()), pulumi.getStack());
}

export async function main(): Promise<Record<string, unknown>> {
    const cfg = loadConfig();

    // One explicit provider carries the region and the default tags that every taggable resource gets
    // (v7: `tags` on a resource holds its own tags, `tagsAll` adds these).
    const provider = new aws.Provider("aws", {
        region: (new pulumi.Config("aws").get("region") ?? undefined) as aws.Region | undefined,
        defaultTags: { tags: { ...cfg.tags } },
    });
    const opts: pulumi.ComponentResourceOptions = { providers: [provider] };

    // Zones are looked up, never hard-coded, and checked against the config before any resource.
    const zones = await aws.getAvailabilityZones(ZONE_QUERY, { provider });
    if (zones.names.length < cfg.network.availabilityZoneCount) {
        throw new ConfigError([
            `\`availabilityZoneCount\` must be at most ${zones.names.length} in this region, which has ${zones.names.length} zones without opt-in (${zones.names.join(", ")}) (got ${cfg.network.availabilityZoneCount})`,
        ]);
    }
    const zoneNames = zones.names.slice(0, cfg.network.availabilityZoneCount);

    const network = new Network(
        "network",
        {
            cidrBlock: cfg.network.vpcCidr,
            availabilityZones: zoneNames,
            natStrategy: cfg.network.natStrategy,
            flowLogRetentionDays: cfg.network.flowLogRetentionDays,
        },
        opts,
    );

    // database tier wired here: Database (its own SG) before the servers, so they get
    // `database: db.connectionInfo`; then `db.allowConnectionsFrom("web", webServers.securityGroupId)`.

    // ---- web tier: servers round robin over the private subnets, all behind one load balancer ----
    const webServers = new WebServers(
        "web",
        {
            vpcId: network.vpcId,
            subnetIds: network.privateSubnetIds,
            availabilityZones: zoneNames,
            count: cfg.web.serverCount,
            instanceType: cfg.web.instanceType,
            rootVolumeSizeGiB: cfg.web.rootVolumeSizeGiB,
            appPort: cfg.web.appPort,
        },
        opts,
    );
    const loadBalancer = new LoadBalancer(
        "lb",
        {
            vpcId: network.vpcId,
            subnetIds: network.publicSubnetIds,
            targetInstanceIds: webServers.instanceIds,
            targetSecurityGroupId: webServers.securityGroupId,
            targetPort: webServers.appPort,
            algorithm: cfg.web.lbAlgorithm,
            deletionProtection: cfg.deletionProtection,
            // The public subnets carry IPv6 when the network has it: serve both families then.
            ipAddressType: network.ipv6Enabled ? "dualstack" : "ipv4",
            https: cfg.https.enabled
                ? { domain: cfg.https.domain, hostedZoneName: cfg.https.hostedZone, certificateArn: cfg.https.certificateArn }
                : undefined,
        },
        opts,
    );

    return {
        environment: cfg.environment,
        availabilityZones: zoneNames,
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        databaseSubnetIds: network.databaseSubnetIds,
        natGatewayIds: network.natGateways.map((n) => n.id),
        flowLogGroupName: network.flowLogGroupName,
        url: loadBalancer.url,
        albDnsName: loadBalancer.dnsName,
        httpsEnabled: loadBalancer.httpsEnabled,
        targetGroupArn: loadBalancer.targetGroupArn,
        webServerIds: webServers.instanceIds,
        webServerZones: webServers.instanceAvailabilityZones,
    };
}
