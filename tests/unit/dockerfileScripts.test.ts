// Shell steps of components/nextjs.Dockerfile, taken from the file and run under `sh` on a scratch tree, as the
// image build runs them: the manifests stage (what the cached install starts from) and the build env's export.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
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

describe("the build env: exported for the build", () => {
    /** Runs the builder's step with the package manager replaced by a script that prints the env it is given. */
    function buildWith(buildEnv: string): Record<string, string> {
        const bin = path.join(dir, "bin");
        tree(bin, { fakepm: 'env > "$NEXTSTACK_TEST_ENV_OUT"; mkdir -p .next/standalone && touch .next/standalone/server.js\n' });
        fs.chmodSync(path.join(bin, "fakepm"), 0o755);
        tree(dir, { "app/package.json": '{ "name": "web" }' });
        const script = runStep("FROM source AS builder").replaceAll("/var/cache/nextstack-next", path.join(dir, "cache"));
        const out = path.join(dir, "env.out");
        execFileSync("sh", ["-c", script], {
            cwd: path.join(dir, "app"),
            env: { PATH: `${bin}:${process.env.PATH}`, NEXTSTACK_PACKAGE_MANAGER: "fakepm@1.0.0", NEXTSTACK_BUILD_ENV: buildEnv, APP_DIR: ".", NEXTSTACK_TEST_ENV_OUT: out },
        });
        return Object.fromEntries(
            fs
                .readFileSync(out, "utf8")
                .split("\n")
                .filter((l) => l.includes("="))
                .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
        );
    }

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
