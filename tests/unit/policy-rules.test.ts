import { ROLE_LABEL } from "../../components/labels";
import {
    containerHealthcheck,
    containersRestart,
    DOCKER,
    imagesPinned,
    noLoopbackUrlsInContainerEnv,
    onlyProxyPublishesBeyondLoopback,
    policies,
    prodDataProtected,
} from "../../policy/policies";
import { PolicyResource, runPolicies, UNKNOWN_STRING, validationArgs } from "../../policy/testing";
import { ResourceValidationPolicy } from "@pulumi/policy";

// Each policy of the pack alone, with hand-built resources: which resources it looks at, the exact message it
// reports (what is wrong, what to set), and what it does with values unknown during a preview.
// The pack over whole stacks: policy.test.ts, policy-prod.test.ts, policy-bad.test.ts.

const IMAGE_ID = `sha256:${"ab".repeat(32)}`;
const DIGEST = `@sha256:${"0f".repeat(32)}`;
type Props = Record<string, any>;

const labels = (stack: string, role?: string) => [
    { label: "nextstack.stack", value: stack },
    ...(role ? [{ label: ROLE_LABEL, value: role }] : []),
];
/** A container every policy accepts, with overrides; `nextstack-prod-<name>` is its Docker name. */
const container = (over: Props = {}, name = "db"): PolicyResource => ({
    type: DOCKER.container,
    name,
    props: {
        name: `nextstack-prod-${name}`,
        image: IMAGE_ID,
        envs: ["PORT=3000"],
        healthcheck: { tests: ["CMD", "true"] },
        restart: "unless-stopped",
        ports: [],
        labels: labels("prod", name),
        ...over,
    },
});
const volume = (stackLabel: Props[] | undefined, protect: boolean): PolicyResource => ({
    type: DOCKER.volume,
    name: "db-data",
    props: { name: "nextstack-prod-pgdata", ...(stackLabel ? { labels: stackLabel } : {}) },
    protect,
});
const remoteImage = (props: Props): PolicyResource => ({ type: DOCKER.remoteImage, name: "db-image", props });
const builtImage = (name: string, build: Props | undefined): PolicyResource => ({ type: DOCKER.image, name, props: { imageName: "x:current", ...(build ? { build } : {}) } });

/** The messages one policy reports on the resources. */
async function report(policy: ResourceValidationPolicy, ...resources: PolicyResource[]): Promise<string[]> {
    return (await runPolicies([policy], resources)).map((v) => v.message);
}
/** Runs one policy on one resource by hand: what it reported before it returned or threw, and what it threw. */
function runCatching(policy: ResourceValidationPolicy, resource: PolicyResource): { reported: string[]; thrown: unknown } {
    const reported: string[] = [];
    const validate = policy.validateResource as (args: any, report: (m: string) => void) => void;
    try {
        validate(validationArgs(resource), (m) => reported.push(m));
    } catch (e) {
        return { reported, thrown: e };
    }
    return { reported, thrown: undefined };
}

// Resources of other types the pack must leave alone, each with what would fail a container.
const notAContainer: PolicyResource[] = [
    { type: DOCKER.volume, name: "v", props: { image: "postgres:latest", envs: ["A=http://localhost"], ports: [{ internal: 1, ip: "0.0.0.0" }] } },
    { type: DOCKER.image, name: "i", props: { envs: ["A=http://localhost"], restart: "no" } },
    { type: "docker:index/network:Network", name: "n", props: { labels: labels("prod"), image: "postgres" } },
];

describe("each policy looks only at its own resource types", () => {
    test.each([containerHealthcheck, noLoopbackUrlsInContainerEnv, onlyProxyPublishesBeyondLoopback, containersRestart])("$name: only containers", async (policy) => {
        expect(await report(policy, ...notAContainer)).toEqual([]);
    });

    test("prod-data-protected: only volumes (an unprotected container labelled prod passes)", async () => {
        expect(await report(prodDataProtected, container(), { ...builtImage("app-image", undefined), props: { labels: labels("prod") } })).toEqual([]);
    });

    test("images-pinned: not volumes or networks, whatever image they name", async () => {
        expect(await report(imagesPinned, ...notAContainer)).toEqual([]);
    });
});

describe("container-healthcheck", () => {
    const fix =
        'Set healthcheck.tests to ["CMD", …] or ["CMD-SHELL", "…"] with a command that fails until the service can serve ' +
        "(the components build it with healthcheck() from components/containerDefaults.ts), so `wait` and dependents see when it is ready.";

    test("no healthcheck: names the container, the problem and the fix, word for word", async () => {
        expect(await report(containerHealthcheck, container({ healthcheck: undefined }))).toEqual([
            `container "nextstack-prod-db" has no healthcheck (healthcheck.tests is not set). ${fix}`,
        ]);
    });

    test("the problem part is the helper's, the fix the same for each", async () => {
        expect(await report(containerHealthcheck, container({ healthcheck: { tests: ["NONE"] } }, "app"))).toEqual([
            `container "nextstack-prod-app" disables its healthcheck (healthcheck.tests is ["NONE"]). ${fix}`,
        ]);
    });

    test.each<[string, Props]>([
        ["kept running, attached", { mustRun: true, attach: true }],
        ["not kept running, detached", { mustRun: false, attach: false }],
        ["not kept running, attach unset", { mustRun: false }],
    ])("a container that is not one-shot (%s) needs one", async (_title, over) => {
        expect(await report(containerHealthcheck, container({ healthcheck: undefined, ...over }, "migrate"))).toHaveLength(1);
    });

    test("a one-shot task (mustRun false, attach true) needs none", async () => {
        expect(await report(containerHealthcheck, container({ healthcheck: undefined, mustRun: false, attach: true }, "migrate"))).toEqual([]);
    });

    test("the container is named by its Pulumi name when the Docker name is unset, empty or not a string", async () => {
        const names = await report(
            containerHealthcheck,
            container({ healthcheck: undefined, name: undefined }, "a"),
            container({ healthcheck: undefined, name: "" }, "b"),
            container({ healthcheck: undefined, name: 42 }, "c"),
        );
        expect(names.map((m) => m.split(" has ")[0])).toEqual(['container "a"', 'container "b"', 'container "c"']);
    });
});

describe("no-loopback-urls-in-container-env", () => {
    test("names the variable, says why and what to point it at, word for word", async () => {
        expect(await report(noLoopbackUrlsInContainerEnv, container({ envs: ["PORT=3000", "API_URL=http://localhost:4000/x"] }, "app"))).toEqual([
            'container "nextstack-prod-app": environment variable API_URL holds a URL whose host is a loopback address ' +
                "(localhost, *.localhost, 127.x.x.x, 0.0.0.0 or ::1); inside a container that is the container itself, not the host " +
                "or another container. Point it at the other container's network alias (db, app, proxy): the database URL is " +
                "derived from the database component, and extra app environment comes from nextstack:appEnv.",
        ]);
    });

    test("one message per offending variable, in order", async () => {
        const messages = await report(noLoopbackUrlsInContainerEnv, container({ envs: ["A=http://127.0.0.1", "B=http://db", "C=redis://[::1]"] }));
        expect(messages.map((m) => m.split(" ")[4])).toEqual(["A", "C"]);
    });

    test.each<[string, unknown]>([
        // a loopback host without a scheme is not a URL (HOSTNAME=0.0.0.0 is how Next.js listens on every interface)
        ["HOSTNAME=0.0.0.0", ["HOSTNAME=0.0.0.0"]],
        // an entry without = is not NAME=value: not read
        ["an entry without =", ["http://localhost:3000"]],
        // entries that are not strings are skipped, not parsed (that would throw)
        ["non-string entries", [42, null, { name: "A", value: "http://localhost" }]],
        // envs that are not a list are not read
        ["envs as a map", { API_URL: "http://localhost" }],
        ["envs as a string", "API_URL=http://localhost"],
        ["no envs", undefined],
    ])("passes: %s", async (_title, envs) => {
        expect(await report(noLoopbackUrlsInContainerEnv, container({ envs }))).toEqual([]);
    });

    test("the variable name is what precedes the first =", async () => {
        const [message] = await report(noLoopbackUrlsInContainerEnv, container({ envs: ["NEXT_PUBLIC_X=a=http://localhost"] }));
        expect(message).toContain("environment variable NEXT_PUBLIC_X holds");
    });
});

describe("only-proxy-publishes-beyond-loopback", () => {
    const ports = (...p: Props[]) => ({ ports: p });
    const rule = "beyond this machine's loopback; only the proxy (nextstack.role=proxy) may.";

    test.each<[string, Props]>([
        ["127.0.0.1", { internal: 5432, external: 5432, ip: "127.0.0.1" }],
        ["127.5.6.7", { internal: 5432, external: 5432, ip: "127.5.6.7" }],
        ["::1", { internal: 5432, external: 5432, ip: "::1" }],
        ["[::1]", { internal: 5432, external: 5432, ip: "[::1]" }],
        ["127.0.0.1, random host port", { internal: 5432, ip: "127.0.0.1" }],
    ])("the db may publish on loopback: %s", async (_title, port) => {
        expect(await report(onlyProxyPublishesBeyondLoopback, container(ports(port)))).toEqual([]);
    });

    test.each<[string, Props, string]>([
        ["0.0.0.0 with a host port", { internal: 5432, external: 5433, ip: "0.0.0.0" }, "publishes port 5432 on 0.0.0.0:5433,"],
        ["0.0.0.0, random host port", { internal: 5432, ip: "0.0.0.0" }, "publishes port 5432 on 0.0.0.0, a random port,"],
        ["no ip, a host port", { internal: 5432, external: 5433 }, "publishes port 5432 on every host address (no ip), port 5433,"],
        ["no ip, random host port", { internal: 5432 }, "publishes port 5432 on every host address (no ip), a random port,"],
        // an empty ip is Docker's "every address" too
        ["empty ip", { internal: 5432, external: 5433, ip: "" }, "publishes port 5432 on every host address (no ip), port 5433,"],
        // external 0 asks Docker for a random port
        ["external 0", { internal: 5432, external: 0, ip: "0.0.0.0" }, "publishes port 5432 on 0.0.0.0, a random port,"],
        ["IPv6 any", { internal: 5432, external: 5433, ip: "::" }, "publishes port 5432 on :::5433,"],
        ["a LAN address", { internal: 5432, external: 5433, ip: "192.168.1.20" }, "publishes port 5432 on 192.168.1.20:5433,"],
    ])("the db may not publish on %s", async (_title, port, where) => {
        const [message] = await report(onlyProxyPublishesBeyondLoopback, container(ports(port)));
        expect(message).toBe(
            `container "nextstack-prod-db" (nextstack.role=db) ${where} ${rule} ` +
                "Publish Postgres on 127.0.0.1 (nextstack:dbPublishAddress, and leave nextstack:dbPublishAnyAddress false) or not at all (nextstack:dbPublishPort: 0).",
        );
    });

    test("the app is told to go through the proxy", async () => {
        expect(await report(onlyProxyPublishesBeyondLoopback, container(ports({ internal: 3000, external: 3000, ip: "0.0.0.0" }), "app"))).toEqual([
            `container "nextstack-prod-app" (nextstack.role=app) publishes port 3000 on 0.0.0.0:3000, ${rule} ` +
                "Reach the app through the proxy (nextstack:proxyEnabled) or publish it on 127.0.0.1 only (nextstack:appPublishPort).",
        ]);
    });

    test("any other container, labelled or not, is told to use loopback or the proxy label", async () => {
        const fix = "Publish it on 127.0.0.1, or, if it is the stack's proxy, label it nextstack.role=proxy.";
        expect(
            await report(
                onlyProxyPublishesBeyondLoopback,
                container({ ...ports({ internal: 80, external: 8080 }), labels: labels("prod") }, "web"),
                container({ ...ports({ internal: 80, external: 8080 }), labels: undefined }, "web2"),
                container(ports({ internal: 80, external: 8080 }), "worker"),
            ),
        ).toEqual([
            `container "nextstack-prod-web" (nextstack.role=<none>) publishes port 80 on every host address (no ip), port 8080, ${rule} ${fix}`,
            `container "nextstack-prod-web2" (nextstack.role=<none>) publishes port 80 on every host address (no ip), port 8080, ${rule} ${fix}`,
            `container "nextstack-prod-worker" (nextstack.role=worker) publishes port 80 on every host address (no ip), port 8080, ${rule} ${fix}`,
        ]);
    });

    test("the proxy may publish anywhere: no ip, 0.0.0.0, ::", async () => {
        const proxy = container(ports({ internal: 80, external: 80 }, { internal: 443, external: 443, ip: "0.0.0.0" }, { internal: 80, ip: "::" }), "proxy");
        expect(await report(onlyProxyPublishesBeyondLoopback, proxy)).toEqual([]);
    });

    test("one message per offending port, the loopback ones left out", async () => {
        const messages = await report(
            onlyProxyPublishesBeyondLoopback,
            container(ports({ internal: 1, external: 1, ip: "0.0.0.0" }, { internal: 2, external: 2, ip: "127.0.0.1" }, { internal: 3, external: 3 })),
        );
        expect(messages.map((m) => m.split(" on ")[1].split(",")[0])).toEqual(["0.0.0.0:1", "every host address (no ip)"]);
    });

    test("a hole in the ports list is a port published nowhere in particular: reported, not a crash", async () => {
        expect(await report(onlyProxyPublishesBeyondLoopback, container(ports(null as unknown as Props)))).toEqual([
            expect.stringContaining("(nextstack.role=db) publishes port undefined on every host address (no ip), a random port, beyond"),
        ]);
    });

    test("ports that are not a list are not read", async () => {
        // (a string is not walked character by character either: "0" would be a port without ip)
        const notLists = [{ internal: 5432, ip: "0.0.0.0" }, "0.0.0.0:5432:5432", undefined];
        expect(await report(onlyProxyPublishesBeyondLoopback, ...notLists.map((ports) => container({ ports })))).toEqual([]);
    });
});

describe("images-pinned", () => {
    test.each<[string, string]>([
        ["a tag", "postgres:18-alpine"],
        ["a digest", `postgres${DIGEST}`],
        ["latest, with a digest", `postgres:latest${DIGEST}`],
    ])("a pulled image by %s passes", async (_title, name) => {
        expect(await report(imagesPinned, remoteImage({ name }))).toEqual([]);
    });

    test.each<[string, Props, string]>([
        ["latest", { name: "postgres:latest" }, '"postgres:latest" (db-image) is tagged `latest`, a tag that moves.'],
        ["no tag", { name: "postgres" }, '"postgres" (db-image) has no tag or digest, so it is whatever `latest` is when it is pulled.'],
        // an image ID cannot be pulled: only containers may name one
        ["an image ID", { name: IMAGE_ID }, `"${IMAGE_ID}" (db-image) is an image ID, not a reference that can be pulled or built from anywhere else.`],
        // a missing name is an empty reference, not the word "undefined"
        ["no name", {}, '"" (db-image) is empty.'],
    ])("a pulled image by %s fails, and is told to set nextstack:dbImage", async (_title, props, what) => {
        expect(await report(imagesPinned, remoteImage(props))).toEqual([
            `image ${what} Pin it by tag or digest: set nextstack:dbImage to e.g. postgres:18-alpine or postgres@sha256:<digest>.`,
        ]);
    });

    test.each<[string, string]>([
        ["a full image ID", IMAGE_ID],
        ["a digest", `nginx${DIGEST}`],
        ["a tag", "nginx:1.30-alpine"],
    ])("a container running %s passes", async (_title, image) => {
        expect(await report(imagesPinned, container({ image }))).toEqual([]);
    });

    test.each<[string, Props, string]>([
        ["latest", { image: "nginx:latest" }, '"nginx:latest", which is tagged `latest`, a tag that moves.'],
        ["no tag", { image: "nginx" }, '"nginx", which has no tag or digest, so it is whatever `latest` is when it is pulled.'],
        ["a short ID", { image: "sha256:abc" }, '"sha256:abc", which is neither a full image ID (sha256:<64 hex>) nor a tagged reference.'],
        ["no image", { image: undefined }, '"", which is empty.'],
    ])("a container running %s fails", async (_title, over, what) => {
        expect(await report(imagesPinned, container(over, "proxy"))).toEqual([
            `container "nextstack-prod-proxy" runs image ${what} Run the image ID of a pulled or built image (RemoteImage.imageId, Image.repoDigest), a digest, or a pinned tag.`,
        ]);
    });

    test.each<[string, string]>([
        // the program's resource names: app-image, proxy-image; anything else gets the generic advice
        ["app-image", "set nextstack:appBaseImage to e.g. node:24-alpine"],
        ["proxy-image", "set nextstack:proxyBaseImage to e.g. nginx:1.30-alpine"],
        ["worker-image", "pass a tagged BASE_IMAGE such as node:24-alpine"],
        ["image-of-app", "pass a tagged BASE_IMAGE such as node:24-alpine"],
    ])("a built image %s with an untagged BASE_IMAGE is told to %s", async (name, fix) => {
        expect(await report(imagesPinned, builtImage(name, { context: "app", args: { BASE_IMAGE: "node" } }))).toEqual([
            `image build "${name}": BASE_IMAGE "node" has no tag or digest, so it is whatever \`latest\` is when it is pulled. Pin it by tag or digest: ${fix}.`,
        ]);
    });

    test("a built image's BASE_IMAGE may not be an image ID either", async () => {
        expect(await report(imagesPinned, builtImage("app-image", { args: { BASE_IMAGE: IMAGE_ID } }))).toEqual([
            expect.stringContaining(`BASE_IMAGE "${IMAGE_ID}" is an image ID,`),
        ]);
    });

    test.each<[string, Props | undefined]>([
        ["no build", undefined],
        ["no build args", { context: "app" }],
        ["no BASE_IMAGE", { context: "app", args: { NEXTSTACK_STACK: "prod" } }],
        ["a tagged BASE_IMAGE", { args: { BASE_IMAGE: "node:24-alpine" } }],
        ["a BASE_IMAGE by digest", { args: { BASE_IMAGE: `node${DIGEST}` } }],
    ])("a built image with %s passes (the Dockerfile's default is pinned)", async (_title, build) => {
        expect(await report(imagesPinned, builtImage("app-image", build))).toEqual([]);
    });

    test("an image built by RemoteImage (build secrets): its BASE_IMAGE is checked, not its name (the tag it builds)", async () => {
        const built = (buildArgs: Props) => remoteImage({ name: "nextstack-prod-app", build: { context: "app", buildArgs } });
        expect(await report(imagesPinned, built({ BASE_IMAGE: "node:latest" }))).toEqual([
            'image build "db-image": BASE_IMAGE "node:latest" is tagged `latest`, a tag that moves. Pin it by tag or digest: pass a tagged BASE_IMAGE such as node:24-alpine.',
        ]);
        expect(await report(imagesPinned, built({ BASE_IMAGE: "node:24-alpine" }))).toEqual([]);
        expect(await report(imagesPinned, built({}))).toEqual([]);
        // Built without build arguments: the Dockerfile's own base, nothing to check here.
        expect(await report(imagesPinned, remoteImage({ name: "nextstack-prod-app", build: { context: "app" } }))).toEqual([]);
    });

    test("an empty BASE_IMAGE is set, and empty", async () => {
        expect(await report(imagesPinned, builtImage("app-image", { args: { BASE_IMAGE: "" } }))).toEqual([expect.stringContaining('BASE_IMAGE "" is empty.')]);
    });
});

describe("prod-data-protected", () => {
    test("an unprotected prod volume: names it, its stack, and the setting, word for word", async () => {
        expect(await report(prodDataProtected, volume(labels("prod"), false))).toEqual([
            'volume "nextstack-prod-pgdata" holds data of stack "prod" (label nextstack.stack) and is not protected: ' +
                "`pulumi destroy` or a replacement would delete it. Set nextstack:protectData to true (the program then sets protect and retainOnDelete on it).",
        ]);
    });

    test.each<[string, Props[] | undefined, boolean, number]>([
        ["prod, protected", labels("prod"), true, 0],
        ["production, unprotected", labels("production"), false, 1],
        // the stack has to start with prod, not just contain it
        ["pre-prod, unprotected", labels("pre-prod"), false, 0],
        ["dev, unprotected", labels("dev"), false, 0],
        ["no stack label, unprotected", [{ label: ROLE_LABEL, value: "db" }], false, 0],
        ["no labels, unprotected", undefined, false, 0],
    ])("%s: %s violation(s)", async (_title, stackLabels, protect, count) => {
        expect(await report(prodDataProtected, volume(stackLabels, protect))).toHaveLength(count);
    });
});

describe("containers-restart", () => {
    const fix = "it stays down after a crash or an engine restart. Set nextstack:restartPolicy to unless-stopped (the default), always or on-failure.";

    test.each<[string, unknown, string]>([
        ['"no"', "no", 'has restart "no":'],
        ["unset", undefined, "has restart unset (Docker's default is no):"],
        ["null", null, "has restart unset (Docker's default is no):"],
        ["empty", "", "has restart unset (Docker's default is no):"],
    ])("restart %s fails, word for word", async (_title, restart, what) => {
        expect(await report(containersRestart, container({ restart }))).toEqual([`container "nextstack-prod-db" ${what} ${fix}`]);
    });

    test.each(["unless-stopped", "always", "on-failure"])("restart %s passes", async (restart) => {
        expect(await report(containersRestart, container({ restart }))).toEqual([]);
    });

    test("a one-shot task may have restart no; a container only attached or only not kept running may not", async () => {
        expect(
            await report(
                containersRestart,
                container({ restart: "no", mustRun: false, attach: true }, "migrate"),
                container({ restart: "no", attach: true }, "attached"),
                container({ restart: "no", mustRun: false }, "detached"),
            ),
        ).toEqual([expect.stringContaining('"nextstack-prod-attached"'), expect.stringContaining('"nextstack-prod-detached"')]);
    });
});

describe("during a preview (UNKNOWN_STRING values)", () => {
    const unknownAt = (path: string) => `string value at .${path} can't be known during preview`;

    test("unknown env entries are skipped, the known ones still checked, then the first unknown one is rethrown", () => {
        const { reported, thrown } = runCatching(
            noLoopbackUrlsInContainerEnv,
            container({ envs: ["A=http://db", UNKNOWN_STRING, "B=http://localhost", UNKNOWN_STRING, "C=http://127.0.0.1"] }),
        );
        expect(reported.map((m) => m.split(" ")[4])).toEqual(["B", "C"]);
        // the first: .envs.1, not the last (.envs.3)
        expect((thrown as Error).message).toBe(unknownAt("envs.1"));
    });

    test("with every entry known, nothing is thrown", () => {
        expect(runCatching(noLoopbackUrlsInContainerEnv, container({ envs: ["B=http://localhost"] }))).toEqual({ reported: [expect.stringContaining("environment variable B holds")], thrown: undefined });
    });

    test("an unknown publish address is skipped, the other ports still checked, then rethrown", () => {
        const { reported, thrown } = runCatching(
            onlyProxyPublishesBeyondLoopback,
            container({ ports: [{ internal: 1, external: 1, ip: UNKNOWN_STRING }, { internal: 2, external: 2, ip: "0.0.0.0" }] }),
        );
        expect(reported).toEqual([expect.stringContaining("publishes port 2 on 0.0.0.0:2,")]);
        expect((thrown as Error).message).toBe(unknownAt("ports.0.ip"));
    });

    test("an error that is not about an unknown value stops the policy at once", () => {
        const broken = {
            internal: 1,
            get ip(): string {
                throw new TypeError("broken port");
            },
        };
        const { reported, thrown } = runCatching(onlyProxyPublishesBeyondLoopback, container({ ports: [broken, { internal: 2, external: 2, ip: "0.0.0.0" }] }));
        expect(thrown).toBeInstanceOf(TypeError);
        // the port after it is not checked
        expect(reported).toEqual([]);
    });

    test("an error reading the Docker name is not taken for an unknown name", () => {
        const props = container({ healthcheck: undefined }).props;
        Object.defineProperty(props, "name", {
            get() {
                throw new TypeError("broken name");
            },
        });
        const { reported, thrown } = runCatching(containerHealthcheck, { type: DOCKER.container, name: "db", props });
        expect([reported, (thrown as Error).message]).toEqual([[], "broken name"]);
    });

    test("an unknown Docker name falls back to the Pulumi name", async () => {
        expect(await report(containersRestart, container({ restart: "no", name: UNKNOWN_STRING }, "db"))).toEqual([expect.stringMatching(/^container "db" has restart "no"/)]);
    });

    test.each<[string, ResourceValidationPolicy, PolicyResource, string]>([
        ["the role label of a publishing container", onlyProxyPublishesBeyondLoopback, container({ labels: UNKNOWN_STRING, ports: [{ internal: 80 }] }), "labels"],
        ["the healthcheck command", containerHealthcheck, container({ healthcheck: { tests: UNKNOWN_STRING } }), "healthcheck.tests"],
        ["the restart policy", containersRestart, container({ restart: UNKNOWN_STRING }), "restart"],
        ["a volume's labels", prodDataProtected, volume(UNKNOWN_STRING as unknown as Props[], false), "labels"],
        ["a pulled image's name", imagesPinned, remoteImage({ name: UNKNOWN_STRING }), "name"],
        ["a base image", imagesPinned, builtImage("app-image", { args: { BASE_IMAGE: UNKNOWN_STRING } }), "build.args.BASE_IMAGE"],
    ])("%s, unknown: the policy cannot run, nothing is reported", (_title, policy, resource, path) => {
        const { reported, thrown } = runCatching(policy, resource);
        expect([reported, (thrown as Error).message]).toEqual([[], unknownAt(path)]);
    });
});

// The engine prints a policy's description with each of its violations and in `pulumi policy ls`: it has to say
// what the policy demands, with the label and values the messages use.
test.each<[string, string]>([
    ["container-healthcheck", 'Every container has a healthcheck that runs a real command (healthcheck.tests is ["CMD", …] or ["CMD-SHELL", "…"]).'],
    [
        "no-loopback-urls-in-container-env",
        "No container environment variable holds a URL whose host is localhost, *.localhost, 127.x.x.x, 0.0.0.0 or ::1: inside a container that is the container itself.",
    ],
    [
        "only-proxy-publishes-beyond-loopback",
        "Only a container labelled nextstack.role=proxy publishes ports on a non-loopback host address (ip missing, 0.0.0.0, or anything but 127.x / ::1).",
    ],
    [
        "images-pinned",
        "Pulled images, the images containers run, and BASE_IMAGE of built images are pinned: a tag other than latest, a digest (@sha256:…), or for containers an image ID.",
    ],
    [
        "prod-data-protected",
        'A volume of a prod stack (label nextstack.stack starting with "prod") is protected (protect: true), so destroy and replacement refuse to delete its data.',
    ],
    ["containers-restart", 'Every container has a restart policy other than "no".'],
])("%s is described for the user", (name, description) => {
    expect(policies.find((p) => p.name === name)?.description).toBe(description);
});

test("the pack is these six policies", () => {
    expect(policies).toEqual([containerHealthcheck, noLoopbackUrlsInContainerEnv, onlyProxyPublishesBeyondLoopback, imagesPinned, prodDataProtected, containersRestart]);
});
