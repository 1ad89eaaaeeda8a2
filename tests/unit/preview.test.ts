import * as pulumi from "@pulumi/pulumi";
import { ProgramRun, runProgram, stackConfig, T } from "./harness";

// `pulumi preview` of prod: images are not built (buildOnPreview: false), so their digests are unknown. The
// program must still declare every resource, with everything else known, for a readable diff in review.
let run: ProgramRun;
beforeAll(async () => {
    run = await runProgram({ stack: "prod", config: stackConfig("Pulumi.prod.yaml"), preview: true });
});

test("declares every resource of the stack", () => {
    expect(run.all(T.container).map((c) => c.inputs.name).sort()).toEqual(["nextstack-prod-app", "nextstack-prod-db", "nextstack-prod-proxy"]);
    expect(run.all(T.image).map((i) => i.inputs.buildOnPreview)).toEqual([false, false]);
});

test("only what depends on a build is unknown", () => {
    const app = run.all(T.container).find((c) => c.inputs.name === "nextstack-prod-app")!;
    const db = run.all(T.container).find((c) => c.inputs.name === "nextstack-prod-db")!;
    expect(pulumi.isUnknown(app.inputs.image)).toBe(true);
    expect(pulumi.isUnknown(db.inputs.image)).toBe(false);
    expect(app.inputs.networksAdvanced).toEqual([{ name: "nextstack-prod", aliases: ["app"] }]);
    expect(app.inputs.healthcheck.tests.join(" ")).toContain("/api/health");
    expect(db.inputs.image).toMatch(/^sha256:/);
    expect(db.inputs.ports).toEqual([]);
});
