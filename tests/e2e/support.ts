import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { PassThrough } from "stream";
import Docker from "dockerode";
import { STACK_LABEL } from "../../components/labels";
import { stackConfig } from "../unit/harness";
import type { DeployJob } from "./deploy";

/** Root of the project. */
export const ROOT = path.resolve(__dirname, "../..");
/** Where the e2e keeps deploy state, outputs and the phase log; outside the repo. */
export const WORK_DIR = process.env.NEXTSTACK_E2E_WORK ?? path.join(os.tmpdir(), "nextstack-e2e");
export const docker = new Docker();

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
 */
export function e2eConfig(stackFile: string, overrides: Record<string, string | number | boolean>): Record<string, string> {
    const images = baseImages();
    const config: Record<string, string> = {
        ...stackConfig(stackFile),
        "nextstack:dbImage": images.postgres,
        "nextstack:postgresVersion": "18",
        "nextstack:appBaseImage": images.node,
        "nextstack:proxyBaseImage": images.nginx,
        // Docker 20.10 here ignores startInterval: the first probe comes one interval after start.
        "nextstack:healthcheckInterval": "2",
    };
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

/** `pulumi up` for a stack, through the realizer in its own process. Returns the stack outputs. */
export async function up(stack: string, config: Record<string, string>): Promise<Record<string, any>> {
    // As `pulumi config set --secret dbPassword` would mark it.
    const secretKeys = "nextstack:dbPassword" in config ? ["nextstack:dbPassword"] : [];
    return runDeploy({ command: "up", stack, config, secretKeys });
}

/** `pulumi destroy` for a stack (`excludeProtected`: `pulumi destroy --exclude-protected`). */
export async function destroy(stack: string, options: { excludeProtected?: boolean } = {}): Promise<void> {
    await runDeploy({ command: "destroy", stack, config: {}, secretKeys: [], excludeProtected: options.excludeProtected });
}

async function runDeploy(job: Omit<DeployJob, "stateDir" | "outputsFile">): Promise<Record<string, any>> {
    fs.mkdirSync(WORK_DIR, { recursive: true });
    const outputsFile = path.join(WORK_DIR, `${job.stack}.outputs.json`);
    fs.rmSync(outputsFile, { force: true });
    const jobFile = path.join(WORK_DIR, `${job.stack}.job.json`);
    fs.writeFileSync(jobFile, JSON.stringify({ ...job, stateDir: path.join(WORK_DIR, "state"), outputsFile }), { mode: 0o600 });
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
    return job.command === "up" ? JSON.parse(fs.readFileSync(outputsFile, "utf8")) : {};
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
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

/** Runs a command in a container; returns exit code and output. */
export async function exec(container: string, cmd: string[]): Promise<{ code: number; output: string }> {
    const e = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await e.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on("data", (c: Buffer) => chunks.push(c));
    docker.modem.demuxStream(stream, out, out);
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
