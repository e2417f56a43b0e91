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
import { WebAcl } from "../components/waf";
import { WebServers } from "../components/webServer";
import { chooseZones } from "../components/lib/zones";
import { ConfigError, StackConfig, parseConfig, projectSettings } from "./config";
import { findPlaceholders, placeholderLines } from "./placeholders";
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

/**
 * Read the stack's settings; throws a `ConfigError` before anything is declared. Placeholders (a
 * documentation domain, the example account or AMI) are refused by a real `pulumi up`, and only
 * warned about in a preview or `npm run plan` (which runs as a preview), so a stack can be reviewed
 * before a team has filled in its own values.
 */
export function loadConfig(): StackConfig {
    const raw = projectSettings(pulumi.runtime.allConfig());
    const cfg = parseConfig(raw, pulumi.getStack(), new pulumi.Config("aws").get("region"));
    const placeholders = placeholderLines(findPlaceholders(raw));
    if (placeholders.length > 0) {
        if (!pulumi.runtime.isDryRun()) throw new ConfigError(placeholders.map((p) => `${p} (a preview accepts it; \`pulumi up\` does not)`));
        pulumi.log.warn(`Stack ${pulumi.getStack()} still holds placeholders; \`pulumi up\` will refuse them:\n${placeholders.map((p) => `  - ${p}`).join("\n")}`);
    }
    return cfg;
}

export async function main(): Promise<Record<string, unknown>> {
    const cfg = loadConfig();

    // One explicit provider carries the region and the default tags that every taggable resource gets
    // (v7: `tags` on a resource holds its own tags, `tagsAll` adds these).
    const provider = new aws.Provider("aws", {
        region: (new pulumi.Config("aws").get("region") ?? undefined) as aws.Region | undefined,
        defaultTags: { tags: { ...cfg.tags } },
        // Credentials of any other account make every operation fail before it changes anything.
        allowedAccountIds: cfg.awsAccountId !== undefined ? [cfg.awsAccountId] : undefined,
    });
    const opts: pulumi.ComponentResourceOptions = { providers: [provider] };

    // Zones are looked up, never hard-coded, and only those that offer the web instance type and the DB
    // instance class are used (zone names map to different physical zones in each account, so this is
    // asked in the stack's own account). Checked before any resource is declared.
    const zones = await aws.getAvailabilityZones(ZONE_QUERY, { provider });
    const webOfferings = await aws.ec2.getInstanceTypeOfferings(
        { locationType: "availability-zone", filters: [{ name: "instance-type", values: [cfg.web.instanceType] }] },
        { provider },
    );
    // The class and storage the database really deploys: a Multi-AZ DB cluster has its own class
    // (dbClusterInstanceClass) and storage type, and needs an option that supports clusters.
    const cluster = cfg.database.deployment === "multiAzCluster";
    const dbClass = cluster ? { setting: "dbClusterInstanceClass", value: cfg.database.clusterInstanceClass! } : { setting: "dbInstanceClass", value: cfg.database.instanceClass };
    // The settings name a major version (8.4); RDS offers options per full version, and the data source
    // fails on several matches: ask for the latest 8.4.x, as RDS would create it.
    const engine = await aws.rds.getEngineVersion({ engine: "mysql", version: cfg.database.engineVersion, latest: true }, { provider });
    const dbOffering = await aws.rds.getOrderableDbInstance(
        {
            engine: "mysql",
            engineVersion: engine.versionActual,
            instanceClass: dbClass.value,
            storageType: cluster ? (cfg.database.storageType ?? "gp3") : "gp3",
            ...(cluster ? { supportsClusters: true } : {}),
        },
        { provider },
    );
    let zoneNames: string[];
    try {
        zoneNames = chooseZones(zones, cfg.network.availabilityZoneCount, [
            { setting: "webInstanceType", value: cfg.web.instanceType, zones: webOfferings.locations },
            { ...dbClass, zones: dbOffering.availabilityZones },
        ]).names;
    } catch (error) {
        throw new ConfigError([(error as Error).message]);
    }
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

    // ---- database: primary + replicas, or a Multi-AZ DB cluster, in the database subnets; its own SG;
    // writer/reader names. Built before the servers so they get its connection settings; the servers'
    // SG is let in after.
    const d = cfg.database;
    const shape =
        d.deployment === "multiAzCluster"
            ? { deployment: d.deployment, clusterInstanceClass: d.clusterInstanceClass, storageType: d.storageType, iops: d.iops }
            : {
                  deployment: d.deployment,
                  instanceClass: d.instanceClass,
                  maxAllocatedStorageGiB: d.maxAllocatedStorageGiB,
                  multiAz: d.multiAz,
                  replicaCount: d.replicaCount,
                  promoteReplica: d.promoteReplica,
                  retireFormerPrimary: d.retireFormerPrimary,
                  promotionComplete: d.promotionComplete,
              };
    const db = withStackKeys(DATABASE_ARG_KEYS, () => new Database(
        "database",
        {
            vpcId: network.vpcId,
            subnetIds: network.databaseSubnetIds,
            availabilityZones: zoneNames,
            ...shape,
            engineVersion: d.engineVersion,
            parameterGroupFamily: d.parameterGroupFamily,
            allocatedStorageGiB: d.allocatedStorageGiB,
            backupRetentionDays: d.backupRetentionDays,
            dbName: d.dbName,
            username: d.username,
            monitoringIntervalSeconds: d.monitoringIntervalSeconds,
            logRetentionDays: d.logRetentionDays,
            deletionProtection: cfg.deletionProtection,
            production: cfg.isProduction,
        },
        opts,
    ));

    // ---- ALB access logs: private, SSE-S3, TLS-only bucket only ELB log delivery may write to ----
    // `region` decides the delivery principal (the regional ELB account, or the service principal in
    // regions opened since August 2022).
    const accessLogs = withStackKeys(ACCESS_LOGS_ARG_KEYS, () => new AccessLogBucket(
        "alb-logs",
        {
            region,
            expirationDays: cfg.security.accessLogRetentionDays,
            // Never forceDestroy: access logs are audit data ("nothing is lost"). Destroying a stack means
            // emptying the bucket first, on purpose (docs/deploy.md, Destroy a stack).
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
            targetPort: cfg.web.appPort,
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

    // ---- web tier: an Auto Scaling group over the private subnets, registered in the target group ----
    // After the load balancer (the group needs the target group); the LB then admits the fleet's SG.
    const webServers = withStackKeys(WEB_SERVERS_ARG_KEYS, () => new WebServers(
        "web",
        {
            vpcId: network.vpcId,
            subnetIds: network.privateSubnetIds,
            targetGroupArns: [loadBalancer.targetGroupArn],
            mode: cfg.web.mode,
            ...(cfg.web.mode === "active-active"
                ? { minSize: cfg.web.serverCount, maxSize: cfg.web.maxCount, scaling: cfg.web.scaling }
                : { warmStandbyCount: cfg.web.warmStandbyCount }),
            loadBalancerMetrics: { loadBalancerArnSuffix: loadBalancer.arnSuffix, targetGroupArnSuffix: loadBalancer.targetGroupArnSuffix },
            rollback5xxPerMinute: cfg.monitoring.http5xxPerMinute,
            egressReady: network.egressReady,
            instanceType: cfg.web.instanceType,
            amiId: cfg.web.amiId,
            rootVolumeSizeGiB: cfg.web.rootVolumeSizeGiB,
            appPort: cfg.web.appPort,
            database: db.connectionInfo,
            launchTags: { ...cfg.tags },
        },
        opts,
    ));
    loadBalancer.allowTargets(webServers.securityGroupId);
    db.allowConnectionsFrom("web", webServers.securityGroupId);

    // ---- WAF in front of the load balancer (off only for throwaway stacks; production requires it) ----
    const waf = cfg.security.wafEnabled
        ? withStackKeys(WEB_ACL_ARG_KEYS, () => new WebAcl("waf", { resourceArn: loadBalancer.arn, rateLimit: cfg.security.wafRateLimit, mode: cfg.security.wafMode }, opts))
        : undefined;

    // ---- monitoring: alarms to a person, dashboard, external health check ----
    const monitoring = withStackKeys(MONITORING_ARG_KEYS, () => new Monitoring(
        "monitoring",
        {
            region,
            alertEmail: cfg.monitoring.alertEmail,
            thresholds: cfg.monitoring,
            loadBalancer: { arnSuffix: loadBalancer.arnSuffix, targetGroupArnSuffix: loadBalancer.targetGroupArnSuffix, expectedHealthyHosts: cfg.web.activeCount },
            webFleet: {
                autoScalingGroupName: webServers.autoScalingGroupName,
                minSize: webServers.minSize,
                maxSize: webServers.maxSize,
                failoverFunctionName: webServers.failoverFunctionName,
            },
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
        webAutoScalingGroupName: webServers.autoScalingGroupName,
        webLaunchTemplateId: webServers.launchTemplateId,
        webLogGroupName: webServers.nginxLogGroupName,
        webServerMode: cfg.web.mode,
        webServerMinCount: webServers.minSize,
        webServerMaxCount: webServers.maxSize,
        webWarmStandbyCount: webServers.warmStandbyCount,
        dbWriterEndpoint: db.writerEndpoint,
        dbReaderEndpoint: db.readerEndpoint,
        dbSecretArn: db.secretArn,
        dbWriterIdentifier: db.writerIdentifier,
        dbReplicaIdentifiers: db.replicaIdentifiers,
        dbInstanceEndpoints: db.instanceEndpoints,
        dbReaderHealthCheckIds: db.readerHealthCheckIds,
        dbSecurityGroupId: db.securityGroupId,
        // The restore runbook (docs/runbooks/db-restore.md) creates side instances in the same subnet and parameter groups.
        dbSubnetGroupName: db.subnetGroupName,
        dbParameterGroupName: db.parameterGroupName,
        dashboardUrl: monitoring.dashboardUrl,
        alertTopicArn: monitoring.topicArn,
        // RDS events have a topic of their own, without a KMS key (components/monitoring.ts, dbEventsTopic).
        dbEventsTopicArn: monitoring.dbEventsTopicArn,
        alertTopicArnUsEast1: monitoring.usEast1TopicArn,
        healthCheckId: monitoring.healthCheckId,
        accessLogBucket: accessLogs.bucketName,
        wafWebAclName: waf?.webAclName,
        wafLogGroupName: waf?.logGroupName,
        // What `npm run plan` checks its recovery-time report against (a stack setting, not a figure).
        recoveryTargets: cfg.recoveryTargets,
    };
}
