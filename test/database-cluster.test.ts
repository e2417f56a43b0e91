/**
 * The Multi-AZ DB cluster deployment (`deployment: "multiAzCluster"`), component and stack: what the
 * instance deployment guarantees, held by one aws.rds.Cluster, behind the same stable names.
 */
import { CLUSTER_REPLACING_INPUTS, clusterKeepers } from "../components/database/clusterDeployment";
import { MAX_MULTI_AZ_CLUSTER_IDENTIFIER, isMultiAzClusterClass } from "../components/lib/rds";
import { RDS_MYSQL_MINORS, RecordedResource, allInvokes, allResources, awaitOutput, invokeResult, resourceNamed, resourcesOf, runStack, settle, setupMocks } from "./mocks";

const CLUSTER = "aws:rds/cluster:Cluster";
const INSTANCE = "aws:rds/instance:Instance";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const RECORD = "aws:route53/record:Record";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

type DatabaseModule = typeof import("../components/database");

describe("Database with deployment multiAzCluster", () => {
    let mod: DatabaseModule;
    let base: import("../components/database").DatabaseArgs;
    let db: InstanceType<DatabaseModule["Database"]>;
    let webSgId: string;
    const cluster = () => resourceNamed(CLUSTER, "cl-cluster");
    const ofDb = (type: string, prefix: string) => resourcesOf(type, new RegExp(`^${prefix}-`));

    beforeAll(async () => {
        await setupMocks({ config: { "aws:region": "us-east-1" } });
        const aws = await import("@pulumi/aws");
        const { Network } = await import("../components/network");
        mod = await import("../components/database");
        const network = new Network("net", { availabilityZones: ZONES, natStrategy: "none" });
        const web = new aws.ec2.SecurityGroup("web-sg", { vpcId: network.vpcId, description: "web servers" });
        base = { vpcId: network.vpcId, subnetIds: network.databaseSubnetIds, availabilityZones: ZONES };
        db = new mod.Database("cl", { ...base, deployment: "multiAzCluster", deletionProtection: true, production: true, backupRetentionDays: 14 });
        db.allowConnectionsFrom("web", web.id);
        await awaitOutput(db.readerEndpoint);
        await settle();
        webSgId = resourceNamed("aws:ec2/securityGroup:SecurityGroup", "web-sg").id;
    });

    it("one aws.rds.Cluster with engine mysql on a supported class, three zones, provisioned storage; no aws.rds.Instance", () => {
        expect(ofDb(CLUSTER, "cl")).toHaveLength(1);
        const c = cluster();
        expect(c.inputs).toMatchObject({ engine: "mysql", dbClusterInstanceClass: "db.c6gd.medium", storageType: "gp3", allocatedStorage: 400, iops: 12000 });
        expect(isMultiAzClusterClass(c.inputs.dbClusterInstanceClass)).toBe(true);
        expect(c.inputs.availabilityZones).toEqual(ZONES);
        expect(ofDb(INSTANCE, "cl")).toEqual([]);
        expect(db.primary).toBeUndefined();
        expect(db.instances).toEqual({});
    });

    it("created with the newest full 8.4 version RDS reports, and engineVersion ignored afterwards (the provider resends a version that differs from the actual one)", () => {
        const c = cluster();
        expect(c.inputs.engineVersion).toBe("8.4.7");
        expect(c.inputs.engineVersion).toBe(RDS_MYSQL_MINORS["8.4"].at(-1));
        expect(allInvokes().filter((i) => i.token === "aws:rds/getEngineVersion:getEngineVersion").map((i) => i.inputs)).toContainEqual(expect.objectContaining({ engine: "mysql", version: "8.4", latest: true }));
        expect(c.ignoreChanges).toEqual(expect.arrayContaining(["engineVersion"]));
    });

    it("three zones at creation, the zones RDS reports afterwards ignored (ForceNew in the provider)", () => {
        const c = cluster();
        expect(c.inputs.availabilityZones).toEqual(ZONES);
        expect(c.ignoreChanges).toEqual(expect.arrayContaining(["availabilityZones"]));
        // Nothing else is ignored: every other input is applied by `pulumi up`.
        expect([...c.ignoreChanges].sort()).toEqual(["availabilityZones", "engineVersion"]);
    });

    it("the identifier's suffix keeps every input whose change replaces the cluster, with the value the cluster gets", () => {
        const c = cluster();
        const suffix = resourceNamed("random:index/randomId:RandomId", "cl-cluster-id-suffix");
        expect(Object.keys(suffix.inputs.keepers).sort()).toEqual([...CLUSTER_REPLACING_INPUTS].sort());
        for (const input of CLUSTER_REPLACING_INPUTS) expect(String(c.inputs[input])).toBe(suffix.inputs.keepers[input]);
        expect(c.inputs.clusterIdentifier).toMatch(new RegExp(`-cluster-${suffix.state.hex}$`));
    });

    it("a new storage type, subnet group, database or user name gives a new suffix (and identifier, final snapshot)", () => {
        const cfg = { dbName: "app", username: "dbadmin", storageType: "gp3" } as const;
        const before = clusterKeepers(cfg, "subnets-a");
        expect(clusterKeepers({ ...cfg, storageType: "io2" }, "subnets-a")).not.toEqual(before);
        expect(clusterKeepers(cfg, "subnets-b")).not.toEqual(before);
        expect(clusterKeepers({ ...cfg, dbName: "other" }, "subnets-a")).not.toEqual(before);
        expect(clusterKeepers({ ...cfg, username: "other" }, "subnets-a")).not.toEqual(before);
        expect(clusterKeepers(cfg, "subnets-a")).toEqual(before);
    });

    it("the engine-version mock answers like the provider: the newest minor with latest, an error for a major without it or an unknown version", () => {
        expect(invokeResult("aws:rds/getEngineVersion:getEngineVersion", { engine: "mysql", version: "8.0", latest: true })).toMatchObject({ versionActual: "8.0.43", parameterGroupFamily: "mysql8.0", status: "available" });
        expect(() => invokeResult("aws:rds/getEngineVersion:getEngineVersion", { engine: "mysql", version: "8.4" })).toThrow("multiple RDS engine versions");
        expect(() => invokeResult("aws:rds/getEngineVersion:getEngineVersion", { engine: "mysql", version: "5.7", latest: true })).toThrow("getEngineVersion modelled for");
        expect(() => invokeResult("aws:rds/getEngineVersion:getEngineVersion", { engine: "postgres", version: "16", latest: true })).toThrow("getEngineVersion modelled for");
    });

    it("a long component and stack name still give a cluster identifier of at most 52 characters (RDS's limit for Multi-AZ DB clusters)", async () => {
        const long = new mod.Database("a-very-long-database-component-name-x", { ...base, deployment: "multiAzCluster" });
        const id = await awaitOutput(long.cluster!.clusterIdentifier);
        expect(id.length).toBeLessThanOrEqual(MAX_MULTI_AZ_CLUSTER_IDENTIFIER);
        expect(id).toMatch(/^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/);
        expect(id).toMatch(/-cluster-[0-9a-f]{8}$/);
    });

    it("encrypted, not public, backups ≥ 7 days, a final snapshot, deletion protection and protect in production", () => {
        const c = cluster();
        expect(c.inputs.storageEncrypted).toBe(true);
        // Multi-AZ DB clusters have no publiclyAccessible argument in the provider: private by their subnets.
        expect(c.inputs).not.toHaveProperty("publiclyAccessible");
        expect(c.inputs.dbSubnetGroupName).toBe(resourceNamed("aws:rds/subnetGroup:SubnetGroup", "cl-subnets").state.name);
        expect(c.inputs.backupRetentionPeriod).toBe(14);
        expect(c.inputs.backupRetentionPeriod).toBeGreaterThanOrEqual(7);
        expect(c.inputs).toMatchObject({ skipFinalSnapshot: false, deleteAutomatedBackups: false, deletionProtection: true, copyTagsToSnapshot: true });
        expect(c.inputs.finalSnapshotIdentifier).toBe(`${c.inputs.clusterIdentifier}-final`);
        expect(c.protect).toBe(true);
        // In dev: no deletion protection, but still a final snapshot.
    });

    it("the master password is a secret input of the cluster and lives in our Secrets Manager secret", () => {
        const c = cluster();
        expect(c.secretPaths).toContain("masterPassword");
        expect(c.inputs).not.toHaveProperty("manageMasterUserPassword");
        expect(c.inputs.masterUsername).toBe("dbadmin");
        expect(c.inputs.databaseName).toBe("app");
        const secret = JSON.parse(resourceNamed("aws:secretsmanager/secretVersion:SecretVersion", "cl-credentials-value").inputs.secretString);
        expect(secret).toEqual({ engine: "mysql", host: "writer.cl.db.internal", port: 3306, username: "dbadmin", password: c.inputs.masterPassword, dbname: "app" });
        expect(resourceNamed("aws:secretsmanager/secret:Secret", "cl-credentials").protect).toBe(true);
    });

    it("the security group admits MySQL only from the web SG on 3306", () => {
        const sg = resourceNamed("aws:ec2/securityGroup:SecurityGroup", "cl-sg");
        expect(cluster().inputs.vpcSecurityGroupIds).toEqual([sg.id]);
        const rules = resourcesOf(INGRESS).filter((r) => r.inputs.securityGroupId === sg.id);
        expect(rules.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort])).toEqual([[webSgId, "tcp", 3306, 3306]]);
        expect(rules[0].inputs).not.toHaveProperty("cidrIpv4");
        expect(sg.inputs).not.toHaveProperty("ingress");
    });

    it("parameters, logs with retention in groups of ours, Enhanced Monitoring and Performance Insights", () => {
        const c = cluster();
        const params = resourceNamed("aws:rds/clusterParameterGroup:ClusterParameterGroup", "cl-cluster-params");
        expect(params.inputs.family).toBe("mysql8.4");
        expect(params.inputs.parameters).toEqual(expect.arrayContaining([{ name: "require_secure_transport", value: "1", applyMethod: "immediate" }]));
        expect(c.inputs.dbClusterParameterGroupName).toBe(params.state.name);
        expect(resourcesOf("aws:rds/parameterGroup:ParameterGroup", /^cl-/)).toEqual([]);
        expect(c.inputs.enabledCloudwatchLogsExports).toEqual(["error", "slowquery"]);
        const groups = ofDb(LOG_GROUP, "cl");
        expect(groups.map((g) => g.inputs.name).sort()).toEqual([`/aws/rds/cluster/${c.inputs.clusterIdentifier}/error`, `/aws/rds/cluster/${c.inputs.clusterIdentifier}/slowquery`]);
        for (const g of groups) expect(g.inputs.retentionInDays).toBe(30);
        expect(c.dependencies).toEqual(expect.arrayContaining(groups.map((g) => g.urn)));
        expect(c.inputs.monitoringInterval).toBe(60);
        expect(c.inputs.monitoringRoleArn).toBe(resourceNamed("aws:iam/role:Role", "cl-monitoring-role").state.arn);
        expect(c.inputs).toMatchObject({ performanceInsightsEnabled: true, performanceInsightsRetentionPeriod: 7, iamDatabaseAuthenticationEnabled: true, engineLifecycleSupport: "open-source-rds-extended-support-disabled" });
    });

    it("writer and reader are CNAMEs of the cluster's writer and reader endpoints", async () => {
        const c = cluster();
        const writer = resourceNamed(RECORD, "cl-writer");
        const readers = resourcesOf(RECORD, /^cl-reader/);
        expect(writer.inputs).toMatchObject({ name: "writer.cl.db.internal", type: "CNAME", ttl: 30, records: [c.state.endpoint] });
        expect(writer.dependencies).toContain(c.urn);
        expect(readers.map((r) => [r.name, r.inputs.name, r.inputs.type, r.inputs.records])).toEqual([["cl-reader-cluster-reader", "reader.cl.db.internal", "CNAME", [c.state.readerEndpoint]]]);
        expect(readers[0].inputs).not.toHaveProperty("healthCheckId");
        expect(c.state.readerEndpoint).toContain(".cluster-ro-");
        expect(db.connectionInfo).toMatchObject({ writerHost: "writer.cl.db.internal", readerHost: "reader.cl.db.internal", port: 3306, name: "app" });
        expect(await awaitOutput(db.writerIdentifier)).toBe(c.state.clusterIdentifier);
        expect(db.readerHealthCheckIds).toEqual([]);
        // Monitoring targets: the cluster and its three instances (RDS's names).
        expect(await awaitOutput(db.monitoringTargets.cluster!.identifier)).toBe(c.state.clusterIdentifier);
        expect(await Promise.all(db.monitoringTargets.cluster!.members.map((m) => awaitOutput(m.identifier)))).toEqual(c.state.clusterMembers);
    });

    const attempt = (extra: Partial<import("../components/database").DatabaseArgs>, zones = ZONES) => () =>
        new mod.Database("bad", { ...base, availabilityZones: zones, subnetIds: base.subnetIds.slice(0, zones.length), deployment: "multiAzCluster", ...extra });

    it.each([
        [{}, ["us-east-1a", "us-east-1b"], "`deployment` multiAzCluster needs 3 zones, one for the writer and one for each readable standby (got 2: us-east-1a, us-east-1b)"],
        [{ clusterInstanceClass: "db.t4g.micro" }, ZONES, "`clusterInstanceClass` must be a class Multi-AZ DB clusters run on"],
        [{ clusterInstanceClass: "db.m6gd.medium" }, ZONES, "with db.c6gd.medium the only medium size (got \"db.m6gd.medium\")"],
        [{ replicaCount: 2 }, ZONES, "`replicaCount` is not for `deployment` multiAzCluster (got 2): its two readable standbys are the readers"],
        [{ maxAllocatedStorageGiB: 500 }, ZONES, "`maxAllocatedStorageGiB` is not for `deployment` multiAzCluster (got 500): Multi-AZ DB clusters have no storage autoscaling"],
        [{ promoteReplica: 1 }, ZONES, "`promoteReplica` is not for `deployment` multiAzCluster"],
        [{ storageType: "io1", allocatedStorageGiB: 50 }, ZONES, "`allocatedStorageGiB` must be a whole number from 100 to 65536 for io1 storage of a Multi-AZ DB cluster (got 50)"],
        [{ storageType: "io1", allocatedStorageGiB: 100, iops: 6000 }, ZONES, "`iops` must be 0.5 to 50 times `allocatedStorageGiB` for io1 (50 to 5000) (got 6000)"],
        [{ storageType: "gp3", allocatedStorageGiB: 200 }, ZONES, "`allocatedStorageGiB` must be a whole number from 400 to 65536 for gp3"],
    ] as const)("refuses %j in %j before declaring anything", (extra, zones, message) => {
        const before = allResources().length;
        expect(attempt(extra as Partial<import("../components/database").DatabaseArgs>, zones as unknown as string[])).toThrow(message);
        expect(allResources().length).toBe(before);
    });

    it("the instance deployment refuses the cluster's args", () => {
        expect(() => new mod.Database("bad2", { ...base, clusterInstanceClass: "db.c6gd.medium" })).toThrow(
            '`clusterInstanceClass` is only for `deployment` multiAzCluster (got "db.c6gd.medium" with deployment instance)',
        );
    });
});

describe("prod stack (dbDeployment multiAzCluster)", () => {
    let resources: readonly RecordedResource[];
    let outputs: Record<string, any>;
    beforeAll(async () => {
        ({ resources, outputs } = await runStack("prod"));
    });

    it("one cluster, no DB instance; the web role may read exactly the credentials secret", () => {
        expect(resources.filter((r) => r.type === CLUSTER)).toHaveLength(1);
        expect(resources.filter((r) => r.type === INSTANCE)).toEqual([]);
        const policy = resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.policy?.includes("ReadTheDatabaseSecret"))!;
        const statements = JSON.parse(policy.inputs.policy).Statement;
        expect(statements).toEqual([
            { Sid: "ReadTheDatabaseSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: outputs.dbSecretArn },
        ]);
        expect(outputs.dbSecretArn).toBe(resourceNamed("aws:secretsmanager/secret:Secret", "database-credentials").state.arn);
    });

    it("deletion protection and protect (production); the web SG is the only source on 3306", () => {
        const c = resourceNamed(CLUSTER, "database-cluster");
        expect(c.inputs.deletionProtection).toBe(true);
        expect(c.protect).toBe(true);
        const sg = resourceNamed("aws:ec2/securityGroup:SecurityGroup", "database-sg");
        const rules = resources.filter((r) => r.type === INGRESS && r.inputs.securityGroupId === sg.id);
        expect(rules.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort])).toEqual([[resourceNamed("aws:ec2/securityGroup:SecurityGroup", "web-sg").id, 3306, 3306]]);
    });

    it("monitoring: per-instance alarms incl. replica lag on the three cluster instances, cluster events to the events topic, the dashboard graphs them", () => {
        const c = resourceNamed(CLUSTER, "database-cluster");
        const lag = resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.inputs.metricName === "ReplicaLag");
        expect(lag.map((a) => a.inputs.dimensions.DBInstanceIdentifier).sort()).toEqual([...c.state.clusterMembers].sort());
        const sub = resourceNamed("aws:rds/eventSubscription:EventSubscription", "monitoring-db-events");
        expect(sub.inputs).toMatchObject({ sourceType: "db-cluster", sourceIds: [c.state.clusterIdentifier], snsTopic: outputs.dbEventsTopicArn });
        // The three DB instances' own events (reboots, failures, low storage), by the identifiers RDS reports.
        const members = resourceNamed("aws:rds/eventSubscription:EventSubscription", "monitoring-db-instance-events");
        expect(members.inputs).toMatchObject({ sourceType: "db-instance", snsTopic: outputs.dbEventsTopicArn });
        expect([...members.inputs.sourceIds].sort()).toEqual([...c.state.clusterMembers].sort());
        // Thresholds of the stack (alarmDbConnections, alarmDbFreeableMemoryMiB) reach every member.
        for (const metric of ["DatabaseConnections", "FreeableMemory"]) {
            const alarms = resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.inputs.metricName === metric);
            expect(alarms.map((a) => a.inputs.dimensions.DBInstanceIdentifier).sort()).toEqual([...c.state.clusterMembers].sort());
            // Pulumi.prod.yaml: alarmDbConnections 120, alarmDbFreeableMemoryMiB 128.
            for (const a of alarms) expect(a.inputs.threshold).toBe(metric === "DatabaseConnections" ? 120 : 128 * 1024 * 1024);
        }
        const body = resourceNamed("aws:cloudwatch/dashboard:Dashboard", "monitoring-dashboard").inputs.dashboardBody;
        for (const member of c.state.clusterMembers) expect(body).toContain(member);
    });

    it("outputs name the cluster: writer identifier, endpoints", () => {
        const c = resourceNamed(CLUSTER, "database-cluster");
        expect(outputs.dbWriterIdentifier).toBe(c.state.clusterIdentifier);
        expect(outputs.dbReplicaIdentifiers).toEqual([]);
        expect(outputs.dbInstanceEndpoints).toEqual({ writer: `${c.state.endpoint}:3306`, reader: `${c.state.readerEndpoint}:3306` });
    });
});

describe("stack config for multiAzCluster", () => {
    it.each([
        [{ dbDeployment: "multiAzCluster" }, "`availabilityZoneCount` must be at least 3 with `dbDeployment` multiAzCluster (got 2)"],
        [{ dbDeployment: "multiAzCluster", availabilityZoneCount: "3", dbClusterInstanceClass: "db.t4g.micro" }, "`dbClusterInstanceClass` must be a class Multi-AZ DB clusters run on"],
        [{ dbDeployment: "multiAzCluster", availabilityZoneCount: "3" }, "`dbReplicaCount` must not be set with `dbDeployment` multiAzCluster (got \"1\")"],
        [{ dbClusterInstanceClass: "db.c6gd.medium" }, "`dbClusterInstanceClass` is only for `dbDeployment` multiAzCluster"],
    ])("dev + %j is refused: %s", async (overrides, message) => {
        await expect(runStack("dev", overrides)).rejects.toThrow(message);
    });
});
