import { bcryptHash, createPasswordString, DEFAULT_SPECIAL, diffPassword, randomPasswordModel } from "../../e2e/model/randomPassword";
import { UNKNOWN } from "../../e2e/model/types";
import { fakeEngine } from "./fakeDocker";

/** One test per rule of tests/e2e/model/randomPassword.ts (terraform-provider-random resource_password.go, string.go). */

const check = (news: Record<string, any>) => randomPasswordModel.check("db-password", news, undefined, { cwd: "." });
const plan = (news: Record<string, any>) => randomPasswordModel.previewCreate(news);

describe("check", () => {
    test("an input the model does not know fails, naming it; length is required", async () => {
        await expect(check({ length: 8, number: true })).rejects.toThrow(/RandomPassword db-password: input "number" is not modelled/);
        await expect(check({ special: false })).rejects.toThrow(/input "length" is required/);
    });

    test("length ≥ 1 and ≥ the sum of the min_* inputs", async () => {
        await expect(check({ length: 0 })).rejects.toThrow(/at least 1/);
        await expect(check({ length: 3, minUpper: 2, minNumeric: 2 })).rejects.toThrow(/at least the sum .*\(4\)/);
    });

    test("numeric false needs one of special, upper, lower not false", async () => {
        await expect(check({ length: 4, numeric: false, special: false, upper: false, lower: false })).rejects.toThrow(/at least one of/);
        await expect(check({ length: 4, numeric: false, special: false, upper: false })).resolves.toBeDefined();
    });
});

describe("plan and diff", () => {
    test("defaults: special, upper, lower, numeric (and number) true; min_* 0", () => {
        expect(plan({ length: 32, special: false })).toEqual({ length: 32, special: false, upper: true, lower: true, numeric: true, number: true, minNumeric: 0, minUpper: 0, minLower: 0, minSpecial: 0 });
    });

    test("every input change is a replacement; unknown too", () => {
        const state = { ...plan({ length: 32, special: false }), result: "x" };
        expect(diffPassword(state, { length: 32, special: false })).toEqual({ changed: [], replace: [], details: [] });
        expect(diffPassword(state, { length: 16, special: false })).toMatchObject({ changed: ["length"], replace: ["length"] });
        expect(diffPassword(state, { length: 32 })).toMatchObject({ changed: ["special"], replace: ["special"] });
        expect(diffPassword(state, { length: UNKNOWN, special: false })).toMatchObject({ changed: ["length"], replace: ["length"] });
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
        expect(text.replace(/[^A-Z]/g, "")).toHaveLength(4);
    });

    test("ID 'none', result and bcryptHash outputs (the hash matches the result)", async () => {
        const { engine } = fakeEngine();
        const created = await randomPasswordModel.create(engine, "db-password", await check({ length: 12, special: false }));
        expect(created.id).toBe("none");
        expect(created.outputs.result).toHaveLength(12);
        const salt = created.outputs.bcryptHash.slice(7, 29);
        expect(created.outputs.bcryptHash).toBe(bcryptHash(created.outputs.result, 10, salt));
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
