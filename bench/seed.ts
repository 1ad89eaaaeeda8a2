import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import Docker from "dockerode";
import * as tar from "tar-stream";
import { stackLabels } from "../components/labels";
import { docker, request } from "../tests/e2e/support";

/**
 * The seed's setup (shared/seeds/baseline: database.yml, production-compose.yml, nginx.Dockerfile,
 * nginx/default.conf), rebuilt on the bench's engine with the same app image and Postgres stand-in as the
 * nextstack side, so the two differ only in what the seed does differently:
 * - a hand-made network; containers found by the seed's names (`postgres_db`, `nextjs`);
 * - Postgres with POSTGRES_PASSWORD in its environment and the seed's `pg_isready` healthcheck (10 s), which
 *   nothing waits for; the app and nginx have no healthcheck and start right after it, as `compose up -d` does;
 * - nginx with the seed's default.conf, verbatim (bench/seed/nginx-default.conf): `Connection 'upgrade'` on
 *   every request, no upstream keepalive, the upstream resolved once at start, access log to stdout.
 * Not reproduced on purpose: the seed published Postgres on 0.0.0.0:5432 and nginx on 0.0.0.0:3000; here nginx
 * is published on a free 127.0.0.1 port (as the bench's nextstack stack) and Postgres not at all.
 *
 * nginx 1.29.7 changed a default the seed relied on without saying so: every `upstream` block now keeps 32 idle
 * connections (`keepalive 32 local`), so the seed's config, unchanged, no longer opens a connection per request
 * on the nginx the stand-in ships (1.30). {@link addLegacySeedProxy} adds a second nginx beside the seed's with
 * the behaviour the seed had on the nginx of its time (before 1.29.7): the same config plus `keepalive 0;`.
 */
export const SEED_STACK = "bench-seed";
export const SEED_PREFIX = `nextstack-${SEED_STACK}`;
const LABELS = stackLabels("nextstack", SEED_STACK);
/** The seed's nginx config, a byte-for-byte copy of shared/seeds/baseline/nginx-default.conf. */
export const SEED_NGINX_CONF = path.join(__dirname, "seed", "nginx-default.conf");
const DB_USER = "nextstack";
const DB_NAME = "nextstack";

export interface SeedImages {
    /** The app image the nextstack stack built (image ID). */
    app: string;
    /** Postgres stand-in. */
    postgres: string;
    /** nginx stand-in (the seed's `FROM nginx:alpine`). */
    nginx: string;
}

/** Seconds from the start of the seed's deployment (network create) to each milestone. */
export interface SeedTimes {
    /** Network, volume and the three containers created and started. */
    started: number;
    /** First HTTP answer on `/` through nginx, any status. */
    firstAnswer: number;
    /** First 200 on `/`. */
    first200: number;
    /** First page on `/` with data from Postgres (the visit counter). */
    firstPageWithData: number;
}

/** Whether a page of the app shows data from Postgres (not its "database unavailable" notice). */
export const hasData = (html: string) => /data-testid="visits"[^>]*>\d+</.test(html);

/** Times a seed deployment, from network create to the first page with data; throws with nginx's log if it dies. */
export async function startSeed(images: SeedImages, port: number, log: (line: string) => void): Promise<{ times: SeedTimes; proxy: string; app: string; db: string }> {
    const started = Date.now();
    const since = () => (Date.now() - started) / 1000;
    const networkName = SEED_PREFIX;
    const names = { db: `${SEED_PREFIX}-db`, app: `${SEED_PREFIX}-app`, proxy: `${SEED_PREFIX}-nginx` };
    const password = crypto.randomBytes(18).toString("hex");
    const on = (aliases: string[]) => ({ EndpointsConfig: { [networkName]: { Aliases: aliases } } });

    // `docker network create next-study`, by hand in the seed.
    await docker.createNetwork({ Name: networkName, Driver: "bridge", Labels: LABELS, CheckDuplicate: true });
    // The seed bind-mounts ../.volumes/main_db; a labelled named volume here, so cleanup finds it. The stand-in is
    // Postgres 18, whose image keeps its data under /var/lib/postgresql (the seed's 14 used …/data).
    const volume = `${SEED_PREFIX}-pgdata`;
    await docker.createVolume({ Name: volume, Labels: LABELS });

    const db = await docker.createContainer({
        name: names.db,
        Image: images.postgres,
        Env: [`POSTGRES_USER=${DB_USER}`, `POSTGRES_PASSWORD=${password}`, `POSTGRES_DB=${DB_NAME}`],
        Labels: { ...LABELS, "nextstack.role": "db" },
        Healthcheck: { Test: ["CMD-SHELL", "pg_isready"], Interval: 10e9, Timeout: 5e9, Retries: 5 },
        HostConfig: {
            NetworkMode: networkName,
            RestartPolicy: { Name: "always" },
            Mounts: [{ Type: "volume", Source: volume, Target: "/var/lib/postgresql" }],
        },
        NetworkingConfig: on(["postgres_db"]),
    });
    const app = await docker.createContainer({
        name: names.app,
        Image: images.app,
        // The seed typed this URL by hand (its .env); the host name is the database's container name.
        Env: [`DATABASE_URL=postgresql://${DB_USER}:${password}@postgres_db:5432/${DB_NAME}`, "HOSTNAME=0.0.0.0"],
        Labels: { ...LABELS, "nextstack.role": "app" },
        HostConfig: { NetworkMode: networkName },
        NetworkingConfig: on(["nextjs"]),
    });
    const proxy = await createNginx(names.proxy, images.nginx, port);
    await putConf(proxy, fs.readFileSync(SEED_NGINX_CONF, "utf8"));

    // `make start-database`, then `make start-production` (nextjs before nginx: nginx resolves `nextjs` once,
    // at start, and exits if the name does not resolve yet).
    await db.start();
    await app.start();
    await proxy.start();
    const times: Partial<SeedTimes> = { started: since() };
    log(`seed: network, volume, 3 containers created and started in ${times.started!.toFixed(2)} s`);

    const deadline = Date.now() + 90_000;
    while (times.firstPageWithData === undefined) {
        const res = await request(port, "/", { timeoutMs: 5_000 }).catch(() => ({ status: 0, body: "" }));
        if (res.status !== 0) times.firstAnswer ??= since();
        if (res.status === 200) times.first200 ??= since();
        if (res.status === 200 && hasData(res.body)) times.firstPageWithData = since();
        if (times.firstPageWithData !== undefined) break;
        const state = (await proxy.inspect()).State;
        if (!state.Running) {
            const logs = String(await proxy.logs({ stdout: true, stderr: true, tail: 20, follow: false }));
            throw new Error(`seed: nginx exited (code ${state.ExitCode}) with the seed's config:\n${logs}`);
        }
        if (Date.now() > deadline) throw new Error(`seed: no page with data through nginx within 90 s (last status ${res.status})`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { times: times as SeedTimes, ...names };
}

/** An nginx container of the seed's kind on the seed's network, published on 127.0.0.1:`port`, not started. */
function createNginx(name: string, image: string, port: number): Promise<Docker.Container> {
    return docker.createContainer({
        name,
        Image: image,
        Labels: { ...LABELS, "nextstack.role": "proxy" },
        ExposedPorts: { "80/tcp": {} },
        HostConfig: { NetworkMode: SEED_PREFIX, PortBindings: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] } },
        NetworkingConfig: { EndpointsConfig: { [SEED_PREFIX]: { Aliases: [] } } },
    });
}

/** The seed's nginx image: the base image with conf.d/default.conf replaced (put in before the first start). */
async function putConf(container: Docker.Container, conf: string): Promise<void> {
    const pack = tar.pack();
    pack.entry({ name: "etc/nginx/conf.d/default.conf", mode: 0o644 }, conf);
    pack.finalize();
    await container.putArchive(pack as unknown as NodeJS.ReadableStream, { path: "/" });
}

/** The seed's config as nginx before 1.29.7 ran it: no idle upstream connections, so one connection per request. */
export function legacySeedConf(seedConf: string): string {
    const server = "server nextjs:3000;";
    if (seedConf.split(server).length !== 2) throw new Error(`the seed's nginx config no longer has one "${server}"`);
    return seedConf.replace(server, `${server}\n  keepalive 0; # added by the bench: nginx < 1.29.7 kept no idle upstream connections`);
}

/**
 * A second nginx beside the seed's (after {@link startSeed}), proxying to the same app, with {@link legacySeedConf}.
 * Returns its container name once it answers.
 */
export async function addLegacySeedProxy(image: string, port: number): Promise<string> {
    const name = `${SEED_PREFIX}-nginx-legacy`;
    const proxy = await createNginx(name, image, port);
    await putConf(proxy, legacySeedConf(fs.readFileSync(SEED_NGINX_CONF, "utf8")));
    await proxy.start();
    const deadline = Date.now() + 30_000;
    for (;;) {
        const res = await request(port, "/api/health", { timeoutMs: 5_000 }).catch(() => ({ status: 0 }));
        if (res.status === 200) return name;
        const state = (await proxy.inspect()).State;
        if (!state.Running) {
            const logs = String(await proxy.logs({ stdout: true, stderr: true, tail: 20, follow: false }));
            throw new Error(`seed (legacy): nginx exited (code ${state.ExitCode}):\n${logs}`);
        }
        if (Date.now() > deadline) throw new Error(`seed (legacy): /api/health not 200 within 30 s (last status ${res.status})`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}
