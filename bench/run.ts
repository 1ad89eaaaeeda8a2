import "./workdir"; // first: sets NEXTSTACK_E2E_WORK before the e2e support module reads it
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { docker, e2eConfig, exec, freePort, labelled, request, up, wipeStack, WORK_DIR } from "../tests/e2e/support";
import { prepareEngine } from "./engine";
import { addLegacySeedProxy, hasData, SEED_NGINX_CONF, SEED_STACK, startSeed } from "./seed";
import { ensureWrk, runWrk, WrkOptions, WrkResult } from "./wrk";

/**
 * `npm run bench`: the seed's compose + nginx setup against nextstack's, on this machine's Docker engine, in one
 * run. Prints figures (throughput, errors, latency, time to first page, image sizes); asserts nothing.
 * Creates a nextstack stack `bench-next` (Pulumi.prod.yaml, through the e2e provider model) and the seed's containers
 * (`bench-seed`, see seed.ts: its nginx with the seed's config verbatim, and a second one as nginx before 1.29.7
 * ran that config), loads each through its proxy on 127.0.0.1, and removes both stacks (and the app/proxy images
 * built for bench-next) at the end, also after a failure or Ctrl-C. Base images are kept.
 *
 * Environment (optional): BENCH_DURATION (seconds per wrk run, default 10), BENCH_REPEATS (runs per case and
 * side, default 2; the table shows their median).
 */

const NEXT_STACK = "bench-next";
const RESULTS_DIR = path.join(__dirname, "results");
const WARMUP_REQUESTS = 20;

function positiveInt(name: string, fallback: number): number {
    const raw = process.env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    return value;
}

const LOAD: WrkOptions = { durationSeconds: positiveInt("BENCH_DURATION", 10), threads: 2, connections: 32, timeoutSeconds: 5 };
const REPEATS = positiveInt("BENCH_REPEATS", 2);

const startedAt = Date.now();
const clock = () => ((Date.now() - startedAt) / 1000).toFixed(1).padStart(5);
/** Progress goes to stderr; stdout carries the figures. */
const log = (line: string) => process.stderr.write(`[bench ${clock()} s] ${line}\n`);

// direct: the nextstack app's own published port, no proxy in between: the limit a proxy is measured against.
const SIDES = ["seed", "seed-legacy", "nextstack", "direct"] as const;
const PROXIES = ["seed", "seed-legacy", "nextstack"] as const;
type SideName = (typeof SIDES)[number];
interface Side {
    name: SideName;
    port: number;
    /** Container name of the side's nginx (for direct: the app's container, whose network namespace is read). */
    proxy: string;
}
interface Case {
    key: "static" | "page" | "health";
    label: string;
    path: string;
}
interface Run {
    case: Case["key"];
    side: SideName;
    repeat: number;
    result: WrkResult;
    /** TIME_WAIT sockets in the proxy's network namespace right before and right after the run. */
    timeWaitBefore: number;
    timeWaitAfter: number;
    /** TCP connections the proxy opened during the run (its netns' ActiveOpens): to the app, as it only proxies. */
    connectionsOpened: number;
}
interface Summary {
    rps: number;
    okRps: number;
    p50Ms: number;
    p99Ms: number;
    /** Summed over the repeats. */
    non2xx: number;
    socketErrors: number;
    /** Highest TIME_WAIT count seen after a run. */
    timeWaitMax: number;
    /** Connections the proxy opened per 1,000 requests (median). */
    opensPer1000: number;
}

const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` with whatever it prints on stdout sent to stderr instead, and returns that text too. */
async function onStderr<T>(fn: () => Promise<T>): Promise<{ value: T; printed: string }> {
    const original = process.stdout.write;
    let printed = "";
    process.stdout.write = ((chunk: any, ...rest: any[]) => {
        printed += String(chunk);
        return (process.stderr.write as any)(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
        const value = await fn();
        return { value, printed };
    } finally {
        process.stdout.write = original;
    }
}

/** TIME_WAIT sockets (state 06) in a container's network namespace, read from the host's /proc. */
async function timeWaitCount(container: string): Promise<number> {
    const pid = (await docker.getContainer(container).inspect()).State.Pid;
    let count = 0;
    for (const table of ["tcp", "tcp6"]) {
        let text: string;
        try {
            text = fs.readFileSync(`/proc/${pid}/net/${table}`, "utf8");
        } catch {
            continue;
        }
        count += text.split("\n").slice(1).filter((line) => line.trim().split(/\s+/)[3] === "06").length;
    }
    return count;
}

/** TCP connections opened from a container's network namespace so far (ActiveOpens of its /proc/net/snmp). */
async function activeOpens(container: string): Promise<number> {
    const pid = (await docker.getContainer(container).inspect()).State.Pid;
    const tcp = fs.readFileSync(`/proc/${pid}/net/snmp`, "utf8").split("\n").filter((line) => line.startsWith("Tcp:"));
    const [names, values] = tcp.map((line) => line.split(/\s+/));
    return Number(values[names.indexOf("ActiveOpens")]);
}

/** Files under a directory of a running container, read through the host's /proc/<pid>/root. */
async function filesIn(container: string, dir: string): Promise<number> {
    const pid = (await docker.getContainer(container).inspect()).State.Pid;
    const walk = (abs: string): number =>
        fs.readdirSync(abs, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? walk(path.join(abs, e.name)) : e.isFile() ? 1 : 0), 0);
    try {
        return walk(`/proc/${pid}/root${dir}`);
    } catch {
        return -1;
    }
}

/** Lines of nginx's error log (stderr) in total and those saying the proxy ran out of local ports. */
async function nginxErrors(container: string): Promise<{ errorLines: number; cannotAssign: number }> {
    const text = String(await docker.getContainer(container).logs({ stdout: false, stderr: true, follow: false }));
    return {
        errorLines: (text.match(/\[(error|crit|alert|emerg)\]/g) ?? []).length,
        cannotAssign: (text.match(/Cannot assign requested address/g) ?? []).length,
    };
}

/** Polls `/` until a page with data from Postgres; seconds since `since`. */
async function firstPageWithData(port: number, since: number): Promise<number> {
    const deadline = Date.now() + 60_000;
    for (;;) {
        const res = await request(port, "/", { timeoutMs: 5_000 }).catch(() => ({ status: 0, body: "" }));
        if (res.status === 200 && hasData(res.body)) return (Date.now() - since) / 1000;
        if (Date.now() > deadline) throw new Error(`no page with data on 127.0.0.1:${port} within 60 s (last status ${res.status})`);
        await sleep(100);
    }
}

async function imageSizeMB(ref: string): Promise<number> {
    return (await docker.getImage(ref).inspect()).Size / 1e6;
}

/** Removes what the bench may have made on the engine (both stacks; bench-next's built images too). */
async function wipeBoth(): Promise<void> {
    await wipeStack(SEED_STACK); // first: its app container runs bench-next's image
    await wipeStack(NEXT_STACK);
}

/** Removes the bench's files in WORK_DIR (the outputs hold the generated database URL). */
function removeWorkFiles(): void {
    for (const file of [`${NEXT_STACK}.outputs.json`, `${NEXT_STACK}.job.json`, "phases.log", "base-images.env"]) {
        fs.rmSync(path.join(WORK_DIR, file), { force: true });
    }
    for (const dir of [path.join(WORK_DIR, "state"), WORK_DIR]) {
        try {
            fs.rmdirSync(dir); // only when empty: a shared work dir keeps what others put there
        } catch {
            /* not empty or gone */
        }
    }
}

/** IDs of this process's own children (the deploy child of `up`, a running wrk), from /proc. */
function ownChildren(): number[] {
    const children: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            // pid (comm) state ppid …; comm may hold spaces and parentheses.
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            if (ppid === process.pid) children.push(Number(entry));
        } catch {
            /* gone meanwhile */
        }
    }
    return children;
}

/** Stops this process's children by ID (a deploy child left running would create objects after the cleanup). */
async function stopChildren(): Promise<void> {
    const children = ownChildren();
    for (const pid of children) {
        try {
            process.kill(pid, "SIGTERM");
        } catch {
            /* already gone */
        }
    }
    const running = (pid: number) => {
        try {
            return !/^\d+ \(.*\) [ZX] /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8")); // a zombie has ended
        } catch {
            return false;
        }
    };
    const deadline = Date.now() + 10_000;
    while (children.some(running) && Date.now() < deadline) await sleep(100);
}

let cleaning: Promise<void> | undefined;
function cleanupOnce(): Promise<void> {
    cleaning ??= (async () => {
        log("cleanup: removing bench-seed and bench-next (containers, networks, volumes, bench-next's images)");
        try {
            await wipeBoth();
        } finally {
            removeWorkFiles();
        }
    })();
    return cleaning;
}

function fmt(value: number, digits = 0): string {
    return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function main(): Promise<void> {
    const wrkVersion = ensureWrk(log);

    const images = prepareEngine(log);

    const version = await docker.version();
    // e2eConfig's healthcheck settings follow the engine's API version.
    process.env.NEXTSTACK_E2E_API_VERSION = version.ApiVersion;
    const nproc = Number(execFileSync("nproc", { encoding: "utf8" }).trim());
    const cpuModel = /model name\s*:\s*(.+)/.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? "unknown CPU";
    const machine = {
        nproc,
        cpuModel,
        memoryGB: Number((os.totalmem() / 1e9).toFixed(1)),
        kernel: os.release(),
        engine: `Docker ${version.Version} (API ${version.ApiVersion})`,
        wrk: wrkVersion,
    };

    await wipeBoth(); // leftovers of an interrupted earlier run
    fs.rmSync(path.join(WORK_DIR, "phases.log"), { force: true });
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => {
            log(`${signal}: stopping`);
            stopChildren()
                .then(cleanupOnce)
                .finally(() => process.exit(130));
        });
    }

    try {
        // --- nextstack: `pulumi up` of a prod-like stack, then the first page through its proxy -----------------
        const proxyPort = await freePort();
        const directPort = await freePort();
        log(`nextstack: up ${NEXT_STACK} (Pulumi.prod.yaml, proxy on 127.0.0.1:${proxyPort}, the app also on 127.0.0.1:${directPort} for the direct side)`);
        const upStarted = Date.now();
        const { value: outputs, printed } = await onStderr(() =>
            up(NEXT_STACK, e2eConfig("Pulumi.prod.yaml", { proxyPort, proxyPublishAddress: "127.0.0.1", appPublishPort: directPort })),
        );
        const upSeconds = (Date.now() - upStarted) / 1000;
        const nextFirstPage = await firstPageWithData(proxyPort, upStarted);
        const healthyAfter = Object.fromEntries([...printed.matchAll(/healthy (\S+) after ([\d.]+) s/g)].map((m) => [m[1], Number(m[2])]));
        const phases = fs.existsSync(path.join(WORK_DIR, "phases.log")) ? fs.readFileSync(path.join(WORK_DIR, "phases.log"), "utf8") : "";
        const builds = Object.fromEntries([...phases.matchAll(/^\s+build (\S+)\t([\d.]+)$/gm)].map((m) => [m[1], Number(m[2])]));
        log(`nextstack: up took ${upSeconds.toFixed(1)} s; first page with data ${nextFirstPage.toFixed(1)} s after up started`);

        // --- seed: the same app image and stand-ins, the seed's way ---------------------------------------------
        const appImage = (await docker.getContainer(outputs.appContainer).inspect()).Image;
        const nextProxyImage = (await docker.getContainer(outputs.proxyContainer).inspect()).Image;
        const seedPort = await freePort();
        log(`seed: network, Postgres, app (${appImage.slice(7, 19)}), nginx with the seed's default.conf on 127.0.0.1:${seedPort}`);
        const seed = await startSeed({ app: appImage, postgres: images.postgres, nginx: images.nginx }, seedPort, log);
        log(`seed: first page with data ${seed.times.firstPageWithData.toFixed(1)} s after its network was created`);
        const legacyPort = await freePort();
        const legacyProxy = await addLegacySeedProxy(images.nginx, legacyPort);
        log(`seed-legacy: a second nginx on the seed's network, the seed's config + keepalive 0, on 127.0.0.1:${legacyPort}`);

        const sides: Side[] = [
            { name: "seed", port: seedPort, proxy: seed.proxy },
            { name: "seed-legacy", port: legacyPort, proxy: legacyProxy },
            { name: "nextstack", port: proxyPort, proxy: outputs.proxyContainer },
            { name: "direct", port: directPort, proxy: outputs.appContainer },
        ];
        const home = await request(proxyPort, "/");
        const asset = /\/_next\/static\/[^"'\s]+\.js/.exec(home.body)?.[0];
        if (!asset) throw new Error(`no /_next/static/…js asset in the page:\n${home.body.slice(0, 500)}`);
        for (const side of sides) {
            for (const p of ["/", "/api/health", asset]) {
                const res = await request(side.port, p);
                if (res.status !== 200) throw new Error(`${side.name}: ${p} answered ${res.status} before the load: ${res.body.slice(0, 300)}`);
            }
        }
        const cases: Case[] = [
            { key: "static", label: "static asset", path: asset },
            { key: "page", label: "page / (Postgres)", path: "/" },
            { key: "health", label: "/api/health", path: "/api/health" },
        ];

        const nginxVersion = (await exec(seed.proxy, ["nginx", "-v"])).output.trim().replace(/^nginx version: nginx\//, "");
        const portRange = (await exec(seed.proxy, ["cat", "/proc/sys/net/ipv4/ip_local_port_range"])).output.trim().split(/\s+/).map(Number);

        // --- load: per case, the sides in turn (seed, seed-legacy, nextstack, seed, …) --------------------------------
        const runs: Run[] = [];
        for (const c of cases) {
            for (let repeat = 1; repeat <= REPEATS; repeat++) {
                for (const side of sides) {
                    for (let i = 0; i < WARMUP_REQUESTS; i++) await request(side.port, c.path, { timeoutMs: 5_000 }).catch(() => undefined);
                    const timeWaitBefore = await timeWaitCount(side.proxy);
                    const opensBefore = await activeOpens(side.proxy);
                    const { result } = await runWrk(`http://127.0.0.1:${side.port}${c.path}`, LOAD);
                    const connectionsOpened = (await activeOpens(side.proxy)) - opensBefore;
                    const timeWaitAfter = await timeWaitCount(side.proxy);
                    runs.push({ case: c.key, side: side.name, repeat, result, timeWaitBefore, timeWaitAfter, connectionsOpened });
                    const errors = result.socketErrors.connect + result.socketErrors.read + result.socketErrors.write + result.socketErrors.timeout;
                    log(
                        `${c.label.padEnd(18)} ${side.name.padEnd(11)} #${repeat}: ${fmt(result.rps)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, ` +
                            `p99 ${result.p99Ms.toFixed(2)} ms, non-2xx ${result.non2xx}, socket errors ${errors}, ` +
                            `connections opened ${connectionsOpened}, TIME_WAIT ${timeWaitBefore} → ${timeWaitAfter}`,
                    );
                }
            }
        }

        // --- what else is cheap to read before cleanup ----------------------------------------------------------------
        const staticCheck = await request(proxyPort, asset);
        const seedCacheFiles = await filesIn(seed.proxy, "/var/cache/nginx");
        const nginxErrorLog = Object.fromEntries(
            await Promise.all(sides.filter((side) => side.name !== "direct").map(async (side) => [side.name, await nginxErrors(side.proxy)] as const)),
        ) as Record<(typeof PROXIES)[number], { errorLines: number; cannotAssign: number }>;
        const sizes = {
            appMB: await imageSizeMB(appImage),
            nextstackProxyMB: await imageSizeMB(nextProxyImage),
            seedNginxMB: await imageSizeMB(images.nginx),
            postgresMB: await imageSizeMB(images.postgres),
        };

        const summary = (key: Case["key"], side: SideName): Summary => {
            const mine = runs.filter((r) => r.case === key && r.side === side);
            return {
                rps: median(mine.map((r) => r.result.rps)),
                okRps: median(mine.map((r) => r.result.okRps)),
                p50Ms: median(mine.map((r) => r.result.p50Ms)),
                p99Ms: median(mine.map((r) => r.result.p99Ms)),
                non2xx: mine.reduce((n, r) => n + r.result.non2xx, 0),
                socketErrors: mine.reduce((n, r) => n + Object.values(r.result.socketErrors).reduce((a, b) => a + b, 0), 0),
                timeWaitMax: Math.max(...mine.map((r) => r.timeWaitAfter)),
                opensPer1000: median(mine.map((r) => (r.result.requests > 0 ? (1000 * r.connectionsOpened) / r.result.requests : 0))),
            };
        };

        // --- the figures ---------------------------------------------------------------------------------------------
        const date = new Date(startedAt);
        const out: string[] = [];
        out.push("");
        out.push(`nextstack bench, ${date.toISOString().slice(0, 19)}Z: the seed's compose + nginx setup vs nextstack, same engine, same app and Postgres images`);
        out.push(`machine: nproc ${nproc}, ${cpuModel}, ${machine.memoryGB} GB, Linux ${machine.kernel}; engine ${machine.engine}; ${wrkVersion.split(" [")[0]}`);
        out.push(`proxies: nginx ${nginxVersion} (stand-in image), ephemeral ports in a container ${portRange.join("-")} (${portRange[1] - portRange[0] + 1})`);
        out.push(
            `load: wrk -t${LOAD.threads} -c${LOAD.connections} -d${LOAD.durationSeconds}s --timeout ${LOAD.timeoutSeconds}s --latency, ` +
                `to 127.0.0.1 only; ${REPEATS} run(s) per case and side, the sides in turn, ${WARMUP_REQUESTS} warm-up requests before each; ` +
                `medians shown, errors summed over the runs`,
        );
        out.push("");
        const head = ["case", "side", "req/s", "2xx req/s", "p50 ms", "p99 ms", "non-2xx", "sock err", "conns/1k req", "TIME_WAIT"];
        const widths = [18, 12, 9, 10, 8, 8, 8, 8, 12, 9];
        const row = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" ");
        out.push(row(head));
        out.push(row(widths.map((w) => "-".repeat(w))));
        const table: Record<string, Record<SideName, Summary>> = {};
        const ratio = (x: number, y: number) => (y > 0 ? `×${(x / y).toFixed(2)}` : "n/a");
        for (const c of cases) {
            table[c.key] = Object.fromEntries(SIDES.map((side) => [side, summary(c.key, side)])) as Record<SideName, Summary>;
            for (const side of SIDES) {
                const s = table[c.key][side];
                out.push(row([side === SIDES[0] ? c.label : "", side, fmt(s.rps), fmt(s.okRps), s.p50Ms.toFixed(2), s.p99Ms.toFixed(2), fmt(s.non2xx), fmt(s.socketErrors), fmt(s.opensPer1000, 1), fmt(s.timeWaitMax)]));
            }
            const next = table[c.key].nextstack;
            for (const base of ["seed", "seed-legacy", "direct"] as const) {
                const b = table[c.key][base];
                out.push(row(["", `next/${base.replace("seed-", "")}`, ratio(next.rps, b.rps), ratio(next.okRps, b.okRps), ratio(next.p50Ms, b.p50Ms), ratio(next.p99Ms, b.p99Ms), "", "", "", ""]));
            }
        }
        out.push(`static asset: ${asset}; nextstack X-Cache-Status after the load: ${staticCheck.headers["x-cache-status"] ?? "none"}; seed cache files in /var/cache/nginx: ${seedCacheFiles}`);
        out.push(`seed: the seed's nginx config verbatim, on the stand-in's nginx ${nginxVersion}, which keeps idle upstream connections by default since 1.29.7`);
        out.push(`seed-legacy: the same config + "keepalive 0;" in its upstream: nginx before 1.29.7 (the seed's time) ran it so, one connection per request`);
        out.push(`direct: the same app container through its own published port, no proxy: the limit a proxy is measured against (next/direct: the proxy's cost, or its gain where it serves from its cache)`);
        out.push(`conns/1k req: TCP connections the proxy opened (to the app) per 1,000 requests; a cached asset needs none (direct: the app's own, to Postgres)`);
        out.push(`TIME_WAIT: sockets in the proxy's network namespace right after a run (highest of its runs; they live 60 s, so earlier runs of the same side add to it)`);
        out.push(
            `nginx error log after all runs: ${PROXIES.map((side) => `${side} ${nginxErrorLog[side].errorLines} error lines (${nginxErrorLog[side].cannotAssign} "Cannot assign requested address")`).join(", ")}`,
        );
        out.push("");
        out.push("time to a page with data from Postgres through the proxy");
        const buildText = Object.entries(builds).map(([image, s]) => `${image.replace(/^nextstack-bench-next-/, "").replace(/:current$/, "")} ${s.toFixed(1)} s`).join(", ");
        const healthyText = Object.entries(healthyAfter).map(([name, s]) => `${name.replace(/^nextstack-bench-next-/, "")} ${s.toFixed(1)} s`).join(", ");
        out.push(`  nextstack  ${nextFirstPage.toFixed(1).padStart(5)} s from \`up\` start (up ${upSeconds.toFixed(1)} s: image builds ${buildText || "n/a"}; healthy after create: ${healthyText || "n/a"})`);
        out.push(
            `  seed       ${seed.times.firstPageWithData.toFixed(1).padStart(5)} s from \`docker network create\` (containers created and started ${seed.times.started.toFixed(1)} s, ` +
                `first answer ${seed.times.firstAnswer.toFixed(1)} s, first 200 ${seed.times.first200.toFixed(1)} s; images already built, nothing waits for health)`,
        );
        out.push("");
        out.push(
            `image sizes: app ${fmt(sizes.appMB)} MB (the same image on every side); proxy: nextstack ${fmt(sizes.nextstackProxyMB)} MB, ` +
                `seed ${fmt(sizes.seedNginxMB)} MB (the nginx stand-in + its 1 KB config); Postgres stand-in ${fmt(sizes.postgresMB)} MB (every side)`,
        );

        const result = {
            date: date.toISOString(),
            machine,
            nginxVersion,
            ephemeralPortRange: portRange,
            load: { ...LOAD, repeats: REPEATS, warmupRequests: WARMUP_REQUESTS },
            seedNginxConf: path.relative(path.join(__dirname, ".."), SEED_NGINX_CONF),
            staticAsset: asset,
            cases: cases.map((c) => ({ ...c, median: table[c.key] })),
            runs,
            startup: {
                nextstack: { firstPageWithDataSeconds: nextFirstPage, upSeconds, buildSeconds: builds, healthyAfterCreateSeconds: healthyAfter },
                seed: seed.times,
            },
            imageSizesMB: sizes,
            nginxErrorLog,
            seedCacheFiles,
        };

        await cleanupOnce();
        const left = { seed: await labelled(SEED_STACK), nextstack: await labelled(NEXT_STACK) };
        const leftCount = Object.values(left).reduce((n, l) => n + l.containers.length + l.networks.length + l.volumes.length + l.images.length, 0);
        const totalSeconds = (Date.now() - startedAt) / 1000;
        out.push(`cleanup: ${leftCount === 0 ? "no labelled object of bench-seed or bench-next left on the engine" : `LEFT ON THE ENGINE: ${JSON.stringify(left)}`}; base images kept`);
        out.push(`whole bench: ${totalSeconds.toFixed(0)} s`);

        fs.mkdirSync(RESULTS_DIR, { recursive: true });
        const file = path.join(RESULTS_DIR, `${date.toISOString().slice(0, 19).replace(/:/g, "-")}Z.json`);
        fs.writeFileSync(file, JSON.stringify({ ...result, leftOnEngine: left, totalSeconds }, null, 2) + "\n");
        out.push(`figures as JSON: ${path.relative(process.cwd(), file)}`);
        process.stdout.write(out.join("\n") + "\n");
    } finally {
        await cleanupOnce();
    }
}

main().then(
    () => process.exit(0),
    async (err) => {
        process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        await cleanupOnce().catch((e) => process.stderr.write(`cleanup failed too: ${e}\n`));
        process.exit(1);
    },
);
