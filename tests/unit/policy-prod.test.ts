import { policies } from "../../policy/policies";
import { fromRegistered, runPolicies } from "../../policy/testing";
import { ProgramRun, runProgram, stackConfig, T } from "./harness";

// The prod stack (Pulumi.prod.yaml) against the policy pack (policy/): every policy passes.
let run: ProgramRun;
beforeAll(async () => {
    run = await runProgram({ stack: "prod", config: stackConfig("Pulumi.prod.yaml") });
});

test("passes every policy", async () => {
    const resources = fromRegistered(run.resources);
    // Not vacuous: the policies saw all three containers, both built images, the pulled image and the volume.
    const count = (type: string) => resources.filter((r) => r.type === type).length;
    expect([count(T.container), count(T.image), count(T.remoteImage), count(T.volume)]).toEqual([3, 2, 1, 1]);
    expect(await runPolicies(policies, resources)).toEqual([]);
});
