import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { cpusAsReadBack, hostAddressFor, isLoopbackPublishAddress } from "./containerDefaults";
import { imageTag } from "./imageRef";
import { stackLabels } from "./labels";
import { MIN_NGINX_FOR_RERESOLVE, nginxTagTooOld } from "./nginxConf";
import { detectPackageManager, NPM_OF_BASE_IMAGE, PackageManager } from "./packageManager";
import { dataPathForMajor, KNOWN_POSTGRES_MAJORS, majorFromImageTag } from "./postgres";

/** Config namespace of every key (`nextstack:<key>`); equals the project name in `Pulumi.yaml`. */
export const CONFIG_NAMESPACE = "nextstack";

type Kind = "string" | "integer" | "boolean" | "array";

/** One config key: how `Pulumi.yaml` declares it and how its value is checked. */
interface KeySpec {
    /** Type as declared in `Pulumi.yaml`. */
    type: Kind;
    /** Description as declared in `Pulumi.yaml` and listed in the README. */
    description: string;
    /** Default applied when the stack does not set the key (the CLI applies the same from `Pulumi.yaml`). */
    default?: string | number | boolean | string[];
    /**
     * Must be set with `pulumi config set --secret`; the program refuses a plain-text value. Not declared
     * `secret` in `Pulumi.yaml`: the CLI then rejects the empty default that means "generate one".
     */
    secret?: boolean;
    /** Rule for a value of the right type; its message says what is expected. */
    check: z.ZodType;
}

const port = z.number().int().min(1, "a TCP port from 1 to 65535").max(65535, "a TCP port from 1 to 65535");
const optionalPort = z.number().int().min(0, "0 (off) or a TCP port from 1 to 65535").max(65535, "0 (off) or a TCP port from 1 to 65535");
const seconds = z.number().int().min(1, "a whole number of seconds ≥ 1").max(3600, "a whole number of seconds ≤ 3600");
const ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/, "an IPv4 address such as 127.0.0.1");
/** Unquoted Postgres identifier: what `POSTGRES_USER`/`POSTGRES_DB` can hold without quoting games. */
const pgIdentifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "a lower-case Postgres identifier: a-z, 0-9, _ (not first), at most 63 characters");
/** Image reference pinned by tag (or digest), never `latest`. */
const pinnedImage = z
    .string()
    .regex(/^[a-z0-9]([a-z0-9._\/-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/, "an image reference such as postgres:18-alpine")
    .refine((ref) => /@sha256:/.test(ref) || !!imageTag(ref), "an image pinned by tag or digest (repo:tag)")
    .refine((ref) => /@sha256:/.test(ref) || imageTag(ref) !== "latest", "a pinned tag, not `latest`");
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** An absolute http(s) URL a browser is sent to: no credentials, query or fragment (a base path may follow). */
function isPublicUrl(text: string): boolean {
    if (!/^https?:\/\/[^\s]+$/.test(text)) return false;
    try {
        const url = new URL(text);
        return url.hostname !== "" && url.username === "" && url.password === "" && url.search === "" && url.hash === "" && !text.includes("#") && !text.includes("?");
    } catch {
        return false;
    }
}
/** Memory limit such as `512m` or `1g`; empty for none. */
const MEMORY_SIZE = /^(\d+(?:\.\d+)?)([mMgG])$/;
const memory = z.string().refine((v) => v === "" || MEMORY_SIZE.test(v), "empty (no limit) or a size such as 512m or 1g").refine((v) => !MEMORY_SIZE.test(v) || memoryMb(v) >= 6, "at least 6m (Docker's minimum)");
/** CPU limit such as `0.5` or `2`; empty for none. */
const cpus = z
    .string()
    .regex(/^$|^\d+(\.\d+)?$/, "empty (no limit) or a number of CPUs such as 0.5 or 2")
    .refine((v) => !/^\d+(\.\d+)?$/.test(v) || (Number(v) > 0 && Number(v) <= 256), "more than 0 and at most 256 CPUs")
    .refine(
        (v) => !/^\d+(\.\d+)?$/.test(v) || !(Number(v) > 0 && Number(v) <= 256) || cpusAsReadBack(v) !== undefined,
        "a CPU count the Docker provider reads back as the same amount, such as 0.1, 0.25, 0.5, 1 or 2 (it reads values like 0.05 back as 0.1, and the container would be replaced on every up)",
    );

/** Megabytes in a memory size such as `512m` or `1.5g`. */
export function memoryMb(size: string): number {
    const match = MEMORY_SIZE.exec(size);
    if (!match) throw new Error(`not a memory size: ${size}`);
    return Math.floor(Number(match[1]) * (/[gG]/.test(match[2]) ? 1024 : 1));
}

/**
 * Every config key of the project. `Pulumi.yaml` declares exactly these (a unit test holds them equal),
 * and the README's table lists them.
 */
export const CONFIG_KEYS = {
    dbImage: {
        type: "string",
        description: "Postgres image, pinned by tag (official image or a mirror of it).",
        default: "postgres:18-alpine",
        check: pinnedImage,
    },
    postgresVersion: {
        type: "integer",
        description: "Postgres major version of dbImage; 0 reads it from the image tag. Chooses the data path.",
        default: 0,
        check: z.number().int().min(0, "0 or a Postgres major version"),
    },
    dbUser: {
        type: "string",
        description: "Database user (POSTGRES_USER).",
        default: "nextstack",
        check: pgIdentifier,
    },
    dbName: {
        type: "string",
        description: "Database name (POSTGRES_DB).",
        default: "nextstack",
        check: pgIdentifier,
    },
    dbPassword: {
        type: "string",
        description: "Database password, set with --secret; empty generates one. A change is applied inside the existing database too.",
        default: "",
        secret: true,
        check: z.string().refine((v) => v === "" || v.length >= 12, "a password of at least 12 characters (or empty to generate one)"),
    },
    dbPublishPort: {
        type: "integer",
        description: "Host port to publish Postgres on (for `next dev` on the host); 0 keeps it inside the network.",
        default: 0,
        check: optionalPort,
    },
    dbPublishAddress: {
        type: "string",
        description: "Host address Postgres is published on. Non-loopback needs dbPublishAnyAddress.",
        default: "127.0.0.1",
        check: ipv4,
    },
    dbPublishAnyAddress: {
        type: "boolean",
        description: "Explicit opt-in to publish Postgres on a non-loopback address such as 0.0.0.0.",
        default: false,
        check: z.boolean(),
    },
    protectData: {
        type: "boolean",
        description: "Protect the data volume: destroy and replacements refuse to delete it (destroy --exclude-protected keeps it), and it stays on the engine if ever deleted.",
        default: false,
        check: z.boolean(),
    },
    appEnabled: {
        type: "boolean",
        description: "Build and run the Next.js app.",
        default: false,
        check: z.boolean(),
    },
    appPath: {
        type: "string",
        description: "Directory of the Next.js app (build context), relative to the project.",
        default: "app",
        check: z.string().min(1, "a directory path"),
    },
    appBaseImage: {
        type: "string",
        description: "Node base image of the app's build and run stages, pinned by tag.",
        default: "node:24-alpine",
        check: pinnedImage,
    },
    appBuildPackages: {
        type: "array",
        description: "System packages installed for the app's install and build only (not in the image it runs), e.g. [\"python3\", \"make\", \"g++\"] for a native addon without a prebuilt binary; apk or apt-get, whichever the base image has.",
        default: [],
        check: z.array(z.string().regex(/^[a-z0-9][a-z0-9+._-]*(=[A-Za-z0-9.+~:_-]+)?$/, "distribution package names such as python3 or g++ (optionally name=version)")),
    },
    appPublishPort: {
        type: "integer",
        description: "Host port to publish the app on 127.0.0.1 directly (bypassing the proxy); 0 keeps it inside the network.",
        default: 0,
        check: optionalPort,
    },
    appDatabaseUrlEnv: {
        type: "string",
        description: "Name of the environment variable that gives the app its database URL.",
        default: "DATABASE_URL",
        check: z.string().regex(envName, "an environment variable name such as DATABASE_URL"),
    },
    appHealthPath: {
        type: "string",
        description: "Path of the app's own health route, which must answer 2xx when the app can serve; empty (the default) counts any answer below 500 from / as alive, for apps without one.",
        default: "",
        check: z.string().regex(/^(\/[A-Za-z0-9._~\/?=&%-]*)?$/, "a URL path starting with /, or empty"),
    },
    appEnv: {
        type: "array",
        description: "Extra environment of the app, as NAME=value strings (not for secrets).",
        default: [],
        check: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*=/, "NAME=value strings")),
    },
    appSecretEnv: {
        type: "array",
        description: "Secret environment of the app, as NAME=value strings (AUTH_SECRET and the like); set with --secret --path 'appSecretEnv[0]'.",
        default: [],
        secret: true,
        check: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*=/, "NAME=value strings")),
    },
    appPublicUrl: {
        type: "string",
        description: "URL the app's users reach it at (where auth libraries send them back to), e.g. https://shop.example.com; empty: the proxy's published address, else the app's own published port, on this machine.",
        default: "",
        check: z.string().refine((v) => v === "" || isPublicUrl(v), "empty or an http:// or https:// URL without credentials, query or fragment, such as https://shop.example.com"),
    },
    appPublicUrlEnv: {
        type: "array",
        description: "Environment variables that give the app its public URL (appPublicUrl, without a trailing /), e.g. [\"AUTH_URL\", \"NEXTAUTH_URL\"].",
        default: [],
        check: z.array(z.string().regex(envName, "environment variable names such as AUTH_URL")),
    },
    appMigrateCommand: {
        type: "string",
        description: "Shell command run once in the app image (same env, on the network) before each new app container starts, e.g. node migrate.mjs; empty for none. A failure stops the deployment.",
        default: "",
        check: z.string(),
    },
    proxyEnabled: {
        type: "boolean",
        description: "Build and run the nginx proxy in front of the app (needs appEnabled).",
        default: false,
        check: z.boolean(),
    },
    proxyBaseImage: {
        type: "string",
        description: "nginx base image of the proxy, pinned by tag; 1.27.3 or newer re-resolves the app after a replacement.",
        default: "nginx:1.30-alpine",
        check: pinnedImage,
    },
    proxyPort: {
        type: "integer",
        description: "Host port the proxy is published on.",
        default: 3000,
        check: port,
    },
    proxyPublishAddress: {
        type: "string",
        description: "Host address the proxy is published on (0.0.0.0: every interface).",
        default: "0.0.0.0",
        check: ipv4,
    },
    dbMemory: {
        type: "string",
        description: "Memory limit of Postgres's container, such as 512m or 1g; empty for none.",
        default: "",
        check: memory,
    },
    dbCpus: {
        type: "string",
        description: "CPU limit of Postgres's container, such as 0.5 or 2; empty for none.",
        default: "",
        check: cpus,
    },
    appMemory: {
        type: "string",
        description: "Memory limit of the app's container, such as 512m or 1g; empty for none.",
        default: "",
        check: memory,
    },
    appCpus: {
        type: "string",
        description: "CPU limit of the app's container, such as 0.5 or 2; empty for none.",
        default: "",
        check: cpus,
    },
    proxyMemory: {
        type: "string",
        description: "Memory limit of the proxy's container, such as 512m or 1g; empty for none.",
        default: "",
        check: memory,
    },
    proxyCpus: {
        type: "string",
        description: "CPU limit of the proxy's container, such as 0.5 or 2; empty for none.",
        default: "",
        check: cpus,
    },
    restartPolicy: {
        type: "string",
        description: "Restart policy of every container.",
        default: "unless-stopped",
        check: z.enum(["no", "on-failure", "always", "unless-stopped"], "one of no, on-failure, always, unless-stopped"),
    },
    healthcheckInterval: {
        type: "integer",
        description: "Seconds between healthchecks once a container is up (without healthcheckStartInterval, also the wait for the first one).",
        default: 5,
        check: seconds,
    },
    healthcheckStartInterval: {
        type: "integer",
        description: "Seconds between healthchecks while a container starts, so it is healthy as soon as it is ready (Docker 25+, API 1.44). 0 leaves it unset: needed on older engines such as Debian 12's docker.io 20.10, whose Docker client refuses it.",
        default: 1,
        check: z.number().int().min(0, "0 (unset) or a whole number of seconds ≥ 1").max(60, "at most 60 seconds"),
    },
    stopGraceSeconds: {
        type: "integer",
        description: "Seconds a container gets to shut down cleanly before it is killed.",
        default: 30,
        check: seconds,
    },
} satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

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
        path: string;
        baseImage: string;
        /** Installs and builds the app in the image (from package.json's packageManager or the lockfile). */
        packageManager: PackageManager;
        /** System packages of the install and build stages (appBuildPackages). */
        buildPackages: string[];
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
    /** Whether a path exists, relative to the project directory (for `appPath`). */
    fileExists?: (path: string) => boolean;
    /** A file's text, relative to the project directory, or undefined if there is none (for the app's next.config). */
    readFile?: (path: string) => string | undefined;
}

const full = (key: string) => `${CONFIG_NAMESPACE}:${key}`;

/** Where a Next.js app declares its config. */
const NEXT_CONFIG_FILES = ["next.config.js", "next.config.mjs", "next.config.cjs", "next.config.ts", "next.config.mts"];

/** Shows a value in an error message; secrets are masked. */
function shown(raw: string, secret: boolean | undefined): string {
    return secret ? "[secret]" : JSON.stringify(raw);
}

/** Levenshtein distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const cur = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
            prev = cur;
        }
    }
    return row[b.length];
}

/** Turns a raw config string into a value of the declared type, or a message saying what was expected. */
function coerce(raw: string, type: Kind): { value: unknown } | { expected: string } {
    switch (type) {
        case "string":
            return { value: raw };
        case "integer":
            return /^-?\d+$/.test(raw.trim()) ? { value: Number(raw.trim()) } : { expected: "an integer" };
        case "boolean":
            return raw === "true" || raw === "false" ? { value: raw === "true" } : { expected: "true or false" };
        case "array": {
            try {
                const parsed: unknown = JSON.parse(raw);
                if (Array.isArray(parsed)) return { value: parsed };
            } catch {
                // fall through to the message below
            }
            return { expected: "a list (set it with `pulumi config set --path 'key[0]' value`)" };
        }
    }
}

/**
 * Reads and validates the stack's config. Every problem is collected and thrown together as a
 * {@link SettingsError} before the program declares any resource.
 */
export function parseSettings(source: SettingsSource): Settings {
    const issues: SettingsIssue[] = [];
    const values: Record<string, unknown> = {};
    const known = Object.keys(CONFIG_KEYS);
    const prefix = `${CONFIG_NAMESPACE}:`;

    for (const [fullKey, raw] of Object.entries(source.config)) {
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        const spec: KeySpec | undefined = (CONFIG_KEYS as Record<string, KeySpec>)[key];
        if (!spec) {
            const best = known.map((k) => ({ k, d: distance(key, k) })).sort((a, b) => a.d - b.d)[0];
            const hint = best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? `; did you mean ${full(best.k)}?` : "";
            issues.push({ key: fullKey, message: `unknown key${hint} (known keys: see Pulumi.yaml)` });
            continue;
        }
        const coerced = coerce(raw, spec.type);
        if ("expected" in coerced) {
            issues.push({ key: fullKey, message: `got ${shown(raw, spec.secret)}; expected ${coerced.expected}` });
            continue;
        }
        const result = spec.check.safeParse(coerced.value);
        if (!result.success) {
            const expected = [...new Set(result.error.issues.map((i) => i.message))].join("; ");
            issues.push({ key: fullKey, message: `got ${shown(raw, spec.secret)}; expected ${expected}` });
            continue;
        }
        if (spec.secret && raw !== "" && source.isSecret && !source.isSecret(fullKey)) {
            issues.push({ key: fullKey, message: `is stored in plain text; set it with \`pulumi config set --secret ${key}\`` });
            continue;
        }
        values[key] = result.data;
    }

    const get = <T = string>(key: ConfigKey): T => (key in values ? values[key] : (CONFIG_KEYS[key] as KeySpec).default) as T;

    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(source.stack) || source.stack.length > 40) {
        issues.push({
            key: "stack name",
            message: `got ${JSON.stringify(source.stack)}; expected a stack name usable in Docker object and image names: lower-case a-z, 0-9, '.', '_', '-', starting with a letter or digit, at most 40 characters`,
        });
    }

    const dbImage = get("dbImage");
    let major = get<number>("postgresVersion");
    // A refused dbImage is already reported: its tag is not compared (get() would give the default image's).
    const dbImageRefused = issues.some((i) => i.key === full("dbImage"));
    const tagMajor = dbImageRefused ? undefined : majorFromImageTag(dbImage);
    if (major === 0) {
        if (tagMajor === undefined && !dbImageRefused) {
            issues.push({ key: full("postgresVersion"), message: `is 0 and the tag of ${JSON.stringify(dbImage)} does not start with a major version; set the Postgres major version of that image` });
        }
        major = tagMajor ?? 0;
    } else if (tagMajor !== undefined && tagMajor !== major) {
        issues.push({ key: full("postgresVersion"), message: `got ${major}, but ${full("dbImage")} ${JSON.stringify(dbImage)} is Postgres ${tagMajor}; make them agree` });
    }
    const dataPath = major ? dataPathForMajor(major) : undefined;
    if (major && !dataPath) {
        const fromTag = tagMajor === major && !values.postgresVersion;
        issues.push({
            key: full(fromTag ? "dbImage" : "postgresVersion"),
            message: `got ${fromTag ? JSON.stringify(dbImage) : major}: Postgres ${major} has no known data path; expected a major from ${KNOWN_POSTGRES_MAJORS[0]} to ${KNOWN_POSTGRES_MAJORS[KNOWN_POSTGRES_MAJORS.length - 1]}`,
        });
    }

    const dbPublishPort = get<number>("dbPublishPort");
    const dbPublishAddress = get("dbPublishAddress");
    if (dbPublishPort && !isLoopbackPublishAddress(dbPublishAddress) && !get<boolean>("dbPublishAnyAddress")) {
        issues.push({
            key: full("dbPublishAddress"),
            message: `got ${JSON.stringify(dbPublishAddress)}: that publishes Postgres beyond this machine; use 127.0.0.1, or opt in with ${full("dbPublishAnyAddress")}=true`,
        });
    }

    const appEnabled = get<boolean>("appEnabled");
    const proxyEnabled = get<boolean>("proxyEnabled");
    if (proxyEnabled && !appEnabled) {
        issues.push({ key: full("proxyEnabled"), message: `is true but ${full("appEnabled")} is false; the proxy needs the app behind it` });
    }
    if (proxyEnabled && nginxTagTooOld(get("proxyBaseImage"))) {
        issues.push({
            key: full("proxyBaseImage"),
            message: `got ${JSON.stringify(get("proxyBaseImage"))}; expected nginx ${MIN_NGINX_FOR_RERESOLVE.join(".")} or newer, which re-resolves the app after it is replaced`,
        });
    }
    if (get("appMigrateCommand") && !appEnabled) {
        issues.push({ key: full("appMigrateCommand"), message: `is set but ${full("appEnabled")} is false; the command runs in the app's image` });
    }
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

    const published: { key: string; address: string; port: number }[] = [];
    if (dbPublishPort) published.push({ key: "dbPublishPort", address: dbPublishAddress, port: dbPublishPort });
    if (appEnabled && get<number>("appPublishPort")) published.push({ key: "appPublishPort", address: "127.0.0.1", port: get<number>("appPublishPort") });
    if (proxyEnabled) published.push({ key: "proxyPort", address: get("proxyPublishAddress"), port: get<number>("proxyPort") });
    for (let i = 0; i < published.length; i++) {
        for (let j = i + 1; j < published.length; j++) {
            const [a, b] = [published[i], published[j]];
            const overlap = a.address === b.address || a.address === "0.0.0.0" || b.address === "0.0.0.0";
            if (a.port === b.port && overlap) {
                issues.push({ key: full(b.key), message: `port ${b.port} clashes with ${full(a.key)} on the same host address; choose another port` });
            }
        }
    }

    if (issues.length > 0) throw new SettingsError(issues);

    const prefixName = `${source.project}-${source.stack}`;
    const password = get<string>("dbPassword");
    return {
        project: source.project,
        stack: source.stack,
        prefix: prefixName,
        labels: stackLabels(source.project, source.stack),
        db: {
            image: dbImage,
            major,
            dataPath: dataPath!,
            user: get("dbUser"),
            name: get("dbName"),
            password: password === "" ? undefined : password,
            publish: dbPublishPort ? { address: dbPublishAddress, port: dbPublishPort } : undefined,
            protect: get<boolean>("protectData"),
        },
        app: appEnabled
            ? {
                  path: appPath,
                  baseImage: get("appBaseImage"),
                  packageManager,
                  buildPackages: get<string[]>("appBuildPackages"),
                  publish: get<number>("appPublishPort") ? { address: "127.0.0.1", port: get<number>("appPublishPort") } : undefined,
                  databaseUrlEnv,
                  healthPath: get("appHealthPath") || undefined,
                  env,
                  secretEnv,
                  migrateCommand: get("appMigrateCommand") || undefined,
                  publicUrl,
                  // NAME=url: the URL without its trailing / (https://shop.example.com), as auth libraries take it.
                  publicUrlEnv: publicUrl ? publicUrlEnv.map((name) => `${name}=${publicUrl.replace(/\/$/, "")}`) : [],
              }
            : undefined,
        proxy: proxyEnabled ? { baseImage: get("proxyBaseImage"), publish: { address: get("proxyPublishAddress"), port: get<number>("proxyPort") } } : undefined,
        limits: {
            db: limitsOf(get("dbMemory"), get("dbCpus")),
            app: limitsOf(get("appMemory"), get("appCpus")),
            proxy: limitsOf(get("proxyMemory"), get("proxyCpus")),
        },
        restartPolicy: get("restartPolicy"),
        healthcheckIntervalSeconds: get<number>("healthcheckInterval"),
        healthcheckStartIntervalSeconds: get<number>("healthcheckStartInterval"),
        stopGraceSeconds: get<number>("stopGraceSeconds"),
    };
}

function limitsOf(memorySize: string, cpuCount: string): ContainerLimits {
    // In the form the provider reads back (1 → "1.0"), else every up would replace the container.
    return { memoryMb: memorySize ? memoryMb(memorySize) : undefined, cpus: cpuCount ? cpusAsReadBack(cpuCount) : undefined };
}

/** Directory of `Pulumi.yaml`: relative paths in config (such as `appPath`) are read from here. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

/** The SDK marks `isConfigSecret` internal; it is the only way to know a value was set with `--secret`. */
const runtimeWithSecrets = pulumi.runtime as typeof pulumi.runtime & { isConfigSecret?: (key: string) => boolean };

/** Reads and validates the running stack's config (see {@link parseSettings}). */
export function loadSettings(): Settings {
    return parseSettings({
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        config: pulumi.runtime.allConfig(),
        isSecret: runtimeWithSecrets.isConfigSecret,
        fileExists: (p) => fs.existsSync(path.resolve(PROJECT_DIR, p)),
        readFile: (p) => (fs.existsSync(path.resolve(PROJECT_DIR, p)) ? fs.readFileSync(path.resolve(PROJECT_DIR, p), "utf8") : undefined),
    });
}
