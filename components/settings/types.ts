import { PackageManager } from "../packageManager";

/** A bad config value, named by its full key. */
export interface SettingsIssue {
    /** Full key, such as `nextstack:proxyPort`. */
    key: string;
    /** What is wrong and what is expected. */
    message: string;
}

/** Thrown when the stack's config is invalid; lists every problem at once. */
export class SettingsError extends Error {
    constructor(public readonly issues: SettingsIssue[]) {
        super(
            `Invalid stack configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}); nothing was created or changed:\n` +
                issues.map((i) => `  - ${i.key}: ${i.message}`).join("\n"),
        );
        this.name = "SettingsError";
    }
}

/** Resource limits of one container. */
export interface ContainerLimits {
    /** Memory limit in MB. */
    memoryMb?: number;
    /** CPU limit, as the provider takes it (`"0.5"`). */
    cpus?: string;
}

/** Validated settings of one stack. */
export interface Settings {
    /** Pulumi project name. */
    project: string;
    /** Pulumi stack name. */
    stack: string;
    /** `<project>-<stack>`: prefix of every Docker object name. */
    prefix: string;
    /** Labels carried by every Docker object (project and stack), to find leftovers. */
    labels: Record<string, string>;
    db: {
        image: string;
        major: number;
        dataPath: string;
        user: string;
        name: string;
        /** Password set in config (plain text here; the program wraps it as a secret), or undefined to generate one. */
        password?: string;
        /** Where Postgres is published on the host, if at all. */
        publish?: { address: string; port: number };
        protect: boolean;
    };
    app?: {
        /** Build context, relative to the project: appWorkspaceRoot, else appPath. */
        context: string;
        /** The app's directory inside the context (POSIX): "." unless it is in a workspace. */
        appDir: string;
        baseImage: string;
        /** Installs and builds the app in the image (from package.json's packageManager or the lockfile). */
        packageManager: PackageManager;
        /** System packages of the install and build stages (appBuildPackages). */
        buildPackages: string[];
        /** `NAME=value` environment of the build only (appBuildEnv): NEXT_PUBLIC_* and other build-time values. */
        buildEnv: string[];
        /** Secret `NAME=value` environment of the install and build (appBuildSecrets; plain text here, the program wraps them as secrets). */
        buildSecrets: string[];
        publish?: { address: string; port: number };
        databaseUrlEnv: string;
        /** The app's own health route (strict 2xx); undefined: any answer below 500 from / (lenient). */
        healthPath?: string;
        env: string[];
        /** Secret `NAME=value` entries (plain text here; the program wraps them as secrets). */
        secretEnv: string[];
        /** Command run before the app starts (migrations); undefined for none. */
        migrateCommand?: string;
        /** URL users reach the app at (appPublicUrl, or the proxy's or app's published address); undefined: none. */
        publicUrl?: string;
        /** `NAME=url` entries giving the app its public URL (appPublicUrlEnv). */
        publicUrlEnv: string[];
    };
    proxy?: {
        baseImage: string;
        publish: { address: string; port: number };
    };
    /** Memory (MB) and CPU limits per role; undefined fields mean no limit. */
    limits: Record<"db" | "app" | "proxy", ContainerLimits>;
    restartPolicy: string;
    healthcheckIntervalSeconds: number;
    /** Seconds between probes while a container starts; 0 when unset. */
    healthcheckStartIntervalSeconds: number;
    stopGraceSeconds: number;
}

/** Inputs of {@link parseSettings}: what the Pulumi runtime knows about the stack. */
export interface SettingsSource {
    project: string;
    stack: string;
    /** The whole config map, `namespace:key` → raw string (as `pulumi.runtime.allConfig()` returns it). */
    config: Record<string, string>;
    /** Whether a key's value was set as a secret (`pulumi config set --secret`). */
    isSecret?: (fullKey: string) => boolean;
    /** Whether a path exists, relative to the project directory (for `appPath` and `appWorkspaceRoot`). */
    fileExists?: (path: string) => boolean;
    /** A file's text, relative to the project directory, or undefined if there is none (for the app's next.config). */
    readFile?: (path: string) => string | undefined;
}
