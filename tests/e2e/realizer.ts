import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import dockerignore from "@balena/dockerignore";
import Docker from "dockerode";
import * as tar from "tar-stream";
import { T } from "../unit/harness";

/**
 * Test harness, not product: does on a real Docker engine what the Docker provider would do for the
 * `docker:*` resources the program declares, so the program can be proven without the Pulumi CLI.
 *
 * It keeps a small state file per stack: a second run keeps what is unchanged, replaces what changed
 * (delete before create, as the provider does for named objects) and deletes what is no longer declared;
 * `destroy` removes everything in reverse order, keeping what is marked `retainOnDelete`. Unknown types and
 * inputs fail the run with their name rather than being skipped.
 */

/** One object the realizer made, as recorded in the state file. */
export interface StateEntry {
    /** `type::name`, unique in a stack. */
    key: string;
    type: string;
    name: string;
    /** Engine ID (container/network/image ID, volume name). */
    id: string;
    /** Inputs it was made from (secrets included: the state file stays on this machine, mode 0600). */
    inputs: Record<string, any>;
    /** Outputs returned to the program. */
    outputs: Record<string, any>;
    retainOnDelete: boolean;
    /** `protect`: destroy and replacement refuse to delete it, as Pulumi does. */
    protect: boolean;
}

/** Resource options the mock's `newResource` does not see; read off the registration request instead. */
export interface RegistrationOptions {
    retainOnDelete: boolean;
    protect: boolean;
    deleteBeforeReplace: boolean;
}

/** Inputs each type may carry; anything else fails the run (the realizer would silently drop it). */
const KNOWN_INPUTS: Record<string, string[]> = {
    [T.network]: ["name", "driver", "labels"],
    [T.volume]: ["name", "driver", "labels"],
    [T.remoteImage]: ["name", "keepLocally"],
    [T.image]: ["imageName", "build", "skipPush", "buildOnPreview"],
    [T.password]: ["length", "special", "upper", "lower", "numeric", "overrideSpecial"],
    [T.container]: [
        "name", "image", "envs", "labels", "healthcheck", "ports", "mounts", "networksAdvanced", "restart",
        "uploads", "wait", "waitTimeout", "destroyGraceSeconds", "entrypoints", "command", "init", "memory", "cpus", "mustRun", "attach", "logs",
    ],
};

/** Logs one line per engine action, so a failed run shows what it did. */
export type Log = (line: string) => void;

/** Parses a Go-style duration ("5s", "1m30s", "500ms") into nanoseconds for the Engine API. */
export function durationNs(value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    const units: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
    let total = 0;
    const re = /(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g;
    let consumed = 0;
    for (let m = re.exec(value); m; m = re.exec(value)) {
        total += Number(m[1]) * units[m[2]];
        consumed += m[0].length;
    }
    if (consumed !== value.length || consumed === 0) throw new Error(`not a duration: ${JSON.stringify(value)}`);
    return Math.round(total);
}

function stable(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
    if (value && typeof value === "object") {
        return `{${Object.keys(value).filter((k) => (value as any)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stable((value as any)[k])}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

const labelsOf = (labels: { label: string; value: string }[] | undefined) =>
    Object.fromEntries((labels ?? []).map((l) => [l.label, l.value]));

/** Streams a build context honouring `.dockerignore`, with a Dockerfile from outside it added, as the provider does. */
function buildContext(contextDir: string, dockerfile: string): { stream: tar.Pack; dockerfileInContext: string } {
    const ignoreFile = path.join(contextDir, ".dockerignore");
    const ig = dockerignore({ ignorecase: false }).add(fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, "utf8") : "");
    const pack = tar.pack();
    const walk = (rel: string) => {
        for (const entry of fs.readdirSync(path.join(contextDir, rel), { withFileTypes: true })) {
            const relPath = rel ? `${rel}/${entry.name}` : entry.name;
            if (ig.ignores(relPath)) continue;
            const abs = path.join(contextDir, relPath);
            if (entry.isDirectory()) {
                pack.entry({ name: relPath, type: "directory", mode: 0o755 });
                walk(relPath);
            } else if (entry.isFile()) {
                const stat = fs.statSync(abs);
                pack.entry({ name: relPath, mode: stat.mode & 0o777, mtime: new Date(0) }, fs.readFileSync(abs));
            } else if (entry.isSymbolicLink()) {
                pack.entry({ name: relPath, type: "symlink", linkname: fs.readlinkSync(abs) });
            }
        }
    };
    walk("");
    const absDockerfile = path.resolve(dockerfile);
    const inside = path.relative(contextDir, absDockerfile);
    let dockerfileInContext = inside;
    if (inside.startsWith("..") || path.isAbsolute(inside)) {
        const content = fs.readFileSync(absDockerfile);
        dockerfileInContext = `.dockerfile.${crypto.createHash("sha256").update(content).digest("hex").slice(0, 20)}`;
        pack.entry({ name: dockerfileInContext, mode: 0o644 }, content);
    }
    pack.finalize();
    return { stream: pack, dockerfileInContext };
}

/** Applies the program's resources to the engine and keeps the stack's state. */
export class Realizer {
    private readonly state: Map<string, StateEntry>;
    /** Keys registered in this run, in registration order. */
    private readonly seen: string[] = [];
    private readonly stateFile: string;

    constructor(
        private readonly docker: Docker,
        stateDir: string,
        stack: string,
        /** Directory relative build paths are resolved from (the project root, as the CLI's cwd). */
        private readonly cwd: string,
        private readonly log: Log = () => undefined,
        /** Told how long each image build took (for the e2e's phase times). */
        private readonly timing: (phase: string, seconds: number) => void = () => undefined,
    ) {
        fs.mkdirSync(stateDir, { recursive: true });
        this.stateFile = path.join(stateDir, `${stack}.json`);
        const saved: StateEntry[] = fs.existsSync(this.stateFile) ? JSON.parse(fs.readFileSync(this.stateFile, "utf8")) : [];
        this.state = new Map(saved.map((e) => [e.key, e]));
    }

    /** What the state file holds now, in creation order. */
    entries(): StateEntry[] {
        return [...this.state.values()];
    }

    private save(): void {
        fs.writeFileSync(this.stateFile, JSON.stringify(this.entries(), null, 2), { mode: 0o600 });
    }

    /**
     * Creates, keeps or replaces one resource and returns its ID and outputs (the mock's `newResource`).
     * Images are built every run: the build cache makes an unchanged build cheap, and its image ID decides
     * whether dependents change, as the provider's `repoDigest` does.
     */
    async apply(type: string, name: string, inputs: Record<string, any>, options: RegistrationOptions): Promise<{ id: string; outputs: Record<string, any> }> {
        const known = KNOWN_INPUTS[type];
        if (!known) throw new Error(`realizer: resource type ${type} (${name}) is not supported`);
        const unknown = Object.keys(inputs).filter((k) => inputs[k] !== undefined && !known.includes(k));
        if (unknown.length) throw new Error(`realizer: ${type} ${name} has inputs it does not understand: ${unknown.join(", ")}`);

        const key = `${type}::${name}`;
        this.seen.push(key);
        const previous = this.state.get(key);

        if (type === T.image) {
            const id = await this.buildImage(name, inputs);
            const entry = { key, type, name, id, inputs, outputs: { ...inputs, repoDigest: id, imageName: inputs.imageName }, retainOnDelete: options.retainOnDelete, protect: options.protect };
            this.record(entry);
            return { id, outputs: entry.outputs };
        }

        if (previous && stable(previous.inputs) === stable(inputs) && (await this.exists(previous))) {
            previous.retainOnDelete = options.retainOnDelete;
            previous.protect = options.protect;
            this.log(`keep    ${type.split(":").pop()} ${name}`);
            return { id: previous.id, outputs: previous.outputs };
        }
        if (previous) {
            if (previous.protect) throw new Error(`realizer: ${type} ${name} is protected and would be replaced; unprotect it first (as Pulumi refuses)`);
            this.log(`replace ${type.split(":").pop()} ${name}`);
            await this.remove(previous, true);
            this.state.delete(key);
        }
        const { id, outputs } = await this.create(type, name, inputs);
        this.record({ key, type, name, id, inputs, outputs, retainOnDelete: options.retainOnDelete, protect: options.protect });
        return { id, outputs };
    }

    private record(entry: StateEntry): void {
        this.state.delete(entry.key);
        this.state.set(entry.key, entry);
        this.save();
    }

    /** After a run: deletes what the program no longer declares, newest first (as `pulumi up` does). */
    async pruneUndeclared(): Promise<void> {
        for (const entry of this.entries().reverse()) {
            if (!this.seen.includes(entry.key)) {
                if (entry.protect) throw new Error(`realizer: ${entry.type} ${entry.name} is no longer declared but protected; unprotect it first (as Pulumi refuses)`);
                this.log(`delete  ${entry.type.split(":").pop()} ${entry.name} (no longer declared)`);
                await this.remove(entry, false);
                this.state.delete(entry.key);
                this.save();
            }
        }
    }

    /**
     * Removes everything, newest first, leaving on the engine what is marked `retainOnDelete`, as `pulumi destroy`
     * does. Like Pulumi it refuses while something is protected, unless `excludeProtected`
     * (`pulumi destroy --exclude-protected`), which keeps protected objects, in the state and on the engine.
     */
    async destroy(excludeProtected: boolean): Promise<void> {
        const protectedEntries = this.entries().filter((e) => e.protect);
        if (protectedEntries.length && !excludeProtected) {
            throw new Error(`realizer: ${protectedEntries.map((e) => e.name).join(", ")} protected; destroy refuses (use --exclude-protected to keep them and remove the rest)`);
        }
        for (const entry of this.entries().reverse()) {
            if (entry.protect) {
                this.log(`keep    ${entry.type.split(":").pop()} ${entry.name} (protected)`);
                continue;
            }
            this.log(`delete  ${entry.type.split(":").pop()} ${entry.name}${entry.retainOnDelete ? " (retained on the engine)" : ""}`);
            await this.remove(entry, false);
            this.state.delete(entry.key);
            this.save();
        }
        if (this.state.size === 0) fs.rmSync(this.stateFile, { force: true });
    }

    private async exists(entry: StateEntry): Promise<boolean> {
        try {
            switch (entry.type) {
                case T.network:
                    await this.docker.getNetwork(entry.id).inspect();
                    return true;
                case T.volume:
                    await this.docker.getVolume(entry.id).inspect();
                    return true;
                case T.container:
                    await this.docker.getContainer(entry.id).inspect();
                    return true;
                case T.remoteImage:
                    await this.docker.getImage(entry.id).inspect();
                    return true;
                default:
                    return true;
            }
        } catch {
            return false;
        }
    }

    /** Deletes one object. `replacing`: a replacement, where retainOnDelete still keeps the old object. */
    private async remove(entry: StateEntry, replacing: boolean): Promise<void> {
        const ignoreMissing = (e: any) => {
            if (e?.statusCode !== 404) throw e;
        };
        switch (entry.type) {
            case T.container: {
                const container = this.docker.getContainer(entry.id);
                const grace = entry.inputs.destroyGraceSeconds;
                if (grace) await container.stop({ t: grace }).catch((e: any) => (e?.statusCode === 304 ? undefined : ignoreMissing(e)));
                await container.remove({ force: true, v: true }).catch(ignoreMissing);
                return;
            }
            case T.network:
                await this.docker.getNetwork(entry.id).remove().catch(ignoreMissing);
                return;
            case T.volume:
                if (entry.retainOnDelete) return;
                await this.docker.getVolume(entry.id).remove().catch(ignoreMissing);
                return;
            case T.remoteImage:
                if (entry.inputs.keepLocally) return;
                await this.docker.getImage(entry.id).remove().catch(ignoreMissing);
                return;
            case T.image:
                // The provider's Delete for docker.Image does nothing: built images stay on the engine.
                return;
            case T.password:
                return;
            default:
                throw new Error(`realizer: cannot delete ${entry.type}${replacing ? " for a replacement" : ""}`);
        }
    }

    private async create(type: string, name: string, inputs: Record<string, any>): Promise<{ id: string; outputs: Record<string, any> }> {
        const kind = type.split(":").pop();
        this.log(`create  ${kind} ${name}`);
        switch (type) {
            case T.network: {
                const network = await this.docker.createNetwork({ Name: inputs.name, Driver: inputs.driver ?? "bridge", Labels: labelsOf(inputs.labels), CheckDuplicate: true });
                return { id: network.id, outputs: { ...inputs } };
            }
            case T.volume: {
                const volume = await this.docker.createVolume({ Name: inputs.name, Driver: inputs.driver ?? "local", Labels: labelsOf(inputs.labels) });
                return { id: (volume as any).name ?? inputs.name, outputs: { ...inputs } };
            }
            case T.remoteImage: {
                try {
                    const info = await this.docker.getImage(inputs.name).inspect();
                    return { id: info.Id, outputs: { ...inputs, imageId: info.Id, repoDigest: info.RepoDigests?.[0] ?? info.Id } };
                } catch {
                    throw new Error(`realizer: image ${inputs.name} is not on the engine, and this machine cannot pull (build it locally and set it in config)`);
                }
            }
            case T.password: {
                const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + (inputs.special ? (inputs.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?") : "");
                const bytes = crypto.randomBytes(inputs.length);
                const result = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
                return { id: crypto.randomUUID(), outputs: { ...inputs, result } };
            }
            case T.container:
                return this.createContainer(name, inputs);
            default:
                throw new Error(`realizer: cannot create ${type}`);
        }
    }

    private async buildImage(name: string, inputs: Record<string, any>): Promise<string> {
        const build = inputs.build ?? {};
        const unknown = Object.keys(build).filter((k) => !["context", "dockerfile", "args", "target"].includes(k));
        if (unknown.length) throw new Error(`realizer: image ${name} has build inputs it does not understand: ${unknown.join(", ")}`);
        const contextDir = path.resolve(this.cwd, build.context ?? ".");
        const dockerfile = path.resolve(this.cwd, build.dockerfile ?? path.join(build.context ?? ".", "Dockerfile"));
        const { stream, dockerfileInContext } = buildContext(contextDir, dockerfile);
        const started = Date.now();
        const response: NodeJS.ReadableStream = await this.docker.buildImage(stream as unknown as NodeJS.ReadableStream, {
            t: inputs.imageName,
            dockerfile: dockerfileInContext,
            buildargs: build.args ?? {},
            target: build.target,
            rm: true,
            forcerm: true,
        } as Docker.ImageBuildOptions);
        const output: any[] = await new Promise((resolve, reject) => this.docker.modem.followProgress(response, (err: any, res: any[]) => (err ? reject(err) : resolve(res))));
        const failed = output.find((o) => o.error || o.errorDetail);
        if (failed) {
            const tail = output.map((o) => o.stream ?? "").join("").split("\n").slice(-30).join("\n");
            throw new Error(`realizer: building ${inputs.imageName} failed: ${failed.error ?? failed.errorDetail?.message}\n${tail}`);
        }
        const info = await this.docker.getImage(inputs.imageName).inspect();
        const seconds = (Date.now() - started) / 1000;
        this.log(`build   Image ${name} → ${info.Id.slice(7, 19)} in ${seconds.toFixed(1)} s`);
        this.timing(`build ${inputs.imageName}`, seconds);
        return info.Id;
    }

    private async createContainer(name: string, inputs: Record<string, any>): Promise<{ id: string; outputs: Record<string, any> }> {
        const networks: { name: string; aliases?: string[] }[] = inputs.networksAdvanced ?? [];
        const ports: { internal: number; external?: number; ip?: string; protocol?: string }[] = inputs.ports ?? [];
        const exposed: Record<string, object> = {};
        const bindings: Record<string, { HostIp?: string; HostPort?: string }[]> = {};
        for (const p of ports) {
            const key = `${p.internal}/${p.protocol ?? "tcp"}`;
            exposed[key] = {};
            (bindings[key] ??= []).push({ HostIp: p.ip ?? "0.0.0.0", HostPort: p.external ? String(p.external) : "" });
        }
        const hc = inputs.healthcheck;
        if (hc) {
            const unknown = Object.keys(hc).filter((k) => !["tests", "interval", "timeout", "startPeriod", "startInterval", "retries"].includes(k));
            if (unknown.length) throw new Error(`realizer: container ${name} healthcheck has inputs it does not understand: ${unknown.join(", ")}`);
        }
        for (const m of inputs.mounts ?? []) {
            if (m.type !== "volume") throw new Error(`realizer: container ${name} mount type ${m.type} is not supported`);
        }
        const container = await this.docker.createContainer({
            name: inputs.name,
            Image: inputs.image,
            Env: inputs.envs ?? [],
            Entrypoint: inputs.entrypoints,
            Cmd: inputs.command,
            Labels: labelsOf(inputs.labels),
            ExposedPorts: exposed,
            Healthcheck: hc
                ? {
                      Test: hc.tests,
                      Interval: durationNs(hc.interval),
                      Timeout: durationNs(hc.timeout),
                      StartPeriod: durationNs(hc.startPeriod),
                      StartInterval: durationNs(hc.startInterval),
                      Retries: hc.retries,
                  }
                : undefined,
            HostConfig: {
                PortBindings: bindings,
                Mounts: (inputs.mounts ?? []).map((m: any) => ({ Type: m.type, Source: m.source, Target: m.target, ReadOnly: !!m.readOnly })),
                RestartPolicy: { Name: inputs.restart ?? "no" },
                Init: inputs.init ?? false,
                Memory: inputs.memory ? inputs.memory * 1024 * 1024 : undefined,
                NanoCpus: inputs.cpus ? Math.round(Number(inputs.cpus) * 1e9) : undefined,
                NetworkMode: networks[0]?.name ?? "bridge",
            },
            NetworkingConfig: networks[0] ? { EndpointsConfig: { [networks[0].name]: { Aliases: networks[0].aliases ?? [] } } } : undefined,
        } as any);
        for (const extra of networks.slice(1)) {
            await this.docker.getNetwork(extra.name).connect({ Container: container.id, EndpointConfig: { Aliases: extra.aliases ?? [] } });
        }
        if (inputs.uploads?.length) {
            const pack = tar.pack();
            for (const u of inputs.uploads) {
                const mode = u.permissions ? parseInt(u.permissions, 8) : u.executable ? 0o755 : 0o644;
                pack.entry({ name: u.file.replace(/^\/+/, ""), mode }, Buffer.from(u.content ?? "", "utf8"));
            }
            pack.finalize();
            await container.putArchive(pack as any, { path: "/" });
        }
        await container.start();
        if (inputs.attach) {
            // As the provider: wait for the end of its run, then report its exit code (and its output, with logs).
            const result = await Promise.race([
                container.wait() as Promise<{ StatusCode: number }>,
                new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`realizer: ${inputs.name} still running after 600 s`)), 600_000)),
            ]);
            const logs = inputs.logs ? String(await container.logs({ stdout: true, stderr: true, follow: false })) : undefined;
            this.log(`ran     ${inputs.name}: exit ${result.StatusCode}`);
            return { id: container.id, outputs: { ...inputs, exitCode: result.StatusCode, containerLogs: logs } };
        }
        if (inputs.wait) await this.waitHealthy(container, inputs.name, (inputs.waitTimeout ?? 60) * 1000);
        const info = await container.inspect();
        if (!info.State.Running && inputs.mustRun !== false) throw new Error(`realizer: container ${inputs.name} is not running (exit code ${info.State.ExitCode})`);
        return { id: container.id, outputs: { ...inputs } };
    }

    private async waitHealthy(container: Docker.Container, name: string, timeoutMs: number): Promise<void> {
        const started = Date.now();
        for (;;) {
            const info = await container.inspect();
            const health = info.State.Health?.Status;
            if (health === "healthy") {
                this.log(`healthy ${name} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
                return;
            }
            if (!info.State.Running && !info.State.Restarting) {
                const logs = String(await container.logs({ stdout: true, stderr: true, tail: 30, follow: false }));
                throw new Error(`realizer: container ${name} exited (code ${info.State.ExitCode}) before it was healthy:\n${logs}`);
            }
            if (Date.now() - started > timeoutMs) {
                const last = info.State.Health?.Log?.slice(-1)[0]?.Output ?? "";
                throw new Error(`realizer: container ${name} not healthy after ${timeoutMs / 1000} s (status ${health}); last probe: ${last}`);
            }
            await new Promise((resolve) => setTimeout(resolve, 250));
        }
    }
}
