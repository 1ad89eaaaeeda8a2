import { PASSWORD_SYNCED_MARKER, postgresStartScript, START_SCRIPT_PATH } from "../../components/postgres";
import { envOf, ProgramRun, publishedPorts, runProgram, stackConfig, T, valueOf } from "./harness";

// The dev stack, from the real Pulumi.dev.yaml: the database only, published on loopback.
let run: ProgramRun;
beforeAll(async () => {
    run = await runProgram({ stack: "dev", config: stackConfig("Pulumi.dev.yaml") });
});

test("declares the network, the database and nothing of the app or proxy", () => {
    expect(run.all(T.network)).toHaveLength(1);
    expect(run.all(T.container).map((c) => c.inputs.name)).toEqual(["nextstack-dev-db"]);
    expect(run.all(T.image)).toHaveLength(0);
});

test("names and labels every Docker object with project and stack", () => {
    expect(run.one(T.network).inputs.name).toBe("nextstack-dev");
    expect(run.one(T.volume).inputs.name).toBe("nextstack-dev-pgdata");
    for (const r of [run.one(T.network), run.one(T.volume), run.one(T.container)]) {
        expect(r.inputs.labels).toEqual(
            expect.arrayContaining([
                { label: "nextstack.project", value: "nextstack" },
                { label: "nextstack.stack", value: "dev" },
            ]),
        );
    }
});

test("publishes Postgres on 127.0.0.1 only", () => {
    expect(publishedPorts(run.one(T.container))).toEqual(["127.0.0.1:5432->5432"]);
});

test("exports a host URL for next dev that uses the published loopback port, as a secret", async () => {
    // dbPublishPort 5432 on the default address 127.0.0.1; the password is the generated one (the mock's value).
    expect(await valueOf(run.outputs.dbHostUrl)).toBe("postgresql://nextstack:Generated0Password0Of0Length0032@127.0.0.1:5432/nextstack");
    expect(await run.outputs.dbHostUrl.isSecret).toBe(true);
    // Containers on the network still reach it by alias, on the container port.
    expect(await valueOf(run.outputs.dbUrl)).toBe("postgresql://nextstack:Generated0Password0Of0Length0032@db:5432/nextstack");
});

test("the database joins the stack network as db and is healthchecked over TCP", () => {
    const db = run.one(T.container);
    expect(db.inputs.networksAdvanced).toEqual([{ name: "nextstack-dev", aliases: ["db"] }]);
    expect(db.inputs.healthcheck.tests).toEqual(["CMD-SHELL", `pg_isready -h 127.0.0.1 -p 5432 -U nextstack -d nextstack && test -f ${PASSWORD_SYNCED_MARKER}`]);
    expect(db.inputs.healthcheck.startInterval).toBe("1s");
    expect(db.inputs.wait).toBe(true);
    expect(db.inputs.restart).toBe("unless-stopped");
    // The default stopGraceSeconds: Postgres gets 30 s to checkpoint before it is killed.
    expect(db.inputs.destroyGraceSeconds).toBe(30);
    expect(db.replaceOnChanges).toEqual(["healthcheck", "memory", "memorySwap"]);
});

test("mounts the volume where Postgres 18 keeps its data and pins the image by its ID", () => {
    const db = run.one(T.container);
    expect(db.inputs.mounts).toEqual([{ type: "volume", source: "nextstack-dev-pgdata", target: "/var/lib/postgresql" }]);
    expect(run.one(T.remoteImage).inputs).toMatchObject({ name: "postgres:18-alpine", keepLocally: true });
    // The image input is the pulled image's ID (not the tag): a new image behind the tag replaces the container.
    expect(db.propertyDependencies.image).toEqual([run.one(T.remoteImage).urn]);
});

test("the password reaches Postgres as a secret file, never in its environment", () => {
    const db = run.one(T.container);
    const env = envOf(db);
    expect(env.POSTGRES_PASSWORD_FILE).toBe("/run/secrets/postgres-password");
    expect(env.POSTGRES_PASSWORD).toBeUndefined();
    // World-readable (0444): the postgres user the image switches to must read a file uploaded as root.
    expect(db.inputs.uploads).toContainEqual({ file: "/run/secrets/postgres-password", content: "Generated0Password0Of0Length0032", permissions: "0444" });
    expect(db.secretInputs.has("uploads")).toBe(true);
    expect(JSON.stringify(db.inputs.envs)).not.toContain("Generated0Password");
});

test("the dev volume outlives destroy, as the seed's bind-mounted data outlived compose down", () => {
    expect(run.one(T.volume).protect).toBe(true);
    expect(run.one(T.volume).retainOnDelete).toBe(true);
});

test("starts Postgres through the start script that makes the role's password match the file", () => {
    const db = run.one(T.container);
    expect(db.inputs.entrypoints).toEqual([START_SCRIPT_PATH]);
    expect(db.inputs.command).toEqual(["postgres"]);
    expect(db.inputs.init).toBe(true);
    // Executable (0755): it is the entrypoint.
    expect(db.inputs.uploads).toContainEqual({ file: START_SCRIPT_PATH, content: postgresStartScript(), permissions: "0755" });
    expect(db.inputs.uploads).toHaveLength(2);
});

test("exports no app or proxy when the stack runs only the database", async () => {
    expect(run.outputs.appContainer).toBeUndefined();
    expect(run.outputs.proxyContainer).toBeUndefined();
    expect(run.outputs.url).toBeUndefined();
    expect(await valueOf(run.outputs.dbContainer)).toBe("nextstack-dev-db");
});
