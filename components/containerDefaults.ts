import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

/** Memory (MB) and CPU limits of one container; unset fields mean no limit. */
export interface Limits {
    memoryMb?: number;
    cpus?: string;
}

/** The container inputs for {@link Limits}: left out when unset, so adding a limit later is a plain diff. */
export function limitInputs(limits: Limits | undefined): { memory?: number; cpus?: string } {
    return { ...(limits?.memoryMb ? { memory: limits.memoryMb } : {}), ...(limits?.cpus ? { cpus: limits.cpus } : {}) };
}

/** How every container of the stack is run, from the stack's settings. */
export interface RunPolicy {
    /** Docker restart policy (`unless-stopped`, …). */
    restartPolicy: string;
    /** Seconds between healthchecks once up. */
    healthcheckIntervalSeconds: number;
    /** Seconds a container gets to stop cleanly before it is killed. */
    stopGraceSeconds: number;
}

/**
 * Healthcheck timing shared by the containers: probe every `startInterval` (1 s) while starting, so
 * `wait` returns soon after the service is ready, then every configured interval. Engines before
 * Docker 25 ignore `startInterval` and wait one interval for the first probe.
 */
export function healthcheck(tests: string[], policy: RunPolicy, startPeriodSeconds: number): docker.types.input.ContainerHealthcheck {
    return {
        tests,
        interval: `${policy.healthcheckIntervalSeconds}s`,
        timeout: "5s",
        retries: 3,
        startPeriod: `${startPeriodSeconds}s`,
        startInterval: "1s",
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

/** The alias a container really has on its (first) network, read back from the container's own outputs. */
export function networkAlias(container: docker.Container, containerName: string): pulumi.Output<string> {
    return container.networksAdvanced.apply((networks) => {
        const aliases = networks?.[0]?.aliases ?? [];
        if (aliases.length === 0) throw new Error(`container ${containerName} has no network alias`);
        return aliases[0];
    });
}

/**
 * True when a published port's host address is loopback (`127.*`, `::1`), i.e. reachable from this machine only.
 * Missing or empty means every interface (as does `0.0.0.0`): not loopback. (Unlike `isLoopbackHost`, `0.0.0.0`
 * is "everywhere" here: it is a bind address, not a host to dial.)
 */
export function isLoopbackPublishAddress(ip: string | undefined): boolean {
    if (!ip) return false;
    const h = ip.replace(/^\[|\]$/g, "");
    return h.startsWith("127.") || h === "::1";
}
