/**
 * web-infra's public API, for `import { Network } from "web-infra"`: the components, the arguments
 * they take and the types of what they give back. Nothing else: the pure helpers under `lib/`
 * (CIDR math, user data, alarm and WAF rule builders, RDS rules…) are how the components are built,
 * not a contract, and may change in any release (as CDK keeps its helpers in `lib/private/`).
 *
 * Also exported: `ZONE_QUERY`, the availability-zone query the Network uses, so a program looks up the
 * same zones in the same order for every component.
 */
export { Network, ZONE_QUERY } from "./network";
export type { NetworkArgs, NatStrategy } from "./network";
export { WebServers } from "./webServer";
export type { WebServersArgs, WebServersDatabaseArgs, WebServersScalingArgs, WebServersLoadBalancerMetrics, WebServersMode, CpuCredits } from "./webServer";

export { LoadBalancer } from "./loadBalancer";
export type { LoadBalancerArgs, LoadBalancerHttpsArgs, LoadBalancerAccessLogsArgs, LbAlgorithm } from "./loadBalancer";

export { Database } from "./database";
export type { DatabaseArgs, DatabaseConnectionInfo, DatabaseEndpoints, DatabaseMonitoringTargets, DbDeployment, ClusterStorageType } from "./database";

export { WebAcl } from "./waf";
export type { WebAclArgs } from "./waf";
export type { WafMode } from "./lib/wafRules";

export { AccessLogBucket } from "./accessLogs";
export type { AccessLogBucketArgs } from "./accessLogs";

export { Monitoring } from "./monitoring";
export type {
    MonitoringArgs,
    MonitoringThresholds,
    MonitoredLoadBalancer,
    MonitoredWebFleet,
    MonitoredDatabase,
    MonitoredWaf,
    MonitoredHealthCheck,
} from "./monitoring";
