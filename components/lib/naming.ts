/**
 * Naming and small derivations shared by the components. Pure: no Pulumi, no AWS.
 */

/**
 * The Route 53 zone that most likely holds `domain`: the domain itself when it is an apex
 * (`example.com`), else its parent (`www.example.com` → `example.com`). Deeper names in a shared
 * zone (`a.b.example.com` in `example.com`) need the `hostedZone` setting.
 */
export function defaultHostedZone(domain: string): string {
    const labels = domain.replace(/\.$/, "").split(".");
    return labels.length <= 2 ? labels.join(".") : labels.slice(1).join(".");
}

/**
 * An EC2 instance type: family (letters, digits, hyphens: `t4g`, `c7i-flex`, `u7in-32tb`), a dot, a
 * size; 32 characters at most (the longest type EC2 offers today has 19).
 */
export const INSTANCE_TYPE_PATTERN = /^(?=.{3,32}$)[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/** An AMI id: `ami-` and 8 (older) or 17 lower-case hex digits. */
export const AMI_ID_PATTERN = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;

/**
 * CPU architecture of an EC2 instance type, to pick the matching AMI. Graviton families carry a `g`
 * right after the generation digit (t4g, m7g, c7gn, r8gd, x2gd, im4gn…), plus the first-generation
 * `a1`; everything else we use is x86_64.
 */
export function architectureOf(instanceType: string): "arm64" | "x86_64" {
    const family = instanceType.split(".")[0];
    return family === "a1" || /^[a-z]+\d+g[a-z]*$/.test(family) ? "arm64" : "x86_64";
}

/** Truncate to an AWS name limit, keeping names unique with a stable suffix when cut. */
export function limitName(name: string, max: number): string {
    if (name.length <= max) return name;
    let hash = 0;
    for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    const suffix = hash.toString(36).padStart(6, "0").slice(-6);
    return `${name.slice(0, max - suffix.length - 1)}-${suffix}`;
}

/**
 * What is wrong with `zone` as the Route 53 hosted zone of `domain`, or `undefined`: a zone serves only
 * to validate and publish the domain, and it must be the domain itself or one of its parents, or ACM's
 * validation record and the alias could not be written there. The one home of the rule
 * (`LoadBalancer.https.hostedZoneName`, the stack's `hostedZone`); messages name the LoadBalancer's
 * arguments. No zone is fine: the default (`defaultHostedZone`) always holds the domain.
 */
export function hostedZoneProblem(domain: string | undefined, zone: string | undefined): string | undefined {
    if (zone === undefined) return undefined;
    const z = zone.replace(/\.$/, "");
    if (domain === undefined) {
        return `\`https.hostedZoneName\` is set (${JSON.stringify(z)}) but \`https.domain\` is not: the zone only serves to validate and publish the domain`;
    }
    return domain === z || domain.endsWith(`.${z}`)
        ? undefined
        : `\`https.hostedZoneName\` must be \`https.domain\` or one of its parents (got ${JSON.stringify(z)} for ${JSON.stringify(domain)})`;
}
