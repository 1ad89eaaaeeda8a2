import * as pulumi from "@pulumi/pulumi";
import { Database } from "../../components/database";
import { NextApp } from "../../components/nextApp";
import { Proxy } from "../../components/proxy";
import { StackContext } from "../../components/stackContext";
import { StackNetwork } from "../../components/stackNetwork";
import { collectingRejections, envOf, T, unwrapSecrets, valueOf } from "./harness";

// The components constructed directly, for what no config can ask of them: a database URL at a loopback host
// (the program always hands the app the database's alias) and the optional arguments index.ts leaves out.
const registered: { type: string; name: string; inputs: Record<string, any> }[] = [];
/** What each component recorded as its outputs (registerOutputs), by URN: what the state shows for it. */
const componentOutputs = new Map<string, Record<string, any>>();
beforeAll(() => {
    pulumi.runtime.setMocks(
        {
            newResource(args) {
                registered.push({ type: args.type, name: args.name, inputs: unwrapSecrets(args.inputs) });
                const state: Record<string, any> = { ...args.inputs };
                if (args.type === T.image) state.repoDigest = `sha256:${args.name}`;
                if (args.type === T.remoteImage) state.imageId = `sha256:${args.name}`;
                return { id: `${args.name}-id`, state };
            },
            call: (args) => args.inputs,
        },
        "nextstack",
        "unit",
        false,
    );
    const monitor: any = pulumi.runtime.getMonitor();
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: (err: any, resp: any) => void) => {
        componentOutputs.set(req.getUrn(), unwrapSecrets(pulumi.runtime.deserializeProperties(req.getOutputs())));
        return registerOutputs(req, callback);
    };
});
const outputsOf = async (component: pulumi.ComponentResource) => componentOutputs.get((await valueOf(component.urn))!);

const stack: StackContext = {
    network: "nextstack-unit",
    namePrefix: "nextstack-unit",
    labels: { "nextstack.project": "nextstack", "nextstack.stack": "unit" },
    runPolicy: { restartPolicy: "always", healthcheckIntervalSeconds: 5, healthcheckStartIntervalSeconds: 1, stopGraceSeconds: 30 },
};
/** Waits until registrations stop arriving (they finish asynchronously). */
async function settled(): Promise<void> {
    for (let seen = -1, quiet = 0; quiet < 5; ) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        quiet = registered.length === seen ? quiet + 1 : 0;
        seen = registered.length;
    }
}
const containerNamed = (name: string) => registered.filter((r) => r.type === T.container && r.name === name);

describe("the app refuses a database URL at a loopback host, which inside its container is the container itself", () => {
    test.each([
        ["localhost", "postgresql://u:pw@localhost:5432/d", "localhost"],
        ["127.0.0.1", "postgresql://u:pw@127.0.0.1:5432/d", "127.0.0.1"],
        ["[::1]", "postgresql://u:pw@[::1]:5432/d", "[::1]"],
    ])("%s", async (label, databaseUrl, shown) => {
        const name = `loop-${label.replace(/\W/g, "")}`;
        const { errors } = await collectingRejections(async () => {
            new NextApp(name, { stack, path: "app", baseImage: "node:24-alpine", databaseUrl, databaseUrlEnv: "MY_DB_URL", env: [], healthPath: "/h", migrateCommand: "true" });
        });
        const messages = new Set(errors.map((e) => e.replace(/^(error serializing property "\w+": )+/, "")));
        // Named by the env var the user configured (appDatabaseUrlEnv), so they know which setting to fix.
        expect([...messages]).toEqual([`MY_DB_URL for the app points at ${shown}: inside a container that is the container itself. Use the database's network alias.`]);
        // Neither the migration nor the app gets that environment.
        expect(containerNamed(name)).toEqual([]);
        expect(containerNamed(`${name}-migrate`)).toEqual([]);
    });
});

test("an app given an alias joins the network under it, and records it as its host with its port and image", async () => {
    const app = new NextApp("web", { stack, alias: "web", path: "app", baseImage: "node:24-alpine", databaseUrl: "postgresql://u:pw@pg:5432/d", databaseUrlEnv: "MY_DB_URL", env: ["A=1"], healthPath: "/h" });
    expect(app.alias).toBe("web");
    expect(await valueOf(app.host)).toBe("web");
    expect(await valueOf(app.port)).toBe(3000);
    expect(await valueOf(app.imageRef)).toBe("sha256:web-image");
    await settled();
    const [container] = containerNamed("web");
    expect(container.inputs.networksAdvanced).toEqual([{ name: "nextstack-unit", aliases: ["web"] }]);
    expect(envOf(container as any)).toEqual({ MY_DB_URL: "postgresql://u:pw@pg:5432/d", HOSTNAME: "0.0.0.0", PORT: "3000", A: "1" });
    expect(await outputsOf(app)).toEqual({ containerName: "nextstack-unit-app", imageRef: "sha256:web-image", host: "web", port: 3000 });
    // No package manager or build packages given: the base image's npm, no system packages.
    expect(registered.find((r) => r.type === T.image && r.name === "web-image")!.inputs.build.args).toEqual({
        BASE_IMAGE: "node:24-alpine",
        PACKAGE_MANAGER: "npm",
        BUILD_PACKAGES: "",
        NEXTSTACK_PROJECT: "nextstack",
        NEXTSTACK_STACK: "unit",
    });
});

test("a database given an alias, a password and a published port builds its URLs from them, and records its outputs", async () => {
    const db = new Database("pg", { stack, alias: "pg", image: "postgres:18-alpine", dataPath: "/var/lib/postgresql", user: "u", database: "d", password: "pass word/123", publish: { address: "0.0.0.0", port: 15432 }, protectData: false });
    expect(await valueOf(db.url)).toBe("postgresql://u:pass%20word%2F123@pg:5432/d");
    expect(await valueOf(db.host)).toBe("pg");
    expect(await valueOf(db.port)).toBe(5432);
    expect(await valueOf(db.user)).toBe("u");
    expect(await valueOf(db.database)).toBe("d");
    expect(await valueOf(db.password)).toBe("pass word/123");
    expect(await (db.password as any).isSecret).toBe(true);
    expect(await (db.url as any).isSecret).toBe(true);
    // Published on every interface: dialled from the host at 127.0.0.1, on the published port.
    expect(await valueOf(db.hostUrl)).toBe("postgresql://u:pass%20word%2F123@127.0.0.1:15432/d");
    await settled();
    const [container] = containerNamed("pg");
    expect(container.inputs.networksAdvanced).toEqual([{ name: "nextstack-unit", aliases: ["pg"] }]);
    expect(await outputsOf(db)).toEqual({
        host: "pg",
        port: 5432,
        user: "u",
        database: "d",
        password: "pass word/123",
        url: "postgresql://u:pass%20word%2F123@pg:5432/d",
        hostUrl: "postgresql://u:pass%20word%2F123@127.0.0.1:15432/d",
        containerName: "nextstack-unit-db",
        volumeName: "nextstack-unit-pgdata",
    });
});

test("a proxy given an alias and a build directory uses them, and records its container and URL", async () => {
    const proxy = new Proxy("edge", { stack, alias: "edge", path: "other-nginx", baseImage: "nginx:1.30-alpine", upstreamHost: "web", upstreamPort: 3000, publish: { address: "127.0.0.1", port: 8080 } });
    await settled();
    expect(containerNamed("edge")[0].inputs.networksAdvanced).toEqual([{ name: "nextstack-unit", aliases: ["edge"] }]);
    expect(registered.find((r) => r.type === T.image && r.name === "edge-image")!.inputs.build.context).toBe("other-nginx");
    expect(await outputsOf(proxy)).toEqual({ containerName: "nextstack-unit-proxy", url: "http://127.0.0.1:8080/" });
});

test("a network records its Docker name", async () => {
    const network = new StackNetwork("net", { name: "nextstack-unit", labels: stack.labels });
    expect(await valueOf(network.name)).toBe("nextstack-unit");
    expect(await outputsOf(network)).toEqual({ name: "nextstack-unit" });
});
