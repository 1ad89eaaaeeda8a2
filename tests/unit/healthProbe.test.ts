// The app's healthcheck command, run as the engine runs it (`node -e <probe>`, exit code 0 = healthy), against a
// local server answering each status: the strict probe of a health route and the lenient probe of /.
import { execFile } from "child_process";
import * as http from "http";
import { AddressInfo } from "net";
import { healthProbe } from "../../components/nextApp";

let server: http.Server;
let port: number;
const asked: string[] = [];
/** The status each path answers with (/ is set per test); /found redirects to /failing, which answers 500. */
const STATUS: Record<string, number> = { "/ok": 200, "/made": 204, "/found": 302, "/missing": 404, "/broken": 500, "/busy": 503, "/failing": 500 };

beforeAll(async () => {
    server = http.createServer((req, res) => {
        asked.push(req.url ?? "");
        const status = STATUS[req.url ?? ""] ?? 200;
        res.writeHead(status, status === 302 ? { location: "/failing" } : {});
        res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Exit code of the probe, run by this Node as the container's `node -e`. */
const run = (probe: string): Promise<number> =>
    new Promise((resolve) => execFile(process.execPath, ["-e", probe], { timeout: 10_000 }, (err) => resolve(err ? Number((err as NodeJS.ErrnoException).code ?? 1) : 0)));

describe("with a health route: healthy on 2xx only", () => {
    test.each([
        ["/ok", 0],
        ["/made", 0],
        ["/found", 1], // followed to /failing (500): fetch's default
        ["/missing", 1],
        ["/broken", 1],
        ["/busy", 1],
    ])("%s → exit %d", async (path, code) => {
        expect(await run(healthProbe(port, path))).toBe(code);
    });
});

describe("without one: any answer below 500 from / is alive", () => {
    test.each([
        [200, 0],
        [302, 0], // not followed: the redirect target's 500 does not count
        [401, 0],
        [404, 0],
        [499, 0],
        [500, 1],
        [502, 1],
        [503, 1],
    ])("/ answering %d → exit %d", async (status, code) => {
        STATUS["/"] = status;
        asked.length = 0;
        expect(await run(healthProbe(port))).toBe(code);
        expect(asked).toEqual(["/"]);
    });
});

test("nothing listening is unhealthy, with or without a route", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const free = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await run(healthProbe(free))).toBe(1);
    expect(await run(healthProbe(free, "/ok"))).toBe(1);
});
