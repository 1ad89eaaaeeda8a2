import * as fs from "fs";
import * as path from "path";
import { contextHash } from "../../components/buildSecrets";
import { NEXTJS_DOCKERFILE } from "../../components/nextApp";
import { ProgramRun, ROOT, runProgram, stackConfig, T } from "./harness";

// prod with build secrets (appBuildSecrets) and a migration: both images are built by docker.RemoteImage, whose
// build passes BuildKit secrets from a file (components/buildSecrets.ts). The e2e builds one and looks for the
// value in the image; here: what the provider is given, and the file it reads the secrets from.
const SECRETS = ["NPM_TOKEN=npm_Unit0Secret0Value", "SENTRY_AUTH_TOKEN=sntrys_a=b c"];
const FILE = ".nextstack/nextstack-prod.build-secrets";
/** The secrets file as the provider would find it when each image's build starts. */
const seenAtBuild: Record<string, { text: string; mode: number; dirMode: number } | undefined> = {};
let run: ProgramRun;
/** Listeners the program added to the process's "exit" event. */
let exitListeners: ((...args: unknown[]) => void)[];
beforeAll(async () => {
    const before = new Set(process.listeners("exit"));
    run = await runProgram({
        stack: "prod",
        config: {
            ...stackConfig("Pulumi.prod.yaml"),
            "nextstack:appBuildSecrets": JSON.stringify(SECRETS),
            "nextstack:appMigrateCommand": "npm run migrate",
        },
        secretKeys: ["nextstack:appBuildSecrets"],
        onResource(type, name, inputs) {
            if (type !== T.remoteImage || !inputs.build) return;
            const file = path.resolve(ROOT, inputs.build.secrets[0].src);
            seenAtBuild[name] = fs.existsSync(file)
                ? { text: fs.readFileSync(file, "utf8"), mode: fs.statSync(file).mode & 0o777, dirMode: fs.statSync(path.dirname(file)).mode & 0o777 }
                : undefined;
        },
    });
    exitListeners = process.listeners("exit").filter((l) => !before.has(l)) as typeof exitListeners;
});

test("the app and migrate images are built by RemoteImage with the secrets file, the legacy builder and the same build arguments otherwise", () => {
    expect(run.all(T.image).map((r) => r.name)).toEqual(["proxy-image"]);
    const app = run.one(T.remoteImage, "app-image").inputs;
    expect(app).toMatchObject({ name: "nextstack-prod-app:current", keepLocally: true });
    expect(app.build).toMatchObject({
        context: "app",
        dockerfile: NEXTJS_DOCKERFILE,
        useLegacyBuilder: true,
        secrets: [{ id: "nextstack-build-secrets", src: FILE }],
    });
    expect(app.build.target).toBeUndefined();
    expect(app.build.buildArgs).toMatchObject({ NEXTSTACK_BUILD_SECRETS: "1", PACKAGE_MANAGER: "npm", NEXTSTACK_STACK: "prod" });
    const migrate = run.one(T.remoteImage, "app-migrate-image").inputs;
    expect(migrate.name).toBe("nextstack-prod-app-migrate:current");
    expect(migrate.build).toEqual({ ...app.build, target: "migrate" });
});

test("each image is rebuilt when the context or the Dockerfile changes: their hash is a trigger (ForceNew)", () => {
    const hash = contextHash(ROOT, "app", NEXTJS_DOCKERFILE);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(run.one(T.remoteImage, "app-image").inputs.triggers).toEqual({ context: hash });
    expect(run.one(T.remoteImage, "app-migrate-image").inputs.triggers).toEqual({ context: hash });
});

test("the containers run the built images by image ID", () => {
    const images = run.all(T.remoteImage).filter((r) => r.inputs.build);
    const ids = Object.fromEntries(images.map((r) => [r.name, r]));
    const app = run.one(T.container, "app");
    const migrate = run.one(T.container, "app-migrate");
    expect(app.inputs.image).toMatch(/^sha256:/);
    expect(app.propertyDependencies.image).toEqual([ids["app-image"].urn]);
    expect(migrate.propertyDependencies.image).toEqual([ids["app-migrate-image"].urn]);
    expect(migrate.inputs.image).not.toBe(app.inputs.image);
});

test("the provider finds the secrets as NAME=value lines in a file only its owner can read, gone after the run", () => {
    for (const name of ["app-image", "app-migrate-image"]) {
        expect(seenAtBuild[name]).toEqual({ text: `${SECRETS.join("\n")}\n`, mode: 0o600, dirMode: 0o700 });
    }
    expect(fs.existsSync(path.resolve(ROOT, FILE))).toBe(false);
});

test("should the builds never finish (a failed build, an interrupted up), the file is removed when the program exits", () => {
    // The program's own (the SDK adds one that reports leaked promises).
    const removers = exitListeners.filter((l) => String(l).includes("removeBuildSecrets"));
    expect(removers).toHaveLength(1);
    const file = path.resolve(ROOT, FILE);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, "LEFT=over\n", { mode: 0o600 });
    try {
        removers[0](0);
        expect(fs.existsSync(file)).toBe(false);
        expect(fs.existsSync(path.dirname(file))).toBe(false);
    } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
});

test("both images belong to the app component", () => {
    const component = run.one("nextstack:app:NextApp", "app");
    for (const name of ["app-image", "app-migrate-image"]) expect(run.one(T.remoteImage, name).parent).toBe(component.urn);
});

test("no secret value is in any resource's inputs", () => {
    const everything = JSON.stringify(run.resources.map((r) => r.inputs));
    for (const entry of SECRETS) expect(everything).not.toContain(entry.slice(entry.indexOf("=") + 1));
});
