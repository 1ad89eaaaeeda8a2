import { isLoopbackHost } from "../../components/postgres";
import { envOf, ProgramRun, publishedPorts, runProgram, stackConfig, T, valueOf } from "./harness";

// The prod stack, from the real Pulumi.prod.yaml: database, app and proxy.
let run: ProgramRun;
beforeAll(async () => {
    run = await runProgram({ stack: "prod", config: stackConfig("Pulumi.prod.yaml") });
});

const container = (role: string) => run.all(T.container).find((c) => c.inputs.name === `nextstack-prod-${role}`)!;

test("runs database, app and proxy, each named for the stack and on its network with a fixed alias", () => {
    expect(run.all(T.container).map((c) => c.inputs.name).sort()).toEqual(["nextstack-prod-app", "nextstack-prod-db", "nextstack-prod-proxy"]);
    for (const role of ["db", "app", "proxy"]) {
        expect(container(role).inputs.networksAdvanced).toEqual([{ name: "nextstack-prod", aliases: [role] }]);
    }
});

test("publishes only the proxy", async () => {
    expect(publishedPorts(container("proxy"))).toEqual(["0.0.0.0:3000->80"]);
    expect(publishedPorts(container("db"))).toEqual([]);
    expect(publishedPorts(container("app"))).toEqual([]);
    expect(await valueOf(run.outputs.dbHostUrl)).toBeUndefined();
});

test("the app's DATABASE_URL names the db alias, never a loopback host, and is secret", async () => {
    const app = container("app");
    const url = new URL(envOf(app).DATABASE_URL);
    expect(url.hostname).toBe("db");
    expect(isLoopbackHost(url.hostname)).toBe(false);
    expect(url.port).toBe("5432");
    expect(app.secretInputs.has("envs")).toBe(true);
    // User and database default to nextstack; the password is the one generated for the stack (the mock's value).
    expect(envOf(app).DATABASE_URL).toBe("postgresql://nextstack:Generated0Password0Of0Length0032@db:5432/nextstack");
    expect(await valueOf(run.outputs.dbUrl)).toBe("postgresql://nextstack:Generated0Password0Of0Length0032@db:5432/nextstack");
    expect(await run.outputs.dbUrl.isSecret).toBe(true);
});

test("the app's environment is the database URL and what the Next.js server needs, in that order", () => {
    expect(container("app").inputs.envs).toEqual([
        "DATABASE_URL=postgresql://nextstack:Generated0Password0Of0Length0032@db:5432/nextstack",
        // standalone server.js binds HOSTNAME: anything but all interfaces is unreachable from the proxy.
        "HOSTNAME=0.0.0.0",
        "PORT=3000",
    ]);
});

test("the generated password is 32 letters and digits (special characters would need escaping in shells and URLs)", () => {
    expect(run.one(T.password).inputs).toEqual({ length: 32, special: false });
});

test("without a migration command there is no migration image or container", () => {
    expect(run.all(T.image).map((i) => i.name).sort()).toEqual(["app-image", "proxy-image"]);
    expect(run.all(T.container).map((c) => c.inputs.name).sort()).toEqual(["nextstack-prod-app", "nextstack-prod-db", "nextstack-prod-proxy"]);
});

test("the images are built locally from the app and nginx directories, labelled for the stack, never pushed", () => {
    const labels = { NEXTSTACK_PROJECT: "nextstack", NEXTSTACK_STACK: "prod" };
    expect(run.one(T.image, "app-image").inputs).toEqual({
        imageName: "nextstack-prod-app:current",
        build: { context: "app", dockerfile: "components/nextjs.Dockerfile", args: { BASE_IMAGE: "node:24-alpine", PACKAGE_MANAGER: "npm", BUILD_PACKAGES: "", ...labels } },
        skipPush: true,
        // A preview must not build: it would take minutes and need the engine.
        buildOnPreview: false,
    });
    expect(run.one(T.image, "proxy-image").inputs).toEqual({
        imageName: "nextstack-prod-proxy:current",
        build: { context: "nginx", args: { BASE_IMAGE: "nginx:1.30-alpine", ...labels } },
        skipPush: true,
        buildOnPreview: false,
    });
});

test("app and proxy run their built image by digest, the database its pulled image by ID, so a new image replaces the container", () => {
    // The image input comes from the image resource (its digest), not from the tag, which a rebuild keeps.
    expect(container("app").propertyDependencies.image).toEqual([run.one(T.image, "app-image").urn]);
    expect(container("proxy").propertyDependencies.image).toEqual([run.one(T.image, "proxy-image").urn]);
    expect(container("db").propertyDependencies.image).toEqual([run.one(T.remoteImage).urn]);
    expect(container("app").inputs.image).not.toBe(container("proxy").inputs.image);
    expect(run.one(T.remoteImage).inputs).toEqual({ name: "postgres:18-alpine", keepLocally: true });
});

// Defaults: healthcheckInterval 5, healthcheckStartInterval 1; a 5 s timeout and 3 retries for every container.
test.each([
    // Over TCP (the first-start init server listens on the socket only) and only once the password is synced.
    ["db", ["CMD-SHELL", "pg_isready -h 127.0.0.1 -p 5432 -U nextstack -d nextstack && test -f /run/nextstack/password-synced"], "1m0s"],
    // Node probes the app's health route itself: the image needs no curl or wget.
    ["app", ["CMD", "node", "-e", 'fetch("http://127.0.0.1:3000/api/health").then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))'], "1m0s"],
    // nginx's own health location on its listen port, not proxied to the app.
    ["proxy", ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:80/nginx-health"], "10s"],
])("the %s container's healthcheck", (role, tests, startPeriod) => {
    expect(container(role).inputs.healthcheck).toEqual({ tests, interval: "5s", timeout: "5s", retries: 3, startPeriod, startInterval: "1s" });
});

// wait blocks the create until healthy, at most the start period plus three intervals plus 10 s.
test.each([
    ["db", 60 + 3 * 5 + 10],
    ["app", 60 + 3 * 5 + 10],
    ["proxy", 10 + 3 * 5 + 10],
])("the %s container is created only once healthy, waiting at most %i s", (role, seconds) => {
    expect(container(role).inputs.wait).toBe(true);
    expect(container(role).inputs.waitTimeout).toBe(seconds);
});

test("every container restarts unless stopped, gets the default 30 s to stop, and is replaced, not updated, on healthcheck or memory changes", () => {
    for (const c of run.all(T.container)) {
        expect([c.inputs.name, c.inputs.restart, c.inputs.destroyGraceSeconds]).toEqual([c.inputs.name, "unless-stopped", 30]);
        expect(c.replaceOnChanges).toEqual(["healthcheck", "memory", "memorySwap"]);
        // The old container must be gone first: the new one takes the same name (and port).
        expect(c.deleteBeforeReplace).toBe(true);
    }
});

test("no container has limits when none are configured", () => {
    for (const c of run.all(T.container)) {
        expect([c.inputs.name, c.inputs.memory, c.inputs.memorySwap, c.inputs.cpus]).toEqual([c.inputs.name, undefined, undefined, undefined]);
    }
});

test("starts in order: app after the database, proxy after the app", () => {
    const containerUrns = (role: string) => container(role).dependsOn.filter((u) => u.includes("docker:index/container:Container"));
    expect(containerUrns("db")).toEqual([]);
    expect(containerUrns("app")).toEqual([container("db").urn]);
    expect(containerUrns("proxy")).toEqual([container("app").urn]);
});

// DESIGN trap 18: an input built from a container's outputs makes the engine delete and replace its consumer
// whenever that container is replaced. The URL and the nginx config are built from declared values instead.
test("no container input comes from another container's outputs, so a replacement replaces only that container", () => {
    const containerUrns = new Set(run.all(T.container).map((c) => c.urn));
    for (const c of run.all(T.container)) {
        const fromContainers = Object.entries(c.propertyDependencies).filter(([, urns]) => urns.some((u) => containerUrns.has(u)));
        expect([c.inputs.name, fromContainers]).toEqual([c.inputs.name, []]);
    }
});

// DESIGN trap 17: the provider stores healthcheck durations as Go prints them; any other form is a diff on every up.
test("healthcheck durations are written as Go's Duration.String() reads them back", () => {
    for (const c of run.all(T.container)) {
        for (const field of ["interval", "timeout", "startPeriod", "startInterval"]) {
            const value = c.inputs.healthcheck[field];
            expect([c.inputs.name, field, value]).toEqual([c.inputs.name, field, expect.stringMatching(/^(\d+h)?(\d+m)?\d+s$/)]);
            expect(value).not.toMatch(/^([6-9]\d|\d{3,})s$/);
        }
    }
    expect(container("db").inputs.healthcheck).toMatchObject({ interval: "5s", timeout: "5s", startPeriod: "1m0s", startInterval: "1s" });
    expect(container("proxy").inputs.healthcheck.startPeriod).toBe("10s");
});

test("the proxy gets its rendered config for the app's alias and port", () => {
    const proxy = container("proxy");
    // The only upload: nginx reads every file in conf.d, and default.conf replaces the image's own.
    expect(proxy.inputs.uploads.map((u: any) => u.file)).toEqual(["/etc/nginx/conf.d/default.conf"]);
    expect(proxy.inputs.uploads[0].content).toContain("server app:3000 resolve;");
    // On the port the container publishes, with the health location the healthcheck requests.
    expect(proxy.inputs.uploads[0].content).toContain("listen 80 default_server;");
    expect(proxy.inputs.uploads[0].content).toContain("location = /nginx-health {");
});

test("the data volume is protected from destroy and replacement, and retained should it be deleted", () => {
    const volume = run.one(T.volume);
    expect(volume.inputs).toEqual({
        name: "nextstack-prod-pgdata",
        driver: "local",
        labels: [
            { label: "nextstack.project", value: "nextstack" },
            { label: "nextstack.stack", value: "prod" },
        ],
    });
    expect(volume.protect).toBe(true);
    expect(volume.retainOnDelete).toBe(true);
    for (const r of run.resources.filter((x) => x !== volume)) expect(r.protect).toBe(false);
});

test.each(["db", "app", "proxy"])("the %s container carries project, stack and its role", (role) => {
    expect(container(role).inputs.labels).toEqual([
        { label: "nextstack.project", value: "nextstack" },
        { label: "nextstack.stack", value: "prod" },
        { label: "nextstack.role", value: role },
    ]);
});

test("the network is a bridge named for the stack, labelled with project and stack", () => {
    expect(run.one(T.network).inputs).toEqual({
        name: "nextstack-prod",
        // A user-defined bridge: containers find each other by alias through Docker's DNS.
        driver: "bridge",
        labels: [
            { label: "nextstack.project", value: "nextstack" },
            { label: "nextstack.stack", value: "prod" },
        ],
    });
});

test("four components, each the parent of its Docker resources (what pulumi stack shows as the tree)", () => {
    expect(run.resources.filter((r) => !r.custom).map((r) => `${r.type}::${r.name}`).sort()).toEqual([
        "nextstack:app:NextApp::app",
        "nextstack:db:Database::db",
        "nextstack:network:StackNetwork::network",
        "nextstack:proxy:Proxy::proxy",
    ]);
    const parentOf = Object.fromEntries(run.resources.filter((r) => r.custom).map((r) => [r.name, r.parent.split("::").slice(-2).join("::")]));
    expect(parentOf).toEqual({
        network: "nextstack:network:StackNetwork::network",
        "db-password": "nextstack:db:Database::db",
        "db-image": "nextstack:db:Database::db",
        "db-data": "nextstack:db:Database::db",
        db: "nextstack:db:Database::db",
        "app-image": "nextstack:app:NextApp::app",
        app: "nextstack:app:NextApp::app",
        "proxy-image": "nextstack:proxy:Proxy::proxy",
        proxy: "nextstack:proxy:Proxy::proxy",
    });
});

test("exports the proxy URL: published on all interfaces, dialled on loopback", async () => {
    expect(await valueOf(run.outputs.url)).toBe("http://127.0.0.1:3000/");
});

test("exports the Docker names of network, containers and volume", async () => {
    expect(await valueOf(run.outputs.networkName)).toBe("nextstack-prod");
    expect(await valueOf(run.outputs.dbContainer)).toBe("nextstack-prod-db");
    expect(await valueOf(run.outputs.dbVolume)).toBe("nextstack-prod-pgdata");
    expect(await valueOf(run.outputs.appContainer)).toBe("nextstack-prod-app");
    expect(await valueOf(run.outputs.proxyContainer)).toBe("nextstack-prod-proxy");
});

test("the database's password is a secret upload, readable by the postgres user, and not in its environment", () => {
    const db = container("db");
    expect(db.inputs.uploads[0]).toEqual({ file: "/run/secrets/postgres-password", content: "Generated0Password0Of0Length0032", permissions: "0444" });
    expect(db.inputs.envs).toEqual(["POSTGRES_USER=nextstack", "POSTGRES_DB=nextstack", "POSTGRES_PASSWORD_FILE=/run/secrets/postgres-password"]);
    expect([...db.secretInputs]).toEqual(["uploads"]);
});
