import { execFile } from "child_process";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { IMMUTABLE, InspectedContainer, judgePorts, runSmoke, websocketAccept } from "../../scripts/smoke";

// The smoke script (scripts/smoke.ts) against a stand-in for a deployed stack: an HTTP server on 127.0.0.1 that
// answers as nginx in front of the Next.js app does, and can be broken the ways a deployment breaks.

const ROOT = path.resolve(__dirname, "../..");
const ASSET = "/_next/static/chunks/app-3f2a91.js";

interface Deployment {
    /** `stopped`: the app container is down; nginx answers 502. */
    app: "up" | "stopped";
    /** `false`: the proxy no longer caches (the app's own immutable header passes, no cache status). */
    cache: boolean;
    /** How an upgrade request is handled: forwarded to Next.js (which ends it: 502), dropped (the page), or a websocket endpoint at /ws. */
    upgrade: "forwarded" | "dropped" | "ws-endpoint";
}

const HEALTHY: Deployment = { app: "up", cache: true, upgrade: "forwarded" };

async function serve(deployment: Deployment): Promise<{ url: string; close: () => Promise<void> }> {
    const hits = new Map<string, number>();
    const server = http.createServer((req, res) => {
        if (deployment.app === "stopped") {
            res.writeHead(502, { "content-type": "text/html" }).end("<html><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></html>");
            return;
        }
        if (req.url === "/") {
            res.writeHead(200, { "content-type": "text/html" }).end(`<html><script src="${ASSET}" async=""></script><p data-testid="visits">3</p></html>`);
        } else if (req.url === "/api/health") {
            res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok","db":"up"}');
        } else if (req.url === ASSET) {
            const n = (hits.get(ASSET) ?? 0) + 1;
            hits.set(ASSET, n);
            const headers: http.OutgoingHttpHeaders = { "content-type": "application/javascript", "cache-control": IMMUTABLE };
            if (deployment.cache) headers["x-cache-status"] = n === 1 ? "MISS" : "HIT";
            res.writeHead(200, headers).end("console.log(1)");
        } else {
            res.writeHead(404).end();
        }
    });
    if (deployment.upgrade !== "dropped") {
        // Without an 'upgrade' listener Node answers an upgrade request as a plain one: the "dropped" case.
        server.on("upgrade", (req: http.IncomingMessage, socket: net.Socket) => {
            if (deployment.upgrade === "ws-endpoint" && req.url === "/ws") {
                const accept = websocketAccept(String(req.headers["sec-websocket-key"]));
                socket.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
            } else {
                socket.end("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            }
        });
    }
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

async function smokeAgainst(deployment: Deployment, options: { wsPath?: string } = {}) {
    const site = await serve(deployment);
    try {
        return await runSmoke({ baseUrl: site.url, timeoutMs: 2_000, ...options });
    } finally {
        await site.close();
    }
}

const byName = (results: { name: string; ok: boolean; detail: string }[], name: string) => results.find((r) => r.name === name)!;

test("a healthy deployment passes every check", async () => {
    const results = await smokeAgainst(HEALTHY);
    expect(results.map((r) => [r.name, r.ok])).toEqual([
        ["page /", true],
        ["health /api/health", true],
        ["static cache", true],
        ["websocket upgrade", true],
    ]);
    expect(byName(results, "static cache").detail).toContain("MISS then HIT");
    expect(byName(results, "websocket upgrade").detail).toMatch(/forwarded Upgrade/);
});

test("a stopped app fails the page, the health check, the static asset and the upgrade check", async () => {
    const results = await smokeAgainst({ ...HEALTHY, app: "stopped" });
    expect(results.filter((r) => !r.ok).map((r) => r.name)).toEqual(["page /", "health /api/health", "static cache", "websocket upgrade"]);
    expect(byName(results, "page /").detail).toBe("GET / answered 502 (expected 200)");
    expect(byName(results, "websocket upgrade").detail).toMatch(/cannot tell .* GET \/ does not answer 200/);
});

test("a proxy that no longer caches fails the static cache check, and says so", async () => {
    const results = await smokeAgainst({ ...HEALTHY, cache: false });
    expect(results.filter((r) => !r.ok).map((r) => r.name)).toEqual(["static cache"]);
    expect(byName(results, "static cache").detail).toMatch(/x-cache-status is null \(expected HIT\): the proxy did not serve it from its cache/);
});

test("a proxy that drops Upgrade (the page comes back) fails the upgrade check", async () => {
    const results = await smokeAgainst({ ...HEALTHY, upgrade: "dropped" });
    expect(results.filter((r) => !r.ok).map((r) => r.name)).toEqual(["websocket upgrade"]);
    expect(byName(results, "websocket upgrade").detail).toMatch(/answered 200 like a plain request: the proxy did not forward Upgrade/);
});

test("with --ws-path, only a 101 with the right Sec-WebSocket-Accept passes", async () => {
    expect(byName(await smokeAgainst({ ...HEALTHY, upgrade: "ws-endpoint" }, { wsPath: "/ws" }), "websocket upgrade")).toMatchObject({ ok: true, detail: "/ws: 101 Switching Protocols through the proxy" });
    // The endpoint is not there: a 502 is not enough when a websocket endpoint was named.
    expect(byName(await smokeAgainst(HEALTHY, { wsPath: "/ws" }), "websocket upgrade")).toMatchObject({ ok: false, detail: "/ws: answered 502 (expected 101 Switching Protocols)" });
});

test("a proxy that accepts connections but never answers fails within the bound", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const started = Date.now();
    try {
        const results = await runSmoke({ baseUrl: `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`, timeoutMs: 300 });
        expect(results.every((r) => !r.ok)).toBe(true);
        expect(byName(results, "page /").detail).toBe("GET /: no answer within 300 ms");
        expect(byName(results, "websocket upgrade").detail).toMatch(/no answer within 300 ms/);
    } finally {
        for (const s of sockets) s.destroy();
        await new Promise((resolve) => silent.close(resolve));
    }
    expect(Date.now() - started).toBeLessThan(5_000);
});

describe("published ports", () => {
    const container = (name: string, role: string, bindings: Record<string, { HostIp: string; HostPort: string }[]>): InspectedContainer => ({
        Name: `/${name}`,
        Config: { Labels: { "nextstack.stack": "pr-7", "nextstack.role": role } },
        HostConfig: { PortBindings: bindings },
        NetworkSettings: { Ports: bindings },
    });
    const proxy = container("nextstack-pr-7-proxy", "proxy", { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "20007" }] });
    const app = container("nextstack-pr-7-app", "app", {});
    const db = container("nextstack-pr-7-db", "db", {});

    test("only the proxy publishing passes", () => {
        expect(judgePorts("pr-7", [db, app, proxy])).toEqual({ name: "published ports", ok: true, detail: "only the proxy publishes: nextstack-pr-7-proxy 0.0.0.0:20007->80/tcp" });
    });

    test("another container publishing fails, naming it and the port (also a declared binding of a stopped one)", () => {
        const dbPublished = container("nextstack-pr-7-db", "db", { "5432/tcp": [{ HostIp: "127.0.0.1", HostPort: "5432" }] });
        const stoppedApp = { ...container("nextstack-pr-7-app", "app", { "3000/tcp": [{ HostIp: "", HostPort: "3000" }] }), NetworkSettings: { Ports: {} } };
        const verdict = judgePorts("pr-7", [dbPublished, stoppedApp, proxy]);
        expect(verdict.ok).toBe(false);
        expect(verdict.detail).toBe("only the proxy may publish ports, but: nextstack-pr-7-db 127.0.0.1:5432->5432/tcp; nextstack-pr-7-app 0.0.0.0:3000->3000/tcp");
    });

    test("no container, or a proxy that publishes nothing, fails", () => {
        expect(judgePorts("pr-7", [])).toMatchObject({ ok: false, detail: "no container is labelled nextstack.stack=pr-7 on this engine" });
        expect(judgePorts("pr-7", [db, app, container("nextstack-pr-7-proxy", "proxy", {})])).toMatchObject({ ok: false, detail: "the proxy of pr-7 publishes no port" });
    });

    test("the smoke test asks the engine for the stack's labelled containers", async () => {
        const calls: string[][] = [];
        const site = await serve(HEALTHY);
        try {
            const results = await runSmoke({
                baseUrl: site.url,
                stack: "pr-7",
                timeoutMs: 2_000,
                docker: async (args) => {
                    calls.push(args);
                    return args[0] === "ps" ? "c1\nc2\nc3\n" : JSON.stringify([db, app, proxy]);
                },
            });
            expect(byName(results, "published ports").ok).toBe(true);
        } finally {
            await site.close();
        }
        expect(calls).toEqual([
            ["ps", "-a", "-q", "--filter", "label=nextstack.stack=pr-7"],
            ["inspect", "c1", "c2", "c3"],
        ]);
    });
});

describe("npm run smoke (the command line)", () => {
    const smoke = (args: string[]) =>
        new Promise<{ code: number; out: string }>((resolve) => {
            execFile(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/smoke.ts", ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) =>
                resolve({ code: err ? Number((err as NodeJS.ErrnoException).code ?? 1) : 0, out: stdout + stderr }),
            );
        });

    test("exits 0 against a healthy deployment and 1, with the failed checks, against a stopped app", async () => {
        const healthy = await serve(HEALTHY);
        const stopped = await serve({ ...HEALTHY, app: "stopped" });
        try {
            const ok = await smoke([healthy.url, "--timeout-ms", "2000"]);
            expect(ok.out).toContain(`smoke: all 4 checks passed against ${healthy.url}`);
            expect(ok.code).toBe(0);
            const bad = await smoke([stopped.url, "--timeout-ms", "2000"]);
            expect(bad.out).toMatch(/FAIL page \/ +GET \/ answered 502 \(expected 200\)/);
            expect(bad.out).toContain(`smoke: 4 of 4 checks failed against ${stopped.url}`);
            expect(bad.code).toBe(1);
        } finally {
            await healthy.close();
            await stopped.close();
        }
    }, 120_000);

    test("a bad command line exits 2 with the usage", async () => {
        const res = await smoke(["127.0.0.1:3000"]);
        expect(res.code).toBe(2);
        expect(res.out).toMatch(/expected http:\/\/host:port[\s\S]*usage: npm run smoke/);
    }, 60_000);
});
