import * as pulumi from "@pulumi/pulumi";
import { isValidMasterPassword } from "../components/lib/rds";
import { RecordedResource, allInvokes, allResources, awaitOutput, descendantsOf, resourceNamed, resourcesOf, settle, setupMocks } from "./mocks";

const RDS = "aws:rds/instance:Instance";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const RECORD = "aws:route53/record:Record";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
const SECRET = "aws:secretsmanager/secret:Secret";
const RANDOM_ID = "random:index/randomId:RandomId";
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

type DatabaseModule = typeof import("../components/database");
type Database = InstanceType<DatabaseModule["Database"]>;
let mod: DatabaseModule;
let network: InstanceType<typeof import("../components/network")["Network"]>;
let webSg: RecordedResource;
let webSgId: import("@pulumi/pulumi").Output<string>;
const db: Record<string, Database> = {};
let baseArgs: import("../components/database").DatabaseArgs;

beforeAll(async () => {
    await setupMocks({ config: { "aws:region": "us-east-1" } });
    const aws = await import("@pulumi/aws");
    const { Network } = await import("../components/network");
    mod = await import("../components/database");
    network = new Network("net", { availabilityZones: ZONES, natStrategy: "none" });
    const web = new aws.ec2.SecurityGroup("web-sg", { vpcId: network.vpcId, description: "web servers" });
    webSgId = web.id;
    baseArgs = { vpcId: network.vpcId, subnetIds: network.databaseSubnetIds, availabilityZones: ZONES };

    // The stack's shape: 2 replicas, production.
    db.main = new mod.Database("db", { ...baseArgs, replicaCount: 2, deletionProtection: true, production: true, tags: { Team: "data" } });
    db.main.allowConnectionsFrom("web", web.id);
    // After a failover: replica 2 of 3 promoted, Multi-AZ writer, a class with Performance Insights.
    db.promoted = new mod.Database("promoted", { ...baseArgs, replicaCount: 3, promoteReplica: 2, promotionComplete: true, multiAz: true, instanceClass: "db.m7g.large", deletionProtection: true });
    // Smallest: no replicas, no Enhanced Monitoring, no deletion protection.
    db.single = new mod.Database("single", { ...baseArgs, replicaCount: 0, monitoringIntervalSeconds: 0, privateZoneName: "mysql.example.internal" });
    // A promotion whose former primary was retired.
    db.retired = new mod.Database("retired", { ...baseArgs, replicaCount: 1, promoteReplica: 1, promotionComplete: true, retireFormerPrimary: true });
    // Single-AZ promotion of replica 1 of 3: replica-3 shared its zone before the promotion.
    db.moved = new mod.Database("moved", { ...baseArgs, replicaCount: 3, promoteReplica: 1, promotionComplete: true });
    // MySQL 8.0 (past standard support), a Multi-AZ primary, 2 replicas, a year of logs.
    db.legacy = new mod.Database("legacy", { ...baseArgs, engineVersion: "8.0", multiAz: true, replicaCount: 2, logRetentionDays: 365 });
    // The same database before and after promoting replica 2.
    db.before = new mod.Database("before", { ...baseArgs, replicaCount: 2, deletionProtection: true });
    db.after = new mod.Database("after", { ...baseArgs, replicaCount: 2, deletionProtection: true, promoteReplica: 2 });
    // A client of the connection info (as the web servers use it): what does it wait for?
    new aws.ssm.Parameter("client-of-db", { name: "/test/db-secret-arn", type: "String", value: db.main.connectionInfo.secretArn });

    await awaitOutput(db.main.readerEndpoint);
    await settle();
    webSg = resourceNamed(SG, "web-sg");
});

const instance = (name: string) => resourceNamed(RDS, name);
const instancesOf = (prefix: string) => resourcesOf(RDS, new RegExp(`^${prefix}-`));
const recordsOf = (prefix: string, host: "writer" | "reader") => resourcesOf(RECORD, new RegExp(`^${prefix}-${host}`));
/** The `reader` records by set identifier: the replicas' in slot order, then the writer fallback (registration order varies). */
const readerRecordsOf = (prefix: string) => recordsOf(prefix, "reader").sort((a, b) => String(a.inputs.setIdentifier).localeCompare(String(b.inputs.setIdentifier)));
const suffixOf = (prefix: string, slot: string) => resourceNamed(RANDOM_ID, `${prefix}-${slot}-id-suffix`);
const logGroupsOf = (prefix: string, slot: string) => resourcesOf(LOG_GROUP, new RegExp(`^${prefix}-${slot}-(error|slowquery)-logs$`));
const generatedPassword = (prefix: string) => resourceNamed("random:index/randomPassword:RandomPassword", `${prefix}-master-password`).state.result as string;

/** Inputs of `r` with every secret path removed: what would show in plain text in a plan or state. */
function plainInputs(r: RecordedResource): unknown {
    const copy = JSON.parse(JSON.stringify(r.inputs ?? {}));
    for (const path of r.secretPaths) {
        if (path === "(root)") return {};
        const keys = path.split(".");
        let node = copy;
        for (const k of keys.slice(0, -1)) node = node?.[k];
        if (node) delete node[keys[keys.length - 1]];
    }
    return copy;
}

describe("security group", () => {
    it("the DB SG has no inline rules and admits only the web SG, on 3306, by reference", () => {
        const sg = resourceNamed(SG, "db-sg");
        expect(sg.inputs.vpcId).toBe(resourceNamed("aws:ec2/vpc:Vpc", "net-vpc").id);
        expect(sg.inputs).not.toHaveProperty("ingress");
        expect(sg.inputs).not.toHaveProperty("egress");
        const ingress = resourcesOf(INGRESS).filter((r) => r.inputs.securityGroupId === sg.id);
        expect(ingress).toHaveLength(1);
        expect(ingress[0].inputs).toEqual({
            securityGroupId: sg.id,
            referencedSecurityGroupId: webSg.id,
            ipProtocol: "tcp",
            fromPort: 3306,
            toPort: 3306,
            description: "MySQL from web to the db database instances",
            tags: { Team: "data", Name: "db-from-web" },
        });
    });

    it("the DB SG has no egress rule at all (RDS needs none)", () => {
        const sg = resourceNamed(SG, "db-sg");
        expect(resourcesOf(EGRESS).filter((r) => r.inputs.securityGroupId === sg.id)).toEqual([]);
    });

    it("the web SG gets egress to the DB SG on 3306 only", () => {
        const sg = resourceNamed(SG, "db-sg");
        const egress = resourcesOf(EGRESS).filter((r) => r.inputs.securityGroupId === webSg.id);
        expect(egress).toHaveLength(1);
        expect(egress[0].inputs).toMatchObject({ referencedSecurityGroupId: sg.id, ipProtocol: "tcp", fromPort: 3306, toPort: 3306 });
        expect(egress[0].inputs.description).toMatch(/web/);
    });

    it("both rules are children of the Database", () => {
        const component = resourceNamed("web-infra:database:Database", "db");
        const children = descendantsOf(component.urn).map((r) => r.name);
        expect(children).toEqual(expect.arrayContaining(["db-from-web", "db-to-db-from-web"]));
    });

    it("no other variant has any rule: a database admits nobody until allowConnectionsFrom", () => {
        for (const name of ["promoted", "single", "retired"]) {
            const sg = resourceNamed(SG, `${name}-sg`);
            expect(resourcesOf(INGRESS).filter((r) => r.inputs.securityGroupId === sg.id)).toEqual([]);
        }
    });

    it("refuses a repeated or malformed client name, with the exact message", () => {
        expect(() => db.main.allowConnectionsFrom("web", webSgId)).toThrow(
            'Database db: allowConnectionsFrom `name` "web" is already used; each client needs its own name',
        );
        expect(() => db.main.allowConnectionsFrom("Web Servers", webSgId)).toThrow(
            "Database db: allowConnectionsFrom `name` must be 1-32 lower-case letters, digits or '-' such as web (got \"Web Servers\")",
        );
    });
});

describe("subnet group and parameters", () => {
    it("the subnet group spans the network's database subnets, and the primary uses it", () => {
        const group = resourceNamed("aws:rds/subnetGroup:SubnetGroup", "db-subnets");
        const dbSubnets = resourcesOf("aws:ec2/subnet:Subnet", /^net-database-/).map((s) => s.id);
        expect(group.inputs.subnetIds).toEqual(dbSubnets);
        expect(dbSubnets).toHaveLength(3);
        expect(instance("db-primary").inputs.dbSubnetGroupName).toBe(group.state.name);
    });

    it("the parameter group (mysql8.4 by default) requires TLS, logs row-based binlogs and slow queries to files, never blocks a host", () => {
        const pg = resourceNamed("aws:rds/parameterGroup:ParameterGroup", "db-params");
        expect(pg.inputs.family).toBe("mysql8.4");
        expect(pg.inputs.parameters).toEqual([
            { name: "require_secure_transport", value: "1", applyMethod: "immediate" },
            { name: "binlog_format", value: "ROW", applyMethod: "immediate" },
            { name: "slow_query_log", value: "1", applyMethod: "immediate" },
            { name: "long_query_time", value: "1", applyMethod: "immediate" },
            { name: "log_output", value: "FILE", applyMethod: "immediate" },
            // The web servers' TCP probe would otherwise get them blocked after 100 probes.
            { name: "max_connect_errors", value: "1000000000", applyMethod: "immediate" },
        ]);
        for (const i of instancesOf("db")) expect(i.inputs.parameterGroupName).toBe(pg.state.name);
    });

    it("an 8.0 engine gets the mysql8.0 family", () => {
        expect(resourceNamed("aws:rds/parameterGroup:ParameterGroup", "legacy-params").inputs.family).toBe("mysql8.0");
    });
});

describe("primary", () => {
    it("is MySQL on encrypted gp3 with autoscaling, private, IAM auth, TLS-era CA, logs exported", () => {
        const p = instance("db-primary").inputs;
        expect(p).toMatchObject({
            engine: "mysql",
            engineVersion: "8.4",
            instanceClass: "db.t4g.micro",
            storageType: "gp3",
            storageEncrypted: true,
            allocatedStorage: 20,
            maxAllocatedStorage: 100,
            multiAz: false,
            availabilityZone: "us-east-1a",
            port: 3306,
            publiclyAccessible: false,
            iamDatabaseAuthenticationEnabled: true,
            autoMinorVersionUpgrade: true,
            caCertIdentifier: "rds-ca-rsa2048-g1",
            enabledCloudwatchLogsExports: ["error", "slowquery"],
            copyTagsToSnapshot: true,
            dbName: "app",
            username: "dbadmin",
        });
        expect(p.vpcSecurityGroupIds).toEqual([resourceNamed(SG, "db-sg").id]);
        expect(p).not.toHaveProperty("manageMasterUserPassword");
    });

    it("keeps ≥ 7 days of backups in windows that don't overlap maintenance", () => {
        const p = instance("db-primary").inputs;
        expect(p.backupRetentionPeriod).toBeGreaterThanOrEqual(7);
        expect(p.backupWindow).toBe("03:00-04:00");
        expect(p.maintenanceWindow).toBe("sun:04:30-sun:05:30");
    });

    it("an explicit identifier <name>-<stack>-<slot>-<8 hex of its RandomId>", () => {
        for (const [prefix, slot] of [["db", "primary"], ["db", "replica-1"], ["db", "replica-2"], ["single", "primary"], ["promoted", "replica-3"]]) {
            const i = instance(`${prefix}-${slot}`);
            expect(i.inputs.identifier).toBe(`${prefix}-test-${slot}-${suffixOf(prefix, slot).state.hex}`);
            expect(i.inputs.identifier).toMatch(/^[a-z][a-z0-9-]{0,62}$/);
            expect(i.state.identifier).toBe(i.inputs.identifier);
        }
    });

    it("production: deletion protection, protect, and a final snapshot named after the identifier; automated backups kept", () => {
        const p = instance("db-primary");
        expect(p.inputs.deletionProtection).toBe(true);
        expect(p.protect).toBe(true);
        expect(p.inputs.skipFinalSnapshot).toBe(false);
        expect(p.inputs.finalSnapshotIdentifier).toBe(`${p.inputs.identifier}-final`);
        expect(p.inputs.finalSnapshotIdentifier).toMatch(/^db-test-primary-[0-9a-f]{8}-final$/);
        expect(p.inputs.deleteAutomatedBackups).toBe(false);
    });

    it("a replacement gets a new identifier and final snapshot: the suffix is kept by the inputs that replace the primary", () => {
        // dbName and username force replacement; the RandomId behind the identifier (and the final
        // snapshot's name) is replaced with them, so a twice-replaced primary never reuses a snapshot name.
        const suffix = suffixOf("db", "primary");
        expect(suffix.inputs).toEqual({ byteLength: 4, keepers: { engine: "mysql", dbName: "app", username: "dbadmin" } });
        expect(suffix.ignoreChanges).toEqual([]);
        expect(instance("db-primary").inputs.finalSnapshotIdentifier).toContain(suffix.state.hex);
        // No separate, keeper-less snapshot suffix any more.
        expect(resourcesOf(RANDOM_ID, /final-snapshot/)).toEqual([]);
    });

    it("a final snapshot is taken outside production too", () => {
        const p = instance("single-primary");
        expect(p.inputs.skipFinalSnapshot).toBe(false);
        expect(p.inputs.finalSnapshotIdentifier).toMatch(/^single-test-primary-[0-9a-f]{8}-final$/);
        expect(p.inputs.deletionProtection).toBe(false);
        expect(p.protect).toBe(false);
    });

    it("applies changes in its maintenance window, not at `pulumi up` (no unplanned reboot of a healthy writer)", () => {
        for (const name of ["db-primary", "single-primary", "legacy-primary", "promoted-primary", "moved-primary"]) {
            expect(instance(name).inputs).not.toHaveProperty("applyImmediately");
        }
    });

    it("Multi-AZ: no zone asked for (RDS places the writer and its standby), drift ignored; replicas still in the other zones", () => {
        const p = instance("legacy-primary");
        expect(p.inputs.multiAz).toBe(true);
        expect(p.inputs).not.toHaveProperty("availabilityZone");
        expect(p.ignoreChanges).toEqual(["availabilityZone"]);
        expect(["legacy-replica-1", "legacy-replica-2"].map((n) => instance(n).inputs.availabilityZone)).toEqual(["us-east-1b", "us-east-1c"]);
    });

    it("ignores availabilityZone drift (a Multi-AZ failover moves it; the property forces replacement)", () => {
        expect(instance("db-primary").ignoreChanges).toEqual(["availabilityZone"]);
    });

    it("Enhanced Monitoring through a role only RDS monitoring of this account can assume", () => {
        const role = resourceNamed("aws:iam/role:Role", "db-monitoring-role");
        const trust = JSON.parse(role.inputs.assumeRolePolicy);
        expect(trust.Statement).toEqual([
            {
                Effect: "Allow",
                Principal: { Service: "monitoring.rds.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": "123456789012" },
                    ArnLike: { "aws:SourceArn": "arn:aws:rds:us-east-1:123456789012:db:*" },
                },
            },
        ]);
        const attachment = resourceNamed("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "db-monitoring-policy");
        expect(attachment.inputs).toEqual({ role: role.state.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole" });
        for (const i of instancesOf("db")) {
            expect(i.inputs).toMatchObject({ monitoringInterval: 60, monitoringRoleArn: role.state.arn });
            expect(i.dependencies).toContain(attachment.urn);
        }
    });

    it("monitoring interval 0: no role, no role ARN", () => {
        expect(resourcesOf("aws:iam/role:Role", /^single-/)).toEqual([]);
        expect(instance("single-primary").inputs.monitoringInterval).toBe(0);
        expect(instance("single-primary").inputs).not.toHaveProperty("monitoringRoleArn");
    });

    it("Performance Insights only where the class supports it", () => {
        for (const i of instancesOf("db")) {
            expect(i.inputs.performanceInsightsEnabled).toBe(false);
            expect(i.inputs).not.toHaveProperty("performanceInsightsRetentionPeriod");
        }
        for (const i of instancesOf("promoted")) expect(i.inputs).toMatchObject({ performanceInsightsEnabled: true, performanceInsightsRetentionPeriod: 7 });
    });
});

describe("engine lifecycle (RDS Extended Support)", () => {
    it("8.4 (the default): Extended Support disabled on every instance, so no surcharge can start silently", () => {
        for (const prefix of ["db", "promoted", "single", "retired", "moved"]) {
            for (const i of instancesOf(prefix)) {
                expect({ name: i.name, ...i.inputs }).toMatchObject({ name: i.name, engineVersion: "8.4", engineLifecycleSupport: "open-source-rds-extended-support-disabled" });
            }
        }
    });

    it("8.0: explicitly enrolled on every instance (past standard support RDS creates it no other way)", () => {
        const legacy = instancesOf("legacy");
        expect(legacy).toHaveLength(3);
        for (const i of legacy) expect(i.inputs).toMatchObject({ engineVersion: "8.0", engineLifecycleSupport: "open-source-rds-extended-support" });
    });
});

describe("maintenance windows", () => {
    it("replicas have their own window, a day before the writer's, so minor upgrades never restart both", () => {
        for (const r of [instance("db-replica-1"), instance("db-replica-2"), instance("promoted-replica-1"), instance("promoted-replica-3")]) {
            expect(r.inputs.maintenanceWindow).toBe("sat:04:30-sat:05:30");
        }
        // The writers (original and promoted) and the former primary keep the writer's window.
        for (const w of [instance("db-primary"), instance("promoted-replica-2"), instance("promoted-primary")]) {
            expect(w.inputs.maintenanceWindow).toBe("sun:04:30-sun:05:30");
        }
    });
});

describe("log groups (RDS would create never-expiring, untagged ones)", () => {
    it("two per instance, named where RDS writes (/aws/rds/instance/<identifier>/<type>), 30 days by default, tagged", () => {
        for (const prefix of ["db", "promoted", "single", "moved"]) {
            for (const i of instancesOf(prefix)) {
                const slot = i.name.slice(prefix.length + 1);
                const groups = logGroupsOf(prefix, slot);
                expect(groups.map((g) => g.inputs.name)).toEqual([`/aws/rds/instance/${i.inputs.identifier}/error`, `/aws/rds/instance/${i.inputs.identifier}/slowquery`]);
                for (const g of groups) expect(g.inputs).toMatchObject({ retentionInDays: 30, tags: { Name: g.name } });
            }
        }
        expect(instance("db-primary").inputs.enabledCloudwatchLogsExports).toEqual(["error", "slowquery"]);
        expect(logGroupsOf("db", "primary")[0].inputs.tags).toEqual({ Team: "data", Name: "db-primary-error-logs" });
    });

    it("exist before their instance (it depends on them), so RDS never creates its own", () => {
        for (const prefix of ["db", "promoted", "moved"]) {
            for (const i of instancesOf(prefix)) {
                const slot = i.name.slice(prefix.length + 1);
                for (const g of logGroupsOf(prefix, slot)) expect(i.dependencies).toContain(g.urn);
            }
        }
    });

    it("logRetentionDays sets the retention", () => {
        const groups = resourcesOf(LOG_GROUP, /^legacy-/);
        expect(groups).toHaveLength(6);
        for (const g of groups) expect(g.inputs.retentionInDays).toBe(365);
    });

    it("the retired primary's groups (and identity) are kept: its last logs stay readable", () => {
        expect(logGroupsOf("retired", "primary")).toHaveLength(2);
        expect(suffixOf("retired", "primary").inputs.keepers).toEqual({ engine: "mysql", dbName: "app", username: "dbadmin" });
    });
});

describe("replicas", () => {
    const replicas = () => [instance("db-replica-1"), instance("db-replica-2")];

    it("replicate from the primary's identifier (not its resource id)", () => {
        const primary = instance("db-primary");
        expect(primary.state.identifier).not.toBe(primary.id);
        for (const r of replicas()) expect(r.inputs.replicateSourceDb).toBe(primary.state.identifier);
    });

    it("each in a zone of the network other than the primary's", () => {
        const primaryZone = instance("db-primary").inputs.availabilityZone;
        expect(replicas().map((r) => r.inputs.availabilityZone)).toEqual(["us-east-1b", "us-east-1c"]);
        for (const r of replicas()) expect(r.inputs.availabilityZone).not.toBe(primaryZone);
    });

    it("carry no username, password, dbName, character set, engine or subnet group (the provider rejects or inherits them)", () => {
        for (const r of replicas()) {
            for (const key of ["username", "password", "dbName", "characterSetName", "engine", "dbSubnetGroupName", "allocatedStorage"]) {
                expect(r.inputs).not.toHaveProperty(key);
            }
        }
    });

    it("are encrypted, private, monitored and backed up like the primary", () => {
        const p = instance("db-primary").inputs;
        for (const r of replicas()) {
            expect(r.inputs).toMatchObject({
                storageEncrypted: true,
                storageType: "gp3",
                publiclyAccessible: false,
                iamDatabaseAuthenticationEnabled: true,
                instanceClass: p.instanceClass,
                parameterGroupName: p.parameterGroupName,
                vpcSecurityGroupIds: p.vpcSecurityGroupIds,
                monitoringInterval: p.monitoringInterval,
                monitoringRoleArn: p.monitoringRoleArn,
                enabledCloudwatchLogsExports: p.enabledCloudwatchLogsExports,
                backupRetentionPeriod: p.backupRetentionPeriod,
                backupWindow: p.backupWindow,
                multiAz: false,
            });
        }
    });

    it("hold no unique data: no final snapshot, no deletion protection, replaceable", () => {
        for (const r of replicas()) {
            expect(r.inputs).toMatchObject({ skipFinalSnapshot: true, deletionProtection: false, deleteAutomatedBackups: true });
            expect(r.inputs).not.toHaveProperty("finalSnapshotIdentifier");
            expect(r.inputs).not.toHaveProperty("applyImmediately");
            expect(r.protect).toBe(false);
            // RDS can't re-point a replica: a new source means a new replica.
            expect(r.replaceOnChanges).toEqual(["replicateSourceDb", "identifier"]);
        }
    });

    it("a new source or zone gives a new identifier (the suffix is kept by them), so the new replica is created before the old is deleted", () => {
        const primaryHex = suffixOf("db", "primary").state.hex;
        expect(suffixOf("db", "replica-1").inputs.keepers).toEqual({ source: "primary", sourceSuffix: primaryHex, zone: "us-east-1b" });
        expect(suffixOf("db", "replica-2").inputs.keepers).toEqual({ source: "primary", sourceSuffix: primaryHex, zone: "us-east-1c" });
    });
});

describe("credentials", () => {
    it("the generated password is 40 characters RDS accepts", () => {
        const pw = generatedPassword("db");
        expect(pw).toHaveLength(40);
        expect(isValidMasterPassword(pw)).toBe(true);
        expect(resourceNamed("random:index/randomPassword:RandomPassword", "db-master-password").inputs).toMatchObject({ overrideSpecial: "!*-_.~^=", special: true });
    });

    // The SDK itself wraps `password` and `secretString` in pulumi.secret (they are secret in the schema);
    // what these tests guard is that the password goes nowhere else in plain text.
    it("reaches the primary as a secret", () => {
        const p = instance("db-primary");
        expect(p.inputs.password).toBe(generatedPassword("db"));
        expect(p.secretPaths).toContain("password");
    });

    it("is stored as secret JSON {engine, host = writer name, port, username, password, dbname}", () => {
        const version = resourceNamed("aws:secretsmanager/secretVersion:SecretVersion", "db-credentials-value");
        const secret = resourceNamed("aws:secretsmanager/secret:Secret", "db-credentials");
        expect(version.inputs.secretId).toBe(secret.id);
        expect(version.secretPaths).toContain("secretString");
        expect(JSON.parse(version.inputs.secretString)).toEqual({
            engine: "mysql",
            host: "writer.db.db.internal",
            port: 3306,
            username: "dbadmin",
            password: generatedPassword("db"),
            dbname: "app",
        });
        expect(secret.inputs.recoveryWindowInDays).toBe(7);
    });

    it("the secret is protected wherever the writer is (deletionProtection): it holds the only copy of the password outside RDS", () => {
        for (const prefix of ["db", "promoted", "before", "after"]) {
            expect([prefix, resourceNamed(SECRET, `${prefix}-credentials`).protect]).toEqual([prefix, true]);
            expect(resourceNamed(SECRET, `${prefix}-credentials`).protect).toBe(instance(`${prefix}-primary`).protect);
        }
        for (const prefix of ["single", "retired", "moved", "legacy"]) expect([prefix, resourceNamed(SECRET, `${prefix}-credentials`).protect]).toEqual([prefix, false]);
    });

    it("never appears in plain text in any resource's inputs", () => {
        const all = allResources();
        for (const prefix of ["db", "promoted", "single", "retired"]) {
            const pw = generatedPassword(prefix);
            // The check can fail: the password is in the raw inputs of the instances and the secret.
            expect(all.filter((r) => JSON.stringify(r.inputs).includes(pw)).length).toBeGreaterThanOrEqual(2);
            for (const r of all) expect({ resource: r.name, plain: JSON.stringify(plainInputs(r)).includes(pw) }).toEqual({ resource: r.name, plain: false });
        }
    });

    it("grants nobody access itself: no resource policy, no IAM policy on the secret (the web tier's role gets its own grant)", () => {
        const component = resourceNamed("web-infra:database:Database", "db");
        const types = descendantsOf(component.urn).map((r) => r.type);
        expect(types).not.toContain("aws:secretsmanager/secretPolicy:SecretPolicy");
        expect(types).not.toContain("aws:iam/rolePolicy:RolePolicy");
        expect(types).not.toContain("aws:iam/policy:Policy");
        expect(resourceNamed("aws:secretsmanager/secret:Secret", "db-credentials").inputs).not.toHaveProperty("policy");
    });
});

describe("stable names", () => {
    it("a private hosted zone associated with the VPC", () => {
        const zone = resourceNamed("aws:route53/zone:Zone", "db-zone");
        expect(zone.inputs.name).toBe("db.db.internal");
        expect(zone.inputs.vpcs).toEqual([{ vpcId: resourceNamed("aws:ec2/vpc:Vpc", "net-vpc").id }]);
        expect(resourceNamed("aws:route53/zone:Zone", "single-zone").inputs.name).toBe("mysql.example.internal");
    });

    it("writer: one CNAME to the primary's address, 30 s TTL", () => {
        const zone = resourceNamed("aws:route53/zone:Zone", "db-zone");
        const [writer] = recordsOf("db", "writer");
        expect(recordsOf("db", "writer")).toHaveLength(1);
        expect(writer.inputs).toEqual({ zoneId: zone.state.zoneId, name: "writer.db.db.internal", type: "CNAME", ttl: 30, records: [instance("db-primary").state.address] });
    });

    it("writer moves only once every instance is settled (a refused change stops it), or after a promotion once the writer is", () => {
        const deps = (n: string) => recordsOf(n, "writer")[0].dependencies;
        for (const i of instancesOf("db")) expect(deps("db")).toContain(i.urn);
        expect(deps("promoted")).toContain(instance("promoted-replica-2").urn);
        // ...but not on the replicas being re-created, which take 10-30 minutes,
        expect(deps("promoted")).not.toContain(instance("promoted-replica-1").urn);
        expect(deps("promoted")).not.toContain(instance("promoted-replica-3").urn);
        // ...nor on the former primary, which may be down.
        expect(deps("promoted")).not.toContain(instance("promoted-primary").urn);
        expect(deps("moved")).not.toContain(instance("moved-primary").urn);
        const rdsDeps = (n: string) => deps(n).filter((u) => u.includes("aws:rds/instance:Instance::"));
        expect(rdsDeps("promoted")).toEqual([instance("promoted-replica-2").urn]);
    });

    it("reader: equal-weight CNAMEs, one per replica, plus the writer at weight 0, in the same zone and name", () => {
        const reader = readerRecordsOf("db");
        expect(reader.map((r) => r.inputs.setIdentifier)).toEqual(["replica-1", "replica-2", "writer-fallback"]);
        expect(reader.map((r) => r.inputs.records)).toEqual([[instance("db-replica-1").state.address], [instance("db-replica-2").state.address], [instance("db-primary").state.address]]);
        expect(reader.map((r) => r.inputs.weightedRoutingPolicies)).toEqual([[{ weight: 1 }], [{ weight: 1 }], [{ weight: 0 }]]);
        const zone = resourceNamed("aws:route53/zone:Zone", "db-zone");
        for (const r of reader) expect(r.inputs).toMatchObject({ zoneId: zone.state.zoneId, name: "reader.db.db.internal", type: "CNAME", ttl: 30 });
    });

    it("reader: each replica's record carries that replica's own health check; the writer fallback has none (so it is always an answer)", () => {
        for (const [prefix, slots] of [["db", ["replica-1", "replica-2"]], ["promoted", ["replica-1", "replica-3"]], ["legacy", ["replica-1", "replica-2"]]] as const) {
            const checks = slots.map((slot) => resourceNamed(HEALTH_CHECK, `${prefix}-${slot}-reader-health`));
            expect(new Set(checks.map((c) => c.id)).size).toBe(slots.length);
            slots.forEach((slot, i) => expect([slot, resourceNamed(RECORD, `${prefix}-reader-${slot}`).inputs.healthCheckId]).toEqual([slot, checks[i].id]));
            expect(resourceNamed(RECORD, `${prefix}-reader-writer-fallback`).inputs).not.toHaveProperty("healthCheckId");
            // Exactly one check per replica of the writer: none for the writer or the former primary.
            expect(resourcesOf(HEALTH_CHECK, new RegExp(`^${prefix}-`)).map((c) => c.name)).toEqual(slots.map((slot) => `${prefix}-${slot}-reader-health`));
        }
    });

    it("reader: each health check follows its replica's liveness alarm (by name, in the stack's region), unhealthy without data", () => {
        expect(allInvokes().some((i) => i.token === "aws:index/getRegion:getRegion")).toBe(true);
        for (const [prefix, slot] of [["db", "replica-1"], ["db", "replica-2"], ["promoted", "replica-1"], ["promoted", "replica-3"]]) {
            const replica = instance(`${prefix}-${slot}`);
            const alarm = resourceNamed(ALARM, `${prefix}-${slot}-reader-health`);
            const check = resourceNamed(HEALTH_CHECK, `${prefix}-${slot}-reader-health`);
            expect(alarm.inputs.name).toBe(`${replica.state.identifier}-reader-health`);
            expect(check.inputs).toMatchObject({
                type: "CLOUDWATCH_METRIC",
                cloudwatchAlarmName: alarm.state.name,
                cloudwatchAlarmRegion: "us-east-1",
                insufficientDataHealthStatus: "Unhealthy",
            });
            expect(check.dependencies).toContain(alarm.urn);
            // Created after the replica: a re-created replica's check switches when its record does.
            expect(alarm.dependencies).toContain(replica.urn);
            // The check's triggers hold the alarm's settings: changing them updates the check too.
            const { namespace, metricName, statistic, period, evaluationPeriods, datapointsToAlarm, comparisonOperator, threshold, treatMissingData } = alarm.inputs;
            expect(JSON.parse(check.inputs.triggers.alarm)).toEqual({ namespace, metricName, statistic, period, evaluationPeriods, datapointsToAlarm, comparisonOperator, threshold, treatMissingData });
        }
    });

    it("reader-health alarms: silence for 2 of 2 minutes is the failure; no actions (Monitoring pages, this one only moves DNS)", () => {
        const alarms = resourcesOf(ALARM, /-reader-health$/);
        expect(alarms.map((a) => a.name).sort()).toEqual(
            ["after-replica-1", "before-replica-1", "before-replica-2", "db-replica-1", "db-replica-2", "legacy-replica-1", "legacy-replica-2", "moved-replica-2", "moved-replica-3", "promoted-replica-1", "promoted-replica-3"].map((n) => `${n}-reader-health`),
        );
        for (const a of alarms) {
            expect(a.inputs).toMatchObject({
                namespace: "AWS/RDS",
                metricName: "CPUUtilization",
                statistic: "SampleCount",
                period: 60,
                evaluationPeriods: 2,
                datapointsToAlarm: 2,
                comparisonOperator: "LessThanThreshold",
                threshold: 1,
                treatMissingData: "breaching",
                actionsEnabled: false,
            });
            expect(a.inputs.dimensions).toEqual({ DBInstanceIdentifier: instance(a.name.replace(/-reader-health$/, "")).state.identifier });
            for (const key of ["alarmActions", "okActions", "insufficientDataActions"]) expect(a.inputs).not.toHaveProperty(key);
        }
        expect(resourceNamed(ALARM, "db-replica-1-reader-health").inputs.tags).toEqual({ Team: "data", Name: "db-replica-1-reader-health" });
    });

    it("reader fallback: weight 0 to the writer; after a promotion, to the new writer", () => {
        const fallback = (prefix: string) => resourceNamed(RECORD, `${prefix}-reader-writer-fallback`).inputs;
        expect(fallback("db")).toMatchObject({ setIdentifier: "writer-fallback", weightedRoutingPolicies: [{ weight: 0 }], records: [instance("db-primary").state.address] });
        expect(fallback("before").records).toEqual([instance("before-primary").state.address]);
        expect(fallback("after")).toMatchObject({ setIdentifier: "writer-fallback", weightedRoutingPolicies: [{ weight: 0 }], records: [instance("after-replica-2").state.address] });
        expect(fallback("promoted").records).toEqual([instance("promoted-replica-2").state.address]);
        // The fallback and the writer name always agree.
        for (const prefix of ["db", "before", "after", "promoted", "moved", "legacy"]) expect(fallback(prefix).records).toEqual(recordsOf(prefix, "writer")[0].inputs.records);
    });

    it("reader without replicas: the writer, still as a weighted record (a simple one would clash when replicas come); no health check, no alarm", () => {
        const reader = recordsOf("single", "reader");
        expect(reader).toHaveLength(1);
        expect(reader[0].inputs).toMatchObject({ setIdentifier: "writer", records: [instance("single-primary").state.address], weightedRoutingPolicies: [{ weight: 1 }] });
        expect(reader[0].inputs).not.toHaveProperty("healthCheckId");
        for (const prefix of ["single", "retired"]) {
            expect(resourcesOf(HEALTH_CHECK, new RegExp(`^${prefix}-`))).toEqual([]);
            expect(resourcesOf(ALARM, new RegExp(`^${prefix}-`))).toEqual([]);
        }
    });

    it("connection info: the names as plain strings (known in a preview, so the servers' user data never shows as changing), equal to the records' names", () => {
        for (const d of [db.main, db.promoted, db.single]) {
            const c = d.connectionInfo;
            expect([typeof c.writerHost, pulumi.Output.isInstance(c.writerHost), typeof c.readerHost, pulumi.Output.isInstance(c.readerHost)]).toEqual(["string", false, "string", false]);
        }
        expect(db.main.connectionInfo).toMatchObject({ writerHost: "writer.db.db.internal", readerHost: "reader.db.db.internal" });
        expect(db.single.connectionInfo).toMatchObject({ writerHost: "writer.mysql.example.internal", readerHost: "reader.mysql.example.internal" });
        for (const [prefix, d] of [["db", db.main], ["promoted", db.promoted], ["single", db.single]] as const) {
            expect(recordsOf(prefix, "writer").map((r) => r.inputs.name)).toEqual([d.connectionInfo.writerHost]);
            for (const r of recordsOf(prefix, "reader")) expect(r.inputs.name).toBe(d.connectionInfo.readerHost);
        }
    });

    it("connection info: a client created with it waits for the writer and reader records (through the secret ARN)", async () => {
        const client = resourceNamed("aws:ssm/parameter:Parameter", "client-of-db");
        expect(client.inputs.value).toBe(resourceNamed(SECRET, "db-credentials").state.arn);
        const records = [...recordsOf("db", "writer"), ...recordsOf("db", "reader")];
        expect(records).toHaveLength(4);
        for (const r of records) expect([r.name, client.propertyDependencies.value]).toEqual([r.name, expect.arrayContaining([r.urn])]);
        // The stack outputs stay the records' names.
        expect(await awaitOutput(db.main.writerEndpoint)).toBe("writer.db.db.internal");
        expect(await awaitOutput(db.main.readerEndpoint)).toBe("reader.db.db.internal");
        expect(await Promise.all(db.main.readerHealthCheckIds.map(awaitOutput))).toEqual(["replica-1", "replica-2"].map((s) => resourceNamed(HEALTH_CHECK, `db-${s}-reader-health`).id));
    });

    it("outputs: names, connection info for the web tier, identifiers for monitoring", async () => {
        const secret = resourceNamed("aws:secretsmanager/secret:Secret", "db-credentials");
        const c = db.main.connectionInfo;
        expect(c.writerHost).toBe("writer.db.db.internal");
        expect(c.readerHost).toBe("reader.db.db.internal");
        expect(c.port).toBe(3306);
        expect(c.name).toBe("app");
        expect(await awaitOutput(c.secretArn)).toBe(secret.state.arn);
        expect(await awaitOutput(db.main.primaryIdentifier)).toBe(instance("db-primary").state.identifier);
        expect(await awaitOutput(db.main.writerIdentifier)).toBe(instance("db-primary").state.identifier);
        expect(await Promise.all(db.main.replicaIdentifiers.map(awaitOutput))).toEqual([instance("db-replica-1").state.identifier, instance("db-replica-2").state.identifier]);
        expect(db.main.writerSlot).toBe("primary");
        expect(db.main.formerPrimary).toBeUndefined();
        expect(db.main.monitoringTargets.replicas.map((r) => r.name)).toEqual(["replica-1", "replica-2"]);
        expect(await awaitOutput(db.main.instanceEndpoints["replica-2"])).toBe(instance("db-replica-2").state.endpoint);
        expect(await awaitOutput(db.main.privateZoneId)).toBe(resourceNamed("aws:route53/zone:Zone", "db-zone").state.zoneId);
    });
});

describe("promotion (promoteReplica: 2 of 3)", () => {
    it("the chosen replica has no replicateSourceDb and gets the writer's settings, same resource name", () => {
        const w = instance("promoted-replica-2");
        expect(w.inputs).not.toHaveProperty("replicateSourceDb");
        expect(w.inputs).toMatchObject({
            multiAz: true,
            deletionProtection: true,
            skipFinalSnapshot: false,
            deleteAutomatedBackups: false,
            backupRetentionPeriod: 7,
            storageEncrypted: true,
        });
        expect(w.inputs.finalSnapshotIdentifier).toBe(`${w.inputs.identifier}-final`);
        expect(w.protect).toBe(true);
        expect(w.replaceOnChanges).toEqual([]);
    });

    it("keeps its identifier: its suffix is frozen at what it was as a replica of the primary (a promotion is in place)", () => {
        const suffix = suffixOf("promoted", "replica-2");
        expect(suffix.inputs.keepers).toEqual({ source: "primary", sourceSuffix: suffixOf("promoted", "primary").state.hex, zone: "us-east-1c" });
        expect(suffix.ignoreChanges).toEqual(["keepers"]);
        expect(instance("promoted-replica-2").inputs.identifier).toBe(`promoted-test-replica-2-${suffix.state.hex}`);
    });

    it("applies its writer settings at once (Multi-AZ now, not in the maintenance window); nothing else does", () => {
        expect(instance("promoted-replica-2").inputs.applyImmediately).toBe(true);
        expect(instance("moved-replica-1").inputs.applyImmediately).toBe(true);
        expect(instance("retired-replica-1").inputs.applyImmediately).toBe(true);
        for (const name of ["promoted-primary", "promoted-replica-1", "promoted-replica-3", "moved-replica-2", "moved-replica-3"]) {
            expect(instance(name).inputs).not.toHaveProperty("applyImmediately");
        }
    });

    it("gets the master password as a secret, but never properties that would replace it (username, dbName, engine)", () => {
        const w = instance("promoted-replica-2");
        expect(w.inputs.password).toBe(generatedPassword("promoted"));
        expect(w.secretPaths).toContain("password");
        for (const key of ["username", "dbName", "engine", "characterSetName", "snapshotIdentifier"]) expect(w.inputs).not.toHaveProperty(key);
        // Multi-AZ writer: RDS places it, so no zone is asked for (and drift is ignored).
        expect(w.inputs).not.toHaveProperty("availabilityZone");
        expect(w.ignoreChanges).toEqual(["availabilityZone"]);
    });

    it("writer resolves to the promoted replica", async () => {
        const w = instance("promoted-replica-2");
        expect(recordsOf("promoted", "writer")[0].inputs.records).toEqual([w.state.address]);
        expect(await awaitOutput(db.promoted.primaryIdentifier)).toBe(w.state.identifier);
        expect(await awaitOutput(db.promoted.writerIdentifier)).toBe(w.state.identifier);
        expect(db.promoted.writerSlot).toBe("replica-2");
        const secret = JSON.parse(resourceNamed("aws:secretsmanager/secretVersion:SecretVersion", "promoted-credentials-value").inputs.secretString);
        expect(secret.host).toBe("writer.promoted.db.internal");
    });

    it("the other replicas are replicas of the new writer, re-created (replaceOnChanges) since RDS can't re-point them", () => {
        const w = instance("promoted-replica-2");
        for (const name of ["promoted-replica-1", "promoted-replica-3"]) {
            const r = instance(name);
            expect(r.inputs.replicateSourceDb).toBe(w.state.identifier);
            expect(r.replaceOnChanges).toEqual(["replicateSourceDb", "identifier"]);
            expect(r.protect).toBe(false);
        }
        // New source → new suffix → new identifier: the new replica is created before the old is deleted.
        const writerHex = suffixOf("promoted", "replica-2").state.hex;
        expect(suffixOf("promoted", "replica-1").inputs.keepers).toEqual({ source: "replica-2", sourceSuffix: writerHex, zone: "us-east-1a" });
        expect(suffixOf("promoted", "replica-3").inputs.keepers).toEqual({ source: "replica-2", sourceSuffix: writerHex, zone: "us-east-1b" });
    });

    it("the re-created replicas leave the new writer's zone, the former primary's zone first", () => {
        // replica-2 was in us-east-1c; replicas 1 and 3 were in us-east-1b.
        expect(["promoted-replica-1", "promoted-replica-3"].map((n) => instance(n).inputs.availabilityZone)).toEqual(["us-east-1a", "us-east-1b"]);
        // Single-AZ: replica-1, promoted, stays in us-east-1b, where replica-3 was too: replica-3 moves.
        expect(instance("moved-replica-1").inputs.availabilityZone).toBe("us-east-1b");
        expect(["moved-replica-2", "moved-replica-3"].map((n) => instance(n).inputs.availabilityZone)).toEqual(["us-east-1a", "us-east-1c"]);
    });

    it("reader moves to the writer's replicas; the former primary is out of both names but kept, protected", async () => {
        expect(readerRecordsOf("promoted").map((r) => r.inputs.setIdentifier)).toEqual(["replica-1", "replica-3", "writer-fallback"]);
        expect(readerRecordsOf("promoted").map((r) => r.inputs.records[0])).toEqual([
            instance("promoted-replica-1").state.address,
            instance("promoted-replica-3").state.address,
            instance("promoted-replica-2").state.address,
        ]);
        const former = instance("promoted-primary");
        // The same tag as before the promotion: nothing of the (maybe dead) former primary changes.
        expect(former.inputs.tags.Role).toBe("primary");
        expect(instance("db-primary").inputs.tags.Role).toBe("primary");
        expect(instance("promoted-replica-2").inputs.tags.Role).toBe("writer");
        expect(instance("promoted-replica-1").inputs.tags.Role).toBe("replica");
        expect(former.protect).toBe(true);
        expect(former.inputs.skipFinalSnapshot).toBe(false);
        expect(await awaitOutput(db.promoted.formerPrimary!.identifier)).toBe(former.state.identifier);
        expect(db.promoted.monitoringTargets.replicas.map((r) => r.name)).toEqual(["replica-1", "replica-3"]);
        expect(db.promoted.replicas).toHaveLength(2);
    });

    it("nothing of the former primary changes at a promotion: no update waits on an instance that may be down", () => {
        // Inputs that reference the component's own resources differ between the two components by name only.
        const comparable = (prefix: string) => {
            const { identifier, finalSnapshotIdentifier, parameterGroupName, vpcSecurityGroupIds, dbSubnetGroupName, monitoringRoleArn, password, ...rest } = instance(`${prefix}-primary`).inputs;
            expect([identifier, finalSnapshotIdentifier, parameterGroupName, vpcSecurityGroupIds, dbSubnetGroupName, monitoringRoleArn, password].every((v) => v !== undefined)).toBe(true);
            return { ...rest, tags: { ...rest.tags, Name: rest.tags.Name.replace(prefix, "x") } };
        };
        expect(comparable("after")).toEqual(comparable("before"));
        expect(suffixOf("after", "primary").inputs).toEqual(suffixOf("before", "primary").inputs);
        expect(instance("after-primary").ignoreChanges).toEqual(instance("before-primary").ignoreChanges);
        expect(instance("after-primary").protect).toBe(true);
        // ...and the promoted replica keeps its identity: the same suffix keepers as before, frozen.
        const keepers = (prefix: string) => {
            const { sourceSuffix, ...rest } = suffixOf(prefix, "replica-2").inputs.keepers;
            expect(sourceSuffix).toBe(suffixOf(prefix, "primary").state.hex);
            return rest;
        };
        expect(keepers("after")).toEqual(keepers("before"));
        expect(suffixOf("after", "replica-2").ignoreChanges).toEqual(["keepers"]);
    });

    it("a protected guard exists while a promotion is declared: unsetting `promoteReplica` would delete it, which Pulumi refuses", () => {
        for (const prefix of ["promoted", "retired", "moved"]) {
            const guard = resourceNamed(RANDOM_ID, `${prefix}-promotion-guard`);
            expect(guard.protect).toBe(true);
            expect(guard.inputs).not.toHaveProperty("keepers"); // a later promotion doesn't touch it
        }
        for (const prefix of ["db", "single", "legacy"]) expect(resourcesOf(RANDOM_ID, new RegExp(`^${prefix}-promotion-guard$`))).toEqual([]);
    });

    it("retireFormerPrimary: the former primary is no longer declared; reader falls back to the writer", () => {
        expect(resourcesOf(RDS, "retired-primary")).toEqual([]);
        const w = instance("retired-replica-1");
        expect(w.inputs).not.toHaveProperty("replicateSourceDb");
        expect(w.inputs.availabilityZone).toBe("us-east-1b");
        expect(recordsOf("retired", "writer")[0].inputs.records).toEqual([w.state.address]);
        expect(recordsOf("retired", "reader").map((r) => [r.inputs.setIdentifier, r.inputs.records[0]])).toEqual([["writer", w.state.address]]);
        expect(db.retired.formerPrimary).toBeUndefined();
    });
});

describe("argument validation (before anything is registered)", () => {
    const cases: [string, Partial<import("../components/database").DatabaseArgs>, string][] = [
        ["too many replicas", { replicaCount: 6 }, "Database bad: `replicaCount` must be a whole number from 0 to 5 (got 6)"],
        [
            "no backups with replicas",
            { backupRetentionDays: 0, replicaCount: 2 },
            "Database bad: `backupRetentionDays` must be at least 7 when `replicaCount` is 2 (got 0): RDS creates read replicas only from a primary with automated backups",
        ],
        ["short retention", { backupRetentionDays: 3, replicaCount: 0 }, "Database bad: `backupRetentionDays` must be from 7 to 35 (got 3): a week of point-in-time recovery is the floor"],
        ["unknown replica to promote", { replicaCount: 2, promoteReplica: 3 }, "Database bad: `promoteReplica` must name an existing replica: 1, 2 (got 3)"],
        ["promotion without replicas", { replicaCount: 0, promoteReplica: 1 }, "Database bad: `promoteReplica` is 1 but `replicaCount` is 0: there is no replica to promote"],
        [
            "retire without promotion",
            { retireFormerPrimary: true },
            "Database bad: `retireFormerPrimary` is true but `promoteReplica` is not set: only a primary replaced by a promoted replica can be retired",
        ],
        ["production without deletion protection", { production: true }, "Database bad: `deletionProtection` must be true when `production` is true (got false)"],
        [
            "overlapping windows",
            { maintenanceWindow: "mon:03:30-mon:04:30" },
            "Database bad: `backupWindow` (03:00-04:00) and `maintenanceWindow` (mon:03:30-mon:04:30) must not overlap: RDS rejects overlapping windows",
        ],
        [
            "unsupported engine",
            { engineVersion: "5.7" },
            'Database bad: `engineVersion` must be a MySQL major version, 8.4 or 8.0 (got "5.7"): RDS picks the minor and upgrades it in the maintenance window, so a pinned minor would be downgraded on the next `pulumi up`',
        ],
        [
            "a full minor version",
            { engineVersion: "8.4.3" },
            'Database bad: `engineVersion` must be a MySQL major version, 8.4 or 8.0 (got "8.4.3"): RDS picks the minor and upgrades it in the maintenance window, so a pinned minor would be downgraded on the next `pulumi up`',
        ],
        ["family mismatch", { engineVersion: "8.0", parameterGroupFamily: "mysql8.4" }, 'Database bad: `parameterGroupFamily` must be mysql8.0 for engine version 8.0 (got "mysql8.4")'],
        [
            "replica window overlapping the writer's",
            { replicaMaintenanceWindow: "sun:05:00-sun:06:00" },
            "Database bad: `replicaMaintenanceWindow` (sun:05:00-sun:06:00) must not overlap `maintenanceWindow` (sun:04:30-sun:05:30): automatic minor upgrades would restart the writer and the replicas together",
        ],
        [
            "replica window overlapping the backups",
            { replicaMaintenanceWindow: "sat:03:30-sat:04:30" },
            "Database bad: `backupWindow` (03:00-04:00) and `replicaMaintenanceWindow` (sat:03:30-sat:04:30) must not overlap: RDS rejects overlapping windows",
        ],
        [
            "log retention CloudWatch doesn't offer",
            { logRetentionDays: 31 },
            "Database bad: `logRetentionDays` must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 31)",
        ],
        [
            "no autoscaling room",
            { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 100 },
            "Database bad: `maxAllocatedStorageGiB` must be from 110 (10% above `allocatedStorageGiB`, 100: RDS refuses less) to 65536 for storage autoscaling (got 100)",
        ],
        ["monitoring interval", { monitoringIntervalSeconds: 2 }, "Database bad: `monitoringIntervalSeconds` must be one of 0, 1, 5, 10, 15, 30, 60 (got 2)"],
        ["bad username", { username: "rdsadmin" }, "Database bad: `username` must not be rdsadmin: RDS keeps rdsadmin, rdsrepladmin for itself"],
        ["a reserved word as username", { username: "select" }, 'Database bad: `username` must not be a MySQL reserved word, which RDS refuses (got "select")'],
        ["a reserved word as database name", { dbName: "order" }, 'Database bad: `dbName` must not be a MySQL reserved word, which RDS refuses (got "order")'],
        ["bad zone name", { privateZoneName: "DB" }, 'Database bad: `privateZoneName` must be a lower-case DNS name of at least two labels such as app.db.internal (got "DB")'],
    ];

    it.each(cases)("%s", (_, extra, message) => {
        const before = allResources().length;
        expect(() => new mod.Database("bad", { ...baseArgs, ...extra })).toThrow(message);
        expect(allResources()).toHaveLength(before);
    });

    it("one subnet", () => {
        expect(() => new mod.Database("bad", { ...baseArgs, subnetIds: [network.databaseSubnetIds[0]], availabilityZones: ["us-east-1a"] })).toThrow(
            "Database bad: `subnetIds` must list at least 2 database subnets in different zones (got 1): RDS requires a DB subnet group to span two zones",
        );
    });

    it("zones not matching subnets", () => {
        expect(() => new mod.Database("bad", { ...baseArgs, availabilityZones: ["us-east-1a", "us-east-1b"] })).toThrow(
            "Database bad: `availabilityZones` must name the zone of each subnet, in the order of `subnetIds` (got 2 zones for 3 subnets)",
        );
    });

    it("a name that can't prefix an RDS identifier", () => {
        expect(() => new mod.Database("my_db", baseArgs)).toThrow(
            'Database my_db: the component name must be 1-40 letters, digits or single hyphens, starting with a letter (got "my_db"): it prefixes the RDS instance identifiers',
        );
    });
});
