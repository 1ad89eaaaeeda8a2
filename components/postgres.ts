import { imageTag } from "./imageRef";

/** Postgres majors whose data layout this program knows (see {@link dataPathForMajor}). */
export const KNOWN_POSTGRES_MAJORS = [13, 14, 15, 16, 17, 18, 19] as const;

/**
 * Where the official image expects its volume for a Postgres major: up to 17 the data directory itself,
 * from 18 on its parent (`/var/lib/postgresql`), data then living in a versioned subfolder.
 * Returns undefined for a major whose layout is unknown.
 */
export function dataPathForMajor(major: number): string | undefined {
    if (!(KNOWN_POSTGRES_MAJORS as readonly number[]).includes(major)) return undefined;
    return major >= 18 ? "/var/lib/postgresql" : "/var/lib/postgresql/data";
}

/** Reads the major version from an image tag such as `postgres:17.2-alpine` (17); undefined when the tag does not start with one. */
export function majorFromImageTag(image: string): number | undefined {
    const match = /^(\d+)(?:[.\-]|$)/.exec(imageTag(image) ?? "");
    return match ? Number(match[1]) : undefined;
}

/** Parts of a Postgres connection. */
export interface ConnectionParts {
    user: string;
    password: string;
    host: string;
    port: number;
    database: string;
}

/**
 * Builds `postgresql://user:password@host:port/database` with user, password and database percent-encoded,
 * so a password holding `@:/?#%` still parses back to itself.
 */
export function connectionUrl(parts: ConnectionParts): string {
    const enc = encodeURIComponent;
    return `postgresql://${enc(parts.user)}:${enc(parts.password)}@${parts.host}:${parts.port}/${enc(parts.database)}`;
}

/** Host names that, inside a container, mean the container itself: never a database host for another container. */
export function isLoopbackHost(host: string): boolean {
    const h = host.toLowerCase();
    return h === "localhost" || h.endsWith(".localhost") || h.startsWith("127.") || h === "::1" || h === "[::1]" || h === "0.0.0.0";
}

/** Where the start script is put in the database container. */
export const START_SCRIPT_PATH = "/usr/local/bin/nextstack-postgres";
/** Written by the start script once the role's password matches the password file; the healthcheck requires it. */
export const PASSWORD_SYNCED_MARKER = "/run/nextstack/password-synced";

/**
 * The database container's entrypoint. It starts Postgres through the image's own entrypoint and, once the
 * server accepts TCP connections, sets the password of `POSTGRES_USER` from `POSTGRES_PASSWORD_FILE`.
 *
 * Why: the image reads the password only when it initialises an empty volume. On a volume that already holds
 * a database (a retained volume after `destroy` + `up`, or a changed password) the old password would stay
 * and the app, given the new one, would be locked out. With this, the password in the stack's state is the
 * one the database has, on every start.
 *
 * It connects over the local socket, which the official image trusts; the password is read by psql itself
 * (never on a command line) and quoted by psql (`:'pw'`). Each failing step returns from the function
 * explicitly: called on the left of `||`, the function runs with `set -e` suspended (POSIX), so a failed psql
 * would otherwise still write the marker and make the container healthy with the old password. The waiting job
 * is started twice-forked, so it is adopted by the container's init (`init: true`), not by the postmaster.
 */
export function postgresStartScript(): string {
    return `#!/bin/sh
# Rendered by nextstack (components/postgres.ts). Starts Postgres, then makes the role's password match
# $POSTGRES_PASSWORD_FILE: the image itself reads that file only when it initialises an empty volume.
set -eu
rm -f ${PASSWORD_SYNCED_MARKER}
mkdir -p ${PASSWORD_SYNCED_MARKER.slice(0, PASSWORD_SYNCED_MARKER.lastIndexOf("/"))}

sync_password() {
    tries=0
    until pg_isready -q -h 127.0.0.1 -p 5432; do
        tries=$((tries + 1))
        if [ "$tries" -ge 1200 ]; then
            echo "nextstack: Postgres did not accept connections within 600 s; password not set" >&2
            return 1
        fi
        sleep 0.5
    done
    psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -U "$POSTGRES_USER" -d "$POSTGRES_DB" <<'SQL' || return 1
\\set role \`printf '%s' "$POSTGRES_USER"\`
\\set pw \`cat "$POSTGRES_PASSWORD_FILE"\`
ALTER ROLE :"role" WITH PASSWORD :'pw';
SQL
    touch ${PASSWORD_SYNCED_MARKER}
    echo "nextstack: password of role $POSTGRES_USER set from $POSTGRES_PASSWORD_FILE" >&2
}

( (sync_password || echo "nextstack: setting the password failed; the container stays unhealthy" >&2) & )
exec docker-entrypoint.sh "$@"
`;
}
