/**
 * The Database component's arguments, their defaults and every rule on them, checked before anything is
 * registered (`resolveDatabaseArgs`). Pure: no resources.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    COMPONENT_NAME_PATTERN,
    CLUSTER_STORAGE_LIMITS,
    ClusterStorageType,
    DB_DEPLOYMENTS,
    DB_INSTANCE_CLASS_PATTERN,
    DNS_NAME_PATTERN,
    DbDeployment,
    ENGINE_VERSION_PATTERN,
    LOG_RETENTION_DAYS,
    MAX_REPLICAS,
    MAX_STORAGE_GIB,
    MIN_STORAGE_GIB,
    MONITORING_INTERVALS,
    MULTI_AZ_CLUSTER_CLASS_FAMILIES,
    MULTI_AZ_CLUSTER_ZONES,
    backupRetentionProblem,
    clusterStorageProblems,
    dbNameProblem,
    defaultPrivateZoneName,
    isMultiAzClusterClass,
    masterUsernameProblem,
    maxAllocatedStorageProblem,
    parameterGroupFamily,
    parseMaintenanceWindow,
    promoteReplicaProblem,
    retireFormerPrimaryProblem,
    weeklyWindowsOverlap,
    windowProblems,
} from "../lib/rds";

export type { ClusterStorageType, DbDeployment } from "../lib/rds";

export interface DatabaseArgs {
    /**
     * The shape of the database (docs/database.md has the table of shapes):
     * - `instance`: a primary instance (Multi-AZ with `multiAz`) and `replicaCount` read replicas in other
     *   zones; a failed single-AZ primary is replaced by promoting a replica (`promoteReplica`).
     * - `multiAzCluster`: an RDS Multi-AZ DB cluster: one writer and two readable standbys in three zones,
     *   semi-synchronous (a commit waits for one standby, so failover loses no committed write), automatic
     *   failover typically under 35 s (RDS API reference, FailoverDBCluster). Needs three zones, a
     *   Multi-AZ DB cluster class (`clusterInstanceClass`) and provisioned storage; no storage autoscaling,
     *   no read replicas of ours, no promotion (RDS fails over by itself).
     * Switching a live stack from one to the other is a migration (docs/database.md), not an `up`.
     * @default "instance"
     */
    readonly deployment?: DbDeployment;
    /** VPC of the database subnets; the security group and the private hosted zone belong to it. */
    readonly vpcId: pulumi.Input<string>;
    /**
     * The database subnets (isolated, no route out of the VPC), one per zone, at least two: RDS requires a
     * DB subnet group to span two zones, and a replica needs a zone other than the primary's.
     */
    readonly subnetIds: pulumi.Input<string>[];
    /**
     * Zone of each subnet, same order as `subnetIds`. The primary goes to zone 0 (unless Multi-AZ, where
     * RDS places it and its standby), replica i round robin over the other zones; after a promotion the
     * other replicas go round robin over the zones other than the new writer's.
     */
    readonly availabilityZones: readonly string[];
    /**
     * MySQL major version, `8.4` (LTS) or `8.0`. RDS picks the newest minor and upgrades it in the
     * maintenance window (`autoMinorVersionUpgrade`), so a full minor such as `8.4.3` is refused: after
     * the first automatic upgrade the next `pulumi up` would try to downgrade it.
     *
     * 8.0 left RDS standard support on 2026-07-31: it can only be created enrolled in paid RDS Extended
     * Support (about $0.10 per vCPU-hour on every instance, standby included), which this component then
     * asks for explicitly. 8.4 instances are created with Extended Support disabled: no surcharge can
     * start silently, and when 8.4 leaves standard support RDS upgrades them to the next major version.
     * @default "8.4"
     */
    readonly engineVersion?: string;
    /**
     * DB parameter group family; must match the engine's major version.
     * @default - derived from `engineVersion`, e.g. "mysql8.4"
     */
    readonly parameterGroupFamily?: string;
    /**
     * Instance class of every instance (a replica should keep up with its primary, and a promoted replica
     * becomes the primary). Performance Insights is turned on only where the class supports it.
     * @default "db.t4g.micro"
     */
    readonly instanceClass?: string;
    /**
     * `multiAzCluster` only: the class of the cluster's three instances. Multi-AZ DB clusters run only
     * on classes with local NVMe storage: db.c6gd (the only one with a `medium` size), m5d, m6gd, m6id,
     * m6idn, r5d, r6gd, r6id, r6idn, x2iedn (RDS User Guide, "Instance class availability for Multi-AZ
     * DB clusters").
     * @default "db.c6gd.medium"
     */
    readonly clusterInstanceClass?: string;
    /**
     * `multiAzCluster` only: storage type of each of the three instances: `gp3` (400 GiB at least here,
     * where RDS for MySQL stripes it and includes 12000 IOPS; a Multi-AZ DB cluster always takes an
     * explicit `iops`) or `io1`/`io2` (Provisioned IOPS: 100 GiB and 1000 IOPS at least). gp3 by default:
     * at list prices 400 GiB of gp3 with its 12000 included IOPS costs less than 100 GiB of io1 with
     * 1000 provisioned IOPS (IOPS are billed per IOPS-month on io1), and is faster.
     * @default "gp3"
     */
    readonly storageType?: ClusterStorageType;
    /**
     * `multiAzCluster` only: provisioned IOPS of each instance. io1: 1000-256000 and 0.5-50 IOPS per
     * GiB; io2: 1000-256000 and 0.5-1000 per GiB; gp3: 12000-64000.
     * @default 1000 (io1, io2), 12000 (gp3)
     */
    readonly iops?: number;
    /**
     * Initial gp3 storage of the primary, GiB (20 to 65536). Replicas start with the primary's size.
     * `multiAzCluster`: the storage of each of its instances (see `storageType` for the minimums).
     * @default 20 (instance), 400 (multiAzCluster with gp3), 100 (multiAzCluster with io1/io2)
     */
    readonly allocatedStorageGiB?: number;
    /**
     * Storage autoscaling limit, GiB, greater than `allocatedStorageGiB`; RDS grows storage up to it when
     * free space runs low. Not with `multiAzCluster`: Multi-AZ DB clusters have no storage autoscaling.
     * @default 100 (instance); none (multiAzCluster)
     */
    readonly maxAllocatedStorageGiB?: number;
    /**
     * Multi-AZ writer: a synchronous standby in another zone that RDS fails over to by itself (the
     * endpoint's DNS moves in 1-2 minutes, no data lost). Doubles the writer's instance cost.
     * @default false
     */
    readonly multiAz?: boolean;
    /**
     * Automated backup retention of every instance, in days (7 to 35): point-in-time recovery reaches
     * back this far, and RDS creates read replicas only from a source with backups on.
     * @default 7
     */
    readonly backupRetentionDays?: number;
    /**
     * Daily backup window, UTC `hh24:mi-hh24:mi`, at least 30 minutes, not overlapping `maintenanceWindow`.
     * @default "03:00-04:00"
     */
    readonly backupWindow?: string;
    /**
     * Weekly maintenance window (minor upgrades, pending changes) of the writer (and of the former
     * primary after a promotion), UTC `ddd:hh24:mi-ddd:hh24:mi`, at least 30 minutes, not overlapping
     * `backupWindow`.
     * @default "sun:04:30-sun:05:30"
     */
    readonly maintenanceWindow?: string;
    /**
     * Weekly maintenance window of the read replicas, same format and rules, and not overlapping
     * `maintenanceWindow`: an automatic minor upgrade (a reboot) then never takes the writer and the
     * readers down together. The day before the writer's, so that a minor that becomes RDS's upgrade
     * target during the week reaches the replicas first (MySQL replicates from an older source to a newer
     * replica, not the other way round) and a bad one shows on a reader before the writer takes it.
     * @default "sat:04:30-sat:05:30"
     */
    readonly replicaMaintenanceWindow?: string;
    /**
     * Retention of the instances' CloudWatch log groups (`/aws/rds/instance/<identifier>/error` and
     * `…/slowquery`), in days; one of CloudWatch Logs' values (1, 3, 5, 7, 14, 30, 60, 90, …, 3653).
     * The component creates the groups before the instances, so RDS writes into them instead of
     * creating its own, which never expire.
     * @default 30
     */
    readonly logRetentionDays?: number;
    /**
     * Number of read replicas (0 to 5), each in a zone other than the primary's. Not with
     * `multiAzCluster`: its two readable standbys are the readers.
     * @default 1 (instance)
     */
    readonly replicaCount?: number;
    /**
     * Promote read replica N (1-based) to a standalone primary and point the `writer` name at it. The
     * other replicas are re-created as replicas of it, in zones other than its own; the former primary is
     * left alone (see `retireFormerPrimary`). From step 2 (`promotionComplete`) on, its changes apply at
     * once (`applyImmediately`). One-way: never unset it once applied (a protected guard resource makes Pulumi
     * refuse that; see docs/runbooks/db-writer-fails.md).
     *
     * Step 1 of 2: the `up` that promotes changes nothing of the replica but `replicateSourceDb`. The
     * provider calls PromoteReadReplica and waits for the instance, then calls ModifyDBInstance with
     * every other changed input and waits for that too (terraform-provider-aws
     * internal/service/rds/instance.go, resourceInstanceUpdate). So the writer settings (Multi-AZ, the
     * master password, deletion protection, the writer's window) wait for step 2, `promotionComplete`,
     * and `writer` moves as soon as the promotion itself is done.
     * @default - no promotion: `primary` is the writer
     */
    readonly promoteReplica?: number;
    /**
     * With `promoteReplica`: stop declaring the former primary, so that Pulumi deletes it (taking a final
     * snapshot, keeping its automated backups). Set it only after recovering anything the former primary
     * holds that never reached the replica. In production first lift its deletion protection and `protect`.
     * @default false
     */
    readonly retireFormerPrimary?: boolean;
    /**
     * Step 2 of a promotion, in an `up` after the one that applied `promoteReplica`: give the promoted
     * replica the writer's settings (Multi-AZ as `multiAz`, the master password, deletion protection and
     * `protect`, a final snapshot, the writer's maintenance window; applied at once). Turning Multi-AZ on
     * can take tens of minutes; the site already writes to the promoted instance meanwhile. Never unset
     * it alone while this replica writes (that would turn its deletion protection and Multi-AZ off): a
     * protected guard resource, `<name>-<slot>-writer-settings-guard`, makes Pulumi refuse.
     * @default false
     */
    readonly promotionComplete?: boolean;
    /**
     * Name of the database created on the primary (letters, digits, `_`). Fixed at creation: changing it
     * replaces the primary with an empty one.
     * @default "app"
     */
    readonly dbName?: string;
    /**
     * Master user name (1-16 letters, digits, `_`). Fixed at creation, like `dbName`. Its password is
     * generated and kept in Secrets Manager.
     * @default "dbadmin"
     */
    readonly username?: string;
    /**
     * Enhanced Monitoring granularity of every instance, seconds (0 turns it off; 1, 5, 10, 15, 30, 60).
     * @default 60
     */
    readonly monitoringIntervalSeconds?: number;
    /**
     * Deletion protection on every instance that takes or took writes (the primary, a promoted replica),
     * plus Pulumi's `protect` on them. Replicas hold no data of their own and stay replaceable. (Changing
     * `dbName` or `username` would replace the primary with an empty one: with protection on, Pulumi
     * refuses.)
     * @default false
     */
    readonly deletionProtection?: boolean;
    /**
     * A production database: requires `deletionProtection`. (A final snapshot is taken in every
     * environment.)
     * @default false
     */
    readonly production?: boolean;
    /**
     * Private hosted zone (associated with the VPC) holding the `writer` and `reader` names.
     * @default - "<name>.db.internal"
     */
    readonly privateZoneName?: string;
    /**
     * Tags added to every resource (on top of the provider's default tags).
     * @default {}
     */
    readonly tags?: Record<string, string>;
}
/** Every arg with its default applied; `resolveDatabaseArgs` returns it only when every rule holds. */
export interface ResolvedArgs {
    readonly deployment: DbDeployment;
    readonly engineVersion: string;
    readonly family: string;
    readonly instanceClass: string;
    readonly clusterInstanceClass: string;
    readonly storageType: ClusterStorageType;
    readonly iops: number;
    readonly allocatedStorageGiB: number;
    /** Undefined for `multiAzCluster` (no storage autoscaling). */
    readonly maxAllocatedStorageGiB?: number;
    readonly multiAz: boolean;
    readonly backupRetentionDays: number;
    readonly backupWindow: string;
    readonly maintenanceWindow: string;
    readonly replicaMaintenanceWindow: string;
    readonly logRetentionDays: number;
    readonly replicaCount: number;
    readonly promoteReplica?: number;
    readonly retireFormerPrimary: boolean;
    readonly promotionComplete: boolean;
    readonly dbName: string;
    readonly username: string;
    readonly monitoringIntervalSeconds: number;
    readonly deletionProtection: boolean;
    readonly privateZoneName: string;
    readonly tags: Record<string, string>;
}

const isWhole = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n);
const show = (v: unknown) => JSON.stringify(v);

/** Args that only the instance deployment has: each is an error with `multiAzCluster`. */
const INSTANCE_ONLY_ARGS = ["replicaCount", "multiAz", "promoteReplica", "retireFormerPrimary", "promotionComplete", "replicaMaintenanceWindow", "maxAllocatedStorageGiB", "instanceClass"] as const;
/** Args that only the cluster deployment has. */
const CLUSTER_ONLY_ARGS = ["clusterInstanceClass", "storageType", "iops"] as const;
const WHY_NOT_FOR_CLUSTER: Record<(typeof INSTANCE_ONLY_ARGS)[number], string> = {
    replicaCount: "its two readable standbys are the readers; a Multi-AZ DB cluster takes no read replicas of ours",
    multiAz: "a Multi-AZ DB cluster is always in three zones",
    promoteReplica: "RDS fails a Multi-AZ DB cluster over by itself; there is no replica to promote",
    retireFormerPrimary: "there is no promotion in a Multi-AZ DB cluster",
    promotionComplete: "there is no promotion in a Multi-AZ DB cluster",
    replicaMaintenanceWindow: "the cluster has one maintenance window (`maintenanceWindow`)",
    maxAllocatedStorageGiB: "Multi-AZ DB clusters have no storage autoscaling; size `allocatedStorageGiB` for growth and raise it with an `up`",
    instanceClass: "its instances take `clusterInstanceClass`",
};

/** Defaults, then every rule, before anything is registered. Throws naming the arg and what is allowed. */
export function resolveDatabaseArgs(name: string, args: DatabaseArgs): ResolvedArgs {
    const fail = (message: string): never => {
        throw new Error(`Database ${name}: ${message}`);
    };
    const deployment = args.deployment ?? "instance";
    if (!(DB_DEPLOYMENTS as readonly string[]).includes(deployment)) {
        fail(`\`deployment\` must be one of ${DB_DEPLOYMENTS.join(", ")} (got ${show(deployment)})`);
    }
    const cluster = deployment === "multiAzCluster";
    // 8.4 (LTS): 8.0 is past RDS standard support and costs Extended Support (see `engineVersion`).
    // Multi-AZ DB clusters run both (RDS User Guide, "Supported Regions and DB engines for Multi-AZ DB
    // clusters": MySQL 8.4 and 8.0, all available versions, in the Regions that have Multi-AZ DB clusters).
    const engineVersion = args.engineVersion ?? "8.4";
    const storageType = args.storageType ?? "gp3";
    const storageDefaults = CLUSTER_STORAGE_LIMITS[storageType as ClusterStorageType];
    const r: ResolvedArgs = {
        deployment,
        engineVersion,
        family: args.parameterGroupFamily ?? (ENGINE_VERSION_PATTERN.test(engineVersion) ? parameterGroupFamily(engineVersion) : ""),
        // The cheapest Graviton class; no Performance Insights on it (see lib/rds.ts).
        instanceClass: args.instanceClass ?? "db.t4g.micro",
        // The smallest class a Multi-AZ DB cluster runs on.
        clusterInstanceClass: args.clusterInstanceClass ?? "db.c6gd.medium",
        storageType,
        iops: args.iops ?? storageDefaults?.defaultIops ?? 0,
        // 20 GiB is the gp3 minimum for MySQL; a cluster's Provisioned IOPS storage starts at 100 GiB.
        allocatedStorageGiB: args.allocatedStorageGiB ?? (cluster ? (storageDefaults?.defaultGiB ?? 0) : 20),
        maxAllocatedStorageGiB: cluster ? undefined : (args.maxAllocatedStorageGiB ?? 100),
        multiAz: args.multiAz ?? false,
        backupRetentionDays: args.backupRetentionDays ?? 7,
        // Night in Europe and evening in the Americas; the maintenance window starts 30 minutes after the
        // backup window ends, so a long backup doesn't push into maintenance.
        backupWindow: args.backupWindow ?? "03:00-04:00",
        maintenanceWindow: args.maintenanceWindow ?? "sun:04:30-sun:05:30",
        // Replicas a day before the writer, same hour (see `replicaMaintenanceWindow`).
        replicaMaintenanceWindow: args.replicaMaintenanceWindow ?? "sat:04:30-sat:05:30",
        logRetentionDays: args.logRetentionDays ?? 30,
        replicaCount: cluster ? 0 : (args.replicaCount ?? 1),
        promoteReplica: args.promoteReplica,
        retireFormerPrimary: args.retireFormerPrimary ?? false,
        promotionComplete: args.promotionComplete ?? false,
        dbName: args.dbName ?? "app",
        username: args.username ?? "dbadmin",
        monitoringIntervalSeconds: args.monitoringIntervalSeconds ?? 60,
        deletionProtection: args.deletionProtection ?? false,
        privateZoneName: args.privateZoneName ?? defaultPrivateZoneName(name),
        tags: args.tags ?? {},
    };

    if (!COMPONENT_NAME_PATTERN.test(name)) {
        fail(`the component name must be 1-40 letters, digits or single hyphens, starting with a letter (got ${show(name)}): it prefixes the RDS instance identifiers`);
    }
    if (args.subnetIds.length < 2) {
        fail(`\`subnetIds\` must list at least 2 database subnets in different zones (got ${args.subnetIds.length}): RDS requires a DB subnet group to span two zones`);
    }
    if (args.availabilityZones.length !== args.subnetIds.length) {
        fail(`\`availabilityZones\` must name the zone of each subnet, in the order of \`subnetIds\` (got ${args.availabilityZones.length} zones for ${args.subnetIds.length} subnets)`);
    }
    if (new Set(args.availabilityZones).size !== args.availabilityZones.length) {
        fail(`\`availabilityZones\` must be distinct (got ${args.availabilityZones.join(", ")})`);
    }
    if (!ENGINE_VERSION_PATTERN.test(r.engineVersion)) {
        fail(
            `\`engineVersion\` must be a MySQL major version, 8.4 or 8.0 (got ${show(r.engineVersion)}): RDS picks the minor and upgrades it in the maintenance window, so a pinned minor would be downgraded on the next \`pulumi up\``,
        );
    }
    if (r.family !== parameterGroupFamily(r.engineVersion)) {
        fail(`\`parameterGroupFamily\` must be ${parameterGroupFamily(r.engineVersion)} for engine version ${r.engineVersion} (got ${show(r.family)})`);
    }
    if (cluster) {
        for (const arg of INSTANCE_ONLY_ARGS) {
            if (args[arg] !== undefined) fail(`\`${arg}\` is not for \`deployment\` multiAzCluster (got ${show(args[arg])}): ${WHY_NOT_FOR_CLUSTER[arg]}`);
        }
        if (args.availabilityZones.length < MULTI_AZ_CLUSTER_ZONES) {
            fail(
                `\`deployment\` multiAzCluster needs ${MULTI_AZ_CLUSTER_ZONES} zones, one for the writer and one for each readable standby (got ${args.availabilityZones.length}: ${args.availabilityZones.join(", ")}); RDS requires the DB subnet group of a Multi-AZ DB cluster to cover three zones`,
            );
        }
        if (!isMultiAzClusterClass(r.clusterInstanceClass)) {
            fail(
                `\`clusterInstanceClass\` must be a class Multi-AZ DB clusters run on, of the families ${MULTI_AZ_CLUSTER_CLASS_FAMILIES.map((f) => `db.${f}`).join(", ")}, with db.c6gd.medium the only medium size (got ${show(r.clusterInstanceClass)})`,
            );
        }
        const storage = clusterStorageProblems(r.storageType, r.allocatedStorageGiB, r.iops);
        if (storage.length > 0) fail(storage.join("; "));
    } else {
        for (const arg of CLUSTER_ONLY_ARGS) {
            if (args[arg] !== undefined) fail(`\`${arg}\` is only for \`deployment\` multiAzCluster (got ${show(args[arg])} with deployment instance)`);
        }
        if (!DB_INSTANCE_CLASS_PATTERN.test(r.instanceClass)) {
            fail(`\`instanceClass\` must be an RDS instance class such as db.t4g.micro or db.r7g.large (got ${show(r.instanceClass)})`);
        }
        if (!isWhole(r.allocatedStorageGiB) || r.allocatedStorageGiB < MIN_STORAGE_GIB || r.allocatedStorageGiB > MAX_STORAGE_GIB) {
            fail(`\`allocatedStorageGiB\` must be a whole number from ${MIN_STORAGE_GIB} to ${MAX_STORAGE_GIB} (got ${r.allocatedStorageGiB}): gp3 for MySQL starts at 20 GiB`);
        }
        const storageProblem = maxAllocatedStorageProblem(r.allocatedStorageGiB, r.maxAllocatedStorageGiB!);
        if (storageProblem) fail(storageProblem);
        if (!isWhole(r.replicaCount) || r.replicaCount < 0 || r.replicaCount > MAX_REPLICAS) {
            fail(`\`replicaCount\` must be a whole number from 0 to ${MAX_REPLICAS} (got ${r.replicaCount})`);
        }
    }
    // One rule for both deployments (a cluster has no replicas of ours: replicaCount 0 there).
    const retentionProblem = backupRetentionProblem(r.backupRetentionDays, cluster ? 0 : r.replicaCount);
    if (retentionProblem) fail(retentionProblem);
    const windows = windowProblems(r.backupWindow, r.maintenanceWindow);
    if (windows.length > 0) fail(windows.join("; "));
    if (!cluster) {
        const replicaWindows = windowProblems(r.backupWindow, r.replicaMaintenanceWindow, "replicaMaintenanceWindow");
        if (replicaWindows.length > 0) fail(replicaWindows.join("; "));
        if (weeklyWindowsOverlap(parseMaintenanceWindow(r.maintenanceWindow)!, parseMaintenanceWindow(r.replicaMaintenanceWindow)!)) {
            fail(
                `\`replicaMaintenanceWindow\` (${r.replicaMaintenanceWindow}) must not overlap \`maintenanceWindow\` (${r.maintenanceWindow}): automatic minor upgrades would restart the writer and the replicas together`,
            );
        }
    }
    if (!LOG_RETENTION_DAYS.includes(r.logRetentionDays)) {
        fail(`\`logRetentionDays\` must be one of ${LOG_RETENTION_DAYS.join(", ")} (got ${r.logRetentionDays})`);
    }
    const promoteProblem = r.promoteReplica === undefined ? undefined : promoteReplicaProblem(r.promoteReplica, r.replicaCount);
    if (promoteProblem) fail(promoteProblem);
    const retireProblem = retireFormerPrimaryProblem(r.retireFormerPrimary, r.promoteReplica !== undefined);
    if (retireProblem) fail(retireProblem);
    if (r.promotionComplete && r.promoteReplica === undefined) {
        fail("`promotionComplete` is true but `promoteReplica` is not set: it is the second step of a promotion");
    }
    const nameProblem = dbNameProblem(r.dbName) ?? masterUsernameProblem(r.username);
    if (nameProblem) fail(nameProblem);
    if (!MONITORING_INTERVALS.includes(r.monitoringIntervalSeconds)) {
        fail(`\`monitoringIntervalSeconds\` must be one of ${MONITORING_INTERVALS.join(", ")} (got ${r.monitoringIntervalSeconds})`);
    }
    if (args.production && !r.deletionProtection) {
        fail("`deletionProtection` must be true when `production` is true (got false)");
    }
    if (!DNS_NAME_PATTERN.test(r.privateZoneName)) {
        fail(`\`privateZoneName\` must be a lower-case DNS name of at least two labels such as app.db.internal (got ${show(r.privateZoneName)})`);
    }
    return r;
}
