import * as fs from "fs";
import { markerLine } from "./previewSummary";

/**
 * Creates a pull request comment, or edits the one this workflow wrote before: the comment is found by a hidden
 * marker (`<!-- nextstack:preview -->`), so each push updates one comment instead of adding another.
 *
 *   node -r ts-node/register/transpile-only scripts/prComment.ts --marker nextstack:preview --body-file comment.md [--pr N]
 *
 * Environment (set by GitHub Actions): GITHUB_TOKEN (needs `pull-requests: write`), GITHUB_REPOSITORY,
 * GITHUB_API_URL, and GITHUB_EVENT_PATH for the pull request number when `--pr` is not given.
 */

/** Where and as whom to comment. */
export interface CommentTarget {
    /** REST API root, such as https://api.github.com. */
    apiUrl: string;
    /** Token allowed to write pull request comments. */
    token: string;
    /** `owner/name`. */
    repository: string;
    /** Pull request (issue) number. */
    issue: number;
}

interface IssueComment {
    id: number;
    body?: string;
    user?: { login?: string; type?: string } | null;
}

const REQUEST_TIMEOUT_MS = 15_000;

async function api<T>(target: CommentTarget, method: string, pathName: string, body?: unknown): Promise<T> {
    const res = await fetch(`${target.apiUrl.replace(/\/$/, "")}${pathName}`, {
        method,
        headers: {
            accept: "application/vnd.github+json",
            authorization: `Bearer ${target.token}`,
            "x-github-api-version": "2022-11-28",
            ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`GitHub API ${method} ${pathName}: ${res.status} ${res.statusText} ${(await res.text()).slice(0, 300)}`);
    return (await res.json()) as T;
}

/**
 * The comment this workflow wrote before: the marker in its body, written by a bot (the Actions token's user), so
 * a person quoting it is never edited (and could not be).
 */
export async function findMarkedComment(target: CommentTarget, marker: string): Promise<IssueComment | undefined> {
    const line = markerLine(marker);
    for (let page = 1; page <= 50; page++) {
        const comments = await api<IssueComment[]>(target, "GET", `/repos/${target.repository}/issues/${target.issue}/comments?per_page=100&page=${page}`);
        const found = comments.find((c) => c.user?.type === "Bot" && (c.body ?? "").includes(line));
        if (found) return found;
        if (comments.length < 100) return undefined;
    }
    return undefined;
}

/** Edits the marked comment, or creates it; the body gets the marker if it lacks it. Returns what was done. */
export async function upsertComment(target: CommentTarget, marker: string, body: string): Promise<{ action: "created" | "updated"; id: number }> {
    const line = markerLine(marker);
    const text = body.includes(line) ? body : `${line}\n${body}`;
    const existing = await findMarkedComment(target, marker);
    if (existing) {
        await api(target, "PATCH", `/repos/${target.repository}/issues/comments/${existing.id}`, { body: text });
        return { action: "updated", id: existing.id };
    }
    const created = await api<IssueComment>(target, "POST", `/repos/${target.repository}/issues/${target.issue}/comments`, { body: text });
    return { action: "created", id: created.id };
}

function arg(argv: string[], name: string): string | undefined {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
    const marker = arg(argv, "marker");
    const bodyFile = arg(argv, "body-file");
    const env = process.env;
    let issue = Number(arg(argv, "pr") ?? NaN);
    if (!Number.isInteger(issue) && env.GITHUB_EVENT_PATH) {
        issue = Number(JSON.parse(fs.readFileSync(env.GITHUB_EVENT_PATH, "utf8")).pull_request?.number ?? NaN);
    }
    const missing = [
        !marker && "--marker",
        !bodyFile && "--body-file",
        !Number.isInteger(issue) && "--pr (or a pull_request event)",
        !env.GITHUB_TOKEN && "GITHUB_TOKEN",
        !env.GITHUB_REPOSITORY && "GITHUB_REPOSITORY",
    ].filter(Boolean);
    if (missing.length) {
        process.stderr.write(`prComment: missing ${missing.join(", ")}\n`);
        return 2;
    }
    const result = await upsertComment(
        { apiUrl: env.GITHUB_API_URL || "https://api.github.com", token: env.GITHUB_TOKEN!, repository: env.GITHUB_REPOSITORY!, issue },
        marker!,
        fs.readFileSync(bodyFile!, "utf8"),
    );
    process.stdout.write(`comment ${result.id} ${result.action} on #${issue}\n`);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => (process.exitCode = code),
        (err) => {
            process.stderr.write(`prComment: ${err instanceof Error ? err.message : String(err)}\n`);
            process.exitCode = 1;
        },
    );
}
