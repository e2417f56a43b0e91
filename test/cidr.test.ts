import {
    MAX_VPC_PREFIX,
    MAX_ZONES,
    MIN_VPC_PREFIX,
    SUBNET_PREFIX_DELTA,
    cidrContains,
    cidrRange,
    cidrSubnet,
    cidrsOverlap,
    ipv6Subnet64,
    parseCidr,
    subnetLayout,
    vpcCidrProblem,
} from "../components/lib/cidr";

describe("parseCidr", () => {
    it.each([
        ["10.0.0.0/16", { prefix: 16, network: "10.0.0.0/16", hostBitsSet: false }],
        ["10.0.0.1/16", { prefix: 16, network: "10.0.0.0/16", hostBitsSet: true }],
        ["192.168.10.0/23", { prefix: 23, network: "192.168.10.0/23", hostBitsSet: false }],
        ["172.16.255.255/12", { prefix: 12, network: "172.16.0.0/12", hostBitsSet: true }],
    ])("%s parses", (cidr, expected) => {
        expect(parseCidr(cidr)).toMatchObject(expected);
    });

    it.each(["10.0.0.0", "10.0.0.0/33", "256.0.0.0/16", "10.0.0/16", "010.0.0.0/16", "a.b.c.d/8", " 10.0.0.0/16", "10.0.0.0/16 "])(
        "%j is rejected",
        (cidr) => {
            expect(parseCidr(cidr)).toBeUndefined();
        },
    );
});

describe("cidr arithmetic", () => {
    it.each([
        ["10.0.0.0/16", 18, 0, "10.0.0.0/18"],
        ["10.0.0.0/16", 18, 3, "10.0.192.0/18"],
        ["10.0.0.0/16", 21, 9, "10.0.72.0/21"],
        ["192.168.0.0/22", 27, 31, "192.168.3.224/27"],
    ])("cidrSubnet(%s, /%i, %i) = %s", (base, prefix, index, expected) => {
        expect(cidrSubnet(base, prefix, index)).toBe(expected);
    });

    it("cidrSubnet refuses an index outside the block", () => {
        expect(() => cidrSubnet("10.0.0.0/16", 18, 4)).toThrow("10.0.0.0/16 holds 4 /18 blocks; index 4 is out of range");
    });

    it("containment and overlap", () => {
        expect(cidrContains("10.0.0.0/16", "10.0.255.0/24")).toBe(true);
        expect(cidrContains("10.0.0.0/16", "10.1.0.0/24")).toBe(false);
        expect(cidrsOverlap("10.0.0.0/21", "10.0.7.0/24")).toBe(true);
        expect(cidrsOverlap("10.0.0.0/21", "10.0.8.0/21")).toBe(false);
        expect(cidrRange("10.0.0.0/30")).toEqual([167772160, 167772163]);
    });

    it.each([
        ["2600:1f18:4a3:6d00::/56", 0, "2600:1f18:4a3:6d00::/64"],
        ["2600:1f18:4a3:6d00::/56", 2, "2600:1f18:4a3:6d02::/64"],
        ["2600:1f18:4a3:6d00::/56", 255, "2600:1f18:4a3:6dff::/64"],
        // AWS prints zero groups compressed: about 1 VPC in 256 gets a /56 whose fourth group is 0.
        ["2600:1f18:4a3::/56", 0, "2600:1f18:4a3:0::/64"],
        ["2600:1f18:4a3::/56", 5, "2600:1f18:4a3:5::/64"],
        ["2600:1f18::/56", 1, "2600:1f18:0:1::/64"],
        ["2600:1F18:4A3:6D00::/56", 1, "2600:1f18:4a3:6d01::/64"],
    ])("ipv6Subnet64(%s, %i) = %s", (vpc, index, expected) => {
        expect(ipv6Subnet64(vpc, index)).toBe(expected);
    });

    it("ipv6Subnet64 rejects what is not an aligned /56", () => {
        expect(() => ipv6Subnet64("2600:1f18:4a3:6d01::/56", 0)).toThrow("is not aligned on a /56");
        expect(() => ipv6Subnet64("2600:1f18::/48", 0)).toThrow("expected an IPv6 /56");
        expect(() => ipv6Subnet64("2600:1f18:4a3:6d00::/56", 256)).toThrow("index 256 is out of range");
        expect(() => ipv6Subnet64("2600:1f18:4a3:6d00::1/56", 0)).toThrow("is not aligned on a /56");
        expect(() => ipv6Subnet64("2600::1f18::/56", 0)).toThrow("expected an IPv6 /56");
        expect(() => ipv6Subnet64("2600:1f18:4a3:6d00:0:0:0:0:0/56", 0)).toThrow("expected an IPv6 /56");
    });
});

describe("subnetLayout", () => {
    it("the default VPC gets /21s: private in the first quarter, public in the second, database in the third", () => {
        expect(subnetLayout("10.0.0.0/16", 2)).toEqual({
            private: ["10.0.0.0/21", "10.0.8.0/21"],
            public: ["10.0.64.0/21", "10.0.72.0/21"],
            database: ["10.0.128.0/21", "10.0.136.0/21"],
        });
    });

    it.each([
        ["10.0.0.1/16", 2, '`cidrBlock` must be a network address with no host bits set (got "10.0.0.1/16"; did you mean 10.0.0.0/16?)'],
        ["10.0.0.0/15", 2, '`cidrBlock` must have a prefix from /16 to /22 (got "10.0.0.0/15")'],
        ["10.0.0.0/23", 2, '`cidrBlock` must have a prefix from /16 to /22 (got "10.0.0.0/23")'],
        ["169.254.0.0/16", 2, '`cidrBlock` must not overlap 169.254.0.0/16 (link-local (instance metadata, Amazon DNS)) (got "169.254.0.0/16")'],
        ["10.0.0.0/16", 9, "zone count must be a whole number from 1 to 8 (got 9)"],
        ["10.0.0.0/16", 0, "zone count must be a whole number from 1 to 8 (got 0)"],
    ])("rejects %s with %i zones", (cidr, zones, message) => {
        expect(() => subnetLayout(cidr, zones)).toThrow(message);
    });

    // Property test over every accepted prefix and zone count, with random VPC bases (seeded, so a failure
    // reproduces): subnets never overlap, all lie inside the VPC, each is 1/32 of it. Violations are
    // collected and compared once: ~130,000 separate `expect` calls cost ~3 s of CPU per run.
    it("for all VPCs and zone counts: disjoint, inside the VPC, each 1/32 of it, 4th quarter free", () => {
        let seed = 42;
        const random = () => {
            seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
            return seed;
        };
        const violations: string[] = [];
        const check = (ok: boolean, what: string) => {
            if (!ok) violations.push(what);
        };
        let cases = 0;
        for (let prefix = MIN_VPC_PREFIX; prefix <= MAX_VPC_PREFIX; prefix++) {
            for (let zones = 1; zones <= MAX_ZONES; zones++) {
                for (let k = 0; k < 8; k++) {
                    const size = 2 ** (32 - prefix);
                    let vpc: string;
                    // Only VPCs the layout accepts: draw again inside a reserved range (loopback, multicast, …).
                    do {
                        const base = (random() % 2 ** 32) - ((random() % 2 ** 32) % size);
                        const start = base - (base % size);
                        vpc = `${[24, 16, 8, 0].map((s) => Math.floor(start / 2 ** s) % 256).join(".")}/${prefix}`;
                    } while (vpcCidrProblem(vpc, "cidrBlock") !== undefined);
                    const layout = subnetLayout(vpc, zones);
                    const all = [...layout.private, ...layout.public, ...layout.database];
                    check(all.length === 3 * zones, `${vpc} with ${zones} zones: ${all.length} subnets, expected ${3 * zones}`);
                    for (const [i, a] of all.entries()) {
                        check(cidrContains(vpc, a), `${vpc}: ${a} is outside the VPC`);
                        check(parseCidr(a)?.prefix === prefix + SUBNET_PREFIX_DELTA, `${vpc}: ${a} is not a /${prefix + SUBNET_PREFIX_DELTA}`);
                        for (const b of all.slice(i + 1)) check(!cidrsOverlap(a, b), `${vpc} with ${zones} zones: ${a} overlaps ${b}`);
                    }
                    const spare = cidrSubnet(vpc, prefix + 2, 3);
                    for (const a of all) check(!cidrsOverlap(a, spare), `${vpc}: ${a} overlaps the spare quarter ${spare}`);
                    cases++;
                }
            }
        }
        expect(violations).toEqual([]);
        expect(cases).toBe(7 * 8 * 8);
    });
});
