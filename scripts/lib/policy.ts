/**
 * The policy pack's verdict on the recorded resources, for the plan.
 *
 * The pack (policy/) exposes an evaluator in `policy/evaluate.ts` that runs its resource policies
 * over recorded resources without starting the CrossGuard gRPC server. When that module is not
 * there, the plan reports "policy pack: not available" instead of failing.
 */
import * as fs from "fs";
import * as path from "path";
import type { PlanRecord } from "./records";
import type { PolicyResult } from "./summary";

export interface PolicyInput {
    readonly stack: string;
    readonly records: readonly PlanRecord[];
    readonly outputs: Readonly<Record<string, unknown>>;
    /** The stack's config, flat, keys with namespace. */
    readonly config: Readonly<Record<string, string>>;
}

/** Evaluates the records; returns the pack's name, policy count and violations. */
export type PolicyEvaluator = (input: PolicyInput) => Promise<Omit<Extract<PolicyResult, { available: true }>, "available">> | Omit<Extract<PolicyResult, { available: true }>, "available">;

/** The evaluator from `policy/evaluate.ts`, or null when the pack has none. */
export function loadPolicyEvaluator(root: string): PolicyEvaluator | null {
    const file = path.join(root, "policy", "evaluate.ts");
    if (!fs.existsSync(file)) return null;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const evaluate = require(file);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { policies } = require(path.join(root, "policy", "policies.ts"));
    return adaptEvaluator(evaluate, { pack: packName(root), policies: Array.isArray(policies) ? policies.length : 0 });
}

/** The pack's name as `new PolicyPack("<name>", …)` in policy/index.ts declares it. */
function packName(root: string): string {
    try {
        return /new PolicyPack\(\s*["']([^"']+)["']/.exec(fs.readFileSync(path.join(root, "policy", "index.ts"), "utf8"))?.[1] ?? "policy";
    } catch {
        return "policy";
    }
}

/** The shape of a violation `evaluatePolicies` reports (policy/evaluate.ts). */
interface PackViolation {
    readonly policy: string;
    readonly enforcementLevel: string;
    readonly message: string;
    readonly urn?: string;
}

/**
 * Wrap policy/evaluate.ts's `evaluatePolicies(records, options)` — which runs every guardrail as
 * `pulumi preview --policy-pack policy` would, with the pack's own enforcement levels — into a
 * `PolicyEvaluator`. Null when the module has no such function.
 */
export function adaptEvaluator(mod: Record<string, unknown>, about: { pack: string; policies: number }): PolicyEvaluator | null {
    const evaluatePolicies = mod.evaluatePolicies as ((records: readonly PlanRecord[]) => Promise<PackViolation[]>) | undefined;
    if (typeof evaluatePolicies !== "function") return null;
    return async (input) => {
        const found = await evaluatePolicies(input.records);
        return {
            pack: about.pack,
            policies: about.policies,
            violations: found.map((v) => ({
                policy: v.policy,
                message: v.message,
                // The resource's name: the last URN segment (`…::aws:rds/instance:Instance::db-primary`).
                ...(v.urn ? { resource: v.urn.slice(v.urn.lastIndexOf("::") + 2) } : {}),
                mandatory: v.enforcementLevel === "mandatory",
            })),
        };
    };
}

/** Run the evaluator; a missing one is "not available". An evaluator that throws is an error (rethrown). */
export async function evaluatePolicy(evaluator: PolicyEvaluator | null, input: PolicyInput): Promise<PolicyResult> {
    if (evaluator === null) return { available: false, reason: "policy/evaluate.ts not found" };
    return { available: true, ...(await evaluator(input)) };
}
