import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Document, parse } from "yaml";
import { STACK_LABEL } from "../components/labels";
import { CheckResult, runSmoke, SmokeOptions } from "./smoke";

/**
 * A review environment per pull request, from a terminal or a workflow:
 *
 *   npm run review:up -- <number>     stack pr-<number> from scripts/Pulumi.pr.template.yaml, `pulumi up`, smoke test
 *   npm run review:down -- <number>   `pulumi destroy`, `pulumi stack rm`, the stack's built images removed,
 *                                     and a check that nothing labelled with the stack is left on the engine
 *
 * Uses the current Pulumi backend (`pulumi login`, or PULUMI_BACKEND_URL) and Docker engine (DOCKER_HOST or the local
 * socket). NEXTSTACK_REVIEW_HOST is the host name reviewers open (default 127.0.0.1); the URL is printed and, in
 * GitHub Actions, written to the step's outputs as `url`.
 */

/** Project directory (where Pulumi.yaml and the stack files are). */
export const ROOT = path.resolve(__dirname, "..");
/** The committed config every review stack starts from. */
export const TEMPLATE_FILE = path.join(__dirname, "Pulumi.pr.template.yaml");
/** Review ports: FIRST_PORT + number mod PORT_SPAN, below Linux's ephemeral range (32768+), away from prod's 3000. */
const FIRST_PORT = 20_000;
const PORT_SPAN = 10_000;

/** The pull request number from the command line: a positive integer. */
export function parsePrNumber(raw: string | undefined): number {
    if (raw === undefined || !/^[1-9]\d{0,8}$/.test(raw)) {
        throw new Error(`expected a pull request number (a positive integer), got ${JSON.stringify(raw ?? "")}: npm run review:up -- <number>`);
    }
    return Number(raw);
}

/** Stack name of pull request `n`. */
export function reviewStackName(n: number): string {
    return `pr-${n}`;
}

/**
 * The proxy port of review stack `n`: 20000 + n mod 10000. Pull requests open at the same time get different ports
 * unless their numbers differ by a multiple of 10 000.
 */
export function reviewPort(n: number): number {
    return FIRST_PORT + (n % PORT_SPAN);
}

/** The stack config of review stack `n`: the template's, with the proxy port of `n`. */
export function reviewStackConfig(templateText: string, n: number): Record<string, unknown> {
    const template = parse(templateText) ?? {};
    if (!template.config || typeof template.config !== "object") throw new Error(`${TEMPLATE_FILE}: expected a config: map`);
    return { ...template.config, "nextstack:proxyPort": reviewPort(n) };
}

/**
 * Text of Pulumi.pr-<n>.yaml: the review config, keeping what Pulumi itself keeps there (`encryptionsalt`,
 * `secretsprovider`, `encryptedkey` of the stack's secrets provider) from the file as it is.
 */
export function reviewStackFileText(existingText: string | undefined, templateText: string, n: number): string {
    const existing = (existingText ? parse(existingText) : undefined) ?? {};
    const doc = new Document({ ...existing, config: reviewStackConfig(templateText, n) });
    doc.commentBefore = ` Written by \`npm run review:up -- ${n}\` (scripts/review.ts) from scripts/Pulumi.pr.template.yaml;\n removed with the stack by \`npm run review:down -- ${n}\`.`;
    return doc.toString();
}

/** The commands a review runs, replaceable in tests. */
export interface ReviewDeps {
    /** Runs a command with its output shown; returns its exit code. */
    run(cmd: string, args: string[], options?: { quiet?: boolean }): number;
    /** Runs a command and returns its stdout; throws when it fails. */
    capture(cmd: string, args: string[]): string;
    smoke(options: SmokeOptions): Promise<CheckResult[]>;
    /** Project directory. */
    root: string;
    log(line: string): void;
    env: NodeJS.ProcessEnv;
}

export const realDeps: ReviewDeps = {
    run(cmd, args, options = {}) {
        return spawnSync(cmd, args, { cwd: ROOT, stdio: options.quiet ? "ignore" : "inherit" }).status ?? 1;
    },
    capture(cmd, args) {
        return execFileSync(cmd, args, { cwd: ROOT, encoding: "utf8", timeout: 120_000, stdio: ["ignore", "pipe", "inherit"] });
    },
    smoke: runSmoke,
    root: ROOT,
    log: (line) => process.stdout.write(`${line}\n`),
    env: process.env,
};

function must(deps: ReviewDeps, cmd: string, args: string[]): void {
    deps.log(`$ ${cmd} ${args.join(" ")}`);
    const code = deps.run(cmd, args);
    if (code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${code})`);
}

/**
 * Selects the stack, creating it when it does not exist. When it exists but its stack file does not (a fresh
 * checkout on another runner), `pulumi config refresh` brings the file back from the last deployment, with the
 * secrets provider's salt. Returns whether the stack existed.
 */
function selectStack(deps: ReviewDeps, stack: string, create: boolean): boolean {
    const existed = deps.run("pulumi", ["stack", "select", stack, "--non-interactive"], { quiet: true }) === 0;
    if (!existed && create) must(deps, "pulumi", ["stack", "init", stack, "--non-interactive"]);
    if (existed && !fs.existsSync(path.join(deps.root, `Pulumi.${stack}.yaml`))) {
        deps.log(`$ pulumi config refresh --stack ${stack} --force`);
        deps.run("pulumi", ["config", "refresh", "--stack", stack, "--force", "--non-interactive"]);
    }
    return existed;
}

/** `review:up`: the stack from the template, `pulumi up`, smoke test. Returns the URL; throws when a step fails. */
export async function reviewUp(n: number, deps: ReviewDeps = realDeps): Promise<string> {
    const stack = reviewStackName(n);
    const port = reviewPort(n);
    selectStack(deps, stack, true);
    const stackFile = path.join(deps.root, `Pulumi.${stack}.yaml`);
    fs.writeFileSync(stackFile, reviewStackFileText(fs.existsSync(stackFile) ? fs.readFileSync(stackFile, "utf8") : undefined, fs.readFileSync(TEMPLATE_FILE, "utf8"), n));
    deps.log(`${stack}: config from scripts/Pulumi.pr.template.yaml, proxy on port ${port}`);
    must(deps, "pulumi", ["up", "--yes", "--stack", stack, "--non-interactive"]);

    const url = `http://${deps.env.NEXTSTACK_REVIEW_HOST || "127.0.0.1"}:${port}`;
    if (deps.env.GITHUB_OUTPUT) fs.appendFileSync(deps.env.GITHUB_OUTPUT, `url=${url}\nstack=${stack}\n`);
    deps.log(`smoke test of ${url} (${stack})`);
    const results = await deps.smoke({ baseUrl: url, stack });
    for (const r of results) deps.log(`${r.ok ? "ok  " : "FAIL"} ${r.name.padEnd(20)} ${r.detail}`);
    const failed = results.filter((r) => !r.ok);
    if (failed.length) throw new Error(`smoke test of ${url} failed: ${failed.map((r) => r.name).join(", ")}`);
    deps.log(`${stack} is up: ${url}`);
    return url;
}

/** What the engine still holds with the stack's label, per kind. */
export function leftovers(deps: ReviewDeps, stack: string): Record<"containers" | "networks" | "volumes" | "images", string[]> {
    const filter = ["--filter", `label=${STACK_LABEL}=${stack}`];
    const list = (args: string[]) => [...new Set(deps.capture("docker", [...args, ...filter]).split(/\s+/).filter(Boolean))];
    return {
        containers: list(["ps", "-a", "--format", "{{.Names}}"]),
        networks: list(["network", "ls", "--format", "{{.Name}}"]),
        volumes: list(["volume", "ls", "--format", "{{.Name}}"]),
        images: list(["image", "ls", "-q"]),
    };
}

/**
 * `review:down`: destroy, remove the stack, remove its built images (what `npm run images:prune` does, by the
 * stack's label, so it also works when the stack is already gone), then fail if anything labelled with the stack
 * is still on the engine.
 */
export async function reviewDown(n: number, deps: ReviewDeps = realDeps): Promise<void> {
    const stack = reviewStackName(n);
    if (selectStack(deps, stack, false)) {
        must(deps, "pulumi", ["destroy", "--yes", "--stack", stack, "--non-interactive"]);
        must(deps, "pulumi", ["stack", "rm", "--yes", "--stack", stack, "--non-interactive"]);
    } else {
        deps.log(`no stack ${stack} in this backend: nothing to destroy`);
    }
    fs.rmSync(path.join(deps.root, `Pulumi.${stack}.yaml`), { force: true });

    const images = leftovers(deps, stack).images;
    if (images.length) must(deps, "docker", ["image", "rm", ...images]);
    const left = leftovers(deps, stack);
    const remaining = Object.entries(left).filter(([, names]) => names.length).map(([kind, names]) => `${kind}: ${names.join(", ")}`);
    if (remaining.length) throw new Error(`${stack} left objects labelled ${STACK_LABEL}=${stack} on the engine: ${remaining.join("; ")}`);
    deps.log(`${stack}: destroyed, stack removed, images pruned; nothing labelled ${STACK_LABEL}=${stack} is left`);
}

async function main(argv: string[]): Promise<number> {
    const [command, raw] = argv;
    try {
        const n = parsePrNumber(raw);
        if (command === "up") await reviewUp(n);
        else if (command === "down") await reviewDown(n);
        else throw new Error(`expected up or down, got ${JSON.stringify(command ?? "")}`);
        return 0;
    } catch (err) {
        process.stderr.write(`review ${command ?? ""}: ${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
    }
}

if (require.main === module) main(process.argv.slice(2)).then((code) => (process.exitCode = code));
