import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// tests/mutation/sequencer.js (npm run test:mutation): the test files Stryker's jest run keeps for a mutant.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { filterByTestName, readTestNames, TEST_NAMES_DIR } = require("../mutation/sequencer");

const tests = ["/s/a.test.ts", "/s/b.test.ts", "/s/c.test.ts"].map((p) => ({ path: p }));
const byPath = new Map([
    ["/s/a.test.ts", ["settings defaults", "settings bad values proxyPort 0"]],
    ["/s/b.test.ts", ["the app image is built from the workspace root"]],
]);
// Stryker's pattern: each covering test's full name, regex-escaped, in parentheses, joined by |.
const pattern = (...names: string[]) => names.map((n) => `(${n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")})`).join("|");

test("keeps the files with a test the pattern names, and files it has no names for", () => {
    expect(filterByTestName(tests, pattern("settings bad values proxyPort 0"), byPath).map((t: { path: string }) => t.path)).toEqual(["/s/a.test.ts", "/s/c.test.ts"]);
});

test("matches as jest does: anywhere in the full name, case-insensitive", () => {
    expect(filterByTestName(tests, pattern("APP IMAGE is built"), byPath).map((t: { path: string }) => t.path)).toEqual(["/s/b.test.ts", "/s/c.test.ts"]);
});

test("no pattern (the initial run, or a mutant covered by no test in particular): every file", () => {
    expect(filterByTestName(tests, undefined, byPath)).toBe(tests);
});

test("when no file would be left, every file runs (jest would pass with no tests and the mutant survive untested)", () => {
    const known = tests.slice(0, 2);
    expect(filterByTestName(known, pattern("no such test"), byPath)).toBe(known);
});

test("reads the names the environment wrote; a file it cannot parse is skipped (its test file is then kept)", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "nextstack-sequencer-"));
    try {
        expect(readTestNames(root).size).toBe(0);
        fs.mkdirSync(path.join(root, TEST_NAMES_DIR));
        fs.writeFileSync(path.join(root, TEST_NAMES_DIR, "1.json"), JSON.stringify({ path: "/s/a.test.ts", names: ["x y"] }));
        fs.writeFileSync(path.join(root, TEST_NAMES_DIR, "2.json"), '{"path": "/s/b.te');
        expect([...readTestNames(root)]).toEqual([["/s/a.test.ts", ["x y"]]]);
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
});

describe("bail: after a failure in a mutant's run, later files skip their tests", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { skipTests } = require("../mutation/environment");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Sequencer = require("../mutation/sequencer");
    const { MUTANT_RUN } = Sequencer;
    afterEach(() => delete (globalThis as any)[MUTANT_RUN]);

    test("skipTests marks every test of every nested block skipped, and nothing else", () => {
        const tree = {
            children: [
                { type: "test", mode: undefined },
                { type: "describeBlock", mode: undefined, children: [{ type: "test", mode: "only" }, { type: "describeBlock", children: [{ type: "test" }] }] },
            ],
        };
        skipTests(tree);
        expect(JSON.stringify(tree)).toBe(
            JSON.stringify({ children: [{ type: "test", mode: "skip" }, { type: "describeBlock", children: [{ type: "test", mode: "skip" }, { type: "describeBlock", children: [{ type: "test", mode: "skip" }] }] }] }),
        );
    });

    test("each run with a name pattern starts unkilled; a run without one (the initial run) never bails", async () => {
        const withPattern = new Sequencer({ contexts: [], globalConfig: { testNamePattern: "(a)", rootDir: "/nonexistent" } });
        (globalThis as any)[MUTANT_RUN] = { killed: true };
        await withPattern.sort([]);
        expect((globalThis as any)[MUTANT_RUN]).toEqual({ killed: false, names: new Map() });
        const initial = new Sequencer({ contexts: [], globalConfig: { rootDir: "/nonexistent" } });
        await initial.sort([]);
        expect((globalThis as any)[MUTANT_RUN]).toBeUndefined();
    });
});

describe("runner: after a failure in a mutant's run, later files are reported skipped without being loaded", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runner = require("../mutation/jest-circus-runner");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MUTANT_RUN } = require("../mutation/sequencer");
    afterEach(() => delete (globalThis as any)[MUTANT_RUN]);
    // A file that does not exist: loading it (jest-circus) would fail.
    const testPath = "/nonexistent/never-loaded.test.ts";

    test("a killed run: every test of the file, by the names the environment recorded, reported pending", async () => {
        (globalThis as any)[MUTANT_RUN] = { killed: true, names: new Map([[testPath, ["prod stack registers a proxy", "dev stack runs the db only"]]]) };
        const result = await runner({}, {}, {}, {}, testPath, () => undefined);
        expect(result.testFilePath).toBe(testPath);
        expect(result.numPendingTests).toBe(2);
        expect(result.numFailingTests + result.numPassingTests).toBe(0);
        expect(result.testResults.map((t: { fullName: string; status: string }) => [t.fullName, t.status])).toEqual([
            ["prod stack registers a proxy", "pending"],
            ["dev stack runs the db only", "pending"],
        ]);
    });

    test("not killed, no run state, or no names for the file: jest-circus runs it (here: fails to load it)", async () => {
        for (const state of [{ killed: false, names: new Map([[testPath, ["a"]]]) }, undefined, { killed: true, names: new Map() }]) {
            (globalThis as any)[MUTANT_RUN] = state;
            await expect(runner({}, {}, {}, {}, testPath, () => undefined)).rejects.toThrow();
        }
    });
});
