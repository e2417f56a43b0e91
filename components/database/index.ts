/**
 * RDS for MySQL behind stable `writer` and `reader` names, in one of two shapes (`deployment`):
 *
 * - `instance` (instanceDeployment.ts): a primary that takes every write and up to five read replicas
 *   in other zones that serve reads and can be promoted in two steps (`promoteReplica`, then
 *   `promotionComplete`); `reader` fails over between replicas by Route 53 health checks (names.ts).
 * - `multiAzCluster` (clusterDeployment.ts): an RDS Multi-AZ DB cluster, a writer and two readable
 *   standbys in three zones with automatic failover typically under 35 s; `writer`/`reader` are CNAMEs
 *   of the cluster's writer and reader endpoints.
 *
 * Common to both: one security group with no rules until `allowConnectionsFrom` admits a client
 * (network.ts), the parameters (parameters.ts), Enhanced Monitoring's role (monitoringRole.ts), the
 * generated master password in a Secrets Manager secret (credentials.ts), every arg checked before
 * anything is declared (args.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DatabaseEndpoints } from "../lib/databaseEndpoints";
import { MYSQL_PORT } from "../lib/rds";
import { DatabaseArgs, resolveDatabaseArgs } from "./args";
import { createClusterDeployment } from "./clusterDeployment";
import { createCredentialsSecret, createMasterPassword } from "./credentials";
import { Slot, createInstanceDeployment } from "./instanceDeployment";
import { createMonitoringRole } from "./monitoringRole";
import { CLIENT_NAME_PATTERN, admitClient, createDatabaseNetwork } from "./network";
import { createClusterParameterGroup, createParameterGroup } from "./parameters";
import { StableNames, createStableNames } from "./names";

export type { DatabaseArgs, DbDeployment, ClusterStorageType } from "./args";
export type { DatabaseEndpoints } from "../lib/databaseEndpoints";
export { PROMOTION_STEP_CHANGES } from "./instanceDeployment";

/** What an application needs to reach the database (the Database's `connectionInfo`). */
export type DatabaseConnectionInfo = DatabaseEndpoints<pulumi.Output<string>>;

/** What the Monitoring component's `database` arg takes. */
export interface DatabaseMonitoringTargets {
    /** Instance deployment: the writer's RDS identifier. Cluster: the cluster's. */
    readonly primaryIdentifier: pulumi.Output<string>;
    /** Instance deployment: the writer's replicas, by label. */
    readonly replicas: readonly { readonly name: string; readonly identifier: pulumi.Output<string> }[];
    /** Multi-AZ DB cluster: its identifier and its three DB instances (RDS's names), by label. */
    readonly cluster?: {
        readonly identifier: pulumi.Output<string>;
        readonly members: readonly { readonly name: string; readonly identifier: pulumi.Output<string> }[];
    };
}

/**
 * RDS for MySQL behind stable `writer`/`reader` names: a primary with read replicas
 * (`deployment: "instance"`, the default) or a Multi-AZ DB cluster (`deployment: "multiAzCluster"`).
 * Admit clients with `allowConnectionsFrom`; give applications `connectionInfo`; give the Monitoring
 * component `monitoringTargets`. See docs/database.md.
 */
export class Database extends pulumi.ComponentResource {
    public readonly deployment: "instance" | "multiAzCluster";
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly subnetGroupName: pulumi.Output<string>;
    /** The DB parameter group (instance) or DB cluster parameter group (cluster). */
    public readonly parameterGroupName: pulumi.Output<string>;
    /** Instance deployment: the instance that takes writes (the primary, or the promoted replica). */
    public readonly primary?: aws.rds.Instance;
    /** Instance deployment: the read replicas of `primary`, in slot order. */
    public readonly replicas: aws.rds.Instance[];
    /** After `promoteReplica`: the original primary, standalone and out of the names (unless retired). */
    public readonly formerPrimary?: aws.rds.Instance;
    /** Multi-AZ DB cluster deployment: the cluster. */
    public readonly cluster?: aws.rds.Cluster;
    /** Instance deployment: every instance by slot (`primary`, `replica-1`, …); empty for the cluster. */
    public readonly instances: Readonly<Record<Slot, aws.rds.Instance>>;
    /** Slot of the writer: `primary`, `replica-N` after `promoteReplica: N`, or `cluster`. */
    public readonly writerSlot: Slot;
    /** Slots of `replicas`, e.g. `replica-1`; the labels in `monitoringTargets`. */
    public readonly replicaSlots: readonly Slot[];
    /** RDS `identifier` of the writer instance, or the cluster's identifier (the CloudWatch dimension value). */
    public readonly primaryIdentifier: pulumi.Output<string>;
    /** Same as `primaryIdentifier`: which instance (or cluster) the `writer` name points at. */
    public readonly writerIdentifier: pulumi.Output<string>;
    /** RDS `identifier` of each of `replicas`. */
    public readonly replicaIdentifiers: pulumi.Output<string>[];
    /** `address:port` of every instance by slot, or the cluster's writer and reader endpoints; for operators. */
    public readonly instanceEndpoints: Readonly<Record<Slot, pulumi.Output<string>>>;
    /** `writer.<zone>`: always whatever takes writes. */
    public readonly writerEndpoint: pulumi.Output<string>;
    /** `reader.<zone>`: the healthy replicas (the writer when there are none), or the cluster's reader endpoint. */
    public readonly readerEndpoint: pulumi.Output<string>;
    /** Route 53 health check of each of `replicas`' `reader` records, same order (none for the cluster). */
    public readonly readerHealthCheckIds: pulumi.Output<string>[];
    public readonly port: number = MYSQL_PORT;
    public readonly dbName: string;
    public readonly username: string;
    /** The credentials secret (JSON {engine, host, port, username, password, dbname}). */
    public readonly secretArn: pulumi.Output<string>;
    public readonly privateZoneId: pulumi.Output<string>;
    public readonly privateZoneName: string;
    public readonly connectionInfo: DatabaseConnectionInfo;
    public readonly monitoringTargets: DatabaseMonitoringTargets;

    private readonly resourceName: string;
    private readonly tags: Record<string, string>;
    private readonly clients = new Set<string>();

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before registering anything, the component included.
        const cfg = resolveDatabaseArgs(name, args);
        super("web-infra:database:Database", name, {}, opts);
        const tags = cfg.tags;
        this.deployment = cfg.deployment;
        this.resourceName = name;
        this.tags = tags;
        this.dbName = cfg.dbName;
        this.username = cfg.username;
        this.privateZoneName = cfg.privateZoneName;
        const isCluster = cfg.deployment === "multiAzCluster";

        const network = createDatabaseNetwork(this, name, args.vpcId, args.subnetIds, tags);
        this.securityGroupId = network.securityGroup.id;
        this.subnetGroupName = network.subnetGroup.name;
        const monitoring = cfg.monitoringIntervalSeconds > 0 ? createMonitoringRole(this, name, tags, isCluster) : undefined;
        const masterPassword = createMasterPassword(this, name);

        let names: StableNames;
        if (isCluster) {
            const params = createClusterParameterGroup(this, name, cfg.family, tags);
            this.parameterGroupName = params.name;
            const cluster = createClusterDeployment(this, name, cfg, {
                availabilityZones: args.availabilityZones,
                securityGroupId: network.securityGroup.id,
                subnetGroupName: network.subnetGroup.name,
                clusterParameterGroupName: params.name,
                monitoring,
                masterPassword,
            });
            this.cluster = cluster;
            names = createStableNames(this, name, {
                vpcId: args.vpcId,
                zoneName: cfg.privateZoneName,
                writerAddress: cluster.endpoint,
                writerDependsOn: [cluster],
                clusterReaderEndpoint: cluster.readerEndpoint,
                tags,
            });
            this.replicas = [];
            this.instances = {};
            this.writerSlot = "cluster";
            this.replicaSlots = [];
            this.primaryIdentifier = cluster.clusterIdentifier;
            this.replicaIdentifiers = [];
            this.instanceEndpoints = {
                writer: pulumi.interpolate`${cluster.endpoint}:${MYSQL_PORT}`,
                reader: pulumi.interpolate`${cluster.readerEndpoint}:${MYSQL_PORT}`,
            };
            // Multi-AZ DB cluster instances are named by RDS; the cluster lists them (`clusterMembers`),
            // three of them, whichever is the writer at the moment.
            const members = [0, 1, 2].map((i) => ({ name: `cluster-instance-${i + 1}`, identifier: cluster.clusterMembers.apply((m) => [...(m ?? [])].sort()[i] ?? "") }));
            this.monitoringTargets = { primaryIdentifier: cluster.clusterIdentifier, replicas: [], cluster: { identifier: cluster.clusterIdentifier, members } };
        } else {
            const params = createParameterGroup(this, name, cfg.family, tags);
            this.parameterGroupName = params.name;
            const d = createInstanceDeployment(this, name, cfg, {
                availabilityZones: args.availabilityZones,
                securityGroupId: network.securityGroup.id,
                subnetGroupName: network.subnetGroup.name,
                parameterGroupName: params.name,
                monitoring,
                masterPassword,
            });
            names = createStableNames(this, name, {
                vpcId: args.vpcId,
                zoneName: cfg.privateZoneName,
                writerAddress: d.writer.address,
                writerDependsOn: d.writerDependsOn,
                replicas: d.readers.map((slot) => ({ slot, address: d.instances[slot].address, identifier: d.instances[slot].identifier })),
                tags,
            });
            this.primary = d.writer;
            this.replicas = d.readers.map((s) => d.instances[s]);
            this.formerPrimary = cfg.promoteReplica !== undefined ? d.instances.primary : undefined;
            this.instances = d.instances;
            this.writerSlot = d.writerSlot;
            this.replicaSlots = d.readers;
            this.primaryIdentifier = d.writer.identifier;
            this.replicaIdentifiers = this.replicas.map((r) => r.identifier);
            this.instanceEndpoints = Object.fromEntries(Object.entries(d.instances).map(([slot, i]) => [slot, i.endpoint]));
            this.monitoringTargets = {
                primaryIdentifier: this.primaryIdentifier,
                replicas: d.readers.map((slot, i) => ({ name: slot, identifier: this.replicaIdentifiers[i] })),
            };
        }
        this.writerIdentifier = this.primaryIdentifier;
        this.readerHealthCheckIds = names.readerHealthCheckIds;
        // The stack outputs: outputs of the records, so that they are reported once the records exist.
        this.writerEndpoint = names.writerRecord.fqdn;
        this.readerEndpoint = pulumi.all(names.readerRecords.map((r) => r.fqdn)).apply((fqdns) => fqdns[0]);
        this.privateZoneId = names.zoneId;

        const secret = createCredentialsSecret(this, name, {
            writerHost: names.writerHost,
            username: cfg.username,
            password: masterPassword,
            dbName: cfg.dbName,
            protect: cfg.deletionProtection,
            tags,
        });
        this.secretArn = secret.arn;
        this.connectionInfo = {
            // Plain strings, known in every preview (see DatabaseEndpoints).
            writerHost: names.writerHost,
            readerHost: names.readerHost,
            port: MYSQL_PORT,
            name: cfg.dbName,
            // The ARN, carrying a dependency on the records (their URNs, known in a preview even for new
            // records; ids or names would not be): a client built with it is created after the names exist.
            secretArn: pulumi.all([secret.arn, names.writerRecord.urn, ...names.readerRecords.map((r) => r.urn)]).apply(([arn]) => arn),
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
        if (!CLIENT_NAME_PATTERN.test(name)) {
            throw new Error(`Database ${db}: allowConnectionsFrom \`name\` must be 1-32 lower-case letters, digits or '-' such as web (got ${JSON.stringify(name)})`);
        }
        if (this.clients.has(name)) {
            throw new Error(`Database ${db}: allowConnectionsFrom \`name\` ${JSON.stringify(name)} is already used; each client needs its own name`);
        }
        this.clients.add(name);
        admitClient(this, db, name, this.securityGroupId, sourceSecurityGroupId, this.tags);
    }
}
