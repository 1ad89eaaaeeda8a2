import {
    checkCreateVersionGates, CONTAINER_SCHEMA, containerCreateRequest, containerModel, containerUpdateRequest, nanoToDecimalString, parseCpus, readContainerState, uploadMode,
} from "../../e2e/model/container";
import { withAllDefaults } from "../../e2e/model/sdkv2";
import { PartialCreateError, Props, UNKNOWN } from "../../e2e/model/types";
import { PassThrough } from "stream";
import { Engine } from "../../e2e/model/types";
import { engineError, fakeEngine, FakeResponses, ops } from "./fakeDocker";
import { project } from "./projectDir";

/**
 * One test per rule of tests/e2e/model/container.ts (kreuzwerker/terraform-provider-docker v4.5.0
 * resource_docker_container*.go through pulumi-docker 5.2.0; Docker Go client v28.5.2).
 */

const IMAGE_ID = `sha256:${"a".repeat(64)}`;

/** The inputs the program gives a database container (components/database.ts shape). */
const dbInputs = (extra: Props = {}): Props => ({
    name: "nextstack-dev-db",
    image: IMAGE_ID,
    envs: ["POSTGRES_USER=app", "POSTGRES_DB=app"],
    entrypoints: ["/usr/local/bin/start.sh"],
    command: ["postgres"],
    init: true,
    uploads: [
        { file: "/run/secrets/pw", content: "s3cret", permissions: "0444" },
        { file: "/usr/local/bin/start.sh", content: "#!/bin/sh\n", permissions: "0755" },
    ],
    mounts: [{ type: "volume", source: "nextstack-dev-pgdata", target: "/var/lib/postgresql" }],
    networksAdvanced: [{ name: "nextstack-dev", aliases: ["db"] }],
    ports: [{ internal: 5432, external: 15432, ip: "127.0.0.1" }],
    healthcheck: { tests: ["CMD", "true"], interval: "1m0s", timeout: "5s", retries: 3, startPeriod: "1m0s" },
    wait: true,
    waitTimeout: 80,
    restart: "unless-stopped",
    destroyGraceSeconds: 30,
    labels: [{ label: "nextstack.stack", value: "dev" }],
    ...extra,
});

const check = (news: Props) => containerModel.check("db", news, undefined, { cwd: "." });

/** What `docker inspect` returns for a container made from `planned` (healthy, running), with overrides. */
function inspectOf(planned: Props, overrides: Record<string, any> = {}): any {
    const hc = planned.healthcheck;
    const base = {
        Id: "c0ffee",
        Name: `/${planned.name}`,
        Image: IMAGE_ID,
        State: { Running: true, ExitCode: 0, Health: { Status: "healthy" } },
        Config: {
            Image: planned.image,
            Cmd: planned.command ?? null,
            Entrypoint: planned.entrypoints ?? null,
            Healthcheck: hc ? { Test: hc.tests, Interval: 60e9, Timeout: 5e9, StartPeriod: 60e9, Retries: 3 } : undefined,
        },
        HostConfig: {
            RestartPolicy: { Name: planned.restart },
            Init: planned.init === true,
            Memory: (planned.memory ?? 0) * 1024 * 1024,
            MemorySwap: (planned.memory ?? 0) * 2 * 1024 * 1024,
            NanoCpus: 0,
            NetworkMode: "bridge",
            Mounts: (planned.mounts ?? []).map((m: any) => ({ Type: m.type, Source: m.source, Target: m.target })),
        },
        NetworkSettings: {
            Bridge: "",
            Ports: { "5432/tcp": [{ HostIp: "127.0.0.1", HostPort: "15432" }] },
            Networks: { "nextstack-dev": { IPAddress: "172.20.0.2", IPPrefixLen: 16, Gateway: "172.20.0.1", MacAddress: "02:42:ac:14:00:02" } },
        },
    };
    return { ...base, ...overrides, State: { ...base.State, ...overrides.State }, HostConfig: { ...base.HostConfig, ...overrides.HostConfig }, Config: { ...base.Config, ...overrides.Config } };
}

/** State after a create of `inputs` on a healthy engine (the provider's Read). */
async function stateAfterCreate(inputs: Props, overrides: Record<string, any> = {}): Promise<Props> {
    const checked = await check(inputs);
    return readContainerState(withAllDefaults((await import("../../e2e/model/container")).CONTAINER_SCHEMA, checked), inspectOf(checked, overrides));
}

describe("check (schema, validators, defaults)", () => {
    test("an input the model does not know fails, naming it and the resource", async () => {
        await expect(check(dbInputs({ privileged: true }))).rejects.toThrow(/docker:index\/container:Container db: input "privileged" is not modelled/);
    });

    test("an unknown nested key fails too (healthcheck)", async () => {
        await expect(check(dbInputs({ healthcheck: { tests: ["CMD", "true"], startPeriods: "1s" } }))).rejects.toThrow(/input "healthcheck.startPeriods" is not modelled/);
    });

    test("a mount type other than volume is refused (bind and tmpfs are not modelled)", async () => {
        await expect(check(dbInputs({ mounts: [{ type: "bind", source: "/tmp", target: "/x" }] }))).rejects.toThrow(/mounts\[0\]\.type.*not modelled/);
    });

    test("name and image are required", async () => {
        await expect(check({ image: IMAGE_ID })).rejects.toThrow(/input "name" is required/);
        await expect(check({ name: "x" })).rejects.toThrow(/input "image" is required/);
    });

    test("non-falsy schema defaults are added, nested too; falsy ones are not (bridge #2618)", async () => {
        const checked = await check({ name: "x", image: "img:1", ports: [{ internal: 80 }], uploads: [{ file: "/f", content: "c" }], healthcheck: { tests: ["CMD", "true"] } });
        expect(checked).toMatchObject({ restart: "no", waitTimeout: 60, mustRun: true, start: true, removeVolumes: true, networkMode: "bridge", containerReadRefreshTimeoutMilliseconds: 15000 });
        expect(checked.ports).toEqual([{ internal: 80, ip: "0.0.0.0", protocol: "tcp" }]);
        expect(checked.healthcheck).toEqual({ tests: ["CMD", "true"], interval: "0s", timeout: "0s", startPeriod: "0s", startInterval: "0s" });
        expect(checked.uploads).toEqual([{ file: "/f", content: "c" }]);
        for (const falsy of ["wait", "attach", "logs"]) expect(checked[falsy]).toBeUndefined();
    });

    test("restart must match ^(no|on-failure|always|unless-stopped)$", async () => {
        await expect(check(dbInputs({ restart: "sometimes" }))).rejects.toThrow(/input "restart": 'sometimes' doesn't match the pattern/);
    });

    test.each([
        ["-1s", /'-1s' duration must not be negative/],
        ["5x", /'5x' is not a valid duration/],
        ["1m30", /'1m30' is not a valid duration/],
    ])("healthcheck durations go through Go's ParseDuration (%s)", async (value, message) => {
        await expect(check(dbInputs({ healthcheck: { tests: ["CMD", "true"], interval: value } }))).rejects.toThrow(message);
    });

    test("upload permissions must match ^0[0-7]{3}$", async () => {
        await expect(check(dbInputs({ uploads: [{ file: "/f", content: "c", permissions: "755" }] }))).rejects.toThrow(/uploads\[0\]\.permissions/);
    });

    test("memory ≥ 0, memorySwap ≥ -1", async () => {
        await expect(check(dbInputs({ memory: -1 }))).rejects.toThrow(/input "memory": '-1' cannot be lower than 0/);
        await expect(check(dbInputs({ memorySwap: -2 }))).rejects.toThrow(/input "memorySwap": '-2' cannot be lower than -1/);
        await expect(check(dbInputs({ memorySwap: -1 }))).resolves.toBeDefined();
    });

    test("cpus has no validator: a bad value passes check (and fails at create)", async () => {
        await expect(check(dbInputs({ cpus: "lots" }))).resolves.toMatchObject({ cpus: "lots" });
    });

    test("unknown values pass check untouched", async () => {
        await expect(check(dbInputs({ image: UNKNOWN }))).resolves.toMatchObject({ image: UNKNOWN });
    });
});

describe("diff (SDKv2 against the read-back state)", () => {
    test("healthcheck startPeriod '60s' against state '1m0s' is a change every time, in place (trap 17)", async () => {
        const state = await stateAfterCreate(dbInputs());
        expect(state.healthcheck.startPeriod).toBe("1m0s");
        const diff = containerModel.diff({}, state, await check(dbInputs({ healthcheck: { ...dbInputs().healthcheck, startPeriod: "60s", interval: "60s" } })));
        expect(diff).toEqual({
            changed: ["healthcheck"],
            replace: [],
            details: ['healthcheck.interval: "1m0s" → "60s"', 'healthcheck.startPeriod: "1m0s" → "60s"'],
        });
    });

    test("the same inputs in read-back form: no diff", async () => {
        const state = await stateAfterCreate(dbInputs());
        expect(containerModel.diff({}, state, await check(dbInputs()))).toEqual({ changed: [], replace: [], details: [] });
    });

    test("memory without memorySwap: the engine's 2× swap read back is a change (Optional, not Computed: NewRemoved)", async () => {
        const state = await stateAfterCreate(dbInputs({ memory: 512 }));
        expect(state.memorySwap).toBe(1024);
        const diff = containerModel.diff({}, state, await check(dbInputs({ memory: 512 })));
        expect(diff).toEqual({ changed: ["memorySwap"], replace: [], details: ["memorySwap: 1024 → 0"] });
    });

    test("cpus '1' reads back as '1.0' (ForceNew): a replacement every time", async () => {
        const state = await stateAfterCreate(dbInputs({ cpus: "1" }), { HostConfig: { NanoCpus: 1e9 } });
        expect(state.cpus).toBe("1.0");
        expect(containerModel.diff({}, state, await check(dbInputs({ cpus: "1" }))).replace).toEqual(["cpus"]);
        expect(containerModel.diff({}, state, await check(dbInputs({ cpus: "1.0" }))).changed).toEqual([]);
    });

    test("a ForceNew change (image) is a replacement; an unknown new value counts as changed", async () => {
        const state = await stateAfterCreate(dbInputs());
        expect(containerModel.diff({}, state, await check(dbInputs({ image: `sha256:${"b".repeat(64)}` }))).replace).toEqual(["image"]);
        const unknown = containerModel.diff({}, state, await check(dbInputs({ image: UNKNOWN })));
        expect(unknown).toEqual({ changed: ["image"], replace: ["image"], details: [`image: "${IMAGE_ID}" → (unknown)`] });
    });

    test("sets compare without order (envs, uploads, labels); lists in order (command)", async () => {
        const state = await stateAfterCreate(dbInputs());
        const reordered = dbInputs({ envs: [...dbInputs().envs].reverse(), uploads: [...dbInputs().uploads].reverse() });
        expect(containerModel.diff({}, state, await check(reordered)).changed).toEqual([]);
        state.command = ["a", "b"];
        expect(containerModel.diff({}, state, await check(dbInputs({ command: ["b", "a"] }))).replace).toEqual(["command"]);
    });

    test("an Optional+Computed input left out keeps the state (no diff): healthcheck, command, entrypoints, init", async () => {
        const state = await stateAfterCreate(dbInputs());
        const { healthcheck, command, entrypoints, init, ...rest } = dbInputs();
        void [healthcheck, command, entrypoints, init];
        expect(containerModel.diff({}, state, await check(rest)).changed).toEqual([]);
    });

    test("a Default applies when the input is left out: restart back to 'no' is an in-place change", async () => {
        const state = await stateAfterCreate(dbInputs());
        const { restart, ...rest } = dbInputs();
        void restart;
        expect(containerModel.diff({}, state, await check(rest))).toEqual({ changed: ["restart"], replace: [], details: ['restart: "unless-stopped" → "no"'] });
    });

    test("ports: order-insensitive by internal port (suppress func); another IP is a replacement", async () => {
        const state = { ...(await stateAfterCreate(dbInputs())), ports: [{ internal: 80, external: 8080, ip: "127.0.0.1", protocol: "tcp" }, { internal: 5432, external: 15432, ip: "127.0.0.1", protocol: "tcp" }] };
        const swapped = [{ internal: 5432, external: 15432, ip: "127.0.0.1" }, { internal: 80, external: 8080, ip: "127.0.0.1" }];
        expect(containerModel.diff({}, state, await check(dbInputs({ ports: swapped }))).changed).toEqual([]);
        const moved = [{ internal: 5432, external: 15432, ip: "0.0.0.0" }, { internal: 80, external: 8080, ip: "127.0.0.1" }];
        expect(containerModel.diff({}, state, await check(dbInputs({ ports: moved }))).replace).toEqual(["ports"]);
    });

    test("non-ForceNew inputs change in place: destroyGraceSeconds, wait, waitTimeout, init, logs", async () => {
        const state = await stateAfterCreate(dbInputs());
        const diff = containerModel.diff({}, state, await check(dbInputs({ destroyGraceSeconds: 5, wait: false, waitTimeout: 10, init: false, logs: true })));
        expect(diff.changed.sort()).toEqual(["destroyGraceSeconds", "init", "logs", "wait", "waitTimeout"]);
        expect(diff.replace).toEqual([]);
    });
});

describe("Read (what state holds)", () => {
    test("healthcheck durations as Go's Duration.String(), memory in MB, swap in MB, init, restart, name without '/'", async () => {
        const state = await stateAfterCreate(dbInputs({ memory: 256, healthcheck: { tests: ["CMD", "true"], interval: "60s", startPeriod: "60s", timeout: "5s", retries: 3 } }));
        expect(state.healthcheck).toEqual({ tests: ["CMD", "true"], interval: "1m0s", timeout: "5s", startPeriod: "1m0s", startInterval: "0s", retries: 3 });
        expect(state).toMatchObject({ memory: 256, memorySwap: 512, init: true, restart: "unless-stopped", name: "nextstack-dev-db" });
    });

    test("image: a sha256: input reads back as the container's .Image, anything else as Config.Image", async () => {
        expect((await stateAfterCreate(dbInputs({ image: "sha256:abc" }), { Image: IMAGE_ID })).image).toBe(IMAGE_ID);
        expect((await stateAfterCreate(dbInputs({ image: "postgres:18" }), { Image: IMAGE_ID })).image).toBe("postgres:18");
    });

    test("envs, labels, uploads, networksAdvanced are not read: state keeps the config", async () => {
        const state = await stateAfterCreate(dbInputs());
        expect(state.envs).toEqual(dbInputs().envs);
        expect(state.labels).toEqual(dbInputs().labels);
        expect(state.networksAdvanced).toEqual(dbInputs().networksAdvanced);
        expect(state.uploads).toEqual(dbInputs().uploads.map((u: Props) => ({ ...u, executable: false })));
    });

    test("ports are read from NetworkSettings only when the program set ports", async () => {
        expect((await stateAfterCreate(dbInputs())).ports).toEqual([{ internal: 5432, external: 15432, ip: "127.0.0.1", protocol: "tcp" }]);
        expect((await stateAfterCreate(dbInputs({ ports: [] }))).ports).toEqual([]);
    });

    test("a stopped container: exitCode read, and mustRun false in state when it must run", async () => {
        const state = await stateAfterCreate(dbInputs(), { State: { Running: false, ExitCode: 3 } });
        expect(state).toMatchObject({ exitCode: 3, mustRun: false });
        expect((await stateAfterCreate(dbInputs())).exitCode).toBeUndefined();
    });

    test.each([
        [1_000_000_000n, "1.0"],
        [500_000_000n, "0.5"],
        [1_500_000_000n, "1.5"],
        [250_000_000n, "0.25"],
        [10_000_000_000n, "10."],
        [50_000_000n, "0.1"],
        [2_000_000_000n, "2.0"],
    ])("cpus read back with nanoInt64ToDecimalString: %p → %p", (nano, text) => {
        expect(nanoToDecimalString(nano)).toBe(text);
    });
});

describe("create (through a recording fake of the Engine API)", () => {
    test("a healthcheck startInterval on API 1.41 is refused by the Go client before the engine is touched (trap 16)", async () => {
        const { engine, calls } = fakeEngine({}, "1.41");
        const inputs = await check(dbInputs({ healthcheck: { tests: ["CMD", "true"], startInterval: "1s" } }));
        await expect(containerModel.create(engine, "db", inputs)).rejects.toThrow(
            'Unable to create container: "specify health-check start interval" requires API version 1.44, but the Docker daemon API version is 1.41',
        );
        expect(calls).toEqual([]);
    });

    test("on API 1.44 the same healthcheck is sent with StartInterval in nanoseconds", async () => {
        const inputs = await check(dbInputs({ healthcheck: { tests: ["CMD", "true"], startInterval: "1s" } }));
        const { engine, calls } = fakeEngine({ images: { [IMAGE_ID]: { Id: IMAGE_ID } }, containerInspect: [inspectOf(inputs)] }, "1.44");
        await containerModel.create(engine, "db", inputs);
        expect(calls.find((c) => c.op === "container.create")!.body.Healthcheck.StartInterval).toBe(1e9);
    });

    test("cpus that opts.ParseCPUs refuses fail the create before the engine is touched", async () => {
        const { engine, calls } = fakeEngine();
        await expect(containerModel.create(engine, "db", await check(dbInputs({ cpus: "lots" })))).rejects.toThrow("Error setting cpus: failed to parse lots as a rational number");
        expect(calls).toEqual([]);
        expect(parseCpus("1.5")).toBe(1_500_000_000n);
        expect(parseCpus("3/2")).toBe(1_500_000_000n);
        expect(() => parseCpus("0.0000000001")).toThrow("value is too precise");
    });

    test("the ContainerCreate request is the provider's: Init false when unset, NetworkMode bridge, no NetworkingConfig endpoints", async () => {
        const request = containerCreateRequest(withAllDefaults((await import("../../e2e/model/container")).CONTAINER_SCHEMA, await check({ name: "x", image: "img:1", memory: 64, cpus: "0.5", ports: [{ internal: 80, external: 8080 }] })));
        expect(request).toMatchObject({
            name: "x",
            Image: "img:1",
            ExposedPorts: { "80/tcp": {} },
            HostConfig: { Init: false, NetworkMode: "bridge", RestartPolicy: { Name: "no", MaximumRetryCount: 0 }, Memory: 64 * 1024 * 1024, NanoCpus: 5e8, PortBindings: { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }] } },
            NetworkingConfig: {},
        });
        expect(request.HostConfig.MemorySwap).toBeUndefined();
        expect(request.Healthcheck).toBeUndefined();
    });

    test("after create: leave the default bridge, connect each network with its aliases, one upload per file, start, wait, read", async () => {
        const inputs = await check(dbInputs());
        const { engine, calls, uploads } = fakeEngine({ images: { [IMAGE_ID]: { Id: IMAGE_ID } }, containerInspect: [{ State: { Health: { Status: "starting" } } }, inspectOf(inputs)] });
        const created = await containerModel.create(engine, "db", inputs);
        expect(ops(calls)).toEqual([
            "image.inspect", "container.create", "network.disconnect", "network.connect",
            "container.putArchive", "container.putArchive", "container.start", "container.inspect", "container.inspect", "container.inspect",
        ]);
        expect(calls[2]).toMatchObject({ target: "bridge", body: { Container: "c0ffee", Force: false } });
        expect(calls[3]).toMatchObject({ target: "nextstack-dev", body: { Container: "c0ffee", EndpointConfig: { Aliases: ["db"] } } });
        expect(uploads).toEqual([
            { name: "/run/secrets/pw", mode: 0o444, content: "s3cret" },
            { name: "/usr/local/bin/start.sh", mode: 0o755, content: "#!/bin/sh\n" },
        ]);
        expect(created.id).toBe("c0ffee");
        expect(created.outputs.healthcheck.startPeriod).toBe("1m0s");
    }, 10_000);

    test("upload modes: permissions first, else 0744 when executable, else 0644", () => {
        expect(uploadMode({ permissions: "0600", executable: true })).toBe(0o600);
        expect(uploadMode({ executable: true })).toBe(0o744);
        expect(uploadMode({})).toBe(0o644);
    });

    test("wait timing out fails after the container exists: PartialCreateError with its ID and the plan (no read-back)", async () => {
        const inputs = await check(dbInputs({ waitTimeout: 1, healthcheck: { ...dbInputs().healthcheck, startPeriod: "60s" } }));
        const { engine } = fakeEngine({ images: { [IMAGE_ID]: { Id: IMAGE_ID } }, containerInspect: [{ Name: "/x", State: { Running: true, Health: { Status: "starting" } } }] });
        const failure = await containerModel.create(engine, "db", inputs).catch((e) => e);
        expect(failure).toBeInstanceOf(PartialCreateError);
        expect(failure.message).toBe("container failed to be in healthy state");
        expect(failure.created.id).toBe("c0ffee");
        expect(failure.created.outputs.healthcheck.startPeriod).toBe("60s");
    }, 10_000);

    test("wait without a healthcheck on the container fails with the provider's message", async () => {
        const inputs = await check(dbInputs());
        const { engine } = fakeEngine({ images: { [IMAGE_ID]: { Id: IMAGE_ID } }, containerInspect: [{ State: { Running: true } }] });
        await expect(containerModel.create(engine, "db", inputs)).rejects.toThrow(/you have supplied a 'wait' argument, but the container does not have a healthcheck defined/);
    });

    test("attach + logs: wait for not-running, keep the logs; exitCode read back", async () => {
        const inputs = await check({ name: "m", image: IMAGE_ID, command: ["sh", "-c", "migrate"], mustRun: false, attach: true, logs: true });
        const stopped = inspectOf(inputs, { State: { Running: false, ExitCode: 0, Health: undefined } });
        const { engine, calls } = fakeEngine({ images: { [IMAGE_ID]: { Id: IMAGE_ID } }, containerInspect: [stopped], logs: "migrated\n" });
        const created = await containerModel.create(engine, "migrate", inputs);
        expect(calls.find((c) => c.op === "container.wait")!.body).toEqual({ condition: "not-running" });
        expect(calls.find((c) => c.op === "container.logs")!.body).toMatchObject({ follow: true, stdout: true, stderr: true });
        expect(created.outputs).toMatchObject({ containerLogs: "migrated\n", exitCode: 0, mustRun: false });
    });

    test("a missing image fails before anything is created, saying it must be built locally", async () => {
        const { engine, calls } = fakeEngine({ images: {} });
        await expect(containerModel.create(engine, "db", await check(dbInputs()))).rejects.toThrow(/unable to pull image .*build or load the image locally/);
        expect(ops(calls)).toEqual(["image.inspect"]);
    });
});

describe("update (resourceDockerContainerUpdate)", () => {
    test("memory without memorySwap: one ContainerUpdate, no MemorySwap; state is the plan (no Read)", async () => {
        const state = await stateAfterCreate(dbInputs({ memory: 256 }));
        const news = await check(dbInputs({ memory: 512 }));
        const { engine, calls } = fakeEngine();
        const after = await containerModel.update(engine, "db", "c0ffee", state, news, containerModel.diff({}, state, news));
        expect(calls).toEqual([
            { op: "container.update", target: "c0ffee", body: { RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 }, CpuShares: 0, Memory: 512 * 1024 * 1024, MemoryReservation: 0, CpusetCpus: "" } },
        ]);
        expect(after).toMatchObject({ memory: 512, healthcheck: state.healthcheck });
        expect(after.memorySwap).toBeUndefined();
    });

    test("memorySwap as an input is sent in bytes (-1 as is)", () => {
        expect(containerUpdateRequest({ restart: "no", memory: 256, memorySwap: 1024 }).MemorySwap).toBe(1024 * 1024 * 1024);
        expect(containerUpdateRequest({ restart: "no", memory: 256, memorySwap: -1 }).MemorySwap).toBe(-1);
    });

    test("healthcheck, destroyGraceSeconds, wait… change state only: nothing on the engine", async () => {
        const state = await stateAfterCreate(dbInputs());
        const news = await check(dbInputs({ destroyGraceSeconds: 5, healthcheck: { ...dbInputs().healthcheck, interval: "5s" } }));
        const { engine, calls } = fakeEngine();
        const after = await containerModel.update(engine, "db", "c0ffee", state, news, containerModel.diff({}, state, news));
        expect(calls).toEqual([]);
        expect(after).toMatchObject({ destroyGraceSeconds: 5, healthcheck: { interval: "5s" } });
    });

    test("mustRun false (a stopped container) → true starts it", async () => {
        const state = await stateAfterCreate(dbInputs(), { State: { Running: false, ExitCode: 1 } });
        const { engine, calls } = fakeEngine();
        await containerModel.update(engine, "db", "c0ffee", state, await check(dbInputs()), { changed: ["mustRun"], replace: [], details: [] });
        expect(ops(calls)).toEqual(["container.start"]);
    });

    test("the engine's refusal surfaces (20.10: memory above the swap set at create)", async () => {
        const state = await stateAfterCreate(dbInputs({ memory: 256 }));
        const refusal = engineError(409, "Cannot update container c0ffee: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time");
        const { engine } = fakeEngine({ fail: { "container.update": refusal } });
        await expect(containerModel.update(engine, "db", "c0ffee", state, await check(dbInputs({ memory: 1024 })), { changed: ["memory"], replace: [], details: [] })).rejects.toThrow(
            /Unable to update a container: .*Memory limit should be smaller than already set memoryswap limit/,
        );
    });
});

describe("delete (resourceDockerContainerDelete)", () => {
    test("stop with destroyGraceSeconds, remove with volumes and force, wait not-running; gone and already-stopped are fine", async () => {
        const { engine, calls } = fakeEngine({
            fail: { "container.stop": engineError(304, ""), "container.wait": engineError(404, "No such container: c0ffee") },
        });
        await containerModel.delete(engine, "db", "c0ffee", { destroyGraceSeconds: 30, removeVolumes: true });
        expect(calls).toEqual([
            { op: "container.stop", target: "c0ffee", body: { t: 30 } },
            { op: "container.remove", target: "c0ffee", body: { v: true, force: true } },
            { op: "container.wait", target: "c0ffee", body: { condition: "not-running" } },
        ]);
    });

    test("without destroyGraceSeconds the stop timeout is 0; attach containers are not stopped", async () => {
        const plain = fakeEngine();
        await containerModel.delete(plain.engine, "db", "c0ffee", { removeVolumes: true });
        expect(plain.calls[0]).toEqual({ op: "container.stop", target: "c0ffee", body: { t: 0 } });
        const attached = fakeEngine();
        await containerModel.delete(attached.engine, "m", "c0ffee", { attach: true, removeVolumes: false });
        expect(ops(attached.calls)).toEqual(["container.remove", "container.wait"]);
        expect(attached.calls[0].body).toEqual({ v: false, force: true });
    });

    test("other engine errors fail the delete", async () => {
        const { engine } = fakeEngine({ fail: { "container.remove": engineError(500, "driver failed") } });
        await expect(containerModel.delete(engine, "db", "c0ffee", {})).rejects.toThrow("Error deleting container c0ffee: driver failed");
    });
});

describe("preview", () => {
    test("previewCreate: inputs with every default known; computed-only outputs left out", async () => {
        const preview = containerModel.previewCreate(await check(dbInputs()));
        expect(preview).toMatchObject({ wait: true, attach: false, logs: false, mustRun: true, healthcheck: { startPeriod: "1m0s", startInterval: "0s" } });
        for (const computed of ["exitCode", "containerLogs", "networkDatas", "bridge"]) expect(preview[computed]).toBeUndefined();
    });

    test("previewUpdate: the plan, keeping Computed state the program leaves out", async () => {
        const state = await stateAfterCreate(dbInputs());
        const { command, ...rest } = dbInputs({ memory: 128 });
        void command;
        const preview = containerModel.previewUpdate(state, await check(rest));
        expect(preview).toMatchObject({ memory: 128, command: ["postgres"], networkDatas: state.networkDatas });
    });
});

const MB = 1024 * 1024;
const planOf = async (news: Props): Promise<Props> => withAllDefaults(CONTAINER_SCHEMA, await check(news));

describe("check: required nested fields and validator patterns (kw resourceDockerContainer schema, validators.go)", () => {
    test.each([
        [{ labels: [{ value: "dev" }] }, 'input "labels[0].label" is required'],
        [{ labels: [{ label: "nextstack.stack" }] }, 'input "labels[0].value" is required'],
        [{ ports: [{ external: 80 }] }, 'input "ports[0].internal" is required'],
        [{ mounts: [{ type: "volume", source: "v" }] }, 'input "mounts[0].target" is required'],
        [{ mounts: [{ target: "/x", source: "v" }] }, 'input "mounts[0].type" is required'],
        [{ networksAdvanced: [{ aliases: ["db"] }] }, 'input "networksAdvanced[0].name" is required'],
        [{ uploads: [{ content: "c" }] }, 'input "uploads[0].file" is required'],
    ])("%j: %s", async (extra, message) => {
        await expect(check(dbInputs(extra))).rejects.toThrow(`docker:index/container:Container db: ${message}`);
    });

    test.each(["07555", "10755", "0855"])("upload permissions %s do not match ^0[0-7]{3}$ (anchored both ends)", async (permissions) => {
        await expect(check(dbInputs({ uploads: [{ file: "/f", content: "c", permissions }] }))).rejects.toThrow(
            `input "uploads[0].permissions": '${permissions}' doesn't match the pattern '^0[0-7]{3}$'`,
        );
    });

    test.each(["nope", "always2", "xalways"])("restart %s does not match ^(no|on-failure|always|unless-stopped)$ (anchored both ends)", async (restart) => {
        await expect(check(dbInputs({ restart }))).rejects.toThrow(`input "restart": '${restart}' doesn't match the pattern '^(no|on-failure|always|unless-stopped)$'`);
    });

    test.each(["no", "on-failure", "always", "unless-stopped"])("restart %s is accepted", async (restart) => {
        await expect(check(dbInputs({ restart }))).resolves.toMatchObject({ restart });
    });

    test("validateDurationGeq0: a zero duration is accepted (only negatives are refused)", async () => {
        const healthcheck = { tests: ["CMD", "true"], interval: "0s", timeout: "0", startPeriod: "0ms", startInterval: "0h" };
        await expect(check(dbInputs({ healthcheck }))).resolves.toMatchObject({ healthcheck });
    });
});

describe("diff: ForceNew and Optional+Computed attributes (kw schema)", () => {
    test.each([
        ["name", { name: "nextstack-prod-db" }],
        ["entrypoints", { entrypoints: ["/bin/sh"] }],
        ["envs", { envs: ["POSTGRES_USER=app"] }],
        ["mounts", { mounts: [{ type: "volume", source: "other", target: "/var/lib/postgresql" }] }],
        ["networkMode", { networkMode: "host" }],
    ])("a change of %s replaces the container", async (key, change) => {
        const state = await stateAfterCreate(dbInputs());
        expect(containerModel.diff({}, state, await check(dbInputs(change)))).toMatchObject({ changed: [key], replace: [key] });
    });

    test("envs and labels (Optional+Computed) left out keep the state", async () => {
        const state = await stateAfterCreate(dbInputs());
        const { envs, labels, ...rest } = dbInputs();
        void [envs, labels];
        expect(containerModel.diff({}, state, await check(rest))).toEqual({ changed: [], replace: [], details: [] });
    });
});

describe("diff: ports through suppressIfPortsDidNotChangeForMigrationV0ToV1", () => {
    const db = { internal: 5432, external: 15432, ip: "127.0.0.1", protocol: "tcp" };
    test.each([
        ["same port, state without ip/protocol (defaults 0.0.0.0/tcp)", [{ internal: 5432, external: 15432 }], [{ internal: 5432, external: 15432 }], false],
        ["external left out (Computed): the state's stands", [db], [{ internal: 5432, ip: "127.0.0.1" }], false],
        ["another external port", [db], [{ internal: 5432, external: 15433, ip: "127.0.0.1" }], true],
        ["another protocol for the same internal port", [{ ...db, protocol: "udp" }], [{ internal: 5432, external: 15432, ip: "127.0.0.1" }], true],
        ["a port added (lengths differ)", [db], [{ internal: 5432, external: 15432, ip: "127.0.0.1" }, { internal: 80, external: 8080 }], true],
        ["a port removed (lengths differ)", [db, { ...db, internal: 80, external: 8080 }], [{ internal: 5432, external: 15432, ip: "127.0.0.1" }], true],
    ])("%s", async (_what, statePorts, ports, replaced) => {
        const state = { ...(await stateAfterCreate(dbInputs())), ports: statePorts };
        const diff = containerModel.diff({}, state, await check(dbInputs({ ports })));
        expect(diff.replace).toEqual(replaced ? ["ports"] : []);
        expect(diff.changed).toEqual(replaced ? ["ports"] : []);
    });
});

describe("cpus: docker/cli opts.ParseCPUs (big.Rat SetString) and kw nanoInt64ToDecimalString", () => {
    test.each([
        ["2", 2_000_000_000n],
        [".5", 500_000_000n],
        ["1e3", 1_000_000_000_000n],
        ["1E3", 1_000_000_000_000n],
        ["1e+3", 1_000_000_000_000n],
        ["1e-3", 1_000_000n],
        ["1e10", 10_000_000_000_000_000_000n],
        ["-3/2", -1_500_000_000n],
        ["10/4", 2_500_000_000n],
        ["3/10", 300_000_000n],
    ])("ParseCPUs(%p) = %p nanocpus", (value, nano) => {
        expect(parseCpus(value)).toBe(nano);
    });

    test.each(["x1.5", "1.5x", "x3/2", "3/2x", "1/0", ".", "1e", "e3"])("ParseCPUs(%p) fails: not a rational number", (value) => {
        expect(() => parseCpus(value)).toThrow(new Error(`failed to parse ${value} as a rational number`));
    });

    test.each([
        [0n, "0"],
        [1_234_567_891n, "1.234567891"],
        [-1_500_000_000n, "-1.5"],
        [-500_000_000n, "-0.5"],
    ])("nanoInt64ToDecimalString(%p) = %p", (nano, text) => {
        expect(nanoToDecimalString(nano)).toBe(text);
    });
});

describe("moby ContainerCreate version gate: StartInterval needs API ≥ 1.44 (numeric compare)", () => {
    const request = { Healthcheck: { StartInterval: 1e9 } };
    test.each(["1.9", "1.41", "1.43"])("API %s is refused", (version) => {
        expect(() => checkCreateVersionGates(request, version)).toThrow(
            new Error(`Unable to create container: "specify health-check start interval" requires API version 1.44, but the Docker daemon API version is ${version}`),
        );
    });
    test.each(["1.44", "1.45", "1.51"])("API %s is fine", (version) => {
        expect(() => checkCreateVersionGates(request, version)).not.toThrow();
    });
});

describe("the ContainerCreate request (kw resourceDockerContainerCreate)", () => {
    test("a bare container: fixed Config/HostConfig fields, nothing for unset inputs", async () => {
        expect(containerCreateRequest(await planOf({ name: "x", image: "img:1" }))).toStrictEqual({
            name: "x", Image: "img:1", Hostname: "", Domainname: "", Tty: false, OpenStdin: false,
            HostConfig: {
                Privileged: false, PublishAllPorts: false, RestartPolicy: { Name: "no", MaximumRetryCount: 0 }, Runtime: "", Mounts: [], AutoRemove: false,
                ReadonlyRootfs: false, LogConfig: { Type: "" }, NetworkMode: "bridge", Init: false,
            },
            NetworkingConfig: {},
        });
    });

    test("every modelled input: env, cmd, entrypoint, ports, labels, healthcheck in ns, mounts, init, memory in bytes, NanoCpus", async () => {
        const planned = await planOf(dbInputs({
            memory: 256, memorySwap: 1024, cpus: "1.5",
            ports: [{ internal: 5432, external: 15432, ip: "127.0.0.1" }, { internal: 53, protocol: "udp" }],
            mounts: [{ type: "volume", source: "nextstack-dev-pgdata", target: "/var/lib/postgresql" }, { type: "volume", target: "/cache", readOnly: true }],
        }));
        expect(containerCreateRequest(planned)).toStrictEqual({
            name: "nextstack-dev-db", Image: IMAGE_ID, Hostname: "", Domainname: "", Tty: false, OpenStdin: false,
            Env: ["POSTGRES_USER=app", "POSTGRES_DB=app"],
            Cmd: ["postgres"],
            Entrypoint: ["/usr/local/bin/start.sh"],
            ExposedPorts: { "5432/tcp": {}, "53/udp": {} },
            Labels: { "nextstack.stack": "dev" },
            Healthcheck: { Test: ["CMD", "true"], Interval: 60e9, Timeout: 5e9, StartPeriod: 60e9, StartInterval: 0, Retries: 3 },
            HostConfig: {
                Privileged: false, PublishAllPorts: false, RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 }, Runtime: "",
                Mounts: [
                    { Type: "volume", Target: "/var/lib/postgresql", Source: "nextstack-dev-pgdata", ReadOnly: false },
                    { Type: "volume", Target: "/cache", Source: "", ReadOnly: true },
                ],
                AutoRemove: false, ReadonlyRootfs: false, LogConfig: { Type: "" }, NetworkMode: "bridge", Init: true,
                PortBindings: { "5432/tcp": [{ HostIp: "127.0.0.1", HostPort: "15432" }], "53/udp": [{ HostIp: "0.0.0.0", HostPort: "" }] },
                Memory: 256 * MB, MemorySwap: 1024 * MB, NanoCpus: 1.5e9,
            },
            NetworkingConfig: {},
        });
    });

    test("a healthcheck without tests sends Test []", async () => {
        expect(containerCreateRequest(await planOf({ name: "x", image: "img:1", healthcheck: { interval: "5s" } })).Healthcheck).toStrictEqual({
            Test: [], Interval: 5e9, Timeout: 0, StartPeriod: 0, StartInterval: 0, Retries: 0,
        });
    });

    test("memory_swap: MB become bytes, -1 (unlimited) stays -1", async () => {
        expect(containerCreateRequest(await planOf({ name: "x", image: "img:1", memory: 64, memorySwap: 128 })).HostConfig.MemorySwap).toBe(128 * MB);
        expect(containerCreateRequest(await planOf({ name: "x", image: "img:1", memory: 64, memorySwap: -1 })).HostConfig.MemorySwap).toBe(-1);
    });

    test("an empty command element: 'values for command may not be empty'", async () => {
        expect(() => containerCreateRequest({ ...{ name: "x", image: "img:1" }, command: ["sh", ""] })).toThrow(new Error("values for command may not be empty"));
    });
});

describe("Read: what resourceDockerContainerRead sets from a sparse inspect", () => {
    const sparse = {
        Name: "/x",
        Image: IMAGE_ID,
        State: { Running: true, ExitCode: 0 },
        Config: { Image: "img:1", Cmd: null, Entrypoint: null, Healthcheck: { Test: null } },
        HostConfig: { NetworkMode: "bridge", MemorySwap: -1 },
    };

    test("null Cmd/Entrypoint/Test read as [], no restart policy as '', no Init as false, no mounts as [], swap -1 as -1", async () => {
        const state = readContainerState(await planOf({ name: "x", image: "img:1" }), sparse as any);
        expect(state).toMatchObject({
            command: [], entrypoints: [], restart: "", init: false, mounts: [], memory: 0, memorySwap: -1,
            healthcheck: { tests: [], interval: "0s", timeout: "0s", startPeriod: "0s", startInterval: "0s", retries: 0 },
        });
    });

    test("no NetworkSettings: no bridge, no network data", async () => {
        const state = readContainerState(await planOf({ name: "x", image: "img:1" }), sparse as any);
        expect(state.bridge).toBeUndefined();
        expect(state.networkDatas).toBeUndefined();
    });

    test("bridge as reported ('' when absent); network data per network (flattenContainerNetworks)", async () => {
        const planned = await planOf({ name: "x", image: "img:1" });
        const networks = {
            a: { IPAddress: "172.20.0.2", IPPrefixLen: 16, Gateway: "172.20.0.1", GlobalIPv6Address: "fd00::2", GlobalIPv6PrefixLen: 64, IPv6Gateway: "fd00::1", MacAddress: "02:42:ac:14:00:02" },
            b: { IPAddress: "172.21.0.3", IPPrefixLen: 24, Gateway: "172.21.0.1", GlobalIPv6Address: "", GlobalIPv6PrefixLen: 0, IPv6Gateway: "", MacAddress: "02:42:ac:15:00:03" },
        };
        const state = readContainerState(planned, { ...sparse, NetworkSettings: { Bridge: "docker0", Networks: networks } } as any);
        expect(state.bridge).toBe("docker0");
        expect(state.networkDatas).toStrictEqual([
            { networkName: "a", ipAddress: "172.20.0.2", ipPrefixLength: 16, gateway: "172.20.0.1", globalIpv6Address: "fd00::2", globalIpv6PrefixLength: 64, ipv6Gateway: "fd00::1", macAddress: "02:42:ac:14:00:02" },
            { networkName: "b", ipAddress: "172.21.0.3", ipPrefixLength: 24, gateway: "172.21.0.1", globalIpv6Address: "", globalIpv6PrefixLength: 0, ipv6Gateway: "", macAddress: "02:42:ac:15:00:03" },
        ]);
        const bare = readContainerState(planned, { ...sparse, NetworkSettings: {} } as any);
        expect(bare).toMatchObject({ bridge: "", networkDatas: [] });
    });

    const published = { "5432/tcp": [{ HostIp: "0.0.0.0", HostPort: "32768" }] };
    test.each([
        ["running, must run: read", true, true, published, [{ internal: 5432, external: 32768, ip: "0.0.0.0", protocol: "tcp" }]],
        ["running, need not run: read", true, false, published, [{ internal: 5432, external: 32768, ip: "0.0.0.0", protocol: "tcp" }]],
        ["stopped, must run: read (none published)", false, true, null, []],
        ["stopped, need not run: the plan stays", false, false, null, [{ internal: 5432, ip: "0.0.0.0", protocol: "tcp" }]],
    ])("ports: %s", async (_what, running, mustRun, ports, expected) => {
        const planned = await planOf({ name: "x", image: "img:1", mustRun, ports: [{ internal: 5432 }] });
        const state = readContainerState(planned, { ...sparse, State: { Running: running, ExitCode: 0 }, NetworkSettings: { Ports: ports } } as any);
        expect(state.ports).toStrictEqual(expected);
    });

    test("ports: none in the program, none read; published ones come sorted by port number, one entry per binding", async () => {
        const settings = { Ports: { "8080/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }], "443/tcp": [{ HostIp: "0.0.0.0", HostPort: "443" }, { HostIp: "::", HostPort: "443" }], "80/tcp": null } };
        expect(readContainerState(await planOf({ name: "x", image: "img:1" }), { ...sparse, NetworkSettings: settings } as any).ports).toBeUndefined();
        const planned = await planOf({ name: "x", image: "img:1", ports: [{ internal: 80 }, { internal: 443 }, { internal: 8080 }] });
        expect(readContainerState(planned, { ...sparse, NetworkSettings: settings } as any).ports).toStrictEqual([
            { internal: 443, external: 443, ip: "0.0.0.0", protocol: "tcp" },
            { internal: 443, external: 443, ip: "::", protocol: "tcp" },
            { internal: 8080, external: 8080, ip: "0.0.0.0", protocol: "tcp" },
        ]);
    });
});

/** A fake engine whose created container is adjusted (e.g. a wait that never ends), and an optional working directory. */
function fakeWith(responses: FakeResponses, adjust: (container: any) => void = () => undefined, cwd?: string) {
    const fake = fakeEngine({ images: { "img:1": { Id: IMAGE_ID }, [IMAGE_ID]: { Id: IMAGE_ID } }, ...responses });
    const docker: any = fake.engine.docker;
    const engine: Engine = {
        ...fake.engine,
        cwd: cwd ?? fake.engine.cwd,
        docker: { ...docker, createContainer: async (body: any) => { const c = await docker.createContainer(body); adjust(c); return c; } } as any,
    };
    return { ...fake, engine };
}

const failureOf = (promise: Promise<unknown>) => promise.then(() => undefined, (e) => e);

describe("create: the steps after ContainerCreate and their errors (kw resourceDockerContainerCreate)", () => {
    test("no networks, no uploads, start false: no network calls, no start", async () => {
        const { engine, calls } = fakeWith({ containerInspect: [inspectOf({ name: "x", image: "img:1" }, { State: { Running: false } })] });
        await containerModel.create(engine, "x", await check({ name: "x", image: "img:1", start: false, mustRun: false }));
        expect(ops(calls)).toEqual(["image.inspect", "container.create", "container.inspect"]);
    });

    test("an image lookup failure other than 'not found' surfaces as is", async () => {
        const { engine } = fakeWith({ fail: { "image.inspect": engineError(500, "daemon unavailable") } });
        await expect(containerModel.create(engine, "x", await check({ name: "x", image: "img:1" }))).rejects.toThrow(new Error("(HTTP code 500) unexpected - daemon unavailable"));
    });

    test("a refused ContainerCreate: 'Unable to create container: …', nothing in state (no ID yet)", async () => {
        const { engine } = fakeWith({ fail: { "container.create": engineError(409, 'Conflict. The container name "/x" is already in use') } });
        const failure = await failureOf(containerModel.create(engine, "x", await check({ name: "x", image: "img:1" })));
        expect(failure).toEqual(new Error('Unable to create container: Conflict. The container name "/x" is already in use'));
        expect(failure).not.toBeInstanceOf(PartialCreateError);
    });

    test("NetworkConnect with the provider's endpoint config; a network without aliases has Aliases []", async () => {
        const { engine, calls } = fakeWith({ containerInspect: [inspectOf({ name: "x", image: "img:1" })] });
        await containerModel.create(engine, "x", await check({ name: "x", image: "img:1", networksAdvanced: [{ name: "n1" }] }));
        expect(calls.filter((c) => c.op === "network.connect")).toStrictEqual([{
            op: "network.connect", target: "n1",
            body: { Container: "c0ffee", EndpointConfig: { Aliases: [], IPAMConfig: { IPv4Address: "", IPv6Address: "", LinkLocalIPs: [] }, MacAddress: "", DriverOpts: {}, GwPriority: 0 } },
        }]);
    });

    test("'is not connected to the network bridge' on the disconnect is ignored", async () => {
        const { engine, calls } = fakeWith({
            containerInspect: [inspectOf({ name: "x", image: "img:1" })],
            fail: { "network.disconnect": engineError(403, "container c0ffee is not connected to the network bridge") },
        });
        await containerModel.create(engine, "x", await check({ name: "x", image: "img:1", networksAdvanced: [{ name: "n1" }] }));
        expect(ops(calls)).toContain("network.connect");
    });

    const networked = { name: "x", image: "img:1", networksAdvanced: [{ name: "n1" }] };
    const uploading = { name: "x", image: "img:1", uploads: [{ file: "/f", content: "c" }] };
    test.each([
        ["network.disconnect", networked, engineError(500, "boom"), "Unable to disconnect the default network: boom"],
        ["network.connect", networked, engineError(404, "network n1 not found"), "Unable to connect to network 'n1': network n1 not found"],
        ["container.putArchive", uploading, engineError(500, "no space left on device"), "Unable to upload volume content: no space left on device"],
        ["container.start", { name: "x", image: "img:1" }, engineError(500, "port is already allocated"), "Unable to start container: port is already allocated"],
    ])("%s failing after the container exists: PartialCreateError with the provider's message", async (op, inputs, error, message) => {
        const { engine } = fakeWith({ fail: { [op]: error } });
        const failure = await failureOf(containerModel.create(engine, "x", await check(inputs)));
        expect(failure).toBeInstanceOf(PartialCreateError);
        expect(failure.message).toBe(message);
        expect(failure.created.id).toBe("c0ffee");
    });

    test("uploads are put at '/'; content_base64 is decoded; an empty content counts as unset", async () => {
        const { engine, calls, uploads } = fakeWith({ containerInspect: [inspectOf({ name: "x", image: "img:1" })] });
        await containerModel.create(engine, "x", await check({ name: "x", image: "img:1", uploads: [{ file: "/b64", content: "", contentBase64: Buffer.from("hello").toString("base64") }] }));
        expect(calls.find((c) => c.op === "container.putArchive")!.body).toStrictEqual({ path: "/" });
        expect(uploads).toEqual([{ name: "/b64", mode: 0o644, content: "hello" }]);
    });

    test("an upload source is read relative to the working directory; a missing one: 'could not read file: …'", async () => {
        const dir = project({ "init.sql": "select 1;\n" });
        const { engine, uploads } = fakeWith({ containerInspect: [inspectOf({ name: "x", image: "img:1" })] }, undefined, dir);
        await containerModel.create(engine, "x", await check({ name: "x", image: "img:1", uploads: [{ file: "/init.sql", source: "init.sql" }] }));
        expect(uploads).toEqual([{ name: "/init.sql", mode: 0o644, content: "select 1;\n" }]);
        const missing = fakeWith({}, undefined, dir);
        const failure = await failureOf(containerModel.create(missing.engine, "x", await check({ name: "x", image: "img:1", uploads: [{ file: "/f", source: "missing.sql" }] })));
        expect(failure).toBeInstanceOf(PartialCreateError);
        expect(failure.message).toMatch(/^could not read file: ENOENT/);
    });

    test.each([
        [{ file: "/f" }, "error with upload content: one of 'content', 'content_base64', or 'source' must be set"],
        [{ file: "/f", content: "", contentBase64: "", source: "" }, "error with upload content: one of 'content', 'content_base64', or 'source' must be set"],
        [{ file: "/f", content: "c", contentBase64: "Yw==" }, "error with upload content: only one of 'content', 'content_base64', or 'source' can be set"],
        [{ file: "/f", content: "c", source: "f.txt" }, "error with upload content: only one of 'content', 'content_base64', or 'source' can be set"],
    ])("upload %j: %s", async (upload, message) => {
        const { engine } = fakeWith({});
        const failure = await failureOf(containerModel.create(engine, "x", await check({ name: "x", image: "img:1", uploads: [upload] })));
        expect(failure).toBeInstanceOf(PartialCreateError);
        expect(failure.message).toBe(message);
    });

    test("wait: a container without State/Health fails with the provider's exact message", async () => {
        const { engine } = fakeWith({ containerInspect: [{}] });
        const failure = await failureOf(containerModel.create(engine, "x", await check({ name: "x", image: "img:1", wait: true })));
        expect(failure.message).toBe(
            "you have supplied a 'wait' argument, but the container does not have a healthcheck defined. Please remove the 'wait' argument or add a 'healthcheck' attribute",
        );
    });

    test("wait with waitTimeout 0 fails even for a healthy container: the deadline has already passed", async () => {
        const { engine } = fakeWith({ containerInspect: [{ State: { Running: true, Health: { Status: "healthy" } } }] });
        const failure = await failureOf(containerModel.create(engine, "x", await check({ name: "x", image: "img:1", wait: true, waitTimeout: 0 })));
        expect(failure).toBeInstanceOf(PartialCreateError);
        expect(failure.message).toBe("container failed to be in healthy state");
    });

    test("attach without logs: no log stream, no containerLogs", async () => {
        const { engine, calls } = fakeWith({ containerInspect: [inspectOf({ name: "x", image: "img:1" }, { State: { Running: false } })] });
        const created = await containerModel.create(engine, "x", await check({ name: "x", image: "img:1", mustRun: false, attach: true }));
        expect(ops(calls)).not.toContain("container.logs");
        expect(created.outputs.containerLogs).toBeUndefined();
    });

    test("attach + logs: a log stream error fails with 'unable to copy container logs: …'", async () => {
        const broken = (c: any) => {
            c.logs = async () => {
                const stream = new PassThrough();
                setImmediate(() => stream.destroy(new Error("unexpected EOF")));
                return stream;
            };
        };
        const { engine } = fakeWith({}, broken);
        const failure = await failureOf(containerModel.create(engine, "x", await check({ name: "x", image: "img:1", mustRun: false, attach: true, logs: true })));
        expect(failure).toBeInstanceOf(PartialCreateError);
        expect(failure.message).toBe("unable to copy container logs: unexpected EOF");
    }, 2_000);

    test("a failed ContainerWait: 'Unable to wait container end of execution: …'", async () => {
        const { engine } = fakeWith({ fail: { "container.wait": engineError(500, "container c0ffee: driver failed") } });
        const failure = await failureOf(containerModel.create(engine, "x", await check({ name: "x", image: "img:1", mustRun: false, attach: true })));
        expect(failure).toBeInstanceOf(PartialCreateError);
        expect(failure.message).toBe("Unable to wait container end of execution: container c0ffee: driver failed");
    });
});

describe("create: attach is bounded by the 20 min Create timeout (kw Timeouts.Create)", () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    test("a container that never stops: 'context deadline exceeded' at 20 min, not before", async () => {
        const { engine } = fakeWith({}, (c) => (c.wait = () => new Promise(() => undefined)));
        let settled: any = "pending";
        void containerModel.create(engine, "x", await check({ name: "x", image: "img:1", mustRun: false, attach: true })).then((v) => (settled = v), (e) => (settled = e));
        await jest.advanceTimersByTimeAsync(20 * 60 * 1000 - 1);
        expect(settled).toBe("pending");
        await jest.advanceTimersByTimeAsync(1);
        expect(settled).toBeInstanceOf(PartialCreateError);
        expect(settled.message).toBe("Unable to wait container end of execution: context deadline exceeded");
    });

    test("a container that stops: the timer is cleared", async () => {
        const { engine } = fakeWith({ containerInspect: [inspectOf({ name: "x", image: "img:1" }, { State: { Running: false } })] });
        await containerModel.create(engine, "x", await check({ name: "x", image: "img:1", mustRun: false, attach: true }));
        expect(jest.getTimerCount()).toBe(0);
    });
});

describe("update: which changes make a ContainerUpdate (kw Update attrs: restart, memory, memory_swap)", () => {
    const update = async (state: Props, news: Props, responses: FakeResponses = {}) => {
        const { engine, calls } = fakeEngine(responses);
        const checked = await check(news);
        await containerModel.update(engine, "db", "c0ffee", state, checked, containerModel.diff({}, state, checked));
        return calls;
    };

    test("restart alone", async () => {
        const calls = await update(await stateAfterCreate(dbInputs()), dbInputs({ restart: "always" }));
        expect(calls).toStrictEqual([
            { op: "container.update", target: "c0ffee", body: { RestartPolicy: { Name: "always", MaximumRetryCount: 0 }, CpuShares: 0, Memory: 0, MemoryReservation: 0, CpusetCpus: "" } },
        ]);
    });

    test("memory alone (memorySwap unchanged)", async () => {
        const state = await stateAfterCreate(dbInputs({ memory: 256, memorySwap: 512 }));
        expect(ops(await update(state, dbInputs({ memory: 384, memorySwap: 512 })))).toEqual(["container.update"]);
    });

    test("memorySwap alone, sent in bytes", async () => {
        const state = await stateAfterCreate(dbInputs({ memory: 256, memorySwap: 512 }));
        const calls = await update(state, dbInputs({ memory: 256, memorySwap: 1024 }));
        expect(calls.map((c) => c.body.MemorySwap)).toEqual([1024 * MB]);
    });

    test("restart, memory and memorySwap unchanged (non-zero): nothing on the engine", async () => {
        const state = await stateAfterCreate(dbInputs({ memory: 256, memorySwap: 512 }));
        expect(await update(state, dbInputs({ memory: 256, memorySwap: 512, destroyGraceSeconds: 5 }))).toEqual([]);
    });

    test("mustRun false in state and false in the program: not started", async () => {
        const state = await stateAfterCreate(dbInputs({ mustRun: false }), { State: { Running: false, ExitCode: 1 } });
        expect(await update(state, dbInputs({ mustRun: false }))).toEqual([]);
    });

    test("a failed start on must_run false → true: 'Unable to start container: …'", async () => {
        const state = await stateAfterCreate(dbInputs(), { State: { Running: false, ExitCode: 1 } });
        await expect(update(state, dbInputs(), { fail: { "container.start": engineError(500, "port is already allocated") } })).rejects.toThrow(
            new Error("Unable to start container: port is already allocated"),
        );
    });

    test("previewUpdate keeps the computed-only outputs from state: exitCode, containerLogs, bridge", async () => {
        const state = { ...(await stateAfterCreate(dbInputs())), exitCode: 3, containerLogs: "done\n", bridge: "" };
        expect(containerModel.previewUpdate(state, await check(dbInputs()))).toMatchObject({ exitCode: 3, containerLogs: "done\n", bridge: "" });
    });
});

describe("delete: which engine errors are ignored (kw resourceDockerContainerDelete)", () => {
    test.each([
        ["container.stop", "No such container: c0ffee"],
        ["container.remove", "No such container: c0ffee"],
        ["container.remove", "removal of container c0ffee is already in progress"],
        ["container.wait", "No such container: c0ffee"],
        ["container.wait", "removal of container c0ffee is already in progress"],
    ])("%s '%s' is ignored: the delete goes on and succeeds", async (op, message) => {
        const { engine, calls } = fakeEngine({ fail: { [op]: engineError(404, message) } });
        await containerModel.delete(engine, "db", "c0ffee", { removeVolumes: true });
        expect(ops(calls)).toEqual(["container.stop", "container.remove", "container.wait"]);
    });

    test.each([
        ["container.stop", "Error stopping container c0ffee: cannot stop container: permission denied"],
        ["container.wait", "Error waiting for container removal 'c0ffee': cannot stop container: permission denied"],
    ])("%s failing otherwise fails the delete: %s", async (op, message) => {
        const { engine } = fakeEngine({ fail: { [op]: engineError(500, "cannot stop container: permission denied") } });
        await expect(containerModel.delete(engine, "db", "c0ffee", { removeVolumes: true })).rejects.toThrow(new Error(message));
    });
});
