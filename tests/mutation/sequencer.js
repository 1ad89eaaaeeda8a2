/**
 * Jest test sequencer for `npm run test:mutation` (StrykerJS): runs only the test files that hold a test Stryker
 * asked for.
 *
 * For each mutant Stryker runs jest with the test files related to the mutated file (nearly all of them here: the
 * tests import the program) and `testNamePattern` set to the names of the tests that cover the mutant. Jest still
 * loads every one of those files (the Pulumi SDK and the program's modules, in a fresh module registry each) to
 * find that most of them hold no such test: most of a mutant's time. tests/mutation/environment.js writes each
 * file's test names (once Stryker's initial run has run every file); this sequencer keeps the files with a name the
 * pattern matches, matched as jest matches it (case-insensitive, against the full name). A file it has no names
 * for is kept; if no file would be left, all are kept (jest passes with no tests, and the mutant would survive
 * untested): the filter can only drop files that would have run no test.
 * It also starts each run's bail state (MUTANT_RUN below; tests/mutation/environment.js and jest-circus-runner.js bail).
 */
const fs = require("fs");
const path = require("path");
const Sequencer = require("@jest/test-sequencer").default;

/**
 * Global (of the runner process: jest runs Stryker's files in band) holding the state of the current mutant's run,
 * `{ killed }`, set for each run by the sequencer and read by the environment, which bails once a test failed.
 * Undefined in a run without a name pattern (Stryker's initial run, which must run everything).
 */
const MUTANT_RUN = Symbol.for("nextstack.mutantRun");

/** Directory (under jest's rootDir: Stryker's sandbox) of the per-file test names. */
const TEST_NAMES_DIR = ".stryker-test-names";

/** Test names by test file path, from the environment's records; empty when there are none yet. */
function readTestNames(rootDir) {
    const dir = path.join(rootDir, TEST_NAMES_DIR);
    const byPath = new Map();
    if (!fs.existsSync(dir)) return byPath;
    for (const file of fs.readdirSync(dir)) {
        try {
            const { path: testPath, names } = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
            byPath.set(testPath, names);
        } catch {
            // Being written by the other runner: that file is kept (no names for it).
        }
    }
    return byPath;
}

/** The test files to run: those with a test whose name `pattern` matches, or all when none would be left. */
function filterByTestName(tests, pattern, byPath) {
    if (!pattern) return tests;
    const regex = new RegExp(pattern, "i");
    const kept = tests.filter((test) => {
        const names = byPath.get(test.path);
        return names === undefined || names.some((name) => regex.test(name));
    });
    return kept.length > 0 ? kept : tests;
}

class TestNameSequencer extends Sequencer {
    #pattern;
    #rootDir;
    #disableBail;

    constructor(options) {
        super(options);
        this.#pattern = options?.globalConfig?.testNamePattern;
        this.#rootDir = options?.globalConfig?.rootDir ?? process.cwd();
        // Stryker's --disableBail wants every failing test: set STRYKER_DISABLE_BAIL=1 beside it.
        this.#disableBail = process.env.STRYKER_DISABLE_BAIL === "1";
    }

    sort(tests) {
        // Once per jest run: a new mutant, nothing failed yet.
        // The names also serve tests/mutation/jest-circus-runner.js, which reports a file it skips without loading it.
        const names = readTestNames(this.#rootDir);
        globalThis[MUTANT_RUN] = this.#pattern && !this.#disableBail ? { killed: false, names } : undefined;
        return super.sort(filterByTestName(tests, this.#pattern, names));
    }
}

module.exports = TestNameSequencer;
module.exports.TEST_NAMES_DIR = TEST_NAMES_DIR;
module.exports.MUTANT_RUN = MUTANT_RUN;
module.exports.filterByTestName = filterByTestName;
module.exports.readTestNames = readTestNames;
