/**
 * Jest environment for `npm run test:mutation` (StrykerJS, per-test coverage).
 *
 * Stryker credits code that runs while a test runs to that test, and everything else to no test ("static"): a
 * static mutant is then tested with the whole suite. Most of our unit tests run the Pulumi program once in a
 * `beforeAll` and assert on what it registered, so nearly every mutant would be static and the run would take
 * a day. This environment credits what a `beforeAll` covers to every test of its `describe` block (those tests
 * are what can see the effect), so Stryker runs only those tests for such a mutant. Likewise, what runs while
 * the test file loads (module-level code, here and in the modules it imports: jest gives every test file its
 * own module registry) is credited to the tests of that file.
 */
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const { TestEnvironment } = require("jest-environment-node");
const { MUTANT_RUN, TEST_NAMES_DIR } = require("./sequencer");

const PREFIX = "\u0000beforeAll:";

function describeName(block) {
    return block.parent ? `${describeName(block.parent)} ${block.name}`.trimStart() : "";
}

function testsUnder(block, out = []) {
    for (const child of block.children) {
        if (child.type === "test") out.push(`${describeName(child.parent)} ${child.name}`.trimStart());
        else testsUnder(child, out);
    }
    return out;
}

/** Marks every test under `block` skipped (jest-circus then runs neither them nor their blocks' hooks). */
function skipTests(block) {
    for (const child of block.children) {
        if (child.type === "test") child.mode = "skip";
        else skipTests(child);
    }
}

class BeforeAllCreditingEnvironment extends TestEnvironment {
    #blocks = new Map();
    #testPath;
    #rootDir;

    constructor(config, context) {
        super(config, context);
        this.#testPath = context.testPath;
        this.#rootDir = config.projectConfig.rootDir;
    }

    /**
     * Writes this file's test names (as jest and Stryker name them: describe titles and the test's, space-joined)
     * for tests/mutation/sequencer.js, which runs only the files that hold a test Stryker asks for.
     */
    #recordTestNames(state) {
        const dir = path.join(this.#rootDir, TEST_NAMES_DIR);
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `${crypto.createHash("sha1").update(this.#testPath).digest("hex")}.json`);
        fs.writeFileSync(file, JSON.stringify({ path: this.#testPath, names: testsUnder(state.rootDescribeBlock) }));
    }

    async setup() {
        await super.setup();
        const ctx = this.global.__stryker__;
        if (!ctx) return;
        const id = `${PREFIX}${this.#blocks.size}`;
        this.#blocks.set(id, undefined); // the root block, known once the file is loaded
        ctx.currentTestId = id;
    }

    async handleTestEvent(event, state) {
        // Bail, as Stryker asks of a runner (unless --disableBail): once a test of this mutant's run failed, the
        // mutant is killed, and the run's later files skip their tests (and so their beforeAll, the program run).
        const run = globalThis[MUTANT_RUN];
        if (run && (event.name === "test_fn_failure" || event.name === "hook_failure")) run.killed = true;
        if (run?.killed && event.name === "run_start") skipTests(state.rootDescribeBlock);
        const ctx = this.global.__stryker__;
        if (!ctx) return;
        if (event.name === "run_start") {
            ctx.currentTestId = undefined;
            this.#recordTestNames(state);
        } else if (event.name === "hook_start" && event.hook.type === "beforeAll") {
            const id = `${PREFIX}${this.#blocks.size}`;
            this.#blocks.set(id, event.hook.parent);
            ctx.currentTestId = id;
        } else if ((event.name === "hook_success" || event.name === "hook_failure") && event.hook.type === "beforeAll") {
            ctx.currentTestId = undefined;
        } else if (event.name === "run_finish") {
            const perTest = ctx.mutantCoverage?.perTest;
            if (!perTest) return;
            for (const [id, block] of this.#blocks) {
                const covered = perTest[id];
                delete perTest[id];
                if (!covered) continue;
                for (const test of testsUnder(block ?? state.rootDescribeBlock)) {
                    const into = (perTest[test] ??= {});
                    for (const [mutant, hits] of Object.entries(covered)) into[mutant] = (into[mutant] ?? 0) + hits;
                }
            }
            this.#blocks.clear();
        }
    }
}

module.exports = BeforeAllCreditingEnvironment;
module.exports.skipTests = skipTests;
