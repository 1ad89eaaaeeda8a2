import { collectingRejections, ProgramRun, runProgram, stackConfig, T } from "./harness";

// A migration that exits non-zero: the provider reports the exit code without failing, so the program must
// stop the deployment itself before the app (and the proxy behind it) is registered, i.e. replaced.
let run: ProgramRun;
let errors: string[];
beforeAll(async () => {
    ({ result: run, errors } = await collectingRejections(() =>
        runProgram({ stack: "prod", config: { ...stackConfig("Pulumi.prod.yaml"), "nextstack:appMigrateCommand": "exit 3" }, oneShotExitCode: 3 }),
    ));
});

test("a failed migration stops the deployment before the app and the proxy", () => {
    expect(run.all(T.container).map((c) => c.inputs.name).sort()).toEqual(["nextstack-prod-db", "nextstack-prod-migrate"]);
});

test("the error names the command, its exit code and its output (the mock's one-shot container prints done)", () => {
    // The runtime prefixes where it met the error (the app's dependsOn waits on the migration's outputs).
    const messages = new Set(errors.map((e) => e.replace(/^(error serializing property "\w+": )+/, "")));
    expect([...messages]).toEqual(["the app's migration (exit 3) exited with 3; the app was not replaced. Its output:\ndone\n"]);
});
