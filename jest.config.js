/** Two projects: `unit` (mocks, no engine, seconds) and `e2e` (a real Docker engine, minutes). */
const tsJest = ["ts-jest", { tsconfig: "tsconfig.json" }];
module.exports = {
    // e2e scenarios run in file-name order (01-, 02-, …); unit tests do not care.
    testSequencer: "<rootDir>/tests/e2e/sequencer.js",
    projects: [
        {
            displayName: "unit",
            testMatch: ["<rootDir>/tests/unit/**/*.test.ts"],
            transform: { "^.+\\.ts$": tsJest },
            testEnvironment: "node",
            // app/: the sample app's own package.json; .stryker-tmp: the mutation run's copy of the project.
            modulePathIgnorePatterns: ["<rootDir>/app/", "<rootDir>/\\.stryker-tmp"],
        },
        {
            displayName: "e2e",
            testMatch: ["<rootDir>/tests/e2e/**/*.e2e.test.ts"],
            transform: { "^.+\\.ts$": tsJest },
            testEnvironment: "node",
            // app/: the sample app's own package.json; .stryker-tmp: the mutation run's copy of the project.
            modulePathIgnorePatterns: ["<rootDir>/app/", "<rootDir>/\\.stryker-tmp"],
            globalSetup: "<rootDir>/tests/e2e/globalSetup.ts",
            globalTeardown: "<rootDir>/tests/e2e/globalTeardown.ts",
            setupFilesAfterEnv: ["<rootDir>/tests/e2e/timeout.ts"],
        },
    ],
};
