import { PASSWORD_FILE } from "../../components/database";
import { envOf, ProgramRun, publishedPorts, runProgram, stackConfig, T, valueOf } from "./harness";

// A throwaway stack made from config alone (`pulumi stack init pr-42` + prod's keys, another port), with a
// user-set password full of URL delimiters.
const PASSWORD = "p@ss:w/rd?#%&=+ ü";
let run: ProgramRun;
beforeAll(async () => {
    run = await runProgram({
        stack: "pr-42",
        config: { ...stackConfig("Pulumi.prod.yaml"), "nextstack:proxyPort": "3042", "nextstack:protectData": "false", "nextstack:dbPassword": PASSWORD, "nextstack:appMemory": "512m", "nextstack:appCpus": "1.5", "nextstack:appSecretEnv": '["AUTH_SECRET=auth-s3cret-value"]' },
        secretKeys: ["nextstack:dbPassword", "nextstack:appSecretEnv"],
    });
});

test("every Docker object name is scoped to the stack, so it runs beside prod", () => {
    const names = [...run.all(T.container), run.one(T.network), run.one(T.volume)].map((r) => r.inputs.name);
    expect(names.sort()).toEqual(["nextstack-pr-42", "nextstack-pr-42-app", "nextstack-pr-42-db", "nextstack-pr-42-pgdata", "nextstack-pr-42-proxy"]);
    expect(run.all(T.image).map((i) => i.inputs.imageName).sort()).toEqual(["nextstack-pr-42-app:current", "nextstack-pr-42-proxy:current"]);
    for (const image of run.all(T.image)) expect(image.inputs.build.args.NEXTSTACK_STACK).toBe("pr-42");
});

test("publishes its own proxy port and nothing else", () => {
    const published = run.all(T.container).flatMap(publishedPorts);
    expect(published).toEqual(["0.0.0.0:3042->80"]);
});

test("a user-set password is used instead of a generated one", () => {
    expect(run.all(T.password)).toHaveLength(0);
    const db = run.all(T.container).find((c) => c.inputs.name === "nextstack-pr-42-db")!;
    expect(db.inputs.uploads.find((u: any) => u.file === PASSWORD_FILE).content).toBe(PASSWORD);
});

test("the password is percent-encoded in the app's URL and decodes back to itself", async () => {
    const app = run.all(T.container).find((c) => c.inputs.name === "nextstack-pr-42-app")!;
    const raw = envOf(app).DATABASE_URL;
    const url = new URL(raw);
    expect(url.hostname).toBe("db");
    expect(url.pathname).toBe("/nextstack");
    expect(decodeURIComponent(url.password)).toBe(PASSWORD);
    expect(decodeURIComponent(url.username)).toBe("nextstack");
    expect(raw).not.toContain(PASSWORD);
    // Each URL delimiter in the password escaped: @ : / ? # % & = + space and the UTF-8 bytes of ü.
    const encoded = "p%40ss%3Aw%2Frd%3F%23%25%26%3D%2B%20%C3%BC";
    expect(raw).toBe(`postgresql://nextstack:${encoded}@db:5432/nextstack`);
    expect(await valueOf(run.outputs.dbUrl)).toBe(`postgresql://nextstack:${encoded}@db:5432/nextstack`);
});

test("a stack without protectData does not retain its volume, so destroy leaves nothing", () => {
    expect(run.one(T.volume).retainOnDelete).toBe(false);
    expect(run.one(T.volume).protect).toBe(false);
});

test("limits reach the containers they are set for, and only those", () => {
    const byName = (n: string) => run.all(T.container).find((c) => c.inputs.name === `nextstack-pr-42-${n}`)!;
    // 512m is 512 MB; no swap (memorySwap = memory); 1.5 CPUs as the provider reads them back.
    expect(byName("app").inputs).toMatchObject({ memory: 512, memorySwap: 512, cpus: "1.5" });
    for (const other of ["db", "proxy"]) {
        expect([other, byName(other).inputs.memory, byName(other).inputs.memorySwap, byName(other).inputs.cpus]).toEqual([other, undefined, undefined, undefined]);
    }
});

test("the password appears in no non-secret output, no image build argument and no container env but the app's secret URL", async () => {
    for (const [name, output] of Object.entries(run.outputs)) {
        if (output === undefined || name === "default") continue;
        const secret = await (output as any).isSecret;
        if (!secret) expect(`${name}: ${JSON.stringify(await valueOf(output))}`).not.toContain(encodeURIComponent(PASSWORD));
        if (!secret) expect(`${name}: ${JSON.stringify(await valueOf(output))}`).not.toContain(PASSWORD);
    }
    for (const image of run.all(T.image)) expect(JSON.stringify(image.inputs)).not.toContain(encodeURIComponent(PASSWORD));
    const db = run.all(T.container).find((c) => c.inputs.name === "nextstack-pr-42-db")!;
    expect(JSON.stringify(db.inputs.envs)).not.toContain(PASSWORD);
    expect(db.secretInputs.has("uploads")).toBe(true);
});

test("secret app env reaches the app as a secret input, and no output", async () => {
    const app = run.all(T.container).find((c) => c.inputs.name === "nextstack-pr-42-app")!;
    expect(envOf(app).AUTH_SECRET).toBe("auth-s3cret-value");
    // After what the program sets itself.
    expect(app.inputs.envs.slice(1)).toEqual(["HOSTNAME=0.0.0.0", "PORT=3000", "AUTH_SECRET=auth-s3cret-value"]);
    expect(app.secretInputs.has("envs")).toBe(true);
    for (const output of Object.values(run.outputs)) {
        if (output !== undefined) expect(String(JSON.stringify(await valueOf(output)))).not.toContain("auth-s3cret-value");
    }
});
