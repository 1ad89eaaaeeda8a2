import { deleteNetwork, networkCreateRequest, networkModel, readNetworkState } from "../../e2e/model/network";
import { engineError, fakeEngine, ops } from "./fakeDocker";

/** One test per rule of tests/e2e/model/network.ts (kreuzwerker v4.5.0 resource_docker_network*.go). */

const inputs = { name: "nextstack-dev", driver: "bridge", labels: [{ label: "nextstack.stack", value: "dev" }] };
const check = (news: Record<string, any>) => networkModel.check("network", news, undefined, { cwd: "." });

/** `docker network inspect` of the network made from `inputs`. */
const inspected = {
    Name: "nextstack-dev",
    Driver: "bridge",
    Scope: "local",
    Internal: false,
    Attachable: false,
    Ingress: false,
    EnableIPv6: false,
    Options: {},
    Labels: { "nextstack.stack": "dev" },
    IPAM: { Driver: "default", Options: null, Config: [{ Subnet: "172.22.0.0/16", Gateway: "172.22.0.1" }] },
};

describe("check", () => {
    test("an input the model does not know fails, naming it", async () => {
        await expect(check({ ...inputs, ipamConfigs: [{ subnet: "10.0.0.0/24" }] })).rejects.toThrow(/Network network: input "ipamConfigs" is not modelled/);
    });

    test("ipamDriver defaults to 'default'", async () => {
        await expect(check(inputs)).resolves.toEqual({ ...inputs, ipamDriver: "default" });
    });
});

describe("diff: every input is ForceNew (no Update)", () => {
    test("a label change replaces the network; the same inputs against the read-back state do not", async () => {
        const state = readNetworkState(await check(inputs), inspected);
        expect(networkModel.diff({}, state, await check(inputs))).toEqual({ changed: [], replace: [], details: [] });
        const relabelled = await check({ ...inputs, labels: [{ label: "nextstack.stack", value: "prod" }] });
        expect(networkModel.diff({}, state, relabelled)).toMatchObject({ changed: ["labels"], replace: ["labels"] });
    });

    test("options (Optional+Computed) left out keep the state", async () => {
        const state = readNetworkState(await check(inputs), { ...inspected, Options: { "com.docker.network.bridge.name": "br0" } });
        expect(networkModel.diff({}, state, await check(inputs)).changed).toEqual([]);
    });
});

describe("create", () => {
    test("the Go client adds CheckDuplicate below API 1.44, not from 1.44", async () => {
        const planned = { ...(await check(inputs)) };
        expect(networkCreateRequest(planned, "1.41")).toEqual({
            Name: "nextstack-dev", Driver: "bridge", Labels: { "nextstack.stack": "dev" }, IPAM: { Driver: "default" },
            Internal: false, Attachable: false, Ingress: false, CheckDuplicate: true,
        });
        expect(networkCreateRequest(planned, "1.44").CheckDuplicate).toBeUndefined();
    });

    test("create then Read: labels, driver, options and IPAM config as the engine reports them", async () => {
        const { engine, calls } = fakeEngine({ networkInspect: inspected });
        const created = await networkModel.create(engine, "network", await check(inputs));
        expect(ops(calls)).toEqual(["network.create", "network.inspect"]);
        expect(created).toEqual({
            id: "net-id",
            outputs: {
                ...inputs, ipamDriver: "default", internal: false, attachable: false, ingress: false, ipv6: false, scope: "local", options: {},
                ipamOptions: undefined, ipamConfigs: [{ subnet: "172.22.0.0/16", gateway: "172.22.0.1" }],
            },
        });
    });
});

describe("delete", () => {
    test("containers still attached are not disconnected: 'has active endpoints' is retried, then times out", async () => {
        const busy = engineError(403, "error while removing network: network nextstack-dev id 26f8 has active endpoints");
        const { engine, calls } = fakeEngine({ networkInspect: inspected, fail: { "network.remove": busy } });
        await expect(deleteNetwork(engine, "network", "net-id", 10, 25)).rejects.toThrow("timeout while waiting for state to become 'removed' (last state: 'pending', timeout: 0.025s)");
        expect(ops(calls).filter((op) => op === "network.remove").length).toBeGreaterThanOrEqual(2);
        expect(new Set(ops(calls))).toEqual(new Set(["network.inspect", "network.remove"]));
    });

    test("a network already gone is done; a retried remove that succeeds is done", async () => {
        const gone = fakeEngine({ fail: { "network.inspect": engineError(404, "network nextstack-dev not found") } });
        await networkModel.delete(gone.engine, "network", "net-id", {});
        expect(ops(gone.calls)).toEqual(["network.inspect"]);
        const once = fakeEngine({ networkInspect: inspected, fail: { "network.remove": (n: number) => (n === 1 ? engineError(403, "has active endpoints") : undefined) } });
        await deleteNetwork(once.engine, "network", "net-id", 10, 1000);
        expect(ops(once.calls)).toEqual(["network.inspect", "network.remove", "network.inspect", "network.remove"]);
    });

    test("any other engine error fails the delete", async () => {
        const { engine } = fakeEngine({ networkInspect: inspected, fail: { "network.remove": engineError(500, "boom") } });
        await expect(networkModel.delete(engine, "network", "net-id", {})).rejects.toThrow("boom");
    });
});

describe("check: required fields (kw resourceDockerNetwork schema)", () => {
    test.each([
        [{ driver: "bridge" }, 'Network network: input "name" is required'],
        [{ ...inputs, labels: [{ value: "dev" }] }, 'input "labels[0].label" is required'],
        [{ ...inputs, labels: [{ label: "nextstack.stack" }] }, 'input "labels[0].value" is required'],
    ])("%j fails: %s", async (news, message) => {
        await expect(check(news)).rejects.toThrow(message);
    });
});

describe("diff: each input is ForceNew; Optional+Computed ones left out keep the state", () => {
    const changes: [string, Record<string, any>][] = [
        ["name", { name: "nextstack-prod" }],
        ["driver", { driver: "overlay" }],
        ["options", { options: { "com.docker.network.bridge.name": "br1" } }],
        ["internal", { internal: true }],
        ["attachable", { attachable: true }],
        ["ipv6", { ipv6: true }],
        ["ipamDriver", { ipamDriver: "null" }],
    ];
    test.each(changes)("a change of %s replaces the network", async (key, change) => {
        const state = readNetworkState(await check(inputs), inspected);
        expect(networkModel.diff({}, state, await check({ ...inputs, ...change }))).toMatchObject({ changed: [key], replace: [key] });
    });

    test("driver and internal (Computed) left out keep the engine's values", async () => {
        const state = readNetworkState(await check(inputs), { ...inspected, Driver: "bridge", Internal: true });
        const { driver, ...noDriver } = inputs;
        void driver;
        expect(networkModel.diff({}, state, await check(noDriver))).toEqual({ changed: [], replace: [], details: [] });
    });
});

describe("create request (kw resourceDockerNetworkCreate: only d.GetOk values)", () => {
    test("a bare network: no Labels, Driver, Options, EnableIPv6; IPAM only when ipamDriver is non-empty", () => {
        expect(networkCreateRequest({ name: "n", ipamDriver: "default", options: {}, labels: [] }, "1.44")).toStrictEqual({
            Name: "n", Internal: false, Attachable: false, Ingress: false, IPAM: { Driver: "default" },
        });
        expect(networkCreateRequest({ name: "n", ipamDriver: "" }, "1.44")).toStrictEqual({ Name: "n", Internal: false, Attachable: false, Ingress: false });
    });

    test("options, internal, attachable and ipv6 are sent when set", () => {
        const planned = { name: "n", options: { "com.docker.network.bridge.name": "br1" }, internal: true, attachable: true, ipv6: true, ipamDriver: "default" };
        expect(networkCreateRequest(planned, "1.43")).toStrictEqual({
            Name: "n", Internal: true, Attachable: true, Ingress: false, Options: { "com.docker.network.bridge.name": "br1" }, EnableIPv6: true,
            IPAM: { Driver: "default" }, CheckDuplicate: true,
        });
    });

    test("the engine's refusal is 'Unable to create network: <daemon message>'", async () => {
        const { engine } = fakeEngine({ fail: { "network.create": engineError(409, "network with name nextstack-dev already exists") } });
        await expect(networkModel.create(engine, "network", await check(inputs))).rejects.toThrow(
            new Error("Unable to create network: network with name nextstack-dev already exists"),
        );
    });
});

describe("Read (kw resourceDockerNetworkReadRefreshFunc, flattenIpamConfigSpec)", () => {
    test("options as reported; IPAM config keeps only non-empty fields (ipRange, auxAddress too)", () => {
        const state = readNetworkState({}, {
            ...inspected,
            Options: { "com.docker.network.bridge.name": "br0" },
            IPAM: {
                Driver: "default",
                Options: { foo: "bar" },
                Config: [
                    { Subnet: "10.1.0.0/16", IPRange: "10.1.1.0/24", Gateway: "10.1.0.1", AuxiliaryAddresses: { router: "10.1.0.2" } },
                    { Subnet: "10.2.0.0/16", AuxiliaryAddresses: {} },
                ],
            },
        });
        expect(state).toMatchObject({ options: { "com.docker.network.bridge.name": "br0" }, ipamDriver: "default", ipamOptions: { foo: "bar" } });
        expect(state.ipamConfigs).toStrictEqual([
            { subnet: "10.1.0.0/16", ipRange: "10.1.1.0/24", gateway: "10.1.0.1", auxAddress: { router: "10.1.0.2" } },
            { subnet: "10.2.0.0/16" },
        ]);
    });

    test("no IPAM and no Options reported: empty ipamDriver, no ipamConfigs, options {}", () => {
        const { IPAM, Options, ...bare } = inspected;
        void [IPAM, Options];
        expect(readNetworkState({}, bare)).toMatchObject({ ipamDriver: "", ipamOptions: undefined, ipamConfigs: [], options: {} });
    });
});

describe("no Update", () => {
    test("previewUpdate and update refuse: every input is ForceNew", async () => {
        const message = "docker:index/network:Network has no Update (every input is ForceNew): a change is a replacement";
        expect(() => networkModel.previewUpdate({}, {})).toThrow(new Error(message));
        await expect(networkModel.update(fakeEngine().engine, "network", "net-id", {}, {}, { changed: [], replace: [], details: [] })).rejects.toThrow(new Error(message));
    });
});
