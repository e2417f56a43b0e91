/**
 * The stack's settings as one typed, validated object.
 *
 * `parseConfig` is pure (a map of raw strings in, a `StackConfig` out) so every rule is unit-tested
 * without the engine; `loadConfig` feeds it from `pulumi.Config`. Every bad value is reported before
 * any resource is declared, all at once, one line per problem, each naming the key, the bad value and
 * what is allowed.
 */
import type { MonitoringThresholds } from "../components/lib/alarms";
import { parseCidr } from "../components/lib/cidr";
import { defaultHostedZone } from "../components/lib/naming";
import { PROJECT, SETTINGS, SETTING_KEYS, SettingKey, SettingSpec } from "./settings";

export type Environment = "development" | "staging" | "production";
export type NatStrategy = "none" | "single" | "perAz";
export type LbAlgorithm = "round_robin" | "least_outstanding_requests" | "weighted_random";
export type WebServerMode = "active-active" | "active-passive";

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    readonly environment: Environment;
    readonly isProduction: boolean;
    readonly deletionProtection: boolean;
    /** Tags every taggable resource gets through the provider's default tags. */
    readonly tags: Readonly<Record<string, string>>;
    readonly network: {
        readonly vpcCidr: string;
        readonly availabilityZoneCount: number;
        readonly natStrategy: NatStrategy;
        readonly flowLogRetentionDays: number;
    };
    readonly web: {
        /** Active-active: the group's minimum. Active-passive: 1 + `warmStandbyCount` (every server running). */
        readonly serverCount: number;
        /** Active-active: the group's maximum. Active-passive: `serverCount` (WebServers sizes its own maximum for replacements). */
        readonly maxCount: number;
        readonly mode: WebServerMode;
        /** Servers in the target group: the minimum (active-active) or the one active server (active-passive). */
        readonly activeCount: number;
        /** Active-passive: running servers kept in Standby (0 in active-active). */
        readonly warmStandbyCount: number;
        /** Target tracking (active-active). */
        readonly scaling: { readonly requestsPerTarget: number; readonly cpuPercent: number };
        readonly instanceType: string;
        /** Pinned AMI, or undefined for the latest AL2023 from the public SSM parameter. */
        readonly amiId?: string;
        readonly rootVolumeSizeGiB: number;
        readonly appPort: number;
        readonly lbAlgorithm: LbAlgorithm;
    };
    readonly https: {
        /** True when a domain or a certificate ARN is configured. */
        readonly enabled: boolean;
        readonly domain?: string;
        /** Resolved: the configured zone, or the default derived from `domain`. */
        readonly hostedZone?: string;
        readonly certificateArn?: string;
    };
    readonly database: {
        readonly engineVersion: string;
        /** Parameter group family derived from the version, e.g. `mysql8.0`. */
        readonly parameterGroupFamily: string;
        readonly instanceClass: string;
        readonly allocatedStorageGiB: number;
        readonly maxAllocatedStorageGiB: number;
        readonly multiAz: boolean;
        readonly backupRetentionDays: number;
        readonly replicaCount: number;
        /** 1-based index of the replica to promote, if any. */
        readonly promoteReplica?: number;
        /** After a promotion, drop the former primary (deleted with a final snapshot). */
        readonly retireFormerPrimary: boolean;
        readonly dbName: string;
        readonly username: string;
        readonly monitoringIntervalSeconds: number;
        readonly logRetentionDays: number;
    };
    /** The alarm thresholds exactly as the Monitoring component takes them, plus who gets the alarms. */
    readonly monitoring: MonitoringThresholds & { readonly alertEmail?: string };
    /** Recovery targets the plan checks its recovery-time report against (seconds; undefined: not enforced). */
    readonly recoveryTargets: { readonly recoverySeconds?: number; readonly dataLossSeconds?: number };
    readonly security: {
        readonly wafEnabled: boolean;
        readonly wafRateLimit: number;
        readonly accessLogRetentionDays: number;
    };
}

/** Raised for any invalid setting; `problems` holds one line per bad key. */
export class ConfigError extends Error {
    constructor(public readonly problems: readonly string[]) {
        super(
            problems.length === 1
                ? `Invalid stack configuration: ${problems[0]}`
                : `Invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
        );
        this.name = "ConfigError";
    }
}

/** Raw config: key (without the `web-infra:` namespace) → the string Pulumi holds. */
export type RawConfig = Readonly<Record<string, string | undefined>>;

type Value = string | number | boolean | undefined;

function show(raw: string): string {
    return JSON.stringify(raw);
}

/** Parse one raw string against its spec; returns the value or pushes a problem. */
function parseSetting(key: SettingKey, spec: SettingSpec, raw: string | undefined, problems: string[]): Value {
    if (raw === undefined || raw === "") {
        if (spec.required) {
            problems.push(`\`${key}\` is required: ${spec.description} Set it with \`pulumi config set ${key} <value>\`.`);
        }
        return spec.default;
    }
    switch (spec.type) {
        case "boolean": {
            if (raw === "true") return true;
            if (raw === "false") return false;
            problems.push(`\`${key}\` must be true or false (got ${show(raw)})`);
            return undefined;
        }
        case "integer": {
            if (!/^-?\d+$/.test(raw.trim())) {
                problems.push(`\`${key}\` must be a whole number${rangeText(spec)} (got ${show(raw)})`);
                return undefined;
            }
            const n = Number(raw.trim());
            if (spec.enum && !spec.enum.includes(n)) {
                problems.push(`\`${key}\` must be one of ${spec.enum.join(", ")} (got ${n})`);
                return undefined;
            }
            if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
                problems.push(`\`${key}\` must be${rangeText(spec)} (got ${n})`);
                return undefined;
            }
            return n;
        }
        case "string": {
            if (spec.enum && !spec.enum.includes(raw)) {
                problems.push(`\`${key}\` must be one of ${spec.enum.join(", ")} (got ${show(raw)})`);
                return undefined;
            }
            if (spec.pattern && !spec.pattern.test(raw)) {
                problems.push(`\`${key}\` must be ${spec.patternHint ?? `a string matching ${spec.pattern}`} (got ${show(raw)})`);
                return undefined;
            }
            return raw;
        }
    }
}

function rangeText(spec: SettingSpec): string {
    if (spec.min !== undefined && spec.max !== undefined) return ` from ${spec.min} to ${spec.max}`;
    if (spec.min !== undefined) return ` ≥ ${spec.min}`;
    if (spec.max !== undefined) return ` ≤ ${spec.max}`;
    return "";
}

/**
 * Validate raw settings and build the typed config. Throws one `ConfigError` listing every problem.
 *
 * @param raw settings without namespace, as strings (what `pulumi config` holds)
 * @param stack the Pulumi stack name, used in tags and names
 */
export function parseConfig(raw: RawConfig, stack: string, region?: string): StackConfig {
    const problems: string[] = [];

    // A typo'd key would otherwise be silently ignored and its default used.
    for (const key of Object.keys(raw)) {
        if (!(key in SETTINGS)) {
            problems.push(`\`${key}\` is not a setting of ${PROJECT}; known settings: ${SETTING_KEYS.join(", ")}`);
        }
    }

    const v: Partial<Record<SettingKey, Value>> = {};
    for (const key of SETTING_KEYS) {
        v[key] = parseSetting(key, SETTINGS[key], raw[key], problems);
    }
    const str = (k: SettingKey) => v[k] as string;
    const num = (k: SettingKey) => v[k] as number;
    const bool = (k: SettingKey) => v[k] as boolean;
    const opt = (k: SettingKey) => v[k] as string | undefined;

    // ---- rules that span more than one value, or need more than a pattern ----------------------
    if (v.vpcCidr !== undefined) {
        const cidr = str("vpcCidr");
        const parsed = parseCidr(cidr);
        if (parsed === undefined) {
            problems.push(`\`vpcCidr\` must be an IPv4 CIDR block such as 10.0.0.0/16 (got ${show(cidr)})`);
        } else if (parsed.prefix < 16 || parsed.prefix > 22) {
            problems.push(
                `\`vpcCidr\` must have a prefix from /16 to /22 (got ${show(cidr)}): AWS allows /16 at most, and below /22 the database subnets would be smaller than /27`,
            );
        } else if (parsed.hostBitsSet) {
            problems.push(`\`vpcCidr\` must be a network address with no host bits set (got ${show(cidr)}; did you mean ${parsed.network}?)`);
        }
    }

    const appPort = num("appPort");
    if (appPort === 22 || appPort === 3389) {
        problems.push(`\`appPort\` must not be ${appPort}: remote-administration ports are never opened (shell access is SSM Session Manager)`);
    }

    const environment = str("environment") as Environment | undefined;
    const isProduction = environment === "production";
    if (isProduction && v.deletionProtection === false) {
        problems.push("`deletionProtection` must be true when `environment` is production (got false)");
    }
    if (isProduction && v.wafEnabled === false) {
        problems.push("`wafEnabled` must be true when `environment` is production (got false)");
    }

    const domain = opt("domain");
    const certificateArn = opt("certificateArn");
    // Production: every user connection is HTTPS, and every alarm reaches a person.
    if (isProduction && domain === undefined && certificateArn === undefined) {
        problems.push("`domain` (or `certificateArn`) must be set when `environment` is production: users must reach the site over HTTPS");
    }
    // Unpinned, every Amazon Linux release rolls the fleet on the next `up`: production takes a new
    // AMI as a deliberate, reviewed change.
    if (isProduction && v.webAmiId === undefined) {
        problems.push("`webAmiId` must be set when `environment` is production: pin the AMI and roll new ones with the runbook");
    }
    // The web fleet. Keys of the other mode are ignored, not refused: a stack file that sizes an
    // active-active fleet can be previewed as active-passive with `--config webServerMode=…`.
    const mode = str("webServerMode");
    const serverCount = num("webServerCount");
    const maxCountRaw = v.webServerMaxCount as number | undefined;
    if (mode === "active-active" && maxCountRaw !== undefined && serverCount !== undefined && maxCountRaw < serverCount) {
        problems.push(`\`webServerMaxCount\` must be at least \`webServerCount\` (${serverCount}) (got ${maxCountRaw})`);
    }
    if (isProduction && v.alertEmail === undefined) {
        problems.push("`alertEmail` must be set when `environment` is production: alarms must reach a person");
    }
    const hostedZoneRaw = opt("hostedZone");
    if (hostedZoneRaw !== undefined && domain === undefined) {
        problems.push(`\`hostedZone\` is set (${show(hostedZoneRaw)}) but \`domain\` is not: the zone is only used to validate and publish \`domain\``);
    }
    if (domain !== undefined && hostedZoneRaw !== undefined && !(domain === hostedZoneRaw || domain.endsWith(`.${hostedZoneRaw}`))) {
        problems.push(`\`hostedZone\` must be \`domain\` or one of its parents (got ${show(hostedZoneRaw)} for domain ${show(domain)})`);
    }

    // An ALB listener can only use an ACM certificate of its own region.
    const certRegion = certificateArn?.split(":")[3];
    if (certificateArn !== undefined && region !== undefined && certRegion !== region) {
        problems.push(
            `\`certificateArn\` must be a certificate in the stack's region ${region} (got one in ${certRegion}: ${show(certificateArn)}): a load balancer can only use an ACM certificate from its own region`,
        );
    }

    const replicaCount = num("dbReplicaCount");
    const retention = num("dbBackupRetentionDays");
    if (retention !== undefined) {
        if (retention === 0 && replicaCount !== undefined && replicaCount > 0) {
            problems.push(
                `\`dbBackupRetentionDays\` must be at least 7 when \`dbReplicaCount\` is ${replicaCount} (got 0): RDS creates read replicas only from a primary with automated backups`,
            );
        } else if (retention < 7) {
            problems.push(`\`dbBackupRetentionDays\` must be from 7 to 35 (got ${retention}): a week of point-in-time recovery is the floor`);
        }
    }

    const allocated = num("dbAllocatedStorageGiB");
    const maxAllocated = num("dbMaxAllocatedStorageGiB");
    if (allocated !== undefined && maxAllocated !== undefined && maxAllocated <= allocated) {
        problems.push(
            `\`dbMaxAllocatedStorageGiB\` must be greater than \`dbAllocatedStorageGiB\` (${allocated}) for storage autoscaling (got ${maxAllocated})`,
        );
    }

    // Storage autoscaling acts at 10% free; an alarm at or above that would page on normal growth.
    const freeStorage = num("alarmDbFreeStorageGiB");
    if (freeStorage !== undefined && allocated !== undefined && freeStorage > allocated * 0.05) {
        problems.push(
            `\`alarmDbFreeStorageGiB\` must be at most 5% of \`dbAllocatedStorageGiB\` (${allocated * 0.05} GiB of ${allocated} GiB) (got ${freeStorage}): storage autoscaling acts at 10% free, so a higher alarm would page on normal growth`,
        );
    }

    let promoteReplica: number | undefined;
    const promote = opt("dbPromoteReplica");
    if (promote !== undefined && replicaCount !== undefined) {
        const index = Number(promote.slice("replica-".length));
        if (index > replicaCount) {
            const names = Array.from({ length: replicaCount }, (_, i) => `replica-${i + 1}`);
            problems.push(
                replicaCount === 0
                    ? `\`dbPromoteReplica\` names ${show(promote)}, but \`dbReplicaCount\` is 0: there is no replica to promote`
                    : `\`dbPromoteReplica\` must name one of the replicas: ${names.join(", ")} (got ${show(promote)})`,
            );
        } else {
            promoteReplica = index;
        }
    }

    if (v.dbRetireFormerPrimary === true && promote === undefined) {
        problems.push("`dbRetireFormerPrimary` is true but `dbPromoteReplica` is not set: only a promotion leaves a former primary to retire");
    }

    if (problems.length > 0) {
        throw new ConfigError(problems);
    }

    const engineVersion = str("dbEngineVersion");
    const owner = str("owner");
    const costCenter = str("costCenter");
    return {
        project: PROJECT,
        stack,
        environment: environment as Environment,
        isProduction,
        deletionProtection: bool("deletionProtection"),
        tags: {
            Project: PROJECT,
            Stack: stack,
            Environment: environment as string,
            Owner: owner,
            CostCenter: costCenter,
            ManagedBy: "pulumi",
        },
        network: {
            vpcCidr: str("vpcCidr"),
            availabilityZoneCount: num("availabilityZoneCount"),
            natStrategy: str("natStrategy") as NatStrategy,
            flowLogRetentionDays: num("flowLogRetentionDays"),
        },
        web: {
            serverCount: mode === "active-passive" ? 1 + num("webWarmStandbyCount") : serverCount,
            maxCount: mode === "active-passive" ? 1 + num("webWarmStandbyCount") : (maxCountRaw ?? 2 * serverCount),
            mode: mode as WebServerMode,
            activeCount: mode === "active-passive" ? 1 : serverCount,
            warmStandbyCount: mode === "active-passive" ? num("webWarmStandbyCount") : 0,
            scaling: { requestsPerTarget: num("webScalingRequestsPerTarget"), cpuPercent: num("webScalingCpuPercent") },
            instanceType: str("webInstanceType"),
            amiId: opt("webAmiId"),
            rootVolumeSizeGiB: num("webRootVolumeSizeGiB"),
            appPort,
            lbAlgorithm: str("lbAlgorithm") as LbAlgorithm,
        },
        https: {
            enabled: domain !== undefined || certificateArn !== undefined,
            domain,
            hostedZone: domain === undefined ? undefined : (hostedZoneRaw ?? defaultHostedZone(domain)),
            certificateArn,
        },
        database: {
            engineVersion,
            parameterGroupFamily: `mysql${engineVersion.split(".").slice(0, 2).join(".")}`,
            instanceClass: str("dbInstanceClass"),
            allocatedStorageGiB: allocated,
            maxAllocatedStorageGiB: maxAllocated,
            multiAz: bool("dbMultiAz"),
            backupRetentionDays: retention,
            replicaCount,
            promoteReplica,
            retireFormerPrimary: bool("dbRetireFormerPrimary"),
            dbName: str("dbName"),
            username: str("dbUsername"),
            monitoringIntervalSeconds: num("dbMonitoringIntervalSeconds"),
            logRetentionDays: num("dbLogRetentionDays"),
        },
        monitoring: {
            alertEmail: opt("alertEmail"),
            webCpuPercent: num("alarmWebCpuPercent"),
            p99LatencyMs: num("alarmP99LatencyMs"),
            http5xxPerMinute: num("alarm5xxPerMinute"),
            dbCpuPercent: num("alarmDbCpuPercent"),
            dbFreeStorageGiB: num("alarmDbFreeStorageGiB"),
            dbFreeableMemoryMiB: num("alarmDbFreeableMemoryMiB"),
            dbConnections: num("alarmDbConnections"),
            replicaLagSeconds: num("alarmReplicaLagSeconds"),
            wafBlockedPer5Min: num("alarmWafBlockedPer5Min"),
        },
        recoveryTargets: {
            recoverySeconds: v.recoveryTimeTargetSeconds as number | undefined,
            dataLossSeconds: v.dataLossTargetSeconds as number | undefined,
        },
        security: {
            wafEnabled: bool("wafEnabled"),
            wafRateLimit: num("wafRateLimit"),
            accessLogRetentionDays: num("accessLogRetentionDays"),
        },
    };
}

/**
 * The project's settings from a Pulumi config map (`pulumi.runtime.allConfig()`), keys stripped of
 * the `web-infra:` namespace. Other namespaces (`aws:region`, …) are not ours and are left out.
 */
export function projectSettings(all: Readonly<Record<string, string>>): RawConfig {
    const prefix = `${PROJECT}:`;
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(all)) {
        if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
    }
    return raw;
}
