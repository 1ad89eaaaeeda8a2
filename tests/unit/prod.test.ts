import { isLoopbackHost } from "../../components/postgres";
import { PROXY_CONF_FILE } from "../../components/proxy";
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
    // The same value the database component exports: derived once, not typed twice.
    expect(envOf(app).DATABASE_URL).toBe(await valueOf(run.outputs.dbUrl));
    expect(await run.outputs.dbUrl.isSecret).toBe(true);
});

test("the app runs the built image by digest, so a rebuild replaces the container", () => {
    const image = run.one(T.image, "app-image");
    expect(image.inputs.build).toMatchObject({ context: "app", dockerfile: "components/nextjs.Dockerfile" });
    expect(image.inputs.build.args).toMatchObject({ BASE_IMAGE: "node:24-alpine", NEXTSTACK_STACK: "prod", NEXTSTACK_PROJECT: "nextstack" });
    expect(image.inputs.skipPush).toBe(true);
    expect(container("app").inputs.image).toMatch(/^sha256:/);
    expect(container("proxy").inputs.image).toMatch(/^sha256:/);
    expect(container("app").inputs.image).not.toBe(image.inputs.imageName);
});

test("the app listens on all interfaces and is healthchecked on its health route", () => {
    const app = container("app");
    expect(envOf(app).HOSTNAME).toBe("0.0.0.0");
    expect(app.inputs.healthcheck.tests.join(" ")).toContain("http://127.0.0.1:3000/api/health");
    expect(app.inputs.wait).toBe(true);
});

test("every container has a healthcheck, restart policy, stop grace and is replaced, not updated, on healthcheck changes", () => {
    for (const c of run.all(T.container)) {
        expect(c.inputs.healthcheck.tests.length).toBeGreaterThan(1);
        expect(c.inputs.restart).toBe("unless-stopped");
        expect(c.inputs.destroyGraceSeconds).toBeGreaterThan(0);
        expect(c.replaceOnChanges).toEqual(["healthcheck", "memory", "memorySwap"]);
        expect(c.deleteBeforeReplace).toBe(true);
    }
});

test("starts in order: app after the database, proxy after the app", () => {
    expect(container("app").dependsOn).toContain(container("db").urn);
    expect(container("proxy").dependsOn).toContain(container("app").urn);
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
    const upload = proxy.inputs.uploads.find((u: any) => u.file === PROXY_CONF_FILE);
    expect(upload.content).toContain("server app:3000 resolve;");
    expect(run.one(T.image, "proxy-image").inputs.build).toMatchObject({ context: "nginx", args: expect.objectContaining({ BASE_IMAGE: "nginx:1.30-alpine" }) });
});

test("the data volume is protected from destroy and replacement, and retained should it be deleted", () => {
    const volume = run.one(T.volume);
    expect(volume.inputs.name).toBe("nextstack-prod-pgdata");
    expect(volume.protect).toBe(true);
    expect(volume.retainOnDelete).toBe(true);
    for (const r of run.resources.filter((x) => x !== volume)) expect(r.protect).toBe(false);
});

test("containers carry their role", () => {
    for (const role of ["db", "app", "proxy"]) {
        expect(container(role).inputs.labels).toContainEqual({ label: "nextstack.role", value: role });
    }
});

test("components parent their resources", () => {
    for (const c of run.all(T.container)) expect(c.parent).toMatch(/nextstack:(db:Database|app:NextApp|proxy:Proxy)/);
});

test("exports the proxy URL", async () => {
    expect(await valueOf(run.outputs.url)).toBe("http://127.0.0.1:3000/");
});
