/**
 * Which availability zones can run the stack. Pure: the stack program looks the offerings up
 * (`aws.ec2.getInstanceTypeOfferings`, `aws.rds.getOrderableDbInstance`) and passes them in.
 *
 * Zone NAMES (eu-west-1a) are shuffled per account: the same name is a different physical zone (zone
 * ID, euw1-az1) in another account, and an instance type or DB class offered in one account's "1a"
 * may be missing from another's. So offerings are checked by name in the stack's own account, every
 * time, never hard-coded; the zone IDs are reported alongside so two accounts can compare.
 * https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html
 */

/** One thing every chosen zone must offer, e.g. the web instance type. */
export interface ZoneRequirement {
    /** The setting that chose it, named in errors, e.g. `webInstanceType`. */
    readonly setting: string;
    /** Its value, e.g. `t4g.micro`. */
    readonly value: string;
    /** Zone names that offer it (from the offerings look-up). */
    readonly zones: readonly string[];
}

export interface ZoneChoice {
    /** The first `count` usable zones, in the region's order. */
    readonly names: string[];
    /** Their zone IDs, same order. */
    readonly zoneIds: string[];
    /** Zones of the region left out, each with the settings it does not offer. */
    readonly skipped: { readonly name: string; readonly missing: string[] }[];
}

/**
 * Keep the region's zones that offer every requirement and take the first `count`. Throws an Error
 * naming `availabilityZoneCount`, every requirement and what each zone lacks when fewer are usable.
 *
 * @param region zone names and ids of the region, same order (getAvailabilityZones)
 */
export function chooseZones(region: { readonly names: readonly string[]; readonly zoneIds: readonly string[] }, count: number, requirements: readonly ZoneRequirement[]): ZoneChoice {
    const usable: { name: string; zoneId: string }[] = [];
    const skipped: { name: string; missing: string[] }[] = [];
    region.names.forEach((name, i) => {
        const missing = requirements.filter((r) => !r.zones.includes(name)).map((r) => `\`${r.setting}\` ${r.value}`);
        if (missing.length === 0) usable.push({ name, zoneId: region.zoneIds[i] ?? "?" });
        else skipped.push({ name, missing });
    });
    if (usable.length < count) {
        const wanted = requirements.map((r) => `\`${r.setting}\` ${r.value}`).join(" and ");
        const why = skipped.map((s) => `${s.name} lacks ${s.missing.join(", ")}`).join("; ");
        throw new Error(
            `\`availabilityZoneCount\` is ${count}, but only ${usable.length === 1 ? "1 zone" : `${usable.length} zones`} of the region offer ${wanted}` +
                `${usable.length > 0 ? ` (${usable.map((u) => u.name).join(", ")})` : ""}${why ? `: ${why}` : ""}. ` +
                `Lower \`availabilityZoneCount\` to at most ${usable.length}, or choose a ${requirements.map((r) => `\`${r.setting}\``).join(" / ")} offered in more zones.`,
        );
    }
    const chosen = usable.slice(0, count);
    return { names: chosen.map((c) => c.name), zoneIds: chosen.map((c) => c.zoneId), skipped };
}
