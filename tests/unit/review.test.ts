import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { parsePrNumber, ReviewDeps, reviewDown, reviewPort, reviewStackConfig, reviewStackFileText, reviewStackName, reviewUp, TEMPLATE_FILE } from "../../scripts/review";
import { CheckResult, SmokeOptions } from "../../scripts/smoke";
import { ProgramRun, publishedPorts, runProgram, stackConfig, T } from "./harness";

// Review environments (scripts/review.ts): the stack config from the committed template, ports from the pull request
// number, and the sequence of commands `review:up` and `review:down` run (with stand-ins for pulumi, docker and the
// smoke test: the real ones run in the workflows and, for the smoke test, in the e2e).

const TEMPLATE = fs.readFileSync(TEMPLATE_FILE, "utf8");
const flat = (config: Record<string, unknown>) => Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));

describe("the pull request number, the stack name and the port", () => {
    test("only a positive integer is a pull request number", () => {
        expect(parsePrNumber("42")).toBe(42);
        for (const bad of [undefined, "", "0", "-3", "4.2", "42a", "pr-42", "1234567890"]) {
            expect(() => parsePrNumber(bad)).toThrow(/expected a pull request number \(a positive integer\)/);
        }
    });

    test("pr-<n>, with its own port from the number: open pull requests run side by side", () => {
        expect(reviewStackName(42)).toBe("pr-42");
        expect(reviewPort(42)).toBe(20042);
        const ports = Array.from({ length: 9999 }, (_, i) => reviewPort(i + 1));
        expect(new Set(ports).size).toBe(9999);
        expect(Math.min(...ports)).toBe(20001);
        // Below Linux's ephemeral ports (32768+), so an outgoing connection never holds a review port.
        expect(Math.max(...ports)).toBeLessThan(32768);
        expect(reviewPort(10042)).toBe(reviewPort(42));
    });
});

describe("the config template", () => {
    test("is not a copy of prod: data not protected, memory limited, the port set from the number", () => {
        const config = reviewStackConfig(TEMPLATE, 7);
        expect(config).toEqual({
            "nextstack:appEnabled": true,
            "nextstack:proxyEnabled": true,
            "nextstack:protectData": false,
            "nextstack:appMemory": "512m",
            "nextstack:dbMemory": "256m",
            "nextstack:proxyPort": 20007,
        });
        expect(flat(config)).not.toEqual(stackConfig("Pulumi.prod.yaml"));
    });

    test("the stack file keeps what Pulumi keeps there (the secrets provider's salt) and replaces the config", () => {
        const existing = "encryptionsalt: v1:abc:def\nconfig:\n  nextstack:proxyPort: 3000\n  nextstack:stale: x\n";
        const text = reviewStackFileText(existing, TEMPLATE, 7);
        const doc = parse(text);
        expect(doc.encryptionsalt).toBe("v1:abc:def");
        expect(doc.config).toEqual(reviewStackConfig(TEMPLATE, 7));
        expect(text).toMatch(/^# Written by `npm run review:up -- 7`/);
        expect(parse(reviewStackFileText(undefined, TEMPLATE, 7))).toEqual({ config: reviewStackConfig(TEMPLATE, 7) });
    });

    describe("through the program (stack pr-7)", () => {
        let run: ProgramRun;
        beforeAll(async () => {
            run = await runProgram({ stack: "pr-7", config: flat(reviewStackConfig(TEMPLATE, 7)) });
        });

        test("runs database, app and proxy; only the proxy publishes, on the port of the number", () => {
            expect(run.all(T.container).map((c) => c.inputs.name).sort()).toEqual(["nextstack-pr-7-app", "nextstack-pr-7-db", "nextstack-pr-7-proxy"]);
            expect(run.all(T.container).flatMap(publishedPorts)).toEqual(["0.0.0.0:20007->80"]);
        });

        test("its data volume is not protected, so review:down leaves nothing", () => {
            expect(run.one(T.volume)).toMatchObject({ protect: false, retainOnDelete: false });
        });
    });
});

/** Stand-ins for pulumi, docker and the smoke test; records the commands in order. */
function fakes(options: { stackExists?: boolean; failOn?: string; smoke?: CheckResult[]; left?: Partial<Record<"ps" | "network" | "volume" | "image", string[]>> } = {}) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "nextstack-review-"));
    const commands: string[] = [];
    const smokeCalls: SmokeOptions[] = [];
    let imagesRemoved = false;
    const deps: ReviewDeps = {
        run(cmd, args) {
            const line = `${cmd} ${args.join(" ")}`;
            commands.push(line);
            if (line.startsWith("pulumi stack select")) return options.stackExists ? 0 : 255;
            if (line.startsWith("docker image rm")) imagesRemoved = true;
            return options.failOn && line.startsWith(options.failOn) ? 1 : 0;
        },
        capture(cmd, args) {
            commands.push(`${cmd} ${args.join(" ")}`);
            const kind = args[0] as "ps" | "network" | "volume" | "image";
            if (kind === "image" && imagesRemoved) return "";
            return (options.left?.[kind] ?? []).join("\n");
        },
        async smoke(o) {
            smokeCalls.push(o);
            return options.smoke ?? [{ name: "page /", ok: true, detail: "GET / answered 200" }];
        },
        root,
        log: () => undefined,
        env: { GITHUB_OUTPUT: path.join(root, "github-output") },
    };
    return { deps, root, commands, smokeCalls, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

describe("review:up", () => {
    test("creates the stack, writes its config, pulumi up, then smoke-tests its URL with the stack's containers", async () => {
        const f = fakes();
        try {
            expect(await reviewUp(7, f.deps)).toBe("http://127.0.0.1:20007");
            expect(f.commands).toEqual([
                "pulumi stack select pr-7 --non-interactive",
                "pulumi stack init pr-7 --non-interactive",
                "pulumi up --yes --stack pr-7 --non-interactive",
            ]);
            expect(parse(fs.readFileSync(path.join(f.root, "Pulumi.pr-7.yaml"), "utf8")).config["nextstack:proxyPort"]).toBe(20007);
            expect(f.smokeCalls).toEqual([{ baseUrl: "http://127.0.0.1:20007", stack: "pr-7" }]);
            expect(fs.readFileSync(path.join(f.root, "github-output"), "utf8")).toBe("url=http://127.0.0.1:20007\nstack=pr-7\n");
        } finally {
            f.cleanup();
        }
    });

    test("an existing stack without its file (a fresh runner) gets the file back from its last deployment first", async () => {
        const f = fakes({ stackExists: true });
        f.deps.env.NEXTSTACK_REVIEW_HOST = "review.example.com";
        try {
            expect(await reviewUp(7, f.deps)).toBe("http://review.example.com:20007");
            expect(f.commands.slice(0, 2)).toEqual(["pulumi stack select pr-7 --non-interactive", "pulumi config refresh --stack pr-7 --force --non-interactive"]);
        } finally {
            f.cleanup();
        }
    });

    test("a failed smoke test fails review:up, naming the checks", async () => {
        const f = fakes({ smoke: [{ name: "page /", ok: true, detail: "" }, { name: "static cache", ok: false, detail: "MISS twice" }] });
        try {
            await expect(reviewUp(7, f.deps)).rejects.toThrow("smoke test of http://127.0.0.1:20007 failed: static cache");
        } finally {
            f.cleanup();
        }
    });

    test("a failed pulumi up stops before the smoke test", async () => {
        const f = fakes({ failOn: "pulumi up" });
        try {
            await expect(reviewUp(7, f.deps)).rejects.toThrow("pulumi up --yes --stack pr-7 --non-interactive failed (exit 1)");
            expect(f.smokeCalls).toEqual([]);
        } finally {
            f.cleanup();
        }
    });
});

describe("review:down", () => {
    const leftoverQueries = [
        "docker ps -a --format {{.Names}} --filter label=nextstack.stack=pr-7",
        "docker network ls --format {{.Name}} --filter label=nextstack.stack=pr-7",
        "docker volume ls --format {{.Name}} --filter label=nextstack.stack=pr-7",
        "docker image ls -q --filter label=nextstack.stack=pr-7",
    ];

    test("destroys, removes the stack and its file, removes its images, and checks that nothing is left", async () => {
        const f = fakes({ stackExists: true, left: { image: ["sha256:aaa", "sha256:bbb", "sha256:aaa"] } });
        fs.writeFileSync(path.join(f.root, "Pulumi.pr-7.yaml"), "config: {}\n");
        try {
            await reviewDown(7, f.deps);
            expect(f.commands).toEqual([
                "pulumi stack select pr-7 --non-interactive",
                "pulumi destroy --yes --stack pr-7 --non-interactive",
                "pulumi stack rm --yes --stack pr-7 --non-interactive",
                ...leftoverQueries,
                "docker image rm sha256:aaa sha256:bbb",
                ...leftoverQueries,
            ]);
            expect(fs.existsSync(path.join(f.root, "Pulumi.pr-7.yaml"))).toBe(false);
        } finally {
            f.cleanup();
        }
    });

    test("a stack that is already gone: nothing to destroy, but its images are still pruned and checked", async () => {
        const f = fakes({ stackExists: false });
        try {
            await reviewDown(7, f.deps);
            expect(f.commands).toEqual(["pulumi stack select pr-7 --non-interactive", ...leftoverQueries, ...leftoverQueries]);
        } finally {
            f.cleanup();
        }
    });

    test("anything labelled with the stack that is left fails review:down, naming it", async () => {
        const f = fakes({ stackExists: true, left: { ps: ["nextstack-pr-7-db"], volume: ["nextstack-pr-7-pgdata"] } });
        try {
            await expect(reviewDown(7, f.deps)).rejects.toThrow("pr-7 left objects labelled nextstack.stack=pr-7 on the engine: containers: nextstack-pr-7-db; volumes: nextstack-pr-7-pgdata");
        } finally {
            f.cleanup();
        }
    });

    test("a failed destroy stops before the stack is removed", async () => {
        const f = fakes({ stackExists: true, failOn: "pulumi destroy" });
        try {
            await expect(reviewDown(7, f.deps)).rejects.toThrow(/pulumi destroy .* failed/);
            expect(f.commands.some((c) => c.startsWith("pulumi stack rm"))).toBe(false);
        } finally {
            f.cleanup();
        }
    });
});
