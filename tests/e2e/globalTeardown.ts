import * as fs from "fs";
import * as path from "path";
import { WORK_DIR } from "./support";

/** Prints the engine (version, API version) and the time of each phase (engine, base images, each up/destroy, checks). */
export default async function globalTeardown(): Promise<void> {
    const file = path.join(WORK_DIR, "phases.log");
    if (!fs.existsSync(file)) return;
    const rows = fs.readFileSync(file, "utf8").trim().split("\n").map((l) => l.split("\t"));
    const startedAt = Number(fs.readFileSync(path.join(WORK_DIR, "started-at"), "utf8"));
    const wall = (Date.now() - startedAt) / 1000;
    const engineFile = path.join(WORK_DIR, "engine");
    const engine = fs.existsSync(engineFile) ? fs.readFileSync(engineFile, "utf8").trim() : "engine: unknown (the global setup did not get that far)";
    process.stdout.write(`\n${engine}\ne2e phase times (s; builds are part of the up they are indented under):\n${rows.map(([name, s]) => `  ${s.padStart(7)}  ${name}`).join("\n")}\n  ${wall.toFixed(1).padStart(7)}  whole e2e run (wall clock)\n`);
}
