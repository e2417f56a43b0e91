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
import { backupRetentionProblem, maxAllocatedStorageProblem, promoteReplicaProblem, retireFormerPrimaryProblem } from "../components/lib/rds";
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
        readonly serverCount: number;
        readonly mode: WebServerMode;
        /** Servers in the target group from the start: all (active-active) or the first (active-passive). */
        readonly activeCount: number;
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
    readonly security: {
        readonly wafEnabled: boolean;
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
    // Unpinned, every Amazon Linux release replaces every server on the next `up` (the deploy gate then
    // stops every deploy until someone rolls them): production rolls new AMIs deliberately.
    if (isProduction && v.webAmiId === undefined) {
        problems.push("`webAmiId` must be set when `environment` is production: pin the AMI and roll new ones with the runbook");
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

    const replicaCount = num("dbReplicaCount");
    const retention = num("dbBackupRetentionDays");
    // With no replicas only the range is checked (replicas need backups: the rule asks for both values).
    if (retention !== undefined) component(backupRetentionProblem(retention, replicaCount ?? 0), DATABASE_ARG_KEYS);

    const allocated = num("dbAllocatedStorageGiB");
    const maxAllocated = num("dbMaxAllocatedStorageGiB");
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
            serverCount: num("webServerCount"),
            mode: str("webServerMode") as WebServerMode,
            activeCount: str("webServerMode") === "active-passive" ? 1 : num("webServerCount"),
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
