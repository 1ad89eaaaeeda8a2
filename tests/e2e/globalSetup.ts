import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import Docker from "dockerode";
import { e2eEngine, recordPhase, WORK_DIR } from "./support";

/**
 * Starts the Docker engine the e2e runs on and builds the local base images; exports their names, the engine
 * (`DOCKER_HOST`, read by dockerode in the tests and in the deploy processes they start) and its API version
 * (`NEXTSTACK_E2E_API_VERSION`) to the tests.
 *
 * `NEXTSTACK_E2E_ENGINE` picks the engine: `debian` (default) is the host's Debian 12 engine (20.10, API 1.41),
 * `current` a current one (28.x, API ≥ 1.44) running as a container on it (tests/e2e/setup/engine-current.sh).
 */
export default async function globalSetup(): Promise<void> {
    const engine = e2eEngine();
    fs.rmSync(path.join(WORK_DIR, "phases.log"), { force: true });
    fs.rmSync(path.join(WORK_DIR, "engine"), { force: true });
    fs.mkdirSync(WORK_DIR, { recursive: true });
    fs.writeFileSync(path.join(WORK_DIR, "started-at"), String(Date.now()));
    const setup = path.join(__dirname, "setup");
    // The host engine is the local socket, whatever the caller's environment says.
    delete process.env.DOCKER_HOST;
    delete process.env.DOCKER_CONTEXT;

    let started = Date.now();
    execFileSync("bash", [path.join(setup, "engine.sh")], { stdio: "inherit" });
    recordPhase("engine", (Date.now() - started) / 1000);

    started = Date.now();
    const envFile = path.join(WORK_DIR, "base-images.env");
    execFileSync("bash", [path.join(setup, "base-images.sh"), envFile], { stdio: ["ignore", "ignore", "inherit"] });
    recordPhase("base images", (Date.now() - started) / 1000);
    readEnvFile(envFile);

    if (engine === "current") {
        started = Date.now();
        const currentEnv = path.join(WORK_DIR, "current-engine.env");
        execFileSync("bash", [path.join(setup, "engine-current.sh"), currentEnv], {
            stdio: ["ignore", "ignore", "inherit"],
            env: { ...process.env, NEXTSTACK_E2E_BASE_IMAGES_ENV: envFile },
        });
        recordPhase("current engine (image, start, base images loaded)", (Date.now() - started) / 1000);
        readEnvFile(currentEnv);
    }

    // The build cache of the engine under test, bounded; fails early when the disk is too full for a run.
    started = Date.now();
    execFileSync("bash", [path.join(setup, "disk.sh"), ...engineDataDir(engine)], { stdio: "inherit" });
    recordPhase("disk (build cache pruned, free space checked)", (Date.now() - started) / 1000);

    const version = await new Docker().version();
    process.env.NEXTSTACK_E2E_API_VERSION = version.ApiVersion;
    const line = `engine: docker ${version.Version} (API ${version.ApiVersion})${process.env.DOCKER_HOST ? ` at ${process.env.DOCKER_HOST}` : ""} [NEXTSTACK_E2E_ENGINE=${engine}]`;
    fs.writeFileSync(path.join(WORK_DIR, "engine"), line);
    process.stdout.write(`\n${line}\n`);
}

/**
 * disk.sh's argument: where the engine keeps its data on this machine. The host engine's DockerRootDir is read
 * by the script itself; the current engine's is a host directory (engine-current.sh's NEXTSTACK_E2E_CURRENT_DATA).
 */
export function engineDataDir(engine: string): string[] {
    if (engine !== "current") return [];
    return [process.env.NEXTSTACK_E2E_CURRENT_DATA ?? "/var/lib/nextstack-e2e/current-engine"];
}

/** Sets the `KEY=value` lines of a setup script's env file in this process's environment. */
export function readEnvFile(file: string): void {
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        const match = /^(NEXTSTACK_E2E_[A-Z_]+|DOCKER_HOST)=(.+)$/.exec(line.trim());
        if (match) process.env[match[1]] = match[2];
    }
}
