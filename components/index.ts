/**
 * web-infra's public API: the components and their arguments, for `import { Network } from "web-infra"`.
 */
export { Network, NAT_STRATEGIES, ZONE_QUERY } from "./network";
export type { NetworkArgs, NatStrategy } from "./network";
export * as cidr from "./lib/cidr";
export * as naming from "./lib/naming";
export { WebAcl, REDACTED_HEADERS } from "./waf";
export type { WebAclArgs } from "./waf";
export { AccessLogBucket } from "./accessLogs";
export type { AccessLogBucketArgs } from "./accessLogs";
export * as wafRules from "./lib/wafRules";
export * as elbLogDelivery from "./lib/elbLogDelivery";
export { Monitoring, ROUTE53_METRICS_REGION } from "./monitoring";
export type { MonitoringArgs, MonitoringThresholds, MonitoredLoadBalancer, MonitoredWebServer, MonitoredDatabase, MonitoredWaf, MonitoredHealthCheck } from "./monitoring";
export * as alarms from "./lib/alarms";
export * as dashboard from "./lib/dashboard";
