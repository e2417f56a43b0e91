import { ConfigError, parseConfig, projectSettings } from "../infra/config";
import { SETTINGS, SETTING_KEYS } from "../infra/settings";

/** The least a stack must set. */
const BASE = { owner: "platform-team", costCenter: "web-1234" };

/** The single problem parseConfig reports for `raw`. */
function problem(raw: Record<string, string>): string {
    try {
        parseConfig({ ...BASE, ...raw }, "test");
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        const problems = (e as ConfigError).problems;
        expect(problems).toHaveLength(1);
        return problems[0];
    }
    throw new Error(`no error for ${JSON.stringify(raw)}`);
}

describe("parseConfig defaults", () => {
    it("fills every setting from its declared default", () => {
        const cfg = parseConfig(BASE, "dev");
        expect(cfg.environment).toBe("development");
        expect(cfg.isProduction).toBe(false);
        expect(cfg.deletionProtection).toBe(false);
        expect(cfg.network).toEqual({ vpcCidr: "10.0.0.0/16", availabilityZoneCount: 2, natStrategy: "single", flowLogRetentionDays: 30 });
        expect(cfg.web).toEqual({
            serverCount: 2,
            maxCount: 4,
            mode: "active-active",
            activeCount: 2,
            warmStandbyCount: 0,
            scaling: { requestsPerTarget: 1000, cpuPercent: 60 },
            instanceType: "t4g.micro",
            amiId: undefined,
            rootVolumeSizeGiB: 8,
            appPort: 80,
            lbAlgorithm: "round_robin",
        });
        expect(cfg.https).toEqual({ enabled: false, domain: undefined, hostedZone: undefined, certificateArn: undefined });
        expect(cfg.database).toMatchObject({
            engineVersion: "8.4",
            parameterGroupFamily: "mysql8.4",
            instanceClass: "db.t4g.micro",
            allocatedStorageGiB: 20,
            maxAllocatedStorageGiB: 100,
            multiAz: false,
            backupRetentionDays: 7,
            replicaCount: 1,
            promoteReplica: undefined,
            retireFormerPrimary: false,
            dbName: "app",
            username: "dbadmin",
            monitoringIntervalSeconds: 60,
            logRetentionDays: 30,
        });
        expect(cfg.security).toEqual({ wafEnabled: true, wafMode: "block", wafRateLimit: 1000, accessLogRetentionDays: 90 });
        expect(cfg.monitoring.alertEmail).toBeUndefined();
    });

    it("tags carry project, stack, environment, owner and cost centre", () => {
        expect(parseConfig(BASE, "dev").tags).toEqual({
            Project: "web-infra",
            Stack: "dev",
            Environment: "development",
            Owner: "platform-team",
            CostCenter: "web-1234",
            ManagedBy: "pulumi",
        });
    });

    it("every declared default passes its own validation", () => {
        for (const key of SETTING_KEYS) {
            const spec = SETTINGS[key] as { default?: unknown };
            if (spec.default === undefined) continue;
            expect(() => parseConfig({ ...BASE, [key]: String(spec.default) }, "t")).not.toThrow();
        }
    });

    it("parses typed values", () => {
        const cfg = parseConfig(
            {
                ...BASE,
                natStrategy: "perAz",
                availabilityZoneCount: "3",
                deletionProtection: "true",
                dbMultiAz: "true",
                lbAlgorithm: "least_outstanding_requests",
                dbEngineVersion: "8.0",
                dbReplicaCount: "2",
                dbPromoteReplica: "replica-2",
            },
            "prod",
        );
        expect(cfg.network.natStrategy).toBe("perAz");
        expect(cfg.network.availabilityZoneCount).toBe(3);
        expect(cfg.deletionProtection).toBe(true);
        expect(cfg.database.multiAz).toBe(true);
        expect(cfg.web.lbAlgorithm).toBe("least_outstanding_requests");
        expect(cfg.database.parameterGroupFamily).toBe("mysql8.0");
        expect(cfg.database.promoteReplica).toBe(2);
    });

    it("active-passive keeps one server active and `webWarmStandbyCount` running standbys", () => {
        expect(parseConfig({ ...BASE, webServerMode: "active-passive", webWarmStandbyCount: "2" }, "t").web).toMatchObject({
            mode: "active-passive",
            serverCount: 3,
            maxCount: 3,
            activeCount: 1,
            warmStandbyCount: 2,
        });
        // The active-active sizing keys of the same stack file are ignored in active-passive (and vice versa).
        expect(parseConfig({ ...BASE, webServerMode: "active-passive", webServerCount: "6", webServerMaxCount: "9" }, "t").web).toMatchObject({ serverCount: 2, maxCount: 2, activeCount: 1, warmStandbyCount: 1 });
        expect(parseConfig({ ...BASE, webWarmStandbyCount: "3" }, "t").web).toMatchObject({ serverCount: 2, warmStandbyCount: 0 });
    });

    it("active-active: webServerCount is the minimum, webServerMaxCount the maximum (default 2 × minimum, up to 1000)", () => {
        expect(parseConfig({ ...BASE, webServerCount: "3" }, "t").web).toMatchObject({ mode: "active-active", serverCount: 3, maxCount: 6, activeCount: 3, warmStandbyCount: 0 });
        expect(parseConfig({ ...BASE, webServerCount: "100", webServerMaxCount: "1000" }, "t").web).toMatchObject({ serverCount: 100, maxCount: 1000 });
        expect(parseConfig(BASE, "t").web.scaling).toEqual({ requestsPerTarget: 1000, cpuPercent: 60 });
        expect(parseConfig({ ...BASE, webScalingRequestsPerTarget: "250", webScalingCpuPercent: "45" }, "t").web.scaling).toEqual({ requestsPerTarget: 250, cpuPercent: 45 });
    });

    it("a domain turns HTTPS on and derives its hosted zone", () => {
        expect(parseConfig({ ...BASE, domain: "www.example.com" }, "t").https).toEqual({
            enabled: true,
            domain: "www.example.com",
            hostedZone: "example.com",
            certificateArn: undefined,
        });
        expect(parseConfig({ ...BASE, domain: "app.dev.example.com", hostedZone: "example.com" }, "t").https.hostedZone).toBe("example.com");
    });

    it("a domain longer than the 64 characters ACM issues needs a certificate of its own", () => {
        const domain = `${"a".repeat(60)}.example.com`;
        const arn = "arn:aws:acm:us-east-1:123456789012:certificate/0b0d6c1e-1111-2222-3333-444455556666";
        expect(() => parseConfig({ ...BASE, domain }, "t")).toThrow("`domain` must be at most 64 characters for ACM to issue its certificate (got 72)");
        expect(parseConfig({ ...BASE, domain, certificateArn: arn }, "t").https).toMatchObject({ domain, certificateArn: arn });
    });

    it("a certificate ARN alone turns HTTPS on", () => {
        const arn = "arn:aws:acm:us-east-1:123456789012:certificate/0b0d6c1e-1111-2222-3333-444455556666";
        expect(parseConfig({ ...BASE, certificateArn: arn }, "t").https).toMatchObject({ enabled: true, certificateArn: arn, domain: undefined });
    });
});

describe("parseConfig errors name the key, the value and what is allowed", () => {
    it.each<[Record<string, string>, string]>([
        // required
        [{ owner: "" }, "`owner` is required: Team or person answerable for the stack; every resource is tagged `Owner` with it. Set it with `pulumi config set owner <value>`."],
        // unknown key
        [{ natStrategyy: "single" }, "`natStrategyy` is not a setting of web-infra; did you mean `natStrategy`?"],
        [{ zzz: "1" }, "`zzz` is not a setting of web-infra; the settings are: " + SETTING_KEYS.join(", ")],
        // enums
        [{ environment: "prod" }, '`environment` must be one of development, staging, production (got "prod")'],
        [{ natStrategy: "both" }, '`natStrategy` must be one of none, single, perAz (got "both")'],
        [{ webServerMode: "hot-standby" }, '`webServerMode` must be one of active-active, active-passive (got "hot-standby")'],
        [{ lbAlgorithm: "roundRobin" }, '`lbAlgorithm` must be one of round_robin, least_outstanding_requests, weighted_random (got "roundRobin")'],
        [{ flowLogRetentionDays: "10" }, "`flowLogRetentionDays` must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 10)"],
        [{ dbMonitoringIntervalSeconds: "0" }, "`dbMonitoringIntervalSeconds` must be one of 1, 5, 10, 15, 30, 60 (got 0)"],
        // types
        [{ deletionProtection: "yes" }, '`deletionProtection` must be true or false (got "yes")'],
        [{ webServerCount: "two" }, '`webServerCount` must be a whole number from 2 to 100 (got "two")'],
        [{ webServerCount: "2.5" }, '`webServerCount` must be a whole number from 2 to 100 (got "2.5")'],
        [{ webServerCount: "4", webServerMaxCount: "3" }, "`webServerMaxCount` must be at least `webServerCount` (4) (got 3)"],
        [{ webScalingCpuPercent: "95" }, "`webScalingCpuPercent` must be from 10 to 90 (got 95)"],
        // ranges
        [{ webServerCount: "1" }, "`webServerCount` must be from 2 to 100 (got 1)"],
        [{ availabilityZoneCount: "1" }, "`availabilityZoneCount` must be from 2 to 8 (got 1)"],
        [{ dbReplicaCount: "6" }, "`dbReplicaCount` must be from 0 to 5 (got 6)"],
        [{ appPort: "0" }, "`appPort` must be from 1 to 65535 (got 0)"],
        [{ wafRateLimit: "5" }, "`wafRateLimit` must be from 10 to 2000000000 (got 5)"],
        [{ webRootVolumeSizeGiB: "4" }, "`webRootVolumeSizeGiB` must be from 8 to 1024 (got 4)"],
        [{ dbAllocatedStorageGiB: "10" }, "`dbAllocatedStorageGiB` must be from 20 to 65536 (got 10)"],
        // patterns
        [{ webInstanceType: "T4G.Micro" }, '`webInstanceType` must be an EC2 instance type such as t4g.micro or m7i.large (got "T4G.Micro")'],
        [{ dbInstanceClass: "t4g.micro" }, '`dbInstanceClass` must be an RDS instance class such as db.t4g.micro or db.r7g.large (got "t4g.micro")'],
        [{ dbEngineVersion: "5.7" }, '`dbEngineVersion` must be a MySQL major version, 8.4 or 8.0 (RDS picks the minor and upgrades it automatically) (got "5.7")'],
        // A full minor would fight auto minor upgrades: RDS moves to 8.4.8, the next `up` tries to go back.
        [{ dbEngineVersion: "8.4.3" }, '`dbEngineVersion` must be a MySQL major version, 8.4 or 8.0 (RDS picks the minor and upgrades it automatically) (got "8.4.3")'],
        [{ domain: "Example.com" }, '`domain` must be a lower-case DNS name such as www.example.com, not an IP address (got "Example.com")'],
        [{ domain: "localhost" }, '`domain` must be a lower-case DNS name such as www.example.com, not an IP address (got "localhost")'],
        [{ certificateArn: "arn:aws:iam::123456789012:server-certificate/x" }, '`certificateArn` must be an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<id> (got "arn:aws:iam::123456789012:server-certificate/x")'],
        [{ webAmiId: "ami-123" }, '`webAmiId` must be an AMI id such as ami-0123456789abcdef0 (got "ami-123")'],
        [{ alertEmail: "ops" }, '`alertEmail` must be one e-mail address such as ops@example.com, at most 254 characters (got "ops")'],
        [{ dbPromoteReplica: "1" }, '`dbPromoteReplica` must be a replica name such as replica-1 (got "1")'],
        [{ dbName: "1app" }, '`dbName` must be 1-64 letters, digits or underscores, starting with a letter (got "1app")'],
        [{ owner: "a;b" }, '`owner` must be 1-256 letters, digits, spaces or _ . : / = + - @ (an AWS tag value), not starting or ending with a space (got "a;b")'],
        // CIDR
        [{ vpcCidr: "10.0.0.0" }, '`vpcCidr` must be an IPv4 CIDR block such as 10.0.0.0/16 (got "10.0.0.0")'],
        [{ vpcCidr: "10.0.0.0/8" }, '`vpcCidr` must have a prefix from /16 to /22 (got "10.0.0.0/8"): AWS allows /16 at most, and below /22 the database subnets would be smaller than /27'],
        [{ vpcCidr: "10.0.0.0/24" }, '`vpcCidr` must have a prefix from /16 to /22 (got "10.0.0.0/24"): AWS allows /16 at most, and below /22 the database subnets would be smaller than /27'],
        [{ vpcCidr: "10.0.1.0/16" }, '`vpcCidr` must be a network address with no host bits set (got "10.0.1.0/16"; did you mean 10.0.0.0/16?)'],
        // combinations
        [{ appPort: "22" }, "`appPort` must not be 22: remote-administration ports are never opened (shell access is SSM Session Manager)"],
        [{ appPort: "3389" }, "`appPort` must not be 3389: remote-administration ports are never opened (shell access is SSM Session Manager)"],
        [{ environment: "production", awsAccountId: "123456789012", domain: "www.example.com", alertEmail: "ops@example.com", webAmiId: "ami-0123456789abcdef0" }, "`deletionProtection` must be true when `environment` is production (got false)"],
        [{ environment: "production", awsAccountId: "123456789012", deletionProtection: "true", wafEnabled: "false", domain: "www.example.com", alertEmail: "ops@example.com", webAmiId: "ami-0123456789abcdef0" }, "`wafEnabled` must be true when `environment` is production (got false)"],
        [{ environment: "production", awsAccountId: "123456789012", deletionProtection: "true", alertEmail: "ops@example.com", webAmiId: "ami-0123456789abcdef0" }, "`domain` (or `certificateArn`) must be set when `environment` is production: users must reach the site over HTTPS"],
        [{ environment: "production", awsAccountId: "123456789012", deletionProtection: "true", domain: "www.example.com", webAmiId: "ami-0123456789abcdef0" }, "`alertEmail` must be set when `environment` is production: alarms must reach a person"],
        [{ environment: "production", awsAccountId: "123456789012", deletionProtection: "true", domain: "www.example.com", alertEmail: "ops@example.com" }, "`webAmiId` must be set when `environment` is production: pin the AMI and roll new ones with the runbook"],
        [{ hostedZone: "example.com" }, '`hostedZone` is set ("example.com") but `domain` is not: the zone only serves to validate and publish the domain'],
        [{ domain: "www.example.com", hostedZone: "example.org" }, '`hostedZone` must be `domain` or one of its parents (got "example.org" for "www.example.com")'],
        [{ domain: "www.badexample.com", hostedZone: "example.com" }, '`hostedZone` must be `domain` or one of its parents (got "example.com" for "www.badexample.com")'],
        [{ dbBackupRetentionDays: "0" }, "`dbBackupRetentionDays` must be at least 7 when `dbReplicaCount` is 1 (got 0): RDS creates read replicas only from a primary with automated backups"],
        [{ dbBackupRetentionDays: "0", dbReplicaCount: "0" }, "`dbBackupRetentionDays` must be from 7 to 35 (got 0): a week of point-in-time recovery is the floor"],
        [{ dbBackupRetentionDays: "3" }, "`dbBackupRetentionDays` must be from 7 to 35 (got 3): a week of point-in-time recovery is the floor"],
        [{ dbBackupRetentionDays: "36" }, "`dbBackupRetentionDays` must be from 0 to 35 (got 36)"],
        [{ dbMaxAllocatedStorageGiB: "50", dbAllocatedStorageGiB: "50" }, "`dbMaxAllocatedStorageGiB` must be from 55 (10% above `dbAllocatedStorageGiB`, 50: RDS refuses less) to 65536 for storage autoscaling (got 50)"],
        // RDS refuses a limit less than 10% above the allocated storage.
        [{ dbMaxAllocatedStorageGiB: "54", dbAllocatedStorageGiB: "50" }, "`dbMaxAllocatedStorageGiB` must be from 55 (10% above `dbAllocatedStorageGiB`, 50: RDS refuses less) to 65536 for storage autoscaling (got 54)"],
        [{ alarmDbFreeStorageGiB: "2" }, "`alarmDbFreeStorageGiB` must be at most 5% of `dbAllocatedStorageGiB` (1 GiB of 20 GiB) with storage autoscaling on: RDS adds storage when free space falls to 10% of the allocated storage, so a higher threshold pages on normal growth (got 2)"],
        [{ dbPromoteReplica: "replica-3", dbReplicaCount: "2" }, "`dbPromoteReplica` must name an existing replica: replica-1, replica-2 (got replica-3)"],
        [{ dbRetireFormerPrimary: "true" }, "`dbRetireFormerPrimary` is true but `dbPromoteReplica` is not set: only a primary replaced by a promoted replica can be retired"],
        [{ dbPromoteReplica: "replica-1", dbReplicaCount: "0" }, "`dbPromoteReplica` is replica-1 but `dbReplicaCount` is 0: there is no replica to promote"],
    ])("%j → %s", (raw, message) => {
        expect(problem(raw)).toBe(message);
    });

    it("reports every problem at once, one per line, in one error", () => {
        expect(() => parseConfig({ ...BASE, natStrategy: "x", webServerCount: "1" }, "t")).toThrow(
            new ConfigError(['`natStrategy` must be one of none, single, perAz (got "x")', "`webServerCount` must be from 2 to 100 (got 1)"]),
        );
        try {
            parseConfig({ natStrategy: "x" }, "t");
        } catch (e) {
            expect((e as Error).message).toBe(
                "Invalid stack configuration (3 problems):\n" +
                    "  - `owner` is required: Team or person answerable for the stack; every resource is tagged `Owner` with it. Set it with `pulumi config set owner <value>`.\n" +
                    "  - `costCenter` is required: Cost centre billed for the stack; every resource is tagged `CostCenter` with it. Set it with `pulumi config set costCenter <value>`.\n" +
                    '  - `natStrategy` must be one of none, single, perAz (got "x")',
            );
        }
        expect.assertions(2);
    });

    it("a single problem reads as one line", () => {
        expect(() => parseConfig({ ...BASE, natStrategy: "x" }, "t")).toThrow('Invalid stack configuration: `natStrategy` must be one of none, single, perAz (got "x")');
    });
});

describe("region-bound values", () => {
    const arn = (region: string) => `arn:aws:acm:${region}:123456789012:certificate/0b0d6c1e-1111-2222-3333-444455556666`;
    it("a certificate from another region is refused, naming both regions", () => {
        expect(() => parseConfig({ ...BASE, certificateArn: arn("eu-west-1") }, "t", "us-east-1")).toThrow(
            `Invalid stack configuration: \`certificateArn\` must be a certificate in the stack's region us-east-1 (got one in eu-west-1: "${arn("eu-west-1")}"): a load balancer can only use an ACM certificate from its own region`,
        );
    });
    it("a certificate of the stack's region, or an unknown stack region, passes", () => {
        expect(parseConfig({ ...BASE, certificateArn: arn("us-east-1") }, "t", "us-east-1").https.certificateArn).toBe(arn("us-east-1"));
        expect(parseConfig({ ...BASE, certificateArn: arn("eu-west-1") }, "t").https.certificateArn).toBe(arn("eu-west-1"));
    });
});

describe("projectSettings", () => {
    it("keeps only the web-infra namespace, without its prefix", () => {
        expect(projectSettings({ "aws:region": "us-east-1", "web-infra:natStrategy": "none", "other:x": "1" })).toEqual({ natStrategy: "none" });
    });
});
