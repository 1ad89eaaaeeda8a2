// Rules between keys (both sides of each condition), unknown keys, the stack name, and the error itself; and,
// on their own, the public URL check and the CPU count rule, at the edges config loading alone does not reach.
import { parseSettings, SettingsError, SettingsSource } from "../../components/settings";
import { cpus, isPublicUrl } from "../../components/settings/checks";
import { problemsOf, projectSource, stubSource as source } from "./settingsSource";

const problems = (config: Record<string, string>, extra: Partial<SettingsSource> = {}) =>
    problemsOf(source(config, extra));

/** A project holding exactly `files` (and the directories above them); records every path asked about. */
function recordingProject(files: Record<string, string>) {
    const asked: string[] = [];
    const dirs = new Set(Object.keys(files).flatMap((f) => f.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))));
    return {
        asked,
        extra: {
            fileExists: (p: string) => (asked.push(p), p in files || dirs.has(p)),
            readFile: (p: string) => (asked.push(`read ${p}`), files[p]),
        },
    };
}

describe("unknown keys", () => {
    // "Did you mean" when the closest key is at most max(2, a third of the key's length) edits away, letters
    // compared without case.
    test.each([
        ["dbimage", "dbImage"], // case only: 0 edits
        ["DBIMAGE", "dbImage"],
        ["dbUsr", "dbUser"], // one deletion
        ["dbUsar", "dbUser"], // one substitution
        ["xdbUser", "dbUser"], // one insertion in front
        ["dbUserx", "dbUser"], // one insertion at the end
        ["dbUesr", "dbUser"], // a swap: two edits
        ["dbNamme", "dbName"], // one insertion in the middle
        ["appEnvAB", "appEnv"], // 2 edits, length 8: the floor of 2 allows it
        ["dbUserXYZ", "dbUser"], // 3 edits, length 9: a third of 9 allows it
        ["proxyPortABCD", "proxyPort"], // 4 edits, length 13: a third rounded down is 4
        ["healthcheckintervl", "healthcheckInterval"],
        ["healthcheckStartIntervall", "healthcheckStartInterval"],
    ])("%s: did you mean %s?", (typo, key) => {
        expect(problems({ [typo]: "x" })).toEqual([`nextstack:${typo}: unknown key; did you mean nextstack:${key}? (known keys: see Pulumi.yaml)`]);
    });

    test.each([
        "dbUseXYZ", // 3 edits, length 8: more than max(2, 2)
        "appEnvWXYZ", // 4 edits, length 10: more than 3
        "proxyPortABCDE", // 5 edits, length 14: more than 4
        "ab",
        "totallyUnrelated",
    ])("%s: too far from every key for a suggestion", (typo) => {
        expect(problems({ [typo]: "x" })).toEqual([`nextstack:${typo}: unknown key (known keys: see Pulumi.yaml)`]);
    });

    test("keys of other namespaces, and ones that only start like ours, are not judged", () => {
        expect(problems({}, { config: { "docker:host": "unix:///var/run/docker.sock", "nextstackx:dbUser": "A", "dbUser": "A" } })).toEqual([]);
    });
});

describe("the stack name", () => {
    test.each(["a", "0", "dev", "pr-12", "feature.x_y-1", "a".repeat(40)])("%s is a usable stack name", (stack) => {
        expect(parseSettings(source({}, { stack })).prefix).toBe(`nextstack-${stack}`);
    });

    test.each(["", "Dev", "-dev", ".dev", "_dev", "dev/x", "dev x", "dev ", "a".repeat(41)])("%j is refused", (stack) => {
        expect(problems({}, { stack })).toEqual([
            `stack name: got ${JSON.stringify(stack)}; expected a stack name usable in Docker object and image names: lower-case a-z, 0-9, '.', '_', '-', starting with a letter or digit, at most 40 characters`,
        ]);
    });

    test("prefix and labels come from the project and the stack", () => {
        const s = parseSettings(source({}, { project: "shop", stack: "pr-7" }));
        expect([s.project, s.stack, s.prefix, s.labels]).toStrictEqual(["shop", "pr-7", "shop-pr-7", { "nextstack.project": "shop", "nextstack.stack": "pr-7" }]);
    });
});

describe("Postgres major and image tag", () => {
    test.each([
        // [config, major, data path]
        [{ dbImage: "postgres:13" }, 13, "/var/lib/postgresql/data"],
        [{ dbImage: "postgres:17.2-alpine" }, 17, "/var/lib/postgresql/data"],
        [{ dbImage: "postgres:18-alpine" }, 18, "/var/lib/postgresql"],
        [{ dbImage: "postgres:19-bookworm" }, 19, "/var/lib/postgresql"],
        [{ dbImage: "postgres:18-alpine", postgresVersion: "18" }, 18, "/var/lib/postgresql"],
        [{ dbImage: "mirror/pg:stable", postgresVersion: "16" }, 16, "/var/lib/postgresql/data"],
        [{ dbImage: "mirror/pg:stable", postgresVersion: "18" }, 18, "/var/lib/postgresql"],
    ] as const)("%j is Postgres %d with data at %s", (config, major, dataPath) => {
        expect(parseSettings(source(config)).db).toMatchObject({ major, dataPath });
    });

    test.each([
        [{ dbImage: "postgres:17-alpine", postgresVersion: "18" }, 'nextstack:postgresVersion: got 18, but nextstack:dbImage "postgres:17-alpine" is Postgres 17; make them agree'],
        [{ dbImage: "mirror/pg:stable" }, 'nextstack:postgresVersion: is 0 and the tag of "mirror/pg:stable" does not start with a major version; set the Postgres major version of that image'],
        [{ dbImage: "mirror/pg:stable", postgresVersion: "0" }, 'nextstack:postgresVersion: is 0 and the tag of "mirror/pg:stable" does not start with a major version; set the Postgres major version of that image'],
        [{ dbImage: "postgres:12-alpine" }, 'nextstack:dbImage: got "postgres:12-alpine": Postgres 12 has no known data path; expected a major from 13 to 19'],
        [{ dbImage: "postgres:20" }, 'nextstack:dbImage: got "postgres:20": Postgres 20 has no known data path; expected a major from 13 to 19'],
        // postgresVersion 0 set explicitly still means "read the tag": the tag is what is wrong.
        [{ dbImage: "postgres:12-alpine", postgresVersion: "0" }, 'nextstack:dbImage: got "postgres:12-alpine": Postgres 12 has no known data path; expected a major from 13 to 19'],
        // Set explicitly to the tag's unknown major: the version key is named.
        [{ dbImage: "postgres:12-alpine", postgresVersion: "12" }, "nextstack:postgresVersion: got 12: Postgres 12 has no known data path; expected a major from 13 to 19"],
        [{ dbImage: "mirror/pg:stable", postgresVersion: "20" }, "nextstack:postgresVersion: got 20: Postgres 20 has no known data path; expected a major from 13 to 19"],
    ])("%j is refused", (config, message) => {
        expect(problems(config)).toEqual([message]);
    });

    test("an image that is itself refused gets one problem, not a second one about its major", () => {
        expect(problems({ dbImage: "postgres" })).toEqual(['nextstack:dbImage: got "postgres"; expected an image pinned by tag or digest (repo:tag)']);
        expect(problems({ dbImage: "Mirror/pg:stable" })).toEqual(['nextstack:dbImage: got "Mirror/pg:stable"; expected an image reference such as postgres:18-alpine']);
        // Not compared with the default image's tag (18) either: the refused image's major is unknown.
        expect(problems({ dbImage: "Postgres:16", postgresVersion: "16" })).toEqual(['nextstack:dbImage: got "Postgres:16"; expected an image reference such as postgres:18-alpine']);
        expect(problems({ dbImage: "Postgres:16", postgresVersion: "12" })).toEqual([
            'nextstack:dbImage: got "Postgres:16"; expected an image reference such as postgres:18-alpine',
            "nextstack:postgresVersion: got 12: Postgres 12 has no known data path; expected a major from 13 to 19",
        ]);
    });

    test("a tag without a major is still blamed when another key is the one refused", () => {
        expect(problems({ dbImage: "mirror/pg:stable", dbUser: "A" })).toEqual([
            'nextstack:dbUser: got "A"; expected a lower-case Postgres identifier: a-z, 0-9, _ (not first), at most 63 characters',
            'nextstack:postgresVersion: is 0 and the tag of "mirror/pg:stable" does not start with a major version; set the Postgres major version of that image',
        ]);
    });
});

describe("publishing Postgres", () => {
    const beyond = 'nextstack:dbPublishAddress: got "0.0.0.0": that publishes Postgres beyond this machine; use 127.0.0.1, or opt in with nextstack:dbPublishAnyAddress=true';
    test.each([
        // [config, problems, publish]
        [{ dbPublishPort: "5432", dbPublishAddress: "0.0.0.0" }, [beyond], undefined],
        [{ dbPublishPort: "5432", dbPublishAddress: "0.0.0.0", dbPublishAnyAddress: "false" }, [beyond], undefined],
        [{ dbPublishPort: "5432", dbPublishAddress: "0.0.0.0", dbPublishAnyAddress: "true" }, [], { address: "0.0.0.0", port: 5432 }],
        [{ dbPublishPort: "5432", dbPublishAddress: "192.168.1.5", dbPublishAnyAddress: "true" }, [], { address: "192.168.1.5", port: 5432 }],
        [{ dbPublishPort: "5433", dbPublishAddress: "127.0.0.1" }, [], { address: "127.0.0.1", port: 5433 }],
        [{ dbPublishPort: "5433", dbPublishAddress: "127.10.0.1" }, [], { address: "127.10.0.1", port: 5433 }],
        // Not published at all: the address does not matter.
        [{ dbPublishPort: "0", dbPublishAddress: "0.0.0.0" }, [], undefined],
    ] as const)("%j", (config, expected, publish) => {
        expect(problems(config)).toEqual(expected);
        if (expected.length === 0) expect(parseSettings(source(config)).db.publish).toStrictEqual(publish);
    });
});

describe("app and proxy", () => {
    test("the proxy needs the app behind it", () => {
        expect(problems({ proxyEnabled: "true" })).toEqual(["nextstack:proxyEnabled: is true but nextstack:appEnabled is false; the proxy needs the app behind it"]);
        expect(problems({ proxyEnabled: "true", appEnabled: "false" })).toEqual(["nextstack:proxyEnabled: is true but nextstack:appEnabled is false; the proxy needs the app behind it"]);
        expect(problems({ proxyEnabled: "true", appEnabled: "true" })).toEqual([]);
        expect(parseSettings(source({ appEnabled: "true" })).proxy).toBeUndefined();
    });

    test.each([
        ["nginx:1.27.2-alpine", false],
        ["nginx:1.26", false],
        ["nginx:1.27", true], // no patch: the newest 1.27, which re-resolves
        ["nginx:1.27.3", true],
        ["nginx:1.28.0-alpine", true],
        ["nginx:mainline-alpine", true], // unknown version: trusted
    ])("proxyBaseImage %s is new enough: %s", (image, ok) => {
        const tooOld = `nextstack:proxyBaseImage: got ${JSON.stringify(image)}; expected nginx 1.27.3 or newer, which re-resolves the app after it is replaced`;
        expect(problems({ appEnabled: "true", proxyEnabled: "true", proxyBaseImage: image })).toEqual(ok ? [] : [tooOld]);
    });

    test("an old nginx is no one's concern while the proxy is off", () => {
        expect(problems({ appEnabled: "true", proxyBaseImage: "nginx:1.25-alpine" })).toEqual([]);
    });

    test("a migrate command needs the app", () => {
        expect(problems({ appMigrateCommand: "node migrate.mjs" })).toEqual(["nextstack:appMigrateCommand: is set but nextstack:appEnabled is false; the command runs in the app's image"]);
        expect(problems({ appMigrateCommand: "" })).toEqual([]);
        expect(problems({ appMigrateCommand: "node migrate.mjs", appEnabled: "true" })).toEqual([]);
    });
});

describe("the app directory", () => {
    /** The app's files; with a package.json, an npm lockfile unless `files` says otherwise (package managers: packageManager.test.ts). */
    const project = (appFiles: Record<string, string>) =>
        recordingProject("web/package.json" in appFiles ? { "web/package-lock.json": "{}", ...appFiles } : appFiles);

    test("every next.config name is looked for, in the app's directory", () => {
        const { asked, extra } = project({ "web/package.json": "{}", "web/next.config.js": 'module.exports = { output: "standalone" };' });
        expect(problems({ appEnabled: "true", appPath: "web" }, extra)).toEqual([]);
        expect(asked).toEqual([
            "web",
            "web/package.json",
            "read web/next.config.js",
            "read web/next.config.mjs",
            "read web/next.config.cjs",
            "read web/next.config.ts",
            "read web/next.config.mts",
            // The package manager: package.json's packageManager field, else the lockfile.
            "read web/package.json",
            "read web/package-lock.json",
            "read web/npm-shrinkwrap.json",
            "read web/pnpm-lock.yaml",
            "read web/yarn.lock",
            "read web/bun.lock",
            "read web/bun.lockb",
        ]);
    });

    test.each(["next.config.js", "next.config.mjs", "next.config.cjs", "next.config.ts", "next.config.mts"])("standalone output in %s is found", (file) => {
        const { extra } = project({ "web/package.json": "{}", [`web/${file}`]: "export default { output: 'standalone' };" });
        expect(problems({ appEnabled: "true", appPath: "web" }, extra)).toEqual([]);
    });

    test.each([
        ['output: "standalone"', true],
        ["output:'standalone'", true],
        ["output :\n  `standalone`", true],
        ['output: "export"', false],
        ['"standalone"', false],
        ["output: standalone", false],
    ])("a next.config saying %j is standalone: %s", (text, ok) => {
        const { extra } = project({ "web/package.json": "{}", "web/next.config.mjs": `export default { ${text} };` });
        const notStandalone = 'nextstack:appPath: got "web"; expected a Next.js app with output: "standalone" in its next.config (the image runs .next/standalone/server.js)';
        expect(problems({ appEnabled: "true", appPath: "web" }, extra)).toEqual(ok ? [] : [notStandalone]);
    });

    test("one standalone config among several is enough", () => {
        const { extra } = project({ "web/package.json": "{}", "web/next.config.js": "module.exports = {};", "web/next.config.ts": "export default { output: 'standalone' };" });
        expect(problems({ appEnabled: "true", appPath: "web" }, extra)).toEqual([]);
    });

    test.each([
        [{}, 'nextstack:appPath: got "web"; expected a directory holding a Next.js app (it does not exist)'],
        [{ "web/src/index.ts": "" }, 'nextstack:appPath: got "web"; expected a directory holding a Next.js app (no package.json in it)'],
        [{ "web/package.json": "{}" }, 'nextstack:appPath: got "web"; expected a Next.js app with output: "standalone" in its next.config (the image runs .next/standalone/server.js): it has no next.config'],
    ])("a project holding %j is refused", (files, message) => {
        expect(problems({ appEnabled: "true", appPath: "web" }, project(files).extra)).toEqual([message]);
    });

    test("the directory is not looked at while the app is off, nor when files cannot be read", () => {
        const { asked, extra } = project({});
        expect(problems({ appPath: "web" }, extra)).toEqual([]);
        expect(asked).toEqual([]);
        expect(problems({ appEnabled: "true", appPath: "web" }, { fileExists: undefined, readFile: undefined })).toEqual([]);
        // Without a way to read files, a directory with a package.json is taken as a Next.js app.
        expect(problems({ appEnabled: "true", appPath: "web" }, { ...project({ "web/package.json": "{}" }).extra, readFile: undefined })).toEqual([]);
    });
});

describe("the app in a workspace (appWorkspaceRoot)", () => {
    const STANDALONE_CONFIG = 'export default { output: "standalone" };';
    /** A pnpm workspace at mono/ whose app is mono/apps/web; `files` adds to or replaces its files (undefined removes one). */
    const workspace = (files: Record<string, string | undefined> = {}) =>
        recordingProject(
            Object.fromEntries(
                Object.entries({
                    "mono/package.json": '{ "name": "mono", "private": true }',
                    "mono/pnpm-workspace.yaml": "packages:\n  - apps/*\n",
                    "mono/pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
                    "mono/apps/web/package.json": '{ "name": "web" }',
                    "mono/apps/web/next.config.mjs": STANDALONE_CONFIG,
                    ...files,
                }).filter((e): e is [string, string] => e[1] !== undefined),
            ),
        );
    const inMono = { appEnabled: "true", appWorkspaceRoot: "mono", appPath: "mono/apps/web" };

    test("the package manager is the root's; next.config is the app's", () => {
        const { asked, extra } = workspace();
        expect(problems(inMono, extra)).toEqual([]);
        expect(parseSettings(source(inMono, workspace().extra)).app).toMatchObject({ context: "mono", appDir: "apps/web", packageManager: { spec: "pnpm@9.15.9" } });
        expect(asked.filter((p) => p.startsWith("read ") && p.endsWith(".yaml"))).toEqual(["read mono/pnpm-lock.yaml"]);
        expect(asked).toContain("read mono/apps/web/next.config.mjs");
        expect(asked).toContain("read mono/package.json");
        expect(asked).not.toContain("read mono/apps/web/package-lock.json");
    });

    test.each([
        ["other/web", 'nextstack:appPath: got "other/web", which is not inside nextstack:appWorkspaceRoot "mono"; expected the app\'s directory in that workspace (both relative to the project)'],
        ["mono2/web", 'nextstack:appPath: got "mono2/web", which is not inside nextstack:appWorkspaceRoot "mono"; expected the app\'s directory in that workspace (both relative to the project)'],
        ["mono/../web", 'nextstack:appPath: got "mono/../web", which is not inside nextstack:appWorkspaceRoot "mono"; expected the app\'s directory in that workspace (both relative to the project)'],
        ["/abs/web", 'nextstack:appPath: got "/abs/web", which is not inside nextstack:appWorkspaceRoot "mono"; expected the app\'s directory in that workspace (both relative to the project)'],
    ])("an app path %j outside the root is refused, and no file is read", (appPath, message) => {
        const { asked, extra } = workspace();
        expect(problems({ ...inMono, appPath }, extra)).toEqual([message]);
        expect(asked).toEqual([]);
    });

    test.each([
        [{ "mono/package.json": undefined }, 'nextstack:appWorkspaceRoot: got "mono"; expected the root of a workspace (no package.json in it)'],
        [{ "mono/package.json": undefined, "mono/pnpm-workspace.yaml": undefined, "mono/pnpm-lock.yaml": undefined, "mono/apps/web/package.json": undefined, "mono/apps/web/next.config.mjs": undefined }, 'nextstack:appWorkspaceRoot: got "mono"; expected the root of a workspace (it does not exist)'],
        [{ "mono/pnpm-lock.yaml": undefined }, 'nextstack:appWorkspaceRoot: got "mono": the workspace has no lockfile (package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock, bun.lock, bun.lockb); commit the one your package manager writes so the image installs exactly what was tested'],
        [{ "mono/apps/web/next.config.mjs": undefined }, 'nextstack:appPath: got "mono/apps/web"; expected a Next.js app with output: "standalone" in its next.config (the image runs .next/standalone/server.js): it has no next.config'],
        [{ "mono/apps/web/package.json": undefined, "mono/apps/web/next.config.mjs": undefined, "mono/apps/web/x.txt": "" }, 'nextstack:appPath: got "mono/apps/web"; expected a directory holding a Next.js app (no package.json in it)'],
    ])("a workspace with %j is refused", (files, message) => {
        expect(problems(inMono, workspace(files).extra)).toEqual([message]);
    });

    test("a root that is the app itself is an app of its own", () => {
        const { extra } = workspace({ "mono/next.config.mjs": STANDALONE_CONFIG });
        expect(problems({ appEnabled: "true", appWorkspaceRoot: "mono", appPath: "mono" }, extra)).toEqual([]);
        expect(parseSettings(source({ appEnabled: "true", appWorkspaceRoot: "mono", appPath: "mono" }, extra)).app).toMatchObject({ context: "mono", appDir: "." });
    });

    test.each([
        ["pnpm-workspace.yaml", {}],
        ["package.json workspaces", { "mono/pnpm-workspace.yaml": undefined, "mono/package.json": '{ "private": true, "workspaces": ["apps/*"] }' }],
    ])("without the key, an app in a workspace (%s) is told to set it", (_, files) => {
        const { extra } = workspace(files);
        expect(problems({ appEnabled: "true", appPath: "mono/apps/web" }, extra)).toEqual([
            'nextstack:appPath: got "mono/apps/web": the app has no lockfile (package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock, bun.lock, bun.lockb); commit the one your package manager writes so the image installs exactly what was tested. It is inside the workspace "mono": set nextstack:appWorkspaceRoot to "mono"',
        ]);
    });

    test.each([
        ["../mono/apps/web", { "../mono/package.json": '{ "workspaces": ["apps/*"] }', "../mono/apps/web/package.json": "{}", "../mono/apps/web/next.config.mjs": STANDALONE_CONFIG }, "../mono"],
        // The project itself inside the monorepo (repo/infra beside repo/apps/web): the root is the project's parent.
        ["../apps/web", { "../package.json": '{ "workspaces": ["apps/*", "infra"] }', "../apps/web/package.json": "{}", "../apps/web/next.config.mjs": STANDALONE_CONFIG }, ".."],
    ])("an app outside the project (%s) is told its workspace too", (appPath, files, root) => {
        expect(problems({ appEnabled: "true", appPath }, recordingProject(files).extra)).toEqual([
            `nextstack:appPath: got ${JSON.stringify(appPath)}: the app has no lockfile (package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock, bun.lock, bun.lockb); commit the one your package manager writes so the image installs exactly what was tested. It is inside the workspace ${JSON.stringify(root)}: set nextstack:appWorkspaceRoot to ${JSON.stringify(root)}`,
        ]);
    });

    test("a root that is the app itself is checked as the app: its package.json, and its lockfile named as the app's", () => {
        const noManifest = workspace({ "mono/package.json": undefined, "mono/pnpm-workspace.yaml": undefined, "mono/next.config.mjs": STANDALONE_CONFIG, "mono/x.txt": "" });
        expect(problems({ appEnabled: "true", appWorkspaceRoot: "mono", appPath: "mono" }, noManifest.extra)).toEqual([
            'nextstack:appPath: got "mono"; expected a directory holding a Next.js app (no package.json in it)',
        ]);
        const noLockfile = workspace({ "mono/pnpm-lock.yaml": undefined, "mono/next.config.mjs": STANDALONE_CONFIG });
        expect(problems({ appEnabled: "true", appWorkspaceRoot: "mono", appPath: "mono" }, noLockfile.extra)).toEqual([
            'nextstack:appWorkspaceRoot: got "mono": the app has no lockfile (package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock, bun.lock, bun.lockb); commit the one your package manager writes so the image installs exactly what was tested',
        ]);
    });

    test("the search for a workspace above the app stops at the file system's root (absolute path) and does not look into the project when the app is outside it", () => {
        const NO_LOCKFILE =
            "the app has no lockfile (package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock, bun.lock, bun.lockb); commit the one your package manager writes so the image installs exactly what was tested";
        const absolute = recordingProject({ "/srv/web/package.json": "{}", "/srv/web/next.config.mjs": STANDALONE_CONFIG });
        expect(problems({ appEnabled: "true", appPath: "/srv/web" }, absolute.extra)).toEqual([`nextstack:appPath: got "/srv/web": ${NO_LOCKFILE}`]);
        expect(absolute.asked.filter((p) => p.startsWith("read ") && p.endsWith("/package.json"))).toEqual(["read /srv/web/package.json", "read /srv/package.json", "read /package.json"]);
        // The project's own package.json declares workspaces, but the project is not above ../web.
        const outside = recordingProject({ "package.json": '{ "workspaces": ["infra"] }', "../web/package.json": "{}", "../web/next.config.mjs": STANDALONE_CONFIG });
        expect(problems({ appEnabled: "true", appPath: "../web" }, outside.extra)).toEqual([`nextstack:appPath: got "../web": ${NO_LOCKFILE}`]);
    });

    test('"workspaces" is found with blanks before its colon', () => {
        const { extra } = workspace({ "mono/pnpm-workspace.yaml": undefined, "mono/package.json": '{ "private": true, "workspaces" : ["apps/*"] }' });
        expect(problems({ appEnabled: "true", appPath: "mono/apps/web" }, extra)).toEqual([
            'nextstack:appPath: got "mono/apps/web": the app has no lockfile (package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock, bun.lock, bun.lockb); commit the one your package manager writes so the image installs exactly what was tested. It is inside the workspace "mono": set nextstack:appWorkspaceRoot to "mono"',
        ]);
    });

    test("no hint when no directory above the app is a workspace, nor when the app has a lockfile of its own", () => {
        const noWorkspace = workspace({ "mono/pnpm-workspace.yaml": undefined });
        expect(problems({ appEnabled: "true", appPath: "mono/apps/web" }, noWorkspace.extra)).toEqual([
            'nextstack:appPath: got "mono/apps/web": the app has no lockfile (package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock, bun.lock, bun.lockb); commit the one your package manager writes so the image installs exactly what was tested',
        ]);
        const twoLockfiles = workspace({ "mono/apps/web/yarn.lock": "# yarn lockfile v1\n", "mono/apps/web/bun.lock": "{}" });
        expect(problems({ appEnabled: "true", appPath: "mono/apps/web" }, twoLockfiles.extra)).toEqual([
            'nextstack:appPath: got "mono/apps/web": the app has lockfiles of several package managers (yarn.lock, bun.lock); delete the stale ones, or set the "packageManager" field in package.json to choose',
        ]);
    });

    test("the committed workspace fixtures pass as they are", () => {
        for (const [root, pm] of [["tests/fixtures/apps/npm-workspace", "npm"], ["tests/fixtures/apps/pnpm-workspace", "pnpm@9.15.9"]]) {
            const source = projectSource({ appEnabled: "true", appWorkspaceRoot: root, appPath: `${root}/apps/web` });
            expect(problemsOf(source)).toEqual([]);
            expect(parseSettings(source).app).toMatchObject({ context: root, appDir: "apps/web", packageManager: { spec: pm } });
        }
    });
});

describe("the app's environment", () => {
    test.each([
        [{ appEnv: '["DATABASE_URL=x"]' }, "nextstack:appEnv: sets DATABASE_URL, which the program sets itself (derived from the database); remove it"],
        [{ appSecretEnv: '["DATABASE_URL=x"]' }, "nextstack:appSecretEnv: sets DATABASE_URL, which the program sets itself (derived from the database); remove it"],
        [{ appDatabaseUrlEnv: "PG_URL", appEnv: '["PG_URL=x"]' }, "nextstack:appEnv: sets PG_URL, which the program sets itself (derived from the database); remove it"],
        [{ appEnv: '["HOSTNAME=0.0.0.0"]' }, "nextstack:appEnv: sets HOSTNAME, which the program sets itself (for the Next.js server); remove it"],
        [{ appEnv: '["PORT=80"]' }, "nextstack:appEnv: sets PORT, which the program sets itself (for the Next.js server); remove it"],
        [{ appEnv: '["A=1","B=2","A=3"]' }, "nextstack:appEnv: sets A, which nextstack:appEnv sets too; keep one"],
        [{ appEnv: '["A=1"]', appSecretEnv: '["A=x=y"]' }, "nextstack:appSecretEnv: sets A, which nextstack:appEnv sets too; keep one"],
        [{ appSecretEnv: '["S=1","S=2"]' }, "nextstack:appSecretEnv: sets S, which nextstack:appSecretEnv sets too; keep one"],
    ])("%j is refused", (config, message) => {
        expect(problems({ appEnabled: "true", ...config })).toEqual([message]);
    });

    test.each([
        [{ appDatabaseUrlEnv: "PG_URL", appEnv: '["DATABASE_URL=postgres://elsewhere"]' }],
        [{ appEnv: '["A=1","AB=2","A_=3"]' }],
        [{ appEnv: '["PORTS=1","HOST=x"]' }],
        [{ appEnv: '["A=1"]', appSecretEnv: '["B=2"]' }],
    ])("%j is accepted", (config) => {
        expect(problems({ appEnabled: "true", ...config })).toEqual([]);
    });
});

describe("the public URL", () => {
    const app = { appEnabled: "true" };
    const proxy = { appEnabled: "true", proxyEnabled: "true" };
    test.each([
        // [config, url, env]
        [{ ...proxy }, "http://127.0.0.1:3000/", []],
        // Set to empty (as `pulumi config set nextstack:appPublicUrl ""` does): the same as unset.
        [{ ...proxy, appPublicUrl: "" }, "http://127.0.0.1:3000/", []],
        [{ ...proxy, proxyPort: "8080", proxyPublishAddress: "10.1.2.3" }, "http://10.1.2.3:8080/", []],
        [{ ...proxy, appPublicUrlEnv: '["AUTH_URL","NEXTAUTH_URL"]' }, "http://127.0.0.1:3000/", ["AUTH_URL=http://127.0.0.1:3000", "NEXTAUTH_URL=http://127.0.0.1:3000"]],
        // The proxy wins over the app's own port; without a proxy the app's port is the address.
        [{ ...proxy, appPublishPort: "3001" }, "http://127.0.0.1:3000/", []],
        [{ ...app, appPublishPort: "3001", appPublicUrlEnv: '["AUTH_URL"]' }, "http://127.0.0.1:3001/", ["AUTH_URL=http://127.0.0.1:3001"]],
        // Configured: as given (normalised by the URL parser), the env without the trailing /.
        [{ ...proxy, appPublicUrl: "https://Shop.Example.com", appPublicUrlEnv: '["AUTH_URL"]' }, "https://shop.example.com/", ["AUTH_URL=https://shop.example.com"]],
        [{ ...proxy, appPublicUrl: "https://example.com:8443/shop", appPublicUrlEnv: '["NEXTAUTH_URL"]' }, "https://example.com:8443/shop", ["NEXTAUTH_URL=https://example.com:8443/shop"]],
        [{ ...app, appPublicUrl: "http://intranet.local/" }, "http://intranet.local/", []],
        [{ ...app }, undefined, []],
    ])("%j → url %s, env %j", (config, url, env) => {
        const s = parseSettings(source(config));
        expect([s.app?.publicUrl, s.app?.publicUrlEnv]).toStrictEqual([url, env]);
    });

    const EXPECTED = 'expected empty or an http:// or https:// URL without credentials, query or fragment, such as https://shop.example.com';
    test.each(["shop.example.com", "ftp://example.com", "https://", "https://user:pw@example.com", "https://example.com/?a=1", "https://example.com/#top", "https://exa mple.com", "https://example.com?", "https://example.com#", "http://[::1", "https://exa%mple.com"])(
        "appPublicUrl %j is refused",
        (url) => {
            expect(problems({ ...proxy, appPublicUrl: url })).toEqual([`nextstack:appPublicUrl: got ${JSON.stringify(url)}; ${EXPECTED}`]);
        },
    );

    test.each([
        [{ ...proxy, appPublicUrlEnv: '["auth-url"]' }, `nextstack:appPublicUrlEnv: got ${JSON.stringify('["auth-url"]')}; expected environment variable names such as AUTH_URL`],
        [{ ...proxy, appPublicUrlEnv: '["DATABASE_URL"]' }, "nextstack:appPublicUrlEnv: names DATABASE_URL, which the program sets itself; keep one"],
        [{ ...proxy, appPublicUrlEnv: '["PORT"]' }, "nextstack:appPublicUrlEnv: names PORT, which the program sets itself; keep one"],
        [{ ...proxy, appEnv: '["AUTH_URL=x"]', appPublicUrlEnv: '["AUTH_URL"]' }, "nextstack:appPublicUrlEnv: names AUTH_URL, which nextstack:appEnv sets too; keep one"],
        [{ ...proxy, appSecretEnv: '["AUTH_URL=x"]', appPublicUrlEnv: '["AUTH_URL"]' }, "nextstack:appPublicUrlEnv: names AUTH_URL, which nextstack:appSecretEnv sets too; keep one"],
        [{ ...proxy, appPublicUrlEnv: '["AUTH_URL","AUTH_URL"]' }, "nextstack:appPublicUrlEnv: names AUTH_URL, which nextstack:appPublicUrlEnv sets too; keep one"],
        [{ ...app, appPublicUrlEnv: '["AUTH_URL","NEXTAUTH_URL"]' }, "nextstack:appPublicUrlEnv: names AUTH_URL, NEXTAUTH_URL, but the app has no public URL (no proxy, no appPublishPort); set nextstack:appPublicUrl"],
    ])("%j is refused", (config, message) => {
        expect(problems(config)).toEqual([message]);
    });

    test("a public URL env for an app that does not run is not an error about the URL", () => {
        expect(problems({ appPublicUrlEnv: '["AUTH_URL"]' })).toEqual([]);
    });
});

describe("published ports", () => {
    const app = { appEnabled: "true" };
    const proxy = { appEnabled: "true", proxyEnabled: "true" };
    test.each([
        // Same port, same address.
        [{ ...app, dbPublishPort: "8080", appPublishPort: "8080" }, ["nextstack:appPublishPort: port 8080 clashes with nextstack:dbPublishPort on the same host address; choose another port"]],
        // The proxy listens on 0.0.0.0 by default: every address.
        [{ ...proxy, dbPublishPort: "3000" }, ["nextstack:proxyPort: port 3000 clashes with nextstack:dbPublishPort on the same host address; choose another port"]],
        [{ ...proxy, appPublishPort: "3000" }, ["nextstack:proxyPort: port 3000 clashes with nextstack:appPublishPort on the same host address; choose another port"]],
        // Postgres on every address clashes with the app's loopback.
        [{ ...app, dbPublishPort: "8080", dbPublishAddress: "0.0.0.0", dbPublishAnyAddress: "true", appPublishPort: "8080" }, ["nextstack:appPublishPort: port 8080 clashes with nextstack:dbPublishPort on the same host address; choose another port"]],
        [{ ...proxy, proxyPublishAddress: "127.0.0.1", appPublishPort: "3000" }, ["nextstack:proxyPort: port 3000 clashes with nextstack:appPublishPort on the same host address; choose another port"]],
        // All three on one port: each later one against each earlier one.
        [
            { ...proxy, dbPublishPort: "3000", appPublishPort: "3000" },
            [
                "nextstack:appPublishPort: port 3000 clashes with nextstack:dbPublishPort on the same host address; choose another port",
                "nextstack:proxyPort: port 3000 clashes with nextstack:dbPublishPort on the same host address; choose another port",
                "nextstack:proxyPort: port 3000 clashes with nextstack:appPublishPort on the same host address; choose another port",
            ],
        ],
    ])("%j clash", (config, expected) => {
        expect(problems(config)).toEqual(expected);
    });

    test.each([
        // Same port on two different specific addresses.
        [{ ...app, dbPublishPort: "8080", dbPublishAddress: "127.0.0.2", appPublishPort: "8080" }],
        [{ ...proxy, proxyPublishAddress: "10.0.0.5", dbPublishPort: "3000" }],
        [{ ...proxy, proxyPublishAddress: "10.0.0.5", appPublishPort: "3000" }],
        // Different ports.
        [{ ...proxy, dbPublishPort: "5432", appPublishPort: "8080" }],
        // The app's port is not published while the app is off, nor the proxy's while the proxy is off.
        [{ dbPublishPort: "8080", appPublishPort: "8080" }],
        [{ ...app, dbPublishPort: "3000", proxyPort: "3000" }],
    ])("%j do not clash", (config) => {
        expect(problems(config)).toEqual([]);
    });

    test("everything published, each where it was asked", () => {
        const s = parseSettings(source({ ...proxy, dbPublishPort: "5432", appPublishPort: "8080", proxyPort: "80", proxyPublishAddress: "10.0.0.5" }));
        expect([s.db.publish, s.app?.publish, s.proxy?.publish]).toStrictEqual([
            { address: "127.0.0.1", port: 5432 },
            { address: "127.0.0.1", port: 8080 },
            { address: "10.0.0.5", port: 80 },
        ]);
    });
});

describe("the error", () => {
    test("one problem: singular, the key and the message on an indented line", () => {
        const error = new SettingsError([{ key: "nextstack:proxyPort", message: 'got "x"; expected an integer' }]);
        expect(error.message).toBe('Invalid stack configuration (1 problem); nothing was created or changed:\n  - nextstack:proxyPort: got "x"; expected an integer');
        expect(error.name).toBe("SettingsError");
        expect(error).toBeInstanceOf(Error);
    });

    test("several problems: plural, one line each, in the order found", () => {
        expect(() => parseSettings(source({ proxyPort: "x", dbUser: "A" }, { stack: "Dev" }))).toThrow(
            'Invalid stack configuration (3 problems); nothing was created or changed:\n  - nextstack:proxyPort: got "x"; expected an integer\n  - nextstack:dbUser: got "A"; expected a lower-case Postgres identifier: a-z, 0-9, _ (not first), at most 63 characters\n  - stack name: got "Dev"; expected a stack name usable in Docker object and image names: lower-case a-z, 0-9, \'.\', \'_\', \'-\', starting with a letter or digit, at most 40 characters',
        );
    });

    test("the issues are listed for callers, key and message apart", () => {
        try {
            parseSettings(source({ appEnabled: "maybe" }));
            throw new Error("no error");
        } catch (e) {
            expect((e as SettingsError).issues).toStrictEqual([{ key: "nextstack:appEnabled", message: 'got "maybe"; expected true or false' }]);
        }
    });

    test("a value with quotes is shown as a JSON string", () => {
        expect(problems({ dbUser: 'a"b' })).toEqual(['nextstack:dbUser: got "a\\"b"; expected a lower-case Postgres identifier: a-z, 0-9, _ (not first), at most 63 characters']);
    });
});

describe("isPublicUrl on its own", () => {
    test.each(["https://a.example", "http://a.example/", "https://a.example:8443/shop", "http://127.0.0.1:3000/"])("%j is a public URL", (text) => {
        expect(isPublicUrl(text)).toBe(true);
    });

    test.each([
        // Credentials, each part alone: either one is refused.
        "https://user@a.example",
        "https://:pw@a.example",
        "https://user:pw@a.example",
        // A query or a fragment, even an empty one.
        "https://a.example/?a=1",
        "https://a.example/#top",
        "https://a.example?",
        "https://a.example#",
        // The whole text must be the URL: nothing before the scheme, nothing after the address (the URL parser
        // would drop the surrounding blanks and encode the inner one, and accept what is left).
        "xhttps://a.example",
        " https://a.example",
        "https://a.example\n",
        "https://a.example/ x",
        "https://a.example\nfoo",
    ])("%j is not", (text) => {
        expect(isPublicUrl(text)).toBe(false);
    });
});

describe("the CPU count rule on its own", () => {
    const CPUS = "empty (no limit) or a number of CPUs such as 0.5 or 2";
    const RANGE = "more than 0 and at most 256 CPUs";
    const READ_BACK =
        "a CPU count the Docker provider reads back as the same amount, such as 0.1, 0.25, 0.5, 1 or 2 (it reads values like 0.05 back as 0.1, and the container would be replaced on every up)";
    const messages = (value: string) => cpus.safeParse(value).error?.issues.map((i) => i.message) ?? [];
    test.each([
        ["", []],
        ["2", []],
        ["12", []],
        ["256", []], // the most
        ["257", [RANGE]],
        ["300", [RANGE]],
        ["0", [RANGE]],
        ["0.0", [RANGE]],
        // 256 as a number, so in range; but 14 decimals are too precise for the provider.
        ["256.00000000000001", [READ_BACK]],
        // Two digits before the point are checked for their read-back too: 10.05 reads back as 10.1.
        ["10.05", [READ_BACK]],
        ["10.0000000001", [READ_BACK]],
        ["-1", [CPUS]],
    ])("%j → %j", (value, expected) => {
        expect(messages(value)).toStrictEqual(expected);
    });

    test("a count so small it is 0 as a number is out of range, and only that (not also blamed for its read-back)", () => {
        expect(messages(`0.${"0".repeat(400)}1`)).toStrictEqual([RANGE]);
    });
});
