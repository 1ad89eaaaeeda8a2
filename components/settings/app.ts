import { hostAddressFor } from "../containerDefaults";
import { detectPackageManager, NPM_OF_BASE_IMAGE, PackageManager } from "../packageManager";
import { full } from "./keys";
import { ParsedConfig } from "./parse";
import { SettingsSource } from "./types";

// Rules on the app: its directory and package manager, the names its environment sets, its public URL.

/** Where a Next.js app declares its config. */
const NEXT_CONFIG_FILES = ["next.config.js", "next.config.mjs", "next.config.cjs", "next.config.ts", "next.config.mts"];

/** The app's directory holds a standalone Next.js app; returns the package manager that installs it. */
export function checkAppDirectory(source: SettingsSource, { issues, get }: ParsedConfig): PackageManager {
    const appEnabled = get<boolean>("appEnabled");
    const appPath = get("appPath");
    // The base image's npm unless the app's files say otherwise (a source that cannot read files: npm).
    let packageManager: PackageManager = NPM_OF_BASE_IMAGE;
    if (appEnabled && source.fileExists) {
        if (!source.fileExists(appPath)) {
            issues.push({ key: full("appPath"), message: `got ${JSON.stringify(appPath)}; expected a directory holding a Next.js app (it does not exist)` });
        } else if (!source.fileExists(`${appPath}/package.json`)) {
            issues.push({ key: full("appPath"), message: `got ${JSON.stringify(appPath)}; expected a directory holding a Next.js app (no package.json in it)` });
        } else if (source.readFile) {
            const configs = NEXT_CONFIG_FILES.map((f) => source.readFile!(`${appPath}/${f}`)).filter((text): text is string => text !== undefined);
            if (!configs.some((text) => /output\s*:\s*["'`]standalone["'`]/.test(text))) {
                issues.push({
                    key: full("appPath"),
                    message: `got ${JSON.stringify(appPath)}; expected a Next.js app with output: "standalone" in its next.config (the image runs .next/standalone/server.js)${configs.length ? "" : ": it has no next.config"}`,
                });
            }
            const detected = detectPackageManager((name) => source.readFile!(`${appPath}/${name}`));
            if ("problem" in detected) issues.push({ key: full("appPath"), message: `got ${JSON.stringify(appPath)}: the app ${detected.problem}` });
            else packageManager = detected.manager;
        }
    }
    return packageManager;
}

/** Names of the app's environment: those the program sets itself, and which key set each one so far. */
export interface EnvNames {
    reserved: Set<string>;
    seen: Map<string, string>;
}

/** appEnv and appSecretEnv set neither a name the program sets nor one name twice. */
export function checkEnvNames({ issues, get }: ParsedConfig): EnvNames {
    const env = get<string[]>("appEnv");
    const secretEnv = get<string[]>("appSecretEnv");
    const databaseUrlEnv = get("appDatabaseUrlEnv");
    const reserved = new Set([databaseUrlEnv, "HOSTNAME", "PORT"]);
    const seen = new Map<string, string>();
    for (const [key, entries] of [["appEnv", env], ["appSecretEnv", secretEnv]] as const) {
        for (const entry of entries) {
            const name = entry.slice(0, entry.indexOf("="));
            if (reserved.has(name)) {
                issues.push({ key: full(key), message: `sets ${name}, which the program sets itself (${name === databaseUrlEnv ? "derived from the database" : "for the Next.js server"}); remove it` });
            } else if (seen.has(name)) {
                issues.push({ key: full(key), message: `sets ${name}, which ${full(seen.get(name)!)} sets too; keep one` });
            }
            seen.set(name, key);
        }
    }
    return { reserved, seen };
}

/** The app's public URL; appPublicUrlEnv names no name set elsewhere, and has a URL to give. */
export function checkPublicUrl({ issues, get }: ParsedConfig, { reserved, seen }: EnvNames): string | undefined {
    const appEnabled = get<boolean>("appEnabled");
    const proxyEnabled = get<boolean>("proxyEnabled");
    // The public URL: as configured, else where this machine reaches the proxy, else the app's own port.
    const appPublishPort = get<number>("appPublishPort");
    const publicUrl =
        get("appPublicUrl") !== ""
            ? new URL(get("appPublicUrl")).href
            : proxyEnabled
              ? `http://${hostAddressFor(get("proxyPublishAddress"))}:${get<number>("proxyPort")}/`
              : appPublishPort
                ? `http://127.0.0.1:${appPublishPort}/`
                : undefined;
    const publicUrlEnv = get<string[]>("appPublicUrlEnv");
    for (const name of publicUrlEnv) {
        if (reserved.has(name) || seen.has(name)) {
            const by = reserved.has(name) ? "the program sets itself" : `${full(seen.get(name)!)} sets too`;
            issues.push({ key: full("appPublicUrlEnv"), message: `names ${name}, which ${by}; keep one` });
        }
        seen.set(name, "appPublicUrlEnv");
    }
    if (publicUrlEnv.length && !publicUrl && appEnabled) {
        issues.push({ key: full("appPublicUrlEnv"), message: `names ${publicUrlEnv.join(", ")}, but the app has no public URL (no proxy, no appPublishPort); set ${full("appPublicUrl")}` });
    }
    return publicUrl;
}
