import Docker from "dockerode";
import * as fs from "fs";
import * as path from "path";
import { PassThrough } from "stream";
import * as tar from "tar-stream";
import { GoDurationError, formatGoDuration, parseGoDuration } from "./goDuration";
import {
    checkInputs, containsIgnorableErrorMessage, diffState, engineMessage, plannedState, previewOfCreate, Schema, sleep, withAllDefaults,
} from "./sdkv2";
import { Engine, PartialCreateError, Props, ResourceModel } from "./types";

/**
 * docker:index/container:Container: pulumi/pulumi-docker 5.2.0 bridging kreuzwerker/terraform-provider-docker
 * v4.5.0 (internal/provider/resource_docker_container*.go), through the Docker Go client v28.5.2.
 * Citations below are short: "kw" = kreuzwerker v4.5.0 internal/provider, "moby" = moby/moby v28.5.2 client.
 */
const TYPE = "docker:index/container:Container";

const MB = 1024 * 1024;

/** kw validators.go validateDurationGeq0: Go ParseDuration must accept it and it must not be negative. */
function validDuration(value: string): string | undefined {
    try {
        return parseGoDuration(value) < 0n ? `'${value}' duration must not be negative` : undefined;
    } catch (e) {
        if (e instanceof GoDurationError) return `'${value}' is not a valid duration`;
        throw e;
    }
}

/** kw validators.go validateIntegerGeqThan. */
const atLeast = (threshold: number) => (value: number) => (value < threshold ? `'${value}' cannot be lower than ${threshold}` : undefined);

/** kw validators.go validateStringMatchesPattern. */
const matches = (pattern: RegExp) => (value: string) => (pattern.test(value) ? undefined : `'${value}' doesn't match the pattern '${pattern.source}'`);

/** kw resource_docker_container.go labelSchema (helpers.go newLabelSchema(true)): both fields ForceNew. */
const LABEL_FIELDS: Schema = {
    label: { type: "string", required: true, forceNew: true },
    value: { type: "string", required: true, forceNew: true },
};

interface Port { internal: number; external?: number; ip?: string; protocol?: string }

/**
 * kw resource_docker_container.go suppressIfPortsDidNotChangeForMigrationV0ToV1: same length and every old
 * port has a new one with the same internal port and protocol, external port and IP → no diff (order-insensitive).
 * An external port the program leaves out is Optional+Computed: the state's stands.
 */
function portsEquivalent(old: Port[] | undefined, now: Port[] | undefined): boolean {
    const withDefaults = (p: Port) => ({ ...p, ip: p.ip ?? "0.0.0.0", protocol: p.protocol ?? "tcp" });
    const olds = (old ?? []).map(withDefaults);
    const news = (now ?? []).map(withDefaults);
    if (olds.length !== news.length) return false;
    return olds.every((o) => {
        const n = news.find((p) => p.internal === o.internal && p.protocol === o.protocol);
        return !!n && (n.external === undefined || n.external === o.external) && n.ip === o.ip;
    });
}

/**
 * The attributes the model knows, from kw resource_docker_container.go resourceDockerContainer (Pulumi names
 * from pulumi-docker provider/resources.go: `entrypoint` → entrypoints, `env` → envs, `upload` → uploads,
 * `healthcheck.test` → tests; MaxItems-1 `healthcheck` is an object). Anything else fails Check.
 */
export const CONTAINER_SCHEMA: Schema = {
    name: { type: "string", required: true, forceNew: true },
    image: { type: "string", required: true, forceNew: true },
    command: { type: "stringList", computed: true, forceNew: true },
    entrypoints: { type: "stringList", computed: true, forceNew: true },
    envs: { type: "stringSet", computed: true, forceNew: true },
    labels: { type: "objectSet", computed: true, forceNew: true, fields: LABEL_FIELDS },
    ports: {
        type: "objectList",
        forceNew: true,
        equivalent: portsEquivalent,
        fields: {
            internal: { type: "int", required: true, forceNew: true },
            external: { type: "int", computed: true, forceNew: true },
            ip: { type: "string", default: "0.0.0.0", forceNew: true },
            protocol: { type: "string", default: "tcp", forceNew: true },
        },
    },
    mounts: {
        type: "objectSet",
        forceNew: true,
        fields: {
            target: { type: "string", required: true },
            source: { type: "string" },
            // Only volume mounts are modelled (bind/tmpfs options are not): kw's pattern is ^(bind|volume|tmpfs)$.
            type: { type: "string", required: true, validate: (t: string) => (t === "volume" ? undefined : `mount type '${t}' is not modelled (only volume)`) },
            readOnly: { type: "bool" },
        },
    },
    networksAdvanced: {
        type: "objectSet",
        forceNew: true,
        fields: {
            name: { type: "string", required: true, forceNew: true },
            aliases: { type: "stringSet", forceNew: true },
        },
    },
    uploads: {
        type: "objectSet",
        forceNew: true,
        fields: {
            file: { type: "string", required: true, forceNew: true },
            content: { type: "string", forceNew: true },
            contentBase64: { type: "string", forceNew: true },
            source: { type: "string", forceNew: true },
            sourceHash: { type: "string", forceNew: true },
            executable: { type: "bool", default: false, forceNew: true },
            permissions: { type: "string", forceNew: true, validate: matches(/^0[0-7]{3}$/) },
        },
    },
    healthcheck: {
        type: "object",
        computed: true,
        fields: {
            tests: { type: "stringList" },
            interval: { type: "string", default: "0s", validate: validDuration },
            timeout: { type: "string", default: "0s", validate: validDuration },
            startPeriod: { type: "string", default: "0s", validate: validDuration },
            startInterval: { type: "string", default: "0s", validate: validDuration },
            retries: { type: "int", default: 0, validate: atLeast(0) },
        },
    },
    restart: { type: "string", default: "no", validate: matches(/^(no|on-failure|always|unless-stopped)$/) },
    memory: { type: "int", validate: atLeast(0) },
    memorySwap: { type: "int", validate: atLeast(-1) },
    // No ValidateDiagFunc: a bad value fails at create (opts.ParseCPUs), not at preview.
    cpus: { type: "string", forceNew: true },
    init: { type: "bool", computed: true },
    destroyGraceSeconds: { type: "int" },
    wait: { type: "bool", default: false },
    waitTimeout: { type: "int", default: 60 },
    mustRun: { type: "bool", default: true },
    attach: { type: "bool", default: false },
    logs: { type: "bool", default: false },
    start: { type: "bool", default: true },
    removeVolumes: { type: "bool", default: true },
    networkMode: { type: "string", default: "bridge", forceNew: true },
    containerReadRefreshTimeoutMilliseconds: { type: "int", default: 15000 },
};

/** Computed-only attributes the model's Read fills (kw schema: exit_code, container_logs, network_data, bridge). */
const OUTPUTS_ONLY = ["exitCode", "containerLogs", "networkDatas", "bridge"];

/**
 * docker/cli v28.5.2 opts/opts.go ParseCPUs: a big.Rat times 1e9 that must be an integer. big.Rat.SetString's
 * decimal, exponent and a/b forms are modelled; base prefixes (0x…) are not and fail here too.
 */
export function parseCpus(value: string): bigint {
    const decimal = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(value);
    const fraction = /^([+-]?\d+)\/(\d+)$/.exec(value);
    let num: bigint;
    let den: bigint;
    if (fraction && BigInt(fraction[2]) !== 0n) {
        [num, den] = [BigInt(fraction[1]), BigInt(fraction[2])];
    } else if (decimal && (decimal[2] || decimal[3])) {
        const [, sign, whole, frac = "", exp = "0"] = decimal;
        num = BigInt(`${sign}${whole || "0"}${frac}`);
        den = 10n ** BigInt(frac.length);
        const e = Number(exp);
        if (e >= 0) num *= 10n ** BigInt(e);
        else den *= 10n ** BigInt(-e);
    } else {
        throw new Error(`failed to parse ${value} as a rational number`);
    }
    const nano = num * 1_000_000_000n;
    if (nano % den !== 0n) throw new Error("value is too precise");
    return nano / den;
}

/** Go big.Rat.FloatString(prec) of n/1e9: rounded to nearest, halves away from zero. */
function ratioFloatString(nano: bigint, prec: number): string {
    const negative = nano < 0n;
    const abs = negative ? -nano : nano;
    const scale = 10n ** BigInt(prec);
    const twice = (abs * scale * 2n) / 1_000_000_000n;
    const rounded = (twice + 1n) / 2n;
    const whole = rounded / scale;
    const frac = prec > 0 ? `.${(rounded % scale).toString().padStart(prec, "0")}` : "";
    return `${negative ? "-" : ""}${whole}${frac}`;
}

/**
 * kw helpers.go nanoInt64ToDecimalString, exactly: FloatString(9); if that has exactly nine "0" characters
 * (anywhere), FloatString(1); else trailing zeros trimmed. So 1e9 → "1.0", 0.5e9 → "0.5", 1.5e9 → "1.5",
 * 2.5e8 → "0.25", but 10e9 → "10." and 0.05e9 → "0.1".
 */
export function nanoToDecimalString(nano: bigint): string {
    if (nano === 0n) return "0";
    const nine = ratioFloatString(nano, 9);
    if ((nine.match(/0/g) ?? []).length === 9) return ratioFloatString(nano, 1);
    return nine.replace(/0+$/, "");
}

const nanos = (duration: string | undefined): number => Number(parseGoDuration(duration ?? "0s"));

/** moby client/errors.go NewVersionError: "%q requires API version %s, but the Docker daemon API version is %s". */
const versionLess = (a: string, b: string): boolean => {
    const [x, y] = [a.split(".").map(Number), b.split(".").map(Number)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
    return false;
};

/**
 * The ContainerCreate request as kw resource_docker_container_funcs.go resourceDockerContainerCreate builds it
 * (Config, HostConfig; NetworkingConfig empty: networks are connected after create).
 */
export function containerCreateRequest(planned: Props): Record<string, any> {
    const config: Record<string, any> = { Image: planned.image, Hostname: "", Domainname: "", Tty: false, OpenStdin: false };
    if (planned.envs?.length) config.Env = planned.envs;
    if (planned.command?.length) {
        // kw create: `values for command may not be empty`.
        if (planned.command.some((c: string) => c === "")) throw new Error("values for command may not be empty");
        config.Cmd = planned.command;
    }
    if (planned.entrypoints?.length) config.Entrypoint = planned.entrypoints;
    const ports: Port[] = planned.ports ?? [];
    if (ports.length) {
        // kw structures.go portSetToDockerPorts: "<internal>/<protocol>", a binding per port (ip and external set).
        config.ExposedPorts = Object.fromEntries(ports.map((p) => [`${p.internal}/${p.protocol}`, {}]));
    }
    if (planned.labels?.length) config.Labels = Object.fromEntries(planned.labels.map((l: any) => [l.label, l.value]));
    const hc = planned.healthcheck;
    if (hc) {
        config.Healthcheck = {
            Test: hc.tests ?? [],
            Interval: nanos(hc.interval),
            Timeout: nanos(hc.timeout),
            StartPeriod: nanos(hc.startPeriod),
            StartInterval: nanos(hc.startInterval),
            Retries: hc.retries ?? 0,
        };
    }
    const hostConfig: Record<string, any> = {
        Privileged: false,
        PublishAllPorts: false,
        RestartPolicy: { Name: planned.restart, MaximumRetryCount: 0 },
        Runtime: "",
        Mounts: (planned.mounts ?? []).map((m: any) => ({ Type: m.type, Target: m.target, Source: m.source ?? "", ReadOnly: !!m.readOnly })),
        AutoRemove: false,
        ReadonlyRootfs: false,
        LogConfig: { Type: "" },
        NetworkMode: planned.networkMode,
        // kw create: `init := d.Get("init").(bool); hostConfig.Init = &init`: false when unset, never the daemon's default.
        Init: planned.init === true,
    };
    if (ports.length) {
        const bindings: Record<string, any[]> = {};
        for (const p of ports) (bindings[`${p.internal}/${p.protocol}`] ??= []).push({ HostIp: p.ip, HostPort: p.external === undefined ? "" : String(p.external) });
        hostConfig.PortBindings = bindings;
    }
    // kw create: d.GetOk → only non-zero values are sent; MB inputs become bytes, memory_swap -1 stays -1.
    if (planned.memory) hostConfig.Memory = planned.memory * MB;
    if (planned.memorySwap) hostConfig.MemorySwap = planned.memorySwap > 0 ? planned.memorySwap * MB : planned.memorySwap;
    if (planned.cpus) {
        try {
            hostConfig.NanoCpus = Number(parseCpus(planned.cpus));
        } catch (e: any) {
            throw new Error(`Error setting cpus: ${e.message}`);
        }
    }
    return { name: planned.name, ...config, HostConfig: hostConfig, NetworkingConfig: {} };
}

/**
 * moby v28.5.2 client/container_create.go ContainerCreate: refuses, before any request, a healthcheck start
 * interval when the negotiated API version is below 1.44 (DESIGN trap 16).
 */
export function checkCreateVersionGates(request: Record<string, any>, apiVersion: string): void {
    if (request.Healthcheck?.StartInterval && versionLess(apiVersion, "1.44")) {
        throw new Error(`Unable to create container: "specify health-check start interval" requires API version 1.44, but the Docker daemon API version is ${apiVersion}`);
    }
}

/** kw create upload: the file mode: permissions (octal) first, else 0744 when executable, else 0644. */
export function uploadMode(upload: { permissions?: string; executable?: boolean }): number {
    if (upload.permissions) return parseInt(upload.permissions, 8);
    return upload.executable ? 0o744 : 0o644;
}

/** kw create upload: exactly one of content, content_base64, source; the bytes to write. */
function uploadContent(upload: any, cwd: string): Buffer {
    const given = [upload.content, upload.contentBase64, upload.source].filter((v) => v !== undefined && v !== "");
    if (given.length === 0) throw new Error("error with upload content: one of 'content', 'content_base64', or 'source' must be set");
    if (given.length > 1) throw new Error("error with upload content: only one of 'content', 'content_base64', or 'source' can be set");
    if (upload.content) return Buffer.from(upload.content, "utf8");
    if (upload.contentBase64) return Buffer.from(upload.contentBase64, "base64");
    try {
        return fs.readFileSync(path.resolve(cwd, upload.source));
    } catch (e: any) {
        throw new Error(`could not read file: ${e.message}`);
    }
}

/** One upload as kw create sends it: a one-entry tar (name as given, mode, mtime now) put at "/". */
function uploadArchive(upload: any, content: Buffer): tar.Pack {
    const pack = tar.pack();
    pack.entry({ name: upload.file, mode: uploadMode(upload), size: content.length, mtime: new Date() }, content);
    pack.finalize();
    return pack;
}

/** kw structures.go flattenContainerPorts: bindings sorted by port number, one entry per binding. */
function flattenContainerPorts(portMap: Record<string, { HostIp: string; HostPort: string }[] | null> | undefined): Port[] {
    const keys = Object.keys(portMap ?? {}).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    return keys.flatMap((key) => {
        const [internal, protocol] = key.split("/");
        return (portMap![key] ?? []).map((b) => ({ internal: parseInt(internal, 10), external: parseInt(b.HostPort, 10) || 0, ip: b.HostIp, protocol }));
    });
}

/**
 * kw resource_docker_container_funcs.go resourceDockerContainerRead: what state holds after create.
 * `planned` is the config with defaults (ResourceData before Read); inspect overrides what Read sets.
 */
export function readContainerState(planned: Props, info: Docker.ContainerInspectInfo): Props {
    const state: Props = { ...planned };
    const settings: any = info.NetworkSettings;
    if (settings) {
        state.bridge = settings.Bridge ?? "";
        // Ports are read back only when the program set some, and the container runs or must run.
        if ((info.State.Running || planned.mustRun) && planned.ports?.length) state.ports = flattenContainerPorts(settings.Ports);
        // kw structures.go flattenContainerNetworks.
        state.networkDatas = Object.entries(settings.Networks ?? {}).map(([networkName, n]: [string, any]) => ({
            networkName,
            ipAddress: n.IPAddress,
            ipPrefixLength: n.IPPrefixLen,
            gateway: n.Gateway,
            globalIpv6Address: n.GlobalIPv6Address,
            globalIpv6PrefixLength: n.GlobalIPv6PrefixLen,
            ipv6Gateway: n.IPv6Gateway,
            macAddress: n.MacAddress,
        }));
    }
    if (!info.State.Running) {
        state.exitCode = info.State.ExitCode;
        // A stopped container that must run: must_run false in state, so the next diff starts it (Update).
        if (planned.mustRun) state.mustRun = false;
    }
    state.name = info.Name.replace(/^\/+/, "");
    // An image ID input reads back as the container's image ID, anything else as Config.Image.
    state.image = String(planned.image).startsWith("sha256:") ? info.Image : info.Config.Image;
    state.command = info.Config.Cmd ?? [];
    state.entrypoints = info.Config.Entrypoint ?? [];
    state.restart = info.HostConfig.RestartPolicy?.Name ?? "";
    state.init = (info.HostConfig as any).Init ?? false;
    // kw structures.go getDockerContainerMounts (the model sends no mount options, so none come back).
    state.mounts = ((info.HostConfig as any).Mounts ?? []).map((m: any) => ({ target: m.Target, source: m.Source, type: m.Type, readOnly: !!m.ReadOnly }));
    state.memory = Math.trunc((info.HostConfig.Memory ?? 0) / MB);
    const swap = info.HostConfig.MemorySwap ?? 0;
    state.memorySwap = swap > 0 ? Math.trunc(swap / MB) : swap;
    const nano = BigInt((info.HostConfig as any).NanoCpus ?? 0);
    if (nano > 0n) state.cpus = nanoToDecimalString(nano);
    state.networkMode = info.HostConfig.NetworkMode;
    const hc: any = info.Config.Healthcheck;
    if (hc) {
        // Durations as Go's Duration.String(): "60s" reads back as "1m0s" (DESIGN trap 17).
        state.healthcheck = {
            tests: hc.Test ?? [],
            interval: formatGoDuration(BigInt(hc.Interval ?? 0)),
            timeout: formatGoDuration(BigInt(hc.Timeout ?? 0)),
            startPeriod: formatGoDuration(BigInt(hc.StartPeriod ?? 0)),
            startInterval: formatGoDuration(BigInt(hc.StartInterval ?? 0)),
            retries: hc.Retries ?? 0,
        };
    }
    // env, labels, uploads, networks_advanced are not read: state keeps the config.
    return state;
}

/** kw create `wait`: inspect at once, then every second, until healthy or `wait_timeout` seconds have passed. */
async function waitHealthy(container: Docker.Container, timeoutSeconds: number): Promise<void> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
        if (Date.now() >= deadline) throw new Error("container failed to be in healthy state");
        const info = await container.inspect();
        if (!info.State?.Health) {
            throw new Error("you have supplied a 'wait' argument, but the container does not have a healthcheck defined. Please remove the 'wait' argument or add a 'healthcheck' attribute");
        }
        if (info.State.Health.Status === "healthy") return;
        await sleep(Math.max(0, Math.min(1000, deadline - Date.now())));
    }
}

/** kw schema Timeouts.Create (20 min): the only bound on `attach`. */
const CREATE_TIMEOUT_MS = 20 * 60 * 1000;

/**
 * kw create `attach`: follow the logs (when `logs`) while waiting for not-running; stdout and stderr go to one
 * buffer (stdcopy.StdCopy(dst, dst, …)).
 */
async function attachUntilExit(engine: Engine, container: Docker.Container, collectLogs: boolean): Promise<string | undefined> {
    let logsDone: Promise<string> | undefined;
    if (collectLogs) {
        const stream = (await container.logs({ stdout: true, stderr: true, follow: true, timestamps: false })) as unknown as NodeJS.ReadableStream;
        const sink = new PassThrough();
        const chunks: Buffer[] = [];
        sink.on("data", (c: Buffer) => chunks.push(c));
        engine.docker.modem.demuxStream(stream, sink, sink);
        logsDone = new Promise((resolve, reject) => {
            stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
            stream.on("error", (e: Error) => reject(new Error(`unable to copy container logs: ${e.message}`)));
        });
    }
    let timer: NodeJS.Timeout | undefined;
    try {
        await Promise.race([
            container.wait({ condition: "not-running" }),
            new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("context deadline exceeded")), CREATE_TIMEOUT_MS))),
        ]);
    } catch (e: any) {
        throw new Error(`Unable to wait container end of execution: ${engineMessage(e)}`);
    } finally {
        clearTimeout(timer);
    }
    return logsDone ? await logsDone : undefined;
}

/** kw resource_docker_image_funcs.go findImage: local first; a missing image would be pulled, which this machine cannot do. */
async function findImage(engine: Engine, image: string): Promise<void> {
    try {
        await engine.docker.getImage(image).inspect();
    } catch (e: any) {
        if (e?.statusCode !== 404) throw e;
        throw new Error(`Unable to create container with image ${image}: unable to pull image ${image}: the model does not pull (no registry here): build or load the image locally`);
    }
}

async function createContainer(engine: Engine, name: string, news: Props): Promise<{ id: string; outputs: Props }> {
    const planned = withAllDefaults(CONTAINER_SCHEMA, news);
    // Pure steps first, so a refusal touches nothing. The provider looks the image up (read-only) before these;
    // only the order of errors differs when both the image is missing and a gate refuses.
    const request = containerCreateRequest(planned);
    checkCreateVersionGates(request, engine.apiVersion);
    await findImage(engine, planned.image);

    engine.log(`create  Container ${name} (${planned.name})`);
    let created: Docker.Container;
    try {
        created = await engine.docker.createContainer(request as Docker.ContainerCreateOptions);
    } catch (e: any) {
        throw new Error(`Unable to create container: ${engineMessage(e)}`);
    }
    const id = created.id;
    let containerLogs: string | undefined;
    try {
        await connectNetworks(engine, id, planned.networksAdvanced ?? []);
        for (const upload of planned.uploads ?? []) {
            const archive = uploadArchive(upload, uploadContent(upload, engine.cwd));
            await created.putArchive(archive as unknown as NodeJS.ReadableStream, { path: "/" }).catch((e: any) => {
                throw new Error(`Unable to upload volume content: ${engineMessage(e)}`);
            });
        }
        if (planned.start) {
            await created.start().catch((e: any) => {
                throw new Error(`Unable to start container: ${engineMessage(e)}`);
            });
            if (planned.wait) await waitHealthy(created, planned.waitTimeout);
        }
        if (planned.attach) containerLogs = await attachUntilExit(engine, created, planned.logs);
    } catch (e: any) {
        // The ID was set before the failure: SDKv2 Resource.Apply returns data.State() (the plan, no Read) with
        // the error, and the engine keeps the container in state (DESIGN trap 21).
        throw new PartialCreateError(e.message, { id, outputs: planned });
    }
    const state = readContainerState(planned, await created.inspect());
    if (containerLogs !== undefined) state.containerLogs = containerLogs;
    return { id, outputs: state };
}

/**
 * kw create networks_advanced: disconnect from the default "bridge" (ignoring "is not connected to the network
 * bridge"), then NetworkConnect each network with its aliases.
 */
async function connectNetworks(engine: Engine, id: string, networks: { name: string; aliases?: string[] }[]): Promise<void> {
    if (!networks.length) return;
    await engine.docker.getNetwork("bridge").disconnect({ Container: id, Force: false }).catch((e: any) => {
        if (!containsIgnorableErrorMessage(engineMessage(e), "is not connected to the network bridge")) {
            throw new Error(`Unable to disconnect the default network: ${engineMessage(e)}`);
        }
    });
    for (const network of networks) {
        const endpoint = { Aliases: network.aliases ?? [], IPAMConfig: { IPv4Address: "", IPv6Address: "", LinkLocalIPs: [] }, MacAddress: "", DriverOpts: {}, GwPriority: 0 };
        await engine.docker.getNetwork(network.name).connect({ Container: id, EndpointConfig: endpoint }).catch((e: any) => {
            throw new Error(`Unable to connect to network '${network.name}': ${engineMessage(e)}`);
        });
    }
}

/** kw resourceDockerContainerUpdate: these changes make one ContainerUpdate; all others change state only. */
const UPDATED_ON_ENGINE = ["restart", "memory", "memorySwap"];

/** The ContainerUpdate body kw Update sends (no MemorySwap unless memory_swap is set: DESIGN trap 19). */
export function containerUpdateRequest(planned: Props): Record<string, any> {
    const body: Record<string, any> = {
        RestartPolicy: { Name: planned.restart, MaximumRetryCount: 0 },
        CpuShares: 0,
        Memory: (planned.memory ?? 0) * MB,
        MemoryReservation: 0,
        CpusetCpus: "",
    };
    // Go sends MemorySwap 0 when unset, which the daemon reads as "unchanged" (moby v20.10.24
    // container/container_unix.go UpdateContainer): leaving it out is the same request.
    if (planned.memorySwap) body.MemorySwap = planned.memorySwap > 0 ? planned.memorySwap * MB : planned.memorySwap;
    return body;
}

/** ResourceData.HasChange: unset reads as the zero value. */
const hasChange = (key: string, old: Props, now: Props) => (key === "restart" ? (old[key] ?? "") !== (now[key] ?? "") : (old[key] ?? 0) !== (now[key] ?? 0));

async function updateContainer(engine: Engine, name: string, id: string, outputs: Props, news: Props): Promise<Props> {
    const planned = plannedState(CONTAINER_SCHEMA, outputs, news, OUTPUTS_ONLY);
    const container = engine.docker.getContainer(id);
    // kw Update: must_run false → true starts the container (when start).
    if (outputs.mustRun === false && planned.mustRun === true && planned.start) {
        engine.log(`start   Container ${name}`);
        await container.start().catch((e: any) => {
            throw new Error(`Unable to start container: ${engineMessage(e)}`);
        });
    }
    if (UPDATED_ON_ENGINE.some((k) => hasChange(k, outputs, planned))) {
        engine.log(`update  Container ${name}`);
        await container.update(containerUpdateRequest(planned)).catch((e: any) => {
            throw new Error(`Unable to update a container: ${engineMessage(e)}`);
        });
    }
    // Update returns without Read: state is the plan.
    return planned;
}

/**
 * kw resourceDockerContainerDelete: unless `attach`, ContainerStop with destroy_grace_seconds (0 when unset);
 * ContainerRemove force, RemoveVolumes from remove_volumes; then ContainerWait not-running. "No such container"
 * (and "is already in progress" for remove/wait) are ignored. The Go client takes 304 (already stopped) as success.
 */
async function deleteContainer(engine: Engine, name: string, id: string, outputs: Props): Promise<void> {
    const container = engine.docker.getContainer(id);
    engine.log(`delete  Container ${name}`);
    if (!outputs.attach) {
        const grace = outputs.destroyGraceSeconds > 0 ? outputs.destroyGraceSeconds : 0;
        await container.stop({ t: grace }).catch((e: any) => {
            if (e?.statusCode === 304) return;
            if (!containsIgnorableErrorMessage(engineMessage(e), "No such container")) throw new Error(`Error stopping container ${id}: ${engineMessage(e)}`);
        });
    }
    await container.remove({ v: outputs.removeVolumes !== false, force: true }).catch((e: any) => {
        if (!containsIgnorableErrorMessage(engineMessage(e), "No such container", "is already in progress")) throw new Error(`Error deleting container ${id}: ${engineMessage(e)}`);
    });
    await container.wait({ condition: "not-running" }).catch((e: any) => {
        if (!containsIgnorableErrorMessage(engineMessage(e), "No such container", "is already in progress")) throw new Error(`Error waiting for container removal '${id}': ${engineMessage(e)}`);
    });
}

export const containerModel: ResourceModel = {
    type: TYPE,
    async check(name, news) {
        return checkInputs(`${TYPE} ${name}`, CONTAINER_SCHEMA, news);
    },
    diff(_olds, outputs, news) {
        return diffState(CONTAINER_SCHEMA, outputs, news);
    },
    previewCreate(news) {
        return previewOfCreate(CONTAINER_SCHEMA, news);
    },
    previewUpdate(outputs, news) {
        return plannedState(CONTAINER_SCHEMA, outputs, news, OUTPUTS_ONLY);
    },
    create: createContainer,
    update(engine, name, id, outputs, news) {
        return updateContainer(engine, name, id, outputs, news);
    },
    delete: deleteContainer,
};
