import { nginxTagTooOld, renderNginxConf } from "../../components/nginxConf";

const conf = renderNginxConf({ upstreamHost: "app", upstreamPort: 3000, listenPort: 80 });

/** The body of the first block that opens with `header`. */
function block(text: string, header: string): string {
    const start = text.indexOf(header);
    if (start < 0) throw new Error(`no block ${header}`);
    let depth = 0;
    for (let i = text.indexOf("{", start); i < text.length; i++) {
        if (text[i] === "{") depth++;
        if (text[i] === "}" && --depth === 0) return text.slice(start, i + 1);
    }
    throw new Error(`unclosed block ${header}`);
}

test.each([
    ["upgrade map: upgrade when asked, Connection cleared otherwise", "map $http_upgrade $connection_upgrade", /default upgrade;\s+''\s+'';/],
    ["upstream re-resolves the app through Docker's DNS", "upstream next_app", /zone next_app \d+k;\s+server app:3000 resolve;/],
    ["upstream keeps connections open", "upstream next_app", /keepalive \d+;/],
    ["static assets cached and immutable, with cache status", "location /_next/static/", /proxy_cache next_static;[\s\S]*immutable[\s\S]*X-Cache-Status \$upstream_cache_status/],
    ["static hits not logged", "location /_next/static/", /access_log off;/],
    ["proxy health answered by nginx itself", "location = /nginx-health", /return 200/],
    ["everything else proxied to the upstream", "location / {", /proxy_pass http:\/\/next_app;/],
])("%s", (_, header, pattern) => {
    expect(block(conf, header)).toMatch(pattern);
});

test("Connection comes from the map, never a constant 'upgrade'", () => {
    expect(conf).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(conf).not.toMatch(/proxy_set_header Connection ['"]?upgrade/);
});

test("forwards the host with its port and the X-Forwarded headers", () => {
    expect(conf).toMatch(/proxy_set_header Host \$http_host;/);
    expect(conf).toMatch(/proxy_set_header X-Forwarded-Host \$http_host;/);
    expect(conf).toMatch(/proxy_set_header X-Forwarded-Proto \$scheme;/);
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
});

test("uses Docker's embedded DNS, gzip, timeouts and a body size limit", () => {
    expect(conf).toMatch(/^resolver 127\.0\.0\.11 valid=\d+s/m);
    expect(conf).toMatch(/gzip on;/);
    expect(conf).toMatch(/proxy_read_timeout \d+s;/);
    expect(conf).toMatch(/client_max_body_size 10m;/);
    expect(conf).not.toMatch(/tcp_nopush on/);
});

test("follows its options", () => {
    const other = renderNginxConf({ upstreamHost: "web", upstreamPort: 8080, listenPort: 8081, keepaliveConnections: 8, clientMaxBodySize: "1m" });
    expect(other).toMatch(/server web:8080 resolve;/);
    expect(other).toMatch(/listen 8081 default_server;/);
    expect(other).toMatch(/keepalive 8;/);
    expect(other).toMatch(/client_max_body_size 1m;/);
});

test("braces balance", () => {
    expect(conf.split("{").length).toBe(conf.split("}").length);
});

test.each([
    ["nginx:1.25-alpine", true],
    ["nginx:1.27.2", true],
    ["nginx:1.27.3-alpine", false],
    ["nginx:1.27", false],
    ["nginx:1.30-alpine", false],
    ["nginx:2.0", false],
    ["nginx:stable-alpine", false],
    ["nextstack-e2e/nginx:abc123", false],
])("%s is too old to re-resolve: %s", (image, tooOld) => {
    expect(nginxTagTooOld(image)).toBe(tooOld);
});
