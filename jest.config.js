/** Two projects: `unit` (mocks, no engine, seconds) and `e2e` (a real Docker engine, minutes). */
const tsJest = ["ts-jest", { tsconfig: "tsconfig.json" }];
module.exports = {
    projects: [
        {
            displayName: "unit",
            testMatch: ["<rootDir>/tests/unit/**/*.test.ts"],
            transform: { "^.+\\.ts$": tsJest },
            testEnvironment: "node",
            modulePathIgnorePatterns: ["<rootDir>/app/"],
        },
    ],
};
