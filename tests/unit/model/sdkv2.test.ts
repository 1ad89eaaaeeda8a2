import {
    checkInputs,
    containsIgnorableErrorMessage,
    containsUnknown,
    diffState,
    engineMessage,
    plannedState,
    previewOfCreate,
    removeUntilGone,
    Schema,
    withAllDefaults,
} from "../../e2e/model/sdkv2";
import { UNKNOWN } from "../../e2e/model/types";
import { engineError } from "./fakeDocker";

/**
 * One test per rule of tests/e2e/model/sdkv2.ts: terraform-plugin-sdk v2.40.1 helper/schema (schemaMap.diff,
 * diffString, diffList, diffSet, finalizeDiff), helper/retry StateChangeConf, and the bridge's Check/applyDefaults.
 */

const W = "docker:index/x:X r";

/** A schema with one attribute of each kind the model knows. */
const SCHEMA: Schema = {
    s: { type: "string" },
    n: { type: "int" },
    b: { type: "bool" },
    list: { type: "stringList" },
    set: { type: "stringSet", forceNew: true },
    map: { type: "stringMap" },
    obj: { type: "object", fields: { a: { type: "string", forceNew: true }, d: { type: "string", default: "D" }, c: { type: "string" } } },
    objs: { type: "objectList", fields: { id: { type: "string", required: true }, v: { type: "string", default: "V" } } },
    oset: { type: "objectSet", fields: { id: { type: "string" } } },
};

describe("containsUnknown", () => {
    test.each<[string, unknown, boolean]>([
        ["the sentinel itself", UNKNOWN, true],
        ["a list with one unknown element", ["a", UNKNOWN], true],
        ["a map with one unknown value", { a: "1", b: UNKNOWN }, true],
        ["known values", ["a", { b: "1" }], false],
        ["a plain string", "a", false],
    ])("%s: %p", (_, value, expected) => {
        expect(containsUnknown(value)).toBe(expected);
    });
});

describe("check (ValidateResource through the bridge's Check)", () => {
    test("a key outside the schema fails, listing the known keys", () => {
        expect(() => checkInputs(W, { a: { type: "string" }, b: { type: "int" } }, { z: 1 })).toThrow(
            new Error(`${W}: input "z" is not modelled (known: a, b)`),
        );
    });

    test.each<[string, string, unknown]>([
        ["s", "string", 5],
        ["n", "int", 1.5],
        ["n", "int", "1"],
        ["b", "bool", "true"],
        ["map", "stringMap", "a=1"],
        ["map", "stringMap", ["a"]],
        ["obj", "object", "x"],
        ["obj", "object", [{ a: "1" }]],
        ["list", "stringList", "a"],
    ])("%s (%s) refuses %p, with the type and the value", (key, type, value) => {
        expect(() => checkInputs(W, SCHEMA, { [key]: value })).toThrow(new Error(`${W}: input "${key}": expected ${type}, got ${JSON.stringify(value)}`));
    });

    test("maps and objects of the right shape pass", () => {
        expect(checkInputs(W, SCHEMA, { map: { k: "v" }, obj: { a: "1" } })).toStrictEqual({ map: { k: "v" }, obj: { a: "1", d: "D" } });
    });

    test("null and undefined inputs are absent (not checked, not kept)", () => {
        expect(checkInputs(W, SCHEMA, { s: null, n: undefined, z: null })).toStrictEqual({});
    });

    test("an unknown value passes unchecked, whatever its type", () => {
        expect(checkInputs(W, SCHEMA, { n: UNKNOWN, obj: UNKNOWN, objs: [UNKNOWN] })).toStrictEqual({ n: UNKNOWN, obj: UNKNOWN, objs: [UNKNOWN] });
    });

    test("required inputs, nested ones named by their path", () => {
        expect(() => checkInputs(W, SCHEMA, { objs: [{ id: "x" }, {}] })).toThrow(new Error(`${W}: input "objs[1].id" is required`));
    });

    test("the validator runs on known values only, and its problem fails the check", () => {
        const schema: Schema = { l: { type: "stringList", validate: (v: string[]) => (v.length > 1 ? "at most one" : undefined) } };
        expect(() => checkInputs(W, schema, { l: ["a", "b"] })).toThrow(new Error(`${W}: input "l": at most one`));
        expect(checkInputs(W, schema, { l: ["a", UNKNOWN] })).toStrictEqual({ l: ["a", UNKNOWN] });
    });

    test("only non-falsy defaults are added (applyDefaults, #2618); nothing for attributes without one", () => {
        const schema: Schema = { t: { type: "string", default: "x" }, f: { type: "bool", default: false }, z: { type: "int", default: 0 }, e: { type: "string", default: "" }, u: { type: "string" } };
        expect(checkInputs(W, schema, {})).toStrictEqual({ t: "x" });
    });
});

describe("planned values (ResourceData.Get with defaults)", () => {
    test("every default, falsy ones too, also for a null input; nothing for an attribute without one", () => {
        const schema: Schema = { t: { type: "string", default: "x" }, f: { type: "bool", default: false }, u: { type: "string" } };
        expect(withAllDefaults(schema, { t: null })).toStrictEqual({ t: "x", f: false });
    });

    test("nested defaults inside an object and each element of an object list; unknowns stay unknown", () => {
        expect(withAllDefaults(SCHEMA, { obj: { a: "1" }, objs: [{ id: "x" }, UNKNOWN], s: UNKNOWN })).toStrictEqual({
            s: UNKNOWN,
            obj: { a: "1", d: "D" },
            objs: [{ id: "x", v: "V" }, UNKNOWN],
        });
        expect(withAllDefaults(SCHEMA, { obj: UNKNOWN })).toStrictEqual({ obj: UNKNOWN });
        expect(previewOfCreate(SCHEMA, { s: "a" })).toStrictEqual({ s: "a" });
    });

    test("after an Update: config with defaults, Computed attributes and outputs kept from state, nothing else", () => {
        const schema: Schema = { name: { type: "string" }, comp: { type: "string", computed: true }, gone: { type: "string" }, other: { type: "string", computed: true } };
        const state = { name: "a", comp: "from-state", gone: "old", id: "sha", extra: "x" };
        expect(plannedState(schema, state, { name: "b" }, ["id", "missing"])).toStrictEqual({ name: "b", comp: "from-state", id: "sha" });
    });
});

describe("diff (schemaMap.diff)", () => {
    const diff = (state: Record<string, any>, config: Record<string, any>, schema: Schema = SCHEMA) => diffState(schema, state, config);

    test("an attribute left out of the config compares as its zero value; unset on both sides is no change", () => {
        expect(diff({ s: "x", n: 3, list: ["a"], map: { k: "v" }, obj: { a: "1" } }, {})).toEqual({
            changed: ["s", "n", "list", "map", "obj"],
            replace: ["obj"],
            details: ['s: "x" → ""', "n: 3 → 0", 'list: ["a"] → []', 'map: {"k":"v"} → {}', 'obj: {"a":"1"} → (unset)'],
        });
        expect(diff({}, {})).toEqual({ changed: [], replace: [], details: [] });
    });

    test("a null state value is unset: no change against an absent config", () => {
        expect(diff({ s: null, n: null, list: null, map: null, set: null }, {})).toEqual({ changed: [], replace: [], details: [] });
    });

    test("a new value where the state had none shows as (unset) → value", () => {
        expect(diff({}, { s: "x" })).toEqual({ changed: ["s"], replace: [], details: ['s: (unset) → "x"'] });
    });

    test("strings and ints compare weakly (mapstructure.WeakDecode): 1 and \"1\" are the same", () => {
        expect(diff({ s: 1, n: "5" }, { s: "1", n: 5 })).toEqual({ changed: [], replace: [], details: [] });
    });

    test("booleans compare as parsed: unset and false are the same, even with a default of true", () => {
        const schema: Schema = { b: { type: "bool", default: true } };
        expect(diff({}, { b: false }, schema)).toEqual({ changed: [], replace: [], details: [] });
        expect(diff({ b: false }, { b: true }, schema)).toMatchObject({ changed: ["b"] });
    });

    test("an empty map and an unset one are the same; map key order does not matter", () => {
        expect(diff({ map: {} }, {})).toEqual({ changed: [], replace: [], details: [] });
        expect(diff({ map: { c: "3", a: "1", b: "2" } }, { map: { b: "2", c: "3", a: "1" } })).toEqual({ changed: [], replace: [], details: [] });
        expect(diff({ map: { a: "1", b: "2", c: "3" } }, { map: { c: "3", b: "2", a: "1" } })).toEqual({ changed: [], replace: [], details: [] });
        expect(diff({ map: { a: "1" } }, { map: { a: "2" } })).toMatchObject({ changed: ["map"] });
    });

    test("a set compares by its elements (order and duplicates aside); a change of a ForceNew set replaces", () => {
        expect(diff({ set: ["b", "a"] }, { set: ["a", "b", "a"] })).toEqual({ changed: [], replace: [], details: [] });
        expect(diff({ set: ["a"] }, { set: ["b"] })).toEqual({ changed: ["set"], replace: ["set"], details: ['set: ["a"] → ["b"]'] });
    });

    test("a list compares in order; its object elements field by field with their defaults", () => {
        expect(diff({ objs: [{ id: "x", v: "V" }, { id: "y", v: "V" }] }, { objs: [{ id: "y" }, { id: "x" }] })).toMatchObject({ changed: ["objs"], replace: [] });
        expect(diff({ objs: [{ id: "x", v: "V" }] }, { objs: [{ id: "x" }] })).toEqual({ changed: [], replace: [], details: [] });
    });

    test("an object set compares by element identity; an unset string field is the empty string", () => {
        expect(diff({ oset: [{ id: "b" }, { id: "a" }] }, { oset: [{ id: "a" }, { id: "b" }] })).toEqual({ changed: [], replace: [], details: [] });
        expect(diff({ oset: [{ id: "" }] }, { oset: [{}] })).toEqual({ changed: [], replace: [], details: [] });
    });

    test("a MaxItems-1 object diffs field by field; a ForceNew field's change replaces, another's does not", () => {
        expect(diff({ obj: { a: "1", d: "D", c: "" } }, { obj: { a: "1", c: "2" } })).toEqual({ changed: ["obj"], replace: [], details: ['obj.c: "" → "2"'] });
        expect(diff({ obj: { a: "1", d: "D", c: "" } }, { obj: { a: "2", c: "2" } })).toEqual({
            changed: ["obj"],
            replace: ["obj"],
            details: ['obj.a: "1" → "2"', 'obj.c: "" → "2"'],
        });
    });

    test("an unknown config value is a change (NewComputed), a replacement only for ForceNew (or a ForceNew field)", () => {
        expect(diff({ s: "x", list: ["a"] }, { s: UNKNOWN, list: ["a", UNKNOWN] })).toEqual({
            changed: ["s", "list"],
            replace: [],
            details: ['s: "x" → (unknown)', 'list: ["a"] → (unknown)'],
        });
        expect(diff({ obj: { a: "1", d: "D" } }, { obj: UNKNOWN })).toEqual({ changed: ["obj"], replace: ["obj"], details: ['obj: {"a":"1","d":"D"} → (unknown)'] });
        const noForceNew: Schema = { objs: { type: "objectList", fields: { a: { type: "string" }, b: { type: "string" } } } };
        expect(diff({ objs: [{ a: "1" }] }, { objs: UNKNOWN }, noForceNew)).toMatchObject({ replace: [] });
        expect(diff({ objs: [{ a: "1" }] }, { objs: [{ a: "2" }] }, noForceNew)).toMatchObject({ changed: ["objs"], replace: [] });
        const oneForceNew: Schema = { objs: { type: "objectList", fields: { a: { type: "string" }, b: { type: "string", forceNew: true } } } };
        expect(diff({ objs: [{ a: "1" }] }, { objs: [{ a: "2" }] }, oneForceNew)).toMatchObject({ changed: ["objs"], replace: ["objs"] });
    });

    test("a state value not known yet shows as (unknown)", () => {
        expect(diff({ s: UNKNOWN }, { s: "x" })).toEqual({ changed: ["s"], replace: [], details: ['s: (unknown) → "x"'] });
    });

    test("Optional+Computed: absent (or null) from the config, the state stands; a default is the new value", () => {
        const schema: Schema = { c: { type: "string", computed: true }, d: { type: "string", default: "D" } };
        expect(diff({ c: "engine", d: "D" }, { c: null, d: null }, schema)).toEqual({ changed: [], replace: [], details: [] });
        expect(diff({ c: "engine", d: "x" }, {}, schema)).toEqual({ changed: ["d"], replace: [], details: ['d: "x" → "D"'] });
    });

    test("the DiffSuppressFunc decides equality instead of the type's comparison", () => {
        const schema: Schema = { s: { type: "string", equivalent: (a, b) => String(a).toLowerCase() === String(b).toLowerCase() } };
        expect(diff({ s: "ABC" }, { s: "abc" }, schema)).toEqual({ changed: [], replace: [], details: [] });
    });

    test("an int absent from both sides is no change (not 0 against unset)", () => {
        expect(diff({}, {}, { n: { type: "int" } })).toEqual({ changed: [], replace: [], details: [] });
        expect(diff({ n: null }, {}, { n: { type: "int" } })).toEqual({ changed: [], replace: [], details: [] });
    });
});

describe("engine errors", () => {
    test("the daemon's message when the error carries one, else the error's text", () => {
        expect(engineMessage(engineError(409, "network n has active endpoints"))).toBe("network n has active endpoints");
        expect(engineMessage(new Error("socket hang up"))).toBe("socket hang up");
        expect(engineMessage("plain")).toBe("plain");
        expect(engineMessage(undefined)).toBe("undefined");
    });

    test("containsIgnorableErrorMessage is a case-insensitive substring match", () => {
        expect(containsIgnorableErrorMessage("Error: Network Has Active Endpoints", "has active endpoints")).toBe(true);
        expect(containsIgnorableErrorMessage("no such network", "has active endpoints", "in use")).toBe(false);
    });
});

describe("removeUntilGone (StateChangeConf: Pending until removed, MinTimeout, Timeout)", () => {
    beforeEach(() => jest.useFakeTimers({ now: 0 }));
    afterEach(() => jest.useRealTimers());

    test("a pending error is retried every retryMs up to the timeout, then the SDK's timeout error", async () => {
        const tries: number[] = [];
        const remove = async () => {
            tries.push(Date.now());
            throw engineError(403, "error while removing network: network n id abc has active endpoints");
        };
        const done = removeUntilGone(remove, "has active endpoints", "pending", 5_000, 30_000).catch((e: Error) => e);
        await jest.advanceTimersByTimeAsync(60_000);
        expect(await done).toEqual(new Error("timeout while waiting for state to become 'removed' (last state: 'pending', timeout: 30s)"));
        expect(tries).toEqual([0, 5_000, 10_000, 15_000, 20_000, 25_000, 30_000]);
    });

    test("success after a pending try ends the wait; another error fails at once with the daemon's message", async () => {
        let n = 0;
        const done = removeUntilGone(
            async () => {
                if (n++ === 0) throw engineError(409, "volume is in use - [c1]");
            },
            "volume is in use",
            "in_use",
            5_000,
            30_000,
        );
        await jest.advanceTimersByTimeAsync(5_000);
        await expect(done).resolves.toBeUndefined();
        expect(n).toBe(2);
        await expect(removeUntilGone(() => Promise.reject(engineError(500, "boom")), "in use", "in_use", 5_000, 30_000)).rejects.toThrow(new Error("boom"));
    });
});
