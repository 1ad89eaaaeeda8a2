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
    const proxy = run.all(T.container).find((c) => c.inputs.name === "nextstack-prod-proxy")!;
    expect(pulumi.isUnknown(app.inputs.image)).toBe(true);
    expect(pulumi.isUnknown(proxy.inputs.image)).toBe(true);
    expect(pulumi.isUnknown(db.inputs.image)).toBe(false);
    expect(app.inputs.networksAdvanced).toEqual([{ name: "nextstack-prod", aliases: ["app"] }]);
    expect(app.inputs.healthcheck.tests).toEqual(["CMD", "node", "-e", 'fetch("http://127.0.0.1:3000/api/health").then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))']);
    expect(proxy.inputs.uploads.map((u: any) => u.file)).toEqual(["/etc/nginx/conf.d/default.conf"]);
    // The pulled image's ID, known in a preview: the database's line in the diff shows no change.
    expect(db.propertyDependencies.image).toEqual([run.one(T.remoteImage).urn]);
    expect(db.inputs.ports).toEqual([]);
});
