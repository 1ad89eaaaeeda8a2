import { execFile } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import * as tar from "tar-stream";
import { stackLabels } from "../../components/labels";
import { renderNginxConf } from "../../components/nginxConf";
import { baseImages, destroy, docker, e2eConfig, exec, freePort, killFromEngineHost, labelled, phase, pruneStackImages, request, ROOT, timeChecks, up, waitFor, wipeStack } from "./support";

// Scenarios 2–6 on one prod stack (Pulumi.prod.yaml), in order: each builds on the stack the previous left.
const STACK = "e2e-prod";
const THROWAWAY = "pr-4242";
let appDir: string;
let proxyPort: number;
let outputs: Record<string, any>;
let extra: Record<string, string | number | boolean> = {};

const config = () => e2eConfig("Pulumi.prod.yaml", { proxyPort, appPath: appDir, ...extra });
const inspect = (name: string) => docker.getContainer(name).inspect();
const page = () => request(proxyPort, "/");
const versionOf = (html: string) => /data-testid="version"[^>]*>([^<]*)</.exec(html)?.[1];
const visitsOf = (html: string) => Number(/data-testid="visits"[^>]*>(\d+)</.exec(html)?.[1]);

/** `npm run smoke -- <args>` (scripts/smoke.ts): its exit code and output. */
function runSmoke(...args: string[]): Promise<{ code: number; output: string }> {
    return new Promise((resolve) =>
        execFile(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts/smoke.ts"), ...args], { cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) =>
            resolve({ code: err ? Number((err as NodeJS.ErrnoException).code ?? 1) : 0, output: stdout + stderr }),
        ),
    );
}

async function notes(): Promise<string[]> {
    const res = await request(proxyPort, "/api/rows");
    expect(res.status).toBe(200);
    return JSON.parse(res.body).map((row: { note: string }) => row.note);
}

beforeAll(async () => {
    await wipeStack(STACK);
    await wipeStack(THROWAWAY);
    // A copy of the app, so scenario 4 can change its code as a developer would.
    appDir = fs.mkdtempSync(path.join(os.tmpdir(), "nextstack-e2e-app-"));
    fs.cpSync(path.join(ROOT, "app"), appDir, { recursive: true, filter: (src) => !/[/\\](node_modules|\.next)$/.test(src) });
    proxyPort = await freePort();
    outputs = await up(STACK, config());
});

afterAll(async () => {
    await wipeStack(THROWAWAY);
    await wipeStack(STACK);
    fs.rmSync(appDir, { recursive: true, force: true });
});

describe("2. prod through the proxy", () => {
    timeChecks("2. prod through the proxy");
    test("/ shows the app's page with data from Postgres", async () => {
        const first = await page();
        expect(first.status).toBe(200);
        expect(versionOf(first.body)).toBe("1");
        const second = await page();
        expect(visitsOf(second.body)).toBe(visitsOf(first.body) + 1);
    });

    test("/api/health is 200 with the database up", async () => {
        const res = await request(proxyPort, "/api/health");
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body)).toMatchObject({ status: "ok", db: "up" });
    });

    test("a /_next/static asset is immutable and the second request is a cache HIT", async () => {
        const asset = /\/_next\/static\/[^"'\s]+\.js/.exec((await page()).body)?.[0];
        expect(asset).toBeDefined();
        const first = await request(proxyPort, asset!);
        expect(first.status).toBe(200);
        expect(first.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
        expect(first.headers["x-cache-status"]).toMatch(/MISS|EXPIRED/);
        const second = await request(proxyPort, asset!);
        expect(second.headers["x-cache-status"]).toBe("HIT");
        expect(second.body).toBe(first.body);
    });

    test("the app sees the client's host with its port and the forwarding headers", async () => {
        const res = await request(proxyPort, "/api/request-info", { headers: { Host: `shop.example:${proxyPort}` } });
        const { headers } = JSON.parse(res.body);
        expect(headers.host).toBe(`shop.example:${proxyPort}`);
        expect(headers["x-forwarded-host"]).toBe(`shop.example:${proxyPort}`);
        expect(headers["x-real-ip"]).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        // Keepalive to the app: no Connection: upgrade on plain requests.
        expect(headers.connection ?? "").not.toMatch(/upgrade/i);
        expect(headers.upgrade).toBeNull();
    });

    test("only the proxy's port is published", async () => {
        const published: string[] = [];
        for (const name of (await labelled(STACK)).containers) {
            const info = await inspect(name);
            for (const [port, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
                for (const b of bindings ?? []) published.push(`${name} ${b.HostIp}:${b.HostPort}->${port}`);
            }
        }
        expect(published).toEqual([`nextstack-e2e-prod-proxy 0.0.0.0:${proxyPort}->80/tcp`]);
    });

    test("inside the app container, db resolves and localhost:5432 does not answer", async () => {
        const lookup = await exec(outputs.appContainer, ["node", "-e", "require('dns').lookup('db', (e, a) => { console.log(e ? 'ERR ' + e.code : a); process.exit(e ? 1 : 0); })"]);
        expect(lookup.code).toBe(0);
        expect(lookup.output.trim()).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        const local = await exec(outputs.appContainer, [
            "node", "-e",
            "const s = require('net').connect(5432, '127.0.0.1'); s.on('connect', () => { console.log('OPEN'); process.exit(0); }); s.on('error', (e) => { console.log(e.code); process.exit(3); }); setTimeout(() => { console.log('TIMEOUT'); process.exit(4); }, 3000);",
        ]);
        expect(local.output.trim()).toBe("ECONNREFUSED");
    });

    test("an upgrade (websocket) request is passed through the proxy image and config", async () => {
        // Next.js' standalone server has no websocket endpoint, so the upgrade is checked against an echo upstream
        // on the stack's network, behind a container of the same proxy image with the same rendered config.
        const images = baseImages();
        const network = `nextstack-${STACK}`;
        const labels = stackLabels("nextstack", STACK);
        const echo = await docker.createContainer({
            name: `nextstack-${STACK}-wsecho`,
            Image: images.node,
            Labels: labels,
            Cmd: [
                "node", "-e",
                "require('http').createServer((q, r) => r.end('plain')).on('upgrade', (req, sock) => { sock.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n\\r\\n'); sock.pipe(sock); }).listen(8080)",
            ],
            HostConfig: { NetworkMode: network },
            NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: ["wsecho"] } } },
        });
        await echo.start();
        const port = await freePort();
        const proxy = await docker.createContainer({
            name: `nextstack-${STACK}-wsproxy`,
            Image: (await inspect(outputs.proxyContainer)).Image,
            Labels: labels,
            ExposedPorts: { "80/tcp": {} },
            HostConfig: { NetworkMode: network, PortBindings: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] } },
        });
        const pack = tar.pack();
        pack.entry({ name: "etc/nginx/conf.d/default.conf" }, renderNginxConf({ upstreamHost: "wsecho", upstreamPort: 8080, listenPort: 80 }));
        pack.finalize();
        await proxy.putArchive(pack as unknown as NodeJS.ReadableStream, { path: "/" });
        await proxy.start();
        try {
            // Through the proxy to the echo server: nginx answers its own /nginx-health before node listens, and an
            // upgrade sent in between got a 502 on a busy machine.
            await waitFor("the echo upstream answers through the ws proxy", async () => {
                const res = await request(port, "/").catch(() => undefined);
                return res?.status === 200 && res.body === "plain";
            }, 30_000);
            const reply = await new Promise<string>((resolve, reject) => {
                const socket = net.connect(port, "127.0.0.1");
                let data = "";
                const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no echo; got ${JSON.stringify(data)}`)); }, 10_000);
                socket.on("connect", () => socket.write("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"));
                socket.on("data", (chunk) => {
                    data += chunk.toString("latin1");
                    if (data.includes("\r\n\r\n") && !data.includes("ping-through-nginx")) socket.write("ping-through-nginx");
                    if (data.includes("ping-through-nginx")) {
                        clearTimeout(timer);
                        socket.destroy();
                        resolve(data);
                    }
                });
                socket.on("error", reject);
            });
            expect(reply).toMatch(/^HTTP\/1\.1 101 /);
            expect(reply).toContain("ping-through-nginx");
        } finally {
            await proxy.remove({ force: true });
            await echo.remove({ force: true });
        }
    });

    test("the smoke script (npm run smoke) passes against the stack, and fails while the app is stopped", async () => {
        const smoke = () => runSmoke(`http://127.0.0.1:${proxyPort}`, "--stack", STACK);
        const passed = await smoke();
        process.stdout.write(passed.output);
        expect(passed.output).toContain("smoke: all 5 checks passed");
        expect(passed.code).toBe(0);
        const app = docker.getContainer(outputs.appContainer);
        await app.stop();
        try {
            const failed = await smoke();
            process.stdout.write(failed.output);
            expect(failed.output).toMatch(/FAIL page \/ +GET \/ answered 50[24]/);
            expect(failed.code).toBe(1);
        } finally {
            await app.start();
            await waitFor("the app healthy again through the proxy", async () => (await request(proxyPort, "/api/health")).status === 200, 60_000);
        }
    });

    test("the smoke script fails against a proxy that no longer caches", async () => {
        // The same proxy image in front of the same app, with the rendered config's cache directives taken out.
        const conf = renderNginxConf({ upstreamHost: "app", upstreamPort: 3000, listenPort: 80 })
            .split("\n")
            .filter((line) => !/^\s*(proxy_cache|add_header X-Cache-Status)/.test(line))
            .join("\n");
        expect(conf).not.toContain("proxy_cache next_static");
        const port = await freePort();
        const network = `nextstack-${STACK}`;
        const proxy = await docker.createContainer({
            name: `nextstack-${STACK}-nocache`,
            Image: (await inspect(outputs.proxyContainer)).Image,
            Labels: stackLabels("nextstack", STACK),
            ExposedPorts: { "80/tcp": {} },
            HostConfig: { NetworkMode: network, PortBindings: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] } },
        });
        const pack = tar.pack();
        pack.entry({ name: "etc/nginx/conf.d/default.conf" }, conf);
        pack.finalize();
        await proxy.putArchive(pack as unknown as NodeJS.ReadableStream, { path: "/" });
        await proxy.start();
        try {
            await waitFor("the uncached proxy answers", async () => (await request(port, "/")).status === 200, 15_000);
            const result = await runSmoke(`http://127.0.0.1:${port}`);
            process.stdout.write(result.output);
            expect(result.output).toMatch(/FAIL static cache .*expected HIT/);
            expect(result.output).toMatch(/ok +page \/ +GET \/ answered 200/);
            expect(result.code).toBe(1);
        } finally {
            await proxy.remove({ force: true });
        }
    });

    test("a note written now is stored", async () => {
        const res = await request(proxyPort, "/api/rows", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ note: "written-before" }) });
        expect(res.status).toBe(201);
        expect(await notes()).toContain("written-before");
    });
});

describe("3. a throwaway stack beside prod", () => {
    timeChecks("3. throwaway stack (incl. its up/destroy)");
    let prPort: number;

    test("runs beside prod without name or port collisions", async () => {
        prPort = await freePort();
        const prOutputs = await up(THROWAWAY, e2eConfig("Pulumi.prod.yaml", { proxyPort: prPort, protectData: false }));
        expect(prOutputs.proxyContainer).toBe("nextstack-pr-4242-proxy");
        expect((await request(prPort, "/api/health")).status).toBe(200);
        expect((await request(proxyPort, "/api/health")).status).toBe(200);
        const objects = await labelled(THROWAWAY);
        expect(objects.containers.sort()).toEqual(["nextstack-pr-4242-app", "nextstack-pr-4242-db", "nextstack-pr-4242-proxy"]);
        expect(objects.networks).toEqual(["nextstack-pr-4242"]);
    });

    test("destroying it (and pruning its built images) leaves zero labelled objects; prod is untouched", async () => {
        await phase("destroy pr-4242 + image prune", async () => {
            await destroy(THROWAWAY);
            await pruneStackImages(THROWAWAY);
        });
        expect(await labelled(THROWAWAY)).toEqual({ containers: [], networks: [], volumes: [], images: [] });
        expect((await request(proxyPort, "/api/health")).status).toBe(200);
        expect(await notes()).toContain("written-before");
    });
});

describe("4. app replacement", () => {
    timeChecks("4. app replacement (incl. its up)");
    test("changed code is rebuilt, the app container replaced, and the proxy serves it within 10 s without a restart", async () => {
        const proxyBefore = await inspect(outputs.proxyContainer);
        const appBefore = await inspect(outputs.appContainer);
        fs.writeFileSync(path.join(appDir, "lib", "version.js"), 'export const APP_VERSION = "2";\n');
        outputs = await up(STACK, config());
        const deployed = Date.now();
        const appAfter = await inspect(outputs.appContainer);
        expect(appAfter.Image).not.toBe(appBefore.Image);
        expect(appAfter.Id).not.toBe(appBefore.Id);
        const seconds = await waitFor("version 2 through the proxy", async () => versionOf((await page()).body) === "2", 10_000, 100);
        process.stdout.write(`new version served ${seconds.toFixed(1)} s after up returned (${((Date.now() - deployed) / 1000).toFixed(1)} s)\n`);
        const proxyAfter = await inspect(outputs.proxyContainer);
        expect(proxyAfter.Id).toBe(proxyBefore.Id);
        expect(proxyAfter.State.StartedAt).toBe(proxyBefore.State.StartedAt);
        expect(proxyAfter.RestartCount).toBe(proxyBefore.RestartCount);
    });

    test("when the app's address changes, the proxy follows within 10 s without a restart", async () => {
        // The engine here hands a replaced container the address its predecessor freed, which would hide a proxy
        // that resolves the app once at start. So move the app to a new address deterministically: take it off
        // the network, let another container take its old address, and put it back under the same alias.
        const network = docker.getNetwork(`nextstack-${STACK}`);
        const addressOf = async (name: string) => Object.values((await inspect(name)).NetworkSettings.Networks)[0]?.IPAddress;
        const oldAddress = await addressOf(outputs.appContainer);
        const proxyBefore = await inspect(outputs.proxyContainer);
        await network.disconnect({ Container: outputs.appContainer });
        const squatter = await docker.createContainer({
            name: `nextstack-${STACK}-squatter`,
            Image: baseImages().nginx,
            Labels: stackLabels("nextstack", STACK),
            HostConfig: { NetworkMode: `nextstack-${STACK}` },
        });
        await squatter.start();
        try {
            expect(await addressOf(`nextstack-${STACK}-squatter`)).toBe(oldAddress);
            await network.connect({ Container: outputs.appContainer, EndpointConfig: { Aliases: ["app"] } });
            expect(await addressOf(outputs.appContainer)).not.toBe(oldAddress);
            const seconds = await waitFor("the page through the proxy at the app's new address", async () => (await page()).status === 200, 10_000, 200);
            process.stdout.write(`proxy reached the app at its new address ${seconds.toFixed(1)} s after the move\n`);
            const proxyAfter = await inspect(outputs.proxyContainer);
            expect(proxyAfter.State.StartedAt).toBe(proxyBefore.State.StartedAt);
            expect(proxyAfter.RestartCount).toBe(proxyBefore.RestartCount);
        } finally {
            await squatter.remove({ force: true });
        }
    });
});

describe("4b. a migration step before the app", () => {
    timeChecks("4b. migration (incl. its ups)");
    const MIGRATE =
        "node -e 'const { Client } = require(\"pg\"); const c = new Client({ connectionString: process.env.DATABASE_URL });" +
        " c.connect().then(() => c.query(\"create table if not exists migrations_applied (id serial primary key, at timestamptz default now())\"))" +
        ".then(() => c.query(\"insert into migrations_applied default values\")).then(() => c.end()).then(() => console.log(\"migrated\"))" +
        ".catch((e) => { console.error(e.message); process.exit(1); })'";
    const applied = async () => {
        const res = await exec(outputs.dbContainer, ["sh", "-c", 'psql -tA -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "select count(*) from migrations_applied"']);
        return res.code === 0 ? Number(res.output.trim()) : 0;
    };

    test("runs once in the app image before the app is replaced, and the app serves after it", async () => {
        extra = { ...extra, appMigrateCommand: MIGRATE };
        outputs = await up(STACK, config());
        expect(await applied()).toBe(1);
        const migrate = await inspect(`nextstack-${STACK}-migrate`);
        expect(migrate.State.Running).toBe(false);
        expect(migrate.State.ExitCode).toBe(0);
        expect((await request(proxyPort, "/api/health")).status).toBe(200);
        // Nothing changed: the migration does not run again.
        outputs = await up(STACK, config());
        expect(await applied()).toBe(1);
    });

    test("a failing migration stops the deployment with its output, and the running app is kept", async () => {
        const appBefore = await inspect(outputs.appContainer);
        fs.writeFileSync(path.join(appDir, "lib", "version.js"), 'export const APP_VERSION = "3";\n');
        extra = { ...extra, appMigrateCommand: "echo 'relation \"users\" already exists' >&2; exit 3" };
        await expect(up(STACK, config())).rejects.toThrow(/migration .* exited with 3; the app was not replaced[\s\S]*relation "users" already exists/);
        const appAfter = await inspect(outputs.appContainer);
        expect(appAfter.Id).toBe(appBefore.Id);
        expect(versionOf((await page()).body)).toBe("2");
        // Fixed: the next up runs the migration and then replaces the app with version 3.
        extra = { ...extra, appMigrateCommand: MIGRATE };
        outputs = await up(STACK, config());
        expect(await applied()).toBe(2);
        await waitFor("version 3 through the proxy", async () => versionOf((await page()).body) === "3", 10_000, 100);
    });
});

describe("5. data survives", () => {
    timeChecks("5. data survives (incl. its ups/destroy)");
    test("an app replacement", async () => {
        expect(await notes()).toContain("written-before");
    });

    test("a database container replacement (a setting change)", async () => {
        const before = await inspect(outputs.dbContainer);
        extra = { dbPublishPort: await freePort() };
        outputs = await up(STACK, config());
        const after = await inspect(outputs.dbContainer);
        expect(after.Id).not.toBe(before.Id);
        expect(await notes()).toContain("written-before");
        const client = new Client({ connectionString: outputs.dbHostUrl, connectionTimeoutMillis: 5000 });
        await client.connect();
        const { rows } = await client.query("select note from notes");
        await client.end();
        expect(rows.map((r) => r.note)).toContain("written-before");
    });

    test("a prod destroy refuses while the data volume is protected", async () => {
        await expect(destroy(STACK)).rejects.toThrow(/unable to destroy: db-data marked for protection/);
        expect((await labelled(STACK)).containers).toHaveLength(3);
    });

    test("a prod destroy --exclude-protected + up: the volume was kept, and the new password was set in it", async () => {
        const volume = `nextstack-${STACK}-pgdata`;
        const passwordBefore = new URL(outputs.dbUrl).password;
        await destroy(STACK, { excludeProtected: true });
        const left = await labelled(STACK);
        expect(left.containers).toEqual([]);
        expect(left.volumes).toEqual([volume]);
        outputs = await up(STACK, config());
        // destroy dropped the generated password from the state; the new one must work against the old data.
        expect(new URL(outputs.dbUrl).password).not.toBe(passwordBefore);
        expect(await notes()).toContain("written-before");
    });
});

describe("5b. changing the password of an existing database", () => {
    timeChecks("5b. password change (incl. its up)");

    test("a new dbPassword is set in the database; the app keeps working; the old password is refused", async () => {
        const oldUrl = outputs.dbHostUrl;
        extra = { ...extra, dbPassword: "n3w-p@ss:w/rd?#%-from-config" };
        outputs = await up(STACK, config());
        expect(decodeURIComponent(new URL(outputs.dbHostUrl).password)).toBe("n3w-p@ss:w/rd?#%-from-config");
        expect((await request(proxyPort, "/api/health")).status).toBe(200);
        expect(await notes()).toContain("written-before");
        const fresh = new Client({ connectionString: outputs.dbHostUrl, connectionTimeoutMillis: 5000 });
        await fresh.connect();
        await fresh.end();
        const stale = new Client({ connectionString: oldUrl, connectionTimeoutMillis: 5000 });
        await expect(stale.connect()).rejects.toThrow(/password authentication failed/);
        await stale.end().catch(() => undefined);
    });
});

describe("6. faults", () => {
    timeChecks("6. faults");
    /** Kills a container's main process from the engine's host, as a crash would, and measures the way back. */
    async function crashAndRecover(container: string): Promise<void> {
        const before = await inspect(container);
        await killFromEngineHost(before.State.Pid);
        const outcomes: { status: number; ms: number }[] = [];
        const seconds = await waitFor(
            `${container} back after kill -9`,
            async () => {
                const res = await request(proxyPort, "/api/health", { timeoutMs: 8_000 });
                outcomes.push({ status: res.status, ms: res.ms });
                return res.status === 200 && (await inspect(container)).RestartCount > before.RestartCount;
            },
            30_000,
            200,
        );
        process.stdout.write(`${container}: healthy again ${seconds.toFixed(1)} s after kill -9; answers in between: ${[...new Set(outcomes.map((o) => o.status))].join(", ")}\n`);
        // Errors, not hangs: every request in between got an answer well within its limit.
        expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(6_000);
        expect((await inspect(container)).RestartCount).toBe(before.RestartCount + 1);
    }

    test("kill -9 of the database: restarted, /api/health 200 again within 30 s", async () => {
        await crashAndRecover(outputs.dbContainer);
        expect(await notes()).toContain("written-before");
    });

    test("kill -9 of the app: restarted, /api/health 200 again within 30 s", async () => {
        await crashAndRecover(outputs.appContainer);
    });
});
