import { nginxTagTooOld, renderNginxConf } from "../../components/nginxConf";

/** One directive of the config: the blocks it sits in (outermost first, joined by " > "), its name, its arguments. */
type Directive = [context: string, name: string, ...args: string[]];

/**
 * Parses nginx config text into directives, the way nginx tokenises it: words, quoted strings (kept with their
 * quotes), `#` comments, `;` ending a directive, `{ … }` opening a block named by the words before it.
 * Throws on an unterminated directive or unbalanced braces, as `nginx -t` would refuse them.
 */
function parseConf(text: string): Directive[] {
    const token = /\s+|#[^\n]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[{};]|[^\s{};"'#][^\s{};]*/y;
    const out: Directive[] = [];
    const contexts: string[] = [];
    let words: string[] = [];
    while (token.lastIndex < text.length) {
        const at = token.lastIndex;
        const m = token.exec(text);
        if (!m) throw new Error(`cannot tokenise at ${JSON.stringify(text.slice(at, at + 20))}`);
        const t = m[0];
        if (/^\s/.test(t) || t.startsWith("#")) continue;
        if (t === ";") {
            if (words.length === 0) throw new Error("empty directive");
            out.push([contexts.join(" > "), words[0], ...words.slice(1)]);
            words = [];
        } else if (t === "{") {
            contexts.push(words.join(" "));
            words = [];
        } else if (t === "}") {
            if (words.length > 0 || contexts.length === 0) throw new Error(`unexpected } after ${words.join(" ")}`);
            contexts.pop();
        } else words.push(t);
    }
    if (words.length > 0 || contexts.length > 0) throw new Error("unterminated config");
    return out;
}

const conf = renderNginxConf({ upstreamHost: "app", upstreamPort: 3000, listenPort: 80 });
const directives = parseConf(conf);

const UP = "upstream next_app";
const SRV = "server";
const HEALTH = "server > location = /nginx-health";
const STATIC = "server > location /_next/static/";
const ROOT = "server > location /";

/** Every directive of the default config, in order, each with what breaks if it changes. */
const EXPECTED: [why: string, directive: Directive][] = [
    ["the app is looked up in Docker's embedded DNS and re-resolved every 1 s: a replaced app container is followed within a second, not proxied to a dead address (502/504); IPv4 answers only (the stack's networks are created without IPv6)", ["", "resolver", "127.0.0.11", "valid=1s", "ipv6=off"]],
    ["a DNS lookup that hangs gives up after 5 s", ["", "resolver_timeout", "5s"]],
    ["an upgrade request is passed on as an upgrade", ["map $http_upgrade $connection_upgrade", "default", "upgrade"]],
    ["without an upgrade Connection is cleared, so the upstream connection stays kept alive", ["map $http_upgrade $connection_upgrade", "''", "''"]],
    ["the static cache: zone next_static (the name proxy_cache uses), bounded to 256m, entries dropped after 7 days unused", ["", "proxy_cache_path", "/var/cache/nginx/next_static", "levels=1:2", "keys_zone=next_static:10m", "max_size=256m", "inactive=7d", "use_temp_path=off"]],
    ["`resolve` needs the upstream in a shared memory zone", [UP, "zone", "next_app", "64k"]],
    ["the app by its network alias and port, re-resolved (nginx >= 1.27.3)", [UP, "server", "app:3000", "resolve"]],
    ["32 idle connections kept per worker: a connection per request fills the ephemeral ports with TIME_WAIT under load", [UP, "keepalive", "32"]],
    ["idle upstream connections closed after 60 s", [UP, "keepalive_timeout", "60s"]],
    ["listens on the container port, for any host name", [SRV, "listen", "80", "default_server"]],
    ["any Host is served", [SRV, "server_name", "_"]],
    ["the nginx version is not advertised", [SRV, "server_tokens", "off"]],
    ["request bodies up to 10m (nginx's own default is 1m)", [SRV, "client_max_body_size", "10m"]],
    ["access log buffered (32k, flushed every 5 s) rather than a write per request", [SRV, "access_log", "/var/log/nginx/access.log", "combined", "buffer=32k", "flush=5s"]],
    ["responses compressed", [SRV, "gzip", "on"]],
    ["Vary: Accept-Encoding, so caches keep both forms", [SRV, "gzip_vary", "on"]],
    ["proxied responses compressed too (all of them are proxied)", [SRV, "gzip_proxied", "any"]],
    ["bodies under 1 KiB left alone: compressing them costs more than it saves", [SRV, "gzip_min_length", "1024"]],
    ["the text types Next.js serves (text/html is always compressed by nginx)", [SRV, "gzip_types", "text/plain", "text/css", "application/javascript", "application/json", "image/svg+xml"]],
    ["HTTP/1.1 to the upstream: 1.0 closes the connection after every request, defeating keepalive", [SRV, "proxy_http_version", "1.1"]],
    ["the client's Upgrade header is passed on (websockets, HMR)", [SRV, "proxy_set_header", "Upgrade", "$http_upgrade"]],
    ["Connection from the map, never a constant `upgrade` (that would end keepalive on every request)", [SRV, "proxy_set_header", "Connection", "$connection_upgrade"]],
    ["Host keeps the port, so apps that compare origins work behind a proxy published on another port", [SRV, "proxy_set_header", "Host", "$http_host"]],
    ["X-Forwarded-Host with the port, as Host", [SRV, "proxy_set_header", "X-Forwarded-Host", "$http_host"]],
    ["X-Forwarded-Proto is the client's scheme", [SRV, "proxy_set_header", "X-Forwarded-Proto", "$scheme"]],
    ["X-Forwarded-For appends the client", [SRV, "proxy_set_header", "X-Forwarded-For", "$proxy_add_x_forwarded_for"]],
    ["X-Real-IP is the client address", [SRV, "proxy_set_header", "X-Real-IP", "$remote_addr"]],
    ["connecting to the app on the bridge takes under a millisecond: 2 s fails fast when it is gone", [SRV, "proxy_connect_timeout", "2s"]],
    ["60 s to send a request to the app", [SRV, "proxy_send_timeout", "60s"]],
    ["60 s for the app to answer", [SRV, "proxy_read_timeout", "60s"]],
    ["only a failed connect or a timeout is retried on the next address, never an HTTP error answer", [SRV, "proxy_next_upstream", "error", "timeout"]],
    ["health probes are not logged", [HEALTH, "access_log", "off"]],
    ["health answer is plain text", [HEALTH, "default_type", "text/plain"]],
    ["the proxy's own health answered by nginx, without the app", [HEALTH, "return", "200", '"ok\\n"']],
    ["static hits not logged: logging each through Docker's log driver halves throughput", [STATIC, "access_log", "off"]],
    ["static assets cached in the zone declared by proxy_cache_path", [STATIC, "proxy_cache", "next_static"]],
    ["cached for 7 days (content-hashed, they never change)", [STATIC, "proxy_cache_valid", "200", "7d"]],
    ["a stale copy served while the app is down or being refreshed", [STATIC, "proxy_cache_use_stale", "error", "timeout", "updating"]],
    ["one request fills a cache entry, the others wait for it", [STATIC, "proxy_cache_lock", "on"]],
    ["the app's Cache-Control is replaced", [STATIC, "proxy_hide_header", "Cache-Control"]],
    ["content-hashed assets marked immutable for a year", [STATIC, "add_header", "Cache-Control", '"public, max-age=31536000, immutable"', "always"]],
    ["the cache status is visible to clients (HIT/MISS)", [STATIC, "add_header", "X-Cache-Status", "$upstream_cache_status", "always"]],
    ["static assets come from the upstream", [STATIC, "proxy_pass", "http://next_app"]],
    ["everything else is proxied to the upstream", [ROOT, "proxy_pass", "http://next_app"]],
];

test.each(EXPECTED)("%s", (_, directive) => {
    expect(directives).toContainEqual(directive);
});

test("holds exactly these directives, in this order, in these blocks (nothing else, nothing unknown)", () => {
    expect(directives).toEqual(EXPECTED.map(([, d]) => d));
});

test("starts with a comment saying it is generated", () => {
    expect(conf.split("\n")[0]).toBe("# Rendered by nextstack (components/nginxConf.ts); changes here are overwritten.");
});

// Names that must agree across the config: a typo in one leaves nginx refusing to start, or proxying nowhere.
test("proxy_pass, proxy_cache and the Connection header name things the config defines", () => {
    const upstreams = directives.map(([ctx]) => ctx).filter((c) => c.startsWith("upstream ")).map((c) => c.slice("upstream ".length));
    for (const [, , ...args] of directives.filter(([, n]) => n === "proxy_pass")) expect(upstreams).toContain(args[0].replace("http://", ""));
    const zone = directives.find(([, n]) => n === "proxy_cache_path")!.find((a) => a.startsWith("keys_zone="))!;
    expect(zone).toBe("keys_zone=next_static:10m");
    expect(directives.filter(([, n]) => n === "proxy_cache").map(([, , a]) => a)).toEqual(["next_static"]);
    expect(directives.map(([ctx]) => ctx)).toContain("map $http_upgrade $connection_upgrade");
});

const base = EXPECTED.map(([, d]) => d);
/** The default directives with some replaced: [which directives, what each becomes]. */
const replaced = (changes: [match: (d: Directive) => boolean, to: (d: Directive) => Directive][]) =>
    base.map((d) => changes.reduce((acc, [match, to]) => (match(d) ? to(acc) : acc), d));
const named = (ctx: string, name: string) => (d: Directive) => d[0] === ctx && d[1] === name;

// Each option changes its own directive(s) and nothing else; the others keep the defaults above.
test.each<[string, Parameters<typeof renderNginxConf>[0], Parameters<typeof replaced>[0]]>([
    ["resolver", { upstreamHost: "app", upstreamPort: 3000, listenPort: 80, resolver: "10.0.0.2" }, [[named("", "resolver"), () => ["", "resolver", "10.0.0.2", "valid=1s", "ipv6=off"]]]],
    ["keepaliveConnections", { upstreamHost: "app", upstreamPort: 3000, listenPort: 80, keepaliveConnections: 8 }, [[named(UP, "keepalive"), () => [UP, "keepalive", "8"]]]],
    ["clientMaxBodySize", { upstreamHost: "app", upstreamPort: 3000, listenPort: 80, clientMaxBodySize: "1m" }, [[named(SRV, "client_max_body_size"), () => [SRV, "client_max_body_size", "1m"]]]],
    ["healthPath", { upstreamHost: "app", upstreamPort: 3000, listenPort: 80, healthPath: "/healthz" }, [[(d) => d[0] === HEALTH, ([, ...rest]) => ["server > location = /healthz", ...rest]]]],
    ["upstream host and port", { upstreamHost: "web", upstreamPort: 8080, listenPort: 80 }, [[named(UP, "server"), () => [UP, "server", "web:8080", "resolve"]]]],
    ["listen port", { upstreamHost: "app", upstreamPort: 3000, listenPort: 8081 }, [[named(SRV, "listen"), () => [SRV, "listen", "8081", "default_server"]]]],
])("the %s option changes only its own directives", (_, options, changes) => {
    expect(parseConf(renderNginxConf(options))).toEqual(replaced(changes));
});

test("all options at once", () => {
    const all = renderNginxConf({ upstreamHost: "web", upstreamPort: 8080, listenPort: 8081, resolver: "10.0.0.2", keepaliveConnections: 8, clientMaxBodySize: "1m", healthPath: "/healthz" });
    const got = parseConf(all);
    expect(got).toContainEqual(["", "resolver", "10.0.0.2", "valid=1s", "ipv6=off"]);
    expect(got).toContainEqual([UP, "server", "web:8080", "resolve"]);
    expect(got).toContainEqual([UP, "keepalive", "8"]);
    expect(got).toContainEqual([SRV, "listen", "8081", "default_server"]);
    expect(got).toContainEqual([SRV, "client_max_body_size", "1m"]);
    expect(got).toContainEqual(["server > location = /healthz", "return", "200", '"ok\\n"']);
    expect(got.filter(([ctx]) => ctx === HEALTH)).toEqual([]);
});

// MIN_NGINX_FOR_RERESOLVE is 1.27.3: each part of the version compared below, equal and above it.
test.each([
    ["nginx:0.99.99", true, "major smaller"],
    ["nginx:2.0.0", false, "major greater"],
    ["nginx:1.26.99", true, "minor smaller"],
    ["nginx:1.28.0", false, "minor greater"],
    ["nginx:1.30-alpine", false, "minor greater, with a variant"],
    ["nginx:1.27.2", true, "patch smaller"],
    ["nginx:1.27.3-alpine", false, "equal"],
    ["nginx:1.27.4", false, "patch greater"],
    ["nginx:1.27.10", false, "a two-digit patch is read whole (not 1.27.1)"],
    ["nginx:1.100", false, "a three-digit minor is read whole (not 1.1)"],
    ["nginx:1.27", false, "no patch: 1.27 floats to its latest patch, so not too old"],
    ["nginx:1.26", true, "no patch, minor smaller"],
    ["nginx:1.25-alpine", true, "no patch, with a variant"],
    ["nginx:2.0", false, "no patch, major greater"],
    ["registry:5000/nginx:1.25", true, "a registry port is not the tag"],
    ["registry:5000/nginx", false, "a registry port without a tag is no version"],
    ["nginx:1.25@sha256:" + "a".repeat(64), true, "the tag of a digest-pinned reference"],
    ["nginx:v1.25", false, "a tag that does not start with the version is unknown"],
    ["nginx:alpine-1.25", false, "a variant before the version is unknown"],
    ["nginx:stable-alpine", false, "no version: unknown, not too old"],
    ["nginx", false, "no tag"],
    ["nextstack-e2e/nginx:abc123", false, "a build tag"],
])("%s is too old to re-resolve: %s (%s)", (image, tooOld) => {
    expect(nginxTagTooOld(image)).toBe(tooOld);
});
