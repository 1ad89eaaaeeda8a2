import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { recordPhase, WORK_DIR } from "./support";

/** Starts a Docker engine if none answers and builds the local base images; exports their names to the tests. */
export default async function globalSetup(): Promise<void> {
    fs.rmSync(path.join(WORK_DIR, "phases.log"), { force: true });
    fs.mkdirSync(WORK_DIR, { recursive: true });
    fs.writeFileSync(path.join(WORK_DIR, "started-at"), String(Date.now()));
    const setup = path.join(__dirname, "setup");

    let started = Date.now();
    execFileSync("bash", [path.join(setup, "engine.sh")], { stdio: "inherit" });
    recordPhase("engine", (Date.now() - started) / 1000);

    started = Date.now();
    const envFile = path.join(WORK_DIR, "base-images.env");
    fs.mkdirSync(WORK_DIR, { recursive: true });
    execFileSync("bash", [path.join(setup, "base-images.sh"), envFile], { stdio: ["ignore", "ignore", "inherit"] });
    recordPhase("base images", (Date.now() - started) / 1000);
    for (const line of fs.readFileSync(envFile, "utf8").split("\n")) {
        const match = /^(NEXTSTACK_E2E_[A-Z_]+)=(.+)$/.exec(line.trim());
        if (match) process.env[match[1]] = match[2];
    }
}
