import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import Docker from "dockerode";
import { unwrapSecrets } from "../unit/harness";
import { RegistrationOptions, Realizer } from "./realizer";
import { recordPhase } from "./support";

/**
 * Runs the program against the real engine, as `pulumi up` / `pulumi destroy` would, through the SDK's mock
 * runtime and the {@link Realizer}. One process per deployment, like the CLI: the SDK reads config and runs
 * the program once per process.
 *
 *   ts-node tests/e2e/deploy.ts <job.json>
 *
 * job.json: { command: "up" | "destroy", stack, config, secretKeys, stateDir, outputsFile, excludeProtected }
 * Prints one line per engine action; on success writes the stack outputs (secrets in clear) to outputsFile.
 */
export interface DeployJob {
    command: "up" | "destroy";
    stack: string;
    /** Full config map, `nextstack:key` → raw string, as the CLI passes it to the program. */
    config: Record<string, string>;
    secretKeys: string[];
    stateDir: string;
    outputsFile: string;
    /** destroy: keep protected resources and remove the rest (`pulumi destroy --exclude-protected`). */
    excludeProtected?: boolean;
}

const ROOT = path.resolve(__dirname, "../..");
const log = (line: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 23)}] ${line}\n`);

async function up(job: DeployJob, realizer: Realizer): Promise<void> {
    const options = new Map<string, RegistrationOptions>();
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
                    const opts = options.get(`${args.type}::${args.name}`) ?? { retainOnDelete: false, protect: false, deleteBeforeReplace: false };
                    const { id, outputs } = await realizer.apply(args.type, args.name, unwrapSecrets(args.inputs), opts);
                    return { id, state: outputs };
                } catch (err) {
                    errors.push(err);
                    throw err;
                } finally {
                    inflight--;
                }
            },
            call: (args) => {
                throw new Error(`realizer: function ${args.token} is not supported`);
            },
        },
        "nextstack",
        job.stack,
        false,
    );
    pulumi.runtime.setAllConfig(job.config, job.secretKeys);

    const monitor: any = pulumi.runtime.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: unknown) => {
        options.set(`${req.getType()}::${req.getName()}`, {
            retainOnDelete: req.getRetainondelete(),
            protect: req.getProtect(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
        });
        return register(req, callback);
    };
    process.on("unhandledRejection", (err) => errors.push(err));

    const program = await import(path.join(ROOT, "index"));
    // The program has returned; its resources register as their inputs resolve. Done when nothing is in
    // flight and nothing new arrived for a while.
    for (let quiet = 0, seen = -1; quiet < 10; ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (errors.length) break;
        quiet = inflight === 0 && registered === seen ? quiet + 1 : 0;
        seen = registered;
    }
    if (errors.length) throw errors[0];
    await realizer.pruneUndeclared();

    const outputs: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(program)) {
        if (name === "default" || name === "__esModule") continue;
        const output: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<unknown>);
        outputs[name] = await new Promise((resolve) => output.apply((v) => resolve(v)));
    }
    fs.writeFileSync(job.outputsFile, JSON.stringify(outputs, null, 2), { mode: 0o600 });
}

async function main(): Promise<void> {
    const job: DeployJob = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    const realizer = new Realizer(new Docker(), job.stateDir, job.stack, ROOT, log, (phase, seconds) => recordPhase(`  ${phase}`, seconds));
    if (job.command === "up") await up(job, realizer);
    else if (job.command === "destroy") await realizer.destroy(job.excludeProtected ?? false);
    else throw new Error(`unknown command ${job.command}`);
}

main().then(
    () => process.exit(0),
    (err) => {
        process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exit(1);
    },
);
