/**
 * Jest test runner (`testRunner`) for `npm run test:mutation` (StrykerJS): jest-circus, except that once a test of
 * the current mutant's run has failed (the mutant is killed), the run's later test files are reported with every
 * test skipped without being loaded.
 *
 * The environment's bail (tests/mutation/environment.js) skips the tests of those files, but only after jest has
 * loaded each of them: the Pulumi SDK and the program's modules, in a fresh module registry per file, most of a
 * killed mutant's time when 20–30 program test files cover it. This runner is called before the file is loaded.
 * Each skipped file still reports its tests (as "pending", which Stryker counts as skipped): jest fails a file that
 * reports none, and Stryker would count that as an error, not a kill.
 * The file's name holds "jest-circus": Stryker's jest runner takes per-test coverage only from a runner whose path
 * does (@stryker-mutator/jest-runner, jest-plugins/with-coverage-analysis.js).
 */
const circusModule = require("jest-circus/runner");
const circus = circusModule.default ?? circusModule;
const { createEmptyTestResult } = require("@jest/test-result");
const { MUTANT_RUN } = require("./sequencer");

/** The result of a test file whose tests, by full name, all skipped; undefined when its names are not known. */
function skippedResult(testPath, names) {
    if (!names || names.length === 0) return undefined;
    return {
        ...createEmptyTestResult(),
        testFilePath: testPath,
        numPendingTests: names.length,
        skipped: true,
        testResults: names.map((fullName) => ({
            ancestorTitles: [],
            duration: 0,
            failureDetails: [],
            failureMessages: [],
            fullName,
            location: null,
            numPassingAsserts: 0,
            status: "pending",
            title: fullName,
        })),
    };
}

async function runner(globalConfig, config, environment, runtime, testPath, sendMessageToJest) {
    const run = globalThis[MUTANT_RUN];
    if (run?.killed) {
        const skipped = skippedResult(testPath, run.names?.get(testPath));
        if (skipped) return skipped;
    }
    return circus(globalConfig, config, environment, runtime, testPath, sendMessageToJest);
}

module.exports = runner;
module.exports.skippedResult = skippedResult;
