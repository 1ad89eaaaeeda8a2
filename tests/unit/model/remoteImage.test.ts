import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { contextArchive } from "../../e2e/model/image";
import { checkDockerBuildkitEnv, contextDockerignore, determineRepoDigest, remoteBuildCommand, remoteImageModel, secretSources } from "../../e2e/model/remoteImage";
import { fakeEngine, ops } from "./fakeDocker";

/** One test per rule of tests/e2e/model/remoteImage.ts (kreuzwerker v4.5.0 resource_docker_image*.go, docker_image). */

const ID = `sha256:${"c".repeat(64)}`;
const check = (news: Record<string, any>) => remoteImageModel.check("db-image", news, undefined, { cwd: "." });

describe("check", () => {
    test("an input the model does not know fails, naming it", async () => {
        await expect(check({ name: "postgres:18", pull: true })).rejects.toThrow(/RemoteImage db-image: input "pull" is not modelled/);
        await expect(check({ name: "a:1", build: { context: "app", useLegacyBuilder: true, shmSize: 64 } })).rejects.toThrow(/input "build.shmSize" is not modelled/);
    });

    test("build: context is required; dockerfile defaults to Dockerfile, remove to true", async () => {
        await expect(check({ name: "a:1", build: { useLegacyBuilder: true } })).rejects.toThrow(/input "build.context" is required/);
        await expect(check({ name: "a:1", build: { context: "app", useLegacyBuilder: true } })).resolves.toEqual({
            name: "a:1",
            build: { context: "app", dockerfile: "Dockerfile", remove: true, useLegacyBuilder: true },
        });
    });

    test("build conflicts with pullTriggers; only the legacy builder path and file secrets are modelled", async () => {
        const build = { context: "app", useLegacyBuilder: true };
        await expect(check({ name: "a:1", build, pullTriggers: ["x"] })).rejects.toThrow(/"build": conflicts with pull_triggers/);
        await expect(check({ name: "a:1", build: { context: "app" } })).rejects.toThrow(/without useLegacyBuilder: the provider's buildx path .* is not modelled/);
        await expect(check({ name: "a:1", build: { ...build, secrets: [{ id: "s", env: "TOKEN" }] } })).rejects.toThrow(/build.secrets\[0\].env": secrets from the provider's environment are not modelled/);
        await expect(check({ name: "a:1", build: { ...build, secrets: [{ id: "s" }] } })).rejects.toThrow(/build.secrets\[0\]": a secret without src or env/);
        await expect(check({ name: "a:1", build: { ...build, secrets: [{ src: "f" }] } })).rejects.toThrow(/build.secrets\[0\].id" is required/);
    });

    test("platform's default is '' (falsy): not added to the inputs", async () => {
        await expect(check({ name: "postgres:18", keepLocally: true })).resolves.toEqual({ name: "postgres:18", keepLocally: true });
    });
});

describe("diff", () => {
    test("name is ForceNew; keepLocally changes in place", async () => {
        const state = { name: "postgres:18", keepLocally: true, platform: "", imageId: ID, repoDigest: "" };
        expect(remoteImageModel.diff({}, state, await check({ name: "postgres:19", keepLocally: true }))).toMatchObject({ changed: ["name"], replace: ["name"] });
        expect(remoteImageModel.diff({}, state, await check({ name: "postgres:18" }))).toEqual({ changed: ["keepLocally"], replace: [], details: ["keepLocally: true → false"] });
    });
});

describe("diff of a build", () => {
    const build = { context: "app", dockerfile: "d/Dockerfile", useLegacyBuilder: true, buildArgs: { A: "1" }, secrets: [{ id: "s", src: ".nextstack/x" }] };
    const state = async () => ({ ...(await check({ name: "a:1", keepLocally: true, triggers: { context: "h1" }, build })), imageId: ID, repoDigest: "" });

    test("nothing changed: no diff", async () => {
        expect(remoteImageModel.diff({}, await state(), await check({ name: "a:1", keepLocally: true, triggers: { context: "h1" }, build }))).toEqual({ changed: [], replace: [], details: [] });
    });

    test.each<[string, Record<string, any>, string]>([
        ["a new context hash (triggers)", { triggers: { context: "h2" } }, "triggers"],
        ["a build argument", { build: { ...build, buildArgs: { A: "2" } } }, "build"],
        ["the target", { build: { ...build, target: "migrate" } }, "build"],
        ["the secrets file's path", { build: { ...build, secrets: [{ id: "s", src: ".nextstack/y" }] } }, "build"],
        ["the Dockerfile", { build: { ...build, dockerfile: "Dockerfile" } }, "build"],
    ])("%s replaces the image (ForceNew): it is built again", async (_, change, key) => {
        const news = await check({ name: "a:1", keepLocally: true, triggers: { context: "h1" }, build, ...change });
        expect(remoteImageModel.diff({}, await state(), news)).toMatchObject({ changed: [key], replace: [key] });
    });

    test("remove changes in place (Update finds the image again, builds nothing)", async () => {
        const news = await check({ name: "a:1", keepLocally: true, triggers: { context: "h1" }, build: { ...build, remove: false } });
        expect(remoteImageModel.diff({}, await state(), news)).toMatchObject({ changed: ["build"], replace: [] });
    });
});

describe("build (legacy builder path)", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "nextstack-remoteimage-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    test("secrets: a file source must exist (from the working directory) and hold at most 500 KB", () => {
        fs.writeFileSync(path.join(dir, "s"), "A=1\n");
        expect(secretSources(dir, [{ id: "x", src: "s" }])).toEqual([{ id: "x", file: path.join(dir, "s") }]);
        expect(() => secretSources(dir, [{ id: "x", src: "missing" }])).toThrow("failed to stat missing: no such file or directory");
        fs.writeFileSync(path.join(dir, "big"), Buffer.alloc(500 * 1024 + 1));
        expect(() => secretSources(dir, [{ id: "x", src: "big" }])).toThrow("secret x too big. max size 500KB");
    });

    test("the ignore file is the context's .dockerignore only", () => {
        fs.mkdirSync(path.join(dir, "app"));
        fs.writeFileSync(path.join(dir, "Dockerfile.dockerignore"), "*.md\n");
        expect(contextDockerignore(dir, "app")).toEqual([]);
        fs.writeFileSync(path.join(dir, "app", ".dockerignore"), "node_modules\n# comment\n*.log\n");
        expect(contextDockerignore(dir, "app")).toEqual(["node_modules", "*.log"]);
    });

    test("a Dockerfile inside the context that .dockerignore excludes stays out of the tar: re-included by its configured path, not its path in the context", () => {
        fs.mkdirSync(path.join(dir, "app"));
        fs.writeFileSync(path.join(dir, "app", "Dockerfile"), "FROM scratch\n");
        fs.writeFileSync(path.join(dir, "app", "page.js"), "x");
        const names = (legacy?: { excludes: string[]; trimmedDockerfile: string }) =>
            contextArchive(dir, "app", "app/Dockerfile", legacy ?? { excludes: ["Dockerfile"], trimmedDockerfile: "Dockerfile" }).entries.map((e) => e.name).sort();
        // kreuzwerker: TrimBuildFilesFromExcludes(excludes, "app/Dockerfile"): "!app/Dockerfile" matches nothing in the context.
        expect(names({ excludes: ["Dockerfile"], trimmedDockerfile: "app/Dockerfile" })).toEqual(["page.js"]);
        // As docker.Image trims it (relative to the context): the Dockerfile is sent.
        expect(names()).toEqual(["Dockerfile", "page.js"]);
    });

    test("DOCKER_BUILDKIT, when set, must be a Go bool", () => {
        for (const ok of [undefined, "", "1", "true", "FALSE", "f"]) expect(() => checkDockerBuildkitEnv(ok)).not.toThrow();
        expect(() => checkDockerBuildkitEnv("yes")).toThrow(/DOCKER_BUILDKIT environment variable expects boolean value/);
    });

    test("the build as the provider asks for it: BuildKit, tags, target, build args, secrets by file, the context on stdin", () => {
        const { argv, env } = remoteBuildCommand(
            "p-app:current",
            { remove: true, tag: ["p-app:extra"], target: "migrate", buildArgs: { A: "1 2" }, labels: { l: "v" } },
            ".dockerfile.abc",
            [{ id: "nextstack-build-secrets", file: "/p/.nextstack/s" }],
            "unix:///run/e.sock",
        );
        expect(argv).toEqual([
            "build", "--progress=plain", "--rm=true", "-f", ".dockerfile.abc", "-t", "p-app:current", "-t", "p-app:extra", "--target", "migrate",
            "--build-arg", "A=1 2", "--label", "l=v", "--secret", "id=nextstack-build-secrets,src=/p/.nextstack/s", "-",
        ]);
        expect(env).toMatchObject({ DOCKER_BUILDKIT: "1", DOCKER_HOST: "unix:///run/e.sock" });
        expect(remoteBuildCommand("a:1", { remove: false }, "Dockerfile", []).argv).toEqual(["build", "--progress=plain", "--rm=false", "-f", "Dockerfile", "-t", "a:1", "-"]);
    });

    test("a missing secrets file fails the create before anything is built", async () => {
        fs.mkdirSync(path.join(dir, "app"));
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\n");
        const { engine, calls } = fakeEngine({ images: {} });
        engine.cwd = dir;
        const news = await check({ name: "a:1", build: { context: "app", dockerfile: "Dockerfile", useLegacyBuilder: true, secrets: [{ id: "s", src: ".nextstack/gone" }] } });
        await expect(remoteImageModel.create(engine, "app-image", news)).rejects.toThrow("Error running legacy build: failed to stat .nextstack/gone: no such file or directory");
        expect(calls).toEqual([]);
    });
});

describe("create", () => {
    test("an image on the engine: ID = image ID + name; imageId and repoDigest read back", async () => {
        const { engine } = fakeEngine({ images: { "postgres:18": { Id: ID, RepoDigests: [] } } });
        const created = await remoteImageModel.create(engine, "db-image", await check({ name: "postgres:18", keepLocally: true }));
        expect(created).toEqual({ id: `${ID}postgres:18`, outputs: { name: "postgres:18", keepLocally: true, platform: "", imageId: ID, repoDigest: "" } });
    });

    test("a missing image cannot be pulled here: the error says to build or load it", async () => {
        const { engine } = fakeEngine({ images: {} });
        await expect(remoteImageModel.create(engine, "db-image", await check({ name: "postgres:18" }))).rejects.toThrow(/unable to pull image postgres:18: .*build or load postgres:18/);
    });

    test("repoDigest: none → '', one → it, several → the one of this repository", () => {
        expect(determineRepoDigest("postgres:18", [])).toBe("");
        expect(determineRepoDigest("postgres:18", ["postgres@sha256:1"])).toBe("postgres@sha256:1");
        expect(determineRepoDigest("mirror/postgres:18", ["postgres@sha256:1", "mirror/postgres@sha256:2"])).toBe("mirror/postgres@sha256:2");
    });
});

describe("delete", () => {
    test("keepLocally: nothing is removed", async () => {
        const { engine, calls } = fakeEngine({ images: { "postgres:18": { Id: ID } } });
        await remoteImageModel.delete(engine, "db-image", `${ID}postgres:18`, { name: "postgres:18", keepLocally: true });
        expect(calls).toEqual([]);
    });

    test("otherwise ImageRemove by name (noprune, force only with forceRemove)", async () => {
        const { engine, calls } = fakeEngine({ images: { "postgres:18": { Id: ID } } });
        await remoteImageModel.delete(engine, "db-image", `${ID}postgres:18`, { name: "postgres:18" });
        expect(ops(calls)).toEqual(["image.inspect", "image.remove"]);
        expect(calls[1]).toEqual({ op: "image.remove", target: "postgres:18", body: { noprune: true } });
    });
});
