/**
 * The stack program: read and validate config → look up what AWS decides (zones) → build the
 * components → return the stack outputs. `infra/index.ts` hands this function to Pulumi; tests and
 * `npm run plan` call it under the mock engine.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccessLogBucket } from "../components/accessLogs";
import { Database } from "../components/database";
import { LoadBalancer } from "../components/loadBalancer";
import { Monitoring } from "../components/monitoring";
import { Network, ZONE_QUERY } from "../components/network";
import { StandbyFailover } from "../components/standbyFailover";
import { WebAcl } from "../components/waf";
import { WebServers } from "../components/webServer";
import { ConfigError, StackConfig, parseConfig, projectSettings } from "./config";
import {
    ACCESS_LOGS_ARG_KEYS,
    DATABASE_ARG_KEYS,
    LOAD_BALANCER_ARG_KEYS,
    MONITORING_ARG_KEYS,
    NETWORK_ARG_KEYS,
    WEB_ACL_ARG_KEYS,
    WEB_SERVERS_ARG_KEYS,
    withStackKeys,
} from "./stackKeys";

/** Read the stack's settings; throws a `ConfigError` before anything is declared. */
export function loadConfig(): StackConfig {
    return parseConfig(projectSettings(pulumi.runtime.allConfig()), pulumi.getStack(), new pulumi.Config("aws").get("region"));
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
    // A plain region: monitoring decides from it whether the health-check alarm needs a us-east-1 topic.
    const region = (await aws.getRegion({}, { provider })).region;

    // Each component checks its own arguments; `withStackKeys` reports a refusal naming the setting.
    const network = withStackKeys(NETWORK_ARG_KEYS, () => new Network(
        "network",
        {
            cidrBlock: cfg.network.vpcCidr,
            availabilityZones: zoneNames,
            natStrategy: cfg.network.natStrategy,
            flowLogRetentionDays: cfg.network.flowLogRetentionDays,
        },
        opts,
    ));

    // ---- database: primary + replicas in the database subnets, its own SG, writer/reader names ----
    // Built before the servers so they get its connection settings; the servers' SG is let in after.
    const db = withStackKeys(DATABASE_ARG_KEYS, () => new Database(
        "database",
        {
            vpcId: network.vpcId,
            subnetIds: network.databaseSubnetIds,
            availabilityZones: zoneNames,
            engineVersion: cfg.database.engineVersion,
            parameterGroupFamily: cfg.database.parameterGroupFamily,
            instanceClass: cfg.database.instanceClass,
            allocatedStorageGiB: cfg.database.allocatedStorageGiB,
            maxAllocatedStorageGiB: cfg.database.maxAllocatedStorageGiB,
            multiAz: cfg.database.multiAz,
            backupRetentionDays: cfg.database.backupRetentionDays,
            replicaCount: cfg.database.replicaCount,
            promoteReplica: cfg.database.promoteReplica,
            retireFormerPrimary: cfg.database.retireFormerPrimary,
            dbName: cfg.database.dbName,
            username: cfg.database.username,
            monitoringIntervalSeconds: cfg.database.monitoringIntervalSeconds,
            logRetentionDays: cfg.database.logRetentionDays,
            deletionProtection: cfg.deletionProtection,
            production: cfg.isProduction,
        },
        opts,
    ));

    // ---- web tier: servers round robin over the private subnets, all behind one load balancer ----
    const webServers = withStackKeys(WEB_SERVERS_ARG_KEYS, () => new WebServers(
        "web",
        {
            vpcId: network.vpcId,
            subnetIds: network.privateSubnetIds,
            availabilityZones: zoneNames,
            count: cfg.web.serverCount,
            instanceType: cfg.web.instanceType,
            amiId: cfg.web.amiId,
            rootVolumeSizeGiB: cfg.web.rootVolumeSizeGiB,
            appPort: cfg.web.appPort,
            database: db.connectionInfo,
        },
        opts,
    ));
    db.allowConnectionsFrom("web", webServers.securityGroupId);

    // active-active: every server in the target group. active-passive: the first serves, the rest are
    // warm standbys that StandbyFailover registers when it fails.
    const activeIds = webServers.instanceIds.slice(0, cfg.web.activeCount);
    const standbyIds = webServers.instanceIds.slice(cfg.web.activeCount);
    // ---- ALB access logs: private, SSE-S3, TLS-only bucket only ELB log delivery may write to ----
    // `region` decides the delivery principal (the regional ELB account, or the service principal in
    // regions opened since August 2022).
    const accessLogs = withStackKeys(ACCESS_LOGS_ARG_KEYS, () => new AccessLogBucket(
        "alb-logs",
        {
            region,
            expirationDays: cfg.security.accessLogRetentionDays,
            // Never forceDestroy: access logs are audit data ("nothing is lost"). Destroying a stack means
            // emptying the bucket first, on purpose (README, deploy section).
            forceDestroy: false,
            protect: cfg.deletionProtection,
        },
        opts,
    ));
    const loadBalancer = withStackKeys(LOAD_BALANCER_ARG_KEYS, () => new LoadBalancer(
        "lb",
        {
            vpcId: network.vpcId,
            subnetIds: network.publicSubnetIds,
            targetInstanceIds: activeIds,
            targetSecurityGroupId: webServers.securityGroupId,
            targetPort: webServers.appPort,
            algorithm: cfg.web.lbAlgorithm,
            deletionProtection: cfg.deletionProtection,
            // The public subnets carry IPv6 when the network has it: serve both families then.
            ipAddressType: network.ipv6Enabled ? "dualstack" : "ipv4",
            https: cfg.https.enabled
                ? { domain: cfg.https.domain, hostedZoneName: cfg.https.hostedZone, certificateArn: cfg.https.certificateArn }
                : undefined,
            // The name comes from the bucket policy: the ALB waits until ELB may write there.
            accessLogs: { bucket: accessLogs.bucketName, prefix: accessLogs.prefix },
        },
        opts,
    ));

    // ---- WAF in front of the load balancer (off only for throwaway stacks; production requires it) ----
    const waf = cfg.security.wafEnabled
        ? withStackKeys(WEB_ACL_ARG_KEYS, () => new WebAcl("waf", { resourceArn: loadBalancer.arn, rateLimit: cfg.security.wafRateLimit }, opts))
        : undefined;

    // ---- monitoring: alarms to a person, dashboard, external health check ----
    const monitoring = withStackKeys(MONITORING_ARG_KEYS, () => new Monitoring(
        "monitoring",
        {
            region,
            alertEmail: cfg.monitoring.alertEmail,
            thresholds: cfg.monitoring,
            loadBalancer: { arnSuffix: loadBalancer.arnSuffix, targetGroupArnSuffix: loadBalancer.targetGroupArnSuffix, expectedHealthyHosts: cfg.web.activeCount },
            webServers: webServers.instanceIds.map((instanceId, i) => ({ name: `web-${i + 1}`, instanceId })),
            database: {
                ...db.monitoringTargets,
                allocatedStorageGiB: cfg.database.allocatedStorageGiB,
                maxAllocatedStorageGiB: cfg.database.maxAllocatedStorageGiB,
            },
            // The WebACL dimension of WAF metrics is the ACL's metric name (visibilityConfig.metricName).
            waf: waf ? { webAclMetricName: waf.metricName } : undefined,
            healthCheck: cfg.https.domain ? { domain: cfg.https.domain, path: loadBalancer.healthCheckPath } : undefined,
        },
        opts,
    ));

    const failover =
        standbyIds.length > 0
            ? new StandbyFailover(
                  "web-failover",
                  {
                      targetGroupArn: loadBalancer.targetGroupArn,
                      targetGroupArnSuffix: loadBalancer.targetGroupArnSuffix,
                      loadBalancerArnSuffix: loadBalancer.arnSuffix,
                      activeInstanceIds: activeIds,
                      standbyInstanceIds: standbyIds,
                      port: webServers.appPort,
                      notifyTopicArns: [monitoring.topicArn],
                  },
                  opts,
              )
            : undefined;

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
        webLogGroupName: webServers.nginxLogGroupName,
        webServerMode: cfg.web.mode,
        standbyServerIds: standbyIds,
        failoverFunctionName: failover?.functionName,
        dbWriterEndpoint: db.writerEndpoint,
        dbReaderEndpoint: db.readerEndpoint,
        dbSecretArn: db.secretArn,
        dbWriterIdentifier: db.writerIdentifier,
        dbReplicaIdentifiers: db.replicaIdentifiers,
        dbInstanceEndpoints: db.instanceEndpoints,
        dbReaderHealthCheckIds: db.readerHealthCheckIds,
        dbSecurityGroupId: db.securityGroupId,
        // The restore runbook (README, Database) creates side instances in the same subnet and parameter groups.
        dbSubnetGroupName: db.subnetGroupName,
        dbParameterGroupName: db.parameterGroupName,
        dashboardUrl: monitoring.dashboardUrl,
        alertTopicArn: monitoring.topicArn,
        alertTopicArnUsEast1: monitoring.usEast1TopicArn,
        healthCheckId: monitoring.healthCheckId,
        accessLogBucket: accessLogs.bucketName,
        wafWebAclName: waf?.webAclName,
        wafLogGroupName: waf?.logGroupName,
    };
}
