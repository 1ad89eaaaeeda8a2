import * as fs from "fs";

/**
 * Turns the JSON that `pulumi preview --json` (or `pulumi refresh --preview-only --json`) prints into the summary
 * a reviewer reads first: counts of create / update / replace / delete, one line per changed resource, and a loud
 * warning when a data volume would be replaced or deleted. The PR workflow puts it above the full diff in the
 * preview comment; the drift workflow writes it into the job summary and fails on any change.
 *
 *   node -r ts-node/register/transpile-only scripts/previewSummary.ts --json preview.json [--diff preview.txt]
 *     [--title "…"] [--stack prod] [--exit-code N] [--commit SHA] [--run-url URL] [--marker ID] [--out FILE]
 *     [--fail-on-changes]
 *
 * The shape is pulumi/pulumi's `PreviewDigest` (sdk/go/common/display/json.go: `steps`, `diagnostics`,
 * `changeSummary`, …), filled by `ShowPreviewDigest` (pkg/backend/display/json.go) from the engine's events.
 */

/** `display.PreviewDigest`: what `pulumi preview --json` prints once the preview ends. */
export interface PreviewDigest {
    /** Config of the stack; secrets blinded. */
    config?: Record<string, string>;
    /** The steps the engine would take; `same` steps only with `--show-sames`. */
    steps?: PreviewStep[];
    /** Warnings and errors (and the program's stdout, as `info`). */
    diagnostics?: PreviewDiagnostic[];
    /** Nanoseconds the preview took. */
    duration?: number;
    /** Count per operation (`same`, `create`, `update`, `replace`, `delete`, …), from the engine's summary event. */
    changeSummary?: Record<string, number>;
    maybeCorrupt?: boolean;
}

/** `display.PreviewStep`: one step the engine intends to take. */
export interface PreviewStep {
    /** `deploy.StepOp`: same, create, update, delete, replace, create-replacement, delete-replaced, read, refresh, … */
    op: string;
    /** `urn:pulumi:<stack>::<project>::<parent types $ type>::<name>`. */
    urn: string;
    provider?: string;
    /** `apitype.ResourceV3`; its `type` is the resource type token. */
    oldState?: { type?: string; protect?: boolean } | null;
    newState?: { type?: string; protect?: boolean } | null;
    /** Keys that cause the diff (updating steps). */
    diffReasons?: string[] | null;
    /** Keys that cause the replacement (replacement steps). */
    replaceReasons?: string[] | null;
    /** Property path → `{ kind: add | add-replace | update | update-replace | delete | delete-replace, inputDiff }`. */
    detailedDiff?: Record<string, { kind: string; inputDiff?: boolean }> | null;
}

/** `display.PreviewDiagnostic`. */
export interface PreviewDiagnostic {
    urn?: string;
    prefix?: string;
    message?: string;
    /** `diag.Severity`: debug, info, infoerr, warning, error. */
    severity?: string;
}

/** What a step does to a resource, as the summary counts it. */
export type Change = "create" | "update" | "replace" | "delete";
const CHANGES: Change[] = ["create", "update", "replace", "delete"];

/**
 * Which change each `deploy.StepOp` is (pulumi/pulumi pkg/resource/deploy/step.go). A replacement shows as one
 * logical `replace` step in JSON output; `create-replacement`/`delete-replaced` appear only with
 * `--show-replacement-steps` (pkg/backend/display shouldShow) and count as the same replacement. Steps that
 * change nothing (`same`, `read`, `refresh` of an unchanged resource) are not changes.
 */
const CHANGE_OF_OP: Record<string, Change> = {
    create: "create",
    import: "create",
    update: "update",
    replace: "replace",
    "create-replacement": "replace",
    "delete-replaced": "replace",
    "discard-replaced": "replace",
    "read-replacement": "replace",
    "import-replacement": "replace",
    delete: "delete",
    discard: "delete",
};
const STRENGTH: Record<Change, number> = { update: 0, create: 1, delete: 2, replace: 3 };

/** Type token of the Docker provider's volume: the resource that holds the database's data. */
export const VOLUME_TYPE = "docker:index/volume:Volume";

/** One resource the preview would change. */
export interface ResourceChange {
    change: Change;
    /** Type token (`docker:index/container:Container`). */
    type: string;
    /** Logical name (`app`, `db-data`). */
    name: string;
    urn: string;
    /** Properties that cause the change (replace reasons for a replacement). */
    properties: string[];
}

/** A data volume the change would delete, by replacing or deleting it. */
export interface VolumeLoss {
    name: string;
    urn: string;
    change: "replace" | "delete";
    /** The engine refused the step because the volume is protected: the preview failed, and so would `up`. */
    refusedAsProtected: boolean;
}

/** What the summary shows. */
export interface PreviewSummary {
    counts: Record<Change, number>;
    /** Resources left as they are, when the engine reported it (`changeSummary.same`). */
    unchanged?: number;
    changes: ResourceChange[];
    volumeLosses: VolumeLoss[];
    /** Error diagnostics, one line each. */
    errors: string[];
}

/** Type token and name of a URN (`…::nextstack:db:Database$docker:index/volume:Volume::db-data`). */
export function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) return { type: "", name: urn };
    const qualified = parts[2];
    return { type: qualified.slice(qualified.lastIndexOf("$") + 1), name: parts.slice(3).join("::") };
}

function unique(values: string[]): string[] {
    return [...new Set(values)];
}

/** Reads the digest and decides what it means for a reviewer. */
export function summarizePreview(digest: PreviewDigest): PreviewSummary {
    const byUrn = new Map<string, ResourceChange>();
    for (const step of digest.steps ?? []) {
        const change = CHANGE_OF_OP[step.op];
        if (!change) continue;
        const parsed = parseUrn(step.urn);
        const type = step.newState?.type || step.oldState?.type || parsed.type;
        const reasons = change === "replace" && step.replaceReasons?.length ? step.replaceReasons : step.diffReasons ?? [];
        const properties = unique([...reasons, ...(reasons.length ? [] : Object.keys(step.detailedDiff ?? {}))]);
        const seen = byUrn.get(step.urn);
        if (!seen) {
            byUrn.set(step.urn, { change, type, name: parsed.name, urn: step.urn, properties });
        } else {
            if (STRENGTH[change] > STRENGTH[seen.change]) seen.change = change;
            seen.properties = unique([...seen.properties, ...properties]);
        }
    }
    const changes = [...byUrn.values()];
    const counts = Object.fromEntries(CHANGES.map((c) => [c, changes.filter((r) => r.change === c).length])) as Record<Change, number>;

    const errorDiagnostics = (digest.diagnostics ?? []).filter((d) => d.severity === "error");
    // pulumi/pulumi pkg/resource/deploy/step_generator.go: a replacement of a protected resource is reported as an
    // error diagnostic on that resource ("unable to replace resource … as it is currently marked for protection");
    // a preview goes on and shows the step, `up` stops there. A protected delete fails in DeleteStep.Apply
    // ("unable to delete resource …").
    const refusedUrns = new Set(errorDiagnostics.filter((d) => d.urn && /marked for protection/.test(d.message ?? "")).map((d) => d.urn!));
    const volumeLosses: VolumeLoss[] = changes
        .filter((r) => r.type === VOLUME_TYPE && (r.change === "replace" || r.change === "delete"))
        .map((r) => ({ name: r.name, urn: r.urn, change: r.change as "replace" | "delete", refusedAsProtected: refusedUrns.has(r.urn) }));
    for (const urn of refusedUrns) {
        const { type, name } = parseUrn(urn);
        if (type === VOLUME_TYPE && !volumeLosses.some((v) => v.urn === urn)) {
            const message = errorDiagnostics.find((d) => d.urn === urn)?.message ?? "";
            volumeLosses.push({ name, urn, change: /unable to delete/.test(message) ? "delete" : "replace", refusedAsProtected: true });
        }
    }

    return {
        counts,
        unchanged: digest.changeSummary?.same,
        changes,
        volumeLosses,
        errors: errorDiagnostics.map((d) => `${d.urn ? `${parseUrn(d.urn).name}: ` : ""}${(d.message ?? "").trim()}`),
    };
}

/** True when the preview would change anything or reported an error. */
export function hasChanges(summary: PreviewSummary): boolean {
    return summary.changes.length > 0 || summary.errors.length > 0;
}

const SYMBOL: Record<Change, string> = { create: "+", update: "~", replace: "+-", delete: "-" };
/** GitHub rejects comments longer than 65,536 characters; the diff is cut to leave room for the rest. */
const MAX_DIFF_CHARS = 50_000;

/** Inputs of {@link renderSummary}. */
export interface RenderOptions {
    /** Heading, such as "`pulumi preview` of `prod`". */
    title: string;
    /** Full text of `pulumi preview --diff`, shown collapsed under the summary. */
    diffText?: string;
    /** Exit code of the preview; non-zero is reported. */
    exitCode?: number;
    /** Commit the preview ran on. */
    commit?: string;
    /** Link to the workflow run. */
    runUrl?: string;
    /** Hidden marker the PR comment is found by, so it is edited in place. */
    marker?: string;
}

/** Hidden HTML comment that identifies a comment written by these workflows. */
export function markerLine(marker: string): string {
    return `<!-- ${marker} -->`;
}

function code(text: string): string {
    return `\`${text.replace(/`/g, "'")}\``;
}

/** The summary as GitHub markdown (a PR comment or a job summary). `summary` undefined: the preview printed no JSON. */
export function renderSummary(summary: PreviewSummary | undefined, options: RenderOptions): string {
    const lines: string[] = [];
    if (options.marker) lines.push(markerLine(options.marker));
    lines.push(`### ${options.title}`, "");

    if (summary) {
        for (const loss of summary.volumeLosses) {
            const verb = loss.change === "replace" ? "REPLACED" : "DELETED";
            lines.push(
                "> [!CAUTION]",
                `> 🚨 **DATA LOSS: the data volume ${code(loss.name)} (${code(VOLUME_TYPE)}) would be ${verb}.** ` +
                    `${loss.change === "replace" ? "A replacement deletes the volume, and the database in it, before it creates an empty one." : "Deleting it deletes the database in it."}` +
                    (loss.refusedAsProtected
                        ? " It is protected, so the engine refused the step: this preview failed, and `pulumi up` would stop there. Find out which input change causes it before anyone unprotects it."
                        : " It is **not** protected: `pulumi up` would do it."),
                "",
            );
        }
        const total = summary.changes.length;
        const counts = CHANGES.map((c) => `${summary.counts[c]} to ${c}`).join(" · ");
        const unchanged = summary.unchanged !== undefined ? ` · ${summary.unchanged} unchanged` : "";
        lines.push(`**${total === 0 ? "No changes" : `${total} change${total === 1 ? "" : "s"}`}**: ${counts}${unchanged}`, "");
        if (total > 0) {
            lines.push("| | resource | type | because of |", "|---|---|---|---|");
            const order = [...summary.changes].sort((a, b) => STRENGTH[b.change] - STRENGTH[a.change]);
            for (const r of order) {
                lines.push(`| ${code(SYMBOL[r.change])} ${r.change} | ${code(r.name)} | ${code(r.type)} | ${r.properties.map(code).join(", ") || "–"} |`);
            }
            lines.push("");
        }
        if (summary.volumeLosses.length === 0) lines.push("Data volume: not replaced, not deleted.", "");
        if (summary.errors.length) {
            lines.push("> [!WARNING]", "> The preview reported errors:", "", "```", ...summary.errors, "```", "");
        }
    } else {
        lines.push("> [!WARNING]", "> `pulumi preview` printed no JSON, so there is no summary: see the output below and the job log.", "");
    }
    if (options.exitCode) lines.push(`The preview exited with ${options.exitCode}.`, "");

    if (options.diffText !== undefined) {
        const text = options.diffText.length > MAX_DIFF_CHARS
            ? `${options.diffText.slice(0, MAX_DIFF_CHARS)}\n… (cut here: the whole diff is in the job log)`
            : options.diffText;
        // A fence longer than any backtick run in the text, so the text cannot end the block.
        const fence = "`".repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
        lines.push("<details><summary>Full diff (<code>pulumi preview --diff</code>)</summary>", "", `${fence}diff`, text.trimEnd(), fence, "</details>", "");
    }
    const footer = [options.commit && `commit ${code(options.commit.slice(0, 12))}`, options.runUrl && `[workflow run](${options.runUrl})`].filter(Boolean);
    if (footer.length) lines.push(`<sub>${footer.join(" · ")}</sub>`);
    return `${lines.join("\n").trimEnd()}\n`;
}

/** Parses the JSON the preview printed; undefined when there is none (the CLI failed before it could print it). */
export function readDigest(text: string): PreviewDigest | undefined {
    const start = text.indexOf("{");
    if (start < 0) return undefined;
    try {
        return JSON.parse(text.slice(start)) as PreviewDigest;
    } catch {
        return undefined;
    }
}

function parseArgs(argv: string[]): Record<string, string | true> {
    const args: Record<string, string | true> = {};
    for (let i = 0; i < argv.length; i++) {
        const key = argv[i];
        if (!key.startsWith("--")) throw new Error(`unexpected argument ${JSON.stringify(key)}`);
        const next = argv[i + 1];
        if (next === undefined || next.startsWith("--")) args[key.slice(2)] = true;
        else args[key.slice(2)] = argv[++i];
    }
    return args;
}

function main(argv: string[]): number {
    const args = parseArgs(argv);
    const str = (key: string) => (typeof args[key] === "string" ? (args[key] as string) : undefined);
    const jsonFile = str("json");
    if (!jsonFile) {
        process.stderr.write("usage: previewSummary.ts --json <preview.json> [--diff <preview.txt>] [--title …] [--stack …] [--exit-code N] [--commit SHA] [--run-url URL] [--marker ID] [--out FILE] [--fail-on-changes]\n");
        return 2;
    }
    const digest = fs.existsSync(jsonFile) ? readDigest(fs.readFileSync(jsonFile, "utf8")) : undefined;
    const summary = digest && summarizePreview(digest);
    const diffFile = str("diff");
    const markdown = renderSummary(summary, {
        title: str("title") ?? `\`pulumi preview\` of \`${str("stack") ?? "prod"}\``,
        diffText: diffFile && fs.existsSync(diffFile) ? fs.readFileSync(diffFile, "utf8") : undefined,
        exitCode: str("exit-code") ? Number(str("exit-code")) : undefined,
        commit: str("commit"),
        runUrl: str("run-url"),
        marker: str("marker"),
    });
    const out = str("out");
    if (out) fs.writeFileSync(out, markdown);
    else process.stdout.write(markdown);
    if (args["fail-on-changes"]) {
        if (!summary) {
            process.stderr.write("no preview JSON to judge: failing\n");
            return 1;
        }
        if (hasChanges(summary)) {
            process.stderr.write(`${summary.changes.length} resource(s) differ${summary.errors.length ? `, ${summary.errors.length} error(s)` : ""}:\n`);
            for (const r of summary.changes) process.stderr.write(`  ${SYMBOL[r.change]} ${r.change} ${r.type} ${r.name} (${r.properties.join(", ") || "–"})\n`);
            for (const e of summary.errors) process.stderr.write(`  error: ${e}\n`);
            return 1;
        }
    }
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
