/**
 * RDS for MySQL rules the Database component needs: engine versions, parameter group families, Extended
 * Support and parameters, master password alphabet, Performance Insights support by instance class,
 * backup/maintenance window parsing and overlap, replica placement, instance and snapshot identifiers,
 * log group names and DNS names. Pure: no Pulumi, no AWS.
 */
import { MYSQL_RESERVED_WORDS, MYSQL_SYSTEM_SCHEMAS, RDS_MYSQL_RESERVED_USERS } from "./mysqlReservedWords";

/** The MySQL port. RDS lets you change it; we don't, so security group rules and docs stay simple. */
export const MYSQL_PORT = 3306;

/** Read replicas per source this library allows. RDS allows 15 for MySQL; more than 5 is a different design. */
export const MAX_REPLICAS = 5;

/** Enhanced Monitoring intervals RDS accepts, in seconds (0 turns it off). */
export const MONITORING_INTERVALS: readonly number[] = [0, 1, 5, 10, 15, 30, 60];

/** Backup retention this library accepts: a week of point-in-time recovery at least, RDS's maximum at most. */
export const MIN_BACKUP_RETENTION_DAYS = 7;
export const MAX_BACKUP_RETENTION_DAYS = 35;

/** gp3 storage limits of RDS for MySQL, in GiB. */
export const MIN_STORAGE_GIB = 20;
export const MAX_STORAGE_GIB = 65536;

// ---- rules the stack's settings share (messages name the Database's arguments) -----------------

/**
 * `DBName` for MySQL: 1-64 letters, digits or underscores starting with a letter, not a reserved word
 * (RDS API reference, CreateDBInstance `DBName`).
 */
export const DB_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * `MasterUsername`: 1-16 letters, digits or underscores starting with a letter, not a reserved word
 * (RDS API reference, CreateDBInstance `MasterUsername`).
 */
export const MASTER_USERNAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,15}$/;

/** What is wrong with `dbName` as the application database's name, or `undefined`; `arg` names it. */
export function dbNameProblem(dbName: string, arg = "dbName"): string | undefined {
    if (!DB_NAME_PATTERN.test(dbName)) return `\`${arg}\` must be 1-64 letters, digits or underscores, starting with a letter (got ${JSON.stringify(dbName)})`;
    if (MYSQL_RESERVED_WORDS.has(dbName.toUpperCase())) return `\`${arg}\` must not be a MySQL reserved word, which RDS refuses (got ${JSON.stringify(dbName)})`;
    if (MYSQL_SYSTEM_SCHEMAS.has(dbName.toLowerCase())) return `\`${arg}\` must not be a MySQL system schema (${[...MYSQL_SYSTEM_SCHEMAS].join(", ")}) (got ${JSON.stringify(dbName)})`;
    return undefined;
}

/** What is wrong with `username` as the master user's name, or `undefined`; `arg` names it. */
export function masterUsernameProblem(username: string, arg = "username"): string | undefined {
    if (!MASTER_USERNAME_PATTERN.test(username)) return `\`${arg}\` must be 1-16 letters, digits or underscores, starting with a letter (got ${JSON.stringify(username)})`;
    if (MYSQL_RESERVED_WORDS.has(username.toUpperCase())) return `\`${arg}\` must not be a MySQL reserved word, which RDS refuses (got ${JSON.stringify(username)})`;
    if (RDS_MYSQL_RESERVED_USERS.has(username.toLowerCase())) return `\`${arg}\` must not be ${username}: RDS keeps ${[...RDS_MYSQL_RESERVED_USERS].join(", ")} for itself`;
    return undefined;
}

/**
 * What is wrong with the backup retention, or `undefined`: read replicas need automated backups on
 * their source, and this library keeps at least a week of point-in-time recovery.
 */
export function backupRetentionProblem(backupRetentionDays: number, replicaCount: number): string | undefined {
    if (backupRetentionDays === 0 && replicaCount > 0) {
        return `\`backupRetentionDays\` must be at least ${MIN_BACKUP_RETENTION_DAYS} when \`replicaCount\` is ${replicaCount} (got 0): RDS creates read replicas only from a primary with automated backups`;
    }
    if (!Number.isInteger(backupRetentionDays) || backupRetentionDays < MIN_BACKUP_RETENTION_DAYS || backupRetentionDays > MAX_BACKUP_RETENTION_DAYS) {
        return `\`backupRetentionDays\` must be from ${MIN_BACKUP_RETENTION_DAYS} to ${MAX_BACKUP_RETENTION_DAYS} (got ${backupRetentionDays}): a week of point-in-time recovery is the floor`;
    }
    return undefined;
}

/**
 * The smallest storage autoscaling limit RDS accepts for an allocated size: 10% above it. Less is
 * refused at CreateDBInstance/ModifyDBInstance with "InvalidParameterCombination: The maximum allocated
 * storage must be increased by at least 10 percent" (seen in ministryofjustice/cloud-platform-environments
 * #24422 and #13657).
 */
export function minMaxAllocatedStorageGiB(allocatedStorageGiB: number): number {
    return Math.ceil((allocatedStorageGiB * 11) / 10); // not * 1.1: 100 * 1.1 is 110.00000000000001
}

/** What is wrong with the storage autoscaling limit, or `undefined`: at least 10% above the allocated storage. */
export function maxAllocatedStorageProblem(allocatedStorageGiB: number, maxAllocatedStorageGiB: number): string | undefined {
    const least = minMaxAllocatedStorageGiB(allocatedStorageGiB);
    return Number.isInteger(maxAllocatedStorageGiB) && maxAllocatedStorageGiB >= least && maxAllocatedStorageGiB <= MAX_STORAGE_GIB
        ? undefined
        : `\`maxAllocatedStorageGiB\` must be from ${least} (10% above \`allocatedStorageGiB\`, ${allocatedStorageGiB}: RDS refuses less) to ${MAX_STORAGE_GIB} for storage autoscaling (got ${maxAllocatedStorageGiB})`;
}

/**
 * What is wrong with promoting replica `promoteReplica` (1-based) of `replicaCount`, or `undefined`.
 * `label` writes a replica the way the caller names it (the stack's settings say `replica-2`).
 */
export function promoteReplicaProblem(promoteReplica: number, replicaCount: number, label: (index: number) => string = String): string | undefined {
    if (replicaCount === 0) return `\`promoteReplica\` is ${label(promoteReplica)} but \`replicaCount\` is 0: there is no replica to promote`;
    if (!Number.isInteger(promoteReplica) || promoteReplica < 1 || promoteReplica > replicaCount) {
        const names = Array.from({ length: replicaCount }, (_, i) => label(i + 1));
        return `\`promoteReplica\` must name an existing replica: ${names.join(", ")} (got ${label(promoteReplica)})`;
    }
    return undefined;
}

/** What is wrong with retiring the former primary, or `undefined`: only a promotion leaves one. */
export function retireFormerPrimaryProblem(retireFormerPrimary: boolean, promoting: boolean): string | undefined {
    return retireFormerPrimary && !promoting
        ? "`retireFormerPrimary` is true but `promoteReplica` is not set: only a primary replaced by a promoted replica can be retired"
        : undefined;
}

// ---- engine version ----------------------------------------------------------------------------

/**
 * MySQL versions the component accepts: the major versions 8.4 (LTS) and 8.0, never a full minor.
 * With `autoMinorVersionUpgrade` RDS moves the instance to the next minor in the maintenance window; a
 * pinned minor (`8.4.3`) would then make the next `pulumi up` try to downgrade it.
 */
export const ENGINE_VERSION_PATTERN = /^8\.[04]$/;

/** An RDS DB instance class: `db.`, a family (`t4g`, `r7g`, `m6gd`…), a dot, a size; 40 characters at most. */
export const DB_INSTANCE_CLASS_PATTERN = /^(?=.{6,40}$)db\.[a-z0-9-]+\.[a-z0-9]+$/;

/**
 * The DB parameter group family of an engine version: `8.0` and `8.0.39` → `mysql8.0`, `8.4` →
 * `mysql8.4`. A family is per major version, so a minor upgrade keeps the parameter group.
 */
export function parameterGroupFamily(engineVersion: string): string {
    const [major, minor] = engineVersion.split(".");
    return `mysql${major}.${minor}`;
}

/** Enrolled in RDS Extended Support: past the end of standard support, billed per vCPU-hour. */
export const EXTENDED_SUPPORT = "open-source-rds-extended-support";
/** Not enrolled: past the end of standard support RDS upgrades the major version itself. */
export const EXTENDED_SUPPORT_DISABLED = "open-source-rds-extended-support-disabled";

/**
 * The `engineLifecycleSupport` of an engine version, always explicit because the API default enrolls
 * every new instance in paid Extended Support:
 *
 * - `8.0` left RDS standard support on 2026-07-31. CreateDBInstance with Extended Support disabled
 *   fails for a major version past that date, so 8.0 can only be created enrolled, and every instance
 *   (Multi-AZ standby included) is billed Extended Support (about $0.10 per vCPU-hour in year 1).
 * - `8.4` (LTS) is in standard support: disabled, so no surcharge can ever start silently. When 8.4
 *   leaves standard support RDS then upgrades the instances to the next supported major version on or
 *   shortly after that date (a major upgrade with downtime, in no window of ours), instead of billing;
 *   upgrade before then (see docs/database.md).
 *
 * The setting is fixed at creation (RDS can't change an instance's enrollment, replicas inherit their
 * source's), so changing `engineVersion` later doesn't re-enroll anything.
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support-creating-db-instance.html
 */
export function engineLifecycleSupport(engineVersion: string): string {
    return parameterGroupFamily(engineVersion) === "mysql8.0" ? EXTENDED_SUPPORT : EXTENDED_SUPPORT_DISABLED;
}

/** A DB parameter group entry. */
export interface DbParameter {
    readonly name: string;
    readonly value: string;
    readonly applyMethod: "immediate" | "pending-reboot";
}

/**
 * The parameter group of every instance. All are dynamic server variables in MySQL 8.0 and 8.4, so
 * "immediate" applies them without a reboot.
 */
export const MYSQL_PARAMETERS: readonly DbParameter[] = [
    // Refuse unencrypted connections: credentials and data never cross the VPC in clear.
    { name: "require_secure_transport", value: "1", applyMethod: "immediate" },
    // Row-based replication is deterministic (no drift from NOW(), UUID(), LIMIT without ORDER BY…) and
    // what change-data-capture tools need. RDS's mysql8.0 groups default to MIXED. MySQL deprecated the
    // variable in 8.0.34 but 8.4 still has it (dynamic, server default ROW), and RDS's binary-logging
    // guide, which covers 8.4, still sets the format through this parameter; so it stays, to pin ROW
    // whatever RDS's family default is. Drop it from the family in which MySQL removes the variable.
    { name: "binlog_format", value: "ROW", applyMethod: "immediate" },
    // Slow queries to the slow log, exported to CloudWatch Logs (`slowquery`).
    { name: "slow_query_log", value: "1", applyMethod: "immediate" },
    // Seconds: a web request's query that takes a second is worth a look.
    { name: "long_query_time", value: "1", applyMethod: "immediate" },
    // CloudWatch Logs export reads the log files; with TABLE output nothing is exported.
    { name: "log_output", value: "FILE", applyMethod: "immediate" },
    // MySQL counts a connection that ends before the handshake completes (a client that connects and
    // closes, times out or crashes mid-handshake) as a connect error and, after `max_connect_errors`
    // (default 100) in a row from one host, blocks that host ("Host is blocked because of many
    // connection errors") until FLUSH HOSTS. A successful login resets the count, but a quiet web
    // server may have none for hours. The web servers' own reachability probe is not such a client:
    // it completes the login exchange as an account that does not exist, an authentication error that
    // is never counted (why and how: MYSQL_PING_SCRIPT in ./userData.ts). This limit is for the rest;
    // 10^9 is, in effect, never.
    { name: "max_connect_errors", value: "1000000000", applyMethod: "immediate" },
];

// ---- master password ---------------------------------------------------------------------------

/**
 * RDS for MySQL master passwords: 8 to 41 printable ASCII characters, none of `/`, `"`, `@` or a
 * space (CreateDBInstance, MasterUserPassword).
 */
export const MASTER_PASSWORD_MIN_LENGTH = 8;
export const MASTER_PASSWORD_MAX_LENGTH = 41;
export const MASTER_PASSWORD_FORBIDDEN = ["/", '"', "@", " "] as const;

/** Length of the generated master password: long enough on letters and digits alone, under RDS's 41. */
export const GENERATED_PASSWORD_LENGTH = 40;

/**
 * Special characters of the generated password (random's `overrideSpecial`). RDS would accept every
 * printable character but `/ " @` and space; we also leave out what breaks a URL, a shell line, a
 * JSON/INI/.env file or a MySQL DSN unescaped (`' \` ` $ % # & : ? + ; |` …), because someone will paste
 * it into one. 40 characters from 70 symbols is ~245 bits: the specials are not what makes it strong.
 */
export const PASSWORD_SPECIAL_CHARACTERS = "!*-_.~^=";

/** Whether RDS for MySQL accepts `password` as a master password. */
export function isValidMasterPassword(password: string): boolean {
    if (password.length < MASTER_PASSWORD_MIN_LENGTH || password.length > MASTER_PASSWORD_MAX_LENGTH) return false;
    for (const ch of password) {
        const code = ch.charCodeAt(0);
        if (ch.length !== 1 || code < 0x21 || code > 0x7e) return false; // printable ASCII, no space
        if ((MASTER_PASSWORD_FORBIDDEN as readonly string[]).includes(ch)) return false;
    }
    return true;
}

// ---- Performance Insights ----------------------------------------------------------------------

/**
 * Instance classes on which RDS for MySQL has no Performance Insights / Database Insights
 * (USER_DatabaseInsights.Engines: db.t2, db.t3 and db.t4g micro and small). Enabling it there fails
 * the create call.
 */
export const NO_PERFORMANCE_INSIGHTS_CLASSES: readonly string[] = [
    "db.t2.micro",
    "db.t2.small",
    "db.t3.micro",
    "db.t3.small",
    "db.t4g.micro",
    "db.t4g.small",
];

/** Whether RDS for MySQL supports Performance Insights on this instance class. */
export function supportsPerformanceInsights(instanceClass: string): boolean {
    return !NO_PERFORMANCE_INSIGHTS_CLASSES.includes(instanceClass.toLowerCase());
}

// ---- backup and maintenance windows ------------------------------------------------------------

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
/** RDS's minimum length of both windows. */
export const MIN_WINDOW_MINUTES = 30;

/** A window on the weekly clock: start minute from Monday 00:00 UTC, and length in minutes. */
export interface WeeklyWindow {
    readonly start: number;
    readonly minutes: number;
}

function clock(hh: string, mi: string): number | undefined {
    const h = Number(hh);
    const m = Number(mi);
    return h <= 23 && m <= 59 ? h * 60 + m : undefined;
}

/** Length of a window from `start` to `end` minutes on a clock of `period` minutes (wrapping past the end). */
function span(start: number, end: number, period: number): number {
    return (((end - start) % period) + period) % period;
}

/**
 * Parse a daily backup window `hh24:mi-hh24:mi` (UTC); undefined when malformed. It may cross midnight
 * (`23:30-00:15`).
 */
export function parseBackupWindow(window: string): { start: number; minutes: number } | undefined {
    const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(window);
    if (!m) return undefined;
    const start = clock(m[1], m[2]);
    const end = clock(m[3], m[4]);
    if (start === undefined || end === undefined) return undefined;
    return { start, minutes: span(start, end, MINUTES_PER_DAY) };
}

/**
 * Parse a weekly maintenance window `ddd:hh24:mi-ddd:hh24:mi` (UTC, days mon…sun, any case); undefined
 * when malformed. It may cross midnight and the end of the week (`sun:23:30-mon:00:30`).
 */
export function parseMaintenanceWindow(window: string): WeeklyWindow | undefined {
    const m = /^([a-z]{3}):(\d{2}):(\d{2})-([a-z]{3}):(\d{2}):(\d{2})$/.exec(window.toLowerCase());
    if (!m) return undefined;
    const d1 = DAYS.indexOf(m[1] as (typeof DAYS)[number]);
    const d2 = DAYS.indexOf(m[4] as (typeof DAYS)[number]);
    const t1 = clock(m[2], m[3]);
    const t2 = clock(m[5], m[6]);
    if (d1 < 0 || d2 < 0 || t1 === undefined || t2 === undefined) return undefined;
    const start = d1 * MINUTES_PER_DAY + t1;
    return { start, minutes: span(start, d2 * MINUTES_PER_DAY + t2, MINUTES_PER_WEEK) };
}

/** Split a window on the weekly clock into non-wrapping [from, to) pieces within [0, one week). */
function pieces(w: WeeklyWindow): [number, number][] {
    const start = w.start % MINUTES_PER_WEEK;
    const end = start + w.minutes;
    return end <= MINUTES_PER_WEEK ? [[start, end]] : [[start, MINUTES_PER_WEEK], [0, end - MINUTES_PER_WEEK]];
}

/**
 * Whether a daily backup window and a weekly maintenance window overlap on some day. Both are
 * half-open intervals, so `03:00-04:00` and `xxx:04:00-xxx:04:30` touch but don't overlap (RDS
 * accepts that).
 */
export function windowsOverlap(backup: { start: number; minutes: number }, maintenance: WeeklyWindow): boolean {
    const m = pieces(maintenance);
    for (let day = 0; day < 7; day++) {
        for (const [b1, b2] of pieces({ start: day * MINUTES_PER_DAY + backup.start, minutes: backup.minutes })) {
            if (m.some(([m1, m2]) => b1 < m2 && m1 < b2)) return true;
        }
    }
    return false;
}

/** Whether two weekly windows overlap (half-open: one ending when the other starts doesn't). */
export function weeklyWindowsOverlap(a: WeeklyWindow, b: WeeklyWindow): boolean {
    const pb = pieces(b);
    return pieces(a).some(([a1, a2]) => pb.some(([b1, b2]) => a1 < b2 && b1 < a2));
}

/**
 * Check a backup and a maintenance window the way RDS will: format, at least 30 minutes each, no
 * overlap. Returns one problem per broken rule (empty when both are fine), each naming the arg
 * (`maintenanceArg` names the maintenance window's, e.g. `replicaMaintenanceWindow`).
 */
export function windowProblems(backupWindow: string, maintenanceWindow: string, maintenanceArg = "maintenanceWindow"): string[] {
    const problems: string[] = [];
    const backup = parseBackupWindow(backupWindow);
    const maintenance = parseMaintenanceWindow(maintenanceWindow);
    if (!backup) {
        problems.push(`\`backupWindow\` must be a daily UTC window hh24:mi-hh24:mi such as 03:00-04:00 (got ${JSON.stringify(backupWindow)})`);
    } else if (backup.minutes < MIN_WINDOW_MINUTES) {
        problems.push(`\`backupWindow\` must be at least ${MIN_WINDOW_MINUTES} minutes long (got ${JSON.stringify(backupWindow)})`);
    }
    if (!maintenance) {
        problems.push(
            `\`${maintenanceArg}\` must be a weekly UTC window ddd:hh24:mi-ddd:hh24:mi such as sun:04:30-sun:05:30 (got ${JSON.stringify(maintenanceWindow)})`,
        );
    } else if (maintenance.minutes < MIN_WINDOW_MINUTES) {
        problems.push(`\`${maintenanceArg}\` must be at least ${MIN_WINDOW_MINUTES} minutes long (got ${JSON.stringify(maintenanceWindow)})`);
    }
    if (problems.length === 0 && windowsOverlap(backup!, maintenance!)) {
        problems.push(
            `\`backupWindow\` (${backupWindow}) and \`${maintenanceArg}\` (${maintenanceWindow}) must not overlap: RDS rejects overlapping windows`,
        );
    }
    return problems;
}

// ---- placement -----------------------------------------------------------------------------------

/**
 * Zone index of each read replica slot (0-based: replica-1 is index 0). Zone 0 is the primary's.
 *
 * Without a promotion, replica i goes round robin over the zones other than the primary's, so no
 * replica shares the primary's zone and a zone failure takes out the primary or some replicas, never
 * both.
 *
 * After `promotedReplica` (1-based) was promoted, that slot keeps its zone (a promotion is in place, and
 * an instance can't move zone without being replaced), and the other replica slots, which are re-created
 * anyway as replicas of the new writer, go round robin over the zones other than the writer's, starting
 * with zone 0, the former primary's (it was the writer's zone, so no replica is there yet). Without
 * this they would stay where they were placed relative to the old primary, some in the new writer's
 * zone.
 *
 * Both assume the promoted replica sits where the no-promotion rule put it: true for a first promotion.
 * Needs at least two zones.
 */
export function replicaZoneIndexes(zoneCount: number, replicaCount: number, promotedReplica?: number): number[] {
    if (zoneCount < 2) throw new Error(`replicas need a zone other than the primary's (got ${zoneCount} zone)`);
    const original = Array.from({ length: replicaCount }, (_, i) => 1 + (i % (zoneCount - 1)));
    if (promotedReplica === undefined) return original;
    if (!Number.isInteger(promotedReplica) || promotedReplica < 1 || promotedReplica > replicaCount) {
        throw new Error(`the promoted replica must be one of 1 to ${replicaCount} (got ${promotedReplica})`);
    }
    const writerZone = original[promotedReplica - 1];
    const others = Array.from({ length: zoneCount }, (_, z) => z).filter((z) => z !== writerZone);
    let next = 0;
    return original.map((zone, i) => (i === promotedReplica - 1 ? zone : others[next++ % others.length]));
}

// ---- names ---------------------------------------------------------------------------------------

/**
 * Component names the Database accepts: letters, digits and single hyphens, starting with a letter, at
 * most 40 characters. They prefix resource names and RDS instance identifiers.
 */
export const COMPONENT_NAME_PATTERN = /^[A-Za-z](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,39}$/;

/**
 * A valid RDS snapshot identifier from `parts`: lower case, letters/digits/single hyphens, starting with
 * a letter, not ending with a hyphen, at most 255 characters (the CreateDBSnapshot rules).
 */
export function snapshotIdentifier(...parts: string[]): string {
    let id = parts
        .join("-")
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-{2,}/g, "-")
        .replace(/^[^a-z]+/, "");
    if (id === "") id = "snapshot";
    return id.slice(0, 255).replace(/-+$/, "");
}

/** RDS DB instance identifiers: 1-63 lower-case letters, digits or single hyphens, starting with a letter. */
export const INSTANCE_IDENTIFIER_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,62}$/;
const MAX_INSTANCE_IDENTIFIER = 63;

/**
 * The longest Multi-AZ DB cluster identifier RDS accepts: "1 to 63 (for Aurora DB clusters) or 1 to 52
 * (for Multi-AZ DB clusters) letters, numbers, or hyphens" (RDS API reference, CreateDBCluster
 * `DBClusterIdentifier`). The provider validates only the 63 of any DB cluster, so a longer one fails at
 * CreateDBCluster, in the middle of a `pulumi up`.
 */
export const MAX_MULTI_AZ_CLUSTER_IDENTIFIER = 52;

/** Lower case, runs of anything but letters and digits as one hyphen, no hyphen or digit first, none last. */
function identifierLabel(text: string): string {
    return text
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^[^a-z]+/, "")
        .replace(/-+$/, "");
}

/** A short stable hash (6 base-36 characters) that keeps names unique when they are cut. */
function shortHash(text: string): string {
    let hash = 0x811c9dc5;
    for (const ch of text) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    return hash.toString(36).padStart(6, "0").slice(-6);
}

/**
 * The RDS identifier of the instance in `slot` of the Database `name` in stack `stack`:
 * `<name>-<stack>-<slot>-<suffix>`, e.g. `database-prod-replica-1-0f3a9c1e`. `suffix` (the hex of the
 * slot's RandomId) changes whenever the instance must be replaced, so each physical instance gets an
 * identifier of its own and Pulumi can create the new one before deleting the old (two instances can't
 * share an identifier). The slot and suffix (together at most 40 characters) are kept whole; a long
 * `<name>-<stack>` is cut and given a hash, so the result always is a valid identifier of at most
 * `maxLength` characters, the same for the same input.
 *
 * @param maxLength 63 for a DB instance (CreateDBInstance); a Multi-AZ DB cluster's identifier may have
 *   only `MAX_MULTI_AZ_CLUSTER_IDENTIFIER` (52)
 */
export function instanceIdentifier(name: string, stack: string, slot: string, suffix: string, maxLength: number = MAX_INSTANCE_IDENTIFIER): string {
    if (!Number.isInteger(maxLength) || maxLength < 50 || maxLength > MAX_INSTANCE_IDENTIFIER) {
        throw new Error(`instance identifier: maxLength must be a whole number from 50 to ${MAX_INSTANCE_IDENTIFIER} (got ${maxLength})`);
    }
    const tail = identifierLabel(`x-${slot}-${suffix}`).slice(2) || "db";
    if (tail.length > 40) throw new Error(`instance identifier: slot and suffix must be at most 40 characters (got ${JSON.stringify(tail)})`);
    let base = identifierLabel(`${name}-${stack}`) || "db";
    const room = maxLength - tail.length - 1;
    if (base.length > room) base = `${base.slice(0, room - 7).replace(/-+$/, "")}-${shortHash(base)}`;
    return `${base}-${tail}`;
}

/** Log types every instance exports to CloudWatch Logs (`enabledCloudwatchLogsExports`). */
export const RDS_LOG_EXPORTS = ["error", "slowquery"] as const;

/**
 * The log group RDS writes an instance's exported log to. RDS creates it on first export if it doesn't
 * exist, with no retention (kept forever) and no tags; created beforehand by us, RDS writes into ours.
 */
export function rdsLogGroupName(identifier: string, logType: string): string {
    return `/aws/rds/instance/${identifier}/${logType}`;
}

/** Retention periods CloudWatch Logs accepts: the project's one table (lib/aws.ts). */
export { LOG_RETENTION_DAYS } from "./aws";

/** The default private hosted zone of a Database named `name`: `<name>.db.internal` (ICANN keeps `.internal` private). */
export function defaultPrivateZoneName(name: string): string {
    const label =
        name
            .toLowerCase()
            .replace(/[^a-z0-9-]+/g, "-")
            .replace(/^-+|-+$/g, "")
            .slice(0, 63)
            .replace(/-+$/, "") || "database";
    return `${label}.db.internal`;
}

/** A lower-case DNS name of at least two labels, each 1-63 letters, digits or inner hyphens. */
export const DNS_NAME_PATTERN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

// ---- reader failover (Route 53 health checks) ------------------------------------------------------

/**
 * The liveness alarm behind each replica's `reader` record, as Route 53 reads it: a Route 53 health
 * check of type CLOUDWATCH_METRIC follows the alarm's metric, so the alarm needs no action. Route 53's
 * own checkers run outside the VPC and can't reach a private endpoint; an alarm is how a private hosted
 * zone's records get health checks (Route 53 Developer Guide, "Configuring failover in a private hosted
 * zone"). Route 53 accepts only standard-resolution metrics and the statistics Average, Minimum,
 * Maximum, Sum and SampleCount (no percentiles, no metric math: the health check copies one metric).
 *
 * The signal: RDS sends CPUUtilization once a minute while the instance runs, so `SampleCount < 1` for
 * 2 of 2 minutes, with missing data breaching, means it is stopped, failed, rebooting, or its host or
 * zone is down. Shorter than the Monitoring component's 3-minute paging alarm on purpose: moving reads
 * off a replica costs nothing, paging someone does. CloudWatch fills in missing datapoints only when its
 * evaluation range holds fewer real ones than needed, so one late datapoint does not flip it.
 *
 * Replica lag is deliberately not part of it: a lagging replica still answers (stale, not failing), and
 * moving every read to the writer when lag rises — typically during a write burst — would pile the
 * reads onto the writer exactly when it is busiest. Stopped replication is paged by the Monitoring
 * component (`replication-stopped`) and needs a person (fix or re-create the replica).
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html#health-checks-creating-values-cloudwatch
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 */
export const READER_HEALTH_ALARM = {
    namespace: "AWS/RDS",
    metricName: "CPUUtilization",
    statistic: "SampleCount",
    period: 60,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    comparisonOperator: "LessThanThreshold",
    threshold: 1,
    treatMissingData: "breaching",
} as const;

/** Statistics a Route 53 health check accepts in the alarm it follows. */
export const ROUTE53_ALARM_STATISTICS: readonly string[] = ["Average", "Minimum", "Maximum", "Sum", "SampleCount"];

/**
 * Name of the reader-health alarm of the replica `identifier`: `<identifier>-reader-health`. Unique per
 * account and region because the identifier is (it holds the stack, the slot and the instance's own
 * suffix), and new with every physical replica, so a re-created replica gets a new alarm and its health
 * check is pointed at it (Route 53 copies an alarm's settings when the check is created or updated, and
 * does not follow later changes to the alarm). At most 63 + 13 characters, within CloudWatch's 255.
 */
export function readerHealthAlarmName(identifier: string): string {
    return `${identifier}-reader-health`;
}

/** `setIdentifier` of the zero-weight `reader` record that points at the writer while replicas exist. */
export const WRITER_FALLBACK_SET_IDENTIFIER = "writer-fallback";

// ---- Multi-AZ DB cluster ---------------------------------------------------------------------------

/** The database shapes the Database component builds (see its `deployment` arg). */
export const DB_DEPLOYMENTS = ["instance", "multiAzCluster"] as const;
export type DbDeployment = (typeof DB_DEPLOYMENTS)[number];

/**
 * Instance class families a Multi-AZ DB cluster runs on (RDS User Guide, "Instance class availability
 * for Multi-AZ DB clusters"): classes with local NVMe storage. db.c6gd is the only one with a `medium`
 * size, and the smallest.
 */
export const MULTI_AZ_CLUSTER_CLASS_FAMILIES: readonly string[] = ["c6gd", "m5d", "m6gd", "m6id", "m6idn", "r5d", "r6gd", "r6id", "r6idn", "x2iedn"];

/** Whether a Multi-AZ DB cluster can run on `instanceClass` (e.g. `db.c6gd.medium`, `db.r6gd.large`). */
export function isMultiAzClusterClass(instanceClass: string): boolean {
    const m = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(instanceClass);
    return m !== null && MULTI_AZ_CLUSTER_CLASS_FAMILIES.includes(m[1]) && (m[2] !== "medium" || m[1] === "c6gd") && !["micro", "small"].includes(m[2]);
}

/** Zones a Multi-AZ DB cluster needs: its writer and two readable standbys each in a zone of its own. */
export const MULTI_AZ_CLUSTER_ZONES = 3;

/** Storage types of a Multi-AZ DB cluster (aws.rds.Cluster `storageType`; io1 is RDS's default). */
export const CLUSTER_STORAGE_TYPES = ["io1", "io2", "gp3"] as const;
export type ClusterStorageType = (typeof CLUSTER_STORAGE_TYPES)[number];

/**
 * Storage limits of RDS for MySQL by type (RDS User Guide, "Amazon RDS DB instance storage"): GiB and
 * IOPS ranges, and the IOPS-per-GiB ratio of Provisioned IOPS. gp3 is taken from 400 GiB only, where
 * RDS for MySQL stripes it over four volumes and IOPS are provisionable (12000 to 64000): a Multi-AZ
 * DB cluster always takes an explicit IOPS value.
 */
export const CLUSTER_STORAGE_LIMITS: Readonly<Record<ClusterStorageType, { minGiB: number; maxGiB: number; minIops: number; maxIops: number; maxIopsPerGiB?: number; defaultGiB: number; defaultIops: number }>> = {
    io1: { minGiB: 100, maxGiB: 65536, minIops: 1000, maxIops: 256000, maxIopsPerGiB: 50, defaultGiB: 100, defaultIops: 1000 },
    io2: { minGiB: 100, maxGiB: 65536, minIops: 1000, maxIops: 256000, maxIopsPerGiB: 1000, defaultGiB: 100, defaultIops: 1000 },
    gp3: { minGiB: 400, maxGiB: 65536, minIops: 12000, maxIops: 64000, defaultGiB: 400, defaultIops: 12000 },
};

/** Problems (one line each, naming the args as `names` says) of a Multi-AZ DB cluster's storage; empty when fine. One home for these rules: the component and the stack config both call it. */
export function clusterStorageProblems(
    storageType: string,
    allocatedGiB: number,
    iops: number,
    names: { readonly storageType: string; readonly allocatedStorageGiB: string; readonly iops: string } = { storageType: "storageType", allocatedStorageGiB: "allocatedStorageGiB", iops: "iops" },
): string[] {
    if (!(CLUSTER_STORAGE_TYPES as readonly string[]).includes(storageType)) {
        return [`\`${names.storageType}\` must be one of ${CLUSTER_STORAGE_TYPES.join(", ")} for a Multi-AZ DB cluster (got ${JSON.stringify(storageType)})`];
    }
    const l = CLUSTER_STORAGE_LIMITS[storageType as ClusterStorageType];
    const problems: string[] = [];
    if (!Number.isInteger(allocatedGiB) || allocatedGiB < l.minGiB || allocatedGiB > l.maxGiB) {
        problems.push(`\`${names.allocatedStorageGiB}\` must be a whole number from ${l.minGiB} to ${l.maxGiB} for ${storageType} storage of a Multi-AZ DB cluster (got ${allocatedGiB})`);
    }
    if (!Number.isInteger(iops) || iops < l.minIops || iops > l.maxIops) {
        problems.push(`\`${names.iops}\` must be a whole number from ${l.minIops} to ${l.maxIops} for ${storageType} storage of a Multi-AZ DB cluster (got ${iops})`);
    } else if (l.maxIopsPerGiB !== undefined && problems.length === 0 && (iops < allocatedGiB / 2 || iops > allocatedGiB * l.maxIopsPerGiB)) {
        problems.push(`\`${names.iops}\` must be 0.5 to ${l.maxIopsPerGiB} times \`${names.allocatedStorageGiB}\` for ${storageType} (${allocatedGiB / 2} to ${allocatedGiB * l.maxIopsPerGiB}) (got ${iops})`);
    }
    return problems;
}

/** The log group RDS writes a DB cluster's exported log to (`/aws/rds/cluster/<id>/<type>`). */
export function rdsClusterLogGroupName(clusterIdentifier: string, logType: string): string {
    return `/aws/rds/cluster/${clusterIdentifier}/${logType}`;
}

/**
 * Typical writer failover of each shape, seconds, for the plan and the docs: a Multi-AZ DB cluster
 * "typically under 35 seconds" (RDS API reference, FailoverDBCluster); a Multi-AZ instance 60-120 s
 * (RDS User Guide, "Failover process for Amazon RDS"); a single-AZ primary has no automatic failover:
 * someone promotes a replica (about 5-15 minutes of detection, decision and promotion).
 */
export const WRITER_FAILOVER_SECONDS = { multiAzCluster: 35, multiAzInstance: 120 } as const;
