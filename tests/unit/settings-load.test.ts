// loadSettings: the running stack's config as the Pulumi runtime gives it, with paths read from the project
// directory (where Pulumi.yaml is) and secrets known from the runtime.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadSettings, PROJECT_DIR, SettingsError } from "../../components/settings";

/** Sets the runtime's stack and config (keys without the namespace), as `pulumi up` would. */
function stack(name: string, config: Record<string, string>, secretKeys: string[] = []) {
    pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: (args) => args.inputs }, "nextstack", name, false);
    pulumi.runtime.setAllConfig(
        Object.fromEntries(Object.entries(config).map(([k, v]) => [`nextstack:${k}`, v])),
        secretKeys.map((k) => `nextstack:${k}`),
    );
}

function problems(): string[] {
    try {
        loadSettings();
    } catch (e) {
        if (e instanceof SettingsError) return e.issues.map((i) => `${i.key}: ${i.message}`);
        throw e;
    }
    return [];
}

test("the project directory is the one holding Pulumi.yaml", () => {
    expect(PROJECT_DIR).toBe(path.resolve(__dirname, "../.."));
});

test("project, stack and config come from the runtime", () => {
    stack("ci-1", { dbUser: "shop", dbPublishPort: "5433" });
    const s = loadSettings();
    expect([s.prefix, s.db.user, s.db.publish]).toStrictEqual(["nextstack-ci-1", "shop", { address: "127.0.0.1", port: 5433 }]);
});

test("a secret set with --secret is accepted; the same value in plain text is refused", () => {
    stack("dev", { dbPassword: "a-long-enough-password" }, ["dbPassword"]);
    expect(loadSettings().db.password).toBe("a-long-enough-password");
    stack("dev", { dbPassword: "a-long-enough-password" });
    expect(problems()).toEqual(["nextstack:dbPassword: is stored in plain text; set it with `pulumi config set --secret dbPassword`"]);
});

// appPath is read relative to the project directory, whatever the working directory.
test.each([
    ["app", []], // the project's own app: standalone output in next.config.mjs
    ["no-such-dir", ['nextstack:appPath: got "no-such-dir"; expected a directory holding a Next.js app (it does not exist)']],
    ["components", ['nextstack:appPath: got "components"; expected a directory holding a Next.js app (no package.json in it)']],
    [
        "tests/fixtures/not-standalone-app",
        ['nextstack:appPath: got "tests/fixtures/not-standalone-app"; expected a Next.js app with output: "standalone" in its next.config (the image runs .next/standalone/server.js)'],
    ],
])("appPath %s, read from the project directory", (appPath, expected) => {
    const cwd = process.cwd();
    process.chdir(path.join(PROJECT_DIR, "tests"));
    try {
        stack("dev", { appEnabled: "true", appPath });
        expect(problems()).toEqual(expected);
    } finally {
        process.chdir(cwd);
    }
});
