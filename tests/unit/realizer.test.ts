import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Docker from "dockerode";
import { durationNs, Realizer } from "../e2e/realizer";
import { T } from "./harness";

// The e2e realizer must fail loudly on what it does not understand, before it touches the engine.
const noEngine = new Proxy({}, { get: (_, prop) => { throw new Error(`engine touched: ${String(prop)}`); } }) as unknown as Docker;
const options = { retainOnDelete: false, protect: false, deleteBeforeReplace: true };
let realizer: Realizer;
let dir: string;

beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "realizer-"));
    realizer = new Realizer(noEngine, dir, "unit", dir);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test("refuses a resource type it does not implement, naming it", async () => {
    await expect(realizer.apply("docker:index/service:Service", "svc", {}, options)).rejects.toThrow(/docker:index\/service:Service \(svc\) is not supported/);
});

test("refuses inputs it does not understand, naming them", async () => {
    await expect(realizer.apply(T.container, "app", { name: "x", image: "y", privileged: true, gpus: "all" }, options)).rejects.toThrow(/Container app has inputs it does not understand: privileged, gpus/);
});

describe("a protected resource, as Pulumi treats it", () => {
    const saved = { key: `${T.volume}::data`, type: T.volume, name: "data", id: "v", inputs: { name: "v" }, outputs: { name: "v" }, retainOnDelete: true, protect: true };
    beforeEach(() => {
        fs.writeFileSync(path.join(dir, "unit.json"), JSON.stringify([saved]));
        realizer = new Realizer(noEngine, dir, "unit", dir);
    });

    test("is not replaced", async () => {
        await expect(realizer.apply(T.volume, "data", { name: "v2" }, { ...options, protect: true })).rejects.toThrow(/data is protected and would be replaced/);
    });

    test("makes destroy refuse, unless it is excluded", async () => {
        await expect(realizer.destroy(false)).rejects.toThrow(/data protected; destroy refuses/);
        await realizer.destroy(true);
        expect(realizer.entries()).toEqual([saved]);
    });
});

test.each([
    ["5s", 5e9],
    ["1s", 1e9],
    ["500ms", 5e8],
    ["1m30s", 90e9],
    ["60s", 60e9],
])("duration %s is %d ns", (text, ns) => {
    expect(durationNs(text)).toBe(ns);
});

test.each(["5", "five seconds", "5 s", ""])("%j is not a duration", (text) => {
    expect(() => durationNs(text)).toThrow(/not a duration/);
});
