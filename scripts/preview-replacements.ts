/**
 * The deploy gate against replacing what holds data:
 *
 *   pulumi preview --stack dev --json > preview.json
 *   node -r ./scripts/register.js scripts/preview-replacements.ts preview.json
 *
 * Exit status 1, naming the resources, when the preview plans a **replacement** of a data-bearing
 * resource (`DATA_BEARING_TYPES`: a DB instance or cluster, the DB credentials secret, an S3 bucket).
 * A replacement creates an empty resource and deletes the old one with what it holds; it is never
 * what an ordinary deployment should do. Such a change is made by hand, following its runbook (a
 * replica is re-created with docs/runbooks/db-recreate-replica.md, run by a person, not by CI).
 * 0 otherwise; 2 when the file is not a preview.
 *
 * What the gate no longer refuses: changes to the web servers. They used to be `aws:ec2/instance`
 * resources that `pulumi up` replaced, or stopped and started, all at once; they are now an Auto
 * Scaling group, and a new AMI, user data or instance type is a new launch template version that the
 * group rolls out by instance refresh (launch before terminate, min healthy 100 %, stopped by the
 * fleet's gate alarms): docs/runbooks/web-rolling-deploy.md. A replacement of the group itself is
 * create-before-delete, and the new group is created with `minElbCapacity`: the provider waits until its
 * servers pass the load balancer's health check before the old group is deleted.
 */
import * as fs from "fs";

/** Resource types whose replacement loses data. */
export const DATA_BEARING_TYPES: ReadonlySet<string> = new Set([
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:secretsmanager/secret:Secret",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
]);

/**
 * Step operations of `pulumi preview --json` that replace a resource: `replace` (the display step),
 * and the two halves a create-before-delete replacement is made of.
 */
export const REPLACE_OPS: ReadonlySet<string> = new Set(["replace", "create-replacement", "delete-replaced"]);

/** One step of `pulumi preview --json` (Pulumi's `display.PreviewStep`), the fields the gate reads. */
export interface PreviewStep {
    readonly op: string;
    readonly urn: string;
}

/** The resource type of a URN: `urn:pulumi:<stack>::<project>::<parent types$>type::<name>`. */
export function typeOfUrn(urn: string): string | undefined {
    const qualified = urn.split("::")[2];
    return qualified?.split("$").pop();
}

/** The steps of a `pulumi preview --json` document that have an `op` and a `urn`. */
export function stepsOf(preview: unknown): PreviewStep[] {
    if (typeof preview !== "object" || preview === null || Array.isArray(preview)) throw new Error("not a `pulumi preview --json` document: not a JSON object");
    // `steps` is omitted (omitempty) when a preview has none at all.
    const steps = (preview as { steps?: unknown }).steps ?? [];
    if (!Array.isArray(steps)) throw new Error("not a `pulumi preview --json` document: `steps` is not an array");
    return steps.filter((s): s is PreviewStep => typeof s?.op === "string" && typeof s?.urn === "string");
}

/** The URNs of resources of `types` that a `pulumi preview --json` document plans to replace, each once. */
export function replacedResources(preview: unknown, types: ReadonlySet<string> = DATA_BEARING_TYPES): string[] {
    const urns = stepsOf(preview)
        .filter((s) => REPLACE_OPS.has(s.op) && types.has(typeOfUrn(s.urn) ?? ""))
        .map((s) => s.urn);
    return [...new Set(urns)];
}

const nameOfUrn = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** The one-paragraph refusal for these replaced URNs (empty: nothing to refuse). */
export function refusal(urns: readonly string[]): string {
    if (urns.length === 0) return "";
    return (
        `the preview replaces ${urns.length} data-bearing resource(s) (${urns.map((u) => `${nameOfUrn(u)} [${typeOfUrn(u)}]`).join(", ")}); ` +
        "a replacement creates an empty one and deletes the old one with its data. Find which input forces it (`pulumi preview --diff`), undo that change, " +
        "or make it by hand with its runbook (docs/runbooks/), then re-run this deployment."
    );
}

function cli(argv: readonly string[]): number {
    const file = argv[0];
    if (!file || argv.length > 1) {
        console.error("usage: node -r ./scripts/register.js scripts/preview-replacements.ts <preview.json | ->");
        return 2;
    }
    let message: string;
    try {
        const preview: unknown = JSON.parse(fs.readFileSync(file === "-" ? 0 : file, "utf8"));
        message = refusal(replacedResources(preview));
    } catch (e) {
        console.error(`preview-replacements: ${(e as Error).message}`);
        return 2;
    }
    if (message === "") {
        console.log("preview-replacements: no data-bearing resource is replaced.");
        return 0;
    }
    // `::error::` makes GitHub Actions show the line as an annotation on the run.
    console.error(`${process.env.GITHUB_ACTIONS === "true" ? "::error::" : ""}preview-replacements: ${message}`);
    return 1;
}

if (require.main === module) process.exit(cli(process.argv.slice(2)));
