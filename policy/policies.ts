// The policies of the `nextstack` policy pack, and the pure helpers they use. Tests import this module;
// `index.ts` (which starts the pack's gRPC server) only wraps these in a PolicyPack.
import * as policySdk from "@pulumi/policy";
import { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { isLoopbackPublishAddress } from "../components/containerDefaults";
import { ROLE_LABEL, STACK_LABEL } from "../components/labels";
import { isLoopbackHost } from "../components/postgres";
import { imageTag, isPinnedImage, unpinnedImageReason } from "../components/imageRef";

/** Type tokens of the Docker provider's resources the policies look at. */
export const DOCKER = {
    container: "docker:index/container:Container",
    volume: "docker:index/volume:Volume",
    image: "docker:index/image:Image",
    remoteImage: "docker:index/remoteImage:RemoteImage",
} as const;

/** Value of {@link ROLE_LABEL} of the one container allowed to publish beyond loopback. */
export const PROXY_ROLE = "proxy";

/**
 * What `@pulumi/policy` exports at runtime but leaves out of its typings (marked internal): the error thrown when a
 * policy reads a value that is unknown during a preview, and the proxy that throws it.
 */
export const policyInternals = policySdk as unknown as {
    UnknownValueError: new (...args: any[]) => Error;
    unknownCheckingProxy<T extends object>(value: T): T;
};
const { UnknownValueError } = policyInternals;

// ---------------------------------------------------------------------------------------------------------
// Pure helpers
// ---------------------------------------------------------------------------------------------------------

/** Value of a label in the Docker provider's `[{ label, value }]` shape; undefined when absent. */
export function labelValue(labels: unknown, name: string): string | undefined {
    if (!Array.isArray(labels)) return undefined;
    for (let i = 0; i < labels.length; i++) {
        const entry = labels[i];
        if (entry && entry.label === name) return typeof entry.value === "string" ? entry.value : undefined;
    }
    return undefined;
}

/** Splits a `NAME=value` environment entry; undefined when it has no `=`. */
export function splitEnv(entry: string): { name: string; value: string } | undefined {
    const eq = entry.indexOf("=");
    return eq < 0 ? undefined : { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
}

/**
 * Hosts of every URL (`scheme://…`, any scheme) in a string: `[::1]` keeps its brackets, user info and port are
 * dropped, and each host of a multi-host authority (`postgresql://h1:5432,h2:5432/db`) is listed.
 */
export function urlHosts(text: string): string[] {
    const hosts: string[] = [];
    const scheme = /[A-Za-z][A-Za-z0-9+.-]*:\/\//g;
    for (let m = scheme.exec(text); m; m = scheme.exec(text)) {
        const rest = text.slice(m.index + m[0].length);
        const authority = rest.slice(0, rest.search(/[/?#\s"'<>;]|$/));
        const hostPart = authority.slice(authority.lastIndexOf("@") + 1);
        for (const hostPort of hostPart.split(",")) {
            const host = hostPort.startsWith("[") ? hostPort.slice(0, hostPort.indexOf("]") + 1) : hostPort.split(":")[0];
            if (host) hosts.push(host);
        }
    }
    return hosts;
}

/** True when a URL host means "this container itself" inside a container (see `isLoopbackHost`); ignores a trailing dot. */
export function isLoopbackUrlHost(host: string): boolean {
    return isLoopbackHost(host.replace(/\.$/, ""));
}

/** True when some URL in the text points at a loopback host. */
export function hasLoopbackUrl(text: string): boolean {
    return urlHosts(text).some(isLoopbackUrlHost);
}

export { imageTag, isLoopbackPublishAddress, isPinnedImage, STACK_LABEL, unpinnedImageReason };

/** Why a container healthcheck's `tests` runs no real command, or undefined when it does. */
export function healthcheckProblem(tests: unknown): string | undefined {
    if (tests === undefined || tests === null) return "has no healthcheck (healthcheck.tests is not set)";
    if (!Array.isArray(tests) || tests.length === 0) return "has an empty healthcheck.tests, which falls back to whatever the image declares";
    const [kind, ...command] = tests as unknown[];
    if (kind === "NONE") return 'disables its healthcheck (healthcheck.tests is ["NONE"])';
    if (kind !== "CMD" && kind !== "CMD-SHELL") return `has healthcheck.tests starting with ${JSON.stringify(kind)}, not "CMD" or "CMD-SHELL"`;
    if (!command.some((part) => typeof part === "string" && part.trim() !== "")) return `has healthcheck.tests ["${kind}"] with no command`;
    return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Running over engine values
// ---------------------------------------------------------------------------------------------------------

/**
 * Visits each element of a list from the engine. During a preview some elements can be unknown (reading them throws
 * `UnknownValueError`): those are skipped, the known ones are still checked, and the first unknown one is then
 * rethrown, so the engine reports that the policy could not fully run instead of silently passing.
 */
function forEachKnown(list: unknown, visit: (item: any, index: number) => void): void {
    if (!Array.isArray(list)) return;
    let unknown: unknown;
    for (let i = 0; i < list.length; i++) {
        try {
            visit(list[i], i);
        } catch (e) {
            if (!(e instanceof UnknownValueError)) throw e;
            unknown ??= e;
        }
    }
    if (unknown !== undefined) throw unknown;
}

/** `container "nextstack-prod-db"`: the Docker name when known, else the Pulumi name. */
function describe(kind: string, args: ResourceValidationArgs): string {
    let name: unknown;
    try {
        name = args.props.name;
    } catch (e) {
        if (!(e instanceof UnknownValueError)) throw e;
    }
    return `${kind} ${JSON.stringify(typeof name === "string" && name !== "" ? name : args.name)}`;
}

/** The role label of a container (`db`, `app`, `proxy`), or undefined. */
function roleOf(args: ResourceValidationArgs): string | undefined {
    return labelValue(args.props.labels, ROLE_LABEL);
}

// ---------------------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------------------

/**
 * A one-shot task (the app's migration): run to its end during the deployment (`attach`) and not kept running
 * (`mustRun: false`). It serves nothing and must not restart, so the healthcheck and restart policies skip it.
 */
export function isOneShot(props: Record<string, any>): boolean {
    return props.mustRun === false && props.attach === true;
}

/** 1. Every container has a healthcheck that runs a command. */
export const containerHealthcheck: ResourceValidationPolicy = {
    name: "container-healthcheck",
    description: 'Every container has a healthcheck that runs a real command (healthcheck.tests is ["CMD", …] or ["CMD-SHELL", "…"]).',
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== DOCKER.container || isOneShot(args.props)) return;
        const problem = healthcheckProblem(args.props.healthcheck?.tests);
        if (problem) {
            reportViolation(
                `${describe("container", args)} ${problem}. Set healthcheck.tests to ["CMD", …] or ["CMD-SHELL", "…"] with a command that ` +
                    "fails until the service can serve (the components build it with healthcheck() from components/containerDefaults.ts), " +
                    "so `wait` and dependents see when it is ready.",
            );
        }
    },
};

/** 2. No environment variable of a container holds a URL to a loopback host. */
export const noLoopbackUrlsInContainerEnv: ResourceValidationPolicy = {
    name: "no-loopback-urls-in-container-env",
    description: "No container environment variable holds a URL whose host is localhost, *.localhost, 127.x.x.x, 0.0.0.0 or ::1: inside a container that is the container itself.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== DOCKER.container) return;
        forEachKnown(args.props.envs, (entry) => {
            if (typeof entry !== "string") return;
            const env = splitEnv(entry);
            if (!env || !hasLoopbackUrl(env.value)) return;
            // Never the value: it may hold a password (DATABASE_URL does).
            reportViolation(
                `${describe("container", args)}: environment variable ${env.name} holds a URL whose host is a loopback address ` +
                    "(localhost, *.localhost, 127.x.x.x, 0.0.0.0 or ::1); inside a container that is the container itself, not the host " +
                    "or another container. Point it at the other container's network alias (db, app, proxy): the database URL is " +
                    "derived from the database component, and extra app environment comes from nextstack:appEnv.",
            );
        });
    },
};

/** 3. Only the proxy publishes ports on a non-loopback host address. */
export const onlyProxyPublishesBeyondLoopback: ResourceValidationPolicy = {
    name: "only-proxy-publishes-beyond-loopback",
    description: `Only a container labelled ${ROLE_LABEL}=${PROXY_ROLE} publishes ports on a non-loopback host address (ip missing, 0.0.0.0, or anything but 127.x / ::1).`,
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== DOCKER.container) return;
        const role = roleOf(args);
        if (role === PROXY_ROLE) return;
        forEachKnown(args.props.ports, (port) => {
            const ip: string | undefined = port?.ip;
            if (isLoopbackPublishAddress(ip)) return;
            const hostPort = port?.external ? `port ${port.external}` : "a random port";
            // (An entry with an ip is an object.)
            const where = ip && port.external ? `${ip}:${port.external}` : `${ip || "every host address (no ip)"}, ${hostPort}`;
            const fix =
                role === "db"
                    ? "Publish Postgres on 127.0.0.1 (nextstack:dbPublishAddress, and leave nextstack:dbPublishAnyAddress false) or not at all (nextstack:dbPublishPort: 0)"
                    : role === "app"
                      ? "Reach the app through the proxy (nextstack:proxyEnabled) or publish it on 127.0.0.1 only (nextstack:appPublishPort)"
                      : `Publish it on 127.0.0.1, or, if it is the stack's proxy, label it ${ROLE_LABEL}=${PROXY_ROLE}`;
            reportViolation(
                `${describe("container", args)} (${ROLE_LABEL}=${role ?? "<none>"}) publishes port ${port?.internal} on ${where}, beyond this ` +
                    `machine's loopback; only the proxy (${ROLE_LABEL}=${PROXY_ROLE}) may. ${fix}.`,
            );
        });
    },
};

/** What sets a built image's BASE_IMAGE, from the program's resource names (`app-image`, `proxy-image`). */
function baseImageFix(resourceName: string): string {
    if (resourceName.startsWith("app")) return "set nextstack:appBaseImage to e.g. node:24-alpine";
    if (resourceName.startsWith("proxy")) return "set nextstack:proxyBaseImage to e.g. nginx:1.30-alpine";
    return "pass a tagged BASE_IMAGE such as node:24-alpine";
}

/** 4. Every image is pinned by tag (not `latest`) or digest. */
export const imagesPinned: ResourceValidationPolicy = {
    name: "images-pinned",
    description: "Pulled images, the images containers run, and BASE_IMAGE of built images are pinned: a tag other than latest, a digest (@sha256:…), or for containers an image ID.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        // A built image's base: docker.Image's `build.args`, or RemoteImage's `build.buildArgs` (a stack with build
        // secrets builds with RemoteImage; its name is then the tag it builds, not an image it pulls).
        const checkBase = (base: unknown) => {
            if (base === undefined) return;
            const ref = String(base);
            const reason = unpinnedImageReason(ref);
            if (reason) {
                reportViolation(
                    `image build ${JSON.stringify(args.name)}: BASE_IMAGE ${JSON.stringify(ref)} ${reason}. Pin it by tag or digest: ${baseImageFix(args.name)}.`,
                );
            }
        };
        if (args.type === DOCKER.remoteImage && args.props.build) {
            checkBase(args.props.build.buildArgs?.BASE_IMAGE);
        } else if (args.type === DOCKER.remoteImage) {
            const ref = String(args.props.name ?? "");
            const reason = unpinnedImageReason(ref);
            if (reason) {
                reportViolation(
                    `image ${JSON.stringify(ref)} (${args.name}) ${reason}. Pin it by tag or digest: set nextstack:dbImage to e.g. postgres:18-alpine or postgres@sha256:<digest>.`,
                );
            }
        } else if (args.type === DOCKER.container) {
            const ref = String(args.props.image ?? "");
            const reason = unpinnedImageReason(ref, { allowImageId: true });
            if (reason) {
                reportViolation(
                    `${describe("container", args)} runs image ${JSON.stringify(ref)}, which ${reason}. Run the image ID of a pulled or built ` +
                        "image (RemoteImage.imageId, Image.repoDigest), a digest, or a pinned tag.",
                );
            }
        } else if (args.type === DOCKER.image) {
            checkBase(args.props.build?.args?.BASE_IMAGE);
        }
    },
};

/** 5. The data volumes of prod stacks are protected. */
export const prodDataProtected: ResourceValidationPolicy = {
    name: "prod-data-protected",
    description: `A volume of a prod stack (label ${STACK_LABEL} starting with "prod") is protected (protect: true), so destroy and replacement refuse to delete its data.`,
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== DOCKER.volume) return;
        const stack = labelValue(args.props.labels, STACK_LABEL);
        if (stack === undefined || !stack.startsWith("prod")) return;
        if (args.opts.protect !== true) {
            reportViolation(
                `${describe("volume", args)} holds data of stack ${JSON.stringify(stack)} (label ${STACK_LABEL}) and is not protected: ` +
                    "`pulumi destroy` or a replacement would delete it. Set nextstack:protectData to true (the program then sets protect and retainOnDelete on it).",
            );
        }
    },
};

/** 6. Every container restarts after a crash or a reboot of the engine. */
export const containersRestart: ResourceValidationPolicy = {
    name: "containers-restart",
    description: 'Every container has a restart policy other than "no".',
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== DOCKER.container || isOneShot(args.props)) return;
        const restart: unknown = args.props.restart;
        if (restart === undefined || restart === null || restart === "" || restart === "no") {
            reportViolation(
                `${describe("container", args)} has restart ${restart === "no" ? '"no"' : "unset (Docker's default is no)"}: it stays down after a crash ` +
                    "or an engine restart. Set nextstack:restartPolicy to unless-stopped (the default), always or on-failure.",
            );
        }
    },
};

/** Every policy of the pack, in the order they are documented. */
export const policies: ResourceValidationPolicy[] = [
    containerHealthcheck,
    noLoopbackUrlsInContainerEnv,
    onlyProxyPublishesBeyondLoopback,
    imagesPinned,
    prodDataProtected,
    containersRestart,
];
