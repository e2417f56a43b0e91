/**
 * RDS for MySQL rules the Database component needs: engine versions and parameter group families,
 * master password alphabet, Performance Insights support by instance class, backup/maintenance window
 * parsing and overlap, replica placement, snapshot identifiers and DNS names. Pure: no Pulumi, no AWS.
 */

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

// ---- engine version ----------------------------------------------------------------------------

/** MySQL versions the component supports: 8.0 and 8.4, as a major version or a full minor. */
export const ENGINE_VERSION_PATTERN = /^8\.[04](\.\d+)?$/;

/**
 * The DB parameter group family of an engine version: `8.0` and `8.0.39` → `mysql8.0`, `8.4` →
 * `mysql8.4`. A family is per major version, so a minor upgrade keeps the parameter group.
 */
export function parameterGroupFamily(engineVersion: string): string {
    const [major, minor] = engineVersion.split(".");
    return `mysql${major}.${minor}`;
}

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

/**
 * Check a backup and a maintenance window the way RDS will: format, at least 30 minutes each, no
 * overlap. Returns one problem per broken rule (empty when both are fine), each naming the arg.
 */
export function windowProblems(backupWindow: string, maintenanceWindow: string): string[] {
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
            `\`maintenanceWindow\` must be a weekly UTC window ddd:hh24:mi-ddd:hh24:mi such as sun:04:30-sun:05:30 (got ${JSON.stringify(maintenanceWindow)})`,
        );
    } else if (maintenance.minutes < MIN_WINDOW_MINUTES) {
        problems.push(`\`maintenanceWindow\` must be at least ${MIN_WINDOW_MINUTES} minutes long (got ${JSON.stringify(maintenanceWindow)})`);
    }
    if (problems.length === 0 && windowsOverlap(backup!, maintenance!)) {
        problems.push(
            `\`backupWindow\` (${backupWindow}) and \`maintenanceWindow\` (${maintenanceWindow}) must not overlap: RDS rejects overlapping windows`,
        );
    }
    return problems;
}

// ---- placement -----------------------------------------------------------------------------------

/**
 * Zone index of each read replica: the primary is in zone 0, replica i (0-based) goes round robin over
 * the other zones, so no replica shares the primary's zone and a zone failure takes out the primary
 * or some replicas, never both. Needs at least two zones.
 */
export function replicaZoneIndexes(zoneCount: number, replicaCount: number): number[] {
    if (zoneCount < 2) throw new Error(`replicas need a zone other than the primary's (got ${zoneCount} zone)`);
    return Array.from({ length: replicaCount }, (_, i) => 1 + (i % (zoneCount - 1)));
}

// ---- names ---------------------------------------------------------------------------------------

/**
 * Component names the Database accepts: they prefix RDS instance identifiers (letters, digits and
 * single hyphens, starting with a letter, 63 characters at most with the `-replica-N-xxxxxxx` suffix
 * Pulumi adds), so at most 40 characters.
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
