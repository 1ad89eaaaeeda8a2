import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import Docker from "dockerode";
import { unwrapSecrets } from "../unit/harness";
import { MODELS } from "./model";
import { Engine } from "./model/types";
import { formatPlan, keyFromUrn, keyOf, Planner, Registration } from "./planner";
import { recordPhase } from "./support";

/**
 * Runs the program against the model of the Pulumi engine and the Docker provider (planner.ts, model/), as
 * `pulumi up` / `pulumi preview` / `pulumi destroy` would. One process per deployment, like the CLI: the SDK
 * reads config and runs the program once per process.
 *
 *   node -r ts-node/register/transpile-only tests/e2e/deploy.ts <job.json>
 *
 * job.json: { command: "up" | "preview" | "destroy", stack, config, secretKeys, stateDir, outputsFile, planFile?, excludeProtected? }
 * `preview` prints the plan (one line per resource: op, type, name, the properties that cause it) and touches no
 * engine; `up` prints the steps it applies. Both write the steps as JSON to planFile; `up` writes the stack
 * outputs (secrets in clear) to outputsFile.
 */
export interface DeployJob {
    command: "up" | "preview" | "destroy";
    stack: string;
    /** Full config map, `nextstack:key` → raw string, as the CLI passes it to the program. */
    config: Record<string, string>;
    secretKeys: string[];
    stateDir: string;
    outputsFile: string;
    /** Where the plan (preview) or the applied steps (up, destroy) are written as JSON. */
    planFile?: string;
    /** destroy: keep protected resources and remove the rest (`pulumi destroy --exclude-protected`). */
    excludeProtected?: boolean;
}

const ROOT = path.resolve(__dirname, "../..");
const log = (line: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 23)}] ${line}\n`);

/** The engine the provider would talk to: `DOCKER_HOST` or the local socket, with the API version the Go client negotiates. */
async function connect(): Promise<Engine> {
    const docker = new Docker();
    const version = await docker.version();
    // github.com/docker/docker v28.5.2 client/client.go: DefaultVersion "1.51"; NegotiateAPIVersion takes the
    // server's version when it is lower.
    const clientMax = "1.51";
    const apiVersion = Number(version.ApiVersion) < Number(clientMax) ? version.ApiVersion : clientMax;
    log(`engine  docker ${version.Version} (API ${version.ApiVersion}; client negotiates ${apiVersion})`);
    return { docker, apiVersion, dockerHost: process.env.DOCKER_HOST, cwd: ROOT, log, timing: (phase, seconds) => recordPhase(`  ${phase}`, seconds) };
}

/** Runs the program under the mock runtime, handing every custom resource to the planner. Returns the stack outputs. */
async function runProgram(job: DeployJob, planner: Planner): Promise<Record<string, unknown>> {
    const options = new Map<string, Omit<Registration, "type" | "name" | "inputs">>();
    const errors: unknown[] = [];
    let inflight = 0;
    let registered = 0;

    pulumi.runtime.setMocks(
        {
            async newResource(args) {
                registered++;
                if (!args.custom) return { id: undefined, state: {} };
                inflight++;
                try {
                    const opts = options.get(keyOf(args.type, args.name));
                    if (!opts) throw new Error(`deploy: no registration options seen for ${args.type} ${args.name}`);
                    const { id, outputs } = await planner.register({ type: args.type, name: args.name, inputs: unwrapSecrets(args.inputs), ...opts });
                    return { id, state: outputs };
                } catch (err) {
                    errors.push(err);
                    throw err;
                } finally {
                    inflight--;
                }
            },
            call: (args) => {
                throw new Error(`model: function ${args.token} is not modelled`);
            },
        },
        "nextstack",
        job.stack,
        job.command === "preview",
    );
    pulumi.runtime.setAllConfig(job.config, job.secretKeys);

    // The mock's newResource does not see resource options or dependencies: read them off the registration request.
    const monitor: any = pulumi.runtime.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: unknown) => {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps: any, prop: string) => {
            propertyDependencies[prop] = deps.getUrnsList().map(keyFromUrn);
        });
        options.set(keyOf(req.getType(), req.getName()), {
            protect: req.getProtect() ?? false,
            retainOnDelete: req.getRetainondelete() ?? false,
            deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
            replaceOnChanges: req.getReplaceonchangesList(),
            dependencies: req.getDependenciesList().map(keyFromUrn),
            propertyDependencies,
        });
        return register(req, callback);
    };
    // A program error ends the program: the engine issues no new step after it (in-flight ones finish).
    process.on("unhandledRejection", (err) => {
        errors.push(err);
        planner.abort(err);
    });

    const program = await import(path.join(ROOT, "index"));
    // The program has returned; its resources register as their inputs resolve. Done when nothing is in flight
    // and nothing new arrived for a while. After a failure, steps in flight still finish and are checkpointed
    // (the engine waits for them before it reports the error).
    for (let quiet = 0, seen = -1; quiet < 10; ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        quiet = inflight === 0 && registered === seen ? quiet + 1 : 0;
        seen = registered;
        if (errors.length && inflight === 0) break;
    }
    if (errors.length) throw errors[0];
    await planner.finish();

    const outputs: Record<string, unknown> = {};
    if (job.command === "preview") return outputs;
    for (const [name, value] of Object.entries(program)) {
        if (name === "default" || name === "__esModule") continue;
        const output: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<unknown>);
        outputs[name] = await new Promise((resolve) => output.apply((v) => resolve(v)));
    }
    return outputs;
}

async function main(): Promise<void> {
    const job: DeployJob = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    const engine = job.command === "preview" ? undefined : await connect();
    const planner = new Planner(MODELS, path.join(job.stateDir, `${job.stack}.json`), engine, ROOT, log);
    const writePlan = () => {
        if (job.planFile) fs.writeFileSync(job.planFile, JSON.stringify(planner.steps, null, 2));
    };
    try {
        if (job.command === "destroy") {
            await planner.destroy(job.excludeProtected ?? false);
        } else {
            const outputs = await runProgram(job, planner);
            if (job.command === "up") fs.writeFileSync(job.outputsFile, JSON.stringify(outputs, null, 2), { mode: 0o600 });
        }
    } finally {
        writePlan();
    }
    if (job.command === "preview") process.stdout.write(`plan:\n${formatPlan(planner.steps).map((l) => `  ${l}`).join("\n")}\n`);
}

main().then(
    () => process.exit(0),
    (err) => {
        process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exit(1);
    },
);
