import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

/** Root of the project (where `Pulumi.yaml` is). */
export const ROOT = path.resolve(__dirname, "../..");

/** One resource the program registered, with its inputs (secrets unwrapped) and options. */
export interface Registered {
    type: string;
    name: string;
    /** Inputs with secret markers removed (see {@link secretPaths} for which were secret). */
    inputs: Record<string, any>;
    /** Whether each top-level input arrived as a secret. */
    secretInputs: Set<string>;
    custom: boolean;
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    replaceOnChanges: string[];
    /** URN of the parent (empty for top-level resources under mocks, which have no root stack). */
    parent: string;
    /** URNs this resource depends on (`dependsOn` and the resources its inputs came from). */
    dependsOn: string[];
    /** Per input, the URNs of the resources its value came from: what makes the engine replace it with them. */
    propertyDependencies: Record<string, string[]>;
    urn: string;
}

/** What a test gets back from running the program for one stack. */
export interface ProgramRun {
    resources: Registered[];
    /** The program module's exports (stack outputs). */
    outputs: Record<string, any>;
    /** Finds the one resource of a type whose name matches; fails if none or several. */
    one(type: string, name?: string): Registered;
    /** All resources of a type. */
    all(type: string): Registered[];
}

/** Type tokens of the Docker provider's resources. */
export const T = {
    network: "docker:index/network:Network",
    volume: "docker:index/volume:Volume",
    container: "docker:index/container:Container",
    image: "docker:index/image:Image",
    remoteImage: "docker:index/remoteImage:RemoteImage",
    password: "random:index/randomPassword:RandomPassword",
} as const;

/** Reads `Pulumi.<stack>.yaml` into the flat `namespace:key → string` map the runtime passes to programs. */
export function stackConfig(file: string): Record<string, string> {
    const doc = parse(fs.readFileSync(path.join(ROOT, file), "utf8")) ?? {};
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries<unknown>(doc.config ?? {})) {
        if (value && typeof value === "object" && "secure" in (value as object)) {
            throw new Error(`${file}: ${key} is encrypted; tests give secrets through overrides`);
        }
        out[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return out;
}

function isSecretWrapper(v: unknown): v is { value: unknown } {
    return !!v && typeof v === "object" && (v as any)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

/** Removes the SDK's secret markers from a deserialized input value. */
export function unwrapSecrets(v: any): any {
    if (isSecretWrapper(v)) return unwrapSecrets(v.value);
    if (Array.isArray(v)) return v.map(unwrapSecrets);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
    return v;
}

/** True when the value (or anything inside it) was passed as a secret. */
export function containsSecret(v: any): boolean {
    if (isSecretWrapper(v)) return true;
    if (Array.isArray(v)) return v.some(containsSecret);
    if (v && typeof v === "object") return Object.values(v).some(containsSecret);
    return false;
}

/** A registration request's property dependencies, input → URNs. */
function propertyDependenciesOf(req: any): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps: any, prop: string) => {
        out[prop] = deps.getUrnsList();
    });
    return out;
}

/** Deterministic fake digest for computed image outputs. */
function fakeDigest(seed: string): string {
    let h = 0x811c9dc5;
    for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    return `sha256:${h.toString(16).padStart(8, "0").repeat(8)}`;
}

/**
 * Runs the program (`index.ts`) under the SDK's mock runtime with a stack's config and returns what it
 * registered. Call once per test file: the runtime reads its config and settings once per module registry.
 */
export async function runProgram(options: {
    stack: string;
    config: Record<string, string>;
    secretKeys?: string[];
    /** Values of computed outputs the mock gives images (to simulate a rebuild). */
    imageSeed?: string;
    /** Exit code the mock reports for one-shot (attach) containers, such as the migration. Default 0. */
    oneShotExitCode?: number;
    /** Output the mock reports for one-shot containers (`containerLogs`); null: none at all. Default "done\n". */
    oneShotLogs?: string | null;
    /** Run as `pulumi preview`: images are not built, so their digests stay unknown (`buildOnPreview: false`). */
    preview?: boolean;
    /** Called with each resource as the provider gets it (type, name, inputs), before the mock answers. */
    onResource?: (type: string, name: string, inputs: Record<string, any>) => void;
}): Promise<ProgramRun> {
    const resources: Registered[] = [];
    const byUrn = new Map<string, Registered>();
    pulumi.runtime.setMocks(
        {
            newResource(args) {
                options.onResource?.(args.type, args.name, args.inputs);
                const state: Record<string, any> = { ...args.inputs };
                // A RemoteImage that builds has no image ID in a preview (nothing is built), as docker.Image.
                if (args.type === T.remoteImage && !(args.inputs.build && options.preview)) {
                    state.imageId = fakeDigest(args.inputs.build ? `${args.name}:${options.imageSeed ?? ""}` : `${args.inputs.name}`);
                }
                if (args.type === T.image && !options.preview) state.repoDigest = fakeDigest(`${args.name}:${options.imageSeed ?? ""}`);
                if (args.type === T.password) state.result = "Generated0Password0Of0Length0032";
                // A one-shot container has run to its end by the time the provider returns.
                if (args.type === T.container && args.inputs.attach) Object.assign(state, { exitCode: options.oneShotExitCode ?? 0, ...(options.oneShotLogs === null ? {} : { containerLogs: options.oneShotLogs ?? "done\n" }) });
                return { id: `${args.name}-id`, state };
            },
            call: (args) => args.inputs,
        },
        "nextstack",
        options.stack,
        options.preview ?? false,
    );
    pulumi.runtime.setAllConfig(options.config, options.secretKeys ?? []);

    // The mock's newResource does not see resource options: read them off the registration requests.
    const monitor: any = pulumi.runtime.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) =>
        register(req, (err: any, resp: any) => {
            if (!err) {
                const raw = pulumi.runtime.deserializeProperties(req.getObject());
                const entry: Registered = {
                    type: req.getType(),
                    name: req.getName(),
                    inputs: unwrapSecrets(raw),
                    secretInputs: new Set(Object.keys(raw).filter((k) => containsSecret(raw[k]))),
                    custom: req.getCustom(),
                    protect: req.getProtect(),
                    retainOnDelete: req.getRetainondelete(),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    replaceOnChanges: req.getReplaceonchangesList(),
                    parent: req.getParent(),
                    dependsOn: req.getDependenciesList(),
                    propertyDependencies: propertyDependenciesOf(req),
                    urn: resp.getUrn(),
                };
                resources.push(entry);
                byUrn.set(entry.urn, entry);
            }
            callback(err, resp);
        });

    const outputs = await import("../../index");
    // Registrations finish asynchronously: wait until no new one has arrived for a while.
    for (let seen = -1, quiet = 0; quiet < 5; ) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        quiet = resources.length === seen ? quiet + 1 : 0;
        seen = resources.length;
    }
    const all = (type: string) => resources.filter((r) => r.type === type);
    return {
        resources,
        outputs,
        all,
        one(type, name) {
            const found = all(type).filter((r) => name === undefined || r.name === name);
            if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
            return found[0];
        },
    };
}

/** Resolves an Output's value (secret or not) for assertions. */
export function valueOf<T>(output: pulumi.Input<T> | undefined): Promise<T | undefined> {
    if (output === undefined) return Promise.resolve(undefined);
    return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

/** Container ports as `ip:external->internal` strings. */
export function publishedPorts(container: Registered): string[] {
    return (container.inputs.ports ?? []).map((p: any) => `${p.ip}:${p.external}->${p.internal}`);
}

/** Container env as a map. */
export function envOf(container: Registered): Record<string, string> {
    return Object.fromEntries((container.inputs.envs ?? []).map((e: string) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

/**
 * Runs `fn` and collects the process's unhandled rejections meanwhile, as messages, instead of letting jest fail
 * the test with them: the Pulumi runtime reports a resource whose registration failed (an error thrown in an
 * `apply` one of its inputs or `dependsOn` waits on) as an unhandled rejection, which is what fails a real
 * `pulumi up`. Waits until no rejection has arrived for a while before it returns.
 */
export async function collectingRejections<R>(fn: () => Promise<R>): Promise<{ result: R; errors: string[] }> {
    // jest gives each test file a copy of `process`; the listeners that count are on the real one.
    const real: NodeJS.Process = require("vm").runInThisContext("process");
    const saved = real.rawListeners("unhandledRejection") as ((...args: any[]) => void)[];
    const errors: string[] = [];
    real.removeAllListeners("unhandledRejection");
    real.on("unhandledRejection", (err) => errors.push(err && typeof err === "object" && "message" in err ? String(err.message) : String(err)));
    try {
        const result = await fn();
        for (let seen = -1, quiet = 0; quiet < 5; ) {
            await new Promise((resolve) => setTimeout(resolve, 10));
            quiet = errors.length === seen ? quiet + 1 : 0;
            seen = errors.length;
        }
        return { result, errors };
    } finally {
        real.removeAllListeners("unhandledRejection");
        for (const listener of saved) real.on("unhandledRejection", listener);
    }
}
