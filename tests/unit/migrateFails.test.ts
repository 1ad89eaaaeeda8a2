import { execFileSync } from "child_process";
import * as path from "path";
import { ROOT, stackConfig, T } from "./harness";

// A migration that exits non-zero: the provider reports the exit code without failing, so the program must
// stop the deployment itself before the app (and the proxy behind it) is registered, i.e. replaced.
test("a failed migration stops the deployment before the app and the proxy", () => {
    const options = { stack: "prod", config: { ...stackConfig("Pulumi.prod.yaml"), "nextstack:appMigrateCommand": "exit 3" }, oneShotExitCode: 3 };
    const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "programProcess.ts"), JSON.stringify(options)], { cwd: ROOT, encoding: "utf8" });
    const { resources, errors } = JSON.parse(out) as { resources: { type: string; inputs: any }[]; errors: string[] };
    const containers = resources.filter((r) => r.type === T.container).map((r) => r.inputs.name).sort();
    expect(containers).toEqual(["nextstack-prod-db", "nextstack-prod-migrate"]);
    expect(errors.join("\n")).toMatch(/the app's migration \(exit 3\) exited with 3; the app was not replaced/);
});
