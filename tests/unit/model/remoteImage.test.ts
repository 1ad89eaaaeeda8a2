import { determineRepoDigest, remoteImageModel } from "../../e2e/model/remoteImage";
import { fakeEngine, ops } from "./fakeDocker";

/** One test per rule of tests/e2e/model/remoteImage.ts (kreuzwerker v4.5.0 resource_docker_image*.go, docker_image). */

const ID = `sha256:${"c".repeat(64)}`;
const check = (news: Record<string, any>) => remoteImageModel.check("db-image", news, undefined, { cwd: "." });

describe("check", () => {
    test("an input the model does not know fails, naming it (build is docker.Image's job)", async () => {
        await expect(check({ name: "postgres:18", build: {} })).rejects.toThrow(/RemoteImage db-image: input "build" is not modelled/);
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
