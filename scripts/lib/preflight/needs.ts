/**
 * What the stack creates that counts against a regional quota, from its config (a test checks these
 * counts against the resources the real program declares under the mocks, for every stack file).
 */
import type { StackConfig } from "../../../infra/config";

export interface StackNeeds {
    readonly vpcs: number;
    readonly internetGateways: number;
    /** One Elastic IP per NAT gateway. */
    readonly elasticIps: number;
    /** NAT gateways in each zone the stack uses. */
    readonly natGatewaysPerZone: number;
    readonly applicationLoadBalancers: number;
    /**
     * Web servers (On-Demand) at the most: the group's maximum (active-active; target tracking may reach
     * it) or every running server (active-passive: the active one and its standbys).
     */
    readonly instances: number;
}

export function stackNeeds(cfg: StackConfig): StackNeeds {
    const nat = { none: 0, single: 1, perAz: cfg.network.availabilityZoneCount }[cfg.network.natStrategy];
    return {
        vpcs: 1,
        internetGateways: 1,
        elasticIps: nat,
        natGatewaysPerZone: nat > 0 ? 1 : 0,
        applicationLoadBalancers: 1,
        instances: cfg.web.maxCount,
    };
}
