/**
 * Component arguments in the stack's terms. The components validate their own arguments and name them
 * (`` `count` must be ≥ 2``); a person running the stack set `webServerCount`. These maps say which
 * setting feeds which argument, so a component's rule — called by `config.ts` before anything is
 * declared, or raised by the component itself — reaches the user naming the key to change. Pure.
 *
 * The maps are typed against the settings table and the components' Args: renaming either side without
 * updating the map fails `tsc`.
 */
import type { AccessLogBucketArgs } from "../components/accessLogs";
import type { DatabaseArgs } from "../components/database";
import type { LoadBalancerArgs, LoadBalancerHttpsArgs } from "../components/loadBalancer";
import type { MonitoredDatabase, MonitoredHealthCheck, MonitoringArgs, MonitoringThresholds } from "../components/monitoring";
import type { NetworkArgs } from "../components/network";
import type { WebAclArgs } from "../components/waf";
import type { WebServersArgs, WebServersScalingArgs } from "../components/webServer";
import { ConfigError } from "./configError";
import type { SettingKey } from "./settings";

/** Component argument (as the component's messages write it, between backticks) → stack setting. */
export type ArgKeys = Readonly<Record<string, SettingKey>>;

/**
 * A map whose keys must be arguments of `Args` (or `prefix.field` of a nested one): renaming an argument
 * in a component without updating its map here fails `tsc`.
 */
type KeysOf<Args, Extra extends string = never> = Partial<Record<(keyof Args & string) | Extra, SettingKey>>;
type Nested<Prefix extends string, T> = `${Prefix}.${keyof T & string}`;

export const NETWORK_ARG_KEYS: ArgKeys = {
    cidrBlock: "vpcCidr",
    availabilityZoneCount: "availabilityZoneCount",
    natStrategy: "natStrategy",
    flowLogRetentionDays: "flowLogRetentionDays",
} satisfies KeysOf<NetworkArgs, "availabilityZoneCount">;

export const WEB_SERVERS_ARG_KEYS: ArgKeys = {
    mode: "webServerMode",
    minSize: "webServerCount",
    maxSize: "webServerMaxCount",
    warmStandbyCount: "webWarmStandbyCount",
    "scaling.requestsPerTarget": "webScalingRequestsPerTarget",
    "scaling.cpuPercent": "webScalingCpuPercent",
    instanceType: "webInstanceType",
    amiId: "webAmiId",
    rootVolumeSizeGiB: "webRootVolumeSizeGiB",
    appPort: "appPort",
} satisfies KeysOf<WebServersArgs, Nested<"scaling", WebServersScalingArgs>>;

export const LOAD_BALANCER_ARG_KEYS: ArgKeys = {
    targetPort: "appPort",
    algorithm: "lbAlgorithm",
    deletionProtection: "deletionProtection",
    "https.domain": "domain",
    "https.hostedZoneName": "hostedZone",
    "https.certificateArn": "certificateArn",
} satisfies KeysOf<LoadBalancerArgs, Nested<"https", LoadBalancerHttpsArgs>>;

export const DATABASE_ARG_KEYS: ArgKeys = {
    deployment: "dbDeployment",
    engineVersion: "dbEngineVersion",
    instanceClass: "dbInstanceClass",
    clusterInstanceClass: "dbClusterInstanceClass",
    storageType: "dbStorageType",
    iops: "dbIops",
    promotionComplete: "dbPromotionComplete",
    allocatedStorageGiB: "dbAllocatedStorageGiB",
    maxAllocatedStorageGiB: "dbMaxAllocatedStorageGiB",
    multiAz: "dbMultiAz",
    backupRetentionDays: "dbBackupRetentionDays",
    replicaCount: "dbReplicaCount",
    promoteReplica: "dbPromoteReplica",
    retireFormerPrimary: "dbRetireFormerPrimary",
    dbName: "dbName",
    username: "dbUsername",
    monitoringIntervalSeconds: "dbMonitoringIntervalSeconds",
    logRetentionDays: "dbLogRetentionDays",
    deletionProtection: "deletionProtection",
} satisfies KeysOf<DatabaseArgs>;

export const MONITORING_ARG_KEYS: ArgKeys = {
    alertEmail: "alertEmail",
    "healthCheck.domain": "domain",
    "database.allocatedStorageGiB": "dbAllocatedStorageGiB",
    "database.maxAllocatedStorageGiB": "dbMaxAllocatedStorageGiB",
    "thresholds.webCpuPercent": "alarmWebCpuPercent",
    "thresholds.webDiskPercent": "alarmWebDiskPercent",
    "thresholds.webMemoryPercent": "alarmWebMemoryPercent",
    "thresholds.p99LatencyMs": "alarmP99LatencyMs",
    "thresholds.http5xxPerMinute": "alarm5xxPerMinute",
    "thresholds.dbCpuPercent": "alarmDbCpuPercent",
    "thresholds.dbFreeStorageGiB": "alarmDbFreeStorageGiB",
    "thresholds.dbFreeableMemoryMiB": "alarmDbFreeableMemoryMiB",
    "thresholds.dbConnections": "alarmDbConnections",
    "thresholds.replicaLagSeconds": "alarmReplicaLagSeconds",
    "thresholds.wafBlockedPer5Min": "alarmWafBlockedPer5Min",
} satisfies KeysOf<MonitoringArgs, Nested<"thresholds", MonitoringThresholds> | Nested<"database", MonitoredDatabase> | Nested<"healthCheck", MonitoredHealthCheck>>;

export const WEB_ACL_ARG_KEYS: ArgKeys = { rateLimit: "wafRateLimit" } satisfies KeysOf<WebAclArgs>;

export const ACCESS_LOGS_ARG_KEYS: ArgKeys = { expirationDays: "accessLogRetentionDays" } satisfies KeysOf<AccessLogBucketArgs>;

/** `message` with every backticked argument that `keys` knows replaced by its stack key. */
export function inStackTerms(message: string, keys: ArgKeys): string {
    return message.replace(/`([A-Za-z0-9_.[\]]+)`/g, (whole, arg: string) => (Object.prototype.hasOwnProperty.call(keys, arg) ? `\`${keys[arg]}\`` : whole));
}

/** A component's own validation error: `<Component> <name>: <message>`, from one of ours only. */
const COMPONENT_ERROR = /^(Network|WebServers|LoadBalancer|StandbyFailover|Database|WebAcl|AccessLogBucket|Monitoring) (\S+): ([\s\S]*)$/;

/**
 * Build a component for the stack program. If the component refuses its arguments, the error becomes
 * a `ConfigError` in the stack's terms (`` `count` `` → `` `webServerCount` ``), still saying which
 * component refused. Other errors pass through unchanged.
 */
export function withStackKeys<T>(keys: ArgKeys, build: () => T): T {
    try {
        return build();
    } catch (err) {
        const match = err instanceof Error && !(err instanceof ConfigError) ? COMPONENT_ERROR.exec(err.message) : null;
        if (!match) throw err;
        const [, component, name, message] = match;
        throw new ConfigError([`${inStackTerms(message, keys)} (refused by ${component} ${name})`]);
    }
}
