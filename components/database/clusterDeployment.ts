/**
 * The Multi-AZ DB cluster deployment: one `aws.rds.Cluster` with engine `mysql` — a writer and two
 * readable standbys, each in its own zone, semi-synchronous (a commit waits for one standby, so a
 * failover loses no committed write), automatic failover typically under 35 s (RDS API reference,
 * FailoverDBCluster). RDS creates and names the three DB instances itself; there is no
 * `aws.rds.Instance` of ours.
 *
 * What the instance deployment guarantees holds here too: encrypted storage, not public (the DB subnet
 * group has no route out of the VPC; `publiclyAccessible` is not an argument of aws.rds.Cluster, and
 * CreateDBCluster makes a cluster in private subnets private), backups of 7-35 days (point-in-time
 * recovery while the cluster exists), a final snapshot (the only copy once it is deleted),
 * deletion protection + `protect` in production, the security group that admits only the clients of
 * `allowConnectionsFrom`, the master password in our secret, the parameters, error and slow-query logs
 * in log groups of ours with retention, Enhanced Monitoring and Performance Insights (every Multi-AZ DB
 * cluster class has it).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
    MAX_MULTI_AZ_CLUSTER_IDENTIFIER,
    MULTI_AZ_CLUSTER_ZONES,
    MYSQL_PORT,
    RDS_LOG_EXPORTS,
    engineLifecycleSupport,
    instanceIdentifier,
    rdsClusterLogGroupName,
    snapshotIdentifier,
} from "../lib/rds";
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
    // whenever the provider would replace the cluster, so that the new one (Pulumi creates it before
    // deleting the old) never collides with the old one's identifier (DBClusterAlreadyExists) or final
    // snapshot (DBClusterSnapshotAlreadyExists). CLUSTER_REPLACING_INPUTS says which inputs those are.
    const suffix = new random.RandomId(`${name}-cluster-id-suffix`, { byteLength: 4, keepers: clusterKeepers(cfg, a.subnetGroupName) }, { parent });
    // A Multi-AZ DB cluster identifier has at most 52 characters, not the 63 of an instance's.
    const identifier = suffix.hex.apply((hex) => instanceIdentifier(name, stack, "cluster", hex, MAX_MULTI_AZ_CLUSTER_IDENTIFIER));
    // The full minor version of the major asked for, for CreateDBCluster: see clusterEngineVersion.
    const engineVersion = clusterEngineVersion(cfg.engineVersion, parent);
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
            engineVersion,
            // Explicit, as for instances: the API default enrolls in paid Extended Support.
            engineLifecycleSupport: engineLifecycleSupport(cfg.engineVersion),
            // Setting the class (with storage and IOPS) is what makes CreateDBCluster build a Multi-AZ DB
            // cluster rather than an Aurora one.
            dbClusterInstanceClass: cfg.clusterInstanceClass,
            storageType: cfg.storageType,
            allocatedStorage: cfg.allocatedStorageGiB,
            iops: cfg.iops,
            storageEncrypted: true,
            // One zone per instance: the writer and both standbys each in a zone of their own. Read at
            // create only (see ignoreChanges below).
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
            // Nothing is lost on deletion: a final snapshot named after the identifier. It is all that
            // protects the data: RDS retains automated backups of deleted DB instances only, not of
            // Multi-AZ DB clusters (RDS User Guide, "Retaining automated backups"), so there is no
            // point-in-time recovery of a deleted cluster. deleteAutomatedBackups: false asks for them
            // anyway, in case RDS ever keeps them.
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
        {
            parent,
            dependsOn: [...(a.monitoring?.dependencies ?? []), ...logGroups],
            protect: cfg.deletionProtection,
            ignoreChanges: [...CLUSTER_IGNORED_CHANGES],
        },
    );
}

/**
 * Inputs of the cluster that our config can change and whose change makes the provider replace the
 * cluster (terraform-provider-aws internal/service/rds/cluster.go, resourceCluster: `ForceNew` on
 * database_name, master_username, db_subnet_group_name, storage_encrypted, engine, kms_key_id…, and a
 * CustomizeDiff that forces new on `storage_type` for every engine but Aurora; the provider's docs:
 * "storageType (Forces new for Multi-AZ DB clusters)"). Each is a keeper of the identifier's suffix.
 *
 * Keepers rather than refusing the change in args.ts: args.ts sees only the config asked for, never
 * what is deployed, so it can't tell a change from a first deployment. A replacement is safe with a new
 * identifier (the old cluster leaves its final snapshot; in production `protect` stops the plan
 * first). `availabilityZones` (also ForceNew) is ignored instead, see CLUSTER_IGNORED_CHANGES; engine,
 * storageEncrypted and the port are constants, and kmsKeyId is not set (the account's RDS key).
 */
export const CLUSTER_REPLACING_INPUTS = ["engine", "databaseName", "masterUsername", "storageType", "storageEncrypted", "dbSubnetGroupName"] as const;

/** The suffix keepers: one per CLUSTER_REPLACING_INPUTS entry, with the value the cluster gets. */
export function clusterKeepers(cfg: Pick<ResolvedArgs, "dbName" | "username" | "storageType">, subnetGroupName: pulumi.Input<string>): Record<(typeof CLUSTER_REPLACING_INPUTS)[number], pulumi.Input<string>> {
    return {
        engine: "mysql",
        databaseName: cfg.dbName,
        masterUsername: cfg.username,
        storageType: cfg.storageType,
        storageEncrypted: "true",
        dbSubnetGroupName: subnetGroupName,
    };
}

/**
 * Inputs of the cluster read at creation only:
 *
 * - `engineVersion`: the provider sends EngineVersion in every ModifyDBCluster whose `engine_version`
 *   differs from `engine_version_actual` (cluster.go, resourceClusterUpdate: "continue sending the
 *   desired engine_version"), so a major-only "8.4" against a running 8.4.x would go out with any
 *   unrelated change (hashicorp/terraform-provider-aws #15101, #31686, #39579). We create with the full
 *   version and ignore it afterwards: RDS moves the minor itself (`autoMinorVersionUpgrade`), and a
 *   newer minor from the look-up must not become a downgrade or an upgrade outside the window. A major
 *   upgrade is therefore not made by `pulumi up`: see docs/database.md.
 * - `availabilityZones`: Optional + Computed + ForceNew in the provider; RDS reports the zones it
 *   chose, in its order, and a list that differs from ours would replace the cluster.
 */
export const CLUSTER_IGNORED_CHANGES = ["engineVersion", "availabilityZones"] as const;

/**
 * The newest available full version of MySQL `major` (e.g. `8.4` → `8.4.7`), RDS's answer
 * (DescribeDBEngineVersions through aws.rds.getEngineVersion; `versionActual` is the complete version,
 * `version` may some day be only what was asked).
 */
export function clusterEngineVersion(major: string, parent: pulumi.Resource): pulumi.Output<string> {
    return aws.rds.getEngineVersionOutput({ engine: "mysql", version: major, latest: true }, { parent }).versionActual;
}
