import * as http from "http";
import * as net from "net";
import { CommentTarget, upsertComment } from "../../scripts/prComment";

// One pull request comment per marker, edited in place (scripts/prComment.ts), against a stand-in for GitHub's REST
// API on 127.0.0.1 (issue comments: list with pagination, create, update).

interface Comment {
    id: number;
    body: string;
    user: { login: string; type: string };
}

async function fakeGitHub(comments: Comment[]): Promise<{ target: CommentTarget; requests: string[]; close: () => Promise<void> }> {
    const requests: string[] = [];
    let nextId = 1000;
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
            requests.push(`${req.method} ${req.url}`);
            const [status, reply] = answer(req.method!, new URL(req.url!, "http://x"), req.headers.authorization, body);
            res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(reply));
        });
    });
    const answer = (method: string, url: URL, authorization: string | undefined, body: string): [number, unknown] => {
        if (authorization !== "Bearer t0ken") return [401, { message: "Bad credentials" }];
        if (method === "GET" && url.pathname === "/repos/acme/nextstack/issues/7/comments") {
            const page = Number(url.searchParams.get("page"));
            const perPage = Number(url.searchParams.get("per_page"));
            return [200, comments.slice((page - 1) * perPage, page * perPage)];
        }
        if (method === "POST" && url.pathname === "/repos/acme/nextstack/issues/7/comments") {
            const comment = { id: nextId++, body: JSON.parse(body).body, user: { login: "github-actions[bot]", type: "Bot" } };
            comments.push(comment);
            return [201, comment];
        }
        const edit = /^\/repos\/acme\/nextstack\/issues\/comments\/(\d+)$/.exec(url.pathname);
        const comment = edit && comments.find((c) => c.id === Number(edit[1]));
        if (method === "PATCH" && comment) {
            comment.body = JSON.parse(body).body;
            return [200, comment];
        }
        return [404, { message: "Not Found" }];
    };
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    return {
        target: { apiUrl: `http://127.0.0.1:${port}`, token: "t0ken", repository: "acme/nextstack", issue: 7 },
        requests,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

const bot = { login: "github-actions[bot]", type: "Bot" };
const person = { login: "reviewer", type: "User" };

test("the first run creates the comment, with the marker; the next push edits that same comment", async () => {
    const comments: Comment[] = [{ id: 1, body: "LGTM", user: person }];
    const gh = await fakeGitHub(comments);
    try {
        expect(await upsertComment(gh.target, "nextstack:preview", "first preview")).toEqual({ action: "created", id: 1000 });
        expect(await upsertComment(gh.target, "nextstack:preview", "second preview")).toEqual({ action: "updated", id: 1000 });
        expect(comments.map((c) => c.body)).toEqual(["LGTM", "<!-- nextstack:preview -->\nsecond preview"]);
        expect(gh.requests.filter((r) => r.startsWith("PATCH"))).toEqual(["PATCH /repos/acme/nextstack/issues/comments/1000"]);
    } finally {
        await gh.close();
    }
});

test("finds the marked comment beyond the first page, and each marker has its own comment", async () => {
    const comments: Comment[] = Array.from({ length: 130 }, (_, i) => ({ id: i + 1, body: `comment ${i}`, user: person }));
    comments[120] = { id: 121, body: "<!-- nextstack:preview -->\nold", user: bot };
    const gh = await fakeGitHub(comments);
    try {
        expect(await upsertComment(gh.target, "nextstack:preview", "<!-- nextstack:preview -->\nnew")).toEqual({ action: "updated", id: 121 });
        expect(comments[120].body).toBe("<!-- nextstack:preview -->\nnew");
        expect(await upsertComment(gh.target, "nextstack:review", "review env")).toEqual({ action: "created", id: 1000 });
        expect(comments).toHaveLength(131);
    } finally {
        await gh.close();
    }
});

test("a person's comment that quotes the marker is never edited", async () => {
    const comments: Comment[] = [{ id: 5, body: "> <!-- nextstack:preview -->\n> why replace?", user: person }];
    const gh = await fakeGitHub(comments);
    try {
        expect(await upsertComment(gh.target, "nextstack:preview", "preview")).toEqual({ action: "created", id: 1000 });
        expect(comments[0].body).toBe("> <!-- nextstack:preview -->\n> why replace?");
    } finally {
        await gh.close();
    }
});

test("an API error fails with its status", async () => {
    const gh = await fakeGitHub([]);
    try {
        await expect(upsertComment({ ...gh.target, token: "wrong" }, "nextstack:preview", "x")).rejects.toThrow(/GET \/repos\/acme\/nextstack\/issues\/7\/comments\?per_page=100&page=1: 401 .*Bad credentials/);
    } finally {
        await gh.close();
    }
});
