import "./workdir"; // first: sets NEXTSTACK_E2E_WORK before the e2e support module reads it
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { WORK_DIR } from "../tests/e2e/support";
import { prepareEngine } from "./engine";

/**
 * `npm run bench:build` (and the first part of `npm run bench`): how long the app's image takes to build, and how
 * big it is, with the product's Dockerfile (components/nextjs.Dockerfile) on this machine's engine (BuildKit, as
 * the provider builds). The sample app (app/) is copied to a scratch directory and built five times:
 *
 *   cold          no layer cache (--no-cache) and the Dockerfile's cache mounts emptied first
 *   no change     the same context again
 *   one-line edit a line of the page's text changed (target: at most 0.4 × cold)
 *   dependency    a dependency added to package.json and the lockfile (npm, on the host)
 *   size          the image against its floor: the base image plus what the server needs (/app in the image:
 *                 the standalone output, static files, public/) (target: at most 1.25 × the floor)
 *
 * package.json gets a field of the run's own, so no layer an earlier run left in the engine's cache matches. Prints
 * the figures; asserts nothing but that the rebuilt image has the edit (a stale cache would fail it). Removes its image and scratch directory at the end. Clears the engine's
 * cache mounts before the cold build (`docker builder prune --filter type=exec.cachemount`): the e2e's only cost
 * is a slower next build. Needs root and a Debian host, like the e2e (it runs the e2e's engine and base image setup).
 */

const ROOT = path.join(__dirname, "..");
const DOCKERFILE = path.join(ROOT, "components", "nextjs.Dockerfile");
const IMAGE = "nextstack-bench-build:current";
const LABEL = "nextstack.stack=bench-build";
const DOCKER = fs.existsSync("/usr/bin/docker") ? "/usr/bin/docker" : "docker";
/** Added for the dependency row: small, no dependencies of its own. */
const ADDED_DEPENDENCY = "is-number@7.0.0";
const TARGETS = { edit: 0.4, size: 1.25 };

const startedAt = Date.now();
const log = (line: string) => process.stderr.write(`[bench:build ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);

function docker(args: string[], env: NodeJS.ProcessEnv = {}): string {
    return execFileSync(DOCKER, args, { encoding: "utf8", env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 }).trim();
}

/** Builds the scratch app as the provider does (BuildKit, the product's Dockerfile); returns seconds. */
function build(context: string, nodeImage: string, extra: string[] = []): number {
    const started = process.hrtime.bigint();
    const res = spawnSync(
        DOCKER,
        ["build", "--quiet", ...extra, "-f", DOCKERFILE, "--build-arg", `BASE_IMAGE=${nodeImage}`, "--build-arg", "PACKAGE_MANAGER=npm", "--label", LABEL, "-t", IMAGE, context],
        { encoding: "utf8", env: { ...process.env, DOCKER_BUILDKIT: "1" }, maxBuffer: 64 << 20 },
    );
    if (res.status !== 0) throw new Error(`docker build failed (exit ${res.status}):\n${(res.stderr ?? "").split("\n").slice(-30).join("\n")}`);
    return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The sample app without what .dockerignore leaves out (node_modules, .next). */
function copyApp(to: string): void {
    fs.rmSync(to, { recursive: true, force: true });
    fs.cpSync(path.join(ROOT, "app"), to, { recursive: true, filter: (src) => !/[\\/](node_modules|\.next)$/.test(src) });
}

function main(): void {
    const nodeImage = prepareEngine(log).node;
    const scratch = path.join(WORK_DIR, "bench-build-app");
    try {
        copyApp(scratch);
        // A field of this run's own in package.json: no layer of an earlier run (the engine keeps them) matches any
        // build below, so each row measures what it says.
        const manifest = path.join(scratch, "package.json");
        const nonce = `${Date.now()}-${process.pid}`;
        fs.writeFileSync(manifest, JSON.stringify({ ...JSON.parse(fs.readFileSync(manifest, "utf8")), nextstackBenchRun: nonce }, null, 2) + "\n");
        log("emptying the engine's cache mounts (docker builder prune --filter type=exec.cachemount)");
        docker(["builder", "prune", "--force", "--filter", "type=exec.cachemount"]);

        const rows: Array<{ row: string; seconds: number }> = [];
        log("cold build (--no-cache)");
        rows.push({ row: "cold", seconds: build(scratch, nodeImage, ["--no-cache"]) });
        log("no-change build");
        rows.push({ row: "no change", seconds: build(scratch, nodeImage) });

        const page = path.join(scratch, "app", "page.js");
        const text = fs.readFileSync(page, "utf8");
        const edited = text.replace(/<h1>([^<]*)<\/h1>/, "<h1>$1 (edited)</h1>");
        if (edited === text) throw new Error(`no <h1> in ${page} to edit`);
        fs.writeFileSync(page, edited);
        log("one-line edit of app/page.js");
        rows.push({ row: "one-line edit", seconds: build(scratch, nodeImage) });
        // A warm cache must not serve the old page: the server's build output has the edited text.
        const edits = docker(["run", "--rm", "--entrypoint", "grep", IMAGE, "-rl", "--include=*.js", "(edited)", "/app/.next/server"]);
        if (!edits) throw new Error("the image built after the edit does not have the edited text: a stale build");
        log(`the edit is in the rebuilt image (${edits.split("\n").length} file(s) of .next/server)`);

        log(`dependency change: npm install --package-lock-only ${ADDED_DEPENDENCY} (host)`);
        execFileSync("npm", ["install", "--package-lock-only", "--no-audit", "--no-fund", ADDED_DEPENDENCY], { cwd: scratch, stdio: ["ignore", "ignore", "inherit"] });
        rows.push({ row: "dependency added", seconds: build(scratch, nodeImage) });

        const imageBytes = Number(docker(["image", "inspect", "--format", "{{.Size}}", IMAGE]));
        const baseBytes = Number(docker(["image", "inspect", "--format", "{{.Size}}", nodeImage]));
        const appBytes = Number(docker(["run", "--rm", "--entrypoint", "du", IMAGE, "-sb", "/app"]).split(/\s+/)[0]);
        const floor = baseBytes + appBytes;

        const cold = rows[0].seconds;
        const mb = (b: number) => (b / 1e6).toFixed(1);
        const out: string[] = ["", "app image build (sample app, components/nextjs.Dockerfile, BuildKit)", "  row               seconds  × cold  target"];
        for (const { row, seconds } of rows) {
            const target = row === "one-line edit" ? `≤ ${TARGETS.edit} × cold: ${seconds <= TARGETS.edit * cold ? "met" : "NOT met"}` : "";
            out.push(`  ${row.padEnd(16)}  ${seconds.toFixed(1).padStart(7)}  ${(seconds / cold).toFixed(2).padStart(6)}  ${target}`);
        }
        const ratio = imageBytes / floor;
        out.push(
            `  image size        ${mb(imageBytes)} MB; floor ${mb(floor)} MB (base ${mb(baseBytes)} MB + /app ${mb(appBytes)} MB: standalone output, static, public) = ${ratio.toFixed(2)} × floor; target ≤ ${TARGETS.size}: ${ratio <= TARGETS.size ? "met" : "NOT met"}`,
        );
        process.stdout.write(out.join("\n") + "\n");
    } finally {
        spawnSync(DOCKER, ["image", "rm", "--force", IMAGE], { stdio: "ignore" });
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

try {
    main();
} catch (err) {
    process.stderr.write(`bench:build failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
}
