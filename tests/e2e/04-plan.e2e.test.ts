import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tar from "tar-stream";
import { CONFIG_KEYS } from "../../components/settings";
import { PLAN_ROWS, PlanOp } from "./planTable";
import { Step, StateResource } from "./planner";
import { baseImages, docker, e2eConfig, freePort, lastSteps, preview, ROOT, timeChecks, up, WORK_DIR, wipeStack } from "./support";

// What a change does (tests/e2e/planTable.ts), row after row on one prod stack: the preview plans exactly the
// row's updates, replacements and deletes; `up` applies the same steps on the engine (the container IDs say so);
// a preview right after is all "same" (a second up is a no-op); the data volume is never replaced or deleted.
const STACK = "e2e-plan";
const CONTAINERS = ["db", "app", "proxy"];
let appDir: string;
let settings: Record<string, string | number | boolean> = {};
const derived: Record<string, string> = {};

const config = () => e2eConfig("Pulumi.prod.yaml", { appPath: appDir, ...settings });
const stateFile = path.join(WORK_DIR, "state", `${STACK}.json`);

/** Builds `FROM base` plus a label: a new image ID under a new name, as a minor version bump of the base is. */
async function derive(base: string, name: string): Promise<string> {
    const pack = tar.pack();
    pack.entry({ name: "Dockerfile" }, `FROM ${base}\nLABEL nextstack.e2e.derived="${name}"\n`);
    pack.finalize();
    const stream = await docker.buildImage(pack as unknown as NodeJS.ReadableStream, { t: name });
    await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err: unknown) => (err ? reject(err) : resolve(undefined))));
    return name;
}

/** The change each row makes, keyed by the row's `change`. */
const MAKE: Record<string, () => Promise<void> | void> = {
    nothing: () => undefined,
    "app source edit": () => fs.appendFileSync(path.join(appDir, "app", "page.js"), "\n// edited by the plan test\n"),
    appEnv: () => {
        settings.appEnv = JSON.stringify(["FEATURE_X=1"]);
    },
    appSecretEnv: () => {
        settings.appSecretEnv = JSON.stringify(["AUTH_SECRET=plan-test-secret-value"]);
    },
    dbPassword: () => {
        settings.dbPassword = "plan-test-p@ssw0rd:/?#";
    },
    proxyPort: async () => {
        settings.proxyPort = await freePort();
    },
    "nginx config": () => {
        // As if the config the program renders had been different at the last up (a template change in code).
        const state = JSON.parse(fs.readFileSync(stateFile, "utf8")) as { resources: StateResource[] };
        const proxy = state.resources.find((r) => r.name === "proxy")!;
        for (const side of [proxy.inputs, proxy.outputs]) side.uploads = side.uploads.map((u: any) => ({ ...u, content: `${u.content}# the previous config\n` }));
        fs.writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
    },
    "memory limit added": () => {
        settings.appMemory = "256m";
    },
    "memory limit raised": () => {
        settings.appMemory = "512m";
    },
    "memory limit removed": () => {
        delete settings.appMemory;
    },
    restartPolicy: () => {
        settings.restartPolicy = "always";
    },
    healthcheckInterval: () => {
        settings.healthcheckInterval = Number(config()["nextstack:healthcheckInterval"] ?? CONFIG_KEYS.healthcheckInterval.default) + 1;
    },
    "Postgres image minor bump": () => {
        settings.dbImage = derived.postgres;
    },
    appBaseImage: () => {
        settings.appBaseImage = derived.node;
    },
};

/** Each resource's op in a plan; `same` for every resource the plan leaves alone. */
function opsOf(steps: Step[]): Record<string, string> {
    const ops: Record<string, string> = {};
    for (const step of steps) if (!(step.name in ops) || step.op !== "same") ops[step.name] = step.op;
    return ops;
}

const changed = (ops: Record<string, string>) => Object.fromEntries(Object.entries(ops).filter(([, op]) => op !== "same"));
const containerIds = async () => Object.fromEntries(await Promise.all(CONTAINERS.map(async (role) => [role, (await docker.getContainer(`nextstack-${STACK}-${role}`).inspect()).Id])));

beforeAll(async () => {
    await wipeStack(STACK);
    appDir = fs.mkdtempSync(path.join(os.tmpdir(), "nextstack-e2e-plan-app-"));
    fs.cpSync(path.join(ROOT, "app"), appDir, { recursive: true, filter: (src) => !/[/\\](node_modules|\.next)$/.test(src) });
    const images = baseImages();
    derived.postgres = await derive(images.postgres, "nextstack-e2e/postgres-bumped:plan");
    derived.node = await derive(images.node, "nextstack-e2e/node-bumped:plan");
    settings = { proxyPort: await freePort() };
    await up(STACK, config());
});

afterAll(async () => {
    await wipeStack(STACK);
    for (const name of Object.values(derived)) await docker.getImage(name).remove({ force: true }).catch(() => undefined);
    fs.rmSync(appDir, { recursive: true, force: true });
});

timeChecks("7. what a change does (plan table)");

describe.each(PLAN_ROWS.map((row) => [row.change, row] as const))("%s", (_change, row) => {
    let planned: Record<string, string>;

    test("the preview plans exactly the row's changes, and the data volume stays", async () => {
        await MAKE[row.change]();
        planned = opsOf(await preview(STACK, config()));
        expect(changed(planned)).toEqual(row.expect);
        expect(planned["db-data"]).toBe("same");
    });

    test("up applies the same steps on the engine", async () => {
        const volumeBefore = await docker.getVolume(`nextstack-${STACK}-pgdata`).inspect();
        const before = await containerIds();
        await up(STACK, config(), { skipPreview: true });
        expect(opsOf(lastSteps(STACK))).toEqual(planned);
        const after = await containerIds();
        for (const role of CONTAINERS) {
            const replaced = (row.expect[role] as PlanOp | undefined) === "replace";
            expect([role, after[role] !== before[role]]).toEqual([role, replaced]);
        }
        expect(((await docker.getVolume(`nextstack-${STACK}-pgdata`).inspect()) as any).CreatedAt).toBe((volumeBefore as any).CreatedAt);
    });

    test("a second up would change nothing", async () => {
        expect(changed(opsOf(await preview(STACK, config())))).toEqual({});
    });
});
