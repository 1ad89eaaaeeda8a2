import { runProgram } from "./harness";

/**
 * Runs the program under mocks in a process of its own and prints what it registered and the errors it raised,
 * as JSON: for runs that fail the way a real deployment fails (an unhandled error in the program), which jest
 * would otherwise report against the test itself.
 *
 *   node -r ts-node/register/transpile-only tests/unit/programProcess.ts '<runProgram options as JSON>'
 */
const errors: string[] = [];
process.on("unhandledRejection", (err) => errors.push(err instanceof Error ? err.message : String(err)));
runProgram(JSON.parse(process.argv[2])).then(
    async (run) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        process.stdout.write(JSON.stringify({ resources: run.resources.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs })), errors }));
    },
    (err) => {
        process.stdout.write(JSON.stringify({ resources: [], errors: [...errors, String(err)] }));
    },
);
