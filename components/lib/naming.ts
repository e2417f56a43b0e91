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
