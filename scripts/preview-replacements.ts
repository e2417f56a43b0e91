/**
 * The deploy gate against taking every web server down at once:
 *
 *   pulumi preview --stack dev --json > preview.json
 *   node -r ./scripts/register.js scripts/preview-replacements.ts preview.json
 *
 * Exit status 1, naming the resources, when the preview plans either of two things to any
 * `aws:ec2/instance:Instance`:
 *
 * - a **replacement** (a new Amazon Linux release, a user-data change): `pulumi up` replaces all
 *   servers in parallel, and a new server needs a minute or two before the load balancer sends it
 *   traffic;
 * - an in-place **update that stops and starts it**: an instance type change (the provider: "Updates to
 *   this field will trigger a stop/start of the EC2 instance"; also `userData`/`userDataBase64` without
 *   `userDataReplaceOnChange`). Same id, same volume, but `pulumi up` updates all servers in parallel, so
 *   every one of them is stopped at the same time.
 *
 * Either way the target group could be left with no healthy server. Such a change is rolled one server
 * at a time (docs/runbooks/web-rolling-deploy.md), after which the preview has
 * nothing of the kind left and the deployment goes through. 0 otherwise; 2 when the file is not a
 * preview.
 */
import * as fs from "fs";

export const INSTANCE_TYPE = "aws:ec2/instance:Instance";
export const RUNBOOK = "docs/runbooks/web-rolling-deploy.md";

/**
 * Step operations of `pulumi preview --json` that replace a resource: `replace` (the display step),
 * and the two halves a create-before-delete replacement is made of.
 */
export const REPLACE_OPS: ReadonlySet<string> = new Set(["replace", "create-replacement", "delete-replaced"]);

/**
 * Properties of an `aws:ec2/instance:Instance` whose in-place update stops and starts the instance, per
 * the provider's documentation (node_modules/@pulumi/aws/ec2/instance.d.ts). The user-data ones are
 * replacements in this stack (`userDataReplaceOnChange`), which the gate refuses anyway; they are here so
 * that the gate does not depend on that flag.
 */
export const STOP_START_PROPERTIES: ReadonlySet<string> = new Set(["instanceType", "userData", "userDataBase64"]);

/**
 * One step of `pulumi preview --json` (Pulumi's `display.PreviewStep`), the fields the gate reads:
 * `diffReasons` lists the top-level properties that differ (omitted when empty); `detailedDiff` maps
 * property paths (`instanceType`, `tags.Name`, `ebsBlockDevices[0].volumeSize`) to `{kind, inputDiff}`
 * and is `null` when the provider returned no detailed diff. Either may be missing, so both are read.
 */
export interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly diffReasons?: readonly string[] | null;
    readonly detailedDiff?: Readonly<Record<string, unknown>> | null;
}

/** An in-place update of a resource that stops and starts it, and the properties that cause it. */
export interface StopStart {
    readonly urn: string;
    readonly properties: readonly string[];
}

/** The resource type of a URN: `urn:pulumi:<stack>::<project>::<parent types$>type::<name>`. */
export function typeOfUrn(urn: string): string | undefined {
    const qualified = urn.split("::")[2];
    return qualified?.split("$").pop();
}

/** The top-level property of a detailed-diff path: `rootBlockDevice.volumeSize` → `rootBlockDevice`. */
export function topLevelProperty(path: string): string {
    return /^[^.[]*/.exec(path)![0];
}

/** The steps of a `pulumi preview --json` document that have an `op` and a `urn`. */
export function stepsOf(preview: unknown): PreviewStep[] {
    if (typeof preview !== "object" || preview === null || Array.isArray(preview)) throw new Error("not a `pulumi preview --json` document: not a JSON object");
    // `steps` is omitted (omitempty) when a preview has none at all.
    const steps = (preview as { steps?: unknown }).steps ?? [];
    if (!Array.isArray(steps)) throw new Error("not a `pulumi preview --json` document: `steps` is not an array");
    return steps.filter((s): s is PreviewStep => typeof s?.op === "string" && typeof s?.urn === "string");
}

/** The top-level properties a step changes: its `diffReasons` and the heads of its `detailedDiff` paths. */
export function changedProperties(step: PreviewStep): string[] {
    const reasons = Array.isArray(step.diffReasons) ? step.diffReasons.filter((k): k is string => typeof k === "string") : [];
    const detailed = step.detailedDiff && typeof step.detailedDiff === "object" ? Object.keys(step.detailedDiff).map(topLevelProperty) : [];
    return [...new Set([...reasons, ...detailed])].filter((k) => k !== "");
}

/** The URNs of resources of `type` that a `pulumi preview --json` document plans to replace, each once. */
export function replacedResources(preview: unknown, type: string = INSTANCE_TYPE): string[] {
    const urns = stepsOf(preview)
        .filter((s) => REPLACE_OPS.has(s.op) && typeOfUrn(s.urn) === type)
        .map((s) => s.urn);
    return [...new Set(urns)];
}

/**
 * The resources of `type` that a `pulumi preview --json` document updates in place in a way that stops
 * and starts them (an `update` step changing one of `properties`), each once, with those properties.
 */
export function stopStartedResources(preview: unknown, type: string = INSTANCE_TYPE, properties: ReadonlySet<string> = STOP_START_PROPERTIES): StopStart[] {
    const byUrn = new Map<string, Set<string>>();
    for (const s of stepsOf(preview)) {
        if (s.op !== "update" || typeOfUrn(s.urn) !== type) continue;
        const hits = changedProperties(s).filter((p) => properties.has(p));
        if (hits.length === 0) continue;
        const seen = byUrn.get(s.urn) ?? new Set<string>();
        hits.forEach((p) => seen.add(p));
        byUrn.set(s.urn, seen);
    }
    return [...byUrn].map(([urn, props]) => ({ urn, properties: [...props].sort() }));
}

const nameOfUrn = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** The one-paragraph refusal for these replaced URNs (empty: nothing to refuse). */
export function refusal(urns: readonly string[]): string {
    if (urns.length === 0) return "";
    return (
        `the preview replaces ${urns.length} EC2 instance(s) (${urns.map(nameOfUrn).join(", ")}); \`pulumi up\` would replace them all at once, ` +
        `and the load balancer could be left without a healthy server while the new ones boot. Roll them one at a time (${RUNBOOK}), then re-run this deployment.`
    );
}

/** The one-paragraph refusal for these stop/start updates (empty: nothing to refuse). */
export function stopStartRefusal(changes: readonly StopStart[]): string {
    if (changes.length === 0) return "";
    const properties = [...new Set(changes.flatMap((c) => c.properties))].sort();
    return (
        `the preview updates ${changes.length} EC2 instance(s) in place (${changes.map((c) => nameOfUrn(c.urn)).join(", ")}) by changing ` +
        `${properties.map((p) => `\`${p}\``).join(", ")}, which stops and starts each of them; \`pulumi up\` would stop them all at once, ` +
        `and the load balancer could be left without a healthy server until they are running again. Roll them one at a time (${RUNBOOK}), then re-run this deployment.`
    );
}

function cli(argv: readonly string[]): number {
    const file = argv[0];
    if (!file || argv.length > 1) {
        console.error("usage: node -r ./scripts/register.js scripts/preview-replacements.ts <preview.json | ->");
        return 2;
    }
    let refusals: string[];
    try {
        const preview: unknown = JSON.parse(fs.readFileSync(file === "-" ? 0 : file, "utf8"));
        refusals = [refusal(replacedResources(preview)), stopStartRefusal(stopStartedResources(preview))].filter((r) => r !== "");
    } catch (e) {
        console.error(`preview-replacements: ${(e as Error).message}`);
        return 2;
    }
    if (refusals.length === 0) {
        console.log("preview-replacements: no EC2 instance is replaced, or stopped and started.");
        return 0;
    }
    // `::error::` makes GitHub Actions show the line as an annotation on the run.
    for (const r of refusals) console.error(`${process.env.GITHUB_ACTIONS === "true" ? "::error::" : ""}preview-replacements: ${r}`);
    return 1;
}

if (require.main === module) process.exit(cli(process.argv.slice(2)));
