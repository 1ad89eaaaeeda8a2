// Every config key on its own: its default, the values at each boundary it accepts, the values just past them
// it refuses, wrong types, and the exact message each refusal gives (the message is the user's only guide).
import { CONFIG_KEYS, memoryMb, parseSettings, Settings, SettingsSource } from "../../components/settings";
import { problemsOf, stubSource as source } from "./settingsSource";

const problems = (config: Record<string, string>, extra: Partial<SettingsSource> = {}) =>
    problemsOf(source(config, extra));

const withProxy = { appEnabled: "true", proxyEnabled: "true" };

describe("defaults", () => {
    // The same defaults as Pulumi.yaml (configDocs.test.ts holds them equal); here: what they make of a stack.
    test("an empty config is a database-only stack on Postgres 18, unpublished, unlimited, no password set", () => {
        expect(parseSettings(source({}))).toStrictEqual({
            project: "nextstack",
            stack: "dev",
            prefix: "nextstack-dev",
            labels: { "nextstack.project": "nextstack", "nextstack.stack": "dev" },
            db: {
                image: "postgres:18-alpine",
                major: 18,
                // Postgres 18 mounts the parent of its versioned data directory.
                dataPath: "/var/lib/postgresql",
                user: "nextstack",
                name: "nextstack",
                password: undefined,
                publish: undefined,
                protect: false,
            },
            app: undefined,
            proxy: undefined,
            limits: { db: { memoryMb: undefined, cpus: undefined }, app: { memoryMb: undefined, cpus: undefined }, proxy: { memoryMb: undefined, cpus: undefined } },
            restartPolicy: "unless-stopped",
            healthcheckIntervalSeconds: 5,
            healthcheckStartIntervalSeconds: 1,
            stopGraceSeconds: 30,
        } satisfies Settings);
    });

    test("enabling the app and the proxy alone gives their defaults: app unpublished, proxy on 0.0.0.0:3000", () => {
        const s = parseSettings(source(withProxy));
        expect(s.app).toStrictEqual({
            context: "app",
            appDir: ".",
            baseImage: "node:24-alpine",
            packageManager: { name: "npm", spec: "npm", lockfile: "package-lock.json", chosenBy: "package-lock.json" },
            buildPackages: [],
            buildEnv: [],
            buildSecrets: [],
            publicUrl: "http://127.0.0.1:3000/",
            publicUrlEnv: [],
            publish: undefined,
            databaseUrlEnv: "DATABASE_URL",
            healthPath: undefined,
            env: [],
            secretEnv: [],
            migrateCommand: undefined,
        });
        expect(s.proxy).toStrictEqual({ baseImage: "nginx:1.30-alpine", publish: { address: "0.0.0.0", port: 3000 } });
    });
});

// Values each key accepts, at its boundaries, and where the value ends up.
const accepted: [string, Record<string, string>, (s: Settings) => unknown, unknown][] = [
    ["postgresVersion equal to the tag's major", { postgresVersion: "18" }, (s) => s.db.major, 18],
    ["postgresVersion 13, the oldest known major", { dbImage: "mirror/pg:stable", postgresVersion: "13" }, (s) => s.db.dataPath, "/var/lib/postgresql/data"],
    ["postgresVersion 17, the last major that mounts the data directory itself", { dbImage: "mirror/pg:stable", postgresVersion: "17" }, (s) => s.db.dataPath, "/var/lib/postgresql/data"],
    ["postgresVersion 19, the newest known major", { dbImage: "mirror/pg:stable", postgresVersion: "19" }, (s) => s.db.dataPath, "/var/lib/postgresql"],
    ["postgresVersion 0 explicitly: read from the tag", { postgresVersion: "0", dbImage: "postgres:16.4" }, (s) => [s.db.major, s.db.dataPath], [16, "/var/lib/postgresql/data"]],
    ["a major tag without suffix", { dbImage: "postgres:15" }, (s) => s.db.major, 15],
    ["dbUser of one letter", { dbUser: "a" }, (s) => s.db.user, "a"],
    ["dbUser starting with _", { dbUser: "_a9" }, (s) => s.db.user, "_a9"],
    ["dbName of 63 characters, Postgres's maximum", { dbName: `d${"b".repeat(62)}` }, (s) => s.db.name, `d${"b".repeat(62)}`],
    ["dbPassword of exactly 12 characters", { dbPassword: "twelve-chars" }, (s) => s.db.password, "twelve-chars"],
    ["dbPassword empty: generate one", { dbPassword: "" }, (s) => s.db.password, undefined],
    ["dbPublishPort 1", { dbPublishPort: "1" }, (s) => s.db.publish, { address: "127.0.0.1", port: 1 }],
    ["dbPublishPort 65535", { dbPublishPort: "65535" }, (s) => s.db.publish, { address: "127.0.0.1", port: 65535 }],
    ["dbPublishPort with spaces around it", { dbPublishPort: " 5432 " }, (s) => s.db.publish, { address: "127.0.0.1", port: 5432 }],
    ["dbPublishPort 0: not published", { dbPublishPort: "0" }, (s) => s.db.publish, undefined],
    ["another loopback address", { dbPublishPort: "5432", dbPublishAddress: "127.0.0.2" }, (s) => s.db.publish, { address: "127.0.0.2", port: 5432 }],
    ["protectData true", { protectData: "true" }, (s) => s.db.protect, true],
    ["protectData false", { protectData: "false" }, (s) => s.db.protect, false],
    ["appEnabled false", { appEnabled: "false" }, (s) => s.app, undefined],
    ["appPath: the build context", { appEnabled: "true", appPath: "web/site" }, (s) => [s.app?.context, s.app?.appDir], ["web/site", "."]],
    ["appWorkspaceRoot: the context, the app inside it", { appEnabled: "true", appWorkspaceRoot: "mono", appPath: "mono/apps/web" }, (s) => [s.app?.context, s.app?.appDir], ["mono", "apps/web"]],
    ["appWorkspaceRoot and appPath in other spellings", { appEnabled: "true", appWorkspaceRoot: "./mono/", appPath: "mono//apps/./web/" }, (s) => [s.app?.context, s.app?.appDir], ["./mono/", "apps/web"]],
    ["appWorkspaceRoot that is the app itself", { appEnabled: "true", appWorkspaceRoot: "web", appPath: "web" }, (s) => [s.app?.context, s.app?.appDir], ["web", "."]],
    ["appBaseImage", { appEnabled: "true", appBaseImage: "node:22.11-bookworm-slim" }, (s) => s.app?.baseImage, "node:22.11-bookworm-slim"],
    ["appPublishPort (always on loopback)", { appEnabled: "true", appPublishPort: "8080" }, (s) => s.app?.publish, { address: "127.0.0.1", port: 8080 }],
    ["appDatabaseUrlEnv", { appEnabled: "true", appDatabaseUrlEnv: "_Pg_Url9" }, (s) => s.app?.databaseUrlEnv, "_Pg_Url9"],
    ["appBuildPackages for a native addon", { appEnabled: "true", appBuildPackages: '["python3","make","g++","libc6-dev=2.36-9"]' }, (s) => s.app?.buildPackages, ["python3", "make", "g++", "libc6-dev=2.36-9"]],
    ["appHealthPath /", { appEnabled: "true", appHealthPath: "/" }, (s) => s.app?.healthPath, "/"],
    ["appHealthPath empty: the lenient probe of /", { appEnabled: "true", appHealthPath: "" }, (s) => s.app?.healthPath, undefined],
    ["appHealthPath with a query", { appEnabled: "true", appHealthPath: "/api/h.z_~?a=1&b=%20-x" }, (s) => s.app?.healthPath, "/api/h.z_~?a=1&b=%20-x"],
    ["appEnv entries (an = in the value)", { appEnabled: "true", appEnv: '["A=1","_b=x=y","C="]' }, (s) => s.app?.env, ["A=1", "_b=x=y", "C="]],
    ["appBuildEnv entries (spaces and = in a value)", { appEnabled: "true", appBuildEnv: '["NEXT_PUBLIC_A=x y=z","B="]' }, (s) => s.app?.buildEnv, ["NEXT_PUBLIC_A=x y=z", "B="]],
    ["appBuildEnv default: none", { appEnabled: "true" }, (s) => s.app?.buildEnv, []],
    ["appSecretEnv entries", { appEnabled: "true", appSecretEnv: '["AUTH_SECRET=s"]' }, (s) => s.app?.secretEnv, ["AUTH_SECRET=s"]],
    ["appMigrateCommand", { appEnabled: "true", appMigrateCommand: "node migrate.mjs" }, (s) => s.app?.migrateCommand, "node migrate.mjs"],
    ["appMigrateCommand empty: none", { appEnabled: "true", appMigrateCommand: "" }, (s) => s.app?.migrateCommand, undefined],
    ["proxyBaseImage at exactly nginx 1.27.3", { ...withProxy, proxyBaseImage: "nginx:1.27.3-alpine" }, (s) => s.proxy?.baseImage, "nginx:1.27.3-alpine"],
    ["proxyPort 1", { ...withProxy, proxyPort: "1" }, (s) => s.proxy?.publish, { address: "0.0.0.0", port: 1 }],
    ["proxyPort 65535", { ...withProxy, proxyPort: "65535" }, (s) => s.proxy?.publish, { address: "0.0.0.0", port: 65535 }],
    ["proxyPublishAddress 255.249.199.99 (every octet form)", { ...withProxy, proxyPublishAddress: "255.249.199.99" }, (s) => s.proxy?.publish, { address: "255.249.199.99", port: 3000 }],
    ["proxyPublishAddress 10.0.9.100", { ...withProxy, proxyPublishAddress: "10.0.9.100" }, (s) => s.proxy?.publish.address, "10.0.9.100"],
    ["restartPolicy no", { restartPolicy: "no" }, (s) => s.restartPolicy, "no"],
    ["restartPolicy on-failure", { restartPolicy: "on-failure" }, (s) => s.restartPolicy, "on-failure"],
    ["restartPolicy always", { restartPolicy: "always" }, (s) => s.restartPolicy, "always"],
    ["healthcheckInterval 1", { healthcheckInterval: "1" }, (s) => s.healthcheckIntervalSeconds, 1],
    ["healthcheckInterval 3600", { healthcheckInterval: "3600" }, (s) => s.healthcheckIntervalSeconds, 3600],
    ["healthcheckStartInterval 0 (unset)", { healthcheckStartInterval: "0" }, (s) => s.healthcheckStartIntervalSeconds, 0],
    ["healthcheckStartInterval 60", { healthcheckStartInterval: "60" }, (s) => s.healthcheckStartIntervalSeconds, 60],
    ["dbMemory and dbCpus set empty: no limits", { dbMemory: "", dbCpus: "" }, (s) => s.limits.db, { memoryMb: undefined, cpus: undefined }],
    ["appCpus 256, the most", { appCpus: "256" }, (s) => s.limits.app.cpus, "256.0"],
    ["stopGraceSeconds 1", { stopGraceSeconds: "1" }, (s) => s.stopGraceSeconds, 1],
    ["stopGraceSeconds 3600", { stopGraceSeconds: "3600" }, (s) => s.stopGraceSeconds, 3600],
    ["a tag of 128 characters, Docker's maximum", { dbImage: `postgres:18${"a".repeat(126)}`, postgresVersion: "18" }, (s) => s.db.image, `postgres:18${"a".repeat(126)}`],
    ["an image named by one letter", { dbImage: "p:16" }, (s) => [s.db.image, s.db.major], ["p:16", 16]],
    ["dbPublishAddress 249.0.0.1 (opted in)", { dbPublishPort: "5432", dbPublishAddress: "249.0.0.1", dbPublishAnyAddress: "true" }, (s) => s.db.publish, { address: "249.0.0.1", port: 5432 }],
    ["an image from a registry with a port", { dbImage: "registry.local:5000/library/postgres:18.1" }, (s) => [s.db.image, s.db.major], ["registry.local:5000/library/postgres:18.1", 18]],
    ["an image pinned by digest alone", { dbImage: `postgres@sha256:${"a1".repeat(32)}`, postgresVersion: "17" }, (s) => [s.db.image, s.db.major], [`postgres@sha256:${"a1".repeat(32)}`, 17]],
];

test.each(accepted)("accepts %s", (_, config, pick, expected) => {
    expect(problems(config)).toEqual([]);
    expect(pick(parseSettings(source(config)))).toStrictEqual(expected);
});

// Values each key refuses: `expected` is everything after "expected" in the message.
const PORT = "a TCP port from 1 to 65535";
const OPTIONAL_PORT = "0 (off) or a TCP port from 1 to 65535";
const IPV4 = "an IPv4 address such as 127.0.0.1";
const IDENTIFIER = "a lower-case Postgres identifier: a-z, 0-9, _ (not first), at most 63 characters";
const IMAGE = "an image reference such as postgres:18-alpine";
const CPUS = "empty (no limit) or a number of CPUs such as 0.5 or 2";
const CPU_RANGE = "more than 0 and at most 256 CPUs";
const CPU_READ_BACK =
    "a CPU count the Docker provider reads back as the same amount, such as 0.1, 0.25, 0.5, 1 or 2 (it reads values like 0.05 back as 0.1, and the container would be replaced on every up)";
const MEMORY = "empty (no limit) or a size such as 512m or 1g";
const LIST = "a list (set it with `pulumi config set --path 'appEnv[0]' value`)";
const refused: [string, string, string][] = [
    ["dbImage", "Postgres:18", IMAGE],
    ["dbImage", "postgres:", `${IMAGE}; an image pinned by tag or digest (repo:tag)`], // an empty tag
    ["dbImage", " postgres:18", IMAGE],
    ["dbImage", "postgres:18 ", IMAGE],
    ["dbImage", "-postgres:18", IMAGE],
    ["dbImage", "postgres-:18", IMAGE],
    ["dbImage", "postgres:-18", IMAGE],
    ["dbImage", `postgres:18${"a".repeat(127)}`, IMAGE], // a tag of 129 characters
    ["dbImage", `postgres:18@sha256:${"a".repeat(63)}`, IMAGE], // a digest must be 64 hex digits
    ["dbImage", `postgres:18@sha256:${"A".repeat(64)}`, IMAGE],
    ["dbImage", "postgres", "an image pinned by tag or digest (repo:tag)"],
    ["dbImage", "registry.local:5000/postgres", "an image pinned by tag or digest (repo:tag)"],
    ["dbImage", "", `${IMAGE}; an image pinned by tag or digest (repo:tag)`],
    ["postgresVersion", "-1", "0 or a Postgres major version"],
    ["postgresVersion", "17.2", "an integer"],
    ["dbUser", "", IDENTIFIER],
    ["dbUser", "Admin", IDENTIFIER],
    ["dbUser", "9lives", IDENTIFIER],
    ["dbUser", "app.user", IDENTIFIER],
    ["dbName", `d${"b".repeat(63)}`, IDENTIFIER], // 64 characters
    ["dbName", " db", IDENTIFIER],
    ["dbName", "db ", IDENTIFIER],
    ["dbPublishPort", "-1", OPTIONAL_PORT],
    ["dbPublishPort", "65536", OPTIONAL_PORT],
    ["dbPublishPort", "5432.0", "an integer"],
    ["dbPublishPort", "", "an integer"],
    ["dbPublishPort", "+5432", "an integer"],
    ["dbPublishPort", "5432x", "an integer"],
    ["dbPublishPort", "x5432", "an integer"],
    ["dbPublishPort", "--1", "an integer"],
    ["dbPublishAddress", "localhost", IPV4],
    ["dbPublishAddress", "256.0.0.1", IPV4],
    ["dbPublishAddress", "1.1.1.256", IPV4],
    ["dbPublishAddress", "1.1.1.260", IPV4],
    ["dbPublishAddress", "1.1.1.300", IPV4],
    ["dbPublishAddress", "1.1.1.1000", IPV4],
    ["dbPublishAddress", "1.1.1.01", IPV4],
    ["dbPublishAddress", "1.1.1", IPV4],
    ["dbPublishAddress", "1.1.1.1.1", IPV4],
    ["dbPublishAddress", "1.1.1.", IPV4],
    ["dbPublishAddress", "1-1.1.1", IPV4],
    ["dbPublishAddress", " 1.1.1.1", IPV4],
    ["dbPublishAddress", "1.1.1.1 ", IPV4],
    ["dbPublishAddress", "::1", IPV4],
    ["dbPublishAnyAddress", "yes", "true or false"],
    ["protectData", "TRUE", "true or false"],
    ["protectData", "1", "true or false"],
    ["protectData", "", "true or false"],
    ["appEnabled", "False", "true or false"],
    ["appPath", "", "a directory path"],
    ["appBaseImage", "node:latest", "a pinned tag, not `latest`"],
    ["appBaseImage", "node", "an image pinned by tag or digest (repo:tag)"],
    ["appPublishPort", "65536", OPTIONAL_PORT],
    ["appPublishPort", "-1", OPTIONAL_PORT],
    ["appDatabaseUrlEnv", "", "an environment variable name such as DATABASE_URL"],
    ["appDatabaseUrlEnv", "1URL", "an environment variable name such as DATABASE_URL"],
    ["appDatabaseUrlEnv", "DB URL", "an environment variable name such as DATABASE_URL"],
    ["appDatabaseUrlEnv", "DB_URL ", "an environment variable name such as DATABASE_URL"],
    ["appBuildPackages", '["python3 make"]', "distribution package names such as python3 or g++ (optionally name=version)"],
    ["appBuildPackages", '["Python3"]', "distribution package names such as python3 or g++ (optionally name=version)"],
    ["appBuildPackages", '["-y"]', "distribution package names such as python3 or g++ (optionally name=version)"],
    ["appBuildPackages", '["g++;rm"]', "distribution package names such as python3 or g++ (optionally name=version)"],
    ["appBuildPackages", '["make="]', "distribution package names such as python3 or g++ (optionally name=version)"],
    ["appHealthPath", "api/health", "a URL path starting with /, or empty"],
    ["appHealthPath", "/api health", "a URL path starting with /, or empty"],
    ["appHealthPath", "/api#x", "a URL path starting with /, or empty"],
    ["appHealthPath", " /api", "a URL path starting with /, or empty"],
    ["appEnv", "FOO=1", LIST],
    ["appEnv", '{"FOO":"1"}', LIST],
    ["appEnv", '"FOO=1"', LIST],
    ["appEnv", '["FOO"]', "NAME=value strings"],
    ["appEnv", '["1FOO=x"]', "NAME=value strings"],
    ["appEnv", '["FO-O=x"]', "NAME=value strings"],
    ["appEnv", '[" FOO=x"]', "NAME=value strings"],
    ["appEnv", '["=x"]', "NAME=value strings"],
    ["appEnv", '[1,"A"]', "Invalid input: expected string, received number; NAME=value strings"],
    ["proxyEnabled", "on", "true or false"],
    ["proxyBaseImage", "nginx:latest", "a pinned tag, not `latest`"],
    ["proxyPort", "0", PORT],
    ["proxyPort", "65536", PORT],
    ["proxyPort", "80.5", "an integer"],
    ["proxyPublishAddress", "0.0.0", IPV4],
    ["proxyPublishAddress", "*", IPV4],
    ["dbMemory", "5m", "at least 6m (Docker's minimum)"],
    ["dbMemory", "5.99m", "at least 6m (Docker's minimum)"], // 5 MB once rounded down
    ["dbMemory", "0g", "at least 6m (Docker's minimum)"],
    ["dbMemory", "512", MEMORY],
    ["dbMemory", "m", MEMORY],
    ["dbMemory", "1.g", MEMORY],
    ["dbMemory", ".5g", MEMORY],
    ["dbMemory", "1k", MEMORY],
    ["dbMemory", "512mb", MEMORY],
    ["dbMemory", " 512m", MEMORY],
    ["appMemory", "1 g", MEMORY],
    ["proxyMemory", "-8m", MEMORY],
    ["dbCpus", "0", CPU_RANGE],
    ["dbCpus", "0.0", CPU_RANGE],
    ["dbCpus", "256.5", CPU_RANGE],
    ["dbCpus", "257", CPU_RANGE],
    ["dbCpus", "300.0000000001", CPU_RANGE], // out of range: not also blamed for its read-back
    ["dbCpus", "-1", CPUS],
    ["dbCpus", ".5", CPUS],
    ["dbCpus", "1.", CPUS],
    ["dbCpus", "1,5", CPUS],
    ["dbCpus", " 1", CPUS],
    ["dbCpus", "1 ", CPUS],
    ["appCpus", "0.05", CPU_READ_BACK],
    ["appCpus", "1.0000000001", CPU_READ_BACK], // ten decimals: the provider refuses it as too precise
    ["proxyCpus", "0.01", CPU_READ_BACK], // read back as 0.0
    ["proxyCpus", "2 cpus", CPUS],
    ["restartPolicy", "", "one of no, on-failure, always, unless-stopped"],
    ["restartPolicy", "Always", "one of no, on-failure, always, unless-stopped"],
    ["healthcheckInterval", "0", "a whole number of seconds ≥ 1"],
    ["healthcheckInterval", "3601", "a whole number of seconds ≤ 3600"],
    ["healthcheckInterval", "5s", "an integer"],
    ["healthcheckStartInterval", "-1", "0 (unset) or a whole number of seconds ≥ 1"],
    ["healthcheckStartInterval", "61", "at most 60 seconds"],
    ["stopGraceSeconds", "0", "a whole number of seconds ≥ 1"],
    ["stopGraceSeconds", "3601", "a whole number of seconds ≤ 3600"],
    ["stopGraceSeconds", "-30", "a whole number of seconds ≥ 1"],
];

test.each(refused)("refuses %s = %j, saying what is expected", (key, raw, expected) => {
    expect(problems({ [key]: raw })).toEqual([`nextstack:${key}: got ${JSON.stringify(raw)}; expected ${expected}`]);
});

test.each(["dbImage", "appBaseImage", "proxyBaseImage"] as const)("a malformed %s is refused with the key's own default as the example", (key) => {
    expect(problems({ [key]: "Bad/Image:1" })).toEqual([`nextstack:${key}: got "Bad/Image:1"; expected an image reference such as ${CONFIG_KEYS[key].default}`]);
});

describe("secret keys", () => {
    const plain = { isSecret: () => false };

    test.each([
        ["dbPassword", "a-long-enough-password"],
        ["appSecretEnv", '["AUTH_SECRET=abc"]'],
        ["appBuildSecrets", '["NPM_TOKEN=abc"]'],
    ])("%s = %s in plain text is refused, with the command that stores it encrypted", (key, raw) => {
        expect(problems({ [key]: raw }, plain)).toEqual([`nextstack:${key}: is stored in plain text; set it with \`pulumi config set --secret ${key}\``]);
    });

    test.each(['["AUTH_SECRET"]', '[" A=1"]', '["1A=1"]', '["A-B=1"]', '["=1"]'])("appSecretEnv %s is refused, masked", (raw) => {
        expect(problems({ appSecretEnv: raw })).toEqual(["nextstack:appSecretEnv: got [secret]; expected NAME=value strings"]);
    });

    test("an empty password in plain text is the default, not a secret: accepted", () => {
        expect(parseSettings(source({ dbPassword: "" }, plain)).db.password).toBeUndefined();
    });

    test("appBuildEnv set with --secret is refused: its values are build arguments, not kept secret", () => {
        const secretBuildEnv = { isSecret: (key: string) => key === "nextstack:appBuildEnv" };
        expect(problems({ appEnabled: "true", appBuildEnv: '["SENTRY_AUTH_TOKEN=t0k3n"]' }, secretBuildEnv)).toEqual([
            "nextstack:appBuildEnv: is stored as a secret, but its values are build arguments: kept in the engine's build cache (and NEXT_PUBLIC_* ones in the pages). Put secret values in nextstack:appBuildSecrets (given to the build as BuildKit secrets); set this key without --secret if its values are not secret",
        ]);
        expect(problems({ appEnabled: "true", appBuildEnv: "[]" }, secretBuildEnv)).toEqual([]);
        expect(problems({ appEnabled: "true", appBuildEnv: '["NEXT_PUBLIC_A=1"]' }, plain)).toEqual([]);
    });

    test.each(['["NPM_TOKEN"]', '["A=1\\nB=2"]', '["1A=1"]', '["=1"]'])("appBuildSecrets %s is refused, masked", (raw) => {
        expect(problems({ appBuildSecrets: raw })).toEqual(["nextstack:appBuildSecrets: got [secret]; expected NAME=value strings on one line"]);
    });

    test("a secret list given as one string is refused, masked, with the command for a secret list", () => {
        expect(problems({ appBuildSecrets: '"NPM_TOKEN=abc"' })).toEqual([
            "nextstack:appBuildSecrets: got [secret]; expected a list (set it with `pulumi config set --secret --path 'appBuildSecrets[0]' value`)",
        ]);
    });

    test("appBuildSecrets sets each name once, and none that appBuildEnv sets", () => {
        expect(problems({ appEnabled: "true", appBuildSecrets: '["NPM_TOKEN=a", "NPM_TOKEN=b"]' })).toEqual(["nextstack:appBuildSecrets: sets NPM_TOKEN twice; keep one"]);
        expect(problems({ appEnabled: "true", appBuildEnv: '["SENTRY_ORG=shop"]', appBuildSecrets: '["SENTRY_ORG=x", "SENTRY_AUTH_TOKEN=t"]' })).toEqual([
            "nextstack:appBuildSecrets: sets SENTRY_ORG, which nextstack:appBuildEnv sets too; keep one",
        ]);
    });

    test("appBuildSecrets stored as a secret reach the app's settings as given", () => {
        const secret = { isSecret: (key: string) => key === "nextstack:appBuildSecrets" };
        expect(parseSettings(source({ appEnabled: "true", appBuildSecrets: '["NPM_TOKEN=npm_abc", "SENTRY_AUTH_TOKEN=x=y z"]' }, secret)).app?.buildSecrets).toEqual([
            "NPM_TOKEN=npm_abc",
            "SENTRY_AUTH_TOKEN=x=y z",
        ]);
    });

    test("an empty list of secret env in plain text holds no secret: accepted", () => {
        expect(parseSettings(source({ appEnabled: "true", appSecretEnv: "[]" }, plain)).app?.secretEnv).toEqual([]);
        expect(problems({ appSecretEnv: " [ ] " }, plain)).toEqual([]);
    });

    test("only the key asked about is judged: the check gets the full key", () => {
        const isSecret = (key: string) => key === "nextstack:dbPassword";
        expect(problems({ dbPassword: "a-long-enough-password", appSecretEnv: '["A=1"]' }, { isSecret })).toEqual([
            "nextstack:appSecretEnv: is stored in plain text; set it with `pulumi config set --secret appSecretEnv`",
        ]);
    });

    test("plain keys may be plain text; with no way to tell, secrets are taken as given", () => {
        expect(problems({ dbUser: "app", appEnabled: "true" }, plain)).toEqual([]);
        expect(parseSettings(source({ dbPassword: "a-long-enough-password" }, { isSecret: undefined })).db.password).toBe("a-long-enough-password");
    });

    test("a bad secret value is reported masked, before the plain-text complaint", () => {
        expect(problems({ dbPassword: "elevenchars", appSecretEnv: "AUTH_SECRET=abc" }, plain)).toEqual([
            "nextstack:dbPassword: got [secret]; expected a password of at least 12 characters (or empty to generate one)",
            "nextstack:appSecretEnv: got [secret]; expected a list (set it with `pulumi config set --secret --path 'appSecretEnv[0]' value`)",
        ]);
    });
});

describe("memory and CPU limits", () => {
    test.each([
        ["6m", 6], // Docker's minimum, accepted
        ["6.99m", 6], // fractions of a MB are dropped
        ["512M", 512],
        ["1g", 1024],
        ["1.5G", 1536],
        ["0.5g", 512],
        ["2048m", 2048],
    ])("memory %s is %d MB", (size, mb) => {
        expect(memoryMb(size)).toBe(mb);
        expect(parseSettings(source({ dbMemory: size })).limits.db.memoryMb).toBe(mb);
    });

    test("memoryMb refuses what is not a size", () => {
        expect(() => memoryMb("512")).toThrow("not a memory size: 512");
        expect(() => memoryMb("")).toThrow("not a memory size: ");
    });

    // In the form the Docker provider reads back into state (nine decimals, then trimmed; exactly nine zeros: one
    // decimal), else every up would see a change and replace the container.
    test.each([
        ["1", "1.0"],
        ["2", "2.0"],
        ["10", "10."],
        ["256", "256.0"],
        ["0.5", "0.5"],
        ["1.50", "1.5"],
        ["0.25", "0.25"],
        ["1.000000001", "1.000000001"],
    ])("cpus %s are given to the provider as %s", (cpus, readBack) => {
        expect(parseSettings(source({ appCpus: cpus })).limits.app.cpus).toBe(readBack);
    });

    test("each role gets its own limits", () => {
        const s = parseSettings(source({ dbMemory: "1g", dbCpus: "1", appMemory: "512m", appCpus: "0.5", proxyMemory: "64m", proxyCpus: "0.25" }));
        expect(s.limits).toStrictEqual({ db: { memoryMb: 1024, cpus: "1.0" }, app: { memoryMb: 512, cpus: "0.5" }, proxy: { memoryMb: 64, cpus: "0.25" } });
    });
});
