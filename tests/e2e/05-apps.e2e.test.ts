import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import Docker from "dockerode";
import { FIXTURE_APPS, FIXTURE_APPS_DIR } from "../fixtures/apps";
import { destroy, docker, e2eConfig, e2eEngine, exec, freePort, phase, preview, request, ROOT, timeChecks, up, waitFor, wipeStack, WORK_DIR } from "./support";

// Scenario 8 of the README: real Next.js apps as their developers left them (tests/fixtures/apps: lockfiles written by the real
// tools, no packageManager field unless the fixture is about it) deploy from config alone: each is built with the
// package manager and version the program chose (the image build fails if `<tool> --version` differs) and serves
// its page. On one engine: the builds are the cost, and the other engine builds the sample app in scenario 2.
const onThisEngine = e2eEngine() === "debian";

/** Which of `needles` occur in the image's `docker save` stream (read as it comes: an image can be large). */
function savedImageContains(image: Docker.Image, needles: string[]): Promise<Set<string>> {
    const patterns = needles.map((n) => Buffer.from(n));
    const longest = Math.max(...patterns.map((p) => p.length));
    const found = new Set<string>();
    return new Promise((resolve, reject) =>
        image.get((err, stream) => {
            if (err || !stream) return reject(err ?? new Error("docker save returned no stream"));
            // Each chunk is searched with the end of the one before, so a match across two chunks is found.
            let tail = Buffer.alloc(0);
            stream.on("data", (chunk: Buffer) => {
                const window = Buffer.concat([tail, chunk]);
                patterns.forEach((p, i) => {
                    if (window.includes(p)) found.add(needles[i]);
                });
                tail = window.subarray(Math.max(0, window.length - longest + 1));
            });
            stream.on("end", () => resolve(found));
            stream.on("error", reject);
        }),
    );
}

(onThisEngine ? describe.each(Object.entries(FIXTURE_APPS)) : describe.skip.each(Object.entries(FIXTURE_APPS)))("%s", (app, expected) => {
    const stack = `e2e-app-${app}`;
    let port: number;
    let outputs: Record<string, any>;
    let config: Record<string, string>;

    beforeAll(async () => {
        await wipeStack(stack);
        port = await freePort();
        // Dev's database (unpublished, unprotected: a throwaway stack) and the app on loopback. The fixtures have
        // no health route: the default probe (any answer below 500 from /) must make them healthy, or `up` fails.
        config = e2eConfig("Pulumi.dev.yaml", { dbPublishPort: 0, protectData: false, appEnabled: true, appPath: `${FIXTURE_APPS_DIR}/${app}`, appPublishPort: port, ...expected.config });
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
        // docker.Image's build arguments are `args`; RemoteImage's (a stack with build secrets) `buildArgs`.
        expect((image.inputs.build.args ?? image.inputs.build.buildArgs).PACKAGE_MANAGER).toBe(expected.packageManager);
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

    if (expected.config?.appBuildSecrets) {
        const entries: string[] = JSON.parse(expected.config.appBuildSecrets);
        const values = entries.map((entry) => entry.slice(entry.indexOf("=") + 1));
        test("its build secret reached the build (its SHA-256 is in the page) and is in no layer, history, config or state", async () => {
            const res = await request(port, "/");
            // React separates the two text parts with an empty comment.
            expect(res.body).toMatch(new RegExp(`build secret sha256: (<!-- -->)?${crypto.createHash("sha256").update(values[0]).digest("hex")}<`));
            const appImage = (await docker.getContainer(outputs.appContainer).inspect()).Image;
            // Both images the stack built: the app's, and the migrate target (the source with every dependency).
            for (const ref of [appImage, `nextstack-${stack}-app-migrate:current`]) {
                const image = docker.getImage(ref);
                // The saved image: its layers as uncompressed tars, so any file holding a value would hold its bytes.
                const saved = await savedImageContains(image, [...values, "build secret sha256"]);
                const history = JSON.stringify(await image.history());
                const config = JSON.stringify(await image.inspect());
                for (const value of values) {
                    expect({ ref, value, saved: saved.has(value) }).toEqual({ ref, value, saved: false });
                    expect(history).not.toContain(value);
                    expect(config).not.toContain(value);
                }
                // So the checks above looked at something: the saved image holds the app's code, the history has the
                // stage's steps.
                expect({ ref, app: saved.has("build secret sha256") }).toEqual({ ref, app: true });
                expect(JSON.parse(history).length).toBeGreaterThan(3);
            }
            const state = fs.readFileSync(path.join(WORK_DIR, "state", `${stack}.json`), "utf8");
            for (const value of values) expect(state).not.toContain(value);
        });

        test("a preview right after up plans nothing: the context hash and the secrets file's path are the same", async () => {
            const steps = await preview(stack, config);
            expect(steps.filter((step) => step.op !== "same")).toEqual([]);
            expect(steps.map((step) => step.name)).toContain("app-image");
        });

        test("the file the provider read the secrets from is gone", () => {
            expect(fs.existsSync(path.join(ROOT, ".nextstack", `nextstack-${stack}.build-secrets`))).toBe(false);
        });
    }

    if (expected.migrationTable) {
        test("its migration ran with its devDependency tool", async () => {
            const rows = await exec(outputs.dbContainer, ["sh", "-c", 'psql -tA -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "select note from fixture_migrated"']);
            expect(rows).toEqual({ code: 0, output: expect.stringContaining("by node-pg-migrate") });
        });
    }
});
