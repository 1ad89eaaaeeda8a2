import { bcryptHash, createPasswordString, DEFAULT_SPECIAL, diffPassword, randomPasswordModel } from "../../e2e/model/randomPassword";
import { UNKNOWN } from "../../e2e/model/types";
import { fakeEngine } from "./fakeDocker";

/** One test per rule of tests/e2e/model/randomPassword.ts (terraform-provider-random resource_password.go, string.go). */

const check = (news: Record<string, any>) => randomPasswordModel.check("db-password", news, undefined, { cwd: "." });
const plan = (news: Record<string, any>) => randomPasswordModel.previewCreate(news);

const W = "random:index/randomPassword:RandomPassword db-password";

describe("check", () => {
    test("an input the model does not know fails, naming it; length is required", async () => {
        await expect(check({ length: 8, number: true })).rejects.toThrow(
            new Error(`${W}: input "number" is not modelled (known: length, special, upper, lower, numeric, minNumeric, minUpper, minLower, minSpecial, overrideSpecial, keepers)`),
        );
        await expect(check({ special: false })).rejects.toThrow(/input "length" is required/);
    });

    test("length ≥ 1 and ≥ the sum of the min_* inputs", async () => {
        await expect(check({ length: 0 })).rejects.toThrow(new Error(`${W}: input "length": value must be at least 1, got: 0`));
        await expect(check({ length: 3, minUpper: 2, minNumeric: 2 })).rejects.toThrow(
            new Error(`${W}: input "length": value must be at least the sum of minUpper, minLower, minNumeric, minSpecial (4), got: 3`),
        );
        await expect(check({ length: 1 })).resolves.toStrictEqual({ length: 1 });
        await expect(check({ length: 4, minUpper: 2, minNumeric: 2 })).resolves.toStrictEqual({ length: 4, minUpper: 2, minNumeric: 2 });
    });

    test.each(["minUpper", "minLower", "minNumeric", "minSpecial"])("%s counts in the sum", async (key) => {
        await expect(check({ length: 1, [key]: 2 })).rejects.toThrow(/value must be at least the sum of .* \(2\), got: 1/);
    });

    test("an unknown length is not compared (AtLeast runs on known values)", async () => {
        await expect(check({ length: UNKNOWN, minUpper: 2 })).resolves.toStrictEqual({ length: UNKNOWN, minUpper: 2 });
    });

    test.each<[string, unknown, string]>([
        ["length", 1.5, "int"],
        ["special", "yes", "bool"],
        ["overrideSpecial", 5, "string"],
        ["keepers", "k=v", "map"],
        ["keepers", ["k"], "map"],
        ["keepers", 1.5, "map"],
    ])("%s refuses %p (expected %s)", async (key, value, kind) => {
        await expect(check({ length: 8, [key]: value })).rejects.toThrow(new Error(`${W}: input "${key}": expected ${kind}, got ${JSON.stringify(value)}`));
    });

    test("strings, maps and unknowns pass; null and undefined inputs are absent", async () => {
        await expect(check({ length: 8, overrideSpecial: "#", keepers: { k: "v" }, special: UNKNOWN, upper: null, lower: undefined })).resolves.toStrictEqual({
            length: 8,
            overrideSpecial: "#",
            keepers: { k: "v" },
            special: UNKNOWN,
        });
    });

    test("numeric false needs one of special, upper, lower not false", async () => {
        await expect(check({ length: 4, numeric: false, special: false, upper: false, lower: false })).rejects.toThrow(/at least one of/);
        await expect(check({ length: 4, numeric: false, special: false, upper: false })).resolves.toBeDefined();
    });

    test.each(["numeric", "special", "upper", "lower"])("only %s true is enough", async (key) => {
        const news = { length: 4, numeric: false, special: false, upper: false, lower: false, [key]: true };
        await expect(check(news)).resolves.toStrictEqual(news);
    });
});

describe("plan and diff", () => {
    test("defaults: special, upper, lower, numeric (and number) true; min_* 0", () => {
        expect(plan({ length: 32, special: false })).toStrictEqual({ length: 32, special: false, upper: true, lower: true, numeric: true, number: true, minNumeric: 0, minUpper: 0, minLower: 0, minSpecial: 0 });
    });

    test("every input change is a replacement; unknown too", () => {
        const state = { ...plan({ length: 32, special: false }), result: "x" };
        expect(diffPassword(state, { length: 32, special: false })).toEqual({ changed: [], replace: [], details: [] });
        expect(diffPassword(state, { length: 16, special: false })).toMatchObject({ changed: ["length"], replace: ["length"] });
        expect(diffPassword(state, { length: 32 })).toMatchObject({ changed: ["special"], replace: ["special"] });
        expect(diffPassword(state, { length: UNKNOWN, special: false })).toEqual({ changed: ["length"], replace: ["length"], details: ["length: 32 → (unknown)"] });
    });

    test("overrideSpecial: a change to or from a non-empty value replaces (RequiresReplaceUnlessEmptyStringToNull)", () => {
        const state = (overrideSpecial: string) => ({ ...plan({ length: 8, overrideSpecial }), result: "x" });
        expect(diffPassword(state("#"), { length: 8 })).toEqual({ changed: ["overrideSpecial"], replace: ["overrideSpecial"], details: ['overrideSpecial: "#" → (unset)'] });
        expect(diffPassword(state(""), { length: 8, overrideSpecial: "#" })).toMatchObject({ changed: ["overrideSpecial"], replace: ["overrideSpecial"] });
    });

    test.each<[string, Record<string, any>, string[]]>([
        ["all-null values", { a: null }, []],
        ["no values", {}, []],
        ["one value not null", { a: null, b: "1" }, ["keepers"]],
        ["values", { b: "1" }, ["keepers"]],
    ])("keepers from unset to %s: replaced only if a value is not null (RequiresReplaceIfValuesNotNull)", (_, keepers, replace) => {
        const state = { ...plan({ length: 8 }), result: "x" };
        expect(diffPassword(state, { length: 8, keepers })).toMatchObject({ changed: ["keepers"], replace });
    });

    test("keepers removed from the config replace", () => {
        const state = { ...plan({ length: 8, keepers: { a: "1" } }), result: "x" };
        expect(diffPassword(state, { length: 8 })).toMatchObject({ changed: ["keepers"], replace: ["keepers"] });
    });

    // tfr internal/planmodifiers/map RequiresReplaceIfValuesNotNull with a state map: key by key.
    test.each<[string, Record<string, any>, Record<string, any>, string[]]>([
        ["a value changed", { a: "1" }, { a: "2" }, ["keepers"]],
        ["a value set to null", { a: "1" }, { a: null }, ["keepers"]],
        ["a key removed", { a: "1" }, {}, ["keepers"]],
        ["a key added", { a: "1" }, { a: "1", b: "2" }, ["keepers"]],
        ["a key added with a null value", { a: "1" }, { a: "1", b: null }, []],
        ["a value unknown", { a: "1" }, { a: UNKNOWN }, ["keepers"]],
    ])("keepers from a map, %s (RequiresReplaceIfValuesNotNull, key by key)", (_, before, keepers, replace) => {
        const state = { ...plan({ length: 8, keepers: before }), result: "x" };
        expect(diffPassword(state, { length: 8, keepers })).toMatchObject({ changed: ["keepers"], replace });
    });

    test("keepers wholly unknown: no elements, so a replacement only if the state had keys", () => {
        expect(diffPassword({ ...plan({ length: 8 }), result: "x" }, { length: 8, keepers: UNKNOWN })).toMatchObject({ changed: ["keepers"], replace: [] });
        expect(diffPassword({ ...plan({ length: 8, keepers: { a: "1" } }), result: "x" }, { length: 8, keepers: UNKNOWN })).toMatchObject({ changed: ["keepers"], replace: ["keepers"] });
    });

    test("overrideSpecial unknown does not replace yet; from unset to a value replaces (RequiresReplaceUnlessEmptyStringToNull)", () => {
        expect(diffPassword({ ...plan({ length: 8, overrideSpecial: "#" }), result: "x" }, { length: 8, overrideSpecial: UNKNOWN })).toMatchObject({ changed: ["overrideSpecial"], replace: [] });
        expect(diffPassword({ ...plan({ length: 8 }), result: "x" }, { length: 8, overrideSpecial: "" })).toMatchObject({ changed: ["overrideSpecial"], replace: ["overrideSpecial"] });
    });

    test("the preview of an update: the plan, with result and bcryptHash kept", () => {
        const state = { ...plan({ length: 8 }), result: "abcdefgh", bcryptHash: "$2a$10$x" };
        expect(randomPasswordModel.previewUpdate(state, { length: 8, special: false })).toStrictEqual({ ...plan({ length: 8, special: false }), result: "abcdefgh", bcryptHash: "$2a$10$x" });
    });

    test("overrideSpecial '' → unset changes state without a replacement", () => {
        const state = { ...plan({ length: 8, overrideSpecial: "" }), result: "x" };
        expect(diffPassword(state, { length: 8 })).toEqual({ changed: ["overrideSpecial"], replace: [], details: ['overrideSpecial: "" → (unset)'] });
    });
});

describe("create", () => {
    test("only the enabled classes: special false gives letters and digits only", () => {
        for (let i = 0; i < 20; i++) expect(createPasswordString(plan({ length: 32, special: false }))).toMatch(/^[A-Za-z0-9]{32}$/);
    });

    test("the default special characters are !@#$%&*()-_=+[]{}<>:?; override_special replaces them", () => {
        const allowed = new Set([..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", ...DEFAULT_SPECIAL]);
        const text = createPasswordString(plan({ length: 500 }));
        expect([...text].every((c) => allowed.has(c))).toBe(true);
        expect(createPasswordString(plan({ length: 40, upper: false, lower: false, numeric: false, overrideSpecial: "#" }))).toBe("#".repeat(40));
    });

    test("min_* characters come even from a switched-off class", () => {
        const text = createPasswordString(plan({ length: 10, upper: false, minUpper: 4 }));
        expect(text).toHaveLength(10);
        expect(text.replace(/[^A-Z]/g, "")).toHaveLength(4);
    });

    test.each<[string, Record<string, any>, RegExp]>([
        ["digits 0-9", { upper: false, lower: false, special: false }, /^[0-9]{200}$/],
        ["lower-case letters", { upper: false, numeric: false, special: false }, /^[a-z]{200}$/],
        ["upper-case letters", { lower: false, numeric: false, special: false }, /^[A-Z]{200}$/],
    ])("one class only: %s", (_, classes, pattern) => {
        expect(createPasswordString(plan({ length: 200, ...classes }))).toMatch(pattern);
    });

    test("special only: the default set, exactly tfr's !@#$%&*()-_=+[]{}<>:?", () => {
        expect(DEFAULT_SPECIAL).toBe("!@#$%&*()-_=+[]{}<>:?");
        const text = createPasswordString(plan({ length: 300, upper: false, lower: false, numeric: false }));
        expect(text).toHaveLength(300);
        expect([...text].every((c) => "!@#$%&*()-_=+[]{}<>:?".includes(c))).toBe(true);
    });

    test("no class at all: \"the character set specified is empty\"", () => {
        expect(() => createPasswordString(plan({ length: 4, upper: false, lower: false, numeric: false, special: false }))).toThrow(new Error("the character set specified is empty"));
    });

    test("the min_* characters are shuffled in, not left in front", () => {
        const positions = new Set<number>();
        for (let i = 0; i < 40; i++) positions.add(createPasswordString(plan({ length: 8, upper: false, minUpper: 1 })).search(/[A-Z]/));
        expect(positions.size).toBeGreaterThan(1);
    });

    test("ID 'none', result and bcryptHash outputs (the hash matches the result)", async () => {
        const { engine } = fakeEngine();
        const logs: string[] = [];
        engine.log = (line) => logs.push(line);
        const created = await randomPasswordModel.create(engine, "db-password", await check({ length: 12, special: false }));
        expect(created.id).toBe("none");
        expect(created.outputs.result).toHaveLength(12);
        const salt = created.outputs.bcryptHash.slice(7, 29);
        expect(created.outputs.bcryptHash).toBe(bcryptHash(created.outputs.result, 10, salt));
        expect(logs).toEqual(["create  RandomPassword db-password"]);
    });

    test("bcrypt's tables are pi's digits: known vectors on a fresh module (the tables are computed once per module)", () => {
        let fresh!: typeof import("../../e2e/model/randomPassword");
        jest.isolateModules(() => {
            fresh = require("../../e2e/model/randomPassword");
        });
        expect(fresh.bcryptHash("U*U", 5, "CCCCCCCCCCCCCCCCCCCCC.")).toBe("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW");
    });

    test("bcrypt takes at most 72 bytes (ErrPasswordTooLong past them); 72 is fine", () => {
        const long = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored";
        expect(bcryptHash(long.slice(0, 72), 5, "abcdefghijklmnopqrstuu")).toBe("$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui");
        expect(() => bcryptHash(long.slice(0, 73), 5, "abcdefghijklmnopqrstuu")).toThrow(new Error("bcrypt: password length exceeds 72 bytes"));
    });

    test("bcrypt matches known $2a$ vectors (golang.org/x/crypto/bcrypt, OpenBSD)", () => {
        expect(bcryptHash("allmine", 10, "XajjQvNhvvRt5GSeFk1xFe")).toBe("$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga");
        expect(bcryptHash("U*U", 5, "CCCCCCCCCCCCCCCCCCCCC.")).toBe("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW");
    });

    test("update copies the plan and keeps result and bcryptHash", async () => {
        const { engine } = fakeEngine();
        const state = { ...plan({ length: 8, overrideSpecial: "" }), result: "abcdefgh", bcryptHash: "$2a$10$x" };
        await expect(randomPasswordModel.update(engine, "p", "none", state, { length: 8 }, { changed: [], replace: [], details: [] })).resolves.toMatchObject({ result: "abcdefgh", bcryptHash: "$2a$10$x" });
    });
});
