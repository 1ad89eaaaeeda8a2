import { envOf, ProgramRun, publishedPorts, runProgram, T, valueOf } from "./harness";

// A stack that sets every run-policy, publishing and limit key away from its default, and its own database
// user, name, URL variable and health path: each value must reach the containers it is meant for.
let run: ProgramRun;
beforeAll(async () => {
    run = await runProgram({
        stack: "staging",
        config: {
            "nextstack:appEnabled": "true",
            "nextstack:proxyEnabled": "true",
            "nextstack:restartPolicy": "on-failure",
            "nextstack:healthcheckInterval": "7",
            // 0: no start interval at all (older engines refuse the field).
            "nextstack:healthcheckStartInterval": "0",
            "nextstack:stopGraceSeconds": "17",
            "nextstack:dbPublishPort": "15432",
            "nextstack:dbPublishAddress": "0.0.0.0",
            "nextstack:dbPublishAnyAddress": "true",
            "nextstack:appPublishPort": "3100",
            "nextstack:proxyPort": "8080",
            "nextstack:proxyPublishAddress": "127.0.0.1",
            "nextstack:dbMemory": "256m",
            "nextstack:dbCpus": "2",
            "nextstack:proxyMemory": "64m",
            "nextstack:proxyCpus": "0.25",
            "nextstack:dbUser": "shop",
            "nextstack:dbName": "shopdb",
            "nextstack:appDatabaseUrlEnv": "PG_URL",
            "nextstack:appHealthPath": "/healthz",
            "nextstack:appBuildPackages": '["python3","make","g++"]',
            "nextstack:appBuildEnv": '["NEXT_PUBLIC_SITE=Shop & Co","SENTRY_ORG=shop"]',
        },
    });
});

const container = (role: string) => run.all(T.container).find((c) => c.inputs.name === `nextstack-staging-${role}`)!;
const ROLES = ["db", "app", "proxy"];

test.each(ROLES)("the %s container restarts on failure and gets 17 s to stop", (role) => {
    expect(container(role).inputs.restart).toBe("on-failure");
    expect(container(role).inputs.destroyGraceSeconds).toBe(17);
});

test.each([
    ["db", ["CMD-SHELL", "pg_isready -h 127.0.0.1 -p 5432 -U shop -d shopdb && test -f /run/nextstack/password-synced"], "1m0s"],
    ["app", ["CMD", "node", "-e", 'fetch("http://127.0.0.1:3000/healthz").then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))'], "1m0s"],
    ["proxy", ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:80/nginx-health"], "10s"],
])("the %s container is probed every 7 s, with no start interval, for its own user, database or health path", (role, tests, startPeriod) => {
    expect(container(role).inputs.healthcheck).toEqual({ tests, interval: "7s", timeout: "5s", retries: 3, startPeriod });
});

// Start period + 3 × 7 s + 10 s.
test.each([
    ["db", 91],
    ["app", 91],
    ["proxy", 41],
])("the %s container's wait times out after %i s", (role, seconds) => {
    expect(container(role).inputs.waitTimeout).toBe(seconds);
});

test("each container gets its own limits: the database and the proxy theirs, the app none", () => {
    // 2 CPUs as the provider reads them back (2.0); no swap: memorySwap equals memory.
    expect(container("db").inputs).toMatchObject({ memory: 256, memorySwap: 256, cpus: "2.0" });
    expect(container("proxy").inputs).toMatchObject({ memory: 64, memorySwap: 64, cpus: "0.25" });
    expect([container("app").inputs.memory, container("app").inputs.memorySwap, container("app").inputs.cpus]).toEqual([undefined, undefined, undefined]);
});

test("publishes each container where configured: the database on every interface, app and proxy on loopback", () => {
    expect(publishedPorts(container("db"))).toEqual(["0.0.0.0:15432->5432"]);
    expect(publishedPorts(container("app"))).toEqual(["127.0.0.1:3100->3000"]);
    expect(publishedPorts(container("proxy"))).toEqual(["127.0.0.1:8080->80"]);
});

test("the host URL dials a database published on every interface at 127.0.0.1, on the published port", async () => {
    expect(await valueOf(run.outputs.dbHostUrl)).toBe("postgresql://shop:Generated0Password0Of0Length0032@127.0.0.1:15432/shopdb");
    expect(await run.outputs.dbHostUrl.isSecret).toBe(true);
});

test("the proxy URL is on its published address and port", async () => {
    expect(await valueOf(run.outputs.url)).toBe("http://127.0.0.1:8080/");
});

test("the app reads the database URL, built for the configured user and database, from the configured variable", () => {
    const env = envOf(container("app"));
    expect(env.PG_URL).toBe("postgresql://shop:Generated0Password0Of0Length0032@db:5432/shopdb");
    expect(env.DATABASE_URL).toBeUndefined();
    expect(container("db").inputs.envs).toEqual(["POSTGRES_USER=shop", "POSTGRES_DB=shopdb", "POSTGRES_PASSWORD_FILE=/run/secrets/postgres-password"]);
});

test("without protectData the volume is neither protected nor retained", () => {
    expect([run.one(T.volume).protect, run.one(T.volume).retainOnDelete]).toEqual([false, false]);
});

test("the build packages reach the app image's build, space-separated, and only it", () => {
    expect(run.one(T.image, "app-image").inputs.build.args.BUILD_PACKAGES).toBe("python3 make g++");
    expect(run.one(T.image, "proxy-image").inputs.build.args.BUILD_PACKAGES).toBeUndefined();
});

test("the build env reaches the app image's build as one line per entry, and not the running container", () => {
    expect(run.one(T.image, "app-image").inputs.build.args.NEXTSTACK_BUILD_ENV).toBe("NEXT_PUBLIC_SITE=Shop & Co\nSENTRY_ORG=shop");
    expect(run.one(T.image, "proxy-image").inputs.build.args.NEXTSTACK_BUILD_ENV).toBeUndefined();
    expect(Object.keys(envOf(container("app")))).not.toContain("NEXT_PUBLIC_SITE");
});
