import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Engine, isUnknown, PartialCreateError, Props, ResourceModel } from "../e2e/model/types";
import { formatPlan, keyFromUrn, pathCovers, Planner, Registration, StateResource } from "../e2e/planner";

// The engine model (tests/e2e/planner.ts) with a fake provider: one rule of pulumi/pulumi's step generator per test.

/** A fake provider: `name`, `image` and `url` force a replacement, `restart` updates in place; it records its calls. */
function fakeModel(calls: string[], fail: { create?: string; partial?: string } = {}): ResourceModel {
    const FORCE_NEW = ["name", "image", "url"];
    return {
        type: "test:index:Thing",
        async check(name, news) {
            if ("bogus" in news) throw new Error(`${name}: unknown input bogus`);
            return { restart: "no", ...news };
        },
        diff(_olds, outputs, news) {
            const changed = Object.keys({ ...outputs, ...news }).filter((k) => k !== "id" && (isUnknown(news[k]) || JSON.stringify(outputs[k]) !== JSON.stringify(news[k])));
            return { changed, replace: changed.filter((k) => FORCE_NEW.includes(k)), details: [] };
        },
        previewCreate: (news) => ({ ...news }),
        previewUpdate: (outputs, news) => ({ ...outputs, ...news }),
        async create(_engine, name, news) {
            calls.push(`create ${name}`);
            if (fail.create === name) throw new Error(`create ${name} failed`);
            if (fail.partial === name) throw new PartialCreateError(`${name} not healthy`, { id: `${name}-id`, outputs: { ...news } });
            return { id: `${name}-id`, outputs: { ...news } };
        },
        async update(_engine, name, _id, outputs, news) {
            calls.push(`update ${name}`);
            return { ...outputs, ...news };
        },
        async delete(_engine, name) {
            calls.push(`delete ${name}`);
        },
    };
}

const TYPE = "test:index:Thing";
const key = (name: string) => `${TYPE}::${name}`;
const engine = { cwd: "/", log: () => undefined, timing: () => undefined, apiVersion: "1.41" } as unknown as Engine;

function reg(name: string, inputs: Props, extra: Partial<Registration> = {}): Registration {
    return { type: TYPE, name, inputs, protect: false, retainOnDelete: false, deleteBeforeReplace: true, replaceOnChanges: [], dependencies: [], propertyDependencies: {}, ...extra };
}

let dir: string;
let stateFile: string;
let calls: string[];
const planner = (opts: { preview?: boolean; fail?: { create?: string; partial?: string } } = {}) =>
    new Planner({ [TYPE]: fakeModel(calls, opts.fail) }, stateFile, opts.preview ? undefined : engine, "/");
const saved = (): StateResource[] => JSON.parse(fs.readFileSync(stateFile, "utf8")).resources;

/** A stack of three: `net`, `db` on it, `app` whose `url` input came from `db` (a property dependency). */
async function threeThings(urlFromDb = true): Promise<void> {
    const p = planner();
    await p.register(reg("net", { name: "net" }));
    await p.register(reg("db", { name: "db", image: "pg:1" }, { dependencies: [key("net")], propertyDependencies: { network: [key("net")] } }));
    await p.register(
        reg("app", { name: "app", image: "app:1", url: "db:5432" }, {
            dependencies: [key("db")],
            propertyDependencies: urlFromDb ? { url: [key("db")] } : {},
        }),
    );
    await p.finish();
    calls.length = 0;
}

beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "planner-"));
    stateFile = path.join(dir, "stack.json");
    calls = [];
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test("a URN names its resource by type and name, whatever its parents", () => {
    expect(keyFromUrn("urn:pulumi:prod::nextstack::nextstack:db:Database$docker:index/container:Container::db")).toBe("docker:index/container:Container::db");
});

test("replaceOnChanges covers a property and the paths under it", () => {
    expect(pathCovers("healthcheck", "healthcheck")).toBe(true);
    expect(pathCovers("healthcheck", "healthcheck.startPeriod")).toBe(true);
    expect(pathCovers("healthcheck.startPeriod", "healthcheck")).toBe(false);
    expect(pathCovers("memory", "memorySwap")).toBe(false);
});

test("a new resource is created, checkpointed at once, and unchanged the next time (same)", async () => {
    const p = planner();
    await p.register(reg("db", { name: "db", image: "pg:1" }));
    expect(saved().map((r) => r.key)).toEqual([key("db")]);
    expect(saved()[0].inputs).toEqual({ name: "db", image: "pg:1", restart: "no" });
    const again = planner();
    await again.register(reg("db", { name: "db", image: "pg:1" }));
    expect(again.steps.map((s) => s.op)).toEqual(["same"]);
    expect(calls).toEqual(["create db"]);
});

test("a change the provider does not force is an update in place", async () => {
    await threeThings();
    const p = planner();
    await p.register(reg("net", { name: "net" }));
    await p.register(reg("db", { name: "db", image: "pg:1", restart: "always" }, { dependencies: [key("net")] }));
    expect(p.steps.map((s) => [s.op, s.name, s.keys])).toEqual([["same", "net", []], ["update", "db", ["restart"]]]);
    expect(calls).toEqual(["update db"]);
});

test("replaceOnChanges turns an update into a replacement", async () => {
    await threeThings();
    const p = planner();
    await p.register(reg("net", { name: "net" }));
    await p.register(reg("db", { name: "db", image: "pg:1", restart: "always" }, { replaceOnChanges: ["restart"] }));
    expect(p.steps[1]).toMatchObject({ op: "replace", name: "db", keys: ["restart"] });
});

describe("delete-before-replace (step_generator.go calculateDependentReplacements)", () => {
    test("deletes first the dependents whose inputs came from the replaced resource, then re-creates them when they register", async () => {
        await threeThings(true);
        const p = planner();
        await p.register(reg("net", { name: "net" }));
        await p.register(reg("db", { name: "db", image: "pg:2" }, { dependencies: [key("net")] }));
        expect(calls).toEqual(["delete app", "delete db", "create db"]);
        expect(saved().find((r) => r.name === "app")?.pendingReplacement).toBe(true);
        await p.register(reg("app", { name: "app", image: "app:1", url: "db:5432" }, { dependencies: [key("db")], propertyDependencies: { url: [key("db")] } }));
        expect(formatPlan(p.steps)).toEqual([
            `same    ${TYPE} net`,
            `replace ${TYPE} db [image]`,
            `replace ${TYPE} app (deleted with db (delete-before-replace))`,
            `replace ${TYPE} app (deleted with db (delete-before-replace))`,
        ]);
        expect(calls).toEqual(["delete app", "delete db", "create db", "create app"]);
    });

    test("a dependsOn edge alone does not cascade", async () => {
        await threeThings(false);
        const p = planner();
        await p.register(reg("net", { name: "net" }));
        await p.register(reg("db", { name: "db", image: "pg:2" }, { dependencies: [key("net")] }));
        await p.register(reg("app", { name: "app", image: "app:1", url: "db:5432" }, { dependencies: [key("db")] }));
        expect(calls).toEqual(["delete db", "create db"]);
        expect(p.steps.map((s) => `${s.op} ${s.name}`)).toEqual(["same net", "replace db", "same app"]);
    });

    test("an interrupted run leaves the dependent pending replacement, and the next run re-creates it without deleting again", async () => {
        await threeThings(true);
        const first = planner();
        await first.register(reg("net", { name: "net" }));
        await first.register(reg("db", { name: "db", image: "pg:2" }, { dependencies: [key("net")] }));
        first.abort(new Error("the program failed"));
        await expect(first.register(reg("app", { name: "app", image: "app:1", url: "db:5432" }))).rejects.toThrow(/already failed/);
        calls.length = 0;
        const next = planner();
        await next.register(reg("app", { name: "app", image: "app:1", url: "db:5432" }, { dependencies: [key("db")], propertyDependencies: { url: [key("db")] } }));
        expect(calls).toEqual(["create app"]);
        expect(next.steps[0]).toMatchObject({ op: "replace", name: "app" });
    });
});

test("without deleteBeforeReplace the replacement is created first and the old one deleted after the run", async () => {
    await threeThings(false);
    const p = planner();
    await p.register(reg("net", { name: "net" }));
    await p.register(reg("db", { name: "db2", image: "pg:1" }, { deleteBeforeReplace: undefined }));
    expect(calls).toEqual(["create db"]);
    await p.register(reg("app", { name: "app", image: "app:1", url: "db:5432" }, { dependencies: [key("db")] }));
    await p.finish();
    expect(calls).toEqual(["create db", "delete db"]);
    expect(saved().filter((r) => r.name === "db")).toHaveLength(1);
    expect(saved().find((r) => r.name === "db")?.inputs.name).toBe("db2");
});

test("a protected resource is not replaced: the step is refused before the provider is called", async () => {
    const first = planner();
    await first.register(reg("data", { name: "v1" }, { protect: true }));
    calls.length = 0;
    const p = planner();
    await expect(p.register(reg("data", { name: "v2" }, { protect: true }))).rejects.toThrow(/unable to replace resource data .* marked for protection/);
    expect(calls).toEqual([]);
});

test("a preview plans the same steps and touches nothing", async () => {
    await threeThings(true);
    const before = fs.readFileSync(stateFile, "utf8");
    const p = planner({ preview: true });
    await p.register(reg("net", { name: "net" }));
    const db = await p.register(reg("db", { name: "db", image: "pg:2" }, { dependencies: [key("net")] }));
    await p.register(reg("app", { name: "app", image: "app:1", url: "db:5432" }, { dependencies: [key("db")], propertyDependencies: { url: [key("db")] } }));
    await p.finish();
    expect(p.steps.map((s) => `${s.op} ${s.name}`)).toEqual(["same net", "replace db", "replace app", "replace app"]);
    expect(db.outputs).toEqual({ name: "db", image: "pg:2", restart: "no" });
    expect(calls).toEqual([]);
    expect(fs.readFileSync(stateFile, "utf8")).toBe(before);
});

test("after a failed step no new step is issued; what was done is in the checkpoint", async () => {
    const p = planner({ fail: { create: "app" } });
    await p.register(reg("db", { name: "db", image: "pg:1" }));
    await expect(p.register(reg("app", { name: "app", image: "app:1" }))).rejects.toThrow(/create app failed/);
    await expect(p.register(reg("proxy", { name: "proxy", image: "nginx:1" }))).rejects.toThrow(/already failed/);
    expect(saved().map((r) => r.name)).toEqual(["db"]);
});

test("a create that fails after the object exists is recorded with its init errors, and the next run updates it", async () => {
    const p = planner({ fail: { partial: "db" } });
    await expect(p.register(reg("db", { name: "db", image: "pg:1" }))).rejects.toThrow(/not healthy/);
    expect(saved()[0]).toMatchObject({ id: "db-id", initErrors: ["db not healthy"] });
    calls.length = 0;
    const next = planner();
    await next.register(reg("db", { name: "db", image: "pg:1" }));
    expect(next.steps[0]).toMatchObject({ op: "update", reason: "init errors" });
    expect(calls).toEqual(["update db"]);
});

test("the provider's Check refuses unknown inputs before anything is applied", async () => {
    await expect(planner().register(reg("db", { name: "db", bogus: 1 }))).rejects.toThrow(/unknown input bogus/);
    expect(calls).toEqual([]);
});

test("an unmodelled resource type fails, naming it", async () => {
    await expect(planner().register({ ...reg("x", {}), type: "docker:index/service:Service" })).rejects.toThrow(/docker:index\/service:Service \(x\) is not modelled/);
});

describe("after the program", () => {
    test("what it no longer declares is deleted, dependents first", async () => {
        await threeThings();
        const p = planner();
        await p.register(reg("net", { name: "net" }));
        await p.finish();
        expect(calls).toEqual(["delete app", "delete db"]);
        expect(saved().map((r) => r.name)).toEqual(["net"]);
    });

    test("a protected resource no longer declared stops it before anything is deleted", async () => {
        const first = planner();
        await first.register(reg("a", { name: "a" }));
        await first.register(reg("data", { name: "v" }, { protect: true }));
        calls.length = 0;
        await expect(planner().finish()).rejects.toThrow(/unable to delete resource data/);
        expect(calls).toEqual([]);
    });
});

describe("destroy", () => {
    beforeEach(async () => {
        const p = planner();
        await p.register(reg("net", { name: "net" }));
        await p.register(reg("data", { name: "v" }, { protect: true, retainOnDelete: true }));
        await p.register(reg("db", { name: "db", image: "pg:1" }));
        await p.register(reg("kept", { name: "kept" }, { retainOnDelete: true }));
        calls.length = 0;
    });

    test("refuses while something is protected, before deleting anything", async () => {
        await expect(planner().destroy(false)).rejects.toThrow(/data marked for protection/);
        expect(calls).toEqual([]);
    });

    test("--exclude-protected keeps protected ones; retainOnDelete ones leave state but stay on the engine", async () => {
        await planner().destroy(true);
        expect(calls).toEqual(["delete db", "delete net"]);
        expect(saved().map((r) => r.name)).toEqual(["data"]);
    });
});
