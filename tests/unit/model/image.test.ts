import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
    buildCommand,
    contextArchive,
    contextDigest,
    goClean,
    goFileMode,
    goFileModeString,
    hostPlatform,
    ignorePatterns,
    imageModel,
    packArchive,
    PatternMatcher,
    readIgnoreFile,
    trimBuildFilesFromExcludes,
} from "../../e2e/model/image";
import { Engine, NO_DIFF, Props, UNKNOWN } from "../../e2e/model/types";
import { readTar } from "./fakeDocker";
import { project, write } from "./projectDir";

/**
 * One test per rule of tests/e2e/model/image.ts (pulumi/pulumi-docker 5.2.0, provider/provider.go and image.go).
 * Contexts are made per test in a temporary directory (modes and symlinks do not survive git reliably).
 */

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

describe("model identity", () => {
    test("the resource type is pulumi-docker's docker:index/image:Image", () => {
        expect(imageModel.type).toBe("docker:index/image:Image");
    });
});

describe("Go's path.Clean, os.FileMode and GOARCH", () => {
    test.each([
        ["", "."],
        [".", "."],
        ["a/..", "."],
        ["/", "/"],
        ["/a", "/a"],
        ["/..", "/"],
        ["/a/../..", "/"],
        ["../a", "../a"],
        ["a/../..", ".."],
        ["../../a", "../../a"],
        ["x/../../y", "../y"],
        ["./a//b/", "a/b"],
        ["/a/./b/../c/", "/a/c"],
    ])("path.Clean(%j) = %j", (p, cleaned) => {
        expect(goClean(p)).toBe(cleaned);
    });

    /** An lstat result of the given kind (the only fields goFileMode reads). */
    const stat = (kind: "file" | "dir" | "block" | "char" | "fifo", mode: number) =>
        ({
            mode,
            isDirectory: () => kind === "dir",
            isSymbolicLink: () => false,
            isBlockDevice: () => kind === "block",
            isCharacterDevice: () => kind === "char",
            isFIFO: () => kind === "fifo",
        }) as unknown as fs.Stats;

    test.each([
        ["a directory: ModeDir", stat("dir", 0o040755), 0x80000000 + 0o755, "drwxr-xr-x"],
        ["a block device: ModeDevice", stat("block", 0o060660), 0x04000000 + 0o660, "Drw-rw----"],
        ["a char device: ModeDevice|ModeCharDevice", stat("char", 0o020620), 0x04000000 + 0x00200000 + 0o620, "Dcrw--w----"],
        ["a fifo: ModeNamedPipe", stat("fifo", 0o010644), 0x02000000 + 0o644, "prw-r--r--"],
        ["setuid: ModeSetuid", stat("file", 0o104755), 0x00800000 + 0o755, "urwxr-xr-x"],
        ["setgid: ModeSetgid", stat("file", 0o102755), 0x00400000 + 0o755, "grwxr-xr-x"],
        ["a sticky directory: ModeDir|ModeSticky", stat("dir", 0o041777), 0x80000000 + 0x00100000 + 0o777, "dtrwxrwxrwx"],
    ])("os.Lstat mode of %s (stat_linux.go fillFileStatFromSys)", (_, st, mode, text) => {
        expect(goFileMode(st)).toBe(mode);
        expect(goFileModeString(mode)).toBe(text);
    });

    test("FileMode.String prints only the 13 named bits: an unnamed bit (1<<18) adds no letter", () => {
        expect(goFileModeString((1 << 18) | 0o644)).toBe("-rw-r--r--");
    });

    test.each([
        ["x64", "amd64"],
        ["arm64", "arm64"],
        ["arm", "arm"],
        ["ia32", "386"],
        ["ppc64", "ppc64le"],
        ["s390x", "s390x"],
        ["riscv64", "riscv64"],
        ["loong64", "loong64"],
    ])("Check's default platform on Node arch %s is linux/%s (runtime.GOARCH)", (arch, goarch) => {
        const original = Object.getOwnPropertyDescriptor(process, "arch")!;
        Object.defineProperty(process, "arch", { ...original, value: arch });
        try {
            expect(hostPlatform()).toBe(`linux/${goarch}`);
        } finally {
            Object.defineProperty(process, "arch", original);
        }
    });
});

describe("ignore-file patterns at their edges (patternmatcher v0.6.0, ignorefile.ReadAll)", () => {
    test.each([
        ["a BOM is stripped only as the first line's prefix", "a\uFEFFb", ["a\uFEFFb"]],
        ["'!' then spaces: the pattern after '!' is trimmed", "! keep ", ["!keep"]],
        ["a lone '!' stays '!' (an empty pattern is not cleaned)", "!", ["!"]],
        ["'/' stays '/' (only a longer pattern loses its leading slash)", "/\n!/", ["/", "!/"]],
    ])("ReadAll: %s", (_, text, patterns) => {
        expect(readIgnoreFile(text)).toEqual(patterns);
    });

    test.each([
        [["x**y"], "x/a/y", true],
        [["x**y"], "xz", false],
        [["*/**"], "a/b", true],
        [["a?c"], "abc", true],
        [["a?c"], "abbc", false],
        [["*.txt"], "a.txt", true],
        [["*.txt"], "a_txt", false],
        [["a\\*b"], "a*b", true],
        [["a\\*b"], "axb", false],
        [["[ab]c"], "ac", true],
        [["[ab]c"], "[ab]c", false],
        [["a^b"], "a^b", true],
        [["abc"], "ab", false],
        [["foo/**"], "fox", false],
        [["**foo"], "a/xfoo", true],
        [["**foo"], "oo", false],
        [["**/foo"], "bar", false],
        [[" a "], "a", true],
        [["?"], "ab", false],
        [["a/b"], "a/b/c", true],
    ])("compile/match: %j excludes %j: %s", (patterns, file, expected) => {
        expect(new PatternMatcher(patterns).matchesUsingParentResults(file, []).matched).toBe(expected);
    });

    test("New: an empty pattern is dropped; Exclusions() tells whether any '!' pattern is there", () => {
        expect(new PatternMatcher(["", "  ", "a"]).matchesUsingParentResults("a", [])).toEqual({ matched: true, info: [true] });
        expect(new PatternMatcher(["a"]).exclusions).toBe(false);
        expect(new PatternMatcher(["a", "!b"]).exclusions).toBe(true);
    });

    test("New: a lone '!' is an illegal exclusion pattern; a bad pattern is a syntax error", () => {
        expect(() => new PatternMatcher(["!"])).toThrow(new Error('illegal exclusion pattern: "!"'));
        expect(() => new PatternMatcher(["["])).toThrow(/^syntax error in pattern/);
    });

    test.each([
        ["a pattern skipped (exception while unmatched) records false", ["!a"], "x", [], { matched: false, info: [false] }],
        ["an inclusion skipped once matched records false, not its match", ["a", "a"], "a", [], { matched: true, info: [true, false] }],
        ["with the parent's results given, parent directories are not re-checked", ["a"], "a/x", [false], { matched: false, info: [false] }],
        ["a parent's result carries over", ["a"], "a/x", [true], { matched: true, info: [true] }],
        ["a top-level file checks no parent ('.')", ["?"], "ab", [], { matched: false, info: [false] }],
    ])("MatchesUsingParentResults: %s", (_, patterns, file, parent, result) => {
        expect(new PatternMatcher(patterns).matchesUsingParentResults(file, parent)).toEqual(result);
    });

    test.each([
        ["nothing excluded: unchanged", ["secret"], "Dockerfile", ["secret"]],
        ["both excluded: both re-included", ["*"], "Dockerfile", ["*", "!.dockerignore", "!Dockerfile"]],
        ["an exception already keeps the Dockerfile", ["*", "!Dockerfile"], "Dockerfile", ["*", "!Dockerfile", "!.dockerignore"]],
        ["its parent directory excluded", ["sub"], "sub/Dockerfile", ["sub", "!sub/Dockerfile"]],
        ["the parent prefix as deep as the pattern", ["sub"], "sub/x/Dockerfile", ["sub", "!sub/x/Dockerfile"]],
        ["a two-level parent", ["a/b"], "a/b/Dockerfile", ["a/b", "!a/b/Dockerfile"]],
        ["a match stands even if the parent prefix does not match", ["**/Dockerfile"], "a/b/Dockerfile", ["**/Dockerfile", "!a/b/Dockerfile"]],
        ["a pattern deeper than the parent is not checked against it", ["**/a"], "a/Dockerfile", ["**/a"]],
        ["top-level files check no parent ('.')", ["?"], "Dockerfile", ["?"]],
        ["'.' is never excluded (Matches)", ["*"], ".", ["*", "!.dockerignore"]],
    ])("TrimBuildFilesFromExcludes (patternmatcher.Matches, one parent dir): %s", (_, excludes, dockerfile, out) => {
        expect(trimBuildFilesFromExcludes(excludes, dockerfile)).toEqual(out);
    });

    test("getIgnorePatterns: none found is no patterns; an unreadable candidate is an error, not skipped", () => {
        const cwd = project({ Dockerfile: "FROM scratch\n", "ctx/.dockerignore": "x\n" });
        expect(ignorePatterns(cwd, "Dockerfile", ".")).toEqual([]);
        write(cwd, { "Dockerfile.dockerignore": { dir: true } });
        expect(() => ignorePatterns(cwd, "Dockerfile", "ctx")).toThrow(/Dockerfile\.dockerignore/);
    });
});

describe("check at its edges (provider.go Check)", () => {
    const cwd = project({ Dockerfile: "FROM scratch\n", "a.txt": "a" });

    test("an unknown build (the SDK's Unknown or the wire sentinel) is returned as is: no defaults, no digest", async () => {
        for (const unknown of [UNKNOWN, pulumi.unknown]) {
            const checked = await check(cwd, { imageName: "x", skipPush: true, build: unknown });
            expect(checked).toEqual({ imageName: "x", skipPush: true, buildOnPreview: false, build: unknown });
        }
    });

    test("buildOnPreview: the SDK's Unknown object is false too", async () => {
        expect((await check(cwd, inputs({}, { buildOnPreview: pulumi.unknown }))).buildOnPreview).toBe(false);
    });

    test("absent inputs (undefined or null) are no inputs (SkipNulls)", async () => {
        await expect(check(cwd, inputs({ cacheFrom: null, network: undefined }, { registry: undefined }))).resolves.toBeDefined();
        await expect(check(cwd, inputs({}, { registry: null }))).resolves.not.toHaveProperty("registry");
    });

    test.each([
        ["a string", "."],
        ["an array", ["."]],
    ])("build as %s is refused", async (_, build) => {
        await expect(check(cwd, inputs(build as any))).rejects.toThrow(new Error("docker.Image img: build must be an object"));
    });

    test.each(["context", "dockerfile"])("an unknown build.%s is refused (not modelled)", async (key) => {
        await expect(check(cwd, inputs({ [key]: UNKNOWN }))).rejects.toThrow(new Error(`docker.Image img: an unknown build.${key} is not modelled`));
    });

    test("build args must be strings; unknown ones (and unknown args) pass", async () => {
        await expect(check(cwd, inputs({ args: { A: 1 } }))).rejects.toThrow(new Error("docker.Image img: build.args.A must be a string"));
        await expect(check(cwd, inputs({ args: { A: UNKNOWN, B: "b" } }))).resolves.toBeDefined();
        expect((await check(cwd, inputs({ args: UNKNOWN }))).build.args).toBe(UNKNOWN);
    });

    test("an empty context: dockerfile = path.Join(\"\", \"Dockerfile\") = \"Dockerfile\"", async () => {
        const checked = await check(cwd, inputs({ context: "" }));
        expect(checked.build).toMatchObject({ context: "", dockerfile: "Dockerfile" });
    });

    test("the Dockerfile stat error as os.Stat words it", async () => {
        await expect(check(cwd, inputs({ dockerfile: "nope.Dockerfile" }))).rejects.toThrow(
            new Error('docker.Image img: could not open dockerfile at relative path "nope.Dockerfile": stat nope.Dockerfile: no such file or directory'),
        );
        await expect(check(cwd, inputs({ dockerfile: "/nope/Dockerfile" }))).rejects.toThrow(
            new Error('docker.Image img: expected a relative Dockerfile path; got "/nope/Dockerfile" instead: stat /nope/Dockerfile: no such file or directory'),
        );
        await expect(check(cwd, inputs({ dockerfile: "a.txt/Dockerfile" }))).rejects.toThrow(
            /^docker\.Image img: could not open dockerfile at relative path "a\.txt\/Dockerfile": stat a\.txt\/Dockerfile: .*not a directory/,
        );
    });

    test("a context that is a file cannot be hashed (fsutil NewFS: not a directory)", () => {
        const dir = project({ Dockerfile: "FROM scratch\n", "Dockerfile.dockerignore": "x\n", "a.txt": "a" });
        const real = fs.realpathSync(path.join(dir, "a.txt")).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
        expect(() => contextDigest(dir, "a.txt", "Dockerfile")).toThrow(new RegExp(`^unable to hash build context: (stat )?${real}: not a directory$`));
    });

    test("a fifo in the context is hashed by name and mode only (not a regular file: no content read)", () => {
        const dir = project({ Dockerfile: "FROM scratch\n" });
        execFileSync("mkfifo", ["-m", "0644", path.join(dir, "pipe")]);
        const sha = (s: string) => crypto.createHash("sha256").update(s).digest();
        const expected = crypto
            .createHash("sha256")
            .update(Buffer.concat([Buffer.from("Dockerfile----------"), sha("FROM scratch\n"), Buffer.from([0]), Buffer.from("Dockerfile-rw-r--r--"), sha("FROM scratch\n"), Buffer.from([0]), Buffer.from("pipeprw-r--r--"), sha(""), Buffer.from([0])]))
            .digest("hex");
        expect(contextDigest(dir, ".", "Dockerfile")).toBe(expected);
    });
});

describe("diff at its edges (pulumi PropertyValue.Diff)", () => {
    const diffOf = (oldBuild: Props, newBuild: Props) => imageModel.diff({}, { __inputs: { build: oldBuild } }, { build: newBuild });

    test("a removed value is shown as removed", () => {
        expect(diffOf({ target: "runner" }, {})).toEqual({ changed: ["build"], replace: [], details: ['build.target: - "runner"'] });
    });

    test("null is absent: null against absent is no change", () => {
        expect(diffOf({ target: null }, {})).toEqual(NO_DIFF);
    });

    test("null against an object is an add of the object", () => {
        expect(diffOf({ args: null }, { args: { A: "1" } }).details).toEqual(['build.args: + {"A":"1"}']);
    });

    test("object keys in order; arrays element by element", () => {
        expect(diffOf({ args: { B: "1", A: "1" }, x: ["a", "b"] }, { args: { B: "2", A: "2" }, x: ["a", "c", "d"] }).details).toEqual([
            'build.args.A: "1" → "2"',
            'build.args.B: "1" → "2"',
            'build.x[1]: "b" → "c"',
            'build.x[2]: + "d"',
        ]);
    });
});

/** The directories a walk reads (os.ReadDir), relative to `root`'s real path, while `fn` runs. */
function dirsRead(root: string, fn: () => unknown): string[] {
    const real = fs.realpathSync(root);
    const readdirSync = fs.readdirSync;
    const dirs: string[] = [];
    const spy = jest.spyOn(require("fs") as typeof fs, "readdirSync").mockImplementation(((p: fs.PathLike) => {
        dirs.push(path.relative(real, String(p)));
        return readdirSync(p);
    }) as typeof fs.readdirSync);
    try {
        fn();
    } finally {
        spy.mockRestore();
    }
    return dirs;
}

describe("walks: which excluded directories are entered", () => {
    const tree = { Dockerfile: "FROM scratch\n", "x/keep": "k", "x/sub/keep": "k", "y/f": "f", "z/f": "f", "node_modules/m/i.js": "m", "a.log": "l" };

    test.each([
        ["no exception: an excluded directory is skipped (SkipDir)", "x\ny\nz\nnode_modules\n", [""]],
        ["a wildcard pattern that is not an exception does not force the walk", "node_modules\n*.log\n", ["", "x", "x/sub", "y", "z"]],
        ["plain exceptions: only directories an exception lies under", "x\ny\nz\n!x/keep\n", ["", "node_modules", "node_modules/m", "x"]],
        ["an exception with a wildcard: every directory", "x\ny\n!x/**/keep\n", ["", "node_modules", "node_modules/m", "x", "x/sub", "y", "z"]],
        ["an exception's trailing /** is left out", "*\n!x/**\n", ["", "x", "x/sub"]],
        ["an exception's trailing /* is left out", "*\n!x/*\n", ["", "x", "x/sub"]],
    ])("fsutil filterFS.Walk: %s", (_, ignore, dirs) => {
        const cwd = project({ ...tree, ".dockerignore": ignore });
        expect(dirsRead(cwd, () => contextDigest(cwd, ".", "Dockerfile")).sort()).toEqual(dirs);
    });

    test("fsutil: a file under a wildcard exception is hashed", () => {
        const cwd = project({ ...tree, ".dockerignore": "x\n!x/**/keep\n" });
        const before = contextDigest(cwd, ".", "Dockerfile");
        write(cwd, { "x/sub/keep": "changed" });
        expect(contextDigest(cwd, ".", "Dockerfile")).not.toBe(before);
    });

    test.each([
        ["no exception: an excluded directory is not entered", "x\ny\nz\nnode_modules\n", [""], ["Dockerfile", "a.log"]],
        ["an excluded directory is entered only when an exception's text starts with it", "x\ny\nz\nnode_modules\n!x/keep\n", ["", "x"], ["Dockerfile", "a.log", "x/keep"]],
    ])("go-archive Tarballer.Do: %s", (_, ignore, dirs, names) => {
        const cwd = project({ ...tree, ".dockerignore": ignore });
        let archive: ReturnType<typeof contextArchive> | undefined;
        expect(dirsRead(cwd, () => (archive = contextArchive(cwd, ".", "Dockerfile"))).sort()).toEqual(dirs);
        expect(archive!.entries.map((e) => e.name).filter((n) => n !== ".dockerignore")).toEqual(names);
    });
});

describe("build context entries and tar (docker/cli build/context.go, go-archive)", () => {
    test("entries in byte order whatever order the directory is read in, with type, mode and link", () => {
        const cwd = project({ Dockerfile: "FROM scratch\n", "b.txt": "b", "a.txt": "a", "B.txt": "B", "sub/c.txt": "c", link: { symlink: "a.txt" } });
        fs.chmodSync(path.join(cwd, "sub"), 0o750);
        const readdirSync = fs.readdirSync;
        const spy = jest.spyOn(require("fs") as typeof fs, "readdirSync").mockImplementation(((p: fs.PathLike) => (readdirSync(p) as string[]).reverse()) as typeof fs.readdirSync);
        let archive: ReturnType<typeof contextArchive>;
        try {
            archive = contextArchive(cwd, ".", "Dockerfile");
        } finally {
            spy.mockRestore();
        }
        const real = fs.realpathSync(cwd);
        expect(archive.entries).toEqual([
            { name: "B.txt", type: "file", mode: 0o644, mtime: expect.anything(), source: path.join(real, "B.txt") },
            { name: "Dockerfile", type: "file", mode: 0o644, mtime: expect.anything(), source: path.join(real, "Dockerfile") },
            { name: "a.txt", type: "file", mode: 0o644, mtime: expect.anything(), source: path.join(real, "a.txt") },
            { name: "b.txt", type: "file", mode: 0o644, mtime: expect.anything(), source: path.join(real, "b.txt") },
            { name: "link", type: "symlink", mode: 0o777, mtime: expect.anything(), linkname: "a.txt" },
            { name: "sub", type: "directory", mode: 0o750, mtime: expect.anything() },
            { name: "sub/c.txt", type: "file", mode: 0o644, mtime: expect.anything(), source: path.join(real, "sub/c.txt") },
        ]);
    });

    test("a Dockerfile outside the context: a .dockerignore that is not a file is left as is, a file one is made", () => {
        const cwd = project({ "app/.dockerignore/x": "x", "next.Dockerfile": "FROM scratch\n", "next.Dockerfile.dockerignore": "" });
        const archive = contextArchive(cwd, "app", "next.Dockerfile");
        expect(archive.entries.filter((e) => e.name === ".dockerignore")).toEqual([
            expect.objectContaining({ type: "directory" }),
            expect.objectContaining({ type: "file", content: Buffer.from(`.dockerignore\n${archive.dockerfileInArchive}\n`) }),
        ]);
        expect(archive.entries[0]).not.toHaveProperty("content");
    });

    test("a context that is not a directory: error resolving context", () => {
        const cwd = project({ Dockerfile: "FROM scratch\n", "Dockerfile.dockerignore": "x\n", "a.txt": "a" });
        expect(() => contextArchive(cwd, "a.txt", "Dockerfile")).toThrow(
            new Error(`error resolving context: context must be a directory: ${fs.realpathSync(path.join(cwd, "a.txt"))}`),
        );
    });

    test("a fifo in the context is not modelled", () => {
        const cwd = project({ Dockerfile: "FROM scratch\n" });
        execFileSync("mkfifo", [path.join(cwd, "pipe")]);
        expect(() => contextArchive(cwd, ".", "Dockerfile")).toThrow(new Error("pipe in the build context is neither a file, a directory nor a symlink: not modelled"));
    });

    test("an unreadable file fails as docker/cli ValidateContextDirectory does", () => {
        const cwd = project({ Dockerfile: "FROM scratch\n", "secret.txt": "s" });
        const secret = path.join(fs.realpathSync(cwd), "secret.txt");
        const accessSync = fs.accessSync;
        const spy = jest.spyOn(require("fs") as typeof fs, "accessSync").mockImplementation((p: fs.PathLike, mode?: number) => {
            if (String(p) === secret) throw Object.assign(new Error("EACCES"), { code: "EACCES" });
            accessSync(p, mode);
        });
        try {
            expect(() => contextArchive(cwd, ".", "Dockerfile")).toThrow(new Error(`error validating context: no permission to read from '${secret}'`));
        } finally {
            spy.mockRestore();
        }
    });

    test("the tar: directories, symlinks and files (made or read from disk) with owner 0:0", async () => {
        const cwd = project({ "on-disk.txt": "from disk" });
        const mtime = new Date("2024-01-02T03:04:05Z");
        const pack = packArchive([
            { name: "dir", type: "directory", mode: 0o750, mtime },
            { name: "dir/link", type: "symlink", mode: 0o777, mtime, linkname: "../made.txt" },
            { name: "made.txt", type: "file", mode: 0o600, mtime, content: Buffer.from("made") },
            { name: "disk.txt", type: "file", mode: 0o644, mtime, source: path.join(cwd, "on-disk.txt") },
        ]);
        const entries = await readTar(pack);
        const common = { uid: 0, gid: 0, mtime };
        expect(entries).toEqual([
            { ...common, name: "dir", type: "directory", mode: 0o750, linkname: null, content: "" },
            { ...common, name: "dir/link", type: "symlink", mode: 0o777, linkname: "../made.txt", content: "" },
            { ...common, name: "made.txt", type: "file", mode: 0o600, linkname: null, content: "made" },
            { ...common, name: "disk.txt", type: "file", mode: 0o644, linkname: null, content: "from disk" },
        ]);
    });
});

describe("build options at their edges (image.go dockerBuild)", () => {
    test("unknown or absent platform and target are left out", () => {
        for (const unknown of [UNKNOWN, pulumi.unknown, undefined]) {
            expect(buildCommand("x", { platform: unknown, target: unknown }, "Dockerfile").argv).toEqual(["build", "--progress=plain", "--rm=false", "-f", "Dockerfile", "-t", "x", "-"]);
        }
    });

    test("the legacy builder: no --progress, DOCKER_BUILDKIT=0", () => {
        const { argv, env } = buildCommand("x", { builderVersion: "BuilderV1" }, "Dockerfile");
        expect(argv).toEqual(["build", "--rm=false", "-f", "Dockerfile", "-t", "x", "-"]);
        expect(env.DOCKER_BUILDKIT).toBe("0");
    });

    test("without an engine host the CLI keeps the environment's DOCKER_HOST", () => {
        const saved = process.env.DOCKER_HOST;
        process.env.DOCKER_HOST = "unix:///inherited.sock";
        try {
            expect(buildCommand("x", {}, "Dockerfile").env.DOCKER_HOST).toBe("unix:///inherited.sock");
        } finally {
            if (saved === undefined) delete process.env.DOCKER_HOST;
            else process.env.DOCKER_HOST = saved;
        }
    });
});
