import * as fs from "fs";
import * as path from "path";
import { WORK_DIR } from "./support";

/** Prints the time of each phase (engine, base images, each up/destroy, checks). */
export default async function globalTeardown(): Promise<void> {
    const file = path.join(WORK_DIR, "phases.log");
    if (!fs.existsSync(file)) return;
    const rows = fs.readFileSync(file, "utf8").trim().split("\n").map((l) => l.split("\t"));
    const total = rows.reduce((sum, [, s]) => sum + Number(s), 0);
    process.stdout.write(`\ne2e phase times (s):\n${rows.map(([name, s]) => `  ${s.padStart(7)}  ${name}`).join("\n")}\n  ${total.toFixed(1).padStart(7)}  total of phases\n`);
}
