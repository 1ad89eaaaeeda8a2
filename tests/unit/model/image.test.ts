import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    buildCommand,
    contextArchive,
    contextDigest,
    goFileModeString,
    hostPlatform,
    imageModel,
    PatternMatcher,
    readIgnoreFile,
} from "../../e2e/model/image";
import { Engine, NO_DIFF, Props, UNKNOWN } from "../../e2e/model/types";

/**
 * One test per rule of tests/e2e/model/image.ts (pulumi/pulumi-docker 5.2.0, provider/provider.go and image.go).
 * Contexts are made per test in a temporary directory (modes and symlinks do not survive git reliably).
 */

type FileSpec = string | { content: string; mode: number } | { symlink: string } | { dir: true };

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

/** A temporary project directory holding `files` (relative paths). */
function project(files: Record<string, FileSpec>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "image-model-"));
    roots.push(root);
    write(root, files);
    return root;
}

function write(root: string, files: Record<string, FileSpec>): void {
    for (const [rel, spec] of Object.entries(files)) {
        const abs = path.join(root, rel);
        fs.mkdirSync(path.dirname(abs), { recursive: true });
        if (typeof spec === "string") fs.writeFileSync(abs, spec, { mode: 0o644 });
        else if ("symlink" in spec) fs.symlinkSync(spec.symlink, abs);
        else if ("dir" in spec) fs.mkdirSync(abs, { recursive: true });
        else {
            fs.writeFileSync(abs, spec.content);
            fs.chmodSync(abs, spec.mode);
        }
    }
}

const check = (cwd: string, news: Props) => imageModel.check("img", news, undefined, { cwd });

/** Inputs as the program gives them (nextApp.ts / proxy.ts shape). */
const inputs = (build: Props, extra: Props = {}): Props => ({ imageName: "modelcheck-unit:current", build, skipPush: true, buildOnPreview: false, ...extra });

/** State after a create with these checked inputs, as provider.go Create stores it (checkpointObject). */
const stateOf = (checked: Props): Props => ({ imageName: checked.imageName, repoDigest: "sha256:old", __inputs: checked });

describe("check (provider.go Check, image.go marshalBuildAndApplyDefaults)", () => {
    test("no build: context '.', dockerfile 'Dockerfile', buildOnPreview false, platform linux/<GOARCH>, contextDigest added", async () => {
        const cwd = project({ Dockerfile: "FROM scratch\n" });
        const checked = await check(cwd, { imageName: "x", skipPush: true });
        expect(checked.buildOnPreview).toBe(false);
        expect(checked.build).toEqual({ context: ".", dockerfile: "Dockerfile", platform: hostPlatform(), contextDigest: expect.stringMatching(/^[0-9a-f]{64}$/) });
        expect(hostPlatform()).toMatch(/^linux\/(amd64|arm64|arm|386|ppc64le|s390x|riscv64|loong64)$/);
    });

    test("a context without a dockerfile: dockerfile = path.Join(context, 'Dockerfile'); the context stays as given", async () => {
        const cwd = project({ "nginx/Dockerfile": "FROM scratch\n" });
        const checked = await check(cwd, inputs({ context: "./nginx/" }));
        expect(checked.build.dockerfile).toBe("nginx/Dockerfile");
        expect(checked.build.context).toBe("./nginx/");
    });

    test("an explicit platform is kept", async () => {
        const cwd = project({ Dockerfile: "FROM scratch\n" });
        expect((await check(cwd, inputs({ platform: "linux/arm64" }))).build.platform).toBe("linux/arm64");
    });

    test("buildOnPreview unknown is false (marshalBuildOnPreview)", async () => {
        const cwd = project({ Dockerfile: "FROM scratch\n" });
        expect((await check(cwd, inputs({}, { buildOnPreview: UNKNOWN }))).buildOnPreview).toBe(false);
    });

    test("builderVersion: BuilderV1 and BuilderBuildKit pass, anything else is an invalid Docker Builder version", async () => {
        const cwd = project({ Dockerfile: "FROM scratch\n" });
        await expect(check(cwd, inputs({ builderVersion: "BuilderV1" }))).resolves.toBeDefined();
        await expect(check(cwd, inputs({ builderVersion: "BuilderBuildKit" }))).resolves.toBeDefined();
        await expect(check(cwd, inputs({ builderVersion: "2" }))).rejects.toThrow(/invalid Docker Builder version/);
    });

    test("imageName is required (SDK image.js)", async () => {
        const cwd = project({ Dockerfile: "FROM scratch\n" });
        await expect(check(cwd, { skipPush: true })).rejects.toThrow(/Missing required property 'imageName'/);
    });

    test.each([
        [{ tag: "v1" }, {}, /unknown input tag/],
        [{}, { bogus: 1 }, /unknown input build\.bogus/],
        [{ registry: { server: "docker.io" } }, {}, /input registry is not modelled/],
        [{}, { cacheFrom: { images: ["a/b:c"] } }, /input build\.cacheFrom is not modelled/],
        [{}, { addHosts: ["a:1.2.3.4"] }, /input build\.addHosts is not modelled/],
        [{}, { network: "host" }, /input build\.network is not modelled/],
        [{ skipPush: false }, {}, /skipPush is not true/],
    ])("an input it does not implement fails naming it: %j %j", async (top, build, message) => {
        const cwd = project({ Dockerfile: "FROM scratch\n" });
        await expect(check(cwd, inputs(build, top))).rejects.toThrow(message);
    });

    test("the Dockerfile must exist; one found under the context gets a hint", async () => {
        const cwd = project({ "app/Dockerfile": "FROM scratch\n" });
        await expect(check(cwd, inputs({ context: "app", dockerfile: "Dockerfile" }))).rejects.toThrow(/could not open dockerfile at relative path "Dockerfile"\. Try setting `dockerfile` to "app\/Dockerfile"/);
        await expect(check(cwd, inputs({ context: "app", dockerfile: "nope.Dockerfile" }))).rejects.toThrow(/could not open dockerfile at relative path "nope\.Dockerfile": stat/);
        await expect(check(cwd, inputs({ context: "app", dockerfile: "/nope/Dockerfile" }))).rejects.toThrow(/expected a relative Dockerfile path/);
    });

    test("build args are not part of contextDigest: only the digest's inputs move it", async () => {
        const cwd = project({ Dockerfile: "FROM scratch\n" });
        const a = await check(cwd, inputs({ args: { BASE_IMAGE: "a" } }));
        const b = await check(cwd, inputs({ args: { BASE_IMAGE: "b" }, target: "runner" }));
        expect(b.build.contextDigest).toBe(a.build.contextDigest);
    });
});

describe("contextDigest (provider.go hashContext)", () => {
    const digest = (cwd: string, context = ".", dockerfile = "Dockerfile") => contextDigest(cwd, context, dockerfile);

    test("hashes the provider's bytes: Dockerfile as 'Dockerfile' mode '----------', then per path name, Go mode, sha256, NUL", () => {
        const cwd = project({ "ctx/a.txt": "a", "ctx/sub/b.sh": { content: "b", mode: 0o755 }, "df/x.Dockerfile": "FROM scratch\n" });
        const sha = (s: string) => crypto.createHash("sha256").update(s).digest();
        const expected = crypto
            .createHash("sha256")
            .update(Buffer.concat([
                Buffer.from("Dockerfile----------"), sha("FROM scratch\n"), Buffer.from([0]),
                Buffer.from("a.txt-rw-r--r--"), sha("a"), Buffer.from([0]),
                Buffer.from("sub/b.sh-rwxr-xr-x"), sha("b"), Buffer.from([0]),
            ]))
            .digest("hex");
        expect(digest(cwd, "ctx", "df/x.Dockerfile")).toBe(expected);
    });

    test("a file's content changes it; its modification time does not", () => {
        const cwd = project({ Dockerfile: "FROM scratch\n", "page.js": "one" });
        const before = digest(cwd);
        fs.utimesSync(path.join(cwd, "page.js"), new Date(2000, 1, 1), new Date(2000, 1, 1));
        expect(digest(cwd)).toBe(before);
        fs.writeFileSync(path.join(cwd, "page.js"), "two");
        expect(digest(cwd)).not.toBe(before);
    });

    test("a file the ignore file excludes does not count, nor does a new excluded file", () => {
        const cwd = project({ Dockerfile: "FROM scratch\n", ".dockerignore": "node_modules\n*.log\n", "node_modules/x/index.js": "1", "a.log": "1", "page.js": "p" });
        const before = digest(cwd);
        write(cwd, { "node_modules/x/index.js": "2", "a.log": "2", "b.log": "new" });
        expect(digest(cwd)).toBe(before);
    });

    test("<dockerfile>.dockerignore wins over <context>/.dockerignore (they are not merged)", () => {
        const cwd = project({
            "ctx/.dockerignore": "a.txt\n",
            "ctx/a.txt": "a",
            "ctx/b.txt": "b",
            "df/Dockerfile": "FROM scratch\n",
            "df/Dockerfile.dockerignore": "b.txt\n",
        });
        const before = digest(cwd, "ctx", "df/Dockerfile");
        write(cwd, { "ctx/b.txt": "b2" });
        expect(digest(cwd, "ctx", "df/Dockerfile")).toBe(before);
        write(cwd, { "ctx/a.txt": "a2" });
        expect(digest(cwd, "ctx", "df/Dockerfile")).not.toBe(before);
    });

    test("a rename and a mode change count; an empty directory does not", () => {
        const cwd = project({ Dockerfile: "FROM scratch\n", "run.sh": "echo" });
        const before = digest(cwd);
        fs.mkdirSync(path.join(cwd, "empty"));
        expect(digest(cwd)).toBe(before);
        fs.chmodSync(path.join(cwd, "run.sh"), 0o755);
        const chmodded = digest(cwd);
        expect(chmodded).not.toBe(before);
        fs.renameSync(path.join(cwd, "run.sh"), path.join(cwd, "start.sh"));
        expect(digest(cwd)).not.toBe(chmodded);
    });

    test("the Dockerfile counts by content, not by name or place (TestHashIgnoresDockerfileOutsideDirMove)", () => {
        const cwd = project({ "app/foo.sh": "x", "one.Dockerfile": "FROM scratch\n", "sub/two.Dockerfile": "FROM scratch\n" });
        expect(digest(cwd, "app", "sub/two.Dockerfile")).toBe(digest(cwd, "app", "one.Dockerfile"));
        write(cwd, { "sub/two.Dockerfile": "FROM scratch\nLABEL a=b\n" });
        expect(digest(cwd, "app", "sub/two.Dockerfile")).not.toBe(digest(cwd, "app", "one.Dockerfile"));
    });

    test("wildcard exceptions: '*' then '!projects/*/src' keeps only src (TestHashIgnoresWildcards)", () => {
        const cwd = project({
            Dockerfile: "FROM scratch\n",
            ".dockerignore": "# Ignore everything!\n*\n!projects/*/src\n",
            "projects/foo/src/app.js": "1",
            "projects/foo/dist/app.js": "1",
        });
        const before = digest(cwd);
        write(cwd, { "projects/foo/dist/app.js": "2" });
        expect(digest(cwd)).toBe(before);
        write(cwd, { "projects/foo/src/app.js": "2" });
        expect(digest(cwd)).not.toBe(before);
    });

    test("a plain exception re-includes an excluded directory's files (TestHashUnignoredDirs)", () => {
        const files = { Dockerfile: "FROM scratch\n", "top-dir/subdir/app.js": "a", "top-dir/subdir/ignored.js": "i" };
        const plain = project(files);
        const unignored = project({ ...files, ".dockerignore": "# Ignore everything\n*\n\n#Unignore everything\n!Dockerfile\n!top-dir\n" });
        expect(digest(unignored)).toBe(digest(plain));
    });

    test("a symlink counts by the path it resolves to, not by its target's content", () => {
        const cwd = project({ Dockerfile: "FROM scratch\n", "data/a.txt": "a", "data/b.txt": "b", "ctx/link": { symlink: "../data/a.txt" } });
        const before = digest(cwd, "ctx", "Dockerfile");
        write(cwd, { "data/a.txt": "changed" });
        expect(digest(cwd, "ctx", "Dockerfile")).toBe(before);
        fs.unlinkSync(path.join(cwd, "ctx/link"));
        fs.symlinkSync("../data/b.txt", path.join(cwd, "ctx/link"));
        expect(digest(cwd, "ctx", "Dockerfile")).not.toBe(before);
    });

    test("a dangling symlink fails Check", async () => {
        const cwd = project({ Dockerfile: "FROM scratch\n", link: { symlink: "missing" } });
        await expect(check(cwd, inputs({}))).rejects.toThrow(/could not evaluate symlink/);
    });
});

describe("ignore files (moby/patternmatcher v0.6.0)", () => {
    test("ReadAll: BOM and # comments dropped, trimmed, cleaned, leading / removed, ! kept", () => {
        expect(readIgnoreFile("\uFEFF# c\n /dist/ \n!./keep//me\n\n  # not a comment\r\n")).toEqual(["dist", "!keep/me", "# not a comment"]);
    });

    test.each([
        [["*.md"], "README.md", true],
        [["*.md"], "docs/a.md", false],
        [["**/*.md"], "docs/a.md", true],
        [["**/foo"], "foo", true],
        [["**/foo"], "a/b/foo", true],
        [["foo/**"], "foo/x/y", true],
        [["node_modules"], "node_modules/a/b.js", true],
        [["*", "!src"], "src/a.js", false],
        [["a.txt"], "ba.txt", false],
    ])("%j excludes %s: %s", (patterns, file, expected) => {
        expect(new PatternMatcher(patterns).matchesUsingParentResults(file, []).matched).toBe(expected);
    });

    test.each([
        ["0644", "-rw-r--r--", 0o644],
        ["0", "----------", 0],
        ["ModeDir|0755", "drwxr-xr-x", (1 << 31) | 0o755],
        ["ModeSymlink|0777", "Lrwxrwxrwx", (1 << 27) | 0o777],
        ["ModeSetuid|0755", "urwxr-xr-x", (1 << 23) | 0o755],
    ])("Go FileMode(%s).String() = %s", (_, text, mode) => {
        expect(goFileModeString(mode)).toBe(text);
    });
});

describe("diff (provider.go Diff)", () => {
    const cwd = project({ Dockerfile: "FROM scratch\n", "page.js": "one" });

    test("nothing changed: no diff (no build; state and its repoDigest stay)", async () => {
        const old = await check(cwd, inputs({ args: { BASE_IMAGE: "a" } }));
        const now = await check(cwd, inputs({ args: { BASE_IMAGE: "a" } }));
        expect(imageModel.diff(old, stateOf(old), now)).toEqual(NO_DIFF);
    });

    test("a context edit changes build (its contextDigest): an update, never a replacement", async () => {
        const dir = project({ Dockerfile: "FROM scratch\n", "page.js": "one" });
        const old = await check(dir, inputs({}));
        write(dir, { "page.js": "two" });
        const now = await check(dir, inputs({}));
        const d = imageModel.diff(old, stateOf(old), now);
        expect(d.changed).toEqual(["build"]);
        expect(d.replace).toEqual([]);
        expect(d.details).toEqual([expect.stringMatching(/^build\.contextDigest: "[0-9a-f]{64}" → "[0-9a-f]{64}"$/)]);
    });

    test("an arg change is a diff of build though the digest is the same", async () => {
        const old = await check(cwd, inputs({ args: { BASE_IMAGE: "a" } }));
        const now = await check(cwd, inputs({ args: { BASE_IMAGE: "b" } }));
        expect(imageModel.diff(old, stateOf(old), now)).toEqual({ changed: ["build"], replace: [], details: ['build.args.BASE_IMAGE: "a" → "b"'] });
    });

    test("a target change is a diff of build", async () => {
        const old = await check(cwd, inputs({}));
        const now = await check(cwd, inputs({ target: "runner" }));
        expect(imageModel.diff(old, stateOf(old), now).details).toEqual(['build.target: + "runner"']);
    });

    test("an imageName change is an update too", async () => {
        const old = await check(cwd, inputs({}));
        const now = await check(cwd, { ...inputs({}), imageName: "modelcheck-unit:other" });
        expect(imageModel.diff(old, stateOf(old), now)).toMatchObject({ changed: ["imageName"], replace: [] });
    });

    test("the old inputs come from state's __inputs: without them every input is new", async () => {
        const now = await check(cwd, inputs({}));
        expect(imageModel.diff(now, { repoDigest: "sha256:old" }, now).changed).toEqual(["build", "buildOnPreview", "imageName", "skipPush"]);
    });
});

describe("preview (provider.go Create/Update with preview, canPreview)", () => {
    test("a create shows the checked inputs: repoDigest unknown (left out), contextDigest known", async () => {
        const cwd = project({ Dockerfile: "FROM scratch\n" });
        const checked = await check(cwd, inputs({}));
        const out = imageModel.previewCreate(checked);
        expect(out).not.toHaveProperty("repoDigest");
        expect(out.build.contextDigest).toMatch(/^[0-9a-f]{64}$/);
    });

    test("an update does not carry the old outputs: repoDigest unknown", async () => {
        const cwd = project({ Dockerfile: "FROM scratch\n" });
        const checked = await check(cwd, inputs({}));
        expect(imageModel.previewUpdate(stateOf(checked), checked)).not.toHaveProperty("repoDigest");
    });

    test("a preview build (buildOnPreview: true) is not modelled", async () => {
        const cwd = project({ Dockerfile: "FROM scratch\n" });
        const checked = await check(cwd, inputs({}, { buildOnPreview: true }));
        expect(() => imageModel.previewCreate(checked)).toThrow(/buildOnPreview/);
    });
});

describe("build context (image.go dockerBuild, docker/cli build/context.go)", () => {
    const names = (cwd: string, context: string, dockerfile: string) => contextArchive(cwd, context, dockerfile).entries.map((e) => e.name);

    test("excluded files are left out; the Dockerfile and .dockerignore stay though excluded (TrimBuildFilesFromExcludes)", () => {
        const cwd = project({ "ctx/Dockerfile": "FROM scratch\n", "ctx/.dockerignore": ".dockerignore\nDockerfile\nsecret\n", "ctx/secret": "s", "ctx/app.js": "a" });
        expect(names(cwd, "ctx", "ctx/Dockerfile").sort()).toEqual([".dockerignore", "Dockerfile", "app.js"]);
        expect(contextArchive(cwd, "ctx", "ctx/Dockerfile")).toMatchObject({ dockerfileInArchive: "Dockerfile", relDockerfile: "Dockerfile" });
    });

    test("<dockerfile>.dockerignore decides what the tar holds", () => {
        const cwd = project({ "ctx/.dockerignore": "a.txt\n", "ctx/a.txt": "a", "ctx/b.txt": "b", "df/Dockerfile": "FROM scratch\n", "df/Dockerfile.dockerignore": "b.txt\n" });
        expect(names(cwd, "ctx", "df/Dockerfile")).toEqual(expect.arrayContaining([".dockerignore", "a.txt"]));
        expect(names(cwd, "ctx", "df/Dockerfile")).not.toContain("b.txt");
    });

    test("a Dockerfile outside the context is added as .dockerfile.<20 hex>, listed in the context's .dockerignore", () => {
        const cwd = project({ "app/.dockerignore": "node_modules", "app/page.js": "p", "components/next.Dockerfile": "FROM scratch\n" });
        const archive = contextArchive(cwd, "app", "components/next.Dockerfile");
        expect(archive.relDockerfile).toBe("../components/next.Dockerfile");
        expect(archive.dockerfileInArchive).toMatch(/^\.dockerfile\.[0-9a-f]{20}$/);
        const added = archive.entries.find((e) => e.name === archive.dockerfileInArchive)!;
        expect(added).toMatchObject({ type: "file", mode: 0o600, content: Buffer.from("FROM scratch\n") });
        const ignore = archive.entries.find((e) => e.name === ".dockerignore")!;
        expect(ignore.content?.toString()).toBe(`node_modules\n${archive.dockerfileInArchive}\n`);
        expect(contextArchive(cwd, "app", "components/next.Dockerfile").dockerfileInArchive).not.toBe(archive.dockerfileInArchive);
    });

    test("without a .dockerignore one is made, listing itself and the added Dockerfile", () => {
        const cwd = project({ "app/page.js": "p", "next.Dockerfile": "FROM scratch\n" });
        const archive = contextArchive(cwd, "app", "next.Dockerfile");
        const ignore = archive.entries.find((e) => e.name === ".dockerignore")!;
        expect(ignore).toMatchObject({ mode: 0o600, content: Buffer.from(`.dockerignore\n${archive.dockerfileInArchive}\n`) });
    });

    test("the docker CLI gets the provider's ImageBuildOptions: tag, Dockerfile in the tar, args, target, platform, BuildKit", () => {
        const { argv, env } = buildCommand("modelcheck-app:current", { args: { BASE_IMAGE: "node:x", SKIP: UNKNOWN }, target: "runner", platform: "linux/amd64" }, ".dockerfile.0123456789abcdef0123", "unix:///tmp/d.sock");
        expect(argv).toEqual([
            "build", "--progress=plain", "--rm=false", "-f", ".dockerfile.0123456789abcdef0123", "-t", "modelcheck-app:current",
            "--platform", "linux/amd64", "--target", "runner", "--build-arg", "BASE_IMAGE=node:x", "-",
        ]);
        expect(env.DOCKER_BUILDKIT).toBe("1");
        expect(env.DOCKER_HOST).toBe("unix:///tmp/d.sock");
    });

    test("builderVersion BuilderV1 builds with the legacy builder", () => {
        const { argv, env } = buildCommand("x", { builderVersion: "BuilderV1" }, "Dockerfile");
        expect(env.DOCKER_BUILDKIT).toBe("0");
        expect(argv).not.toContain("--progress=plain");
    });
});

describe("delete (provider.go Delete)", () => {
    test("does nothing on the engine: built images stay", async () => {
        const untouchable = new Proxy({}, { get: () => { throw new Error("engine touched"); } });
        const engine = { docker: untouchable, apiVersion: "1.41", cwd: "/", log: () => undefined, timing: () => undefined } as unknown as Engine;
        await expect(imageModel.delete(engine, "img", "modelcheck:x", { repoDigest: "sha256:x" })).resolves.toBeUndefined();
    });
});
