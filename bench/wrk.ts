import { execFile, execFileSync } from "child_process";

/** How each load run is bounded: fixed duration, threads, connections and per-request timeout. */
export interface WrkOptions {
    durationSeconds: number;
    threads: number;
    connections: number;
    timeoutSeconds: number;
}

/** The figures of one wrk run. */
export interface WrkResult {
    requests: number;
    seconds: number;
    /** wrk's Requests/sec (every response, whatever its status). */
    rps: number;
    /** 2xx/3xx responses per second: (requests − non-2xx/3xx) / seconds. */
    okRps: number;
    /** "Non-2xx or 3xx responses". */
    non2xx: number;
    socketErrors: { connect: number; read: number; write: number; timeout: number };
    p50Ms: number;
    p99Ms: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "812.00us", "1.23ms", "1.05s" → milliseconds. */
export function durationMs(text: string): number {
    const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
    if (!match) throw new Error(`wrk: not a duration: ${JSON.stringify(text)}`);
    return Number(match[1]) * UNIT_MS[match[2]];
}

/** Parses wrk's report (run with `--latency`). */
export function parseWrk(output: string): WrkResult {
    const need = (re: RegExp, what: string) => {
        const match = re.exec(output);
        if (!match) throw new Error(`wrk: no ${what} in its output:\n${output}`);
        return match;
    };
    const total = need(/(\d+) requests in ([\d.]+)(us|ms|s|m)/, "request count");
    const requests = Number(total[1]);
    const seconds = durationMs(`${total[2]}${total[3]}`) / 1000;
    const rps = Number(need(/Requests\/sec:\s+([\d.]+)/, "Requests/sec")[1]);
    const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
    const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
    const socketErrors = sock
        ? { connect: Number(sock[1]), read: Number(sock[2]), write: Number(sock[3]), timeout: Number(sock[4]) }
        : { connect: 0, read: 0, write: 0, timeout: 0 };
    // Only inside the --latency block: "+/- Stdev" columns elsewhere also end in "%".
    const distribution = need(/Latency Distribution([\s\S]*?)\n\s*\d+ requests in/, "latency distribution (--latency)")[1];
    const percentile = (p: number) => {
        const match = new RegExp(`^\\s*${p}%\\s+(\\S+)`, "m").exec(distribution);
        if (!match) throw new Error(`wrk: no ${p}% latency in its output:\n${output}`);
        return durationMs(match[1]);
    };
    return {
        requests,
        seconds,
        rps,
        okRps: seconds > 0 ? (requests - non2xx) / seconds : 0,
        non2xx,
        socketErrors,
        p50Ms: percentile(50),
        p99Ms: percentile(99),
    };
}

/** Runs wrk against one URL (the caller passes only 127.0.0.1 URLs); hard-killed well after its duration. */
export function runWrk(url: string, options: WrkOptions): Promise<{ result: WrkResult; output: string }> {
    const args = [
        `-t${options.threads}`, `-c${options.connections}`, `-d${options.durationSeconds}s`,
        "--timeout", `${options.timeoutSeconds}s`, "--latency", url,
    ];
    return new Promise((resolve, reject) => {
        execFile("wrk", args, { timeout: (options.durationSeconds + 30) * 1000, killSignal: "SIGKILL", maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
            if (err) return reject(new Error(`wrk ${args.join(" ")} failed: ${err.message}\n${stdout}\n${stderr}`));
            try {
                resolve({ result: parseWrk(stdout), output: stdout });
            } catch (parseError) {
                reject(parseError);
            }
        });
    });
}

/** The installed wrk's version line, or undefined when there is none. */
export function wrkVersion(): string | undefined {
    try {
        // `wrk -v` prints its version and exits non-zero.
        execFileSync("sh", ["-c", "command -v wrk"], { stdio: "ignore" });
    } catch {
        return undefined;
    }
    try {
        return execFileSync("wrk", ["-v"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).split("\n")[0].trim();
    } catch (err: any) {
        return String(err.stdout ?? "").split("\n")[0].trim() || "wrk (version unknown)";
    }
}

/** Installs Debian's wrk when missing (apt-get update only when apt knows no candidate). Needs root. */
export function ensureWrk(log: (line: string) => void): string {
    const present = wrkVersion();
    if (present) return present;
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const candidate = () => /Candidate: (?!\(none\))\S+/.test(execFileSync("apt-cache", ["policy", "wrk"], { encoding: "utf8" }));
    if (!candidate()) {
        log("apt-get update (apt knows no wrk candidate)");
        execFileSync("apt-get", ["update"], { stdio: ["ignore", "ignore", "inherit"], env });
    }
    log("apt-get install -y wrk");
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "wrk"], { stdio: ["ignore", "ignore", "inherit"], env });
    const installed = wrkVersion();
    if (!installed) throw new Error("wrk is still missing after apt-get install");
    return installed;
}
