import { execFileSync } from "child_process";
import { connectionUrl, dataPathForMajor, isLoopbackHost, majorFromImageTag, PASSWORD_SYNCED_MARKER, postgresStartScript } from "../../components/postgres";

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

test.each([
    ["localhost", true],
    ["LOCALHOST", true],
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["[::1]", true],
    ["0.0.0.0", true],
    ["db", false],
    ["postgres.internal", false],
])("%s is loopback inside a container: %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
});

describe("the start script", () => {
    const script = postgresStartScript();

    test("is valid POSIX shell", () => {
        expect(() => execFileSync("sh", ["-n"], { input: script })).not.toThrow();
    });

    test("hands over to the image's entrypoint with the container's command", () => {
        expect(script.trimEnd().split("\n").pop()).toBe('exec docker-entrypoint.sh "$@"');
    });

    test("sets the password once the server accepts TCP connections, from the file, quoted by psql", () => {
        expect(script).toMatch(/until pg_isready -q -h 127\.0\.0\.1 -p 5432; do/);
        expect(script).toMatch(/\\set pw `cat "\$POSTGRES_PASSWORD_FILE"`/);
        expect(script).toMatch(/ALTER ROLE :"role" WITH PASSWORD :'pw';/);
        expect(script).toContain(`touch ${PASSWORD_SYNCED_MARKER}`);
    });

    test("runs the waiting job twice-forked so init, not the postmaster, adopts it", () => {
        expect(script).toMatch(/^\( \(sync_password .*\) & \)$/m);
    });
});
