import {
    COMPONENT_NAME_PATTERN,
    DNS_NAME_PATTERN,
    ENGINE_VERSION_PATTERN,
    GENERATED_PASSWORD_LENGTH,
    INSTANCE_IDENTIFIER_PATTERN,
    MASTER_PASSWORD_FORBIDDEN,
    MASTER_PASSWORD_MAX_LENGTH,
    MYSQL_PARAMETERS,
    PASSWORD_SPECIAL_CHARACTERS,
    READER_HEALTH_ALARM,
    ROUTE53_ALARM_STATISTICS,
    WRITER_FALLBACK_SET_IDENTIFIER,
    defaultPrivateZoneName,
    engineLifecycleSupport,
    MAX_MULTI_AZ_CLUSTER_IDENTIFIER,
    instanceIdentifier,
    isValidMasterPassword,
    parameterGroupFamily,
    parseBackupWindow,
    parseMaintenanceWindow,
    rdsLogGroupName,
    readerHealthAlarmName,
    replicaZoneIndexes,
    snapshotIdentifier,
    supportsPerformanceInsights,
    weeklyWindowsOverlap,
    windowProblems,
    windowsOverlap,
} from "../components/lib/rds";

/** Deterministic pseudo-random numbers for property tests (mulberry32). */
function rng(seed: number): () => number {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

describe("parameterGroupFamily", () => {
    it.each([
        ["8.0", "mysql8.0"],
        ["8.0.39", "mysql8.0"],
        ["8.4", "mysql8.4"],
        ["8.4.3", "mysql8.4"],
    ])("%s → %s", (version, family) => {
        expect(parameterGroupFamily(version)).toBe(family);
    });
});

describe("engine version and Extended Support", () => {
    it.each([
        ["8.4", true],
        ["8.0", true],
        ["8.4.3", false], // a full minor: auto minor upgrades would make the next `up` a downgrade
        ["8.0.39", false],
        ["5.7", false],
        ["8", false],
        ["9.0", false],
    ])("engine version %s accepted: %s", (version, ok) => {
        expect(ENGINE_VERSION_PATTERN.test(version)).toBe(ok);
    });

    it.each([
        // 8.0 is past standard support: creating it with Extended Support disabled fails.
        ["8.0", "open-source-rds-extended-support"],
        // 8.4 is in standard support: never let a surcharge start silently.
        ["8.4", "open-source-rds-extended-support-disabled"],
    ])("%s → engineLifecycleSupport %s", (version, lifecycle) => {
        expect(engineLifecycleSupport(version)).toBe(lifecycle);
    });
});

describe("parameters", () => {
    it("TLS, row-based binlog, slow log to files, and no host blocking for the web servers' TCP probe", () => {
        expect(MYSQL_PARAMETERS).toEqual([
            { name: "require_secure_transport", value: "1", applyMethod: "immediate" },
            { name: "binlog_format", value: "ROW", applyMethod: "immediate" },
            { name: "slow_query_log", value: "1", applyMethod: "immediate" },
            { name: "long_query_time", value: "1", applyMethod: "immediate" },
            { name: "log_output", value: "FILE", applyMethod: "immediate" },
            { name: "max_connect_errors", value: "1000000000", applyMethod: "immediate" },
        ]);
    });

    it("max_connect_errors outlasts years of probes (one a second), far above MySQL's default of 100", () => {
        const value = Number(MYSQL_PARAMETERS.find((p) => p.name === "max_connect_errors")!.value);
        expect(value).toBeGreaterThanOrEqual(10 * 365 * 24 * 3600);
    });

    it("every parameter is dynamic (applied without a reboot)", () => {
        for (const p of MYSQL_PARAMETERS) expect(p.applyMethod).toBe("immediate");
    });
});

describe("master password", () => {
    it.each([
        ["Abcdefgh", true],
        ["a".repeat(41), true],
        ["!*-_.~^=Ab1", true],
        ["short7!", false], // 7 characters
        ["a".repeat(42), false], // over 41
        ["has/slash1", false],
        ['has"quote1', false],
        ["has@at1234", false],
        ["has space1", false],
        ["tab\tinside", false],
        ["ünicode123", false],
    ])("%j accepted by RDS: %s", (password, ok) => {
        expect(isValidMasterPassword(password)).toBe(ok);
    });

    it("the generated length fits RDS's 8-41 and is at least 32", () => {
        expect(GENERATED_PASSWORD_LENGTH).toBeGreaterThanOrEqual(32);
        expect(GENERATED_PASSWORD_LENGTH).toBeLessThanOrEqual(MASTER_PASSWORD_MAX_LENGTH);
    });

    it("every special character is printable ASCII that RDS accepts", () => {
        for (const ch of PASSWORD_SPECIAL_CHARACTERS) {
            expect(MASTER_PASSWORD_FORBIDDEN).not.toContain(ch);
            expect(isValidMasterPassword(ch.repeat(8))).toBe(true);
        }
    });

    it("property: any password of the generated length over random's alphabet is valid", () => {
        const alphabet = `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789${PASSWORD_SPECIAL_CHARACTERS}`;
        const next = rng(42);
        // Violations collected and compared once, as in test/cidr.test.ts (an expect per case is slow).
        const invalid: string[] = [];
        for (let n = 0; n < 2000; n++) {
            let pw = "";
            for (let i = 0; i < GENERATED_PASSWORD_LENGTH; i++) pw += alphabet[Math.floor(next() * alphabet.length)];
            if (isValidMasterPassword(pw) !== true) invalid.push(pw);
        }
        expect(invalid).toEqual([]);
    });
});

describe("supportsPerformanceInsights", () => {
    it.each([
        ["db.t4g.micro", false],
        ["db.t4g.small", false],
        ["db.t3.micro", false],
        ["db.t3.small", false],
        ["db.t2.micro", false],
        ["db.t2.small", false],
        ["DB.T4G.MICRO", false],
        ["db.t4g.medium", true],
        ["db.t3.large", true],
        ["db.m7g.large", true],
        ["db.r7g.xlarge", true],
    ])("%s → %s", (instanceClass, supported) => {
        expect(supportsPerformanceInsights(instanceClass)).toBe(supported);
    });
});

describe("backup and maintenance windows", () => {
    it.each([
        ["03:00-04:00", { start: 180, minutes: 60 }],
        ["23:30-00:15", { start: 1410, minutes: 45 }],
        ["00:00-00:30", { start: 0, minutes: 30 }],
    ])("backup window %s parses", (w, parsed) => {
        expect(parseBackupWindow(w)).toEqual(parsed);
    });

    it.each(["3:00-4:00", "24:00-01:00", "03:60-04:00", "03:00", "sun:03:00-sun:04:00"])("backup window %s is malformed", (w) => {
        expect(parseBackupWindow(w)).toBeUndefined();
    });

    it.each([
        ["mon:00:00-mon:00:30", { start: 0, minutes: 30 }],
        ["sun:04:30-sun:05:30", { start: 6 * 1440 + 270, minutes: 60 }],
        ["Sun:23:30-Mon:00:30", { start: 6 * 1440 + 1410, minutes: 60 }],
        ["tue:22:00-wed:02:00", { start: 1440 + 1320, minutes: 240 }],
    ])("maintenance window %s parses", (w, parsed) => {
        expect(parseMaintenanceWindow(w)).toEqual(parsed);
    });

    it.each(["sun:4:30-sun:5:30", "xyz:04:30-sun:05:30", "sun:04:30", "04:30-05:30"])("maintenance window %s is malformed", (w) => {
        expect(parseMaintenanceWindow(w)).toBeUndefined();
    });

    it.each([
        ["03:00-04:00", "sun:04:30-sun:05:30", false],
        ["03:00-04:00", "sun:04:00-sun:04:30", false], // touching, not overlapping
        ["03:00-04:00", "wed:03:59-wed:05:00", true],
        ["03:00-04:00", "fri:02:00-fri:03:01", true],
        ["23:30-00:30", "mon:00:00-mon:01:00", true], // backup crosses midnight into Monday
        ["23:30-00:30", "sun:23:00-sun:23:30", false],
        ["01:00-02:00", "sun:23:30-mon:01:30", true], // maintenance crosses the end of the week
        ["10:00-11:00", "mon:00:00-tue:00:00", true], // a whole day
    ])("backup %s and maintenance %s overlap: %s", (b, m, overlap) => {
        expect(windowsOverlap(parseBackupWindow(b)!, parseMaintenanceWindow(m)!)).toBe(overlap);
    });

    it("property: overlap agrees with a minute-by-minute check over the week", () => {
        const next = rng(7);
        const pad = (n: number) => String(n).padStart(2, "0");
        const hhmm = (m: number) => `${pad(Math.floor(m / 60) % 24)}:${pad(m % 60)}`;
        const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        for (let n = 0; n < 300; n++) {
            const bStart = Math.floor(next() * 1440);
            const bLen = 30 + Math.floor(next() * 180);
            const mStart = Math.floor(next() * 7 * 1440);
            const mLen = 30 + Math.floor(next() * 600);
            const mEnd = (mStart + mLen) % (7 * 1440);
            const backup = parseBackupWindow(`${hhmm(bStart)}-${hhmm(bStart + bLen)}`)!;
            const maint = parseMaintenanceWindow(`${days[Math.floor(mStart / 1440)]}:${hhmm(mStart % 1440)}-${days[Math.floor(mEnd / 1440)]}:${hhmm(mEnd % 1440)}`)!;
            const week = new Array<boolean>(7 * 1440).fill(false);
            for (let i = 0; i < mLen; i++) week[(mStart + i) % week.length] = true;
            let expected = false;
            for (let d = 0; d < 7 && !expected; d++) {
                for (let i = 0; i < bLen; i++) if (week[(d * 1440 + bStart + i) % week.length]) expected = true;
            }
            expect(windowsOverlap(backup, maint)).toBe(expected);
        }
    });

    it.each([
        ["sat:04:30-sat:05:30", "sun:04:30-sun:05:30", false], // the defaults: replicas a day earlier
        ["sun:03:30-sun:04:30", "sun:04:30-sun:05:30", false], // touching
        ["sun:04:00-sun:05:00", "sun:04:30-sun:05:30", true],
        ["sun:23:30-mon:00:30", "mon:00:00-mon:01:00", true], // crosses the end of the week
        ["mon:00:00-mon:00:30", "sun:23:30-mon:00:15", true],
        ["wed:10:00-wed:11:00", "sun:04:30-sun:05:30", false],
    ])("weekly windows %s and %s overlap: %s", (a, b, overlap) => {
        const [wa, wb] = [parseMaintenanceWindow(a)!, parseMaintenanceWindow(b)!];
        expect(weeklyWindowsOverlap(wa, wb)).toBe(overlap);
        expect(weeklyWindowsOverlap(wb, wa)).toBe(overlap);
    });

    it("property: weekly overlap agrees with a minute-by-minute check", () => {
        const next = rng(11);
        const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        const pad = (n: number) => String(n).padStart(2, "0");
        const at = (m: number) => `${days[Math.floor(m / 1440) % 7]}:${pad(Math.floor((m % 1440) / 60))}:${pad(m % 60)}`;
        const week = 7 * 1440;
        for (let n = 0; n < 300; n++) {
            const [s1, s2] = [Math.floor(next() * week), Math.floor(next() * week)];
            const [l1, l2] = [30 + Math.floor(next() * 600), 30 + Math.floor(next() * 600)];
            const a = parseMaintenanceWindow(`${at(s1)}-${at((s1 + l1) % week)}`)!;
            const b = parseMaintenanceWindow(`${at(s2)}-${at((s2 + l2) % week)}`)!;
            const minutes = new Set(Array.from({ length: l1 }, (_, i) => (s1 + i) % week));
            const expected = Array.from({ length: l2 }, (_, i) => (s2 + i) % week).some((m) => minutes.has(m));
            expect(weeklyWindowsOverlap(a, b)).toBe(expected);
        }
    });

    it("windowProblems names the replicas' window when asked", () => {
        expect(windowProblems("03:00-04:00", "sat:03:30-sat:04:30", "replicaMaintenanceWindow")).toEqual([
            "`backupWindow` (03:00-04:00) and `replicaMaintenanceWindow` (sat:03:30-sat:04:30) must not overlap: RDS rejects overlapping windows",
        ]);
        expect(windowProblems("03:00-04:00", "sat", "replicaMaintenanceWindow")).toEqual([
            '`replicaMaintenanceWindow` must be a weekly UTC window ddd:hh24:mi-ddd:hh24:mi such as sun:04:30-sun:05:30 (got "sat")',
        ]);
    });

    it("windowProblems: the defaults pass; each broken rule is named", () => {
        expect(windowProblems("03:00-04:00", "sun:04:30-sun:05:30")).toEqual([]);
        expect(windowProblems("03:00-03:20", "sun:04:30-sun:05:30")).toEqual(['`backupWindow` must be at least 30 minutes long (got "03:00-03:20")']);
        expect(windowProblems("3am", "sun:04:30-sun:04:40")).toEqual([
            '`backupWindow` must be a daily UTC window hh24:mi-hh24:mi such as 03:00-04:00 (got "3am")',
            '`maintenanceWindow` must be at least 30 minutes long (got "sun:04:30-sun:04:40")',
        ]);
        expect(windowProblems("03:00-04:00", "sun:03:30-sun:04:30")).toEqual([
            "`backupWindow` (03:00-04:00) and `maintenanceWindow` (sun:03:30-sun:04:30) must not overlap: RDS rejects overlapping windows",
        ]);
    });
});

describe("replicaZoneIndexes", () => {
    it.each([
        [2, 3, [1, 1, 1]],
        [3, 4, [1, 2, 1, 2]],
        [3, 0, []],
        [4, 5, [1, 2, 3, 1, 2]],
    ])("%i zones, %i replicas → %j", (zones, replicas, expected) => {
        expect(replicaZoneIndexes(zones, replicas)).toEqual(expected);
    });

    it.each([
        // replica-2 of 3 sat in zone 2 (replicas 1 and 3 in zone 1): the others go to zones 0 (the former
        // primary's, first) and 1
        [3, 3, 2, [0, 2, 1]],
        // replica-1 sat in zone 1 with replica-3 (the bug: replica-3 stayed in the writer's zone)
        [3, 3, 1, [1, 0, 2]],
        [2, 3, 2, [0, 1, 0]], // two zones: every other replica in the former primary's zone
        [4, 5, 3, [0, 1, 3, 2, 0]],
        [3, 1, 1, [1]],
    ])("%i zones, %i replicas, replica %i promoted → %j", (zones, replicas, promoted, expected) => {
        expect(replicaZoneIndexes(zones, replicas, promoted)).toEqual(expected);
    });

    it("property: no replica in the primary's zone (0), every index a real zone, spread evenly", () => {
        for (let zones = 2; zones <= 8; zones++) {
            for (let replicas = 0; replicas <= 5; replicas++) {
                const idx = replicaZoneIndexes(zones, replicas);
                expect(idx).toHaveLength(replicas);
                for (const i of idx) {
                    expect(i).toBeGreaterThanOrEqual(1);
                    expect(i).toBeLessThan(zones);
                }
                const counts = Array.from({ length: zones - 1 }, (_, z) => idx.filter((i) => i === z + 1).length);
                expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
            }
        }
    });

    it("property: after any promotion no replica shares the new writer's zone, which doesn't move; the rest spread evenly", () => {
        for (let zones = 2; zones <= 4; zones++) {
            for (let replicas = 1; replicas <= 5; replicas++) {
                const before = replicaZoneIndexes(zones, replicas);
                for (let promoted = 1; promoted <= replicas; promoted++) {
                    const after = replicaZoneIndexes(zones, replicas, promoted);
                    const writerZone = before[promoted - 1];
                    const at = { zones, replicas, promoted, after };
                    expect({ ...at, writer: after[promoted - 1] }).toEqual({ ...at, writer: writerZone });
                    const others = after.filter((_, i) => i !== promoted - 1);
                    for (const z of others) {
                        expect({ ...at, z, sharesWriterZone: z === writerZone }).toEqual({ ...at, z, sharesWriterZone: false });
                        expect(z).toBeGreaterThanOrEqual(0);
                        expect(z).toBeLessThan(zones);
                    }
                    // Round robin over the zones other than the writer's, the former primary's (0) first.
                    const counts = Array.from({ length: zones }, (_, z) => others.filter((o) => o === z).length).filter((_, z) => z !== writerZone);
                    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
                    if (others.length > 0) expect(others[0]).toBe(0);
                }
            }
        }
    });

    it("refuses a single zone and a promoted replica that doesn't exist", () => {
        expect(() => replicaZoneIndexes(1, 1)).toThrow("replicas need a zone other than the primary's (got 1 zone)");
        expect(() => replicaZoneIndexes(3, 2, 3)).toThrow("the promoted replica must be one of 1 to 2 (got 3)");
    });
});

describe("names", () => {
    it.each([
        ["database", true],
        ["db-1", true],
        ["a", true],
        ["a".repeat(40), true],
        ["a".repeat(41), false],
        ["1db", false],
        ["db--1", false],
        ["db-", false],
        ["db_1", false],
    ])("component name %j accepted: %s", (name, ok) => {
        expect(COMPONENT_NAME_PATTERN.test(name)).toBe(ok);
    });

    it.each([
        [["database", "primary", "final"], "database-primary-final"],
        [["My_DB", "replica-2", "final"], "my-db-replica-2-final"],
        [["--9x", "final"], "x-final"],
        [["", ""], "snapshot"],
    ])("snapshotIdentifier(%j) → %s", (parts, id) => {
        expect(snapshotIdentifier(...parts)).toBe(id);
    });

    it("property: snapshot identifiers follow RDS's rules for any input", () => {
        const next = rng(3);
        const chars = "abcXYZ019-_. /@";
        const violations: string[] = [];
        for (let n = 0; n < 1000; n++) {
            const parts = Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
                Array.from({ length: Math.floor(next() * 120) }, () => chars[Math.floor(next() * chars.length)]).join(""),
            );
            const id = snapshotIdentifier(...parts);
            if (!/^[a-z][a-z0-9-]*$/.test(id)) violations.push(`${JSON.stringify(parts)} → ${id}: not a letter then lower-case letters, digits, hyphens`);
            if (/--|-$/.test(id)) violations.push(`${JSON.stringify(parts)} → ${id}: double or trailing hyphen`);
            if (!(id.length <= 255)) violations.push(`${JSON.stringify(parts)} → ${id}: ${id.length} > 255 characters`);
        }
        expect(violations).toEqual([]);
    });

    it.each([
        ["database", "database.db.internal"],
        ["DB_Main", "db-main.db.internal"],
        ["___", "database.db.internal"],
    ])("default private zone of %j is %s", (name, zone) => {
        expect(defaultPrivateZoneName(name)).toBe(zone);
        expect(DNS_NAME_PATTERN.test(zone)).toBe(true);
    });

    it.each([
        ["database", "prod", "primary", "0f3a9c1e", "database-prod-primary-0f3a9c1e"],
        ["db", "test", "replica-2", "00ab12cd", "db-test-replica-2-00ab12cd"],
        ["My_DB", "Prod.EU", "replica-1", "ABCDEF01", "my-db-prod-eu-replica-1-abcdef01"],
        ["9db", "--dev--", "primary", "12345678", "db-dev-primary-12345678"],
    ])("instanceIdentifier(%j, %j, %j, %j) → %s", (name, stack, slot, suffix, id) => {
        expect(instanceIdentifier(name, stack, slot, suffix)).toBe(id);
    });

    it("a long name and stack are cut with a stable hash; the slot and suffix stay whole", () => {
        const id = instanceIdentifier("a".repeat(40), "production-eu-west-1-blue", "replica-5", "deadbeef");
        expect(id.length).toBeLessThanOrEqual(63);
        expect(id).toMatch(/-replica-5-deadbeef$/);
        expect(id).toMatch(INSTANCE_IDENTIFIER_PATTERN);
        expect(instanceIdentifier("a".repeat(40), "production-eu-west-1-blue", "replica-5", "deadbeef")).toBe(id);
        // Two stacks that share the first characters still get different identifiers.
        expect(instanceIdentifier("a".repeat(40), "production-eu-west-1-green", "replica-5", "deadbeef")).not.toBe(id);
    });

    it("maxLength: a Multi-AZ DB cluster identifier is cut to 52 characters, with the slot and suffix whole; an instance's keeps 63", () => {
        const name = "a-very-long-database-component-name-x";
        const stack = "production-eu-west-1";
        const cluster = instanceIdentifier(name, stack, "cluster", "0f3a9c1e", MAX_MULTI_AZ_CLUSTER_IDENTIFIER);
        expect(MAX_MULTI_AZ_CLUSTER_IDENTIFIER).toBe(52);
        expect(cluster.length).toBeLessThanOrEqual(52);
        expect(cluster).toMatch(/-cluster-0f3a9c1e$/);
        expect(cluster).toMatch(INSTANCE_IDENTIFIER_PATTERN);
        expect(instanceIdentifier(name, stack, "cluster", "0f3a9c1e").length).toBeGreaterThan(52);
        // Short names are not touched by the lower limit.
        expect(instanceIdentifier("database", "prod", "cluster", "0f3a9c1e", 52)).toBe("database-prod-cluster-0f3a9c1e");
        expect(() => instanceIdentifier(name, stack, "cluster", "0f3a9c1e", 64)).toThrow("maxLength must be a whole number from 50 to 63 (got 64)");
        const next = rng(11);
        const violations: string[] = [];
        for (let n = 0; n < 500; n++) {
            const word = (max: number) => Array.from({ length: 1 + Math.floor(next() * max) }, () => "abz09-_."[Math.floor(next() * 8)]).join("");
            const id = instanceIdentifier(word(40), word(60), "cluster", Math.floor(next() * 0xffffffff).toString(16).padStart(8, "0"), MAX_MULTI_AZ_CLUSTER_IDENTIFIER);
            if (!(id.length <= 52)) violations.push(`${id}: ${id.length} > 52 characters`);
            if (!INSTANCE_IDENTIFIER_PATTERN.test(id)) violations.push(`${id}: does not match INSTANCE_IDENTIFIER_PATTERN`);
        }
        expect(violations).toEqual([]);
    });

    it("property: identifiers follow RDS's rules (≤ 63, lower case, letter first, no double or trailing hyphen) for any name and stack", () => {
        const next = rng(5);
        const chars = "abcXYZ019-_. ";
        const word = (max: number) => Array.from({ length: Math.floor(next() * max) }, () => chars[Math.floor(next() * chars.length)]).join("");
        const slots = ["primary", "replica-1", "replica-5"];
        const violations: string[] = [];
        for (let n = 0; n < 2000; n++) {
            const hex = Math.floor(next() * 0xffffffff).toString(16).padStart(8, "0");
            const id = instanceIdentifier(word(45), word(110), slots[n % 3], hex);
            if (!INSTANCE_IDENTIFIER_PATTERN.test(id)) violations.push(`${id}: does not match INSTANCE_IDENTIFIER_PATTERN`);
            if (!(id.length <= 63)) violations.push(`${id}: ${id.length} > 63 characters`);
            if (!id.endsWith(`-${slots[n % 3]}-${hex}`)) violations.push(`${id}: does not end with -${slots[n % 3]}-${hex}`);
            // The final snapshot named after it is valid too.
            const snapshot = snapshotIdentifier(id, "final");
            if (snapshot !== `${id}-final`) violations.push(`${id}: final snapshot ${snapshot}`);
        }
        expect(violations).toEqual([]);
    });

    it("the RDS log group of an instance's exported log", () => {
        expect(rdsLogGroupName("database-prod-primary-0f3a9c1e", "slowquery")).toBe("/aws/rds/instance/database-prod-primary-0f3a9c1e/slowquery");
    });

    it.each([
        ["app.db.internal", true],
        ["db.internal", true],
        ["internal", false],
        ["App.db.internal", false],
        ["-x.internal", false],
        ["x..internal", false],
    ])("private zone name %j valid: %s", (zone, ok) => {
        expect(DNS_NAME_PATTERN.test(zone)).toBe(ok);
    });
});

describe("reader failover: the alarm a Route 53 health check follows", () => {
    it("is an alarm Route 53 accepts: one standard-resolution metric, a plain statistic", () => {
        expect(ROUTE53_ALARM_STATISTICS).toContain(READER_HEALTH_ALARM.statistic);
        // High-resolution (sub-minute) periods are refused by Route 53; RDS publishes once a minute.
        expect(READER_HEALTH_ALARM.period % 60).toBe(0);
        expect(READER_HEALTH_ALARM).not.toHaveProperty("extendedStatistic");
        expect(READER_HEALTH_ALARM).not.toHaveProperty("metricQueries");
    });

    it("alarms on silence: fewer than 1 CPU sample a minute for 2 of 2 minutes, missing data breaching", () => {
        expect(READER_HEALTH_ALARM).toEqual({
            namespace: "AWS/RDS",
            metricName: "CPUUtilization",
            statistic: "SampleCount",
            period: 60,
            evaluationPeriods: 2,
            datapointsToAlarm: 2,
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            treatMissingData: "breaching",
        });
        // Detection before Route 53 moves reads: at most the evaluation window.
        expect(READER_HEALTH_ALARM.period * READER_HEALTH_ALARM.evaluationPeriods).toBeLessThanOrEqual(180);
    });

    it("the writer fallback's set identifier differs from every replica slot's and from the no-replica record's", () => {
        for (let i = 1; i <= 5; i++) expect(WRITER_FALLBACK_SET_IDENTIFIER).not.toBe(`replica-${i}`);
        expect(WRITER_FALLBACK_SET_IDENTIFIER).not.toBe("writer");
    });

    it("alarm names: <identifier>-reader-health", () => {
        expect(readerHealthAlarmName("database-prod-replica-1-0f3a9c1e")).toBe("database-prod-replica-1-0f3a9c1e-reader-health");
    });

    // Property: for any component name, stack, replica slot and suffix, the alarm name is within
    // CloudWatch's 255 characters, made of what alarm names allow, and differs between two instances.
    it("alarm names are valid and one per instance identifier, for random inputs", () => {
        const rand = rng(7);
        const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
        const seen = new Map<string, string>();
        for (let run = 0; run < 300; run++) {
            const id = instanceIdentifier(pick("abcdefghij-", 1 + Math.floor(rand() * 40)) || "db", pick("abcdefxyz0123456789-", 1 + Math.floor(rand() * 60)), `replica-${1 + Math.floor(rand() * 5)}`, pick("0123456789abcdef", 8));
            const alarm = readerHealthAlarmName(id);
            expect(alarm.length).toBeLessThanOrEqual(255);
            expect(alarm).toMatch(/^[a-z0-9-]+-reader-health$/);
            if (seen.has(alarm)) expect(seen.get(alarm)).toBe(id);
            seen.set(alarm, id);
        }
    });
});
