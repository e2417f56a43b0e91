/**
 * web-infra's public API: the components and their arguments, for `import { Network } from "web-infra"`.
 */
export { Network, NAT_STRATEGIES, ZONE_QUERY } from "./network";
export type { NetworkArgs, NatStrategy } from "./network";
export { WebServers, WEB_SERVER_MANAGED_POLICIES, HEALTH_CHECK_GRACE_SECONDS, BOOT_TO_HEALTHY_STEPS } from "./webServer";
export type { WebServersArgs, WebServersDatabaseArgs, WebServersScalingArgs, WebServersLoadBalancerMetrics, WebServersMode, CpuCredits } from "./webServer";
export { LoadBalancer, LB_ALGORITHMS, DEFAULT_SSL_POLICY, HSTS_HEADER, HEALTH_CHECK } from "./loadBalancer";
export type { LoadBalancerArgs, LoadBalancerHttpsArgs, LoadBalancerAccessLogsArgs, LbAlgorithm } from "./loadBalancer";
export { Database } from "./database";
export type { DatabaseArgs, DatabaseConnectionInfo, DatabaseEndpoints, DatabaseMonitoringTargets, DbDeployment, ClusterStorageType } from "./database";
export * as userData from "./lib/userData";
export * as cidr from "./lib/cidr";
export * as zones from "./lib/zones";
export * as naming from "./lib/naming";
export * as rds from "./lib/rds";
export { WebAcl, REDACTED_HEADERS } from "./waf";
export type { WebAclArgs } from "./waf";
export type { WafMode } from "./lib/wafRules";
export { AccessLogBucket } from "./accessLogs";
export type { AccessLogBucketArgs } from "./accessLogs";
export * as wafRules from "./lib/wafRules";
export * as elbLogDelivery from "./lib/elbLogDelivery";
export { Monitoring, ROUTE53_METRICS_REGION, FLEET_EVENT_DETAIL_TYPES } from "./monitoring";
export type { MonitoringArgs, MonitoringThresholds, MonitoredLoadBalancer, MonitoredWebFleet, MonitoredDatabase, MonitoredWaf, MonitoredHealthCheck } from "./monitoring";
export * as alarms from "./lib/alarms";
export * as dashboard from "./lib/dashboard";
