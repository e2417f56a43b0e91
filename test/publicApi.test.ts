/**
 * The package's public API (components/index.ts): the components, and ZONE_QUERY; no helper
 * namespaces. Types are checked by `tsc` (examples/ and scripts/check-package.sh compile against it).
 */
import * as pulumi from "@pulumi/pulumi";

describe("web-infra's public API", () => {
    it("exports the components and ZONE_QUERY, nothing else at run time", async () => {
        const api: Record<string, unknown> = await import("web-infra");
        expect(Object.keys(api).sort()).toEqual(["AccessLogBucket", "Database", "LoadBalancer", "Monitoring", "Network", "WebAcl", "WebServers", "ZONE_QUERY"]);
        for (const [name, value] of Object.entries(api)) {
            if (name === "ZONE_QUERY") continue;
            expect([name, typeof value === "function" && (value as { prototype: unknown }).prototype instanceof pulumi.ComponentResource]).toEqual([name, true]);
        }
    });
});
