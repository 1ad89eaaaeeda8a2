import ignore from "@balena/dockerignore";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/**
 * Build secrets (appBuildSecrets) reach the image build as a BuildKit secret. docker.Image cannot pass one (its
 * BuildKit session serves registry auth only), so a stack with build secrets builds with docker.RemoteImage's
 * `build`, whose legacy-builder path (kreuzwerker/terraform-provider-docker v4.5.0, the version pulumi-docker 5.2.0
 * bridges: resource_docker_image_funcs.go legacyBuildDockerImage) opens a BuildKit session that serves secrets, read
 * from a file (`secrets[].src`) when the build runs. This module writes that file, and computes the context hash that
 * tells the resource when to rebuild (its `build` has no content hash of its own: a changed file would not rebuild).
 */

/** Secret ID the Dockerfile mounts (`RUN --mount=type=secret,id=…`): one file of NAME=value lines. */
export const BUILD_SECRETS_ID = "nextstack-build-secrets";

/** Directory, relative to the project, that holds a stack's secrets file while a deployment runs. */
export const BUILD_SECRETS_DIR = ".nextstack";

/**
 * The stack's secrets file, relative to the project: the provider runs in the project directory and reads `src`
 * relative to it. Relative, so the input is the same on every machine (a changed `src` would replace the image).
 */
export const buildSecretsFile = (stack: string): string => `${BUILD_SECRETS_DIR}/${stack}.build-secrets`;

/**
 * Writes the secrets file (NAME=value lines), readable by its owner only, in a directory only its owner can enter.
 * The values are the ones config holds; the file exists only while the deployment needs it ({@link removeBuildSecrets}).
 */
export function writeBuildSecrets(projectDir: string, file: string, entries: string[]): void {
    const target = path.resolve(projectDir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    fs.chmodSync(path.dirname(target), 0o700);
    // Created 0600 before anything is written (a file left by an earlier run is truncated, then narrowed).
    const fd = fs.openSync(target, "w", 0o600);
    try {
        fs.fchmodSync(fd, 0o600);
        fs.writeSync(fd, entries.map((e) => `${e}\n`).join(""));
    } finally {
        fs.closeSync(fd);
    }
}

/** Removes the secrets file, and its directory when nothing else is in it. */
export function removeBuildSecrets(projectDir: string, file: string): void {
    const target = path.resolve(projectDir, file);
    fs.rmSync(target, { force: true });
    try {
        fs.rmdirSync(path.dirname(target));
    } catch {
        // Not empty (another stack's file) or already gone.
    }
}

/**
 * Directories the hash skips wherever they are: the Dockerfile deletes them from the copied source (a host's
 * node_modules is for the wrong platform, .next is build output), so they never change the image.
 */
const SKIPPED_DIRS = new Set(["node_modules", ".next"]);

/**
 * SHA-256 over what the build reads: the Dockerfile's text, and each file of the context that `<context>/.dockerignore`
 * does not exclude (the only ignore file the legacy builder reads: docker/cli build.ReadDockerignore), by relative
 * path, type, permission bits and content (a symlink by its target). Same files, same hash; any edit, rename, added
 * or removed file, or chmod changes it. Directories count through their files; modification times do not count.
 */
export function contextHash(projectDir: string, context: string, dockerfile: string): string {
    const root = path.resolve(projectDir, context);
    const ignorePath = path.join(root, ".dockerignore");
    const patterns = fs.existsSync(ignorePath) ? fs.readFileSync(ignorePath, "utf8").split(/\r?\n/) : [];
    const ignored = ignore().add(patterns);
    // Without exceptions (`!pattern`) nothing under an excluded directory can be included again: not walked.
    const canReinclude = patterns.some((p) => p.trim().startsWith("!"));
    const hash = crypto.createHash("sha256");
    // Each field with its length first, so no two different trees give the same bytes.
    const field = (value: string | Buffer) => {
        const bytes = Buffer.from(value);
        hash.update(`${bytes.length}:`);
        hash.update(bytes);
    };
    field(fs.readFileSync(path.resolve(projectDir, dockerfile)));
    const walk = (rel: string) => {
        const names = fs.readdirSync(path.join(root, rel)).sort();
        for (const name of names) {
            const child = rel ? `${rel}/${name}` : name;
            const stat = fs.lstatSync(path.join(root, child));
            if (stat.isDirectory()) {
                if (!SKIPPED_DIRS.has(name) && (canReinclude || !ignored.ignores(child))) walk(child);
                continue;
            }
            if (ignored.ignores(child)) continue;
            const mode = (stat.mode & 0o777).toString(8);
            if (stat.isSymbolicLink()) {
                field(`link ${child} ${mode}`);
                field(fs.readlinkSync(path.join(root, child)));
            } else if (stat.isFile()) {
                field(`file ${child} ${mode}`);
                field(fs.readFileSync(path.join(root, child)));
            }
        }
    };
    walk("");
    return hash.digest("hex");
}
