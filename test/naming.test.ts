import { architectureOf, defaultHostedZone, limitName } from "../components/lib/naming";

describe("defaultHostedZone", () => {
    it.each([
        ["example.com", "example.com"],
        ["www.example.com", "example.com"],
        ["shop.eu.example.co.uk", "eu.example.co.uk"],
        ["www.example.com.", "example.com"],
    ])("%s lives in %s", (domain, zone) => {
        expect(defaultHostedZone(domain)).toBe(zone);
    });
});

describe("architectureOf", () => {
    it.each([
        ["t4g.micro", "arm64"],
        ["m7g.large", "arm64"],
        ["c7gn.xlarge", "arm64"],
        ["r8gd.2xlarge", "arm64"],
        ["im4gn.large", "arm64"],
        ["is4gen.medium", "arm64"],
        ["a1.large", "arm64"],
        ["t3.micro", "x86_64"],
        ["m7i.large", "x86_64"],
        ["g4dn.xlarge", "x86_64"],
        ["c6a.large", "x86_64"],
    ])("%s is %s", (type, arch) => {
        expect(architectureOf(type)).toBe(arch);
    });
});

describe("limitName", () => {
    it("keeps short names", () => {
        expect(limitName("web-infra-dev", 32)).toBe("web-infra-dev");
    });
    it("cuts long names to the limit, distinct for distinct inputs", () => {
        const a = limitName("web-infra-production-load-balancer-a", 32);
        const b = limitName("web-infra-production-load-balancer-b", 32);
        expect(a.length).toBeLessThanOrEqual(32);
        expect(b.length).toBeLessThanOrEqual(32);
        expect(a).not.toBe(b);
    });
});
