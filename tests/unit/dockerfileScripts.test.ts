// Shell steps of components/nextjs.Dockerfile, taken from the file and run under `sh` on a scratch tree, as the
// image build runs them: the manifests stage (what the cached install starts from) and the build env's export.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BUILD_SECRETS_ID } from "../../components/buildSecrets";
import { NEXTJS_DOCKERFILE } from "../../components/nextApp";

const DOCKERFILE = fs.readFileSync(path.join(__dirname, "../..", NEXTJS_DOCKERFILE), "utf8");

/** The shell text of the first RUN after `after` (continuation lines joined, comment lines and --mount flags dropped). */
function runStep(after: string): string {
    const start = DOCKERFILE.indexOf(after);
    if (start < 0) throw new Error(`no ${JSON.stringify(after)} in the Dockerfile`);
    const lines = DOCKERFILE.slice(DOCKERFILE.indexOf("\nRUN ", start) + 1).split("\n");
    const parts: string[] = [];
    for (const line of lines) {
        if (/^\s*#/.test(line)) continue;
        parts.push(line.replace(/\\$/, ""));
        if (!line.endsWith("\\")) break;
    }
    // As the Dockerfile parser does: a line continuation (backslash, newline) is removed.
    return parts.join("").replace(/^RUN\s+/, "").replace(/--mount=\S+\s*/g, "");
}

let dir: string;
beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nextstack-dockerfile-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes `files` (path → text) under `root`. */
function tree(root: string, files: Record<string, string>): void {
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
    }
}

/** Every file under `root`, relative, sorted. */
function filesUnder(root: string): string[] {
    const out: string[] = [];
    const walk = (rel: string) => {
        for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
            const child = rel ? `${rel}/${entry.name}` : entry.name;
            if (entry.isDirectory()) walk(child);
            else out.push(child);
        }
    };
    walk("");
    return out.sort();
}

describe("the manifests stage: what the install starts from", () => {
    test("keeps every workspace's package.json, the root's lockfiles and settings, the patch directories, and nothing else", () => {
        const src = path.join(dir, "src");
        const manifests = path.join(dir, "manifests");
        tree(src, {
            "package.json": "{}",
            "pnpm-lock.yaml": "lockfileVersion: '9.0'",
            "pnpm-workspace.yaml": "packages: []",
            ".npmrc": "x",
            ".yarnrc.yml": "x",
            "package-lock.json": "{}",
            "bun.lockb": "x",
            "patches/left-pad@1.0.0.patch": "diff",
            ".yarn/patches/a.patch": "diff",
            ".yarn/releases/yarn.cjs": "the release a yarnPath names: not an input of the install here",
            "apps/web/package.json": "{}",
            "apps/web/app/page.js": "source",
            "apps/web/my app/package.json": "{}",
            "packages/ui/package.json": "{}",
            "packages/ui/index.js": "source",
            "node_modules/next/package.json": "{}",
            "apps/web/node_modules/x/package.json": "{}",
            "apps/web/.next/package.json": "{}",
            ".git/package.json": "{}",
            "apps/web/pnpm-lock.yaml": "a nested lockfile is not the workspace's",
        });
        const script = runStep("FROM pm AS manifests").replaceAll("/manifests", manifests);
        execFileSync("sh", ["-c", script], { cwd: src });
        expect(filesUnder(manifests)).toEqual([
            ".npmrc",
            ".yarn/patches/a.patch",
            ".yarnrc.yml",
            "apps/web/my app/package.json",
            "apps/web/package.json",
            "bun.lockb",
            "package-lock.json",
            "package.json",
            "packages/ui/package.json",
            "patches/left-pad@1.0.0.patch",
            "pnpm-lock.yaml",
            "pnpm-workspace.yaml",
        ]);
        expect(fs.readFileSync(path.join(manifests, "pnpm-lock.yaml"), "utf8")).toBe("lockfileVersion: '9.0'");
    });

    test("an app alone: its package.json and lockfile", () => {
        const src = path.join(dir, "src");
        const manifests = path.join(dir, "manifests");
        tree(src, { "package.json": "{}", "package-lock.json": "{}", "app/page.js": "source", "public/logo.svg": "<svg/>" });
        execFileSync("sh", ["-c", runStep("FROM pm AS manifests").replaceAll("/manifests", manifests)], { cwd: src });
        expect(filesUnder(manifests)).toEqual(["package-lock.json", "package.json"]);
    });
});

/** Reads `env` output (NAME=value lines) into a record. */
function readEnv(file: string): Record<string, string> {
    return Object.fromEntries(
        fs
            .readFileSync(file, "utf8")
            .split("\n")
            .filter((l) => l.includes("="))
            .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
}

/**
 * The build secrets as BuildKit mounts them (a file at /run/secrets/<id>; none when not given), moved under the
 * scratch directory; `expected` is the NEXTSTACK_BUILD_SECRETS build argument ("1" when the stack has some).
 */
interface Secrets {
    file?: string;
    expected?: string;
}

function withSecrets(script: string, secrets: Secrets): string {
    const file = path.join(dir, "run-secrets", "nextstack-build-secrets");
    if (secrets.file !== undefined) tree(dir, { "run-secrets/nextstack-build-secrets": secrets.file });
    return script.replaceAll("/run/secrets/nextstack-build-secrets", file);
}

/**
 * Runs the first RUN step after `stage` in a scratch app directory (package.json `manifest`), its cache mount moved
 * under the scratch directory, with `tool` on PATH replaced by a script that prints the env it is given (then runs
 * `tool.then`); returns that env.
 */
function runWithFakeTool(
    stage: string,
    cacheMount: string,
    tool: { name: string; then: string },
    manifest: string,
    env: Record<string, string>,
    secrets: Secrets,
): Record<string, string> {
    const bin = path.join(dir, "bin");
    tree(bin, { [tool.name]: `env > "$NEXTSTACK_TEST_ENV_OUT"; ${tool.then}\n` });
    fs.chmodSync(path.join(bin, tool.name), 0o755);
    tree(dir, { "app/package.json": manifest });
    const script = withSecrets(runStep(stage).replaceAll(cacheMount, path.join(dir, "cache")), secrets);
    const out = path.join(dir, "env.out");
    execFileSync("sh", ["-c", script], {
        cwd: path.join(dir, "app"),
        env: { PATH: `${bin}:${process.env.PATH}`, NEXTSTACK_BUILD_SECRETS: secrets.expected ?? "", NEXTSTACK_TEST_ENV_OUT: out, ...env },
        stdio: "pipe",
    });
    return readEnv(out);
}

/** The builder's step, its package manager a fake that leaves a standalone server behind. */
const runBuilder = (buildEnv: string, secrets: Secrets = {}) =>
    runWithFakeTool(
        "FROM source AS builder",
        "/var/cache/nextstack-next",
        { name: "fakepm", then: "mkdir -p .next/standalone && touch .next/standalone/server.js" },
        '{ "name": "web" }',
        { NEXTSTACK_PACKAGE_MANAGER: "fakepm@1.0.0", NEXTSTACK_BUILD_ENV: buildEnv, APP_DIR: "." },
        secrets,
    );

describe("the build env: exported for the build", () => {
    const buildWith = runBuilder;

    test("each NAME=value line, spaces, quotes and = in values kept as they are", () => {
        const env = buildWith(["NEXT_PUBLIC_SITE=Shop & Co", "NEXT_PUBLIC_Q=it's \"quoted\" $HOME", "SENTRY_ORG=a=b"].join("\n"));
        expect(env).toMatchObject({ NEXT_PUBLIC_SITE: "Shop & Co", NEXT_PUBLIC_Q: "it's \"quoted\" $HOME", SENTRY_ORG: "a=b" });
    });

    test("none given: nothing added, the build still runs; Next.js's cache is a link into the cache mount, removed after", () => {
        const env = buildWith("");
        expect(Object.keys(env).filter((k) => k.startsWith("NEXT_PUBLIC_"))).toEqual([]);
        expect(fs.existsSync(path.join(dir, "cache", "web"))).toBe(true);
        expect(fs.existsSync(path.join(dir, "app", ".next", "cache"))).toBe(false);
        expect(fs.existsSync(path.join(dir, "app", ".next", "standalone", "server.js"))).toBe(true);
    });
});

describe("the build secrets: exported for the install and the build, from the secret mount", () => {
    test("the install and the build mount the secret the program passes, at the path these steps read", () => {
        const mounts = DOCKERFILE.match(/--mount=type=secret,id=(\S+)/g) ?? [];
        expect(mounts).toEqual([`--mount=type=secret,id=${BUILD_SECRETS_ID}`, `--mount=type=secret,id=${BUILD_SECRETS_ID}`]);
        expect(DOCKERFILE.split(`s=/run/secrets/${BUILD_SECRETS_ID};`).length).toBe(3);
    });

    /** The deps stage's install step, its `npm` a fake. */
    const installWith = (secrets: Secrets) =>
        runWithFakeTool("FROM pm AS deps", "/var/cache/nextstack-pm", { name: "npm", then: "true" }, "{}", { NEXTSTACK_PACKAGE_MANAGER: "npm" }, secrets);

    const buildWith = (secrets: Secrets) => runBuilder("", secrets);

    // The file the program writes: one NAME=value per line; the last line's newline is not needed.
    const file = "NPM_TOKEN=npm_s3cr3t\nSENTRY_AUTH_TOKEN=a b=c \"$HOME\"";

    test("the install gets each line as a variable, values kept as they are", () => {
        expect(installWith({ file, expected: "1" })).toMatchObject({ NPM_TOKEN: "npm_s3cr3t", SENTRY_AUTH_TOKEN: 'a b=c "$HOME"' });
    });

    test("the build gets them too", () => {
        expect(buildWith({ file, expected: "1" })).toMatchObject({ NPM_TOKEN: "npm_s3cr3t", SENTRY_AUTH_TOKEN: 'a b=c "$HOME"' });
    });

    test("a stack without build secrets: no mount, nothing added, both steps run", () => {
        expect(Object.keys(installWith({}))).not.toContain("NPM_TOKEN");
        expect(Object.keys(buildWith({}))).not.toContain("NPM_TOKEN");
    });

    test("secrets expected but not mounted: both steps fail, saying so, rather than build without them", () => {
        for (const run of [installWith, buildWith]) {
            let error: any;
            try {
                run({ expected: "1" });
            } catch (e) {
                error = e;
            }
            expect(error?.status).toBe(1);
            expect(String(error?.stderr)).toContain("the build secrets (appBuildSecrets) did not reach the build");
        }
    });
});
