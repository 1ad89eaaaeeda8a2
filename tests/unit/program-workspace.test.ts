import { ProgramRun, runProgram, stackConfig, T } from "./harness";

// prod with its app in a pnpm workspace (tests/fixtures/apps/pnpm-workspace, a Turborepo layout): the image is
// built from the workspace root, where the lockfile is, with the app's directory inside it as APP_DIR; the
// package manager comes from the root's lockfile (pnpm 9's format, no packageManager field). The e2e builds it.
const ROOT = "tests/fixtures/apps/pnpm-workspace";
let run: ProgramRun;
beforeAll(async () => {
    run = await runProgram({
        stack: "prod",
        config: {
            ...stackConfig("Pulumi.prod.yaml"),
            "nextstack:appWorkspaceRoot": ROOT,
            "nextstack:appPath": `${ROOT}/apps/web`,
            "nextstack:appHealthPath": "",
            "nextstack:appMigrateCommand": "pnpm run migrate",
        },
    });
});

test("the app image is built from the workspace root, with the app's directory as APP_DIR", () => {
    const build = run.one(T.image, "app-image").inputs.build;
    expect(build.context).toBe(ROOT);
    expect(build.dockerfile).toBe("components/nextjs.Dockerfile");
    expect(build.args).toMatchObject({ APP_DIR: "apps/web", PACKAGE_MANAGER: "pnpm@9.15.9" });
});

test("the migration runs from the same context and directory (the migrate target)", () => {
    const app = run.one(T.image, "app-image").inputs.build;
    const migrate = run.one(T.image, "app-migrate-image").inputs.build;
    expect(migrate).toEqual({ ...app, target: "migrate" });
});
