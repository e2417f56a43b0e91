/**
 * The stack's settings as one typed, validated object.
 *
 * `parseConfig` is pure (a map of raw strings in, a `StackConfig` out) so every rule is unit-tested
 * without the engine; `loadConfig` feeds it from `pulumi.Config`. Every bad value is reported before
 * any resource is declared, all at once, one line per problem, each naming the key, the bad value and
 * what is allowed.
 *
 * A rule a component owns (the 22/3389 ban, the hosted zone, backup retention, the VPC CIDR, database
 * and user names, …) is not restated here: its exported validator is called, through the settings
 * table's `check` or below, and its message is put in the stack's keys (`stackKeys.ts`).
 */
import { type MonitoringThresholds, freeStorageProblems } from "../components/lib/alarms";
import { vpcCidrProblem } from "../components/lib/cidr";
import { certificateDomainProblem } from "../components/lib/formats";
import { defaultHostedZone, hostedZoneProblem } from "../components/lib/naming";
import { servicePortProblem } from "../components/lib/ports";
import {
    CLUSTER_STORAGE_LIMITS,
    ClusterStorageType,
    DbDeployment,
    MULTI_AZ_CLUSTER_CLASS_FAMILIES,
    MULTI_AZ_CLUSTER_ZONES,
    backupRetentionProblem,
    clusterStorageProblems,
    isMultiAzClusterClass,
    maxAllocatedStorageProblem,
    promoteReplicaProblem,
    retireFormerPrimaryProblem,
} from "../components/lib/rds";
import type { WafMode } from "../components/lib/wafRules";
import { ConfigError } from "./configError";
import { PROJECT, SETTINGS, SETTING_KEYS, SettingKey, SettingSpec } from "./settings";
import { closestKeys } from "./suggest";
import { ArgKeys, DATABASE_ARG_KEYS, LOAD_BALANCER_ARG_KEYS, MONITORING_ARG_KEYS, NETWORK_ARG_KEYS, WEB_SERVERS_ARG_KEYS, inStackTerms } from "./stackKeys";

export { ConfigError } from "./configError";

export type Environment = "development" | "staging" | "production";
export type NatStrategy = "none" | "single" | "perAz";
export type LbAlgorithm = "round_robin" | "least_outstanding_requests" | "weighted_random";
export type WebServerMode = "active-active" | "active-passive";

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    readonly environment: Environment;
    readonly isProduction: boolean;
    /** The only account the provider may act in (`allowedAccountIds`); required in production. */
    readonly awsAccountId?: string;
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
        /** `instance` or `multiAzCluster` (the Database component's `deployment`). */
        readonly deployment: DbDeployment;
        readonly engineVersion: string;
        /** Parameter group family derived from the version, e.g. `mysql8.0`. */
        readonly parameterGroupFamily: string;
        readonly instanceClass: string;
        /** `multiAzCluster`: class, storage type and IOPS of the cluster's instances. */
        readonly clusterInstanceClass?: string;
        readonly storageType?: ClusterStorageType;
        readonly iops?: number;
        readonly allocatedStorageGiB: number;
        /** Storage autoscaling limit; undefined for `multiAzCluster` (it has none). */
        readonly maxAllocatedStorageGiB?: number;
        readonly multiAz: boolean;
        readonly backupRetentionDays: number;
        /** 0 for `multiAzCluster`: its standbys are the readers. */
        readonly replicaCount: number;
        /** 1-based index of the replica to promote, if any. */
        readonly promoteReplica?: number;
        /** After a promotion, drop the former primary (deleted with a final snapshot). */
        readonly retireFormerPrimary: boolean;
        /** Step 2 of a promotion: the promoted replica takes the writer's settings. */
        readonly promotionComplete: boolean;
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
        readonly wafMode: WafMode;
        readonly wafRateLimit: number;
        readonly accessLogRetentionDays: number;
    };
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
            // Plain decimal only: no spaces, signs on zero, leading zeros (octal to some readers) or exponents.
            if (!/^(0|-?[1-9]\d*)$/.test(raw)) {
                problems.push(`\`${key}\` must be a whole number${rangeText(spec)} (got ${show(raw)})`);
                return undefined;
            }
            const n = Number(raw);
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
            const problem = spec.check?.(raw, key);
            if (problem !== undefined) {
                problems.push(problem);
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

/** The smallest class a Multi-AZ DB cluster runs on: `dbClusterInstanceClass`'s default. */
export const DEFAULT_CLUSTER_INSTANCE_CLASS = "db.c6gd.medium";

/** Settings of the instance deployment that mean nothing (or something wrong) for a Multi-AZ DB cluster. */
const CLUSTER_EXCLUDED_SETTINGS = ["dbReplicaCount", "dbMultiAz", "dbPromoteReplica", "dbRetireFormerPrimary", "dbPromotionComplete", "dbMaxAllocatedStorageGiB", "dbInstanceClass"] as const;
const CLUSTER_EXCLUDED_WHY: Record<(typeof CLUSTER_EXCLUDED_SETTINGS)[number], string> = {
    dbReplicaCount: "its two readable standbys are the readers; a Multi-AZ DB cluster takes no read replicas of ours",
    dbMultiAz: "a Multi-AZ DB cluster is always in three zones",
    dbPromoteReplica: "RDS fails a Multi-AZ DB cluster over by itself; there is no replica to promote",
    dbRetireFormerPrimary: "there is no promotion in a Multi-AZ DB cluster",
    dbPromotionComplete: "there is no promotion in a Multi-AZ DB cluster",
    dbMaxAllocatedStorageGiB: "Multi-AZ DB clusters have no storage autoscaling; size `dbAllocatedStorageGiB` for growth",
    dbInstanceClass: "the cluster's instances take `dbClusterInstanceClass`",
};

/** An unknown key: the close keys it may be a typo of, else every key there is. */
function unknownKeyProblem(key: string): string {
    const close = closestKeys(key, SETTING_KEYS);
    if (close.length > 0) return `\`${key}\` is not a setting of ${PROJECT}; did you mean ${close.map((k) => `\`${k}\``).join(" or ")}?`;
    return `\`${key}\` is not a setting of ${PROJECT}; the settings are: ${SETTING_KEYS.join(", ")}`;
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
        if (!(key in SETTINGS)) problems.push(unknownKeyProblem(key));
    }

    const v: Partial<Record<SettingKey, Value>> = {};
    for (const key of SETTING_KEYS) {
        v[key] = parseSetting(key, SETTINGS[key], raw[key], problems);
    }
    // A component's rule, called here before anything is declared, reported in the stack's keys.
    const component = (problem: string | undefined, keys: ArgKeys) => {
        if (problem !== undefined) problems.push(inStackTerms(problem, keys));
    };
    const str = (k: SettingKey) => v[k] as string;
    const num = (k: SettingKey) => v[k] as number;
    const bool = (k: SettingKey) => v[k] as boolean;
    const opt = (k: SettingKey) => v[k] as string | undefined;

    // ---- rules that span more than one value, or need more than a pattern ----------------------
    if (v.vpcCidr !== undefined) component(vpcCidrProblem(str("vpcCidr"), "cidrBlock"), NETWORK_ARG_KEYS);

    const appPort = num("appPort");
    if (appPort !== undefined) component(servicePortProblem(appPort, "appPort"), WEB_SERVERS_ARG_KEYS);

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
    // A production stack must never be deployed into whatever account the shell's credentials point at.
    if (isProduction && v.awsAccountId === undefined) {
        problems.push("`awsAccountId` must be set when `environment` is production: the provider then refuses credentials of any other account");
    }
    if (isProduction && v.alertEmail === undefined) {
        problems.push("`alertEmail` must be set when `environment` is production: alarms must reach a person");
    }
    const hostedZoneRaw = opt("hostedZone");
    component(hostedZoneProblem(domain, hostedZoneRaw), LOAD_BALANCER_ARG_KEYS);
    // The stack issues the certificate for `domain` unless it is given one.
    if (domain !== undefined && certificateArn === undefined) component(certificateDomainProblem(domain), LOAD_BALANCER_ARG_KEYS);

    // An ALB listener can only use an ACM certificate of its own region.
    const certRegion = certificateArn?.split(":")[3];
    if (certificateArn !== undefined && region !== undefined && certRegion !== region) {
        problems.push(
            `\`certificateArn\` must be a certificate in the stack's region ${region} (got one in ${certRegion}: ${show(certificateArn)}): a load balancer can only use an ACM certificate from its own region`,
        );
    }

    // ---- database shape: the Multi-AZ DB cluster's limits, named by setting ----
    const deployment = (str("dbDeployment") ?? "instance") as DbDeployment;
    const cluster = deployment === "multiAzCluster";
    if (cluster) {
        for (const key of CLUSTER_EXCLUDED_SETTINGS) {
            if (raw[key] !== undefined) problems.push(`\`${key}\` must not be set with \`dbDeployment\` multiAzCluster (got ${show(raw[key])}): ${CLUSTER_EXCLUDED_WHY[key]}`);
        }
        const zoneCount = num("availabilityZoneCount");
        if (zoneCount !== undefined && zoneCount < MULTI_AZ_CLUSTER_ZONES) {
            problems.push(
                `\`availabilityZoneCount\` must be at least ${MULTI_AZ_CLUSTER_ZONES} with \`dbDeployment\` multiAzCluster (got ${zoneCount}): a Multi-AZ DB cluster puts its writer and two readable standbys in three zones`,
            );
        }
        const clusterClass = opt("dbClusterInstanceClass") ?? DEFAULT_CLUSTER_INSTANCE_CLASS;
        if (v.dbClusterInstanceClass !== undefined || raw.dbClusterInstanceClass === undefined) {
            if (!isMultiAzClusterClass(clusterClass)) {
                problems.push(
                    `\`dbClusterInstanceClass\` must be a class Multi-AZ DB clusters run on, of the families ${MULTI_AZ_CLUSTER_CLASS_FAMILIES.map((f) => `db.${f}`).join(", ")}, with db.c6gd.medium the only medium size (got ${show(clusterClass)})`,
                );
            }
        }
    } else {
        for (const key of ["dbClusterInstanceClass", "dbStorageType", "dbIops"] as const) {
            if (raw[key] !== undefined) problems.push(`\`${key}\` is only for \`dbDeployment\` multiAzCluster (got ${show(raw[key])} with dbDeployment instance)`);
        }
    }
    const storageType = (opt("dbStorageType") ?? "gp3") as ClusterStorageType;
    const clusterStorage = CLUSTER_STORAGE_LIMITS[storageType];
    const clusterIops = raw.dbIops !== undefined ? num("dbIops") : clusterStorage?.defaultIops;

    const replicaCount = cluster ? 0 : num("dbReplicaCount");
    const retention = num("dbBackupRetentionDays");
    // With no replicas only the range is checked (replicas need backups: the rule asks for both values).
    if (retention !== undefined) component(backupRetentionProblem(retention, replicaCount ?? 0), DATABASE_ARG_KEYS);

    const allocated = cluster && raw.dbAllocatedStorageGiB === undefined ? clusterStorage?.defaultGiB : num("dbAllocatedStorageGiB");
    const maxAllocated = cluster ? undefined : num("dbMaxAllocatedStorageGiB");
    if (cluster && allocated !== undefined && clusterIops !== undefined) {
        problems.push(...clusterStorageProblems(storageType, allocated, clusterIops, { storageType: "dbStorageType", allocatedStorageGiB: "dbAllocatedStorageGiB", iops: "dbIops" }));
    }
    if (allocated !== undefined && maxAllocated !== undefined) {
        component(maxAllocatedStorageProblem(allocated, maxAllocated), DATABASE_ARG_KEYS);
        // The free-storage alarm against autoscaling: the Monitoring component's rule.
        const freeStorage = num("alarmDbFreeStorageGiB");
        if (freeStorage !== undefined && maxAllocated > allocated) {
            const storage = { allocatedGiB: allocated, maxAllocatedGiB: maxAllocated };
            for (const p of freeStorageProblems({ dbFreeStorageGiB: freeStorage }, storage)) component(p, MONITORING_ARG_KEYS);
        }
    }

    let promoteReplica: number | undefined;
    const promote = opt("dbPromoteReplica");
    if (promote !== undefined && replicaCount !== undefined) {
        const index = Number(promote.slice("replica-".length));
        const problem = promoteReplicaProblem(index, replicaCount, (i) => `replica-${i}`);
        if (problem === undefined) promoteReplica = index;
        else component(problem, DATABASE_ARG_KEYS);
    }

    if (v.dbRetireFormerPrimary !== undefined) component(retireFormerPrimaryProblem(bool("dbRetireFormerPrimary"), promote !== undefined), DATABASE_ARG_KEYS);
    if (v.dbPromotionComplete === true && promote === undefined) {
        problems.push("`dbPromotionComplete` is true but `dbPromoteReplica` is not set: it is the second step of a promotion");
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
        awsAccountId: opt("awsAccountId"),
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
            deployment,
            engineVersion,
            parameterGroupFamily: `mysql${engineVersion.split(".").slice(0, 2).join(".")}`,
            instanceClass: str("dbInstanceClass"),
            ...(cluster ? { clusterInstanceClass: opt("dbClusterInstanceClass") ?? DEFAULT_CLUSTER_INSTANCE_CLASS, storageType, iops: clusterIops } : {}),
            allocatedStorageGiB: allocated,
            maxAllocatedStorageGiB: maxAllocated,
            multiAz: bool("dbMultiAz"),
            backupRetentionDays: retention,
            replicaCount,
            promoteReplica,
            retireFormerPrimary: bool("dbRetireFormerPrimary"),
            promotionComplete: bool("dbPromotionComplete"),
            dbName: str("dbName"),
            username: str("dbUsername"),
            monitoringIntervalSeconds: num("dbMonitoringIntervalSeconds"),
            logRetentionDays: num("dbLogRetentionDays"),
        },
        monitoring: {
            alertEmail: opt("alertEmail"),
            webCpuPercent: num("alarmWebCpuPercent"),
            webDiskPercent: num("alarmWebDiskPercent"),
            webMemoryPercent: num("alarmWebMemoryPercent"),
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
            wafMode: str("wafMode") as WafMode,
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
