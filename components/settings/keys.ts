import { z } from "zod";
import { cpus, envName, ipv4, isPublicUrl, memory, oneLineEnvEntry, optionalPort, pgIdentifier, pinnedImage, port, seconds } from "./checks";

/** Config namespace of every key (`nextstack:<key>`); equals the project name in `Pulumi.yaml`. */
export const CONFIG_NAMESPACE = "nextstack";

export type Kind = "string" | "integer" | "boolean" | "array";

/** One config key: how `Pulumi.yaml` declares it and how its value is checked. */
export interface KeySpec {
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

/**
 * Every config key of the project. `Pulumi.yaml` declares exactly these (a unit test holds them equal),
 * and the README's table lists them.
 */
export const CONFIG_KEYS = {
    dbImage: {
        type: "string",
        description: "Postgres image, pinned by tag (official image or a mirror of it).",
        default: "postgres:18-alpine",
        check: pinnedImage("postgres:18-alpine"),
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
        description: "Directory of the Next.js app, relative to the project: the build context, unless appWorkspaceRoot names the workspace that holds it.",
        default: "app",
        check: z.string().min(1, "a directory path"),
    },
    appWorkspaceRoot: {
        type: "string",
        description: "Root of the workspace (monorepo) that holds the app, relative to the project: the build context, where the lockfile is and the install runs; appPath is then the app's directory inside it (e.g. root web and appPath web/apps/site). Empty (the default): the app is its own root.",
        default: "",
        check: z.string(),
    },
    appBaseImage: {
        type: "string",
        description: "Node base image of the app's build and run stages, pinned by tag.",
        default: "node:24-alpine",
        check: pinnedImage("node:24-alpine"),
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
    appBuildEnv: {
        type: "array",
        description: "Environment of the app's build (next build) only, as NAME=value strings: NEXT_PUBLIC_* values, which Next.js inlines into the pages and scripts it builds, and other build-time settings (not for secrets: build arguments are kept in the engine's build cache).",
        default: [],
        check: z.array(z.string().regex(oneLineEnvEntry, "NAME=value strings on one line")),
    },
    appBuildSecrets: {
        type: "array",
        description: "Secret environment of the app's install and build only, as NAME=value strings (a private registry's NPM_TOKEN, a SENTRY_AUTH_TOKEN); set with --secret --path 'appBuildSecrets[0]'. Given to the build as a BuildKit secret: in no image layer, history or build argument. A changed value alone does not rebuild the image.",
        default: [],
        secret: true,
        check: z.array(z.string().regex(oneLineEnvEntry, "NAME=value strings on one line")),
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
        description: "Shell command run once before each new app container starts, in the app's source with all its dependencies (dev tools such as prisma or drizzle-kit included), with the app's env, on the network, e.g. npx prisma migrate deploy; empty for none. A failure stops the deployment.",
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
        check: pinnedImage("nginx:1.30-alpine"),
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

/** Full key of a config key, such as `nextstack:proxyPort`, as messages name it. */
export const full = (key: string) => `${CONFIG_NAMESPACE}:${key}`;
