import { deleteVolume, readVolumeState, volumeCreateRequest, volumeModel } from "../../e2e/model/volume";
import { engineError, fakeEngine, ops } from "./fakeDocker";

/** One test per rule of tests/e2e/model/volume.ts (kreuzwerker v4.5.0 resource_docker_volume.go). */

const inputs = { name: "nextstack-dev-pgdata", driver: "local", labels: [{ label: "nextstack.stack", value: "dev" }] };
const check = (news: Record<string, any>) => volumeModel.check("data", news, undefined, { cwd: "." });
const inspected = { Name: "nextstack-dev-pgdata", Driver: "local", Labels: { "nextstack.stack": "dev" }, Options: null, Mountpoint: "/var/lib/docker/volumes/x/_data" };

describe("check", () => {
    test("an input the model does not know fails, naming it; a name is required (no autonaming)", async () => {
        await expect(check({ ...inputs, cluster: {} })).rejects.toThrow(/Volume data: input "cluster" is not modelled/);
        await expect(check({ driver: "local" })).rejects.toThrow(/input "name" is required/);
    });
});

describe("diff", () => {
    test("name, driver and labels are ForceNew: a label change replaces the volume (and its data)", async () => {
        const state = readVolumeState(await check(inputs), inspected);
        expect(volumeModel.diff({}, state, await check(inputs)).changed).toEqual([]);
        const diff = volumeModel.diff({}, state, await check({ ...inputs, labels: [] }));
        expect(diff).toMatchObject({ changed: ["labels"], replace: ["labels"] });
    });
});

describe("create", () => {
    test("VolumeCreate with name, driver, labels; the ID is the name; Read adds the mountpoint", async () => {
        expect(volumeCreateRequest(await check(inputs))).toEqual({ Name: "nextstack-dev-pgdata", Driver: "local", Labels: { "nextstack.stack": "dev" } });
        const { engine, calls } = fakeEngine({ volumeInspect: inspected });
        const created = await volumeModel.create(engine, "data", await check(inputs));
        expect(ops(calls)).toEqual(["volume.create", "volume.inspect"]);
        expect(created).toEqual({ id: "nextstack-dev-pgdata", outputs: { ...inputs, driverOpts: undefined, mountpoint: inspected.Mountpoint } });
    });
});

describe("delete", () => {
    test("remove with force; 'volume is in use' is retried until the timeout", async () => {
        const { engine, calls } = fakeEngine({ fail: { "volume.remove": engineError(409, "remove nextstack-dev-pgdata: volume is in use - [c0ffee]") } });
        await expect(deleteVolume(engine, "data", "nextstack-dev-pgdata", 10, 25)).rejects.toThrow("timeout while waiting for state to become 'removed' (last state: 'in_use', timeout: 0.025s)");
        expect(calls[0]).toEqual({ op: "volume.remove", target: "nextstack-dev-pgdata", body: { force: true } });
        expect(ops(calls).length).toBeGreaterThanOrEqual(2);
        expect(new Set(ops(calls))).toEqual(new Set(["volume.remove"]));
    });

    test("a volume already gone fails the delete (the engine answers 404 even with force)", async () => {
        const { engine } = fakeEngine({ fail: { "volume.remove": engineError(404, "get nextstack-dev-pgdata: no such volume") } });
        await expect(volumeModel.delete(engine, "data", "nextstack-dev-pgdata", {})).rejects.toThrow("no such volume");
    });
});

describe("check: required fields (kw resourceDockerVolume labelSchema)", () => {
    test.each([
        [{ ...inputs, labels: [{ value: "dev" }] }, 'Volume data: input "labels[0].label" is required'],
        [{ ...inputs, labels: [{ label: "nextstack.stack" }] }, 'Volume data: input "labels[0].value" is required'],
    ])("%j fails: %s", async (news, message) => {
        await expect(check(news)).rejects.toThrow(message);
    });
});

describe("diff: every input is ForceNew; driver (Optional+Computed) left out keeps the state", () => {
    test.each([
        ["name", { name: "nextstack-prod-pgdata" }],
        ["driver", { driver: "nfs" }],
        ["driverOpts", { driverOpts: { type: "tmpfs" } }],
    ])("a change of %s replaces the volume", async (key, change) => {
        const state = readVolumeState(await check(inputs), inspected);
        expect(volumeModel.diff({}, state, await check({ ...inputs, ...change }))).toMatchObject({ changed: [key], replace: [key] });
    });

    test("driver left out: the engine's 'local' stands", async () => {
        const state = readVolumeState(await check(inputs), inspected);
        const { driver, ...noDriver } = inputs;
        void driver;
        expect(volumeModel.diff({}, state, await check(noDriver))).toEqual({ changed: [], replace: [], details: [] });
    });
});

describe("create request (kw resourceDockerVolumeCreate: d.GetOk values only)", () => {
    test("a bare volume sends only its name; driverOpts are sent when non-empty", () => {
        expect(volumeCreateRequest({ name: "v", labels: [], driverOpts: {} })).toStrictEqual({ Name: "v" });
        expect(volumeCreateRequest({ name: "v" })).toStrictEqual({ Name: "v" });
        expect(volumeCreateRequest({ name: "v", driver: "local", driverOpts: { type: "tmpfs", device: "tmpfs" } })).toStrictEqual({
            Name: "v", Driver: "local", DriverOpts: { type: "tmpfs", device: "tmpfs" },
        });
    });

    test("the engine's refusal is 'Unable to create volume: <daemon message>'", async () => {
        const { engine } = fakeEngine({ fail: { "volume.create": engineError(500, 'create v: error while mounting volume: invalid argument') } });
        await expect(volumeModel.create(engine, "data", await check(inputs))).rejects.toThrow(
            new Error("Unable to create volume: create v: error while mounting volume: invalid argument"),
        );
    });
});

describe("update / previewUpdate: state is the plan, the mountpoint (computed only) kept", () => {
    test("the mountpoint read at create stays in state", async () => {
        const state = readVolumeState(await check(inputs), inspected);
        const expected = { ...inputs, mountpoint: "/var/lib/docker/volumes/x/_data" };
        expect(volumeModel.previewUpdate(state, await check(inputs))).toStrictEqual(expected);
        await expect(volumeModel.update(fakeEngine().engine, "data", "nextstack-dev-pgdata", state, await check(inputs), { changed: [], replace: [], details: [] })).resolves.toStrictEqual(expected);
    });
});
