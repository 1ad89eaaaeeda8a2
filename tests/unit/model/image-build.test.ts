import { spawn } from "child_process";
import { EventEmitter } from "events";
import { PassThrough } from "stream";
import { imageModel, packArchive, runDockerBuild } from "../../e2e/model/image";
import { Engine, NO_DIFF, Props } from "../../e2e/model/types";
import { fakeEngine, ops, readTar } from "./fakeDocker";
import { project } from "./projectDir";

/**
 * tests/e2e/model/image.ts Create/Update: the build through the docker CLI (image.go dockerBuild, runImageBuild) and
 * the state it returns. The CLI is a stand-in (child_process.spawn mocked): it reads the context tar from stdin, then
 * writes output and exits as the test says. No docker runs.
 */

jest.mock("child_process", () => ({ ...jest.requireActual("child_process"), spawn: jest.fn() }));
const spawnMock = spawn as unknown as jest.Mock;

interface FakeChild extends EventEmitter {
    stdout: EventEmitter;
    stderr: EventEmitter;
    stdin: PassThrough;
}

/** The CLI: `act` runs once spawned, with the context it will have read from stdin. */
function fakeCli(act: (child: FakeChild, context: Promise<Buffer>) => void | Promise<void>): void {
    spawnMock.mockImplementation(() => {
        const child = Object.assign(new EventEmitter(), { stdout: new EventEmitter(), stderr: new EventEmitter(), stdin: new PassThrough() });
        const context = new Promise<Buffer>((resolve) => {
            const chunks: Buffer[] = [];
            child.stdin.on("data", (c: Buffer) => chunks.push(c));
            child.stdin.on("end", () => resolve(Buffer.concat(chunks)));
        });
        setImmediate(() => void act(child, context));
        return child;
    });
}

/** A CLI that reads the whole context, prints `stdout`, exits with `code`. */
const cliExiting = (code: number, stdout = "") =>
    fakeCli(async (child, context) => {
        await context;
        if (stdout) child.stdout.emit("data", Buffer.from(stdout));
        child.emit("close", code, null);
    });

beforeEach(() => spawnMock.mockReset());
afterEach(() => jest.restoreAllMocks());

const context = () => packArchive([{ name: "Dockerfile", type: "file", mode: 0o644, mtime: new Date(0), content: Buffer.from("FROM scratch\n") }]);

describe("runDockerBuild (the CLI as the provider's ImageBuild call)", () => {
    test("spawns Debian's CLI 20.10 (/usr/bin/docker) with the arguments and environment, the context tar on stdin", async () => {
        let received: Buffer | undefined;
        fakeCli(async (child, ctx) => {
            received = await ctx;
            child.emit("close", 0, null);
        });
        await expect(runDockerBuild(["build", "-"], { DOCKER_BUILDKIT: "1" }, context())).resolves.toBeUndefined();
        expect(spawnMock).toHaveBeenCalledWith("/usr/bin/docker", ["build", "-"], { env: { DOCKER_BUILDKIT: "1" }, stdio: ["pipe", "pipe", "pipe"] });
        expect((await readTar(received!)).map((e) => e.name)).toEqual(["Dockerfile"]);
    });

    test("a failed build: the error holds the output's last 30 lines (stdout and stderr, blank lines left out)", async () => {
        const lines = Array.from({ length: 39 }, (_, i) => `l${String(i + 1).padStart(2, "0")}`);
        fakeCli(async (child, ctx) => {
            await ctx;
            child.stdout.emit("data", Buffer.from(`${lines.join("\n")}\nl4`));
            child.stderr.emit("data", Buffer.from("0\n\n\n\nstep failed"));
            child.emit("close", 1, null);
        });
        const expected = [...lines.slice(13), "l40", "step failed"].join("\n");
        await expect(runDockerBuild(["build", "-"], {}, context())).rejects.toThrow(new Error(`docker build exited with 1:\n${expected}`));
    });

    test("at most the last 30 lines, counting the unfinished last line", async () => {
        const lines = Array.from({ length: 35 }, (_, i) => `l${String(i + 1).padStart(2, "0")}`);
        cliExiting(1, `${lines.join("\n")}\nlast`);
        await expect(runDockerBuild(["build", "-"], {}, context())).rejects.toThrow(new Error(`docker build exited with 1:\n${[...lines.slice(6), "last"].join("\n")}`));
    });

    test("killed by a signal: the error names the signal", async () => {
        fakeCli(async (child, ctx) => {
            await ctx;
            child.emit("close", null, "SIGKILL");
        });
        await expect(runDockerBuild(["build", "-"], {}, context())).rejects.toThrow(new Error("docker build exited with SIGKILL:\n"));
    });

    test("the CLI cannot be started: that error", async () => {
        const enoent = new Error("spawn /usr/bin/docker ENOENT");
        fakeCli((child) => void child.emit("error", enoent));
        await expect(runDockerBuild(["build", "-"], {}, context())).rejects.toBe(enoent);
    });

    test("the CLI exits before reading the context: the write error is ignored, the exit code tells why", async () => {
        fakeCli(async (child) => {
            child.stdin.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
            await new Promise((resolve) => setImmediate(resolve));
            child.stdout.emit("data", Buffer.from("unknown flag: --bogus\n"));
            child.emit("close", 125, null);
        });
        await expect(runDockerBuild(["build", "--bogus", "-"], {}, context())).rejects.toThrow(new Error("docker build exited with 125:\nunknown flag: --bogus"));
    });
});

describe("create/update (provider.go Create/Update, image.go dockerBuild with skipPush)", () => {
    const IMAGE = "modelcheck-unit:current";
    const ID = `sha256:0123456789ab${"c".repeat(52)}`;

    async function setup(build: Props = {}) {
        const cwd = project({ Dockerfile: "FROM scratch\n", "app.js": "a" });
        const news = await imageModel.check("img", { imageName: IMAGE, skipPush: true, build }, undefined, { cwd });
        const { engine: base, calls } = fakeEngine({ images: { [IMAGE]: { Id: ID } } });
        const log = jest.fn();
        const timing = jest.fn();
        const engine: Engine = { ...base, cwd, log, timing };
        return { news, engine, calls, log, timing };
    }

    test("builds the context, then repoDigest = ImageInspect(imageName).ID; the ID is imageName; inputs kept under __inputs", async () => {
        const { news, engine, calls, log, timing } = await setup();
        let received: Buffer | undefined;
        fakeCli(async (child, ctx) => {
            received = await ctx;
            child.emit("close", 0, null);
        });
        jest.spyOn(Date, "now").mockReturnValueOnce(1_000).mockReturnValueOnce(3_500);
        const created = await imageModel.create(engine, "img", news);
        expect(created).toEqual({
            id: IMAGE,
            outputs: {
                dockerfile: "Dockerfile",
                context: ".",
                baseImageName: IMAGE,
                registryServer: "",
                imageName: IMAGE,
                platform: news.build.platform,
                repoDigest: ID,
                __inputs: news,
            },
        });
        const [cli, argv, options] = spawnMock.mock.calls[0];
        expect([cli, argv]).toEqual(["/usr/bin/docker", ["build", "--progress=plain", "--rm=false", "-f", "Dockerfile", "-t", IMAGE, "--platform", news.build.platform, "-"]]);
        expect(options.env.DOCKER_BUILDKIT).toBe("1");
        expect((await readTar(received!)).map((e) => e.name)).toEqual(["Dockerfile", "app.js"]);
        expect(calls).toEqual([{ op: "image.inspect", target: IMAGE }]);
        expect(log.mock.calls).toEqual([["build   Image img → 0123456789ab in 2.5 s (BuildKit)"]]);
        expect(timing.mock.calls).toEqual([[`build ${IMAGE}`, 2.5]]);
        // The stored inputs are what the next Diff compares: the same inputs are no change.
        expect(imageModel.diff(news, created.outputs, news)).toEqual(NO_DIFF);
    });

    test("update builds again and returns the new state (the ID stays); the legacy builder is named in the log", async () => {
        const { news, engine, log } = await setup({ builderVersion: "BuilderV1" });
        cliExiting(0);
        const outputs = await imageModel.update(engine, "img", IMAGE, { repoDigest: "sha256:old" }, news, NO_DIFF);
        expect(outputs).toMatchObject({ repoDigest: ID, imageName: IMAGE, __inputs: news });
        expect(spawnMock.mock.calls[0][2].env.DOCKER_BUILDKIT).toBe("0");
        expect(log.mock.calls[0][0]).toMatch(/^build {3}Image img → 0123456789ab in \d+\.\d s \(legacy builder\)$/);
    });

    test("a failed build fails the create with the build's output; no image is inspected", async () => {
        const { news, engine, calls, timing } = await setup();
        cliExiting(1, "#5 ERROR: process did not complete successfully\n");
        await expect(imageModel.create(engine, "img", news)).rejects.toThrow(
            new Error(`docker.Image img: error reading build output: building ${IMAGE} failed: docker build exited with 1:\n#5 ERROR: process did not complete successfully`),
        );
        expect(ops(calls)).toEqual([]);
        expect(timing).not.toHaveBeenCalled();
    });
});
