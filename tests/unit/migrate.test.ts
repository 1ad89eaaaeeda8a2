import { envOf, ProgramRun, runProgram, stackConfig, T } from "./harness";

// prod with a migration command: a one-shot container runs it in the app image before the app starts.
const COMMAND = "node migrate.mjs";
let run: ProgramRun;
beforeAll(async () => {
    run = await runProgram({ stack: "prod", config: { ...stackConfig("Pulumi.prod.yaml"), "nextstack:appMigrateCommand": COMMAND } });
});

const byName = (role: string) => run.all(T.container).find((c) => c.inputs.name === `nextstack-prod-${role}`)!;

test("runs the command once in the app image, with the app's environment, on the stack's network", () => {
    const migrate = byName("migrate");
    const app = byName("app");
    expect(migrate.inputs.command).toEqual(["sh", "-c", COMMAND]);
    expect(migrate.inputs.image).toBe(app.inputs.image);
    expect(envOf(migrate)).toEqual(envOf(app));
    expect(migrate.secretInputs.has("envs")).toBe(true);
    expect(migrate.inputs.networksAdvanced).toEqual([{ name: "nextstack-prod" }]);
    expect(migrate.inputs).toMatchObject({ mustRun: false, attach: true, logs: true, restart: "no" });
    expect(migrate.inputs.ports ?? []).toEqual([]);
});

test("after the database is healthy, and before the app", () => {
    expect(byName("migrate").dependsOn).toContain(byName("db").urn);
    expect(byName("app").dependsOn).toContain(byName("migrate").urn);
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
    expect(run.all(T.container)).toHaveLength(4);
});
