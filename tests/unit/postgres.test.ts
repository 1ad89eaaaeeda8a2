import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { connectionUrl, dataPathForMajor, isLoopbackHost, majorFromImageTag, PASSWORD_SYNCED_MARKER, postgresStartScript, START_SCRIPT_PATH } from "../../components/postgres";

test.each([
    [13, "/var/lib/postgresql/data"],
    [17, "/var/lib/postgresql/data"],
    [18, "/var/lib/postgresql"],
    [19, "/var/lib/postgresql"],
    [9, undefined],
    [42, undefined],
])("Postgres %i keeps its volume at %s", (major, path) => {
    expect(dataPathForMajor(major)).toBe(path);
});

test.each([
    ["postgres:18-alpine", 18],
    ["postgres:17.2", 17],
    ["postgres:16", 16],
    ["mirror.local:5000/library/postgres:15-bookworm", 15],
    ["postgres:alpine", undefined],
    ["postgres", undefined],
    ["nextstack-e2e/postgres:3f2a9c", undefined],
    ["postgres:17@sha256:" + "a".repeat(64), 17],
    ["postgres:alpine-18", undefined], // the major must lead the tag
    ["postgres:v18", undefined],
    ["postgres:18rc1", undefined], // followed by neither `.`, `-` nor the end
])("reads the major of %s as %s", (image, major) => {
    expect(majorFromImageTag(image)).toBe(major);
});

test.each(["p@ss:w/rd", "a?b#c%d", "100%", "ü ß/é", "plain"])("a password %j survives the URL", (password) => {
    const url = new URL(connectionUrl({ user: "app", password, host: "db", port: 5432, database: "app" }));
    expect(url.hostname).toBe("db");
    expect(url.port).toBe("5432");
    expect(url.pathname).toBe("/app");
    expect(decodeURIComponent(url.password)).toBe(password);
});

test("a plain connection URL", () => {
    expect(connectionUrl({ user: "app", password: "pw", host: "db", port: 5432, database: "appdb" })).toBe("postgresql://app:pw@db:5432/appdb");
});

test("user and database are percent-encoded too, and parse back to themselves", () => {
    const text = connectionUrl({ user: "a@b:c", password: "p/w", host: "db", port: 6543, database: "my db/x?y" });
    expect(text).toBe("postgresql://a%40b%3Ac:p%2Fw@db:6543/my%20db%2Fx%3Fy");
    const url = new URL(text);
    expect([decodeURIComponent(url.username), decodeURIComponent(url.password), url.host, decodeURIComponent(url.pathname.slice(1))]).toEqual(["a@b:c", "p/w", "db:6543", "my db/x?y"]);
});

test.each([
    ["localhost", true],
    ["LOCALHOST", true],
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["[::1]", true],
    ["::1", true],
    ["0.0.0.0", true],
    ["app.localhost", true], // *.localhost resolves to loopback (RFC 6761)
    ["App.LocalHost", true],
    ["db", false],
    ["postgres.internal", false],
    ["notlocalhost", false],
    ["localhost.example.com", false],
    ["10.0.0.127", false],
    ["::2", false],
])("%s is loopback inside a container: %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
});


describe("the start script", () => {
    const script = postgresStartScript();

    // The healthcheck (database.ts) requires this file: the start script and the healthcheck must name the same one.
    test("the marker is /run/nextstack/password-synced, and the script names it exactly", () => {
        expect(PASSWORD_SYNCED_MARKER).toBe("/run/nextstack/password-synced");
        expect(script.split("/run/nextstack").length - 1).toBe(3); // rm -f the marker, mkdir -p its folder, touch it
        expect(script).toContain(`rm -f ${PASSWORD_SYNCED_MARKER}\n`);
        expect(script).toContain(`touch ${PASSWORD_SYNCED_MARKER}\n`);
    });

    // The container's entrypoint names it: an absolute path (no PATH lookup), outside the data volume, and not the
    // image's own docker-entrypoint.sh, which it execs.
    test("is put at /usr/local/bin/nextstack-postgres", () => {
        expect(START_SCRIPT_PATH).toBe("/usr/local/bin/nextstack-postgres");
    });

    test("is valid POSIX shell, with a shebang", () => {
        expect(script.split("\n")[0]).toBe("#!/bin/sh");
        expect(() => execFileSync("sh", ["-n"], { input: script })).not.toThrow();
    });

    test("hands over to the image's entrypoint with the container's command", () => {
        expect(script.trimEnd().split("\n").pop()).toBe('exec docker-entrypoint.sh "$@"');
    });
});

/**
 * The start script run for real under `sh`, with stubs first on PATH: `docker-entrypoint.sh` (the "server": it
 * records its pid and arguments, and from then on `pg_isready` may succeed), `pg_isready` (fails a given number of
 * times, or always), `psql` (records argv and stdin, exits with a given status) and `sleep` (returns at once).
 * Every stub appends a line to `events`, so the order of what happened can be checked. The marker's folder is a
 * temp dir: the script is run as a copy with `/run/nextstack` replaced (the test above pins the original path).
 */
interface Run {
    /** Pid of the `sh` that ran the script. */
    pid: number;
    exitCode: number | null;
    stderr: string;
    events: string[];
    /** Arguments of each call of a stub, NUL-separated fields. */
    calls: (stub: string) => string[][];
    /** What psql read on stdin. */
    psqlStdin: string;
    /** Pid whose child is the job that ran psql, read from /proc while psql ran. */
    psqlGrandparent: string;
    /** Whether the marker existed while psql ran. */
    markerWhilePsql: string;
    marker: fs.Stats | undefined;
    markerDir: string;
}

const PASSWORD = `s3cr3t p@ss'w"rd$HOME`;
const tempDirs: string[] = [];
afterAll(() => {
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function stub(dir: string, name: string, body: string) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\nrecord() { printf '%s\\0' "$@" >> "$STUB/${name}.calls"; printf '\\n' >> "$STUB/${name}.calls"; }\nrecord "$@"\n${body}\n`);
    fs.chmodSync(file, 0o755);
}

async function runStartScript(opts: { pgIsReadyFailures: number | "always"; psqlExit?: number; staleMarker?: boolean; args?: string[] }): Promise<Run> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nextstack-pgstart-"));
    tempDirs.push(dir);
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    const markerDir = path.join(dir, "run", "nextstack");
    const marker = path.join(markerDir, "password-synced");
    if (opts.staleMarker) {
        fs.mkdirSync(markerDir, { recursive: true });
        fs.writeFileSync(marker, "from an earlier start");
    }
    const passwordFile = path.join(dir, "password");
    fs.writeFileSync(passwordFile, PASSWORD);

    stub(bin, "docker-entrypoint.sh", `echo $$ > "$STUB/entrypoint.pid"; echo entrypoint >> "$STUB/events"; touch "$STUB/started"`);
    const failures = opts.pgIsReadyFailures === "always" ? 1e9 : opts.pgIsReadyFailures;
    stub(bin, "pg_isready", [
        `n=0; [ -e "$STUB/pg_isready.n" ] && read n < "$STUB/pg_isready.n"; n=$((n + 1)); echo $n > "$STUB/pg_isready.n"`,
        // Ready only once the "server" runs, and after the given number of failures.
        `if [ -e "$STUB/started" ] && [ "$n" -gt ${failures} ]; then echo "pg_isready ok" >> "$STUB/events"; exit 0; fi`,
        `exit 2`,
    ].join("\n"));
    stub(bin, "psql", [
        `cat > "$STUB/psql.stdin"`,
        `if [ -e "${marker}" ]; then echo present; else echo absent; fi > "$STUB/marker-while-psql"`,
        `awk '{print $4}' /proc/$PPID/stat > "$STUB/psql-grandparent"`,
        `echo psql >> "$STUB/events"`,
        `exit ${opts.psqlExit ?? 0}`,
    ].join("\n"));
    stub(bin, "sleep", "exit 0");

    const copy = postgresStartScript().split("/run/nextstack").join(markerDir);
    const scriptFile = path.join(dir, "start.sh");
    fs.writeFileSync(scriptFile, copy);

    const child = spawn("sh", [scriptFile, ...(opts.args ?? [])], {
        detached: true, // own process group: a hung run is killed whole, background job included
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, STUB: dir, POSTGRES_USER: "app", POSTGRES_DB: "appdb", POSTGRES_PASSWORD_FILE: passwordFile },
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    // "close" comes once every holder of stderr is gone: the entrypoint and the background job.
    const exitCode = await new Promise<number | null>((resolve, reject) => {
        const timer = setTimeout(() => {
            process.kill(-child.pid!, "SIGKILL");
            reject(new Error(`start script still running after 60 s; stderr: ${stderr}`));
        }, 60_000);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve(code);
        });
    });
    const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), "utf8") : "");
    return {
        pid: child.pid!,
        exitCode,
        stderr,
        events: read("events").split("\n").filter(Boolean),
        calls: (name) => read(`${name}.calls`).split("\n").filter(Boolean).map((line) => line.split("\0").slice(0, -1)),
        psqlStdin: read("psql.stdin"),
        psqlGrandparent: read("psql-grandparent").trim(),
        markerWhilePsql: read("marker-while-psql").trim(),
        marker: fs.existsSync(marker) ? fs.statSync(marker) : undefined,
        markerDir,
    };
}

describe("the start script, run", () => {
    let ok: Run;
    beforeAll(async () => {
        ok = await runStartScript({ pgIsReadyFailures: 3, staleMarker: true, args: ["postgres", "-c", "max_connections=50", "two words"] });
    }, 70_000);

    test("execs the image's entrypoint (same pid) with the container's arguments, unchanged", () => {
        expect(fs.readFileSync(path.join(ok.markerDir, "../../entrypoint.pid"), "utf8").trim()).toBe(String(ok.pid));
        expect(ok.calls("docker-entrypoint.sh")).toEqual([["postgres", "-c", "max_connections=50", "two words"]]);
        expect(ok.exitCode).toBe(0);
    });

    // The server starts only through the entrypoint: if the password job held up the exec, pg_isready could never succeed.
    test("the password job does not hold up the entrypoint: it waits for the server in the background", () => {
        expect(ok.events.indexOf("entrypoint")).toBeGreaterThanOrEqual(0);
        expect(ok.events.indexOf("entrypoint")).toBeLessThan(ok.events.indexOf("pg_isready ok"));
    });

    test("polls pg_isready over TCP on 127.0.0.1:5432 (the image's temporary init server listens on the socket only), 0.5 s apart, until it succeeds", () => {
        const polls = ok.calls("pg_isready");
        expect(polls.length).toBeGreaterThanOrEqual(4); // 3 failures at least, then success
        expect(new Set(polls.map((p) => JSON.stringify(p)))).toEqual(new Set([JSON.stringify(["-q", "-h", "127.0.0.1", "-p", "5432"])]));
        expect(ok.calls("sleep")).toEqual(Array(polls.length - 1).fill(["0.5"]));
        expect(ok.events.filter((e) => e === "pg_isready ok")).toEqual(["pg_isready ok"]);
    });

    test("then runs psql once, over the local socket, as POSTGRES_USER on POSTGRES_DB, stopping at the first error", () => {
        expect(ok.calls("psql")).toEqual([["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "/var/run/postgresql", "-p", "5432", "-U", "app", "-d", "appdb"]]);
        expect(ok.events.slice(-2)).toEqual(["pg_isready ok", "psql"]);
    });

    // psql reads the password itself (never on a command line) and quotes it (:'pw'), so any character is safe.
    test("psql gets SQL that sets the role's password from the file, the values read and quoted by psql", () => {
        expect(ok.psqlStdin).toBe(["\\set role `printf '%s' \"$POSTGRES_USER\"`", "\\set pw `cat \"$POSTGRES_PASSWORD_FILE\"`", `ALTER ROLE :"role" WITH PASSWORD :'pw';`, ""].join("\n"));
        expect(ok.psqlStdin).not.toContain(PASSWORD);
    });

    test("the backquoted commands psql runs yield the user name and the password file's content", () => {
        const env = { ...process.env, POSTGRES_USER: "app", POSTGRES_PASSWORD_FILE: path.join(ok.markerDir, "../../password") };
        const vars = Object.fromEntries([...ok.psqlStdin.matchAll(/^\\set (\w+) `(.*)`$/gm)].map(([, name, cmd]) => [name, execFileSync("sh", ["-c", cmd], { env, encoding: "utf8" })]));
        expect(vars).toEqual({ role: "app", pw: PASSWORD });
    });

    test("the marker of an earlier start is removed first, and written (a file) only once psql succeeded", () => {
        expect(ok.markerWhilePsql).toBe("absent");
        expect(ok.marker?.isFile()).toBe(true);
        expect(ok.marker?.size).toBe(0);
        expect(ok.stderr).toBe(`nextstack: password of role app set from ${path.join(ok.markerDir, "../../password")}\n`);
    });

    // With the postmaster as its parent, the job would be a child the postmaster never reaps.
    test("the job is not a child of the entrypoint's process (twice-forked: init adopts it)", () => {
        expect(ok.psqlGrandparent).toMatch(/^\d+$/);
        expect(ok.psqlGrandparent).not.toBe(String(ok.pid));
    });

    test("the marker's folder is created when missing", async () => {
        const fresh = await runStartScript({ pgIsReadyFailures: 0 });
        expect(fresh.marker?.isFile()).toBe(true);
        expect(fresh.calls("pg_isready").length).toBeGreaterThanOrEqual(1);
        expect(fresh.calls("psql")).toHaveLength(1);
    }, 70_000);

    // `set -e` does not apply inside sync_password, called left of `||`: without its explicit `|| return 1` a failed
    // psql went on to `touch` the marker and log success, and the container turned healthy with the old password.
    test("when psql fails: no marker (the stale one stays removed) and the container is said to stay unhealthy", async () => {
        const failed = await runStartScript({ pgIsReadyFailures: 0, psqlExit: 3, staleMarker: true, args: ["postgres"] });
        expect(failed.calls("psql")).toHaveLength(1);
        expect(failed.marker).toBeUndefined();
        expect(failed.stderr).toBe("nextstack: setting the password failed; the container stays unhealthy\n");
        expect(failed.calls("docker-entrypoint.sh")).toEqual([["postgres"]]); // the server runs on regardless
    }, 70_000);

    // 1200 polls 0.5 s apart: 600 s, as the message says (sleep is stubbed, so this takes seconds).
    test("gives up after 1200 failed polls, without psql or marker", async () => {
        const never = await runStartScript({ pgIsReadyFailures: "always", staleMarker: true });
        expect(never.calls("pg_isready")).toHaveLength(1200);
        expect(never.calls("sleep")).toHaveLength(1199);
        expect(never.calls("psql")).toEqual([]);
        expect(never.marker).toBeUndefined();
        expect(never.stderr).toBe(
            "nextstack: Postgres did not accept connections within 600 s; password not set\n" + "nextstack: setting the password failed; the container stays unhealthy\n",
        );
    }, 70_000);
});
