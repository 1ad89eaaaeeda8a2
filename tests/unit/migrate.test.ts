import { ProgramRun, runProgram, stackConfig, T, valueOf } from "./harness";

// prod with a migration command: a one-shot container runs it in the app image before the app starts. The app
// has extra env, secret env and limits, which the migration must share.
const COMMAND = "node migrate.mjs";
let run: ProgramRun;
beforeAll(async () => {
    run = await runProgram({
        stack: "prod",
        config: {
            ...stackConfig("Pulumi.prod.yaml"),
            "nextstack:appMigrateCommand": COMMAND,
            "nextstack:appEnv": '["FEATURE=on"]',
            "nextstack:appSecretEnv": '["AUTH_SECRET=s3cret-value"]',
            "nextstack:appPublicUrl": "https://shop.example.com",
            "nextstack:appPublicUrlEnv": '["AUTH_URL","NEXTAUTH_URL"]',
            "nextstack:appMemory": "300m",
            "nextstack:appCpus": "0.5",
        },
        secretKeys: ["nextstack:appSecretEnv"],
    });
});

const byName = (role: string) => run.all(T.container).find((c) => c.inputs.name === `nextstack-prod-${role}`)!;

// What both get: the URL the program derives, the server's own two, then appEnv and the public URL's names,
// then appSecretEnv.
const APP_ENV = [
    "DATABASE_URL=postgresql://nextstack:Generated0Password0Of0Length0032@db:5432/nextstack",
    "HOSTNAME=0.0.0.0",
    "PORT=3000",
    "FEATURE=on",
    "AUTH_URL=https://shop.example.com",
    "NEXTAUTH_URL=https://shop.example.com",
    "AUTH_SECRET=s3cret-value",
];

test("runs the command once through a shell in the app's source image, with the app's environment, on the stack's network", () => {
    const migrate = byName("migrate");
    expect(migrate.inputs.command).toEqual(["sh", "-c", COMMAND]);
    expect(migrate.propertyDependencies.image).toEqual([run.one(T.image, "app-migrate-image").urn]);
    expect(migrate.inputs.envs).toEqual(APP_ENV);
    expect(byName("app").inputs.envs).toEqual(APP_ENV);
    expect(migrate.secretInputs.has("envs")).toBe(true);
    // No alias: nothing connects to it.
    expect(migrate.inputs.networksAdvanced).toEqual([{ name: "nextstack-prod" }]);
    // attach: up waits for it to exit and gets its exit code and logs; mustRun false: it is not restarted either.
    expect(migrate.inputs).toMatchObject({ mustRun: false, attach: true, logs: true, restart: "no" });
    expect(migrate.inputs.ports ?? []).toEqual([]);
});

test("a one-shot container: no healthcheck or wait, under the app's limits, labelled as the migration", () => {
    const migrate = byName("migrate");
    expect(migrate.inputs.healthcheck).toBeUndefined();
    expect(migrate.inputs.wait).toBeUndefined();
    expect(migrate.inputs).toMatchObject({ memory: 300, memorySwap: 300, cpus: "0.5" });
    expect(migrate.inputs.labels).toEqual([
        { label: "nextstack.project", value: "nextstack" },
        { label: "nextstack.stack", value: "prod" },
        { label: "nextstack.role", value: "migrate" },
    ]);
    // Replaced (so run again) with the image or env; the old one goes first, as the name is fixed.
    expect(migrate.deleteBeforeReplace).toBe(true);
});

test("after the database is healthy, and before the app, which still starts after the database", () => {
    const containerDeps = (role: string) => byName(role).dependsOn.filter((u) => u.includes("docker:index/container:Container")).sort();
    expect(containerDeps("migrate")).toEqual([byName("db").urn]);
    expect(containerDeps("app")).toEqual([byName("db").urn, byName("migrate").urn].sort());
    expect(containerDeps("proxy")).toEqual([byName("app").urn]);
});

// DESIGN trap 18: an input that came from the migration's outputs would make the engine delete the app before
// a replaced migration runs, so a failed migration would leave nothing serving. The order comes from dependsOn.
test("no input of the app comes from the migration", () => {
    const migrateUrn = byName("migrate").urn;
    for (const [input, urns] of Object.entries(byName("app").propertyDependencies)) {
        expect([input, urns.includes(migrateUrn)]).toEqual([input, false]);
    }
});

test("the stack then has four containers: db, migrate, app, proxy", () => {
    expect(run.all(T.container).map((c) => c.inputs.name).sort()).toEqual(["nextstack-prod-app", "nextstack-prod-db", "nextstack-prod-migrate", "nextstack-prod-proxy"]);
});

test("the url output is the configured public URL, not the proxy's address", async () => {
    expect(await valueOf(run.outputs.url)).toBe("https://shop.example.com/");
});

test("the migration's image is the Dockerfile's migrate target (source and all dependencies), built like the app's", () => {
    const app = run.one(T.image, "app-image").inputs;
    const migrate = run.one(T.image, "app-migrate-image").inputs;
    expect(migrate).toEqual({
        imageName: "nextstack-prod-app-migrate:current",
        build: { context: "app", dockerfile: "components/nextjs.Dockerfile", target: "migrate", args: app.build.args },
        skipPush: true,
        buildOnPreview: false,
    });
    // The app's image is the default target: the runner.
    expect(app.build.target).toBeUndefined();
    expect(app.build.args).toMatchObject({ BASE_IMAGE: "node:24-alpine", PACKAGE_MANAGER: "npm", NEXTSTACK_STACK: "prod" });
    // An app that is its own root: no APP_DIR (program-workspace.test.ts has one), so its build arguments stay as they were.
    expect(Object.keys(app.build.args)).not.toContain("APP_DIR");
    expect(Object.keys(app.build.args)).not.toContain("NEXTSTACK_BUILD_ENV");
});
