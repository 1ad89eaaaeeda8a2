import * as fs from "fs";
import * as path from "path";
import { ProgramRun, ROOT, runProgram, stackConfig, T } from "./harness";

// `pulumi preview` of a stack with build secrets builds nothing: the secrets file, which only the builds read, is
// not written (a preview in a pull request's CI must not leave the registry token on disk).
const FILE = path.resolve(ROOT, ".nextstack/nextstack-prod.build-secrets");
/** Whether the secrets file existed at any point while the program registered its resources. */
const seen: boolean[] = [];
let run: ProgramRun;
beforeAll(async () => {
    fs.rmSync(FILE, { force: true });
    run = await runProgram({
        stack: "prod",
        config: { ...stackConfig("Pulumi.prod.yaml"), "nextstack:appBuildSecrets": JSON.stringify(["NPM_TOKEN=npm_Preview0Secret"]) },
        secretKeys: ["nextstack:appBuildSecrets"],
        preview: true,
        onResource: () => seen.push(fs.existsSync(FILE)),
    });
});

test("the images are declared with the file's path, and the file is never written", () => {
    expect(run.one(T.remoteImage, "app-image").inputs.build.secrets).toEqual([{ id: "nextstack-build-secrets", src: ".nextstack/nextstack-prod.build-secrets" }]);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.some(Boolean)).toBe(false);
    expect(fs.existsSync(FILE)).toBe(false);
});
