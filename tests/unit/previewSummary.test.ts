import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseUrn, PreviewDigest, readDigest, renderSummary, summarizePreview } from "../../scripts/previewSummary";

// The summary above the preview diff (scripts/previewSummary.ts), from fixtures in the shape `pulumi preview --json`
// prints: pulumi/pulumi sdk/go/common/display/json.go (PreviewDigest, PreviewStep, PreviewDiagnostic), filled by
// pkg/backend/display/json.go ShowPreviewDigest (a replacement is one logical `replace` step; the root stack is
// always listed, as `same` when unchanged).

const ROOT = path.resolve(__dirname, "../..");
const FIXTURES = path.join(ROOT, "tests/fixtures/preview");
const fixture = (name: string): PreviewDigest => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8"));
const urn = (type: string, name: string) => `urn:pulumi:pr-7::nextstack::nextstack:db:Database$${type}::${name}`;

describe("an app change (app/ edited): the image is rebuilt and the app container replaced", () => {
    const summary = summarizePreview(fixture("app-change.json"));

    test("counts what changes, not the unchanged stack", () => {
        expect(summary.counts).toEqual({ create: 0, update: 1, replace: 1, delete: 0 });
        expect(summary.unchanged).toBe(12);
    });

    test("lists each resource with its type and the properties behind the change", () => {
        expect(summary.changes).toEqual([
            expect.objectContaining({ change: "update", type: "docker:index/image:Image", name: "app-image", properties: ["build"] }),
            expect.objectContaining({ change: "replace", type: "docker:index/container:Container", name: "app", properties: ["image"] }),
        ]);
    });

    test("no data volume is touched and info diagnostics are not errors", () => {
        expect(summary.volumeLosses).toEqual([]);
        expect(summary.errors).toEqual([]);
    });

    test("the comment: marker, counts, a table, no warning, the diff collapsed below", () => {
        const text = renderSummary(summary, { title: "`pulumi preview` of `prod`", marker: "nextstack:preview", diffText: "+-docker:index/container:Container: (replace)\n", commit: "1a2b3c4d5e6f7a8b" });
        expect(text.startsWith("<!-- nextstack:preview -->\n### `pulumi preview` of `prod`\n")).toBe(true);
        expect(text).toContain("**2 changes**: 0 to create · 1 to update · 1 to replace · 0 to delete · 12 unchanged");
        expect(text).toContain("| `+-` replace | `app` | `docker:index/container:Container` | `image` |");
        expect(text).toContain("| `~` update | `app-image` | `docker:index/image:Image` | `build` |");
        expect(text).not.toContain("CAUTION");
        expect(text).toContain("Data volume: not replaced, not deleted.");
        expect(text).toMatch(/<details><summary>Full diff[\s\S]*```diff\n\+-docker:index\/container:Container: \(replace\)\n```\n<\/details>/);
        expect(text).toContain("commit `1a2b3c4d5e6f`");
    });
});

describe("a change that would replace prod's protected data volume", () => {
    const summary = summarizePreview(fixture("volume-replace.json"));

    test("the volume is a loss the engine refused as protected; its error is kept", () => {
        expect(summary.counts).toEqual({ create: 0, update: 0, replace: 2, delete: 0 });
        expect(summary.volumeLosses).toEqual([
            { name: "db-data", urn: "urn:pulumi:prod::nextstack::nextstack:db:Database$docker:index/volume:Volume::db-data", change: "replace", refusedAsProtected: true },
        ]);
        expect(summary.errors).toHaveLength(1);
        expect(summary.errors[0]).toMatch(/^db-data: error: unable to replace resource .* marked for protection/s);
    });

    test("the comment opens with a loud warning, before the counts", () => {
        const text = renderSummary(summary, { title: "t", exitCode: 255 });
        const caution = text.indexOf("> [!CAUTION]\n> 🚨 **DATA LOSS: the data volume `db-data` (`docker:index/volume:Volume`) would be REPLACED.**");
        expect(caution).toBeGreaterThan(0);
        expect(caution).toBeLessThan(text.indexOf("**2 changes**"));
        expect(text).toContain("It is protected, so the engine refused the step");
        expect(text).toContain("The preview reported errors:");
        expect(text).toContain("The preview exited with 255.");
        expect(text).not.toContain("Data volume: not replaced");
    });
});

test("an unprotected volume that would be deleted is a loss too, and `up` would do it", () => {
    const summary = summarizePreview({
        steps: [
            { op: "delete", urn: urn("docker:index/volume:Volume", "db-data"), oldState: { type: "docker:index/volume:Volume" } },
            { op: "delete", urn: urn("docker:index/container:Container", "db") },
        ],
    });
    expect(summary.counts.delete).toBe(2);
    expect(summary.volumeLosses).toEqual([{ name: "db-data", urn: urn("docker:index/volume:Volume", "db-data"), change: "delete", refusedAsProtected: false }]);
    expect(renderSummary(summary, { title: "t" })).toMatch(/would be DELETED\.\*\* Deleting it deletes the database in it\. It is \*\*not\*\* protected: `pulumi up` would do it\./);
});

test("a protected volume known only from the engine's error (no step for it) is still reported", () => {
    const volume = urn("docker:index/volume:Volume", "db-data");
    const summary = summarizePreview({ diagnostics: [{ urn: volume, severity: "error", message: `error: unable to delete resource "${volume}"\nas it is currently marked for protection.` }] });
    expect(summary.volumeLosses).toEqual([{ name: "db-data", urn: volume, change: "delete", refusedAsProtected: true }]);
});

test("replacement steps shown separately (--show-replacement-steps) count as one replacement", () => {
    const container = urn("docker:index/container:Container", "db");
    const summary = summarizePreview({
        steps: [
            { op: "delete-replaced", urn: container },
            { op: "replace", urn: container, replaceReasons: ["image"] },
            { op: "create-replacement", urn: container, replaceReasons: ["image"] },
        ],
    });
    expect(summary.counts).toEqual({ create: 0, update: 0, replace: 1, delete: 0 });
    expect(summary.changes[0].properties).toEqual(["image"]);
});

test("a drift preview (refresh --preview-only): unchanged resources are `refresh` steps; changed ones updates or deletes", () => {
    const summary = summarizePreview({
        steps: [
            { op: "refresh", urn: urn("docker:index/volume:Volume", "db-data") },
            { op: "update", urn: urn("docker:index/container:Container", "db"), detailedDiff: { restart: { kind: "update" }, memory: { kind: "update" } } },
            { op: "delete", urn: "urn:pulumi:prod::nextstack::nextstack:app:NextApp$docker:index/container:Container::app" },
        ],
        changeSummary: { same: 11, update: 1, delete: 1 },
    });
    expect(summary.counts).toEqual({ create: 0, update: 1, replace: 0, delete: 1 });
    expect(summary.changes.map((c) => `${c.change} ${c.name} ${c.properties.join(",")}`)).toEqual(["update db restart,memory", "delete app "]);
});

test("no changes: says so, and there is no table", () => {
    const text = renderSummary(summarizePreview({ steps: [{ op: "same", urn: "urn:pulumi:prod::nextstack::pulumi:pulumi:Stack::nextstack-prod" }], changeSummary: { same: 14 } }), { title: "t" });
    expect(text).toContain("**No changes**: 0 to create · 0 to update · 0 to replace · 0 to delete · 14 unchanged");
    expect(text).not.toContain("| resource |");
});

test("a preview that printed no JSON gets a comment that says so, with the output", () => {
    expect(readDigest("")).toBeUndefined();
    expect(readDigest("error: failed to load checkpoint")).toBeUndefined();
    expect(readDigest('warning: x\n{ "steps": [] }')).toEqual({ steps: [] });
    const text = renderSummary(undefined, { title: "t", exitCode: 255, diffText: "error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions\n" });
    expect(text).toContain("`pulumi preview` printed no JSON");
    expect(text).toContain("The preview exited with 255.");
    expect(text).toContain("PULUMI_ACCESS_TOKEN must be set");
});

test("a long diff is cut so the comment stays under GitHub's limit; backticks in it cannot end the block", () => {
    const text = renderSummary(summarizePreview({}), { title: "t", diffText: "```\n" + "x".repeat(70_000) });
    expect(text.length).toBeLessThan(65_536);
    expect(text).toContain("(cut here: the whole diff is in the job log)");
    expect(text).toContain("````diff\n```\n");
});

test("URNs: the type is the last of the parent chain, the name what follows it", () => {
    expect(parseUrn("urn:pulumi:prod::nextstack::nextstack:db:Database$docker:index/volume:Volume::db-data")).toEqual({ type: "docker:index/volume:Volume", name: "db-data" });
    expect(parseUrn("urn:pulumi:prod::nextstack::pulumi:pulumi:Stack::nextstack-prod")).toEqual({ type: "pulumi:pulumi:Stack", name: "nextstack-prod" });
});

describe("the command line", () => {
    const run = (args: string[]) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
            execFile(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/previewSummary.ts", ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) =>
                resolve({ code: err ? Number((err as NodeJS.ErrnoException).code ?? 1) : 0, stdout, stderr }),
            );
        });

    test("writes the comment; --fail-on-changes exits 1 and names what differs", async () => {
        const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "nextstack-summary-")), "comment.md");
        const res = await run(["--json", path.join(FIXTURES, "app-change.json"), "--diff", path.join(FIXTURES, "app-change.diff.txt"), "--marker", "nextstack:preview", "--out", out, "--fail-on-changes"]);
        expect(res.code).toBe(1);
        expect(res.stderr).toContain("2 resource(s) differ:\n  ~ update docker:index/image:Image app-image (build)\n  +- replace docker:index/container:Container app (image)\n");
        expect(fs.readFileSync(out, "utf8")).toContain("<!-- nextstack:preview -->");
        fs.rmSync(path.dirname(out), { recursive: true });
    }, 60_000);

    test("nothing to change: exit 0", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nextstack-summary-"));
        fs.writeFileSync(path.join(dir, "same.json"), JSON.stringify({ steps: [], changeSummary: { same: 14 } }));
        const res = await run(["--json", path.join(dir, "same.json"), "--fail-on-changes"]);
        expect(res.code).toBe(0);
        expect(res.stdout).toContain("**No changes**");
        fs.rmSync(dir, { recursive: true });
    }, 60_000);
});
