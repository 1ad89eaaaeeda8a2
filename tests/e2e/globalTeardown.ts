import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { engineDataDir } from "./globalSetup";
import { e2eEngine, WORK_DIR } from "./support";

/** Prints the engine (version, API version) and the time of each phase (engine, base images, each up/destroy, checks). */
export default async function globalTeardown(): Promise<void> {
    // What this run built goes back under the cache bound, so runs on one machine do not fill its disk. The run's
    // result does not hang on it: a failure here is printed, not thrown.
    try {
        execFileSync("bash", [path.join(__dirname, "setup", "disk.sh"), ...engineDataDir(e2eEngine())], {
            stdio: "inherit",
            env: { ...process.env, NEXTSTACK_E2E_MIN_FREE_GB: "0" },
        });
    } catch (err) {
        process.stdout.write(`\nbuild cache not pruned after the run: ${(err as Error).message}\n`);
    }
    const file = path.join(WORK_DIR, "phases.log");
    if (!fs.existsSync(file)) return;
    const rows = fs.readFileSync(file, "utf8").trim().split("\n").map((l) => l.split("\t"));
    const startedAt = Number(fs.readFileSync(path.join(WORK_DIR, "started-at"), "utf8"));
    const wall = (Date.now() - startedAt) / 1000;
    const engineFile = path.join(WORK_DIR, "engine");
    const engine = fs.existsSync(engineFile) ? fs.readFileSync(engineFile, "utf8").trim() : "engine: unknown (the global setup did not get that far)";
    process.stdout.write(`\n${engine}\ne2e phase times (s; builds are part of the up they are indented under):\n${rows.map(([name, s]) => `  ${s.padStart(7)}  ${name}`).join("\n")}\n  ${wall.toFixed(1).padStart(7)}  whole e2e run (wall clock)\n`);
}
