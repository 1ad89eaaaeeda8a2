import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { buildSecretsFile, contextHash, removeBuildSecrets, writeBuildSecrets } from "../../components/buildSecrets";

// The context hash decides when a RemoteImage-built app image is rebuilt (it is a ForceNew trigger); the secrets
// file is what the provider hands BuildKit. Both on scratch trees.
let dir: string;
beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nextstack-buildsecrets-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function tree(files: Record<string, string>): void {
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
}

describe("contextHash", () => {
    const hash = () => contextHash(dir, "app", "Dockerfile");
    beforeEach(() =>
        tree({
            Dockerfile: "FROM base\n",
            "app/package.json": "{}",
            "app/app/page.js": "export default () => 'hi'",
            "app/.dockerignore": "*.log\n.env*\n!.env.example\n",
        }),
    );

    test("same files, same hash; a new modification time alone changes nothing", () => {
        const before = hash();
        fs.utimesSync(path.join(dir, "app/app/page.js"), new Date(2001, 1, 1), new Date(2001, 1, 1));
        expect(hash()).toBe(before);
        expect(before).toMatch(/^[0-9a-f]{64}$/);
    });

    test.each<[string, () => void]>([
        ["a one-character edit", () => tree({ "app/app/page.js": "export default () => 'ho'" })],
        ["a rename", () => fs.renameSync(path.join(dir, "app/app/page.js"), path.join(dir, "app/app/home.js"))],
        ["an added file", () => tree({ "app/lib/db.js": "" })],
        ["a removed file", () => fs.rmSync(path.join(dir, "app/package.json"))],
        ["chmod +x", () => fs.chmodSync(path.join(dir, "app/app/page.js"), 0o755)],
        ["an edited Dockerfile (outside the context)", () => tree({ Dockerfile: "FROM base\nRUN true\n" })],
        ["an edited .dockerignore", () => tree({ "app/.dockerignore": "*.log\n" })],
        ["a file re-included by a ! pattern", () => tree({ "app/.env.example": "A=1" })],
        ["a symlink's new target", () => fs.symlinkSync("page.js", path.join(dir, "app/app/index.js"))],
        ["an edit moved between files", () => tree({ "app/package.json": "{}x", "app/app/page.js": "xport default () => 'hi'" })],
    ])("%s changes it", (_, change) => {
        const before = hash();
        change();
        expect(hash()).not.toBe(before);
    });

    test.each<[string, () => void]>([
        ["a file .dockerignore excludes", () => tree({ "app/debug.log": "x", "app/.env.local": "SECRET=1" })],
        ["node_modules, anywhere", () => tree({ "app/node_modules/next/index.js": "x", "app/packages/ui/node_modules/a.js": "x" })],
        [".next build output", () => tree({ "app/.next/server/page.js": "x" })],
        ["a file outside the context", () => tree({ "README.md": "x" })],
    ])("%s does not change it (the image cannot differ)", (_, change) => {
        const before = hash();
        change();
        expect(hash()).toBe(before);
    });

    test("without a .dockerignore every file counts, a log file too", () => {
        fs.rmSync(path.join(dir, "app/.dockerignore"));
        const before = hash();
        tree({ "app/debug.log": "x" });
        expect(hash()).not.toBe(before);
    });

    test("files' bytes cannot run into the next file's: a content that ends like another file's record is not that file", () => {
        fs.rmSync(path.join(dir, "app"), { recursive: true });
        tree({ "app/x": "ab", "app/y": "" });
        const two = hash();
        fs.rmSync(path.join(dir, "app"), { recursive: true });
        tree({ "app/x": "abfile y 644" });
        expect(hash()).not.toBe(two);
    });

    test("the order the file system lists a directory in does not count (names are sorted)", () => {
        tree({ "app/a.js": "1", "app/b.js": "2", "app/c.js": "3" });
        const listed = hash();
        const readdirSync = fs.readdirSync;
        // The module object itself (this file's `fs` is an import wrapper with read-only getters).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const spy = jest.spyOn(require("fs") as typeof fs, "readdirSync").mockImplementation(((p: fs.PathLike) => (readdirSync(p) as string[]).reverse()) as typeof fs.readdirSync);
        try {
            expect(hash()).toBe(listed);
            expect(spy).toHaveBeenCalled();
        } finally {
            spy.mockRestore();
        }
    });

    test("the order files were created in does not count (names are sorted)", () => {
        fs.rmSync(path.join(dir, "app"), { recursive: true });
        tree({ "app/a.js": "1", "app/b.js": "2", "app/c.js": "3" });
        const first = hash();
        fs.rmSync(path.join(dir, "app"), { recursive: true });
        tree({ "app/c.js": "3", "app/a.js": "1", "app/b.js": "2" });
        expect(hash()).toBe(first);
    });

    test("a ! pattern after leading blanks is an exception too (the builder trims each line)", () => {
        tree({ "app/.dockerignore": ".git\n  !.git/HEAD\n", "app/.git/HEAD": "ref: main" });
        const before = hash();
        tree({ "app/.git/HEAD": "ref: other" });
        expect(hash()).not.toBe(before);
    });

    test("a symlink counts by its name and its target", () => {
        fs.symlinkSync("page.js", path.join(dir, "app/app/index.js"));
        const before = hash();
        fs.rmSync(path.join(dir, "app/app/index.js"));
        fs.symlinkSync("home.js", path.join(dir, "app/app/index.js"));
        const retargeted = hash();
        expect(retargeted).not.toBe(before);
        fs.renameSync(path.join(dir, "app/app/index.js"), path.join(dir, "app/app/main.js"));
        expect(hash()).not.toBe(retargeted);
    });

    test("a socket in the context counts as nothing, as in the tar the builder sends (it holds no files' bytes)", async () => {
        const before = hash();
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(path.join(dir, "app/dev.sock"), resolve));
        try {
            expect(fs.lstatSync(path.join(dir, "app/dev.sock")).isSocket()).toBe(true);
            expect(hash()).toBe(before);
        } finally {
            await new Promise((resolve) => server.close(resolve));
        }
    });

    test("a directory .dockerignore excludes is not walked, unless a ! pattern could bring files back", () => {
        tree({ "app/.dockerignore": ".git\n", "app/.git/HEAD": "ref: main" });
        // A large .git or cache directory costs nothing: it is not listed at all.
        const listed = (): string[] => {
            const readdirSync = fs.readdirSync;
            const dirs: string[] = [];
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const spy = jest.spyOn(require("fs") as typeof fs, "readdirSync").mockImplementation(((p: fs.PathLike) => (dirs.push(path.relative(dir, String(p))), readdirSync(p))) as typeof fs.readdirSync);
            try {
                hash();
            } finally {
                spy.mockRestore();
            }
            return dirs.sort();
        };
        expect(listed()).toEqual(["app", "app/app"]);
        const before = hash();
        tree({ "app/.git/HEAD": "ref: other" });
        expect(hash()).toBe(before);
        // The directories it does not exclude are walked.
        tree({ "app/app/page.js": "export default () => 'ho'" });
        expect(hash()).not.toBe(before);
        tree({ "app/.dockerignore": ".git\n!.git/HEAD\n" });
        expect(listed()).toEqual(["app", "app/.git", "app/app"]);
        const withException = hash();
        tree({ "app/.git/HEAD": "ref: main" });
        expect(hash()).not.toBe(withException);
    });
});

describe("the secrets file", () => {
    const file = buildSecretsFile("nextstack-pr-7");

    test("is relative to the project (the same input on every machine), one per stack", () => {
        expect(file).toBe(".nextstack/nextstack-pr-7.build-secrets");
        expect(path.isAbsolute(file)).toBe(false);
    });

    test("holds one NAME=value line per entry, readable by its owner only, in a directory only its owner enters", () => {
        writeBuildSecrets(dir, file, ["NPM_TOKEN=abc", "B=x=y z"]);
        expect(fs.readFileSync(path.join(dir, file), "utf8")).toBe("NPM_TOKEN=abc\nB=x=y z\n");
        expect(fs.statSync(path.join(dir, file)).mode & 0o777).toBe(0o600);
        expect(fs.statSync(path.join(dir, ".nextstack")).mode & 0o777).toBe(0o700);
    });

    test("writing leaves no file open (a deployment writes it for every up)", () => {
        const open = () => fs.readdirSync("/proc/self/fd").length;
        const before = open();
        for (let i = 0; i < 20; i++) writeBuildSecrets(dir, file, ["A=1"]);
        expect(open()).toBeLessThan(before + 5);
    });

    test("a file left by an earlier run is replaced, and narrowed to its owner", () => {
        tree({ [file]: "OLD=1\nOLDER=2\nOLDEST=3\n" });
        fs.chmodSync(path.join(dir, file), 0o644);
        fs.chmodSync(path.join(dir, ".nextstack"), 0o755);
        writeBuildSecrets(dir, file, ["NEW=1"]);
        expect(fs.readFileSync(path.join(dir, file), "utf8")).toBe("NEW=1\n");
        expect(fs.statSync(path.join(dir, file)).mode & 0o777).toBe(0o600);
        expect(fs.statSync(path.join(dir, ".nextstack")).mode & 0o777).toBe(0o700);
    });

    test("removing it removes the directory too, unless another stack's file is there; twice is fine", () => {
        writeBuildSecrets(dir, file, ["A=1"]);
        writeBuildSecrets(dir, buildSecretsFile("nextstack-dev"), ["A=2"]);
        removeBuildSecrets(dir, file);
        expect(fs.existsSync(path.join(dir, file))).toBe(false);
        expect(fs.readdirSync(path.join(dir, ".nextstack"))).toEqual(["nextstack-dev.build-secrets"]);
        removeBuildSecrets(dir, buildSecretsFile("nextstack-dev"));
        expect(fs.existsSync(path.join(dir, ".nextstack"))).toBe(false);
        expect(() => removeBuildSecrets(dir, file)).not.toThrow();
    });
});
