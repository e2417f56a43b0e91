/**
 * The instance deployment: a primary (Multi-AZ or not) and up to five read replicas in other zones, each
 * with an identity of its own (identifier, log groups), and the promotion of a replica in two steps.
 *
 * Resource names and parents here are state: a renamed instance is a replaced database. They are
 * pinned by test/database-shape.test.ts.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
    MYSQL_PORT,
    RDS_LOG_EXPORTS,
    engineLifecycleSupport,
    instanceIdentifier,
    rdsLogGroupName,
    replicaZoneIndexes,
    snapshotIdentifier,
    supportsPerformanceInsights,
} from "../lib/rds";
import { ResolvedArgs } from "./args";
import { MonitoringRole } from "./monitoringRole";

/** Instance slots: `primary` and `replica-1` … `replica-5`. Slot names are part of resource names. */
export type Slot = string;

export interface InstanceDeploymentArgs {
    readonly availabilityZones: readonly string[];
    readonly securityGroupId: pulumi.Input<string>;
    readonly subnetGroupName: pulumi.Input<string>;
    readonly parameterGroupName: pulumi.Input<string>;
    readonly monitoring?: MonitoringRole;
    readonly masterPassword: pulumi.Output<string>;
}

export interface InstanceDeployment {
    /** Every instance by slot. */
    readonly instances: Readonly<Record<Slot, aws.rds.Instance>>;
    readonly writerSlot: Slot;
    readonly writer: aws.rds.Instance;
    /** Slots of the writer's read replicas, in slot order. */
    readonly readers: readonly Slot[];
    /** What the `writer` record waits for before it moves (see below). */
    readonly writerDependsOn: pulumi.Resource[];
}

/**
 * The inputs that ModifyDBInstance never sees: the provider keeps them in state only (terraform-provider-aws
 * internal/service/rds/instance.go, resourceInstanceUpdate: `HasChangesExcept(... "delete_automated_backups",
 * "final_snapshot_identifier", "replicate_source_db", "skip_final_snapshot", "tags", "tags_all")`), and
 * `replicateSourceDb` itself, whose removal is the PromoteReadReplica call. The promoting `up` changes
 * nothing else of the promoted replica, so no ModifyDBInstance runs after the promotion and `writer`
 * moves as soon as RDS reports the promoted instance available.
 */
export const PROMOTION_STEP_CHANGES: readonly string[] = ["replicateSourceDb", "skipFinalSnapshot", "finalSnapshotIdentifier", "deleteAutomatedBackups"];

export function createInstanceDeployment(parent: pulumi.Resource, name: string, cfg: ResolvedArgs, a: InstanceDeploymentArgs): InstanceDeployment {
    const tags = cfg.tags;
    const zone = (i: number) => a.availabilityZones[i];
    // Where each replica slot was placed before any promotion (the promoted one keeps that zone), and
    // where the replicas of the current writer go.
    const originalZones = replicaZoneIndexes(a.availabilityZones.length, cfg.replicaCount);
    const replicaZones = replicaZoneIndexes(a.availabilityZones.length, cfg.replicaCount, cfg.promoteReplica);
    const performanceInsights = supportsPerformanceInsights(cfg.instanceClass);
    const writerSlot: Slot = cfg.promoteReplica === undefined ? "primary" : `replica-${cfg.promoteReplica}`;
    const replicaSlots = Array.from({ length: cfg.replicaCount }, (_, i) => `replica-${i + 1}`);
    const stack = pulumi.getStack();
    const monitoringDeps = a.monitoring?.dependencies ?? [];

    // One identity per physical instance. Each slot's identifier ends with the hex of a RandomId whose
    // keepers are the inputs that make RDS replace the instance, so a replacement gets a new
    // identifier: Pulumi can create the new instance before deleting the old (two can't share an
    // identifier; with a fixed one replicas would need deleteBeforeReplace and `reader` would point at
    // a deleted replica for the 10-30 minutes a new one takes), and the final snapshot, named after
    // the identifier, never collides with an earlier one (DBSnapshotAlreadyExists).
    // - primary: dbName and username (engine is fixed; its zone drift is ignored, see writerOptions);
    // - replica: its source slot, the source's own suffix (a replaced writer — e.g. a new dbName in dev —
    //   gets a new suffix, so its replicas get new identifiers too and their replacements don't collide
    //   with the old replicas, DBInstanceAlreadyExists), and its zone;
    // - the promoted replica: frozen (ignoreChanges) at what it was as a replica, since a promotion is
    //   in place and must keep the identifier.
    const suffixes: Record<Slot, random.RandomId> = {};
    const identifiers: Record<Slot, pulumi.Output<string>> = {};
    const logGroups: Record<Slot, aws.cloudwatch.LogGroup[]> = {};
    const declareIdentity = (slot: Slot, keepers: Record<string, pulumi.Input<string>>, frozen: boolean) => {
        suffixes[slot] = new random.RandomId(`${name}-${slot}-id-suffix`, { byteLength: 4, keepers }, { parent, ignoreChanges: frozen ? ["keepers"] : [] });
        const identifier = suffixes[slot].hex.apply((hex) => instanceIdentifier(name, stack, slot, hex));
        identifiers[slot] = identifier;
        // RDS writes the exported logs to /aws/rds/instance/<identifier>/<type>, creating the group if
        // it is missing, with no retention and no tags. Declared here first (the instance depends on
        // them), RDS writes into ours. A replaced instance's groups are replaced with it (the name
        // holds the identifier) and deleted after it, so RDS never re-creates them. The retired
        // primary's are kept: its last logs stay readable for `logRetentionDays`.
        logGroups[slot] = RDS_LOG_EXPORTS.map(
            (logType) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-${slot}-${logType}-logs`,
                    {
                        name: identifier.apply((id) => rdsLogGroupName(id, logType)),
                        retentionInDays: cfg.logRetentionDays,
                        tags: { ...tags, Name: `${name}-${slot}-${logType}-logs` },
                    },
                    { parent },
                ),
        );
    };
    declareIdentity("primary", { engine: "mysql", dbName: cfg.dbName, username: cfg.username }, false);
    replicaSlots.forEach((slot, i) => {
        if (slot === writerSlot) {
            declareIdentity(slot, { source: "primary", sourceSuffix: suffixes.primary.hex, zone: zone(originalZones[i]) }, true);
        }
    });
    replicaSlots.forEach((slot, i) => {
        if (slot !== writerSlot) {
            declareIdentity(slot, { source: writerSlot, sourceSuffix: suffixes[writerSlot].hex, zone: zone(replicaZones[i]) }, false);
        }
    });

    const common = (slot: Slot, role: string): aws.rds.InstanceArgs => ({
        identifier: identifiers[slot],
        instanceClass: cfg.instanceClass,
        engineVersion: cfg.engineVersion,
        // Explicit, because the API default enrolls in paid Extended Support (see lib/rds.ts): disabled
        // for 8.4, enrolled for 8.0 (past standard support it can be created no other way). Replicas
        // inherit their source's; declaring the same keeps the plan clean.
        engineLifecycleSupport: engineLifecycleSupport(cfg.engineVersion),
        storageType: "gp3",
        // Replicas inherit the primary's encryption; declaring it on them too keeps the provider from
        // seeing a difference (storageEncrypted forces replacement).
        storageEncrypted: true,
        maxAllocatedStorage: cfg.maxAllocatedStorageGiB,
        port: MYSQL_PORT,
        parameterGroupName: a.parameterGroupName,
        vpcSecurityGroupIds: [a.securityGroupId],
        publiclyAccessible: false,
        iamDatabaseAuthenticationEnabled: true,
        autoMinorVersionUpgrade: true,
        caCertIdentifier: "rds-ca-rsa2048-g1",
        enabledCloudwatchLogsExports: [...RDS_LOG_EXPORTS],
        monitoringInterval: cfg.monitoringIntervalSeconds,
        monitoringRoleArn: a.monitoring?.roleArn,
        // Performance Insights' console becomes CloudWatch Database Insights (standard mode, free, 7 days);
        // the API and this flag stay. Not available on micro/small burstable classes.
        performanceInsightsEnabled: performanceInsights,
        performanceInsightsRetentionPeriod: performanceInsights ? 7 : undefined,
        // Backups on replicas too: AWS recommends backups, and one completed backup, on a replica
        // before promoting it (PromoteReadReplica), and a replica with backups can be a source itself.
        backupRetentionPeriod: cfg.backupRetentionDays,
        backupWindow: cfg.backupWindow,
        copyTagsToSnapshot: true,
        tags: { ...tags, Name: `${name}-${slot}`, Role: role },
    });

    // Nothing is lost when an instance that takes (or took) writes is deleted: a final snapshot named
    // after its identifier (unique per physical instance), and its automated backups kept. State-only
    // inputs for the provider (see PROMOTION_STEP_CHANGES).
    const keepData = (slot: Slot): Partial<aws.rds.InstanceArgs> => ({
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: identifiers[slot].apply((id) => snapshotIdentifier(id, "final")),
        deleteAutomatedBackups: false,
    });
    // An instance that takes writes: Multi-AZ as asked, deletion protection, the writer's window, the
    // master password.
    const writerSettings = (slot: Slot, zoneName: string): Partial<aws.rds.InstanceArgs> => ({
        multiAz: cfg.multiAz,
        // RDS places a Multi-AZ instance itself (CreateDBInstance rejects AvailabilityZone with MultiAZ),
        // and its standby: the standby may share a zone with a replica (a zone failure then fails the
        // writer over and takes that replica), which we can't prevent; see docs/database.md.
        availabilityZone: cfg.multiAz ? undefined : zoneName,
        maintenanceWindow: cfg.maintenanceWindow,
        deletionProtection: cfg.deletionProtection,
        ...keepData(slot),
        password: a.masterPassword,
    });
    const writerOptions = (slot: Slot): pulumi.CustomResourceOptions => ({
        parent,
        dependsOn: [...monitoringDeps, ...logGroups[slot]],
        protect: cfg.deletionProtection,
        // After a Multi-AZ failover RDS reports the standby's zone; availabilityZone forces replacement,
        // so without this a later plan would replace the database that takes the writes.
        ignoreChanges: ["availabilityZone"],
    });
    // What a replica is, apart from its source: its zone, the replicas' window, no Multi-AZ, no deletion
    // protection, no final snapshot (RDS takes none of a replica; it holds nothing the writer doesn't,
    // and must stay deletable so that it can be re-created after a promotion).
    const replicaSettings = (slot: Slot, zoneName: string): aws.rds.InstanceArgs => ({
        ...common(slot, "replica"),
        availabilityZone: zoneName,
        // Not the writer's window: an automatic minor upgrade restarts the replicas first, on their own
        // (see `replicaMaintenanceWindow`).
        maintenanceWindow: cfg.replicaMaintenanceWindow,
        multiAz: false,
        deletionProtection: false,
        skipFinalSnapshot: true,
        deleteAutomatedBackups: true,
    });

    const instances: Record<Slot, aws.rds.Instance> = {};
    const declarePrimary = !(cfg.promoteReplica !== undefined && cfg.retireFormerPrimary);
    if (declarePrimary) {
        instances.primary = new aws.rds.Instance(
            `${name}-primary`,
            {
                // Role "primary" whether or not it still takes the writes: a tag that flipped at a promotion
                // would be an update of a primary that may be down, and the promotion would wait on it. The
                // `writer` name (and the dbWriterIdentifier output) says which instance takes the writes.
                ...common("primary", "primary"),
                ...writerSettings("primary", zone(0)),
                engine: "mysql",
                // Replicas inherit the source's subnet group; a promoted replica keeps it.
                dbSubnetGroupName: a.subnetGroupName,
                allocatedStorage: cfg.allocatedStorageGiB,
                dbName: cfg.dbName,
                username: cfg.username,
            },
            writerOptions("primary"),
        );
    }
    if (cfg.promoteReplica !== undefined) {
        const i = cfg.promoteReplica - 1;
        // Promotion in place: the same resource without `replicateSourceDb` (the provider then calls
        // PromoteReadReplica). Never add username, dbName or engine here: they force replacement, i.e. a
        // new, empty database.
        instances[writerSlot] = cfg.promotionComplete
            ? // Step 2: the writer's settings, applied now rather than in the maintenance window (without
              // this a promoted writer stays single-AZ for up to a week). Turning Multi-AZ on doesn't
              // reboot. Only here: on the original primary a class or CA change would reboot a healthy
              // writer at `pulumi up` time, so those wait for its window; from now on this writer's
              // changes apply at `pulumi up` (a class change: a reboot, shorter with Multi-AZ).
              new aws.rds.Instance(
                  `${name}-${writerSlot}`,
                  { ...common(writerSlot, "writer"), ...writerSettings(writerSlot, zone(originalZones[i])), applyImmediately: true },
                  writerOptions(writerSlot),
              )
            : // Step 1: the replica as it was, minus its source, plus state-only inputs that keep its data
              // if it is ever deleted (PROMOTION_STEP_CHANGES). Protected already: `protect` is Pulumi's,
              // not an API call.
              new aws.rds.Instance(
                  `${name}-${writerSlot}`,
                  { ...replicaSettings(writerSlot, zone(originalZones[i])), ...keepData(writerSlot) },
                  { parent, dependsOn: [...monitoringDeps, ...logGroups[writerSlot]], protect: cfg.deletionProtection },
              );
    }
    const writer = instances[writerSlot];

    const readers: Slot[] = [];
    replicaSlots.forEach((slot, i) => {
        if (slot === writerSlot) return;
        readers.push(slot);
        instances[slot] = new aws.rds.Instance(
            `${name}-${slot}`,
            {
                ...replicaSettings(slot, zone(replicaZones[i])),
                // Same region: the source's identifier. (The ARN would be needed only with
                // dbSubnetGroupName, which a same-region replica inherits from its source.)
                replicateSourceDb: writer.identifier,
            },
            {
                parent,
                dependsOn: [...monitoringDeps, ...logGroups[slot]],
                // - `replicateSourceDb`: RDS can't re-point a replica to another source ("cannot elect new
                //   source database for replication"): a replica whose source changes (the other replicas
                //   at a promotion) is replaced by a replica of the new source.
                // - `identifier`: pulumi-aws v7 updates `identifier` in place (ModifyDBInstance
                //   NewDBInstanceIdentifier: a rename, deferred to the maintenance window without
                //   applyImmediately, and RDS drops the old DNS name at once). A new suffix must mean a
                //   new instance, created before the old one is deleted (the identifiers differ).
                // (Unsetting `promoteReplica`, which would point them back at the former primary, is
                // refused by the promotion guard.)
                replaceOnChanges: ["replicateSourceDb", "identifier"],
                deleteBeforeReplace: false,
            },
        );
    });

    if (cfg.promoteReplica !== undefined) {
        // The promotion guard. Unsetting `promoteReplica` would not demote the writer (RDS can't), but it
        // would re-declare replicas of the former primary and, after `retireFormerPrimary`, create a
        // new, EMPTY primary that the `writer` name then waits for. This resource exists only while a
        // promotion is declared, and is protected: removing it makes `pulumi preview` (and so `pulumi
        // up`) fail before anything changes. On purpose, undo with `pulumi state unprotect`
        // (docs/runbooks/db-writer-fails.md).
        new random.RandomId(`${name}-promotion-guard`, { byteLength: 1 }, { parent, protect: true });
    }
    if (cfg.promotionComplete) {
        // The same for step 2: unsetting `promotionComplete` while this replica still writes would put its
        // replica settings back, i.e. turn the writer's deletion protection and Multi-AZ OFF. Named after the
        // slot, so a later promotion of another replica (which re-creates this slot as a replica, a
        // deliberate step in the runbook) also needs it unprotected first.
        new random.RandomId(`${name}-${writerSlot}-writer-settings-guard`, { byteLength: 1 }, { parent, protect: true });
    }

    // The writer name moves only after the instances it could move between are settled. Before a
    // promotion, all of them, so that a refused change (RDS can't demote a writer) stops the update
    // before the name moves. After one, only the new writer: not the re-created replicas (10-30
    // minutes), and not the former primary, which may be down (nothing of it changes at a promotion;
    // the name must not wait on it).
    const writerDependsOn = cfg.promoteReplica === undefined ? Object.values(instances) : [writer];
    return { instances, writerSlot, writer, readers, writerDependsOn };
}
