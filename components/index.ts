/**
 * web-infra's public API: the components and their arguments, for `import { Network } from "web-infra"`.
 */
export { Network, NAT_STRATEGIES, ZONE_QUERY } from "./network";
export type { NetworkArgs, NatStrategy } from "./network";
export * as cidr from "./lib/cidr";
export * as naming from "./lib/naming";
