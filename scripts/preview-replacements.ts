/**
 * The deploy gate against replacing every web server at once:
 *
 *   pulumi preview --stack dev --json > preview.json
 *   node -r ./scripts/register.js scripts/preview-replacements.ts preview.json
 *
 * Exit status 1, naming the resources, when the preview plans to replace any `aws:ec2/instance:Instance`
 * (a new Amazon Linux release, a user-data change, an instance type change); 0 otherwise; 2 when the
 * file is not a preview. `pulumi up` replaces all servers in parallel, and a new server needs a minute or
 * two before the load balancer sends it traffic: the target group could be left with no healthy server.
 * Such a change is rolled one server at a time (README, "Runbook: roll the web servers one at a time"),
 * after which the preview has no replacement left and the deployment goes through.
 */
import * as fs from "fs";

export const INSTANCE_TYPE = "aws:ec2/instance:Instance";
export const RUNBOOK = "README.md#runbook-roll-the-web-servers-one-at-a-time-without-downtime";

/**
 * Step operations of `pulumi preview --json` that replace a resource: `replace` (the display step),
 * and the two halves a create-before-delete replacement is made of.
 */
export const REPLACE_OPS: ReadonlySet<string> = new Set(["replace", "create-replacement", "delete-replaced"]);

/** The resource type of a URN: `urn:pulumi:<stack>::<project>::<parent types$>type::<name>`. */
export function typeOfUrn(urn: string): string | undefined {
    const qualified = urn.split("::")[2];
    return qualified?.split("$").pop();
}

/** The URNs of resources of `type` that a `pulumi preview --json` document plans to replace, each once. */
export function replacedResources(preview: unknown, type: string = INSTANCE_TYPE): string[] {
    if (typeof preview !== "object" || preview === null || Array.isArray(preview)) throw new Error("not a `pulumi preview --json` document: not a JSON object");
    // `steps` is omitted (omitempty) when a preview has none at all.
    const steps = (preview as { steps?: unknown }).steps ?? [];
    if (!Array.isArray(steps)) throw new Error("not a `pulumi preview --json` document: `steps` is not an array");
    const urns = steps
        .filter((s): s is { op: string; urn: string } => typeof s?.op === "string" && typeof s?.urn === "string")
        .filter((s) => REPLACE_OPS.has(s.op) && typeOfUrn(s.urn) === type)
        .map((s) => s.urn);
    return [...new Set(urns)];
}

/** The one-paragraph refusal for these URNs (empty: nothing to refuse). */
export function refusal(urns: readonly string[]): string {
    if (urns.length === 0) return "";
    const names = urns.map((u) => u.slice(u.lastIndexOf("::") + 2));
    return (
        `the preview replaces ${urns.length} EC2 instance(s) (${names.join(", ")}); \`pulumi up\` would replace them all at once, ` +
        `and the load balancer could be left without a healthy server while the new ones boot. Roll them one at a time (${RUNBOOK}), then re-run this deployment.`
    );
}

function cli(argv: readonly string[]): number {
    const file = argv[0];
    if (!file || argv.length > 1) {
        console.error("usage: node -r ./scripts/register.js scripts/preview-replacements.ts <preview.json | ->");
        return 2;
    }
    let urns: string[];
    try {
        urns = replacedResources(JSON.parse(fs.readFileSync(file === "-" ? 0 : file, "utf8")));
    } catch (e) {
        console.error(`preview-replacements: ${(e as Error).message}`);
        return 2;
    }
    if (urns.length === 0) {
        console.log("preview-replacements: no EC2 instance is replaced.");
        return 0;
    }
    // `::error::` makes GitHub Actions show the line as an annotation on the run.
    console.error(`${process.env.GITHUB_ACTIONS === "true" ? "::error::" : ""}preview-replacements: ${refusal(urns)}`);
    return 1;
}

if (require.main === module) process.exit(cli(process.argv.slice(2)));
