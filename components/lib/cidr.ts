/**
 * IPv4 CIDR arithmetic and the subnet layout of the Network component. Pure: no Pulumi, no AWS.
 *
 * Layout (documented in docs/network.md and property-tested): the VPC is cut into four equal quarters;
 * quarter 0 holds the private (app) subnets, quarter 1 the public subnets, quarter 2 the database
 * subnets, and quarter 3 is left free for a future tier. Each quarter holds up to 8 zone subnets, so
 * every subnet is 1/32 of the VPC: a /21 (2,043 usable addresses, AWS reserves 5) in a /16, a /27
 * (27 usable) in a /22, which is the smallest VPC we accept.
 */

export interface ParsedCidr {
    /** The address as an unsigned 32-bit integer. */
    readonly address: number;
    readonly prefix: number;
    /** The block with host bits cleared, e.g. `10.0.0.0/16` for `10.0.0.1/16`. */
    readonly network: string;
    /** True when the address has bits set below the prefix (not a network address). */
    readonly hostBitsSet: boolean;
}

/** Parse `a.b.c.d/n`; undefined when it is not a well-formed IPv4 CIDR. */
export function parseCidr(cidr: string): ParsedCidr | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    // Leading zeros ("010") are ambiguous (octal in some parsers): reject them.
    if (m.slice(1, 5).some((o) => o.length > 1 && o.startsWith("0"))) return undefined;
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    const networkAddress = address - (address % blockSize(prefix));
    return { address, prefix, network: formatCidr(networkAddress, prefix), hostBitsSet: networkAddress !== address };
}

/** Number of addresses in a block of this prefix length. */
export function blockSize(prefix: number): number {
    return 2 ** (32 - prefix);
}

export function formatCidr(address: number, prefix: number): string {
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256);
    return `${octets.join(".")}/${prefix}`;
}

/** [first, last] address of a block, as integers. */
export function cidrRange(cidr: string): [number, number] {
    const p = parseCidr(cidr);
    if (!p) throw new Error(`not an IPv4 CIDR: ${JSON.stringify(cidr)}`);
    const first = p.address - (p.address % blockSize(p.prefix));
    return [first, first + blockSize(p.prefix) - 1];
}

export function cidrContains(outer: string, inner: string): boolean {
    const [o1, o2] = cidrRange(outer);
    const [i1, i2] = cidrRange(inner);
    return o1 <= i1 && i2 <= o2;
}

export function cidrsOverlap(a: string, b: string): boolean {
    const [a1, a2] = cidrRange(a);
    const [b1, b2] = cidrRange(b);
    return a1 <= b2 && b1 <= a2;
}

/** The nth block of `newPrefix` inside `base` (like Terraform's `cidrsubnet`). */
export function cidrSubnet(base: string, newPrefix: number, index: number): string {
    const p = parseCidr(base);
    if (!p) throw new Error(`not an IPv4 CIDR: ${JSON.stringify(base)}`);
    if (newPrefix < p.prefix || newPrefix > 32) throw new Error(`cannot cut /${newPrefix} blocks out of ${base}`);
    const count = 2 ** (newPrefix - p.prefix);
    if (!Number.isInteger(index) || index < 0 || index >= count) {
        throw new Error(`${base} holds ${count} /${newPrefix} blocks; index ${index} is out of range`);
    }
    const start = p.address - (p.address % blockSize(p.prefix));
    return formatCidr(start + index * blockSize(newPrefix), newPrefix);
}

/** The three subnet tiers, in the order of the VPC quarters they occupy. */
export const SUBNET_TIERS = ["private", "public", "database"] as const;
export type SubnetTier = (typeof SUBNET_TIERS)[number];

/** Zones one layout can hold: each quarter of the VPC fits 8 zone subnets. */
export const MAX_ZONES = 8;
/** Bits the layout adds to the VPC prefix: 2 for the quarter, 3 for the zone. */
export const SUBNET_PREFIX_DELTA = 5;
/** Smallest and largest VPC the layout accepts (a /22 gives /27 subnets, AWS allows /16 at most). */
export const MIN_VPC_PREFIX = 16;
export const MAX_VPC_PREFIX = 22;

export type SubnetLayout = Readonly<Record<SubnetTier, readonly string[]>>;

/**
 * IPv4 ranges a VPC can't usefully (or, for AWS, at all) take: "this network", loopback, link-local
 * (the instance metadata service and the Amazon DNS resolver answer at 169.254.169.x), multicast and
 * the reserved class E (RFC 6890 special-purpose registry; VPC User Guide, "VPC CIDR blocks").
 */
export const RESERVED_VPC_RANGES: readonly { readonly cidr: string; readonly what: string }[] = [
    { cidr: "0.0.0.0/8", what: "“this network”" },
    { cidr: "127.0.0.0/8", what: "loopback" },
    { cidr: "169.254.0.0/16", what: "link-local (instance metadata, Amazon DNS)" },
    { cidr: "224.0.0.0/4", what: "multicast" },
    { cidr: "240.0.0.0/4", what: "reserved" },
];

/**
 * What is wrong with `cidr` as the VPC's block, or `undefined`. The one home of the rule: the Network
 * component (through `subnetLayout`) and the stack's `vpcCidr` setting both call it; `arg` names it.
 */
export function vpcCidrProblem(cidr: string, arg: string): string | undefined {
    const p = parseCidr(cidr);
    const got = JSON.stringify(cidr);
    if (p === undefined) return `\`${arg}\` must be an IPv4 CIDR block such as 10.0.0.0/16 (got ${got})`;
    if (p.prefix < MIN_VPC_PREFIX || p.prefix > MAX_VPC_PREFIX) {
        return `\`${arg}\` must have a prefix from /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX} (got ${got}): AWS allows /${MIN_VPC_PREFIX} at most, and below /${MAX_VPC_PREFIX} the database subnets would be smaller than /27`;
    }
    if (p.hostBitsSet) return `\`${arg}\` must be a network address with no host bits set (got ${got}; did you mean ${p.network}?)`;
    const reserved = RESERVED_VPC_RANGES.find((r) => cidrsOverlap(r.cidr, p.network));
    if (reserved) return `\`${arg}\` must not overlap ${reserved.cidr} (${reserved.what}) (got ${got}): use a private range such as 10.0.0.0/16`;
    return undefined;
}

/**
 * CIDRs of the public, private and database subnet of each zone (index i = zone i).
 * Throws on a VPC CIDR or zone count the layout cannot hold.
 */
export function subnetLayout(vpcCidr: string, zoneCount: number): SubnetLayout {
    const problem = vpcCidrProblem(vpcCidr, "cidrBlock");
    if (problem !== undefined) throw new Error(problem);
    const p = parseCidr(vpcCidr)!;
    if (!Number.isInteger(zoneCount) || zoneCount < 1 || zoneCount > MAX_ZONES) {
        throw new Error(`zone count must be a whole number from 1 to ${MAX_ZONES} (got ${zoneCount})`);
    }
    const quarterPrefix = p.prefix + 2;
    const subnetPrefix = p.prefix + SUBNET_PREFIX_DELTA;
    const tier = (quarter: number) =>
        Array.from({ length: zoneCount }, (_, zone) => cidrSubnet(cidrSubnet(vpcCidr, quarterPrefix, quarter), subnetPrefix, zone));
    return { private: tier(0), public: tier(1), database: tier(2) };
}

/** The eight 16-bit groups of an IPv6 address, `::` expanded; undefined when malformed. */
export function ipv6Groups(address: string): number[] | undefined {
    if (!/^[0-9a-f:]+$/i.test(address) || (address.match(/::/g) ?? []).length > 1) return undefined;
    const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
    const parse = (part: string) => (part === "" ? [] : part.split(":"));
    const left = parse(head);
    const right = tail === undefined ? [] : parse(tail);
    const missing = 8 - left.length - right.length;
    if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
    const groups = [...left, ...Array(tail === undefined ? 0 : missing).fill("0"), ...right];
    if (groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
    return groups.map((g) => parseInt(g, 16));
}

/**
 * The `index`th /64 of an Amazon-provided IPv6 /56 (AWS gives every VPC exactly a /56 and every
 * subnet exactly a /64, so only the last byte of the fourth group changes). Accepts the compressed
 * forms AWS prints when groups are zero, e.g. `2600:1f18:4a3::/56` or `2600:1f18::/56`.
 */
export function ipv6Subnet64(vpcIpv6Cidr: string, index: number): string {
    const m = /^([0-9a-f:]+)\/56$/i.exec(vpcIpv6Cidr);
    const groups = m ? ipv6Groups(m[1]) : undefined;
    if (!groups) throw new Error(`expected an IPv6 /56 such as 2600:1f18:4a3:6d00::/56 (got ${JSON.stringify(vpcIpv6Cidr)})`);
    if (!Number.isInteger(index) || index < 0 || index > 255) throw new Error(`a /56 holds 256 /64 subnets; index ${index} is out of range`);
    if (groups[3] % 256 !== 0 || groups.slice(4).some((g) => g !== 0)) throw new Error(`${vpcIpv6Cidr} is not aligned on a /56`);
    const prefix = [...groups.slice(0, 3), groups[3] + index].map((g) => g.toString(16));
    return `${prefix.join(":")}::/64`;
}
