import { Client } from "pg";
import { docker, e2eConfig, freePort, labelled, timeChecks, up, wipeStack } from "./support";

// Scenario 1: the dev stack (Pulumi.dev.yaml): the database only, published on loopback for `next dev`.
const STACK = "e2e-dev";
let outputs: Record<string, any>;
let port: number;

beforeAll(async () => {
    await wipeStack(STACK);
    port = await freePort();
    outputs = await up(STACK, e2eConfig("Pulumi.dev.yaml", { dbPublishPort: port }));
});

timeChecks("1. dev");

afterAll(async () => {
    // dev retains its volume on destroy (like compose down); the test made it, so the test removes it too.
    await wipeStack(STACK);
});

test("the database is healthy", async () => {
    const info = await docker.getContainer(outputs.dbContainer).inspect();
    expect(info.State.Health?.Status).toBe("healthy");
});

test("the exported host URL works from the host with a Postgres client", async () => {
    const url = new URL(outputs.dbHostUrl);
    expect(url.hostname).toBe("127.0.0.1");
    expect(url.port).toBe(String(port));
    const client = new Client({ connectionString: outputs.dbHostUrl, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
        const result = await client.query("select current_user, current_database(), 40 + 2 as answer");
        expect(result.rows[0]).toEqual({ current_user: "nextstack", current_database: "nextstack", answer: 42 });
    } finally {
        await client.end();
    }
});

test("a wrong password is refused", async () => {
    const url = new URL(outputs.dbHostUrl);
    url.password = "wrong-password";
    const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
    await client.end().catch(() => undefined);
});

test("the port is bound on 127.0.0.1 only", async () => {
    const info = await docker.getContainer(outputs.dbContainer).inspect();
    expect(info.NetworkSettings.Ports).toEqual({ "5432/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] });
});

test("the password is not in the container's environment", async () => {
    const info = await docker.getContainer(outputs.dbContainer).inspect();
    const password = decodeURIComponent(new URL(outputs.dbHostUrl).password);
    expect(info.Config.Env.join("\n")).not.toContain(password);
    expect(info.Config.Env).toContain("POSTGRES_PASSWORD_FILE=/run/secrets/postgres-password");
});

test("nothing else runs for the stack", async () => {
    const objects = await labelled(STACK);
    expect(objects.containers).toEqual(["nextstack-e2e-dev-db"]);
    expect(objects.networks).toEqual(["nextstack-e2e-dev"]);
    expect(objects.volumes).toEqual(["nextstack-e2e-dev-pgdata"]);
    expect(objects.images).toEqual([]);
});

test("a second up with nothing changed keeps the container", async () => {
    const before = await docker.getContainer(outputs.dbContainer).inspect();
    await up(STACK, e2eConfig("Pulumi.dev.yaml", { dbPublishPort: port }));
    const after = await docker.getContainer(outputs.dbContainer).inspect();
    expect(after.Id).toBe(before.Id);
    expect(after.State.StartedAt).toBe(before.State.StartedAt);
});
