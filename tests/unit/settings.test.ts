import { parseSettings, SettingsSource } from "../../components/settings";
import { BAD_INPUTS } from "../fixtures/badInputs";
import { problemsOf, projectSource as source } from "./settingsSource";

const problems = (config: Record<string, string>, extra: Partial<SettingsSource> = {}) =>
    problemsOf(source(config, extra));

test("defaults give a database-only stack with Postgres 18's layout", () => {
    const s = parseSettings(source({}));
    expect(s.prefix).toBe("nextstack-dev");
    expect(s.db).toMatchObject({ image: "postgres:18-alpine", major: 18, dataPath: "/var/lib/postgresql", user: "nextstack", name: "nextstack" });
    expect(s.db.publish).toBeUndefined();
    expect(s.db.password).toBeUndefined();
    expect(s.app).toBeUndefined();
    expect(s.proxy).toBeUndefined();
});

test("Postgres 17 and older mount the data directory itself", () => {
    expect(parseSettings(source({ dbImage: "postgres:17.2-alpine" })).db.dataPath).toBe("/var/lib/postgresql/data");
    expect(parseSettings(source({ dbImage: "registry.local:5000/mirror/pg:abc", postgresVersion: "16" })).db).toMatchObject({ major: 16, dataPath: "/var/lib/postgresql/data" });
});

test.each(BAD_INPUTS.map((b) => [b.name, b] as const))("refuses %s, naming the key and what is expected", (_, { config, message, stack, plainText }) => {
    const found = problems(config, { ...(stack ? { stack } : {}), ...(plainText ? { isSecret: () => false } : {}) });
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
});

test("app path that does not exist or holds no package.json", () => {
    expect(problems({ appEnabled: "true", appPath: "nope" }, { fileExists: () => false })).toEqual([
        expect.stringMatching(/nextstack:appPath: got "nope"; expected a directory holding a Next.js app \(it does not exist\)/),
    ]);
    expect(problems({ appEnabled: "true", appPath: "src" }, { fileExists: (p) => p === "src" })).toEqual([
        expect.stringMatching(/nextstack:appPath: got "src".*no package.json/),
    ]);
});

test("an app without standalone output, or without a next.config", () => {
    const files: Record<string, string> = {
        "web/next.config.mjs": "export default { reactStrictMode: true };",
        "web/package.json": "{}",
        "web/package-lock.json": "{}",
        "bare/package.json": "{}",
        "bare/package-lock.json": "{}",
    };
    const extra = { fileExists: () => true, readFile: (p: string) => files[p] };
    expect(problems({ appEnabled: "true", appPath: "web" }, extra)).toEqual([
        expect.stringMatching(/nextstack:appPath: got "web"; expected a Next.js app with output: "standalone" in its next.config/),
    ]);
    expect(problems({ appEnabled: "true", appPath: "bare" }, extra)).toEqual([expect.stringMatching(/nextstack:appPath: .*: it has no next.config$/)]);
    files["web/next.config.ts"] = 'const config = { output: "standalone" }; export default config;';
    expect(problems({ appEnabled: "true", appPath: "web" }, extra)).toEqual([]);
});

test("secret app env is kept apart from the plain env", () => {
    const s = parseSettings(source({ appEnabled: "true", appEnv: '["NODE_OPTIONS=--max-old-space-size=256"]', appSecretEnv: '["AUTH_SECRET=s3cret"]' }));
    expect(s.app).toMatchObject({ env: ["NODE_OPTIONS=--max-old-space-size=256"], secretEnv: ["AUTH_SECRET=s3cret"] });
    expect(problems({ appEnabled: "true", appEnv: '["AUTH_SECRET=x"]', appSecretEnv: '["AUTH_SECRET=y"]' })).toEqual([
        expect.stringMatching(/nextstack:appSecretEnv: sets AUTH_SECRET, which nextstack:appEnv sets too/),
    ]);
});

test("memory and CPU limits become MB and CPU strings", () => {
    const s = parseSettings(source({ dbMemory: "1.5g", appMemory: "512m", appCpus: "0.5" }));
    expect(s.limits).toEqual({ db: { memoryMb: 1536, cpus: undefined }, app: { memoryMb: 512, cpus: "0.5" }, proxy: { memoryMb: undefined, cpus: undefined } });
});

test("a password stored in plain text", () => {
    expect(problems({ dbPassword: "a-long-enough-password" }, { isSecret: () => false })).toEqual([
        expect.stringMatching(/nextstack:dbPassword: is stored in plain text; set it with `pulumi config set --secret dbPassword`/),
    ]);
});

test("a stack name that cannot form Docker names", () => {
    expect(problems({}, { stack: "Feature/X" })).toEqual([expect.stringMatching(/stack name: got "Feature\/X"; expected a stack name usable in Docker object and image names/)]);
});

test("collects every problem instead of stopping at the first", () => {
    const found = problems({ proxyPort: "x", dbUser: "A", appEnabled: "maybe" });
    expect(found).toHaveLength(3);
    expect(() => parseSettings(source({ proxyPort: "x", dbUser: "A", appEnabled: "maybe" }))).toThrow(/\(3 problems\); nothing was created or changed/);
});

test("a secret's value never appears in an error", () => {
    const message = problems({ dbPassword: "short-pw" }).join("\n");
    expect(message).not.toContain("short-pw");
});

test("an explicit opt-in allows publishing Postgres beyond loopback", () => {
    const s = parseSettings(source({ dbPublishPort: "5432", dbPublishAddress: "0.0.0.0", dbPublishAnyAddress: "true" }));
    expect(s.db.publish).toEqual({ address: "0.0.0.0", port: 5432 });
});

test("other namespaces are not this program's to judge", () => {
    expect(problems({}, { config: { "docker:host": "unix:///var/run/docker.sock" } })).toEqual([]);
});

test("images pinned by digest are accepted, whatever their tag", () => {
    const digest = `@sha256:${"0f".repeat(32)}`;
    expect(parseSettings(source({ dbImage: `postgres:18-alpine${digest}` })).db.image).toBe(`postgres:18-alpine${digest}`);
    expect(parseSettings(source({ dbImage: `postgres:latest${digest}`, postgresVersion: "18" })).db.major).toBe(18);
});
