import { execFile } from "child_process";
import { createHash, randomBytes } from "crypto";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as tls from "tls";
import { ROLE_LABEL, STACK_LABEL } from "../components/labels";

/**
 * Smoke test of a deployed stack, through its proxy, as a user reaches it:
 *
 *   npm run smoke -- <base-url> [--stack <name>] [--ws-path <path>] [--health-path <path>] [--timeout-ms <ms>]
 *
 * 1. `/` answers 200;
 * 2. `/api/health` answers 200 (the app reached its database);
 * 3. a `/_next/static` asset named by the page carries `cache-control: public, max-age=31536000, immutable`, and the
 *    second request for it is a proxy cache HIT (`x-cache-status`);
 * 4. a websocket upgrade passes the proxy. With `--ws-path` (an app with a websocket endpoint) the handshake must
 *    end in `101 Switching Protocols` with the right `Sec-WebSocket-Accept`. Without it (this project's app:
 *    Next.js' standalone server has no websocket endpoint) what can be checked honestly is that the proxy forwards
 *    `Upgrade` to the app: Next.js ends every upgrade request it has no handler for without answering
 *    (vercel/next.js packages/next/src/server/lib/router-server.ts, upgradeHandler: `socket.end()`), which nginx
 *    reports as `502`, while a proxy that dropped the header would have had the page rendered (`200`). So a 101,
 *    or a 502 while the plain `/` answers 200, passes; the page itself fails. (A real 101 through this proxy image
 *    and config is proven by the e2e, against an echo upstream.)
 * 5. with `--stack` and a Docker engine (`DOCKER_HOST` or the local socket): of the containers labelled
 *    `nextstack.stack=<stack>`, only the proxy publishes ports.
 *
 * Every request is bounded (`--timeout-ms`, default 10 s). Each check prints one line; the exit code is 1 when any
 * failed, each with the reason.
 */

/** What to check. */
export interface SmokeOptions {
    /** Base URL of the proxy, such as http://127.0.0.1:3000. */
    baseUrl: string;
    /** Stack whose containers are inspected for published ports; skipped when undefined. */
    stack?: string;
    /** Path of an app websocket endpoint, which must answer the handshake with 101. */
    wsPath?: string;
    /** Path of the app's health endpoint. Default /api/health. */
    healthPath?: string;
    /** Limit of each request, in ms. Default 10 000. */
    timeoutMs?: number;
    /** Runs the docker CLI and returns its stdout (tests replace it). */
    docker?: (args: string[]) => Promise<string>;
}

/** The outcome of one check. */
export interface CheckResult {
    name: string;
    ok: boolean;
    /** What was seen, or why it failed. */
    detail: string;
}

/** The header value the proxy sets on `/_next/static` (components/nginxConf.ts). */
export const IMMUTABLE = "public, max-age=31536000, immutable";
const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

interface Reply {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
}

/** GET with a bound on the whole exchange; no connection reuse, so each request sees the proxy afresh. */
export function get(url: URL, timeoutMs: number): Promise<Reply> {
    const client = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
        const req = client.get(url, { agent: false, headers: { "user-agent": "nextstack-smoke" } }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
                clearTimeout(timer);
                resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
            });
            res.on("error", reject);
        });
        const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        req.on("error", (err) => {
            clearTimeout(timer);
            reject(err);
        });
    });
}

/** The answer to a websocket handshake: the status line and headers, or how the connection ended without one. */
export interface UpgradeReply {
    status?: number;
    headers: Record<string, string>;
    /** Set when no status line arrived. */
    error?: string;
}

/** Sends a websocket handshake over a raw connection and reads the response head (bounded). */
export function upgrade(url: URL, key: string, timeoutMs: number): Promise<UpgradeReply> {
    const secure = url.protocol === "https:";
    const port = Number(url.port) || (secure ? 443 : 80);
    return new Promise((resolve) => {
        const socket: net.Socket = secure ? tls.connect({ host: url.hostname, port, servername: url.hostname }) : net.connect(port, url.hostname);
        let data = "";
        let done = false;
        const finish = (reply: UpgradeReply) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            socket.destroy();
            resolve(reply);
        };
        const timer = setTimeout(() => finish({ headers: {}, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
        socket.on(secure ? "secureConnect" : "connect", () => {
            socket.write(
                `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
                    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nUser-Agent: nextstack-smoke\r\n\r\n`,
            );
        });
        socket.on("data", (chunk: Buffer) => {
            data += chunk.toString("latin1");
            const end = data.indexOf("\r\n\r\n");
            if (end < 0) return;
            const [statusLine, ...headerLines] = data.slice(0, end).split("\r\n");
            const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
            const headers: Record<string, string> = {};
            for (const line of headerLines) {
                const colon = line.indexOf(":");
                if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
            }
            finish(Number.isInteger(status) ? { status, headers } : { headers, error: `not an HTTP response: ${JSON.stringify(statusLine)}` });
        });
        socket.on("error", (err) => finish({ headers: {}, error: err.message }));
        socket.on("close", () => finish({ headers: {}, error: "connection closed without a response" }));
    });
}

/** `Sec-WebSocket-Accept` for a key (RFC 6455, 4.2.2). */
export function websocketAccept(key: string): string {
    return createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
}

/** A container as `docker inspect` prints it, the fields the ports check reads. */
export interface InspectedContainer {
    Name: string;
    Config?: { Labels?: Record<string, string> | null } | null;
    HostConfig?: { PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null } | null;
    NetworkSettings?: { Ports?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null } | null;
}

/** Published ports per container, as `name address:port->port/proto`: the declared bindings and the live ones. */
export function publishedPorts(container: InspectedContainer): string[] {
    const name = container.Name.replace(/^\//, "");
    const out = new Set<string>();
    for (const ports of [container.HostConfig?.PortBindings, container.NetworkSettings?.Ports]) {
        for (const [port, bindings] of Object.entries(ports ?? {})) {
            for (const b of bindings ?? []) if (b.HostPort) out.add(`${name} ${b.HostIp || "0.0.0.0"}:${b.HostPort}->${port}`);
        }
    }
    return [...out];
}

/** The verdict on a stack's containers: only the proxy (role label `proxy`) publishes, and it does. */
export function judgePorts(stack: string, containers: InspectedContainer[]): CheckResult {
    const name = "published ports";
    if (containers.length === 0) return { name, ok: false, detail: `no container is labelled ${STACK_LABEL}=${stack} on this engine` };
    const offenders = containers.filter((c) => c.Config?.Labels?.[ROLE_LABEL] !== "proxy").flatMap(publishedPorts);
    const proxy = containers.filter((c) => c.Config?.Labels?.[ROLE_LABEL] === "proxy").flatMap(publishedPorts);
    if (offenders.length) return { name, ok: false, detail: `only the proxy may publish ports, but: ${offenders.join("; ")}` };
    if (proxy.length === 0) return { name, ok: false, detail: `the proxy of ${stack} publishes no port` };
    return { name, ok: true, detail: `only the proxy publishes: ${proxy.join("; ")}` };
}

function dockerCli(timeoutMs: number): (args: string[]) => Promise<string> {
    // The docker CLI rather than dockerode: with DOCKER_HOST=ssh://… it goes through the system's ssh, which checks
    // the host key against known_hosts; dockerode's ssh transport does not check it.
    return (args) =>
        new Promise((resolve, reject) => {
            execFile("docker", args, { timeout: timeoutMs * 2, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
                err ? reject(new Error(`docker ${args[0]}: ${(stderr || err.message).trim()}`)) : resolve(stdout),
            );
        });
}

function failure(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

/** Runs every check (each bounded), in order; later checks use what earlier ones saw. */
export async function runSmoke(options: SmokeOptions): Promise<CheckResult[]> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const base = new URL(options.baseUrl);
    const at = (path: string) => new URL(path, base);
    const results: CheckResult[] = [];

    let page: Reply | undefined;
    try {
        page = await get(at("/"), timeoutMs);
        results.push({ name: "page /", ok: page.status === 200, detail: `GET / answered ${page.status}${page.status === 200 ? "" : " (expected 200)"}` });
    } catch (err) {
        results.push({ name: "page /", ok: false, detail: `GET /: ${failure(err)}` });
    }

    const healthPath = options.healthPath ?? "/api/health";
    try {
        const health = await get(at(healthPath), timeoutMs);
        results.push({ name: `health ${healthPath}`, ok: health.status === 200, detail: `GET ${healthPath} answered ${health.status}${health.status === 200 ? "" : ` (expected 200): ${health.body.slice(0, 120)}`}` });
    } catch (err) {
        results.push({ name: `health ${healthPath}`, ok: false, detail: `GET ${healthPath}: ${failure(err)}` });
    }

    results.push(await staticCacheCheck(page, at, timeoutMs));
    results.push(await upgradeCheck(options.wsPath, page, at, timeoutMs));

    if (options.stack) {
        const docker = options.docker ?? dockerCli(timeoutMs);
        try {
            const ids = (await docker(["ps", "-a", "-q", "--filter", `label=${STACK_LABEL}=${options.stack}`])).split(/\s+/).filter(Boolean);
            const containers: InspectedContainer[] = ids.length ? JSON.parse(await docker(["inspect", ...ids])) : [];
            results.push(judgePorts(options.stack, containers));
        } catch (err) {
            results.push({ name: "published ports", ok: false, detail: failure(err) });
        }
    }
    return results;
}

async function staticCacheCheck(page: Reply | undefined, at: (path: string) => URL, timeoutMs: number): Promise<CheckResult> {
    const name = "static cache";
    const asset = page && /\/_next\/static\/[^"'\s?#)<>]+\.(?:js|css)/.exec(page.body)?.[0];
    if (!asset) return { name, ok: false, detail: page?.status === 200 ? "the page names no /_next/static asset" : "no page to find a /_next/static asset in" };
    try {
        const first = await get(at(asset), timeoutMs);
        const second = await get(at(asset), timeoutMs);
        const problems: string[] = [];
        if (first.status !== 200 || second.status !== 200) problems.push(`answered ${first.status}, then ${second.status} (expected 200)`);
        for (const [i, reply] of [first, second].entries()) {
            if (reply.headers["cache-control"] !== IMMUTABLE) problems.push(`request ${i + 1}: cache-control is ${JSON.stringify(reply.headers["cache-control"] ?? null)} (expected "${IMMUTABLE}")`);
        }
        const status = second.headers["x-cache-status"];
        if (status !== "HIT") problems.push(`the second request's x-cache-status is ${JSON.stringify(status ?? null)} (expected HIT): the proxy did not serve it from its cache`);
        return problems.length
            ? { name, ok: false, detail: `${asset}: ${problems.join("; ")}` }
            : { name, ok: true, detail: `${asset}: immutable, ${first.headers["x-cache-status"]} then HIT` };
    } catch (err) {
        return { name, ok: false, detail: `${asset}: ${failure(err)}` };
    }
}

async function upgradeCheck(wsPath: string | undefined, page: Reply | undefined, at: (path: string) => URL, timeoutMs: number): Promise<CheckResult> {
    const name = "websocket upgrade";
    const key = randomBytes(16).toString("base64");
    const path = wsPath ?? "/";
    const reply = await upgrade(at(path), key, timeoutMs);
    if (reply.status === 101) {
        const accept = reply.headers["sec-websocket-accept"];
        return accept === websocketAccept(key)
            ? { name, ok: true, detail: `${path}: 101 Switching Protocols through the proxy` }
            : { name, ok: false, detail: `${path}: 101, but Sec-WebSocket-Accept is ${JSON.stringify(accept ?? null)} (expected ${websocketAccept(key)})` };
    }
    const seen = reply.status !== undefined ? `answered ${reply.status}` : reply.error;
    if (wsPath) return { name, ok: false, detail: `${path}: ${seen} (expected 101 Switching Protocols)` };
    if (page?.status !== 200) return { name, ok: false, detail: `${path}: ${seen}; cannot tell whether the proxy forwards Upgrade while GET / does not answer 200` };
    if (reply.status === 502) {
        return { name, ok: true, detail: `${path}: the proxy forwarded Upgrade and the app ended it (no websocket endpoint; nginx answers 502). Pass --ws-path for a full handshake` };
    }
    if (reply.status === 200) {
        return { name, ok: false, detail: `${path}: answered 200 like a plain request: the proxy did not forward Upgrade/Connection to the app` };
    }
    return { name, ok: false, detail: `${path}: ${seen} (expected 101, or 502 from an app without a websocket endpoint)` };
}

function parseArgs(argv: string[]): SmokeOptions {
    const usage = "usage: npm run smoke -- <base-url> [--stack <name>] [--ws-path <path>] [--health-path <path>] [--timeout-ms <ms>]";
    const options: Partial<SmokeOptions> = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined) throw new Error(`${a} needs a value\n${usage}`);
            return v;
        };
        if (a === "--stack") options.stack = value();
        else if (a === "--ws-path") options.wsPath = value();
        else if (a === "--health-path") options.healthPath = value();
        else if (a === "--timeout-ms") options.timeoutMs = Number(value());
        else if (!a.startsWith("--") && !options.baseUrl) options.baseUrl = a;
        else throw new Error(`unexpected argument ${JSON.stringify(a)}\n${usage}`);
    }
    if (!options.baseUrl) throw new Error(usage);
    if (!/^https?:\/\//.test(options.baseUrl)) throw new Error(`base URL ${JSON.stringify(options.baseUrl)}: expected http://host:port or https://…\n${usage}`);
    if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) throw new Error(`--timeout-ms: expected a positive number of ms\n${usage}`);
    return options as SmokeOptions;
}

async function main(argv: string[]): Promise<number> {
    let options: SmokeOptions;
    try {
        options = parseArgs(argv);
    } catch (err) {
        process.stderr.write(`${failure(err)}\n`);
        return 2;
    }
    const results = await runSmoke(options);
    for (const r of results) process.stdout.write(`${r.ok ? "ok  " : "FAIL"} ${r.name.padEnd(20)} ${r.detail}\n`);
    const failed = results.filter((r) => !r.ok);
    process.stdout.write(failed.length ? `smoke: ${failed.length} of ${results.length} checks failed against ${options.baseUrl}\n` : `smoke: all ${results.length} checks passed against ${options.baseUrl}\n`);
    return failed.length ? 1 : 0;
}

if (require.main === module) main(process.argv.slice(2)).then((code) => (process.exitCode = code));
