import * as fs from "fs";
import * as path from "path";
import { contextArchive, runDockerBuild } from "../../e2e/model/image";
import { checkDockerBuildkitEnv, contextDockerignore, determineRepoDigest, remoteBuildCommand, remoteImageModel, secretSources } from "../../e2e/model/remoteImage";
import { engineError, fakeEngine, ops } from "./fakeDocker";
import { project } from "./projectDir";

// The docker CLI build is replaced: these tests see the request the model makes, not a build.
jest.mock("../../e2e/model/image", () => ({ ...jest.requireActual("../../e2e/model/image"), runDockerBuild: jest.fn() }));
const buildMock = runDockerBuild as jest.MockedFunction<typeof runDockerBuild>;

/** One test per rule of tests/e2e/model/remoteImage.ts (kreuzwerker v4.5.0 resource_docker_image*.go, docker_image). */

const ID = `sha256:${"c".repeat(64)}`;
const check = (news: Record<string, any>) => remoteImageModel.check("db-image", news, undefined, { cwd: "." });

describe("check", () => {
    test("an input the model does not know fails, naming it", async () => {
        await expect(check({ name: "postgres:18", pull: true })).rejects.toThrow(/RemoteImage db-image: input "pull" is not modelled/);
        await expect(check({ name: "a:1", build: { context: "app", useLegacyBuilder: true, shmSize: 64 } })).rejects.toThrow(/input "build.shmSize" is not modelled/);
    });

    test("name is required", async () => {
        await expect(check({ keepLocally: true })).rejects.toThrow(new Error('docker:index/remoteImage:RemoteImage db-image: input "name" is required'));
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

    test.each<[string, Record<string, any>]>([
        ["platform", { platform: "linux/arm64" }],
        ["pullTriggers", { pullTriggers: ["sha256:1"] }],
        ["triggers", { triggers: { a: "1" } }],
    ])("%s is ForceNew", async (key, change) => {
        const state = { name: "postgres:18", platform: "", imageId: ID, repoDigest: "" };
        expect(remoteImageModel.diff({}, state, await check({ name: "postgres:18", ...change }))).toMatchObject({ changed: [key], replace: [key] });
    });

    test("forceRemove changes in place", async () => {
        const state = { name: "postgres:18", platform: "", imageId: ID, repoDigest: "" };
        expect(remoteImageModel.diff({}, state, await check({ name: "postgres:18", forceRemove: true }))).toEqual({ changed: ["forceRemove"], replace: [], details: ["forceRemove: (unset) → true"] });
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
        ["the context", { build: { ...build, context: "web" } }, "build"],
        ["the image labels", { build: { ...build, labels: { team: "a" } } }, "build"],
    ])("%s replaces the image (ForceNew): it is built again", async (_, change, key) => {
        const news = await check({ name: "a:1", keepLocally: true, triggers: { context: "h1" }, build, ...change });
        expect(remoteImageModel.diff({}, await state(), news)).toMatchObject({ changed: [key], replace: [key] });
    });

    test("useLegacyBuilder is ForceNew: a state the buildx path made is built again", async () => {
        const old: Record<string, any> = await state();
        const buildxState = { ...old, build: { ...old.build, useLegacyBuilder: false } };
        const news = await check({ name: "a:1", keepLocally: true, triggers: { context: "h1" }, build });
        expect(remoteImageModel.diff({}, buildxState, news)).toEqual({ changed: ["build"], replace: ["build"], details: ["build.useLegacyBuilder: false → true"] });
    });

    test.each<[string, Record<string, any>]>([
        ["the extra tags", { tag: ["a:extra"] }],
        ["the build's own labels (label)", { label: { l: "v" } }],
    ])("%s change in place", async (_, change) => {
        const news = await check({ name: "a:1", keepLocally: true, triggers: { context: "h1" }, build: { ...build, ...change } });
        expect(remoteImageModel.diff({}, await state(), news)).toMatchObject({ changed: ["build"], replace: [] });
    });

    test("remove changes in place (Update finds the image again, builds nothing)", async () => {
        const news = await check({ name: "a:1", keepLocally: true, triggers: { context: "h1" }, build: { ...build, remove: false } });
        expect(remoteImageModel.diff({}, await state(), news)).toMatchObject({ changed: ["build"], replace: [] });
    });
});

describe("build (legacy builder path)", () => {
    let dir: string;
    beforeEach(() => {
        dir = project();
    });

    test("secrets: a file source must exist (from the working directory) and hold at most 500 KB", () => {
        fs.writeFileSync(path.join(dir, "s"), "A=1\n");
        expect(secretSources(dir, [{ id: "x", src: "s" }])).toEqual([{ id: "x", file: path.join(dir, "s") }]);
        expect(() => secretSources(dir, [{ id: "x", src: "missing" }])).toThrow("failed to stat missing: no such file or directory");
        fs.writeFileSync(path.join(dir, "big"), Buffer.alloc(500 * 1024 + 1));
        expect(() => secretSources(dir, [{ id: "x", src: "big" }])).toThrow("secret x too big. max size 500KB");
        // store.go: `fi.Size() > MaxSecretSize`, MaxSecretSize = 500 * 1024: exactly 500 KB is allowed.
        fs.writeFileSync(path.join(dir, "edge"), Buffer.alloc(500 * 1024));
        expect(secretSources(dir, [{ id: "y", src: "edge" }])).toEqual([{ id: "y", file: path.join(dir, "edge") }]);
    });

    test("secrets: one without an ID fails (NewStore: \"secret missing ID\"); a stat error other than a missing file keeps its cause", () => {
        fs.writeFileSync(path.join(dir, "s"), "A=1\n");
        expect(() => secretSources(dir, [{ src: "s" }])).toThrow(new Error("secret missing ID"));
        expect(() => secretSources(dir, [{ id: "x", src: "s/inner" }])).toThrow(/^failed to stat s\/inner: .*not a directory/);
        expect(() => secretSources(dir, [{ id: "x", src: "s/inner" }])).not.toThrow(/no such file or directory/);
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

    test("DOCKER_BUILDKIT, when set, must be a Go bool (strconv.ParseBool's spellings)", () => {
        for (const ok of [undefined, "", "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"]) expect(() => checkDockerBuildkitEnv(ok)).not.toThrow();
        for (const bad of ["yes", "tRUE", "2"]) {
            expect(() => checkDockerBuildkitEnv(bad)).toThrow(new Error(`DOCKER_BUILDKIT environment variable expects boolean value: strconv.ParseBool: parsing "${bad}": invalid syntax`));
        }
    });

    test("without an engine host the CLI keeps the environment's DOCKER_HOST", () => {
        const saved = process.env.DOCKER_HOST;
        process.env.DOCKER_HOST = "tcp://elsewhere:2375";
        try {
            expect(remoteBuildCommand("a:1", {}, "Dockerfile", []).env.DOCKER_HOST).toBe("tcp://elsewhere:2375");
        } finally {
            if (saved === undefined) delete process.env.DOCKER_HOST;
            else process.env.DOCKER_HOST = saved;
        }
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

describe("create with a build (legacy builder)", () => {
    let dir: string;
    const savedBuildkit = process.env.DOCKER_BUILDKIT;
    beforeEach(() => {
        dir = project({ "app/Dockerfile": "FROM scratch\n" });
        buildMock.mockReset();
        delete process.env.DOCKER_BUILDKIT;
    });
    afterEach(() => {
        if (savedBuildkit === undefined) delete process.env.DOCKER_BUILDKIT;
        else process.env.DOCKER_BUILDKIT = savedBuildkit;
        jest.restoreAllMocks();
    });
    const setup = () => {
        const { engine, calls } = fakeEngine({ images: { "a:1": { Id: ID, RepoDigests: [] } } });
        const logs: string[] = [];
        const timings: [string, number][] = [];
        engine.cwd = dir;
        engine.log = (line) => logs.push(line);
        engine.timing = (phase, seconds) => timings.push([phase, seconds]);
        return { engine, calls, logs, timings };
    };
    const news = () => check({ name: "a:1", build: { context: "app", dockerfile: "app/Dockerfile", useLegacyBuilder: true } });

    test("builds (no secrets: none served), then finds the image by name and reads it; logs and times the build", async () => {
        const { engine, calls, logs, timings } = setup();
        buildMock.mockResolvedValue(undefined);
        jest.spyOn(Date, "now").mockReturnValueOnce(10_000).mockReturnValueOnce(12_500);
        const created = await remoteImageModel.create(engine, "app-image", await news());
        expect(buildMock).toHaveBeenCalledTimes(1);
        expect(buildMock.mock.calls[0][0]).toEqual(["build", "--progress=plain", "--rm=true", "-f", "Dockerfile", "-t", "a:1", "-"]);
        expect(ops(calls)).toEqual(["image.inspect"]);
        expect(created).toEqual({ id: `${ID}a:1`, outputs: expect.objectContaining({ name: "a:1", imageId: ID, repoDigest: "" }) });
        expect(timings).toEqual([["build a:1", 2.5]]);
        expect(logs).toEqual(["build   RemoteImage app-image (a:1) in 2.5 s (legacy builder, BuildKit)", "find    RemoteImage app-image (a:1)"]);
    });

    test("a failed build: \"Error running legacy build: unable to build image\" with the output; nothing looked up", async () => {
        const { engine, calls } = setup();
        buildMock.mockRejectedValue(new Error("#5 ERROR: process did not complete successfully"));
        await expect(remoteImageModel.create(engine, "app-image", await news())).rejects.toThrow(
            new Error("Error running legacy build: unable to build image\n\n#5 ERROR: process did not complete successfully"),
        );
        expect(calls).toEqual([]);
    });

    test("DOCKER_BUILDKIT that is not a Go bool fails before the build (canUseBuildx)", async () => {
        const { engine, calls } = setup();
        process.env.DOCKER_BUILDKIT = "yes";
        await expect(remoteImageModel.create(engine, "app-image", await news())).rejects.toThrow(/^DOCKER_BUILDKIT environment variable expects boolean value/);
        expect(buildMock).not.toHaveBeenCalled();
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

    test("an engine error other than not-found is not a pull: the inspect error is reported", async () => {
        const { engine } = fakeEngine({ images: {}, fail: { "image.inspect": engineError(500, "boom") } });
        const create = remoteImageModel.create(engine, "db-image", await check({ name: "postgres:18" }));
        await expect(create).rejects.toThrow(/unable to inspect image postgres:18: .*boom/);
        await expect(create).rejects.not.toThrow(/unable to pull/);
    });

    test("repoDigest: none → '', one → it, several → the one of this repository", () => {
        expect(determineRepoDigest("postgres:18", undefined)).toBe("");
        expect(determineRepoDigest("pg", ["px@sha256:1", "pg@sha256:2"])).toBe("pg@sha256:2");
        expect(determineRepoDigest("other:1", ["a@sha256:1", "b@sha256:2"])).toBe("a@sha256:1");
        expect(determineRepoDigest("postgres:18", [])).toBe("");
        expect(determineRepoDigest("postgres:18", ["postgres@sha256:1"])).toBe("postgres@sha256:1");
        expect(determineRepoDigest("mirror/postgres:18", ["postgres@sha256:1", "mirror/postgres@sha256:2"])).toBe("mirror/postgres@sha256:2");
    });
});

describe("update", () => {
    test("the preview of an update keeps imageId and repoDigest from state; planned inputs with defaults", () => {
        const state = { name: "postgres:18", keepLocally: true, platform: "", imageId: ID, repoDigest: "postgres@sha256:1" };
        expect(remoteImageModel.previewUpdate(state, { name: "postgres:18" })).toStrictEqual({ name: "postgres:18", platform: "", imageId: ID, repoDigest: "postgres@sha256:1" });
    });

    test("Update finds the image again and reads it back", async () => {
        const { engine, calls } = fakeEngine({ images: { "postgres:18": { Id: `sha256:${"d".repeat(64)}`, RepoDigests: ["postgres@sha256:2"] } } });
        const state = { name: "postgres:18", keepLocally: true, platform: "", imageId: ID, repoDigest: "" };
        await expect(remoteImageModel.update(engine, "db-image", `${ID}postgres:18`, state, { name: "postgres:18" }, { changed: ["keepLocally"], replace: [], details: [] })).resolves.toStrictEqual({
            name: "postgres:18",
            platform: "",
            imageId: `sha256:${"d".repeat(64)}`,
            repoDigest: "postgres@sha256:2",
        });
        expect(ops(calls)).toEqual(["image.inspect"]);
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

    test("forceRemove: ImageRemove with force; logs the delete", async () => {
        const { engine, calls } = fakeEngine({ images: { "postgres:18": { Id: ID } } });
        const logs: string[] = [];
        engine.log = (line) => logs.push(line);
        await remoteImageModel.delete(engine, "db-image", `${ID}postgres:18`, { name: "postgres:18", forceRemove: true });
        expect(calls[1]).toEqual({ op: "image.remove", target: "postgres:18", body: { force: true, noprune: true } });
        expect(logs).toEqual(["delete  RemoteImage db-image (postgres:18)"]);
    });

    test("an image already gone: nothing to remove (searchLocalImages: not found is no error)", async () => {
        const { engine, calls } = fakeEngine({ images: {} });
        await remoteImageModel.delete(engine, "db-image", `${ID}postgres:18`, { name: "postgres:18" });
        expect(ops(calls)).toEqual(["image.inspect"]);
    });

    test("another inspect error, or a failed ImageRemove, fails the delete: \"Unable to remove Docker image: …\"", async () => {
        const inspectFails = fakeEngine({ images: { "postgres:18": { Id: ID } }, fail: { "image.inspect": engineError(500, "boom") } });
        await expect(remoteImageModel.delete(inspectFails.engine, "db-image", `${ID}postgres:18`, { name: "postgres:18" })).rejects.toThrow(/^Unable to remove Docker image: .*boom/);
        expect(ops(inspectFails.calls)).toEqual(["image.inspect"]);
        const removeFails = fakeEngine({ images: { "postgres:18": { Id: ID } }, fail: { "image.remove": engineError(409, "conflict: unable to remove repository reference") } });
        await expect(remoteImageModel.delete(removeFails.engine, "db-image", `${ID}postgres:18`, { name: "postgres:18" })).rejects.toThrow(
            new Error("Unable to remove Docker image: conflict: unable to remove repository reference"),
        );
    });
});
