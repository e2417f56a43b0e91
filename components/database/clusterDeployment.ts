/**
 * The Multi-AZ DB cluster deployment: one `aws.rds.Cluster` with engine `mysql` — a writer and two
 * readable standbys, each in its own zone, semi-synchronous (a commit waits for one standby, so a
 * failover loses no committed write), automatic failover typically under 35 s (RDS API reference,
 * FailoverDBCluster). RDS creates and names the three DB instances itself; there is no
 * `aws.rds.Instance` of ours.
 *
 * What the instance deployment guarantees holds here too: encrypted storage, not public (the DB subnet
 * group has no route out of the VPC; `publiclyAccessible` is not an argument of aws.rds.Cluster, and
 * CreateDBCluster makes a cluster in private subnets private), backups of 7-35 days, a final snapshot,
 * deletion protection + `protect` in production, the security group that admits only the clients of
 * `allowConnectionsFrom`, the master password in our secret, the parameters, error and slow-query logs
 * in log groups of ours with retention, Enhanced Monitoring and Performance Insights (every Multi-AZ DB
 * cluster class has it).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { MULTI_AZ_CLUSTER_ZONES, MYSQL_PORT, RDS_LOG_EXPORTS, engineLifecycleSupport, instanceIdentifier, rdsClusterLogGroupName, snapshotIdentifier } from "../lib/rds";
import { ResolvedArgs } from "./args";
import { MonitoringRole } from "./monitoringRole";

export interface ClusterDeploymentArgs {
    readonly availabilityZones: readonly string[];
    readonly securityGroupId: pulumi.Input<string>;
    readonly subnetGroupName: pulumi.Input<string>;
    readonly clusterParameterGroupName: pulumi.Input<string>;
    readonly monitoring?: MonitoringRole;
    readonly masterPassword: pulumi.Output<string>;
}

export function createClusterDeployment(parent: pulumi.Resource, name: string, cfg: ResolvedArgs, a: ClusterDeploymentArgs): aws.rds.Cluster {
    const tags = cfg.tags;
    const stack = pulumi.getStack();
    // The identity of the physical cluster, as for the instances (instanceDeployment.ts): a new suffix
    // whenever RDS would replace the cluster (dbName, username), so the new one never collides with the
    // old one's identifier or final snapshot.
    const suffix = new random.RandomId(`${name}-cluster-id-suffix`, { byteLength: 4, keepers: { engine: "mysql", dbName: cfg.dbName, username: cfg.username } }, { parent });
    const identifier = suffix.hex.apply((hex) => instanceIdentifier(name, stack, "cluster", hex));
    // RDS writes a cluster's exported logs to /aws/rds/cluster/<identifier>/<type>; ours first, with
    // retention and tags (see instanceDeployment.ts).
    const logGroups = RDS_LOG_EXPORTS.map(
        (logType) =>
            new aws.cloudwatch.LogGroup(
                `${name}-cluster-${logType}-logs`,
                {
                    name: identifier.apply((id) => rdsClusterLogGroupName(id, logType)),
                    retentionInDays: cfg.logRetentionDays,
                    tags: { ...tags, Name: `${name}-cluster-${logType}-logs` },
                },
                { parent },
            ),
    );
    return new aws.rds.Cluster(
        `${name}-cluster`,
        {
            clusterIdentifier: identifier,
            engine: "mysql",
            engineVersion: cfg.engineVersion,
            // Explicit, as for instances: the API default enrolls in paid Extended Support.
            engineLifecycleSupport: engineLifecycleSupport(cfg.engineVersion),
            // Setting the class (with storage and IOPS) is what makes CreateDBCluster build a Multi-AZ DB
            // cluster rather than an Aurora one.
            dbClusterInstanceClass: cfg.clusterInstanceClass,
            storageType: cfg.storageType,
            allocatedStorage: cfg.allocatedStorageGiB,
            iops: cfg.iops,
            storageEncrypted: true,
            // One zone per instance: the writer and both standbys each in a zone of their own.
            availabilityZones: a.availabilityZones.slice(0, MULTI_AZ_CLUSTER_ZONES),
            dbSubnetGroupName: a.subnetGroupName,
            vpcSecurityGroupIds: [a.securityGroupId],
            dbClusterParameterGroupName: a.clusterParameterGroupName,
            port: MYSQL_PORT,
            databaseName: cfg.dbName,
            masterUsername: cfg.username,
            masterPassword: a.masterPassword,
            iamDatabaseAuthenticationEnabled: true,
            autoMinorVersionUpgrade: true,
            caCertificateIdentifier: "rds-ca-rsa2048-g1",
            backupRetentionPeriod: cfg.backupRetentionDays,
            preferredBackupWindow: cfg.backupWindow,
            preferredMaintenanceWindow: cfg.maintenanceWindow,
            copyTagsToSnapshot: true,
            deletionProtection: cfg.deletionProtection,
            // Nothing is lost on deletion: a final snapshot named after the identifier, backups kept.
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: identifier.apply((id) => snapshotIdentifier(id, "final")),
            deleteAutomatedBackups: false,
            enabledCloudwatchLogsExports: [...RDS_LOG_EXPORTS],
            monitoringInterval: cfg.monitoringIntervalSeconds,
            monitoringRoleArn: a.monitoring?.roleArn,
            performanceInsightsEnabled: true,
            performanceInsightsRetentionPeriod: 7,
            tags: { ...tags, Name: `${name}-cluster` },
        },
        { parent, dependsOn: [...(a.monitoring?.dependencies ?? []), ...logGroups], protect: cfg.deletionProtection },
    );
}
