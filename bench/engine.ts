import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { readEnvFile } from "../tests/e2e/globalSetup";
import { baseImages, WORK_DIR } from "../tests/e2e/support";

const SETUP_DIR = path.join(__dirname, "..", "tests", "e2e", "setup");

/**
 * The e2e's engine and base images, for a bench: runs tests/e2e/setup/engine.sh (starts an engine if none answers)
 * and base-images.sh (builds the stand-ins once, then reuses them), sets their names in this process's
 * environment, and returns them.
 */
export function prepareEngine(log: (line: string) => void): ReturnType<typeof baseImages> {
    log("engine: tests/e2e/setup/engine.sh");
    execFileSync("bash", [path.join(SETUP_DIR, "engine.sh")], { stdio: ["ignore", "ignore", "inherit"] });
    log("base images: tests/e2e/setup/base-images.sh (built once, then reused)");
    fs.mkdirSync(WORK_DIR, { recursive: true });
    const envFile = path.join(WORK_DIR, "base-images.env");
    execFileSync("bash", [path.join(SETUP_DIR, "base-images.sh"), envFile], { stdio: ["ignore", "ignore", "inherit"] });
    readEnvFile(envFile);
    return baseImages();
}
