import { z } from "zod";
import { cpusAsReadBack } from "../containerDefaults";
import { imageTag } from "../imageRef";

// Value rules of the config keys (the key table in ./keys uses them), with the helpers they need.

export const port = z.number().int().min(1, "a TCP port from 1 to 65535").max(65535, "a TCP port from 1 to 65535");
export const optionalPort = z.number().int().min(0, "0 (off) or a TCP port from 1 to 65535").max(65535, "0 (off) or a TCP port from 1 to 65535");
export const seconds = z.number().int().min(1, "a whole number of seconds ≥ 1").max(3600, "a whole number of seconds ≤ 3600");
export const ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/, "an IPv4 address such as 127.0.0.1");
/** Unquoted Postgres identifier: what `POSTGRES_USER`/`POSTGRES_DB` can hold without quoting games. */
export const pgIdentifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "a lower-case Postgres identifier: a-z, 0-9, _ (not first), at most 63 characters");
/** Image reference pinned by tag (or digest), never `latest`. */
/** An image reference pinned by tag or digest; `example` (the key's default) is shown in the message. */
export const pinnedImage = (example: string) =>
    z
        .string()
        .regex(/^[a-z0-9]([a-z0-9._\/-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/, `an image reference such as ${example}`)
        .refine((ref) => /@sha256:/.test(ref) || !!imageTag(ref), "an image pinned by tag or digest (repo:tag)")
        .refine((ref) => /@sha256:/.test(ref) || imageTag(ref) !== "latest", "a pinned tag, not `latest`");
export const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A NAME=value entry on one line, as the build steps read them (one variable per line). */
export const oneLineEnvEntry = /^[A-Za-z_][A-Za-z0-9_]*=[^\n\r]*$/;
/** An absolute http(s) URL a browser is sent to: no credentials, query or fragment (a base path may follow). */
export function isPublicUrl(text: string): boolean {
    if (!/^https?:\/\/[^\s]+$/.test(text)) return false;
    try {
        // The parser refuses an http(s) URL without a host; a query or fragment, even empty, shows as ? or #.
        const url = new URL(text);
        return url.username === "" && url.password === "" && !text.includes("#") && !text.includes("?");
    } catch {
        return false;
    }
}
/** Memory limit such as `512m` or `1g`; empty for none. */
const MEMORY_SIZE = /^(\d+(?:\.\d+)?)([mMgG])$/;
export const memory = z.string().refine((v) => v === "" || MEMORY_SIZE.test(v), "empty (no limit) or a size such as 512m or 1g").refine((v) => !MEMORY_SIZE.test(v) || memoryMb(v) >= 6, "at least 6m (Docker's minimum)");
/** CPU limit such as `0.5` or `2`; empty for none. */
export const cpus = z
    .string()
    .regex(/^$|^\d+(\.\d+)?$/, "empty (no limit) or a number of CPUs such as 0.5 or 2")
    .refine((v) => !/^\d+(\.\d+)?$/.test(v) || (Number(v) > 0 && Number(v) <= 256), "more than 0 and at most 256 CPUs")
    .refine(
        (v) => !/^\d+(\.\d+)?$/.test(v) || !(Number(v) > 0 && Number(v) <= 256) || cpusAsReadBack(v) !== undefined,
        "a CPU count the Docker provider reads back as the same amount, such as 0.1, 0.25, 0.5, 1 or 2 (it reads values like 0.05 back as 0.1, and the container would be replaced on every up)",
    );

/** Megabytes in a memory size such as `512m` or `1.5g`. */
export function memoryMb(size: string): number {
    const match = MEMORY_SIZE.exec(size);
    if (!match) throw new Error(`not a memory size: ${size}`);
    return Math.floor(Number(match[1]) * (/[gG]/.test(match[2]) ? 1024 : 1));
}
