// Runs the pack's policies in-process, without the Pulumi engine: for the unit tests (tests/unit/policy*.test.ts).
// Not loaded by the pack itself. Builds the argument bag the engine would pass (as pulumi-policy's own tests do)
// and wraps the inputs in the SDK's unknown-checking proxy, as its analyzer server does.
import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import * as policyProxy from "@pulumi/policy/proxy";
import { policyInternals } from "./policies";

/** The sentinel the analyzer puts where a string input is unknown during a preview (internal to `@pulumi/policy`). */
export const UNKNOWN_STRING: string = (policyProxy as unknown as { unknownStringValue: string }).unknownStringValue;

/** A resource as a policy sees it. */
export interface PolicyResource {
    /** Type token, e.g. `docker:index/container:Container`. */
    type: string;
    /** Pulumi name (not the Docker name). */
    name: string;
    /** Inputs, secrets unwrapped (the analyzer unwraps them too). */
    props: Record<string, any>;
    /** Resource option `protect`. */
    protect?: boolean;
    urn?: string;
}

/** One reported violation. */
export interface Violation {
    policy: string;
    /** Pulumi name of the resource. */
    resource: string;
    message: string;
}

/** The argument bag `validateResource` gets from the engine, built by hand. */
export function validationArgs(resource: PolicyResource): ResourceValidationArgs {
    return {
        type: resource.type,
        props: policyInternals.unknownCheckingProxy(resource.props),
        urn: resource.urn ?? `urn:pulumi:test::nextstack::${resource.type}::${resource.name}`,
        name: resource.name,
        opts: {
            protect: resource.protect ?? false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string) => {
            throw new Error(`notApplicable(${reason ?? ""}) is not expected from these policies`);
        },
    };
}

/** Runs every policy over every resource and returns the violations, in policy then resource order. */
export async function runPolicies(policies: ResourceValidationPolicy[], resources: PolicyResource[]): Promise<Violation[]> {
    const violations: Violation[] = [];
    for (const policy of policies) {
        const v = policy.validateResource;
        const validations = v === undefined ? [] : Array.isArray(v) ? v : [v];
        for (const resource of resources) {
            for (const validate of validations) {
                await validate(validationArgs(resource), (message) => violations.push({ policy: policy.name, resource: resource.name, message }));
            }
        }
    }
    return violations;
}

/** What the unit-test harness records of a registered resource (structurally; see tests/unit/harness.ts `Registered`). */
export interface RegisteredLike {
    type: string;
    name: string;
    inputs: Record<string, any>;
    custom: boolean;
    protect: boolean;
    urn: string;
}

/** The custom resources a program registered, as policies see them (components are not analyzed by the engine). */
export function fromRegistered(resources: RegisteredLike[]): PolicyResource[] {
    return resources
        .filter((r) => r.custom)
        .map((r) => ({ type: r.type, name: r.name, props: r.inputs, protect: r.protect, urn: r.urn }));
}
