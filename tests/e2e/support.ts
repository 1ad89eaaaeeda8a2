import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { PassThrough } from "stream";
import Docker from "dockerode";
import { STACK_LABEL } from "../../components/labels";
import { CONFIG_KEYS } from "../../components/settings";
import { stackConfig } from "../unit/harness";
import type { DeployJob } from "./deploy";
import type { Step } from "./planner";

/** Root of the project. */
export const ROOT = path.resolve(__dirname, "../..");
/** Where the e2e keeps deploy state, outputs and the phase log; outside the repo. */
export const WORK_DIR = process.env.NEXTSTACK_E2E_WORK ?? path.join(os.tmpdir(), "nextstack-e2e");
/** The engine under test: the host's, or the inner one when `DOCKER_HOST` is set (by the global setup). */
export const docker = new Docker();

/** The engines the e2e runs on (`NEXTSTACK_E2E_ENGINE`); see globalSetup.ts. */
export type E2eEngine = "debian" | "current";

/** `NEXTSTACK_E2E_ENGINE`: `debian` (default, the host's 20.10) or `current` (28.x in a container on it). */
export function e2eEngine(): E2eEngine {
    const engine = process.env.NEXTSTACK_E2E_ENGINE || "debian";
    if (engine !== "debian" && engine !== "current") throw new Error(`NEXTSTACK_E2E_ENGINE: expected debian or current, got ${JSON.stringify(engine)}`);
    return engine;
}

/** The Engine API version of the engine under test, as `[major, minor]` (set by the global setup). */
export function engineApiVersion(): [number, number] {
    const value = process.env.NEXTSTACK_E2E_API_VERSION ?? "";
    const match = /^(\d+)\.(\d+)$/.exec(value);
    if (!match) throw new Error(`NEXTSTACK_E2E_API_VERSION is ${JSON.stringify(value)}: run the e2e through jest (its global setup asks the engine)`);
    return [Number(match[1]), Number(match[2])];
}

/** Whether the engine's API is older than `major.minor`. */
export function apiBelow(major: number, minor: number): boolean {
    const [m, n] = engineApiVersion();
    return m < major || (m === major && n < minor);
}

/** Base images built by tests/e2e/setup/base-images.sh (set by the global setup). */
export function baseImages(): { postgres: string; nginx: string; node: string } {
    const get = (name: string) => {
        const value = process.env[name];
        if (!value) throw new Error(`${name} is not set: run the e2e through jest (its global setup builds the base images)`);
        return value;
    };
    return { postgres: get("NEXTSTACK_E2E_POSTGRES_IMAGE"), nginx: get("NEXTSTACK_E2E_NGINX_IMAGE"), node: get("NEXTSTACK_E2E_NODE_IMAGE") };
}

/**
 * A stack's config for the e2e: the real stack file, with the base images pointed at the local stand-ins
 * (as a user pins a mirror) and the published ports moved to free ones.
 *
 * Healthcheck timing follows the engine's API version: the healthcheck start interval needs API 1.44
 * (Docker 25). Older engines ignore it, so their first probe comes one interval after start: the interval
 * is shortened to 2 s there; and the Docker Go client refuses a start interval below API 1.44, so
 * `healthcheckStartInterval` is 0 (not set) there, once the program has that key.
 */
export function e2eConfig(stackFile: string, overrides: Record<string, string | number | boolean>): Record<string, string> {
    const images = baseImages();
    const config: Record<string, string> = {
        ...stackConfig(stackFile),
        "nextstack:dbImage": images.postgres,
        "nextstack:postgresVersion": "18",
        "nextstack:appBaseImage": images.node,
        "nextstack:proxyBaseImage": images.nginx,
    };
    if (apiBelow(1, 44)) {
        config["nextstack:healthcheckInterval"] = "2";
        if ("healthcheckStartInterval" in CONFIG_KEYS) config["nextstack:healthcheckStartInterval"] = "0";
    }
    for (const [key, value] of Object.entries(overrides)) config[`nextstack:${key}`] = String(value);
    return config;
}

/** Appends one timed phase to the phase log (printed by the global teardown). */
export function recordPhase(name: string, seconds: number): void {
    fs.mkdirSync(WORK_DIR, { recursive: true });
    fs.appendFileSync(path.join(WORK_DIR, "phases.log"), `${name}\t${seconds.toFixed(1)}\n`);
}

/** Runs `fn`, records how long it took under `name`. */
export async function phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
        return await fn();
    } finally {
        recordPhase(name, (Date.now() - started) / 1000);
    }
}

/** Records the time the tests of the enclosing `describe` (or file) take, after its `beforeAll`, as a "checks" phase. */
export function timeChecks(name: string): void {
    let started = 0;
    beforeAll(() => {
        started = Date.now();
    });
    afterAll(() => recordPhase(`checks: ${name}`, (Date.now() - started) / 1000));
}

/**
 * `pulumi up` for a stack, through the provider model in its own process. Returns the stack outputs. As the CLI
 * does by default, a preview runs first, and an error in it (a protected resource that would be replaced, an
 * input the provider refuses) stops the update before anything changes; `skipPreview` is `--skip-preview`.
 */
export async function up(stack: string, config: Record<string, string>, options: { skipPreview?: boolean } = {}): Promise<Record<string, any>> {
    if (!options.skipPreview) await preview(stack, config);
    return (await runDeploy({ command: "up", stack, config, secretKeys: secretKeysOf(config) })).outputs;
}

/** `pulumi preview` for a stack: the plan, with nothing applied (the engine is not touched). */
export async function preview(stack: string, config: Record<string, string>): Promise<Step[]> {
    return (await runDeploy({ command: "preview", stack, config, secretKeys: secretKeysOf(config) })).steps;
}

/** The steps the last `up`, `preview` or `destroy` of a stack decided (written even when it failed). */
export function lastSteps(stack: string): Step[] {
    return JSON.parse(fs.readFileSync(path.join(WORK_DIR, `${stack}.plan.json`), "utf8"));
}

/** `pulumi destroy` for a stack (`excludeProtected`: `pulumi destroy --exclude-protected`). */
export async function destroy(stack: string, options: { excludeProtected?: boolean } = {}): Promise<void> {
    await runDeploy({ command: "destroy", stack, config: {}, secretKeys: [], excludeProtected: options.excludeProtected });
}

/** Keys set as secrets, as `pulumi config set --secret` would mark them. */
function secretKeysOf(config: Record<string, string>): string[] {
    return Object.entries(CONFIG_KEYS)
        .filter(([, spec]) => "secret" in spec && spec.secret)
        .map(([key]) => `nextstack:${key}`)
        .filter((key) => key in config);
}

async function runDeploy(job: Omit<DeployJob, "stateDir" | "outputsFile" | "planFile">): Promise<{ outputs: Record<string, any>; steps: Step[] }> {
    fs.mkdirSync(WORK_DIR, { recursive: true });
    const outputsFile = path.join(WORK_DIR, `${job.stack}.outputs.json`);
    const planFile = path.join(WORK_DIR, `${job.stack}.plan.json`);
    fs.rmSync(outputsFile, { force: true });
    fs.rmSync(planFile, { force: true });
    const jobFile = path.join(WORK_DIR, `${job.stack}.job.json`);
    fs.writeFileSync(jobFile, JSON.stringify({ ...job, stateDir: path.join(WORK_DIR, "state"), outputsFile, planFile }), { mode: 0o600 });
    const started = Date.now();
    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join(__dirname, "deploy.ts"), jobFile],
            { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60 * 1000 },
            (err, out, errOut) => resolve({ stdout: out, stderr: errOut, code: err ? ((err as any).code ?? 1) : 0 }),
        );
    });
    recordPhase(`${job.command} ${job.stack}`, (Date.now() - started) / 1000);
    process.stdout.write(`--- ${job.command} ${job.stack} (${((Date.now() - started) / 1000).toFixed(1)} s)\n${stdout}`);
    if (code !== 0) throw new Error(`${job.command} ${job.stack} failed (exit ${code}):\n${stdout}\n${stderr}`);
    const steps: Step[] = fs.existsSync(planFile) ? JSON.parse(fs.readFileSync(planFile, "utf8")) : [];
    return { outputs: job.command === "up" ? JSON.parse(fs.readFileSync(outputsFile, "utf8")) : {}, steps };
}

/** Ports this test file has handed out on the current engine (its stacks may not have published them yet). */
const handedOut = new Set<number>();

/**
 * A TCP port free on 127.0.0.1 right now, to publish a stack's port on and reach it at 127.0.0.1:<port>.
 *
 * On the current engine, published ports live in the network namespace of its container: only the ports of
 * `NEXTSTACK_E2E_CURRENT_PORTS` are forwarded from the host's 127.0.0.1 (engine-current.sh), so the port comes
 * from that range: one no container of that engine publishes and this file has not handed out yet.
 */
export async function freePort(): Promise<number> {
    if (e2eEngine() === "current") return freePortInRange();
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

async function freePortInRange(): Promise<number> {
    const range = /^(\d+)-(\d+)$/.exec(process.env.NEXTSTACK_E2E_CURRENT_PORTS ?? "");
    if (!range) throw new Error("NEXTSTACK_E2E_CURRENT_PORTS is not set: run the e2e through jest (its global setup starts the current engine)");
    const published = new Set<number>();
    for (const c of await docker.listContainers({ all: true })) for (const p of c.Ports ?? []) if (p.PublicPort) published.add(p.PublicPort);
    for (let port = Number(range[1]); port <= Number(range[2]); port++) {
        if (!published.has(port) && !handedOut.has(port)) {
            handedOut.add(port);
            return port;
        }
    }
    throw new Error(`no free port left in NEXTSTACK_E2E_CURRENT_PORTS=${process.env.NEXTSTACK_E2E_CURRENT_PORTS}`);
}

/**
 * Kills a container's main process with SIGKILL from outside the container, as a crash would (unlike
 * `docker kill`, after which the engine does not restart the container). `pid` is the container's
 * `State.Pid`, a PID in the engine's own PID namespace: the host's for the host engine; for the current
 * engine, its container's, so the kill runs there (through the host engine).
 */
export async function killFromEngineHost(pid: number): Promise<void> {
    if (!Number.isInteger(pid) || pid <= 1) throw new Error(`not a container's process: ${pid}`);
    if (e2eEngine() === "debian") {
        process.kill(pid, "SIGKILL");
        return;
    }
    const container = process.env.NEXTSTACK_E2E_CURRENT_CONTAINER;
    if (!container) throw new Error("NEXTSTACK_E2E_CURRENT_CONTAINER is not set: run the e2e through jest");
    // host: undefined, or docker-modem takes DOCKER_HOST (the inner engine) over socketPath.
    const hostEngine = new Docker({ socketPath: "/var/run/docker.sock", host: undefined });
    const { code, output } = await exec(container, ["sh", "-c", `kill -9 ${pid}`], hostEngine);
    if (code !== 0) throw new Error(`kill -9 ${pid} in ${container} exited with ${code}: ${output}`);
}

/** One HTTP response, read whole. */
export interface HttpResult {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
    ms: number;
}

/** An HTTP request to 127.0.0.1 with a hard time limit; resolves status 0 on a connection error. */
export function request(port: number, pathName: string, options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<HttpResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const req = http.request(
            { host: "127.0.0.1", port, path: pathName, method: options.method ?? "GET", headers: options.headers, agent: false },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8"), ms: Date.now() - started }));
                res.on("error", reject);
            },
        );
        req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`timeout after ${options.timeoutMs ?? 10_000} ms: ${pathName}`)));
        req.on("error", (err: any) => (/timeout after/.test(err.message) ? reject(err) : resolve({ status: 0, headers: {}, body: String(err.code ?? err.message), ms: Date.now() - started })));
        if (options.body) req.write(options.body);
        req.end();
    });
}

/** Polls `check` every `intervalMs` until it returns true or `timeoutMs` passes; returns the seconds it took. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<number> {
    const started = Date.now();
    for (;;) {
        if (await check().catch(() => false)) return (Date.now() - started) / 1000;
        if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
}

/** Runs a command in a container (of the engine under test unless `engine` is given); returns exit code and output. */
export async function exec(container: string, cmd: string[], engine: Docker = docker): Promise<{ code: number; output: string }> {
    const e = await engine.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await e.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on("data", (c: Buffer) => chunks.push(c));
    engine.modem.demuxStream(stream, out, out);
    await new Promise((resolve) => stream.on("end", resolve));
    const info = await e.inspect();
    return { code: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString("utf8") };
}

/** Docker objects labelled with a stack, by kind. */
export async function labelled(stack: string): Promise<{ containers: string[]; networks: string[]; volumes: string[]; images: string[] }> {
    const filters = { label: [`${STACK_LABEL}=${stack}`] };
    const [containers, networks, volumes, images] = await Promise.all([
        docker.listContainers({ all: true, filters }),
        docker.listNetworks({ filters }),
        docker.listVolumes({ filters }),
        docker.listImages({ filters }),
    ]);
    return {
        containers: containers.map((c) => c.Names[0].replace(/^\//, "")),
        networks: networks.map((n) => n.Name),
        volumes: (volumes.Volumes ?? []).map((v) => v.Name),
        images: images.map((i) => (i.RepoTags ?? [i.Id]).join(",")),
    };
}

/**
 * What `npm run images:prune` does after `pulumi destroy`: the provider leaves built images on the engine,
 * so the stack's images (found by their label) are removed.
 */
export async function pruneStackImages(stack: string): Promise<void> {
    for (const image of await docker.listImages({ filters: { label: [`${STACK_LABEL}=${stack}`] } })) {
        await docker.getImage(image.Id).remove({ force: true });
    }
}

/** Removes everything a test stack may have left, protected or not (state, containers, networks, volumes, images). */
export async function wipeStack(stack: string): Promise<void> {
    fs.rmSync(path.join(WORK_DIR, "state", `${stack}.json`), { force: true });
    const filters = { label: [`${STACK_LABEL}=${stack}`] };
    for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true, v: true });
    for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove();
    for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await docker.getVolume(v.Name).remove();
    await pruneStackImages(stack);
}
