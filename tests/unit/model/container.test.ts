import {
    containerCreateRequest, containerModel, containerUpdateRequest, nanoToDecimalString, parseCpus, readContainerState, uploadMode,
} from "../../e2e/model/container";
import { withAllDefaults } from "../../e2e/model/sdkv2";
import { PartialCreateError, Props, UNKNOWN } from "../../e2e/model/types";
import { engineError, fakeEngine, ops } from "./fakeDocker";

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
