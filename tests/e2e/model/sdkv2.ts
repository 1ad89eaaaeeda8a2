import { DiffResult, isUnknown, Props } from "./types";

/**
 * Terraform plugin SDKv2 schema semantics as the Pulumi bridge exposes them, shared by the bridged Docker
 * resources (Container, Network, Volume, RemoteImage). Names are Pulumi's (camelCase); a MaxItems-1 block is a
 * plain object (the bridge flattens it).
 *
 * Sources: hashicorp/terraform-plugin-sdk v2.40.1 (kreuzwerker v4.5.0 go.mod) helper/schema/schema.go
 * (schemaMap.diff, diffString, diffList, diffSet, Schema.finalizeDiff), helper/schema/serialize.go
 * (set element identity); pulumi/pulumi-terraform-bridge v3.136+ pkg/tfbridge/provider.go Check and
 * schema.go applyDefaults (pulumi-docker's HEAD pins v3.137.0).
 */

export type AttrType = "string" | "int" | "bool" | "stringList" | "stringSet" | "stringMap" | "object" | "objectList" | "objectSet";

export interface Attr {
    type: AttrType;
    required?: boolean;
    /** Optional+Computed: absent from the program, the state's value stands (no diff). */
    computed?: boolean;
    forceNew?: boolean;
    default?: unknown;
    /** Fields of an object, or of the elements of an object list/set. */
    fields?: Schema;
    /** The provider's ValidateDiagFunc: a problem, or undefined. Runs on known values only. */
    validate?: (value: any) => string | undefined;
    /** The provider's DiffSuppressFunc for the whole attribute: true when old and new count as equal. */
    equivalent?: (old: any, now: any) => boolean;
}

export type Schema = Record<string, Attr>;

/** SDKv2 zero values (`schema.Type.Zero()`): what an unset, non-computed attribute compares as. */
function zeroOf(attr: Attr): unknown {
    switch (attr.type) {
        case "string":
            return "";
        case "int":
            return 0;
        case "bool":
            return false;
        case "stringMap":
            return {};
        case "object":
            return undefined;
        default:
            return [];
    }
}

export { isUnknown };

/** True when any part of the value is unknown (an output not resolved yet). */
export function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

function typeProblem(attr: Attr, value: unknown): string | undefined {
    const expected: Record<AttrType, (v: any) => boolean> = {
        string: (v) => typeof v === "string",
        int: (v) => Number.isInteger(v),
        bool: (v) => typeof v === "boolean",
        stringList: (v) => Array.isArray(v),
        stringSet: (v) => Array.isArray(v),
        objectList: (v) => Array.isArray(v),
        objectSet: (v) => Array.isArray(v),
        stringMap: (v) => !!v && typeof v === "object" && !Array.isArray(v),
        object: (v) => !!v && typeof v === "object" && !Array.isArray(v),
    };
    return expected[attr.type](value) ? undefined : `expected ${attr.type}, got ${JSON.stringify(value)}`;
}

/**
 * Check: refuse what the model does not know (a key outside the schema, nested too), missing required inputs,
 * wrong types and what the provider's validators refuse (terraform-plugin-sdk ValidateResource, surfaced by the
 * bridge's Check as failures); then add the schema defaults. The bridge adds only non-falsy TF defaults to the
 * checked inputs (pulumi-terraform-bridge schema.go applyDefaults + shouldSuppressTFSchemaDefaultValue, #2618):
 * `false`, `0` and `""` defaults stay out of the inputs, though the provider's plan and state hold them.
 */
export function checkInputs(where: string, schema: Schema, news: Props, path = ""): Props {
    const out: Props = {};
    for (const [key, value] of Object.entries(news)) {
        if (value === undefined || value === null) continue;
        const attr = schema[key];
        const at = `${path}${key}`;
        if (!attr) throw new Error(`${where}: input "${at}" is not modelled (known: ${Object.keys(schema).join(", ")})`);
        out[key] = checkValue(where, attr, value, at);
    }
    for (const [key, attr] of Object.entries(schema)) {
        if (out[key] !== undefined) continue;
        if (attr.required) throw new Error(`${where}: input "${path}${key}" is required`);
        if (attr.default !== undefined && attr.default !== false && attr.default !== 0 && attr.default !== "") out[key] = attr.default;
    }
    return out;
}

function checkValue(where: string, attr: Attr, value: any, at: string): any {
    if (isUnknown(value)) return value;
    const wrongType = typeProblem(attr, value);
    if (wrongType) throw new Error(`${where}: input "${at}": ${wrongType}`);
    if (attr.type === "object") return checkInputs(where, attr.fields!, value, `${at}.`);
    if (attr.type === "objectList" || attr.type === "objectSet") {
        return value.map((element: any, i: number) => (isUnknown(element) ? element : checkInputs(where, attr.fields!, element, `${at}[${i}].`)));
    }
    const problem = attr.validate && !containsUnknown(value) ? attr.validate(value) : undefined;
    if (problem) throw new Error(`${where}: input "${at}": ${problem}`);
    return value;
}

/** Config with every schema default applied, falsy ones too: the provider's planned values (ResourceData.Get). */
export function withAllDefaults(schema: Schema, config: Props): Props {
    const out: Props = {};
    for (const [key, attr] of Object.entries(schema)) {
        const value = config[key];
        if (value === undefined || value === null) {
            if (attr.default !== undefined) out[key] = attr.default;
        } else if (isUnknown(value)) {
            out[key] = value;
        } else if (attr.type === "object") {
            out[key] = withAllDefaults(attr.fields!, value);
        } else if (attr.type === "objectList" || attr.type === "objectSet") {
            out[key] = value.map((e: any) => (isUnknown(e) ? e : withAllDefaults(attr.fields!, e)));
        } else {
            out[key] = value;
        }
    }
    return out;
}

/** A nested value as SDKv2 compares it: every field present (value, else default, else zero), sets sorted. */
function normalise(attr: Attr, value: any): any {
    if (value === undefined || value === null) value = attr.default ?? zeroOf(attr);
    if (value === undefined) return undefined;
    switch (attr.type) {
        case "stringSet":
            return [...new Set(value as string[])].sort();
        case "stringMap":
            return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)));
        case "object":
            return Object.fromEntries(Object.entries(attr.fields!).map(([k, f]) => [k, normalise(f, value[k])]));
        case "objectList":
            return value.map((e: any) => normalise({ ...attr, type: "object" }, e));
        case "objectSet": {
            // helper/schema/serialize.go SerializeResourceForHash: a set element is identified by all its fields.
            const keyed = new Map<string, any>();
            for (const e of value) {
                const n = normalise({ ...attr, type: "object" }, e);
                keyed.set(JSON.stringify(n), n);
            }
            return [...keyed.keys()].sort().map((k) => keyed.get(k));
        }
        default:
            return value;
    }
}

/** schema.go diffString compares strings after mapstructure.WeakDecode: 1 and "1" are the same, unset is "". */
const weakString = (value: unknown): string => (value === undefined || value === null ? "" : String(value));

function same(attr: Attr, old: any, now: any): boolean {
    // finalizeDiff: booleans compare as parsed, so unset and false are the same.
    if (attr.type === "bool") return (old === true) === (now === true);
    if (attr.type === "string" || attr.type === "int") return weakString(old) === weakString(now);
    return JSON.stringify(normalise(attr, old)) === JSON.stringify(normalise(attr, now));
}

const show = (value: unknown): string => (isUnknown(value) ? "(unknown)" : value === undefined ? "(unset)" : JSON.stringify(value));

/**
 * SDKv2 Diff of the state against the checked config, attribute by attribute: the new value is the config's,
 * else the Default, else (Computed: the state's, no diff) the type's zero value. An unknown new value is a change
 * (NewComputed). A change of a ForceNew attribute, or of a ForceNew field inside it, is a replacement
 * (finalizeDiff: RequiresNew). Sets compare by element identity, lists in order, MaxItems-1 objects per field.
 */
export function diffState(schema: Schema, state: Props, config: Props): DiffResult {
    const changed: string[] = [];
    const replace: string[] = [];
    const details: string[] = [];
    for (const [key, attr] of Object.entries(schema)) {
        const result = diffAttr(key, attr, state[key], config[key]);
        if (!result) continue;
        changed.push(key);
        if (result.replace) replace.push(key);
        details.push(...result.details);
    }
    return { changed, replace, details };
}

function diffAttr(path: string, attr: Attr, old: any, config: any): { replace: boolean; details: string[] } | undefined {
    if (config === undefined || config === null) {
        // diffString/diffList/diffSet: no config and Computed → the state stands.
        if (attr.default === undefined && attr.computed) return undefined;
        config = attr.default;
    }
    if (containsUnknown(config)) {
        return { replace: !!attr.forceNew || hasForceNewField(attr), details: [`${path}: ${show(old)} → (unknown)`] };
    }
    if (attr.type === "object" && old && config) {
        // A MaxItems-1 block diffs field by field (diffList over a one-element list of a Resource).
        const results = Object.entries(attr.fields!)
            .map(([k, field]) => diffAttr(`${path}.${k}`, field, old[k], config[k]))
            .filter((r): r is { replace: boolean; details: string[] } => !!r);
        if (!results.length) return undefined;
        return { replace: !!attr.forceNew || results.some((r) => r.replace), details: results.flatMap((r) => r.details) };
    }
    // diffString: an unset new value is the zero value only when there is an old one (else both are "").
    const now = config ?? (old === undefined || old === null ? undefined : zeroOf(attr));
    const equal = attr.equivalent ? attr.equivalent(old, now) : same(attr, old, now);
    if (equal) return undefined;
    return { replace: !!attr.forceNew || hasForceNewField(attr), details: [`${path}: ${show(old)} → ${show(now)}`] };
}

function hasForceNewField(attr: Attr): boolean {
    return !!attr.fields && Object.values(attr.fields).some((f) => f.forceNew || hasForceNewField(f));
}

/**
 * The state SDKv2 records after an Update that does not Read (ResourceData.State() of the plan): the config
 * with defaults, and for attributes the config leaves out, the state's value if Computed, else nothing.
 * `outputsOnly` are computed-only attributes, kept from the state.
 */
export function plannedState(schema: Schema, state: Props, config: Props, outputsOnly: string[]): Props {
    const planned = withAllDefaults(schema, config);
    for (const [key, attr] of Object.entries(schema)) {
        if (planned[key] === undefined && attr.computed && state[key] !== undefined) planned[key] = state[key];
    }
    for (const key of outputsOnly) if (state[key] !== undefined) planned[key] = state[key];
    return planned;
}

/** What a preview shows for a create: the planned inputs; computed values are unknown and left out. */
export const previewOfCreate = (schema: Schema, config: Props): Props => withAllDefaults(schema, config);

/** The daemon's message of a dockerode error (what the Go client's error string carries), else the error text. */
export function engineMessage(error: any): string {
    return error?.json?.message ?? String(error?.message ?? error);
}

/** kreuzwerker v4.5.0 helpers.go containsIgnorableErrorMessage: case-insensitive substring match. */
export const containsIgnorableErrorMessage = (message: string, ...ignorable: string[]): boolean =>
    ignorable.some((i) => message.toLowerCase().includes(i.toLowerCase()));

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** kw resourceDockerNetworkDelete / resourceDockerVolumeDelete: StateChangeConf Timeout 30 s, MinTimeout 5 s. */
export const REMOVE_TIMEOUT_MS = 30_000;
export const REMOVE_RETRY_MS = 5_000;

/**
 * terraform-plugin-sdk helper/retry StateChangeConf as the provider's network and volume deletes use it: `remove`
 * is refreshed until it succeeds; an error containing `pending` (e.g. "has active endpoints") is the pending
 * state, retried every `retryMs` until `timeoutMs`; any other error fails the delete. (The 2 s initial Delay is
 * left out: it changes timing only.)
 */
export async function removeUntilGone(remove: () => Promise<void>, pending: string, pendingState: string, retryMs: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            await remove();
            return;
        } catch (e: any) {
            if (!containsIgnorableErrorMessage(engineMessage(e), pending)) throw new Error(engineMessage(e));
        }
        if (Date.now() + retryMs > deadline) {
            throw new Error(`timeout while waiting for state to become 'removed' (last state: '${pendingState}', timeout: ${timeoutMs / 1000}s)`);
        }
        await sleep(retryMs);
    }
}
