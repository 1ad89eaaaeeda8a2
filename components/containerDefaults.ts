import * as docker from "@pulumi/docker";

/** Memory (MB) and CPU limits of one container; unset fields mean no limit. */
export interface Limits {
    memoryMb?: number;
    cpus?: string;
}

/**
 * The container inputs for {@link Limits}: left out when unset. `memorySwap` equals `memory` (no swap): the
 * engine would otherwise set twice the memory, which the provider reads back into state and then diffs against
 * an input it never had (DESIGN trap 17), and a later in-place memory update, which the provider sends without
 * MemorySwap, would fail against it (trap 19).
 */
export function limitInputs(limits: Limits | undefined): { memory?: number; memorySwap?: number; cpus?: string } {
    return {
        ...(limits?.memoryMb ? { memory: limits.memoryMb, memorySwap: limits.memoryMb } : {}),
        ...(limits?.cpus ? { cpus: limits.cpus } : {}),
    };
}

/**
 * Inputs whose change replaces a container. The provider updates a memory limit in place with one
 * ContainerUpdate that cannot remove a limit (the engine reads Memory 0 as "unchanged"), so any change of
 * `memory`/`memorySwap` replaces the container: the limit in force is always the one in config. (`cpus` is
 * ForceNew in the provider's schema; the healthcheck is not applied in place at all.)
 */
export const REPLACE_ON_CHANGES = ["healthcheck", "memory", "memorySwap"];

/**
 * A CPU count written the way the Docker provider reads it back into state, so that the next diff finds no
 * change (DESIGN trap 17; kreuzwerker/terraform-provider-docker v4.5.0 helpers.go nanoInt64ToDecimalString:
 * the amount with nine decimals; when that text holds exactly nine "0"s, one decimal, rounded half away from
 * zero; otherwise trailing zeros trimmed): `1` → `1.0`, `1.5` → `1.5`, `10` → `10.`. Undefined when the
 * read-back is another amount (`0.05` reads back as `0.1`: every `up` would replace the container) or the
 * value has more than nine decimals (the provider refuses it: "value is too precise").
 */
export function cpusAsReadBack(value: string): string | undefined {
    const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
    if (!match || (match[2] ?? "").replace(/0+$/, "").length > 9) return undefined;
    const nanos = BigInt(match[1]) * 1_000_000_000n + BigInt((match[2] ?? "").replace(/0+$/, "").padEnd(9, "0"));
    const nine = `${nanos / 1_000_000_000n}.${String(nanos % 1_000_000_000n).padStart(9, "0")}`;
    let text: string;
    let readNanos: bigint;
    if ((nine.match(/0/g) ?? []).length === 9) {
        const tenths = (nanos + 50_000_000n) / 100_000_000n;
        text = `${tenths / 10n}.${tenths % 10n}`;
        readNanos = tenths * 100_000_000n;
    } else {
        text = nine.replace(/0+$/, "");
        readNanos = nanos;
    }
    return readNanos === nanos ? text : undefined;
}

/** How every container of the stack is run, from the stack's settings. */
export interface RunPolicy {
    /** Docker restart policy (`unless-stopped`, …). */
    restartPolicy: string;
    /** Seconds between healthchecks once up. */
    healthcheckIntervalSeconds: number;
    /** Seconds between healthchecks while starting (Docker ≥ 25); 0 leaves it unset, for older engines. */
    healthcheckStartIntervalSeconds: number;
    /** Seconds a container gets to stop cleanly before it is killed. */
    stopGraceSeconds: number;
}

/**
 * Seconds as Go's `time.Duration.String()` prints them (`60` → `1m0s`, `90` → `1m30s`, `5` → `5s`): the
 * provider reads healthcheck durations back in this form, and an input in any other form would differ from
 * state on every `up` (DESIGN trap 17).
 */
export function goDuration(seconds: number): string {
    if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`goDuration: expected whole seconds ≥ 0, got ${seconds}`);
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return h ? `${h}h${m}m${s}s` : m ? `${m}m${s}s` : `${s}s`;
}

/**
 * Healthcheck timing shared by the containers. With a start interval (Docker ≥ 25, API 1.44) the engine probes
 * that often while the container starts, so `wait` returns soon after the service is ready; then every
 * configured interval. Without one (`healthcheckStartInterval: 0`, for older engines, whose Docker client
 * refuses the field) the first probe comes one interval after start.
 */
export function healthcheck(tests: string[], policy: RunPolicy, startPeriodSeconds: number): docker.types.input.ContainerHealthcheck {
    return {
        tests,
        interval: goDuration(policy.healthcheckIntervalSeconds),
        timeout: goDuration(5),
        retries: 3,
        startPeriod: goDuration(startPeriodSeconds),
        ...(policy.healthcheckStartIntervalSeconds ? { startInterval: goDuration(policy.healthcheckStartIntervalSeconds) } : {}),
    };
}

/**
 * How long `wait` may block a create: the start period plus a few probes. A container still unhealthy
 * then fails the deployment instead of letting dependents start against it.
 */
export function waitTimeoutSeconds(policy: RunPolicy, startPeriodSeconds: number): number {
    return startPeriodSeconds + 3 * policy.healthcheckIntervalSeconds + 10;
}

/** Address a program on the host dials for a port published on `bindAddress` (all interfaces → loopback). */
export function hostAddressFor(bindAddress: string): string {
    return bindAddress === "0.0.0.0" ? "127.0.0.1" : bindAddress;
}

/** Where this machine reaches a port published on `bindAddress`: `http://<host address>:<port>/`. */
export function publishedUrl(bindAddress: string, port: number): string {
    return `http://${hostAddressFor(bindAddress)}:${port}/`;
}

/**
 * True when a published port's host address is loopback (`127.*`, `::1`), i.e. reachable from this machine only.
 * Missing or empty means every interface (as does `0.0.0.0`): not loopback. (Unlike `isLoopbackHost`, `0.0.0.0`
 * is "everywhere" here: it is a bind address, not a host to dial.)
 */
export function isLoopbackPublishAddress(ip: string | undefined): boolean {
    if (!ip) return false;
    return ip.startsWith("127.") || ip === "::1" || ip === "[::1]";
}
