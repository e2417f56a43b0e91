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
import type { PolicyResult, PolicyViolation } from "./summary";

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
    const mod = require(file);
    return adaptEvaluator(mod);
}

/**
 * Wrap whatever `policy/evaluate.ts` exports into a `PolicyEvaluator`. Returns null when it exports
 * no usable function.
 */
export function adaptEvaluator(mod: Record<string, unknown>): PolicyEvaluator | null {
    const fn = (mod.evaluate ?? mod.evaluateResources ?? mod.evaluatePolicies ?? mod.default) as ((...args: any[]) => unknown) | undefined;
    if (typeof fn !== "function") return null;
    return async (input) => normalize(await fn(input.records, { stack: input.stack, config: input.config }));
}

function normalize(raw: any): Omit<Extract<PolicyResult, { available: true }>, "available"> {
    const list: any[] = Array.isArray(raw) ? raw : (raw?.violations ?? []);
    const violations: PolicyViolation[] = list.map((v) => ({
        policy: String(v.policy ?? v.policyName ?? v.name ?? "?"),
        message: String(v.message ?? v.description ?? ""),
        resource: v.resource ?? v.urn ?? v.resourceName,
        mandatory: v.mandatory ?? (String(v.enforcementLevel ?? v.level ?? "mandatory") === "mandatory"),
    }));
    return {
        pack: String(raw?.pack ?? raw?.packName ?? "policy"),
        policies: Number(raw?.policies ?? raw?.policyCount ?? 0),
        violations,
    };
}

/** Run the evaluator; a missing one is "not available". An evaluator that throws is an error (rethrown). */
export async function evaluatePolicy(evaluator: PolicyEvaluator | null, input: PolicyInput): Promise<PolicyResult> {
    if (evaluator === null) return { available: false, reason: "policy/evaluate.ts not found" };
    return { available: true, ...(await evaluator(input)) };
}
