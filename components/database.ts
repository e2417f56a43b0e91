import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
    COMPONENT_NAME_PATTERN,
    DB_INSTANCE_CLASS_PATTERN,
    DNS_NAME_PATTERN,
    ENGINE_VERSION_PATTERN,
    GENERATED_PASSWORD_LENGTH,
    LOG_RETENTION_DAYS,
    MAX_REPLICAS,
    MAX_STORAGE_GIB,
    MIN_STORAGE_GIB,
    MONITORING_INTERVALS,
    MYSQL_PARAMETERS,
    MYSQL_PORT,
    PASSWORD_SPECIAL_CHARACTERS,
    RDS_LOG_EXPORTS,
    READER_HEALTH_ALARM,
    WRITER_FALLBACK_SET_IDENTIFIER,
    backupRetentionProblem,
    dbNameProblem,
    defaultPrivateZoneName,
    engineLifecycleSupport,
    instanceIdentifier,
    masterUsernameProblem,
    maxAllocatedStorageProblem,
    parameterGroupFamily,
    parseMaintenanceWindow,
    promoteReplicaProblem,
    rdsLogGroupName,
    readerHealthAlarmName,
    replicaZoneIndexes,
    retireFormerPrimaryProblem,
    snapshotIdentifier,
    supportsPerformanceInsights,
    weeklyWindowsOverlap,
    windowProblems,
} from "./lib/rds";

export interface DatabaseArgs {
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
     * Initial gp3 storage of the primary, GiB (20 to 65536). Replicas start with the primary's size.
     * @default 20
     */
    readonly allocatedStorageGiB?: number;
    /**
     * Storage autoscaling limit, GiB, greater than `allocatedStorageGiB`; RDS grows storage up to it when
     * free space runs low.
     * @default 100
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
     * Number of read replicas (0 to 5), each in a zone other than the primary's.
     * @default 1
     */
    readonly replicaCount?: number;
    /**
     * Promote read replica N (1-based) to a standalone primary and point the `writer` name at it. The
     * other replicas are re-created as replicas of it, in zones other than its own; the former primary is
     * left alone (see `retireFormerPrimary`). Its changes apply at once (`applyImmediately`), and so do
     * its later ones. One-way: never unset it once applied (a protected guard resource makes Pulumi
     * refuse that; see the README's failover runbook).
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

/**
 * What an application needs to reach the database; the shape WebServers takes as its `database`.
 *
 * The names are plain strings, known before anything is created: they end up in the web servers' user
 * data, which replaces a server when it changes, and an output of a record (unknown in a preview while
 * the record is created or changed, e.g. at a promotion or when replicas come or go) would show every
 * server as replaced.
 */
export interface DatabaseConnectionInfo {
    /** Stable name of the instance that takes writes: `writer.<zone>`. */
    readonly writerHost: string;
    /**
     * Stable name that spreads reads over the healthy replicas: `reader.<zone>`. The writer when there are
     * no replicas, or while none of them is healthy.
     */
    readonly readerHost: string;
    readonly port: number;
    /** The application database. */
    readonly name: string;
    /**
     * Secrets Manager secret with the credentials as JSON {engine, host, port, username, password, dbname}.
     * Resolves once the `writer` and `reader` records exist, so a client created with it (a web server)
     * is created after them and never caches a "no such name" answer; its value stays known in a preview.
     */
    readonly secretArn: pulumi.Output<string>;
}

/** Instance slots: `primary` and `replica-1` … `replica-5`. Slot names are part of resource names. */
type Slot = string;

interface ResolvedArgs {
    readonly engineVersion: string;
    readonly family: string;
    readonly instanceClass: string;
    readonly allocatedStorageGiB: number;
    readonly maxAllocatedStorageGiB: number;
    readonly multiAz: boolean;
    readonly backupRetentionDays: number;
    readonly backupWindow: string;
    readonly maintenanceWindow: string;
    readonly replicaMaintenanceWindow: string;
    readonly logRetentionDays: number;
    readonly replicaCount: number;
    readonly promoteReplica?: number;
    readonly retireFormerPrimary: boolean;
    readonly dbName: string;
    readonly username: string;
    readonly monitoringIntervalSeconds: number;
    readonly deletionProtection: boolean;
    readonly privateZoneName: string;
    readonly tags: Record<string, string>;
}

const isWhole = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n);
const show = (v: unknown) => JSON.stringify(v);

/** Defaults, then every rule, before anything is registered. Throws naming the arg and what is allowed. */
function resolveDatabaseArgs(name: string, args: DatabaseArgs): ResolvedArgs {
    // 8.4 (LTS): 8.0 is past RDS standard support and costs Extended Support (see `engineVersion`).
    const engineVersion = args.engineVersion ?? "8.4";
    const r = {
        engineVersion,
        family: args.parameterGroupFamily ?? (ENGINE_VERSION_PATTERN.test(engineVersion) ? parameterGroupFamily(engineVersion) : ""),
        // The cheapest Graviton class; no Performance Insights on it (see lib/rds.ts).
        instanceClass: args.instanceClass ?? "db.t4g.micro",
        // 20 GiB is the gp3 minimum for MySQL.
        allocatedStorageGiB: args.allocatedStorageGiB ?? 20,
        maxAllocatedStorageGiB: args.maxAllocatedStorageGiB ?? 100,
        multiAz: args.multiAz ?? false,
        backupRetentionDays: args.backupRetentionDays ?? 7,
        // Night in Europe and evening in the Americas; the maintenance window starts 30 minutes after the
        // backup window ends, so a long backup doesn't push into maintenance.
        backupWindow: args.backupWindow ?? "03:00-04:00",
        maintenanceWindow: args.maintenanceWindow ?? "sun:04:30-sun:05:30",
        // Replicas a day before the writer, same hour (see `replicaMaintenanceWindow`).
        replicaMaintenanceWindow: args.replicaMaintenanceWindow ?? "sat:04:30-sat:05:30",
        logRetentionDays: args.logRetentionDays ?? 30,
        replicaCount: args.replicaCount ?? 1,
        promoteReplica: args.promoteReplica,
        retireFormerPrimary: args.retireFormerPrimary ?? false,
        dbName: args.dbName ?? "app",
        username: args.username ?? "dbadmin",
        monitoringIntervalSeconds: args.monitoringIntervalSeconds ?? 60,
        deletionProtection: args.deletionProtection ?? false,
        privateZoneName: args.privateZoneName ?? defaultPrivateZoneName(name),
        tags: args.tags ?? {},
    };

    const fail = (message: string): never => {
        throw new Error(`Database ${name}: ${message}`);
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
    if (!DB_INSTANCE_CLASS_PATTERN.test(r.instanceClass)) {
        fail(`\`instanceClass\` must be an RDS instance class such as db.t4g.micro or db.r7g.large (got ${show(r.instanceClass)})`);
    }
    if (!isWhole(r.allocatedStorageGiB) || r.allocatedStorageGiB < MIN_STORAGE_GIB || r.allocatedStorageGiB > MAX_STORAGE_GIB) {
        fail(`\`allocatedStorageGiB\` must be a whole number from ${MIN_STORAGE_GIB} to ${MAX_STORAGE_GIB} (got ${r.allocatedStorageGiB}): gp3 for MySQL starts at 20 GiB`);
    }
    const storageProblem = maxAllocatedStorageProblem(r.allocatedStorageGiB, r.maxAllocatedStorageGiB);
    if (storageProblem) fail(storageProblem);
    if (!isWhole(r.replicaCount) || r.replicaCount < 0 || r.replicaCount > MAX_REPLICAS) {
        fail(`\`replicaCount\` must be a whole number from 0 to ${MAX_REPLICAS} (got ${r.replicaCount})`);
    }
    const retentionProblem = backupRetentionProblem(r.backupRetentionDays, r.replicaCount);
    if (retentionProblem) fail(retentionProblem);
    const windows = windowProblems(r.backupWindow, r.maintenanceWindow);
    if (windows.length > 0) fail(windows.join("; "));
    const replicaWindows = windowProblems(r.backupWindow, r.replicaMaintenanceWindow, "replicaMaintenanceWindow");
    if (replicaWindows.length > 0) fail(replicaWindows.join("; "));
    if (weeklyWindowsOverlap(parseMaintenanceWindow(r.maintenanceWindow)!, parseMaintenanceWindow(r.replicaMaintenanceWindow)!)) {
        fail(
            `\`replicaMaintenanceWindow\` (${r.replicaMaintenanceWindow}) must not overlap \`maintenanceWindow\` (${r.maintenanceWindow}): automatic minor upgrades would restart the writer and the replicas together`,
        );
    }
    if (!LOG_RETENTION_DAYS.includes(r.logRetentionDays)) {
        fail(`\`logRetentionDays\` must be one of ${LOG_RETENTION_DAYS.join(", ")} (got ${r.logRetentionDays})`);
    }
    const promoteProblem = r.promoteReplica === undefined ? undefined : promoteReplicaProblem(r.promoteReplica, r.replicaCount);
    if (promoteProblem) fail(promoteProblem);
    const retireProblem = retireFormerPrimaryProblem(r.retireFormerPrimary, r.promoteReplica !== undefined);
    if (retireProblem) fail(retireProblem);
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

/**
 * RDS for MySQL: a primary that takes every write and up to five read replicas in other zones that
 * serve reads and can be promoted, behind stable `writer` and `reader` names in a private hosted zone.
 *
 * - One security group for every instance, with no rules until `allowConnectionsFrom` admits a client
 *   security group on 3306 (and gives that group the matching egress rule).
 * - A parameter group that requires TLS, logs row-based binlogs and slow queries, and never blocks a
 *   host for connect errors.
 * - MySQL 8.4 with RDS Extended Support explicitly disabled (8.0 explicitly enrolled: it must be).
 * - Encrypted gp3 storage with autoscaling, automated backups (7-35 days, also on replicas so that a
 *   promoted replica is ready), a final snapshot on deletion in every environment, Enhanced Monitoring,
 *   Performance Insights where the class has it, error and slow-query logs in CloudWatch log groups of
 *   ours (retention, tags), IAM database authentication; replicas in a maintenance window of their own.
 * - Explicit instance identifiers `<name>-<stack>-<slot>-<8 hex>`, new for every physical instance.
 * - The master password is generated, stored in Secrets Manager as JSON and otherwise only ever a Pulumi
 *   secret (RDS-managed passwords can't be used: they rule out read replicas).
 * - `promoteReplica` promotes a replica in place, moves `writer` to it and re-creates the other replicas
 *   from it.
 * - `reader` fails over: each replica's record has a Route 53 health check on a CloudWatch liveness
 *   alarm of the replica, and a zero-weight record points at the writer, which Route 53 answers only
 *   while no replica is healthy.
 */
export class Database extends pulumi.ComponentResource {
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly subnetGroupName: pulumi.Output<string>;
    public readonly parameterGroupName: pulumi.Output<string>;
    /** The instance that takes writes: the primary, or the promoted replica after `promoteReplica`. */
    public readonly primary: aws.rds.Instance;
    /** The read replicas of `primary`, in slot order (after a promotion, the promoted one is not among them). */
    public readonly replicas: aws.rds.Instance[];
    /** After `promoteReplica`: the original primary, standalone and out of the names (unless retired). */
    public readonly formerPrimary?: aws.rds.Instance;
    /** Every instance by slot: `primary`, `replica-1`, … */
    public readonly instances: Readonly<Record<Slot, aws.rds.Instance>>;
    /** Slot of the writer: `primary`, or `replica-N` after `promoteReplica: N`. */
    public readonly writerSlot: Slot;
    /** Slots of `replicas`, e.g. `replica-1`; the labels in `monitoringTargets`. */
    public readonly replicaSlots: readonly Slot[];
    /** RDS `identifier` of the writer (the CloudWatch `DBInstanceIdentifier` dimension; not the resource id). */
    public readonly primaryIdentifier: pulumi.Output<string>;
    /** Same as `primaryIdentifier`: which instance the `writer` name points at. */
    public readonly writerIdentifier: pulumi.Output<string>;
    /** RDS `identifier` of each of `replicas`. */
    public readonly replicaIdentifiers: pulumi.Output<string>[];
    /** `address:port` of every instance by slot, for operators; applications use the names. */
    public readonly instanceEndpoints: Readonly<Record<Slot, pulumi.Output<string>>>;
    /** `writer.<zone>`: always the instance that takes writes. */
    public readonly writerEndpoint: pulumi.Output<string>;
    /**
     * `reader.<zone>`: weighted over the healthy replicas of the writer; the writer when there are none or
     * while none is healthy.
     */
    public readonly readerEndpoint: pulumi.Output<string>;
    /** Route 53 health check of each of `replicas`' `reader` records, same order. */
    public readonly readerHealthCheckIds: pulumi.Output<string>[];
    public readonly port: number = MYSQL_PORT;
    public readonly dbName: string;
    public readonly username: string;
    /** The credentials secret (JSON {engine, host, port, username, password, dbname}). */
    public readonly secretArn: pulumi.Output<string>;
    public readonly privateZoneId: pulumi.Output<string>;
    public readonly privateZoneName: string;
    public readonly connectionInfo: DatabaseConnectionInfo;
    /** What the Monitoring component's `database` arg takes: the writer and its replicas, by identifier. */
    public readonly monitoringTargets: {
        readonly primaryIdentifier: pulumi.Output<string>;
        readonly replicas: readonly { readonly name: string; readonly identifier: pulumi.Output<string> }[];
    };

    private readonly resourceName: string;
    private readonly tags: Record<string, string>;
    private readonly clients = new Set<string>();

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before registering anything, the component included.
        const cfg = resolveDatabaseArgs(name, args);
        super("web-infra:database:Database", name, {}, opts);

        const parent = { parent: this };
        const tags = cfg.tags;
        this.resourceName = name;
        this.tags = tags;
        this.dbName = cfg.dbName;
        this.username = cfg.username;
        this.privateZoneName = cfg.privateZoneName;

        // ---- network ----
        const sg = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                // No inline rules: with none declared the provider also removes AWS's default allow-all
                // egress. RDS needs no egress (replication and backups don't go through this group).
                description: `MySQL instances of ${name}: port ${MYSQL_PORT} only from the clients admitted by allowConnectionsFrom`,
                tags: { ...tags, Name: `${name}-sg` },
            },
            parent,
        );
        this.securityGroupId = sg.id;

        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-subnets`,
            { subnetIds: args.subnetIds, description: `Database subnets of ${name} (no route out of the VPC)`, tags: { ...tags, Name: `${name}-subnets` } },
            parent,
        );
        this.subnetGroupName = subnetGroup.name;

        // ---- parameters ----
        const params = new aws.rds.ParameterGroup(
            `${name}-params`,
            {
                family: cfg.family,
                description: `MySQL parameters of ${name}: TLS required, row-based binlog, slow query log, no host blocking`,
                // See lib/rds.ts for why each one.
                parameters: MYSQL_PARAMETERS.map((p) => ({ ...p })),
                tags: { ...tags, Name: `${name}-params` },
            },
            parent,
        );
        this.parameterGroupName = params.name;

        // ---- Enhanced Monitoring role ----
        let monitoringRoleArn: pulumi.Output<string> | undefined;
        const monitoringDeps: pulumi.Resource[] = [];
        if (cfg.monitoringIntervalSeconds > 0) {
            const caller = aws.getCallerIdentityOutput({}, parent);
            const region = aws.getRegionOutput({}, parent);
            const partition = aws.getPartitionOutput({}, parent);
            const role = new aws.iam.Role(
                `${name}-monitoring-role`,
                {
                    description: `Lets RDS Enhanced Monitoring publish OS metrics of ${name}'s instances to CloudWatch Logs`,
                    assumeRolePolicy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Principal: { Service: "monitoring.rds.amazonaws.com" },
                                Action: "sts:AssumeRole",
                                // Confused-deputy guard: only RDS instances of this account and region.
                                Condition: {
                                    StringEquals: { "aws:SourceAccount": caller.accountId },
                                    ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition.partition}:rds:${region.region}:${caller.accountId}:db:*` },
                                },
                            },
                        ],
                    }),
                    tags: { ...tags, Name: `${name}-monitoring-role` },
                },
                parent,
            );
            monitoringDeps.push(
                new aws.iam.RolePolicyAttachment(
                    `${name}-monitoring-policy`,
                    { role: role.name, policyArn: pulumi.interpolate`arn:${partition.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole` },
                    parent,
                ),
            );
            monitoringRoleArn = role.arn;
        }

        // ---- master password ----
        // RDS-managed master passwords (`manageMasterUserPassword`) would be simpler, but RDS refuses to
        // create a read replica of a MySQL instance whose password it manages (terraform-aws-rds #512,
        // #532; AWS-NOTES.md). So we generate it, hand it to RDS as a Pulumi secret, and keep it in our
        // own Secrets Manager secret.
        const password = new random.RandomPassword(
            `${name}-master-password`,
            {
                length: GENERATED_PASSWORD_LENGTH,
                special: true,
                overrideSpecial: PASSWORD_SPECIAL_CHARACTERS,
                minUpper: 2,
                minLower: 2,
                minNumeric: 2,
                minSpecial: 2,
            },
            parent,
        );
        const masterPassword = pulumi.secret(password.result);

        // ---- instances ----
        const zone = (i: number) => args.availabilityZones[i];
        // Where each replica slot was placed before any promotion (the promoted one keeps that zone), and
        // where the replicas of the current writer go.
        const originalZones = replicaZoneIndexes(args.availabilityZones.length, cfg.replicaCount);
        const replicaZones = replicaZoneIndexes(args.availabilityZones.length, cfg.replicaCount, cfg.promoteReplica);
        const performanceInsights = supportsPerformanceInsights(cfg.instanceClass);
        const writerSlot: Slot = cfg.promoteReplica === undefined ? "primary" : `replica-${cfg.promoteReplica}`;
        const replicaSlots = Array.from({ length: cfg.replicaCount }, (_, i) => `replica-${i + 1}`);
        const stack = pulumi.getStack();

        // One identity per physical instance. Each slot's identifier ends with the hex of a RandomId whose
        // keepers are the inputs that make RDS replace the instance, so a replacement gets a new
        // identifier: Pulumi can create the new instance before deleting the old (two can't share an
        // identifier; with a fixed one replicas would need deleteBeforeReplace and `reader` would point at
        // a deleted replica for the 10-30 minutes a new one takes), and the final snapshot, named after
        // the identifier, never collides with an earlier one (DBSnapshotAlreadyExists).
        // - primary: dbName and username (engine is fixed; its zone drift is ignored, see writerOptions);
        // - replica: its source and its zone;
        // - the promoted replica: frozen (ignoreChanges) at what it was as a replica, since a promotion is
        //   in place and must keep the identifier.
        const suffixes: Record<Slot, random.RandomId> = {};
        const identifiers: Record<Slot, pulumi.Output<string>> = {};
        const logGroups: Record<Slot, aws.cloudwatch.LogGroup[]> = {};
        const declareIdentity = (slot: Slot, keepers: Record<string, string>, frozen: boolean) => {
            suffixes[slot] = new random.RandomId(
                `${name}-${slot}-id-suffix`,
                { byteLength: 4, keepers },
                { parent: this, ignoreChanges: frozen ? ["keepers"] : [] },
            );
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
                        parent,
                    ),
            );
        };
        declareIdentity("primary", { engine: "mysql", dbName: cfg.dbName, username: cfg.username }, false);
        replicaSlots.forEach((slot, i) => {
            if (slot === writerSlot) {
                declareIdentity(slot, { source: "primary", zone: zone(originalZones[i]) }, true);
            } else {
                declareIdentity(slot, { source: writerSlot, zone: zone(replicaZones[i]) }, false);
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
            parameterGroupName: params.name,
            vpcSecurityGroupIds: [sg.id],
            publiclyAccessible: false,
            iamDatabaseAuthenticationEnabled: true,
            autoMinorVersionUpgrade: true,
            caCertIdentifier: "rds-ca-rsa2048-g1",
            enabledCloudwatchLogsExports: [...RDS_LOG_EXPORTS],
            monitoringInterval: cfg.monitoringIntervalSeconds,
            monitoringRoleArn,
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

        // An instance that takes (or took) writes: Multi-AZ as asked, deletion protection, a final snapshot
        // and kept automated backups, so that deleting it never loses data.
        const writerSettings = (slot: Slot, zoneName: string): Partial<aws.rds.InstanceArgs> => ({
            multiAz: cfg.multiAz,
            // RDS places a Multi-AZ instance itself (CreateDBInstance rejects AvailabilityZone with MultiAZ),
            // and its standby: the standby may share a zone with a replica (a zone failure then fails the
            // writer over and takes that replica), which we can't prevent; see the README.
            availabilityZone: cfg.multiAz ? undefined : zoneName,
            maintenanceWindow: cfg.maintenanceWindow,
            deletionProtection: cfg.deletionProtection,
            skipFinalSnapshot: false,
            // Unique per physical instance, like the identifier it is named after.
            finalSnapshotIdentifier: identifiers[slot].apply((id) => snapshotIdentifier(id, "final")),
            deleteAutomatedBackups: false,
            password: masterPassword,
        });
        const writerOptions = (slot: Slot): pulumi.CustomResourceOptions => ({
            parent: this,
            dependsOn: [...monitoringDeps, ...logGroups[slot]],
            protect: cfg.deletionProtection,
            // After a Multi-AZ failover RDS reports the standby's zone; availabilityZone forces replacement,
            // so without this a later plan would replace the database that takes the writes.
            ignoreChanges: ["availabilityZone"],
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
                    dbSubnetGroupName: subnetGroup.name,
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
            // PromoteReadReplica), plus the writer's settings — none of which forces replacement. Never add
            // username, dbName or engine here: they force replacement, i.e. a new, empty database.
            instances[writerSlot] = new aws.rds.Instance(
                `${name}-${writerSlot}`,
                {
                    ...common(writerSlot, "writer"),
                    ...writerSettings(writerSlot, zone(originalZones[i])),
                    // Apply the writer's settings now rather than in the maintenance window: without this a
                    // promoted writer stays single-AZ (and on its old class or CA) for up to a week. Turning
                    // Multi-AZ on doesn't reboot; a promotion reboots the instance anyway. Only here: on the
                    // original primary a class or CA change would reboot a healthy writer at `pulumi up`
                    // time, so those wait for its window. From now on this writer's changes apply at
                    // `pulumi up` too (a class change: a reboot, shorter with Multi-AZ).
                    applyImmediately: true,
                },
                writerOptions(writerSlot),
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
                    ...common(slot, "replica"),
                    // Same region: the source's identifier. (The ARN would be needed only with
                    // dbSubnetGroupName, which a same-region replica inherits from its source.)
                    replicateSourceDb: writer.identifier,
                    availabilityZone: zone(replicaZones[i]),
                    // Not the writer's window: an automatic minor upgrade restarts the replicas first, on
                    // their own (see `replicaMaintenanceWindow`).
                    maintenanceWindow: cfg.replicaMaintenanceWindow,
                    multiAz: false,
                    // A replica holds nothing the writer doesn't: RDS takes no final snapshot of a replica,
                    // and it must stay deletable so that it can be re-created after a promotion.
                    deletionProtection: false,
                    skipFinalSnapshot: true,
                    deleteAutomatedBackups: true,
                },
                {
                    parent: this,
                    dependsOn: [...monitoringDeps, ...logGroups[slot]],
                    // RDS can't re-point a replica to another source ("cannot elect new source database for
                    // replication"): a replica whose source changes (the other replicas at a promotion) is
                    // replaced by a replica of the new source. The identifier suffix, kept by the source,
                    // changes too, so the new one is created before the old one is deleted. (Unsetting
                    // `promoteReplica`, which would point them back at the former primary, is refused by the
                    // promotion guard.)
                    replaceOnChanges: ["replicateSourceDb"],
                },
            );
        });

        if (cfg.promoteReplica !== undefined) {
            // The promotion guard. Unsetting `promoteReplica` would not demote the writer (RDS can't), but it
            // would re-declare replicas of the former primary and, after `retireFormerPrimary`, create a
            // new, EMPTY primary that the `writer` name then waits for. This resource exists only while a
            // promotion is declared, and is protected: removing it makes `pulumi preview` (and so `pulumi
            // up`) fail before anything changes. On purpose, undo with `pulumi state unprotect` (README).
            new random.RandomId(`${name}-promotion-guard`, { byteLength: 1 }, { parent: this, protect: true });
        }

        // ---- stable names ----
        const zoneResource = new aws.route53.Zone(
            `${name}-zone`,
            {
                name: cfg.privateZoneName,
                comment: `Stable writer/reader names of the ${name} database; resolvable only inside the VPC`,
                vpcs: [{ vpcId: args.vpcId }],
                tags: { ...tags, Name: `${name}-zone` },
            },
            parent,
        );
        // 30 s: after a promotion clients reach the new writer within half a minute of the record change
        // (RDS's own endpoints use 5 s); longer would stretch every failover. Route 53 recommends 60 s or
        // less for records with health checks, for the same reason.
        const ttl = 30;
        const writerHost = `writer.${cfg.privateZoneName}`;
        const readerHost = `reader.${cfg.privateZoneName}`;
        // The writer name moves only after the instances it could move between are settled. Before a
        // promotion, all of them, so that a refused change (RDS can't demote a writer) stops the update
        // before the name moves. After one, only the new writer: not the re-created replicas (10-30
        // minutes), and not the former primary, which may be down (nothing of it changes at a promotion;
        // the name must not wait on it).
        const writerDependsOn = cfg.promoteReplica === undefined ? Object.values(instances) : [writer];
        const writerRecord = new aws.route53.Record(
            `${name}-writer`,
            { zoneId: zoneResource.zoneId, name: writerHost, type: "CNAME", ttl, records: [writer.address] },
            { parent: this, dependsOn: writerDependsOn },
        );

        // `reader`: weighted records, one per replica with equal weights, so resolvers spread reads. Always
        // weighted, even with one target: Route 53 refuses a simple and a weighted record set of the same
        // name, so switching between them would fail while both exist.
        //
        // Failover (Route 53 Developer Guide, "How Amazon Route 53 chooses records when health checking is
        // configured", https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html,
        // and "Weighted routing" → "Health checks and weighted routing"):
        // - "Records without a health check are always healthy": without one, Route 53 keeps answering
        //   with a dead replica (with one replica, every read fails while its zone is down). So each
        //   replica's record has a health check, and since Route 53's checkers are outside the VPC, it is
        //   one of type CLOUDWATCH_METRIC on a liveness alarm of the replica (lib/rds.ts,
        //   READER_HEALTH_ALARM; the private-hosted-zone way, "Configuring failover in a private hosted zone").
        // - "Weighted records that have a weight of 0": Route 53 "initially considers only the nonzero
        //   weighted records", and "if all the records that have a weight greater than 0 are unhealthy,
        //   then Route 53 considers the zero-weighted records". So one more record, weight 0, points at the
        //   writer: it gets reads only while no replica is healthy. It has no health check, so it is then
        //   always an answer; without it, "if no record is healthy, all records are healthy" and Route 53
        //   would answer with a dead replica again.
        // With no replicas, one record to the writer with weight 1, as before.
        const region = aws.getRegionOutput({}, parent).region;
        const readerRecord = (id: string, instance: aws.rds.Instance, weight: number, healthCheckId?: pulumi.Output<string>) =>
            new aws.route53.Record(
                `${name}-reader-${id}`,
                {
                    zoneId: zoneResource.zoneId,
                    name: readerHost,
                    type: "CNAME",
                    ttl,
                    setIdentifier: id,
                    weightedRoutingPolicies: [{ weight }],
                    ...(healthCheckId !== undefined ? { healthCheckId } : {}),
                    records: [instance.address],
                },
                parent,
            );
        const healthChecks = readers.map((slot) => {
            const role = `${name}-${slot}-reader-health`;
            const alarm = new aws.cloudwatch.MetricAlarm(
                role,
                {
                    // After the replica's identifier: unique in the account and region, and new for a new
                    // replica, so its health check is re-pointed (Route 53 doesn't follow alarm changes).
                    // The instance's output, not the planned identifier: a re-created replica's alarm, and so
                    // its check, switch once the new instance exists, together with its record (with the
                    // planned one the check would follow a replica that doesn't exist yet, and Route 53 would
                    // drop the old replica from the answers for the 10-30 minutes the new one takes).
                    name: instances[slot].identifier.apply(readerHealthAlarmName),
                    alarmDescription:
                        `Route 53 health of ${name}'s ${slot} in the ${readerHost} answers: ALARM when the replica has sent no metrics for 2 minutes ` +
                        "(stopped, failed, rebooting, or its host or zone is down), and Route 53 then stops answering reader with it. " +
                        "No actions on purpose: the Monitoring component's liveness alarm pages.",
                    ...READER_HEALTH_ALARM,
                    dimensions: { DBInstanceIdentifier: instances[slot].identifier },
                    actionsEnabled: false,
                    tags: { ...tags, Name: role },
                },
                parent,
            );
            return new aws.route53.HealthCheck(
                role,
                {
                    type: "CLOUDWATCH_METRIC",
                    cloudwatchAlarmName: alarm.name,
                    cloudwatchAlarmRegion: region,
                    // No data about the alarm is no evidence that the replica serves.
                    insufficientDataHealthStatus: "Unhealthy",
                    // Route 53 copies the alarm's settings when the check is created or updated; a change of
                    // them here updates the check too, so it never follows a stale copy.
                    triggers: { alarm: JSON.stringify(READER_HEALTH_ALARM) },
                    tags: { ...tags, Name: role },
                },
                parent,
            );
        });
        const readerRecords =
            readers.length === 0
                ? [readerRecord("writer", writer, 1)]
                : [...readers.map((slot, i) => readerRecord(slot, instances[slot], 1, healthChecks[i].id)), readerRecord(WRITER_FALLBACK_SET_IDENTIFIER, writer, 0)];
        this.readerHealthCheckIds = healthChecks.map((c) => c.id);
        // The stack outputs: outputs of the records, so that they are reported once the records exist.
        this.writerEndpoint = writerRecord.fqdn;
        this.readerEndpoint = pulumi.all(readerRecords.map((r) => r.fqdn)).apply((names) => names[0]);
        this.privateZoneId = zoneResource.zoneId;

        // ---- credentials secret ----
        const secret = new aws.secretsmanager.Secret(
            `${name}-credentials`,
            {
                description: `Master credentials of the ${name} MySQL database: JSON {engine, host (the writer name), port, username, password, dbname}`,
                // A deleted secret can be restored for a week; 0 would delete it at once.
                recoveryWindowInDays: 7,
                tags: { ...tags, Name: `${name}-credentials` },
            },
            // It holds the only copy of the master password outside RDS: protected like the writer.
            { parent: this, protect: cfg.deletionProtection },
        );
        new aws.secretsmanager.SecretVersion(
            `${name}-credentials-value`,
            {
                secretId: secret.id,
                // The field names of the RDS MySQL rotation functions, so rotation can be added later.
                secretString: pulumi.secret(
                    pulumi.jsonStringify({
                        engine: "mysql",
                        // The plain name, not the record's output: a value unknown in a preview (at a
                        // promotion the writer record changes) would show the secret's value as changing.
                        host: writerHost,
                        port: MYSQL_PORT,
                        username: cfg.username,
                        password: masterPassword,
                        dbname: cfg.dbName,
                    }),
                ),
            },
            parent,
        );
        this.secretArn = secret.arn;

        // ---- outputs ----
        this.primary = writer;
        this.replicas = readers.map((s) => instances[s]);
        this.formerPrimary = cfg.promoteReplica !== undefined ? instances.primary : undefined;
        this.instances = instances;
        this.writerSlot = writerSlot;
        this.replicaSlots = readers;
        this.primaryIdentifier = writer.identifier;
        this.writerIdentifier = writer.identifier;
        this.replicaIdentifiers = this.replicas.map((r) => r.identifier);
        this.instanceEndpoints = Object.fromEntries(Object.entries(instances).map(([slot, i]) => [slot, i.endpoint]));
        this.connectionInfo = {
            // Plain strings, known in every preview (see DatabaseConnectionInfo).
            writerHost,
            readerHost,
            port: MYSQL_PORT,
            name: cfg.dbName,
            // The ARN, carrying a dependency on the records (their URNs, known in a preview even for new
            // records; ids or names would not be): a client built with it is created after the names exist.
            secretArn: pulumi.all([secret.arn, writerRecord.urn, ...readerRecords.map((r) => r.urn)]).apply(([arn]) => arn),
        };
        this.monitoringTargets = {
            primaryIdentifier: this.primaryIdentifier,
            replicas: readers.map((slot, i) => ({ name: slot, identifier: this.replicaIdentifiers[i] })),
        };

        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            writerEndpoint: this.writerEndpoint,
            readerEndpoint: this.readerEndpoint,
            readerHealthCheckIds: this.readerHealthCheckIds,
            primaryIdentifier: this.primaryIdentifier,
            replicaIdentifiers: this.replicaIdentifiers,
            secretArn: this.secretArn,
            privateZoneId: this.privateZoneId,
        });
    }

    /**
     * Admit MySQL connections from the security group `sourceSecurityGroupId`: an ingress rule on the
     * database group from it on 3306, and an egress rule on it to the database group on 3306 (so the
     * client group needs no open egress). Both are children of the Database, named `<db>-from-<name>` and
     * `<db>-to-db-from-<name>`.
     *
     * @param name short label of the client, such as `web` (lower-case letters, digits, `-`); part of
     *   resource names, so keep it stable
     */
    public allowConnectionsFrom(name: string, sourceSecurityGroupId: pulumi.Input<string>): void {
        const db = this.resourceName;
        if (!/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/.test(name)) {
            throw new Error(`Database ${db}: allowConnectionsFrom \`name\` must be 1-32 lower-case letters, digits or '-' such as web (got ${show(name)})`);
        }
        if (this.clients.has(name)) {
            throw new Error(`Database ${db}: allowConnectionsFrom \`name\` ${show(name)} is already used; each client needs its own name`);
        }
        this.clients.add(name);
        new aws.vpc.SecurityGroupIngressRule(
            `${db}-from-${name}`,
            {
                securityGroupId: this.securityGroupId,
                referencedSecurityGroupId: sourceSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: MYSQL_PORT,
                toPort: MYSQL_PORT,
                description: `MySQL from ${name} to the ${db} database instances`,
                tags: { ...this.tags, Name: `${db}-from-${name}` },
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${db}-to-db-from-${name}`,
            {
                securityGroupId: sourceSecurityGroupId,
                referencedSecurityGroupId: this.securityGroupId,
                ipProtocol: "tcp",
                fromPort: MYSQL_PORT,
                toPort: MYSQL_PORT,
                description: `MySQL from ${name} to the ${db} database instances`,
                tags: { ...this.tags, Name: `${db}-to-db-from-${name}` },
            },
            { parent: this },
        );
    }
}
