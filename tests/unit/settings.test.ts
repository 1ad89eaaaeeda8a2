import { parseSettings, SettingsError, SettingsSource } from "../../components/settings";

const source = (config: Record<string, string>, extra: Partial<SettingsSource> = {}): SettingsSource => ({
    project: "nextstack",
    stack: "dev",
    config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`nextstack:${k}`, v])),
    isSecret: () => true,
    fileExists: () => true,
    ...extra,
});

function problems(config: Record<string, string>, extra: Partial<SettingsSource> = {}): string[] {
    try {
        parseSettings(source(config, extra));
    } catch (e) {
        if (e instanceof SettingsError) return e.issues.map((i) => `${i.key}: ${i.message}`);
        throw e;
    }
    return [];
}

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

// Each bad input: the config, and what the error must say (the full key, the value, what is expected).
const bad: [string, Record<string, string>, RegExp][] = [
    ["port not a number", { proxyEnabled: "true", appEnabled: "true", proxyPort: "eighty" }, /nextstack:proxyPort: got "eighty"; expected an integer/],
    ["port out of range", { dbPublishPort: "70000" }, /nextstack:dbPublishPort: got "70000"; expected 0 \(off\) or a TCP port from 1 to 65535/],
    ["boolean as word", { appEnabled: "yes" }, /nextstack:appEnabled: got "yes"; expected true or false/],
    ["db on all interfaces without opt-in", { dbPublishPort: "5432", dbPublishAddress: "0.0.0.0" }, /nextstack:dbPublishAddress: got "0.0.0.0".*nextstack:dbPublishAnyAddress=true/],
    ["typo in a key", { proxyPrt: "80" }, /nextstack:proxyPrt: unknown key; did you mean nextstack:proxyPort\?/],
    ["image on latest", { dbImage: "postgres:latest", postgresVersion: "18" }, /nextstack:dbImage: got "postgres:latest"; expected a pinned tag, not `latest`/],
    ["image without tag", { dbImage: "postgres" }, /nextstack:dbImage: got "postgres"; expected an image pinned by tag or digest/],
    ["user not an identifier", { dbUser: "app-user" }, /nextstack:dbUser: got "app-user"; expected a lower-case Postgres identifier/],
    ["db name not an identifier", { dbName: "1db" }, /nextstack:dbName: got "1db"; expected a lower-case Postgres identifier/],
    ["short password, masked", { dbPassword: "hunter2" }, /nextstack:dbPassword: got \[secret\]; expected a password of at least 12 characters/],
    ["unknown Postgres major", { dbImage: "postgres:9.6-alpine" }, /nextstack:dbImage: Postgres 9 has no known data path; expected one of 13–19/],
    ["major disagrees with tag", { dbImage: "postgres:17-alpine", postgresVersion: "18" }, /nextstack:postgresVersion: got 18, but nextstack:dbImage "postgres:17-alpine" is Postgres 17/],
    ["tag without major, no version", { dbImage: "mirror/pg:stable" }, /nextstack:postgresVersion: is 0 and the tag of "mirror\/pg:stable" does not start with a major version/],
    ["proxy without app", { proxyEnabled: "true" }, /nextstack:proxyEnabled: is true but nextstack:appEnabled is false/],
    ["ports clash", { dbPublishPort: "3000", dbPublishAddress: "127.0.0.1", appEnabled: "true", proxyEnabled: "true", proxyPort: "3000" }, /nextstack:proxyPort: port 3000 clashes with nextstack:dbPublishPort/],
    ["nginx too old to re-resolve", { appEnabled: "true", proxyEnabled: "true", proxyBaseImage: "nginx:1.25-alpine" }, /nextstack:proxyBaseImage: got "nginx:1.25-alpine"; expected nginx 1.27.3 or newer/],
    ["restart policy unknown", { restartPolicy: "sometimes" }, /nextstack:restartPolicy: got "sometimes"; expected one of no, on-failure, always, unless-stopped/],
    ["env var name invalid", { appDatabaseUrlEnv: "DATABASE-URL" }, /nextstack:appDatabaseUrlEnv: got "DATABASE-URL"; expected an environment variable name/],
    ["appEnv not a list", { appEnv: "FOO=1" }, /nextstack:appEnv: got "FOO=1"; expected a list/],
    ["appEnv overrides the derived URL", { appEnabled: "true", appEnv: '["DATABASE_URL=postgresql://x@localhost/db"]' }, /nextstack:appEnv: sets DATABASE_URL, which the program derives/],
    ["health interval zero", { healthcheckInterval: "0" }, /nextstack:healthcheckInterval: got "0"; expected a whole number of seconds ≥ 1/],
];

test.each(bad)("refuses %s, naming the key and what is expected", (_, config, message) => {
    const found = problems(config);
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
