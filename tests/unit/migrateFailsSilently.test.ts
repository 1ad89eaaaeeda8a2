import { collectingRejections, ProgramRun, runProgram, stackConfig, T } from "./harness";

// A migration that exits non-zero and whose output the provider does not report (no containerLogs in its state):
// the deployment still stops before the app, and the message says so without printing "undefined".
let run: ProgramRun;
let errors: string[];
beforeAll(async () => {
    ({ result: run, errors } = await collectingRejections(() =>
        runProgram({ stack: "prod", config: { ...stackConfig("Pulumi.prod.yaml"), "nextstack:appMigrateCommand": "exit 2" }, oneShotExitCode: 2, oneShotLogs: null }),
    ));
});

test("the deployment stops before the app, and the message has an empty output", () => {
    expect(run.all(T.container).map((c) => c.inputs.name).sort()).toEqual(["nextstack-prod-db", "nextstack-prod-migrate"]);
    const messages = new Set(errors.map((e) => e.replace(/^(error serializing property "\w+": )+/, "")));
    expect([...messages]).toEqual(["the app's migration (exit 2) exited with 2; the app was not replaced. Its output:\n"]);
});
