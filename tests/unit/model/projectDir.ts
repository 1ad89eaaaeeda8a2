import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Temporary project directories for the model's unit tests (build contexts, upload and secret sources): made per
 * test (modes and symlinks do not survive git reliably), removed after the test file.
 */

export type FileSpec = string | { content: string; mode: number } | { symlink: string } | { dir: true };

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

/** A temporary project directory holding `files` (relative paths). */
export function project(files: Record<string, FileSpec> = {}): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "nextstack-model-"));
    roots.push(root);
    write(root, files);
    return root;
}

export function write(root: string, files: Record<string, FileSpec>): void {
    for (const [rel, spec] of Object.entries(files)) {
        const abs = path.join(root, rel);
        fs.mkdirSync(path.dirname(abs), { recursive: true });
        if (typeof spec === "string") fs.writeFileSync(abs, spec, { mode: 0o644 });
        else if ("symlink" in spec) fs.symlinkSync(spec.symlink, abs);
        else if ("dir" in spec) fs.mkdirSync(abs, { recursive: true });
        else {
            fs.writeFileSync(abs, spec.content);
            fs.chmodSync(abs, spec.mode);
        }
    }
}
