import { imageTag } from "./imageRef";

/** What {@link renderNginxConf} needs to know. */
export interface NginxConfOptions {
    /** Network alias of the app container, resolved through Docker's DNS. */
    upstreamHost: string;
    /** Port the app listens on inside the network. */
    upstreamPort: number;
    /** Port nginx listens on inside its container. */
    listenPort: number;
    /** DNS server that re-resolves the upstream; Docker's embedded DNS on user-defined networks. Default 127.0.0.11. */
    resolver?: string;
    /** Idle upstream connections kept open per worker. Default 32. */
    keepaliveConnections?: number;
    /** Largest request body accepted, nginx size syntax. Default 10m. */
    clientMaxBodySize?: string;
    /** Path of the proxy's own health endpoint (answered by nginx, not the app). Default /nginx-health. */
    healthPath?: string;
}

/** Lowest nginx version whose `server … resolve` in an `upstream` re-resolves names (keeping keepalive). */
export const MIN_NGINX_FOR_RERESOLVE = [1, 27, 3] as const;

/** True when an nginx image tag names a version older than {@link MIN_NGINX_FOR_RERESOLVE}; false when newer or unknown. */
export function nginxTagTooOld(image: string): boolean {
    const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(imageTag(image) ?? "");
    if (!match) return false;
    const version = [Number(match[1]), Number(match[2]), Number(match[3] ?? 9999)];
    for (const [i, min] of MIN_NGINX_FOR_RERESOLVE.entries()) {
        if (version[i] !== min) return version[i] < min;
    }
    return false;
}

/**
 * Renders the proxy's `conf.d/default.conf` (included in nginx's `http` block).
 *
 * Choices, each against a measured trap of the setup this replaces:
 * - The upstream is re-resolved (`resolve` + `zone`, nginx ≥ 1.27.3) every second: when the app container is
 *   replaced it may get a new address, and a name resolved once at start would proxy to a dead one (502/504).
 *   By the time the new container is healthy (`wait`), the proxy already follows it. Connecting to the app on
 *   the bridge takes under a millisecond, so a 2 s connect timeout fails fast if it is gone.
 * - Upstream keepalive with `Connection` cleared unless the client asks for an upgrade: a connection per
 *   request fills the ephemeral ports with TIME_WAIT under load.
 * - `Host` keeps the port (`$http_host`) and `X-Forwarded-*` are set, so apps that compare origins work
 *   behind a proxy published on another port.
 * - `/_next/static` is content-hashed: cached here, marked immutable, with a cache-status header, and not
 *   logged (logging every static hit through Docker's log driver halves throughput).
 */
export function renderNginxConf(options: NginxConfOptions): string {
    const resolver = options.resolver ?? "127.0.0.11";
    const keepalive = options.keepaliveConnections ?? 32;
    const bodySize = options.clientMaxBodySize ?? "10m";
    const healthPath = options.healthPath ?? "/nginx-health";
    return `# Rendered by nextstack (components/nginxConf.ts); changes here are overwritten.
resolver ${resolver} valid=1s ipv6=off;
resolver_timeout 5s;

map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      '';
}

proxy_cache_path /var/cache/nginx/next_static levels=1:2 keys_zone=next_static:10m max_size=256m inactive=7d use_temp_path=off;

upstream next_app {
    zone next_app 64k;
    server ${options.upstreamHost}:${options.upstreamPort} resolve;
    keepalive ${keepalive};
    keepalive_timeout 60s;
}

server {
    listen ${options.listenPort} default_server;
    server_name _;
    server_tokens off;

    client_max_body_size ${bodySize};
    access_log /var/log/nginx/access.log combined buffer=32k flush=5s;

    gzip on;
    gzip_vary on;
    gzip_proxied any;
    gzip_min_length 1024;
    gzip_types text/plain text/css application/javascript application/json image/svg+xml;

    proxy_http_version 1.1;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $connection_upgrade;
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-Host $http_host;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_connect_timeout 2s;
    proxy_send_timeout 60s;
    proxy_read_timeout 60s;
    proxy_next_upstream error timeout;

    location = ${healthPath} {
        access_log off;
        default_type text/plain;
        return 200 "ok\\n";
    }

    location /_next/static/ {
        access_log off;
        proxy_cache next_static;
        proxy_cache_valid 200 7d;
        proxy_cache_use_stale error timeout updating;
        proxy_cache_lock on;
        proxy_hide_header Cache-Control;
        add_header Cache-Control "public, max-age=31536000, immutable" always;
        add_header X-Cache-Status $upstream_cache_status always;
        proxy_pass http://next_app;
    }

    location / {
        proxy_pass http://next_app;
    }
}
`;
}
