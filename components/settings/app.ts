import * as path from "path";
import { publishedUrl } from "../containerDefaults";
import { detectPackageManager, LOCKFILES, NPM_OF_BASE_IMAGE, PackageManager } from "../packageManager";
import { full } from "./keys";
import { ParsedConfig } from "./parse";
import { SettingsSource } from "./types";

// Rules on the app: its directory and package manager, the names its environment sets, its public URL.

/** Where a Next.js app declares its config. */
const NEXT_CONFIG_FILES = ["next.config.js", "next.config.mjs", "next.config.cjs", "next.config.ts", "next.config.mts"];

/** Where the app is built from: the build context, and the app's directory inside it. */
export interface AppSource {
    /** Build context, relative to the project: the workspace root, or the app's directory. */
    context: string;
    /** The app's directory inside the context (POSIX, no trailing /): "." when the app is its own root. */
    appDir: string;
    /** Installs and builds the app (from the root's package.json or lockfile). */
    packageManager: PackageManager;
}

/**
 * The app's directory holds a standalone Next.js app, alone or inside the workspace appWorkspaceRoot names;
 * returns where it is built from and the package manager that installs it (read at the root: the lockfile is there).
 */
export function checkAppDirectory(source: SettingsSource, { issues, get }: ParsedConfig): AppSource {
    const appEnabled = get<boolean>("appEnabled");
    const appPath = get("appPath");
    const workspaceRoot = get("appWorkspaceRoot");
    const context = workspaceRoot === "" ? appPath : workspaceRoot;
    const appDir = workspaceRoot === "" ? "." : path.posix.relative(path.posix.normalize(workspaceRoot), path.posix.normalize(appPath)) || ".";
    // The base image's npm unless the app's files say otherwise (a source that cannot read files: npm).
    const result: AppSource = { context, appDir, packageManager: NPM_OF_BASE_IMAGE };
    if (!appEnabled) return result;
    // (Without a workspace root the app is the context: appDir is ".".)
    if (appDir.startsWith("..") || path.posix.isAbsolute(appDir)) {
        issues.push({ key: full("appPath"), message: `got ${JSON.stringify(appPath)}, which is not inside ${full("appWorkspaceRoot")} ${JSON.stringify(workspaceRoot)}; expected the app's directory in that workspace (both relative to the project)` });
        return result;
    }
    if (!source.fileExists) return result;
    const rootKey = workspaceRoot === "" ? "appPath" : "appWorkspaceRoot";
    const isWorkspace = appDir !== ".";
    if (isWorkspace && !source.fileExists(`${workspaceRoot}/package.json`)) {
        issues.push({ key: full("appWorkspaceRoot"), message: `got ${JSON.stringify(workspaceRoot)}; expected the root of a workspace (${source.fileExists(workspaceRoot) ? "no package.json in it" : "it does not exist"})` });
        return result;
    }
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
        const detected = detectPackageManager((name) => source.readFile!(`${context}/${name}`));
        if ("problem" in detected) {
            const what = isWorkspace ? "the workspace" : "the app";
            const hint = workspaceRoot === "" ? workspaceHint(source, appPath) : "";
            issues.push({ key: full(rootKey), message: `got ${JSON.stringify(context)}: ${what} ${detected.problem}${hint}` });
        } else result.packageManager = detected.manager;
    }
    return result;
}

/**
 * When the app has no lockfile of its own, the nearest directory above it (up to the project's) that is a workspace
 * root (pnpm-workspace.yaml, or a package.json with "workspaces"): its lockfile is the one that counts.
 */
function workspaceHint(source: SettingsSource, appPath: string): string {
    if (LOCKFILES.some(({ file }) => source.fileExists!(`${appPath}/${file}`))) return "";
    // Up to the filesystem's root, or to the project's directory or the one above it when the path is relative.
    for (let dir = path.posix.normalize(appPath); ; ) {
        const parent = path.posix.dirname(dir);
        // dirname of "/" and of "." is itself.
        if (parent === dir || /(^|\/)\.\.$/.test(dir)) return "";
        dir = parent;
        const manifest = source.readFile!(path.posix.join(dir, "package.json"));
        if (source.fileExists!(path.posix.join(dir, "pnpm-workspace.yaml")) || (manifest !== undefined && /"workspaces"\s*:/.test(manifest))) {
            return `. It is inside the workspace ${JSON.stringify(dir)}: set ${full("appWorkspaceRoot")} to ${JSON.stringify(dir)}`;
        }
    }
}

/** appBuildEnv and appBuildSecrets set each name once, and appBuildEnv is not where secrets go. */
export function checkBuildEnv(source: SettingsSource, { issues, get }: ParsedConfig): void {
    const entries = get<string[]>("appBuildEnv");
    // Set with --secret: the user means a build secret, which this key cannot keep secret.
    if (entries.length > 0 && source.isSecret?.(full("appBuildEnv"))) {
        issues.push({
            key: full("appBuildEnv"),
            message: `is stored as a secret, but its values are build arguments: kept in the engine's build cache (and NEXT_PUBLIC_* ones in the pages). Put secret values in ${full("appBuildSecrets")} (given to the build as BuildKit secrets); set this key without --secret if its values are not secret`,
        });
    }
    const seen = new Map<string, string>();
    for (const key of ["appBuildEnv", "appBuildSecrets"] as const) {
        for (const entry of get<string[]>(key)) {
            const name = entry.slice(0, entry.indexOf("="));
            const before = seen.get(name);
            if (before === key) issues.push({ key: full(key), message: `sets ${name} twice; keep one` });
            else if (before) issues.push({ key: full(key), message: `sets ${name}, which ${full(before)} sets too; keep one` });
            seen.set(name, key);
        }
    }
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
              ? publishedUrl(get("proxyPublishAddress"), get<number>("proxyPort"))
              : appPublishPort
                ? publishedUrl("127.0.0.1", appPublishPort)
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
