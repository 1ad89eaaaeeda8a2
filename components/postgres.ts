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
    const withoutDigest = image.split("@")[0];
    const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
    const colon = lastSegment.indexOf(":");
    if (colon < 0) return undefined;
    const match = /^(\d+)(?:[.\-]|$)/.exec(lastSegment.slice(colon + 1));
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
    const h = host.toLowerCase().replace(/^\[|\]$/g, "");
    return h === "localhost" || h.endsWith(".localhost") || h.startsWith("127.") || h === "::1" || h === "0.0.0.0";
}
