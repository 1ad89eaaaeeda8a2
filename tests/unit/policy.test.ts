import { ROLE_LABEL } from "../../components/labels";
import {
    containerHealthcheck,
    DOCKER,
    hasLoopbackUrl,
    isLoopbackPublishAddress,
    isPinnedImage,
    policies,
    urlHosts,
} from "../../policy/policies";
import { fromRegistered, PolicyResource, runPolicies, UNKNOWN_STRING, validationArgs } from "../../policy/testing";
import { ProgramRun, runProgram, stackConfig, T } from "./harness";

// The policy pack (policy/), driven directly with hand-built resources, then over the dev stack's resources.
// prod and a deliberately bad prod-like stack: policy-prod.test.ts, policy-bad.test.ts (one program run per file).

const IMAGE_ID = `sha256:${"ab".repeat(32)}`;
const DIGEST = `@sha256:${"0f".repeat(32)}`;

type Props = Record<string, any>;
const labels = (stack: string, role?: string) => [
    { label: "nextstack.project", value: "nextstack" },
    { label: "nextstack.stack", value: stack },
    ...(role ? [{ label: ROLE_LABEL, value: role }] : []),
];

/** A container every policy accepts (the shape the program gives the database), with overrides. */
function container(over: Props = {}, name = "db"): PolicyResource {
    return {
        type: DOCKER.container,
        name,
        props: {
            name: `nextstack-prod-${name}`,
            image: IMAGE_ID,
            envs: ["POSTGRES_USER=nextstack", "POSTGRES_DB=nextstack", "POSTGRES_PASSWORD_FILE=/run/secrets/postgres-password"],
            healthcheck: { tests: ["CMD-SHELL", "pg_isready -h 127.0.0.1 -p 5432"], interval: "5s" },
            restart: "unless-stopped",
            ports: [{ internal: 5432, external: 5432, ip: "127.0.0.1" }],
            labels: labels("prod", name),
            ...over,
        },
    };
}
const volume = (stack: string, protect: boolean, name = "db-data"): PolicyResource => ({
    type: DOCKER.volume,
    name,
    props: { name: `nextstack-${stack}-pgdata`, driver: "local", labels: labels(stack) },
    protect,
});
const remoteImage = (ref: string): PolicyResource => ({ type: DOCKER.remoteImage, name: "db-image", props: { name: ref, keepLocally: true } });
const builtImage = (name: string, baseImage?: string): PolicyResource => ({
    type: DOCKER.image,
    name,
    props: {
        imageName: `nextstack-prod-${name.replace(/-image$/, "")}:current`,
        build: { context: "app", args: { ...(baseImage === undefined ? {} : { BASE_IMAGE: baseImage }), NEXTSTACK_STACK: "prod" } },
        skipPush: true,
    },
});

/** Violations of all policies as `policy resource` strings. */
async function failing(...resources: PolicyResource[]): Promise<string[]> {
    return (await runPolicies(policies, resources)).map((v) => `${v.policy} ${v.resource}`);
}
async function messages(...resources: PolicyResource[]): Promise<string[]> {
    return (await runPolicies(policies, resources)).map((v) => v.message);
}

describe("the pack", () => {
    test("has the six policies, each mandatory, with unique names", () => {
        expect(policies.map((p) => p.name)).toEqual([
            "container-healthcheck",
            "no-loopback-urls-in-container-env",
            "only-proxy-publishes-beyond-loopback",
            "images-pinned",
            "prod-data-protected",
            "containers-restart",
        ]);
        for (const p of policies) expect(p.enforcementLevel).toBe("mandatory");
    });

    test("the well-formed resources the cases below start from pass every policy", async () => {
        expect(
            await failing(
                container(),
                container({ ports: [{ internal: 80, external: 3000, ip: "0.0.0.0" }] }, "proxy"),
                volume("prod", true),
                remoteImage("postgres:18-alpine"),
                builtImage("app-image", "node:24-alpine"),
            ),
        ).toEqual([]);
    });
});

// Each case: a resource, and the one policy it must fail (undefined: it must pass all six).
const cases: [string, PolicyResource, string | undefined][] = [
    // 1. container-healthcheck
    ["healthcheck CMD", container({ healthcheck: { tests: ["CMD", "wget", "-q", "http://127.0.0.1/"] } }), undefined],
    ["healthcheck CMD-SHELL", container({ healthcheck: { tests: ["CMD-SHELL", "pg_isready"] } }), undefined],
    ["no healthcheck", container({ healthcheck: undefined }), "container-healthcheck"],
    ["healthcheck without tests", container({ healthcheck: { interval: "5s" } }), "container-healthcheck"],
    ["healthcheck tests []", container({ healthcheck: { tests: [] } }), "container-healthcheck"],
    ['healthcheck tests ["NONE"]', container({ healthcheck: { tests: ["NONE"] } }), "container-healthcheck"],
    ['healthcheck tests ["CMD"]', container({ healthcheck: { tests: ["CMD"] } }), "container-healthcheck"],
    ["healthcheck CMD-SHELL blank", container({ healthcheck: { tests: ["CMD-SHELL", "  "] } }), "container-healthcheck"],
    ["healthcheck without CMD/CMD-SHELL", container({ healthcheck: { tests: ["pg_isready"] } }), "container-healthcheck"],
    // 2. no-loopback-urls-in-container-env
    ["env URL to a network alias", container({ envs: ["DATABASE_URL=postgresql://nextstack:pw@db:5432/nextstack", "HOSTNAME=0.0.0.0", "PORT=3000"] }), undefined],
    ["env URL to a host that only looks local", container({ envs: ["A=http://localhost-proxy:80/", "B=http://mylocalhost/", "C=http://10.127.0.1/"] }), undefined],
    ["env DATABASE_URL to localhost", container({ envs: ["DATABASE_URL=postgresql://nextstack:s3cret@localhost:5432/nextstack"] }), "no-loopback-urls-in-container-env"],
    ["env URL to 127.0.0.1", container({ envs: ["API_URL=http://127.0.0.1:4000/api"] }), "no-loopback-urls-in-container-env"],
    ["env URL to 127.1.2.3", container({ envs: ["API_URL=https://127.1.2.3"] }), "no-loopback-urls-in-container-env"],
    ["env URL to [::1]", container({ envs: ["CACHE=redis://[::1]:6379/0"] }), "no-loopback-urls-in-container-env"],
    ["env URL to 0.0.0.0", container({ envs: ["UPSTREAM=http://0.0.0.0:3000"] }), "no-loopback-urls-in-container-env"],
    ["env URL to *.localhost", container({ envs: ["UPSTREAM=http://app.localhost/"] }), "no-loopback-urls-in-container-env"],
    ["env URL to LOCALHOST, any scheme", container({ envs: ["BROKER=amqp://guest:guest@LOCALHOST"] }), "no-loopback-urls-in-container-env"],
    ["env loopback as second host of a list", container({ envs: ["PG=postgresql://db:5432,localhost:5433/x"] }), "no-loopback-urls-in-container-env"],
    ["env loopback URL after another URL", container({ envs: ["ORIGINS=http://app:3000,http://localhost:3000"] }), "no-loopback-urls-in-container-env"],
    // 3. only-proxy-publishes-beyond-loopback
    ["db published on 127.0.0.1", container({ ports: [{ internal: 5432, external: 5432, ip: "127.0.0.1" }] }), undefined],
    ["db published on 127.0.0.2 and ::1", container({ ports: [{ internal: 5432, external: 5432, ip: "127.0.0.2" }, { internal: 5432, external: 5432, ip: "::1" }] }), undefined],
    ["db not published", container({ ports: [] }), undefined],
    ["proxy published on 0.0.0.0", container({ ports: [{ internal: 80, external: 3000, ip: "0.0.0.0" }] }, "proxy"), undefined],
    ["proxy published without ip", container({ ports: [{ internal: 80, external: 3000 }] }, "proxy"), undefined],
    ["db published on 0.0.0.0", container({ ports: [{ internal: 5432, external: 5433, ip: "0.0.0.0" }] }), "only-proxy-publishes-beyond-loopback"],
    ["db published without ip", container({ ports: [{ internal: 5432, external: 5433 }] }), "only-proxy-publishes-beyond-loopback"],
    ["db published on a LAN address", container({ ports: [{ internal: 5432, external: 5433, ip: "192.168.1.20" }] }), "only-proxy-publishes-beyond-loopback"],
    ["app published on 0.0.0.0", container({ ports: [{ internal: 3000, external: 3001, ip: "0.0.0.0" }] }, "app"), "only-proxy-publishes-beyond-loopback"],
    ["unlabelled container on 0.0.0.0", container({ labels: labels("prod"), ports: [{ internal: 80, external: 8080, ip: "0.0.0.0" }] }), "only-proxy-publishes-beyond-loopback"],
    // 4. images-pinned
    ["pulled image by digest", remoteImage(`postgres${DIGEST}`), undefined],
    ["pulled image latest, by digest", remoteImage(`postgres:latest${DIGEST}`), undefined],
    ["pulled image from a registry with a port, tagged", remoteImage("registry.local:5000/library/postgres:18"), undefined],
    ["built image without BASE_IMAGE", builtImage("proxy-image"), undefined],
    ["container running a pinned tag", container({ image: "postgres:18-alpine" }), undefined],
    ["pulled image untagged", remoteImage("postgres"), "images-pinned"],
    ["pulled image :latest", remoteImage("postgres:latest"), "images-pinned"],
    ["pulled image from a registry with a port, untagged", remoteImage("registry.local:5000/postgres"), "images-pinned"],
    ["container running an untagged image", container({ image: "postgres" }), "images-pinned"],
    ["container running :latest", container({ image: "nginx:latest" }), "images-pinned"],
    ["container running a short image ID", container({ image: "sha256:abcdef" }), "images-pinned"],
    ["app base image untagged", builtImage("app-image", "node"), "images-pinned"],
    ["proxy base image :latest", builtImage("proxy-image", "nginx:latest"), "images-pinned"],
    // 5. prod-data-protected
    ["prod volume protected", volume("prod", true), undefined],
    ["dev volume unprotected", volume("dev", false), undefined],
    ["pr-42 volume unprotected", volume("pr-42", false), undefined],
    ["prod volume unprotected", volume("prod", false), "prod-data-protected"],
    ["prod-eu volume unprotected", volume("prod-eu", false), "prod-data-protected"],
    // 6. containers-restart
    ["restart always", container({ restart: "always" }), undefined],
    ["restart on-failure", container({ restart: "on-failure" }), undefined],
    ['restart "no"', container({ restart: "no" }), "containers-restart"],
    ["restart unset", container({ restart: undefined }), "containers-restart"],
    ["restart empty", container({ restart: "" }), "containers-restart"],
    // one-shot tasks (the migration) run to their end: no healthcheck, no restart
    ["one-shot task without healthcheck, restart no", container({ mustRun: false, attach: true, restart: "no", healthcheck: undefined, ports: [] }, "migrate"), undefined],
    ["not kept running but not attached either", container({ mustRun: false, healthcheck: undefined, ports: [] }, "migrate"), "container-healthcheck"],
    ["one-shot task with a loopback URL", container({ mustRun: false, attach: true, restart: "no", healthcheck: undefined, ports: [], envs: ["DATABASE_URL=postgresql://a:b@localhost/x"] }, "migrate"), "no-loopback-urls-in-container-env"],
];

describe.each(cases)("%s", (_title, resource, policy) => {
    test(policy ? `fails ${policy}, and only it` : "passes every policy", async () => {
        expect(await failing(resource)).toEqual(policy ? [`${policy} ${resource.name}`] : []);
    });
});

describe("messages say what is wrong and what to set", () => {
    test("a loopback URL names the variable, never the value", async () => {
        const value = "postgresql://nextstack:s3cret-Pa55@localhost:5432/nextstack";
        const [message] = await messages(container({ envs: [`DATABASE_URL=${value}`] }, "app"));
        expect(message).toContain('container "nextstack-prod-app"');
        expect(message).toContain("DATABASE_URL");
        expect(message).toContain("network alias");
        for (const secret of [value, "s3cret-Pa55", "nextstack:s3cret", "localhost:5432", "postgresql://"]) expect(message).not.toContain(secret);
    });

    test("each names the config key that fixes it", async () => {
        expect(await messages(container({ restart: "no" }))).toEqual([expect.stringContaining("nextstack:restartPolicy")]);
        expect(await messages(volume("prod", false))).toEqual([expect.stringMatching(/nextstack-prod-pgdata[\s\S]*nextstack:protectData to true/)]);
        expect(await messages(container({ ports: [{ internal: 5432, external: 5433, ip: "0.0.0.0" }] }))).toEqual([
            expect.stringMatching(/5432 on 0\.0\.0\.0:5433[\s\S]*nextstack:dbPublishAddress[\s\S]*nextstack:dbPublishAnyAddress/),
        ]);
        expect(await messages(remoteImage("postgres:latest"))).toEqual([expect.stringMatching(/"postgres:latest"[\s\S]*latest[\s\S]*nextstack:dbImage/)]);
        expect(await messages(builtImage("app-image", "node"))).toEqual([expect.stringMatching(/"node" has no tag[\s\S]*nextstack:appBaseImage/)]);
        expect(await messages(builtImage("proxy-image", "nginx:latest"))).toEqual([expect.stringContaining("nextstack:proxyBaseImage")]);
        expect(await messages(container({ healthcheck: { tests: ["NONE"] } }))).toEqual([expect.stringMatching(/disables its healthcheck[\s\S]*healthcheck\.tests/)]);
    });
});

describe("during a preview (unknown values)", () => {
    test("a known loopback URL is still reported beside an unknown entry, then the policy says it could not finish", async () => {
        const reported: string[] = [];
        const resource = container({ envs: [UNKNOWN_STRING, "API_URL=http://localhost:4000"] }, "app");
        const validate = policies.find((p) => p.name === "no-loopback-urls-in-container-env")!.validateResource as (a: any, r: (m: string) => void) => void;
        expect(() => validate(validationArgs(resource), (m) => reported.push(m))).toThrow(/can't be known during preview/);
        expect(reported).toEqual([expect.stringContaining("API_URL")]);
    });

    test("an unknown container image is not a violation: the policy cannot run (the engine reports that as advisory)", async () => {
        await expect(runPolicies(policies, [container({ image: UNKNOWN_STRING })])).rejects.toThrow(/can't be known during preview/);
    });

    test("reading an unknown value where the policy does not look changes nothing", async () => {
        expect(await failing(container({ name: UNKNOWN_STRING, envs: ["A=1"], uploads: UNKNOWN_STRING }))).toEqual([]);
        expect(await runPolicies([containerHealthcheck], [container({ healthcheck: undefined, name: UNKNOWN_STRING })])).toEqual([
            expect.objectContaining({ message: expect.stringContaining('container "db"') }),
        ]);
    });
});

describe("helpers", () => {
    test.each([
        ["postgresql://u:p@db:5432/x", ["db"]],
        ["postgresql://u:p%40x@localhost:5432/x", ["localhost"]],
        ["redis://[::1]:6379", ["[::1]"]],
        ["postgresql://h1:5432,h2:5433/x?sslmode=disable", ["h1", "h2"]],
        ["a http://one/ and https://two:8443/p", ["one", "two"]],
        ["no url: localhost:5432", []],
    ])("urlHosts(%j)", (text, hosts) => {
        expect(urlHosts(text)).toEqual(hosts);
    });

    test.each([
        ["http://localhost", true],
        ["http://LOCALHOST.", true],
        ["http://api.localhost:3000", true],
        ["http://127.0.0.1", true],
        ["http://0.0.0.0:80", true],
        ["http://[::1]:80", true],
        ["http://db:5432", false],
        ["0.0.0.0", false],
    ])("hasLoopbackUrl(%j) is %s", (text, expected) => {
        expect(hasLoopbackUrl(text)).toBe(expected);
    });

    test.each([
        ["127.0.0.1", true],
        ["127.3.2.1", true],
        ["::1", true],
        ["[::1]", true],
        ["0.0.0.0", false],
        ["", false],
        [undefined, false],
        ["10.0.0.5", false],
        ["::", false],
    ])("isLoopbackPublishAddress(%j) is %s", (ip, expected) => {
        expect(isLoopbackPublishAddress(ip)).toBe(expected);
    });

    test.each([
        ["postgres:18-alpine", false, true],
        ["docker.io/library/postgres:18", false, true],
        [`postgres${DIGEST}`, false, true],
        ["registry.local:5000/postgres", false, false],
        ["postgres", false, false],
        ["postgres:latest", false, false],
        ["postgres:", false, false],
        ["", false, false],
        [IMAGE_ID, false, false],
        [IMAGE_ID, true, true],
        ["sha256:abc", true, false],
    ])("isPinnedImage(%j, allowImageId %s) is %s", (ref, allowImageId, expected) => {
        expect(isPinnedImage(ref, { allowImageId })).toBe(expected);
    });
});

describe("the dev stack (Pulumi.dev.yaml)", () => {
    let run: ProgramRun;
    beforeAll(async () => {
        run = await runProgram({ stack: "dev", config: stackConfig("Pulumi.dev.yaml") });
    });

    test("passes every policy", async () => {
        const resources = fromRegistered(run.resources);
        // Not vacuous: the policies saw the database's container, volume and pulled image.
        expect(resources.map((r) => r.type)).toEqual(expect.arrayContaining([T.container, T.volume, T.remoteImage]));
        expect(await runPolicies(policies, resources)).toEqual([]);
    });
});
