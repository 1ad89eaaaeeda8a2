import * as fs from "fs";
import * as path from "path";
import { FIXTURE_APPS, FIXTURE_APPS_DIR } from "../fixtures/apps";
import { destroy, docker, e2eConfig, e2eEngine, exec, freePort, phase, request, timeChecks, up, waitFor, wipeStack, WORK_DIR } from "./support";

// Scenario 8 of the README: real Next.js apps as their developers left them (tests/fixtures/apps: lockfiles written by the real
// tools, no packageManager field unless the fixture is about it) deploy from config alone: each is built with the
// package manager and version the program chose (the image build fails if `<tool> --version` differs) and serves
// its page. On one engine: the builds are the cost, and the other engine builds the sample app in scenario 2.
const onThisEngine = e2eEngine() === "debian";

(onThisEngine ? describe.each(Object.entries(FIXTURE_APPS)) : describe.skip.each(Object.entries(FIXTURE_APPS)))("%s", (app, expected) => {
    const stack = `e2e-app-${app}`;
    let port: number;
    let outputs: Record<string, any>;

    beforeAll(async () => {
        await wipeStack(stack);
        port = await freePort();
        // Dev's database (unpublished, unprotected: a throwaway stack) and the app on loopback. The fixtures have
        // no health route: the default probe (any answer below 500 from /) must make them healthy, or `up` fails.
        const config = e2eConfig("Pulumi.dev.yaml", { dbPublishPort: 0, protectData: false, appEnabled: true, appPath: `${FIXTURE_APPS_DIR}/${app}`, appPublishPort: port, ...expected.config });
        outputs = await phase(`8. up with ${app}`, () => up(stack, config));
    });

    afterAll(async () => {
        await destroy(stack);
        await wipeStack(stack);
    });

    timeChecks(`8. ${app}`);

    test(`the image was built with ${expected.packageManager}`, () => {
        const state = JSON.parse(fs.readFileSync(path.join(WORK_DIR, "state", `${stack}.json`), "utf8"));
        const image = state.resources.find((r: { name: string }) => r.name === "app-image");
        expect(image.inputs.build.args.PACKAGE_MANAGER).toBe(expected.packageManager);
    });

    test("its page is served", async () => {
        let body = "";
        await waitFor(`${app} answers`, async () => {
            const res = await request(port, "/").catch(() => undefined);
            body = res?.body ?? "";
            return res?.status === 200;
        }, 30_000);
        expect(body).toContain(`fixture ${app}`);
    });

    if (expected.config?.appBuildEnv) {
        const entries: string[] = JSON.parse(expected.config.appBuildEnv);
        test("its build env is inlined into the page, and is neither in the running container's env nor in the image's history", async () => {
            const res = await request(port, "/");
            const imageId = (await docker.getContainer(outputs.appContainer).inspect()).Image;
            const history = await docker.getImage(imageId).history();
            const env = await exec(outputs.appContainer, ["env"]);
            expect(env.code).toBe(0);
            for (const entry of entries) {
                const [name, value] = [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)];
                expect(res.body).toContain(value);
                expect(env.output).not.toContain(`${name}=`);
                expect(JSON.stringify(history)).not.toContain(value);
            }
            // The history is the runner's: read, not empty (so the check above looked at something).
            expect(history.length).toBeGreaterThan(3);
        });
    }

    if (expected.config?.appMigrateCommand) {
        test("its migration ran with its devDependency tool", async () => {
            const rows = await exec(outputs.dbContainer, ["sh", "-c", 'psql -tA -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "select note from fixture_migrated"']);
            expect(rows).toEqual({ code: 0, output: expect.stringContaining("by node-pg-migrate") });
        });
    }
});
