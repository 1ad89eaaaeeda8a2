// Mutation testing of the program (`npm run test:mutation`): StrykerJS plants one small bug at a time in
// components/ and policy/ and runs the unit tests that cover it; a mutant the tests do not notice "survives".
// Incremental: the result of each mutant is kept in reports/stryker-incremental.json (committed), so a rerun
// tests only the mutants whose code or covering tests changed. A full run takes hours on 2 cores (README).
import { fileURLToPath } from "node:url";

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
    packageManager: "npm",
    testRunner: "jest",
    plugins: ["@stryker-mutator/jest-runner", "@stryker-mutator/typescript-checker", "./tests/mutation/ignore-descriptions.mjs"],
    // The config keys' descriptions are documentation (tests/mutation/ignore-descriptions.mjs says why).
    ignorers: ["key-descriptions"],
    // policy/index.ts only constructs the pack; policy/testing.ts is the unit tests' harness, not the product.
    // tests/e2e/model/: the provider model the e2e realizes the program with (its unit tests: tests/unit/model/).
    mutate: ["components/**/*.ts", "policy/**/*.ts", "!policy/index.ts", "!policy/testing.ts", "tests/e2e/model/**/*.ts"],
    jest: {
        projectType: "custom",
        // The `unit` project of jest.config.js, flat: Stryker's runner does not take jest's `projects`.
        config: {
            rootDir: ".",
            testMatch: ["<rootDir>/tests/unit/**/*.test.ts"],
            // isolatedModules: a mutant that breaks a type is the checker's business; tests only run code.
            transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", isolatedModules: true }] },
            // An absolute path: Stryker wraps the environment and resolves it itself.
            testEnvironment: fileURLToPath(new URL("./tests/mutation/environment.js", import.meta.url)),
            // Runs only the test files holding a test that covers the mutant (the file says why).
            testSequencer: fileURLToPath(new URL("./tests/mutation/sequencer.js", import.meta.url)),
            // jest-circus, but a file that comes after a failure in a mutant's run is not even loaded (the file says why).
            testRunner: fileURLToPath(new URL("./tests/mutation/jest-circus-runner.js", import.meta.url)),
            modulePathIgnorePatterns: ["<rootDir>/app/"],
            // Instrumented code on a busy machine: a program run in a beforeAll can exceed jest's 5 s default.
            // A mutant that leaves the program hanging (an output that never resolves) fails its tests here, after
            // 30 s, well before Stryker's own timeout below.
            testTimeout: 30000,
        },
        // Only the test files that import the mutated file (through the program, for most): the scripts' and
        // the e2e model's tests never see a mutant of components/ or policy/.
        enableFindRelatedTests: true,
    },
    coverageAnalysis: "perTest",
    checkers: ["typescript"],
    tsconfigFile: "tsconfig.json",
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    ignorePatterns: ["app/node_modules", "app/.next", "bench", "reports", "bin", ".stryker-tmp*", "*.log"],
    incremental: true,
    incrementalFile: "reports/stryker-incremental.json",
    reporters: ["html", "json", "clear-text", "progress"],
    htmlReporter: { fileName: "reports/mutation/index.html" },
    jsonReporter: { fileName: "reports/mutation/mutation.json" },
    // Stryker's timeout is timeoutMS + 1.5 × the covering tests' own times, and those leave out each file's
    // beforeAll (the program run) and jest's start: a mutant of a module-level constant, covered by ~1,000
    // tests in ~30 files, overran 30 s without hanging and was counted "Timeout", i.e. detected. 5 min leaves
    // "Timeout" to real hangs (a synchronous loop; an async hang fails at jest's testTimeout instead).
    timeoutMS: 300000,
    // With a checker, Stryker gives half to type-checking and half to test runners: 4 → 2 jest processes,
    // one per core of a 2-core machine.
    concurrency: 4,
    // Each jest run leaves memory behind in the runner process (its module registries): a runner's heap reached
    // about 4.4 GB within 15 minutes and stayed at the limit, collecting garbage most of the time. A fresh runner
    // every 30 mutants costs a few seconds and keeps it small.
    maxTestRunnerReuse: 30,
    tempDirName: ".stryker-tmp",
    cleanTempDir: "always",
};
