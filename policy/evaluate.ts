/**
 * Runs the guardrail policies outside the Pulumi engine, on resources recorded by the mock harness
 * (test/mocks.ts) or any other record of a stack: the policy tests and the offline plan use it.
 *
 * It builds the same arguments the CrossGuard analyzer hands a policy (policy/server.js in
 * @pulumi/policy): a resource policy gets each resource's inputs, a stack policy every resource's
 * outputs with parents, dependencies, property dependencies and provider resolved to objects.
 * `notApplicable` throws, as in the engine, and is caught here.
 */
import {
    EnforcementLevel,
    Policies,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { policies as guardrails } from "./policies";

/** A resource as recorded by a run of the program (structurally a `RecordedResource` of test/mocks.ts). */
export interface ResourceRecord {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** Inputs, as the provider receives them. */
    readonly inputs: Record<string, any>;
    /** Outputs (inputs plus computed values); defaults to the inputs. */
    readonly state?: Record<string, any>;
    readonly id?: string;
    readonly custom?: boolean;
    readonly parentUrn?: string;
    /** Provider reference, `<provider urn>::<provider id>`. */
    readonly provider?: string;
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    readonly protect?: boolean;
    readonly ignoreChanges?: readonly string[];
}

export interface Violation {
    readonly policy: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly message: string;
    /** The resource in violation (absent: the stack as a whole). */
    readonly urn?: string;
}

export interface EvaluateOptions {
    /** The policies to run. @default every guardrail of the pack */
    readonly policies?: Policies;
    /** Per-policy config, as in `--policy-pack-config`: `{ "<policy>": { enforcementLevel?, ...props } }`. */
    readonly config?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    readonly stackTags?: ReadonlyMap<string, string>;
}

/** What `notApplicable` throws (the engine's NotApplicableError is internal). */
export class NotApplicable extends Error {
    constructor(public readonly reason?: string) {
        super(reason ?? "not applicable");
        this.name = "NotApplicable";
    }
}

const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
};

function isTypeOf(type: string, resourceClass: any): boolean {
    const pulumiType = resourceClass?.__pulumiType;
    if (typeof pulumiType === "string" && pulumiType.length > 0) return type === pulumiType;
    return typeof resourceClass?.isInstance === "function" && resourceClass.isInstance({ __pulumiType: type }) === true;
}

function options(record: Partial<ResourceRecord>): PolicyResourceOptions {
    return {
        protect: record.protect ?? false,
        ignoreChanges: [...(record.ignoreChanges ?? [])],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(record.parentUrn ? { parent: record.parentUrn } : {}),
    };
}

/** The provider a resource references (`<urn>::<id>`), as the analyzer describes it. */
function providerOf(record: ResourceRecord, byUrn: ReadonlyMap<string, ResourceRecord>): PolicyProviderResource | undefined {
    if (!record.provider) return undefined;
    const urn = record.provider.slice(0, record.provider.lastIndexOf("::"));
    const provider = byUrn.get(urn);
    return provider ? { type: provider.type, props: provider.inputs, urn: provider.urn, name: provider.name } : undefined;
}

/** Arguments of a resource policy for one resource (tests pass `{ type, props }` and what they need). */
export function resourceArgs(
    resource: { type: string; props: Record<string, any>; name?: string; urn?: string; provider?: PolicyProviderResource },
    config: Record<string, unknown> = {},
): ResourceValidationArgs {
    const name = resource.name ?? "test";
    return {
        type: resource.type,
        props: resource.props,
        urn: resource.urn ?? `urn:pulumi:test::web-infra::${resource.type}::${name}`,
        name,
        opts: options({}),
        ...(resource.provider ? { provider: resource.provider } : {}),
        stackTags: new Map(),
        isType: (cls) => isTypeOf(resource.type, cls),
        asType: ((cls: any) => (isTypeOf(resource.type, cls) ? resource.props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => config as T,
        notApplicable,
    };
}

/** A stack-policy resource with the same fields the analyzer fills in (links resolved afterwards). */
export function policyResource(
    resource: { type: string; props: Record<string, any>; name: string; urn?: string; provider?: PolicyProviderResource },
    record: Partial<ResourceRecord> = {},
): PolicyResource {
    return {
        type: resource.type,
        props: resource.props,
        urn: resource.urn ?? `urn:pulumi:test::web-infra::${resource.type}::${resource.name}`,
        name: resource.name,
        opts: options(record),
        ...(resource.provider ? { provider: resource.provider } : {}),
        dependencies: [],
        propertyDependencies: {},
        isType: (cls) => isTypeOf(resource.type, cls),
        asType: ((cls: any) => (isTypeOf(resource.type, cls) ? resource.props : undefined)) as PolicyResource["asType"],
    };
}

/** Arguments of a stack policy over these resources. */
export function stackArgs(resources: PolicyResource[], config: Record<string, unknown> = {}): StackValidationArgs {
    return { resources, stackTags: new Map(), getConfig: <T extends object>() => config as T, notApplicable };
}

/** The stack-policy view of recorded resources: outputs (with `id`, as bridged providers report it) and links. */
export function toPolicyResources(records: readonly ResourceRecord[]): PolicyResource[] {
    const byUrn = new Map(records.map((r) => [r.urn, r]));
    const resources = records.map((r) => {
        const provider = providerOf(r, byUrn);
        return policyResource(
            { type: r.type, name: r.name, urn: r.urn, props: { ...(r.state ?? r.inputs), ...(r.id !== undefined && r.custom !== false ? { id: r.id } : {}) }, provider },
            r,
        );
    });
    const resourceByUrn = new Map(resources.map((r) => [r.urn, r]));
    const resolve = (urns: readonly string[] | undefined) => (urns ?? []).map((u) => resourceByUrn.get(u)).filter((r): r is PolicyResource => r !== undefined);
    records.forEach((record, i) => {
        const resource = resources[i];
        const parent = record.parentUrn ? resourceByUrn.get(record.parentUrn) : undefined;
        if (parent) resource.parent = parent;
        resource.dependencies = resolve(record.dependencies);
        resource.propertyDependencies = Object.fromEntries(Object.entries(record.propertyDependencies ?? {}).map(([k, urns]) => [k, resolve(urns)]));
    });
    return resources;
}

function levelOf(policy: ResourceValidationPolicy | StackValidationPolicy, config: EvaluateOptions["config"]): EnforcementLevel {
    const configured = config?.[policy.name]?.enforcementLevel as EnforcementLevel | undefined;
    const level = configured ?? policy.enforcementLevel ?? "advisory";
    // The engine reports a remediation policy's leftover violations as mandatory.
    return level === "remediate" ? "mandatory" : level;
}

function configOf(policy: ResourceValidationPolicy | StackValidationPolicy, config: EvaluateOptions["config"]): Record<string, unknown> {
    const { enforcementLevel: _level, ...props } = (config?.[policy.name] ?? {}) as Record<string, unknown>;
    return props;
}

/** Violations one resource policy reports for one resource ([] when not applicable). */
export async function runResourcePolicy(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<string[]> {
    const messages: string[] = [];
    const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const validate of validations) {
        try {
            await validate(args, (message) => messages.push(message));
        } catch (e) {
            if (!(e instanceof NotApplicable)) throw e;
        }
    }
    return messages;
}

/** Violations one stack policy reports ([] when not applicable). */
export async function runStackPolicy(policy: StackValidationPolicy, args: StackValidationArgs): Promise<{ message: string; urn?: string }[]> {
    const found: { message: string; urn?: string }[] = [];
    try {
        await policy.validateStack(args, (message, urn) => found.push(urn === undefined ? { message } : { message, urn }));
    } catch (e) {
        if (!(e instanceof NotApplicable)) throw e;
    }
    return found;
}

/**
 * Run every policy over a recorded stack, as `pulumi preview --policy-pack policy` would: resource
 * policies on each resource's inputs, stack policies on all outputs. Disabled policies are skipped.
 */
export async function evaluatePolicies(records: readonly ResourceRecord[], opts: EvaluateOptions = {}): Promise<Violation[]> {
    const policies = opts.policies ?? guardrails;
    const byUrn = new Map(records.map((r) => [r.urn, r]));
    const stackResources = toPolicyResources(records);
    const violations: Violation[] = [];
    for (const policy of policies) {
        const enforcementLevel = levelOf(policy, opts.config);
        if (enforcementLevel === "disabled") continue;
        const config = configOf(policy, opts.config);
        if ("validateStack" in policy && typeof policy.validateStack === "function") {
            const args = { ...stackArgs(stackResources, config), stackTags: opts.stackTags ?? new Map() };
            for (const v of await runStackPolicy(policy, args)) violations.push({ policy: policy.name, enforcementLevel, ...v });
        } else {
            for (const record of records) {
                const provider = providerOf(record, byUrn);
                const args = resourceArgs({ type: record.type, props: record.inputs, name: record.name, urn: record.urn, provider }, config);
                for (const message of await runResourcePolicy(policy as ResourceValidationPolicy, args)) {
                    violations.push({ policy: policy.name, enforcementLevel, message, urn: record.urn });
                }
            }
        }
    }
    return violations;
}

/** The violations that would fail `pulumi preview --policy-pack policy`. */
export function mandatoryViolations(violations: readonly Violation[]): Violation[] {
    return violations.filter((v) => v.enforcementLevel === "mandatory");
}
