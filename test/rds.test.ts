import {
    COMPONENT_NAME_PATTERN,
    DNS_NAME_PATTERN,
    GENERATED_PASSWORD_LENGTH,
    MASTER_PASSWORD_FORBIDDEN,
    MASTER_PASSWORD_MAX_LENGTH,
    PASSWORD_SPECIAL_CHARACTERS,
    defaultPrivateZoneName,
    isValidMasterPassword,
    parameterGroupFamily,
    parseBackupWindow,
    parseMaintenanceWindow,
    replicaZoneIndexes,
    snapshotIdentifier,
    supportsPerformanceInsights,
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
        for (let n = 0; n < 2000; n++) {
            let pw = "";
            for (let i = 0; i < GENERATED_PASSWORD_LENGTH; i++) pw += alphabet[Math.floor(next() * alphabet.length)];
            expect(isValidMasterPassword(pw)).toBe(true);
        }
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

    it("refuses a single zone", () => {
        expect(() => replicaZoneIndexes(1, 1)).toThrow("replicas need a zone other than the primary's (got 1 zone)");
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
        for (let n = 0; n < 1000; n++) {
            const parts = Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
                Array.from({ length: Math.floor(next() * 120) }, () => chars[Math.floor(next() * chars.length)]).join(""),
            );
            const id = snapshotIdentifier(...parts);
            expect(id).toMatch(/^[a-z][a-z0-9-]*$/);
            expect(id).not.toMatch(/--|-$/);
            expect(id.length).toBeLessThanOrEqual(255);
        }
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
