import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { BUILD_SECRETS_ID, buildSecretsFile, contextHash, removeBuildSecrets, writeBuildSecrets } from "./buildSecrets";
import { healthcheck, limitInputs, Limits, REPLACE_ON_CHANGES, waitTimeoutSeconds } from "./containerDefaults";
import { dockerLabels, labelBuildArgs } from "./labels";
import { isLoopbackHost } from "./postgres";
import { StackContext } from "./stackContext";

/** Port the Next.js server listens on inside the network. */
export const APP_PORT = 3000;
/** The multi-stage build used for any Next.js app (deps / build / run, standalone output). */
export const NEXTJS_DOCKERFILE = "components/nextjs.Dockerfile";
/** Stage of {@link NEXTJS_DOCKERFILE} the migration runs in: the app's source with all its dependencies. */
export const MIGRATE_TARGET = "migrate";
/** Seconds the app may take to start before it must be healthy. */
const START_PERIOD_SECONDS = 60;

/**
 * The app's healthcheck, run by Node in the container (no curl or wget needed, whatever the base image): with a
 * health route, healthy on 2xx from it; without, on any HTTP answer below 500 from `/` (a redirect to a login
 * page or a 404 still says the server runs; redirects are not followed).
 */
export function healthProbe(port: number, healthPath?: string): string {
    return healthPath
        ? `fetch(${JSON.stringify(`http://127.0.0.1:${port}${healthPath}`)}).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`
        : `fetch("http://127.0.0.1:${port}/", { redirect: "manual" }).then((r) => process.exit(r.status < 500 ? 0 : 1), () => process.exit(1))`;
}

/** Arguments of a {@link NextApp}. */
export interface NextAppArgs {
    /** Network, name prefix, labels (also baked into the image) and run policy of the stack. */
    stack: StackContext;
    /** Network alias. Default `app`. */
    alias?: string;
    /** Build context, relative to the project: the app's directory, or the root of the workspace that holds it. */
    path: string;
    /**
     * The app's directory inside {@link path} (POSIX, e.g. `apps/web`) when the context is a workspace root: the
     * install runs at the root, the build in this directory. Default `.` (the app is the context).
     */
    appDir?: string;
    /** Node base image of the build and run stages. */
    baseImage: string;
    /** `name@version`, or `npm` (the base image's own, the default): installs and builds the app (components/packageManager.ts). */
    packageManager?: string;
    /** System packages (apk or apt-get) for the install and build stages only, e.g. for native addons. */
    buildPackages?: string[];
    /**
     * `NAME=value` environment of `next build` only (the builder stage; not the image that runs): NEXT_PUBLIC_*
     * values, which Next.js inlines at build time. Build arguments: not for secrets.
     */
    buildEnv?: string[];
    /**
     * Secret `NAME=value` environment of the install and the build (a registry token, say), given to the build as a
     * BuildKit secret: in no layer, history or build argument. With any, the image is built by docker.RemoteImage
     * (components/buildSecrets.ts says why).
     */
    buildSecrets?: pulumi.Input<string>[];
    /** Directory {@link path} is relative to: the project's, where the provider runs. Default the working directory. */
    projectDir?: string;
    /** Database URL for the app, from the Database component (secret). */
    databaseUrl: pulumi.Input<string>;
    /** Environment variable the app reads its database URL from. */
    databaseUrlEnv: string;
    /** Extra `NAME=value` environment. */
    env: string[];
    /** Extra secret `NAME=value` environment (kept secret in state and outputs). */
    secretEnv?: pulumi.Input<string>[];
    /**
     * Path of the app's own health route: healthy only on 2xx from it. Undefined (the default): healthy on any
     * HTTP answer below 500 from `/`, redirects not followed, so an app without a health route deploys as is.
     */
    healthPath?: string;
    /**
     * Shell command run once before a new app container starts (migrations), in the app's source with all its
     * dependencies (dev tools included: the `migrate` target), with the app's environment; none when undefined.
     */
    migrateCommand?: string;
    /** Publish the app on this host address and port; unpublished when undefined. */
    publish?: { address: string; port: number };
    /** Memory and CPU limits of the container. */
    limits?: Limits;
    /** Resources that must be ready first (the database container). */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** A Next.js app built into an image (standalone output) and run on the stack's network. */
export class NextApp extends pulumi.ComponentResource {
    /** Docker name of the container. */
    public readonly containerName: pulumi.Output<string>;
    /** Image the container runs (image ID: a rebuild changes it and replaces the container). */
    public readonly imageRef: pulumi.Output<string>;
    /** Network alias of the app, as declared (what the proxy is configured with). */
    public readonly alias: string;
    /** Host name of the app inside the network. */
    public readonly host: pulumi.Output<string>;
    /** Port inside the network. */
    public readonly port: pulumi.Output<number>;
    /** The container, for dependents. */
    public readonly container: docker.Container;

    constructor(name: string, args: NextAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nextstack:app:NextApp", name, {}, opts);
        const alias = args.alias ?? "app";
        const { namePrefix, labels, runPolicy } = args.stack;

        // One Dockerfile, two targets: the runner (default) for the app, and `migrate` (the app's source with all
        // its dependencies) for the migration command, built only when there is one.
        const buildArgs = {
            BASE_IMAGE: args.baseImage,
            PACKAGE_MANAGER: args.packageManager ?? "npm",
            BUILD_PACKAGES: (args.buildPackages ?? []).join(" "),
            // Only when used: a stack without them keeps the build arguments it had.
            ...(args.appDir && args.appDir !== "." ? { APP_DIR: args.appDir } : {}),
            ...(args.buildEnv?.length ? { NEXTSTACK_BUILD_ENV: args.buildEnv.join("\n") } : {}),
            // The Dockerfile fails the build when the secrets it was told of did not reach it.
            ...(args.buildSecrets?.length ? { NEXTSTACK_BUILD_SECRETS: "1" } : {}),
            ...labelBuildArgs(labels),
        };
        // With build secrets: the file the provider reads them from, written for the deployment (not for a preview,
        // which builds nothing) and removed once the images are built, or when the program ends.
        const projectDir = args.projectDir ?? process.cwd();
        const secretsFile = args.buildSecrets?.length ? buildSecretsFile(namePrefix) : undefined;
        const secretsSource = secretsFile
            ? pulumi.all(args.buildSecrets!).apply((entries) => {
                  if (!pulumi.runtime.isDryRun()) {
                      writeBuildSecrets(projectDir, secretsFile, entries);
                      process.once("exit", () => removeBuildSecrets(projectDir, secretsFile));
                  }
                  return secretsFile;
              })
            : undefined;

        // Hashed once for both images (the app's and the migrate target's): the whole context is read.
        const triggers = secretsSource ? { context: contextHash(projectDir, args.path, NEXTJS_DOCKERFILE) } : undefined;

        // The same build (context, Dockerfile, arguments), to the stage `target` (the runner when undefined). Returns
        // what a container runs: the image ID, so a rebuilt image replaces the container.
        const buildImage = (resource: string, image: string, target?: string): pulumi.Output<string> => {
            const imageName = `${namePrefix}-${image}:current`;
            if (!secretsSource) {
                const built = new docker.Image(
                    `${name}-${resource}`,
                    {
                        imageName,
                        build: { context: args.path, dockerfile: NEXTJS_DOCKERFILE, ...(target ? { target } : {}), args: buildArgs },
                        skipPush: true,
                        buildOnPreview: false,
                    },
                    { parent: this },
                );
                // repoDigest: the image ID for a local build.
                return built.repoDigest;
            }
            // kreuzwerker v4.5.0 docker_image: every `build` field used here and `triggers` are ForceNew, so a changed
            // context hash replaces (rebuilds) the image; keepLocally, as docker.Image leaves built images in place
            // (the old image's tag has moved to the new one; prune by label). The legacy builder path (Engine API build
            // with a BuildKit session) is the one that serves `secrets` without a buildx builder.
            const built = new docker.RemoteImage(
                `${name}-${resource}`,
                {
                    name: imageName,
                    keepLocally: true,
                    triggers,
                    build: {
                        context: args.path,
                        dockerfile: NEXTJS_DOCKERFILE,
                        ...(target ? { target } : {}),
                        buildArgs,
                        useLegacyBuilder: true,
                        secrets: [{ id: BUILD_SECRETS_ID, src: secretsSource }],
                    },
                },
                { parent: this },
            );
            return built.imageId;
        };
        const image = buildImage("image", "app");

        const databaseUrl = pulumi.secret(
            pulumi.output(args.databaseUrl).apply((url) => {
                const host = new URL(url).hostname;
                if (isLoopbackHost(host)) {
                    throw new Error(`${args.databaseUrlEnv} for the app points at ${host}: inside a container that is the container itself. Use the database's network alias.`);
                }
                return `${args.databaseUrlEnv}=${url}`;
            }),
        );

        const envs = [databaseUrl, "HOSTNAME=0.0.0.0", `PORT=${APP_PORT}`, ...args.env, ...(args.secretEnv ?? []).map((e) => pulumi.secret(e))];

        // A one-shot container: runs to its end during `up` (attach), before the app container is registered. It is
        // replaced, so it runs again, whenever the image or the environment changes.
        let migrated: pulumi.Output<pulumi.Resource> | undefined;
        let migrateImage: pulumi.Output<string> | undefined;
        if (args.migrateCommand) {
            migrateImage = buildImage("migrate-image", "app-migrate", MIGRATE_TARGET);
            const migrate = new docker.Container(
                `${name}-migrate`,
                {
                    name: `${namePrefix}-migrate`,
                    image: migrateImage,
                    command: ["sh", "-c", args.migrateCommand],
                    envs,
                    networksAdvanced: [{ name: args.stack.network }],
                    mustRun: false,
                    attach: true,
                    logs: true,
                    restart: "no",
                    ...limitInputs(args.limits),
                    labels: dockerLabels(labels, "migrate"),
                },
                { parent: this, deleteBeforeReplace: true, dependsOn: args.dependsOn },
            );
            // The provider reports the exit code and does not fail on it. The app depends on the migration through
            // `dependsOn`, resolved only once it exited 0: a failed migration stops the deployment before the app is
            // registered, so the running app is neither deleted nor replaced. (An input built from the migration's
            // outputs instead would make the engine delete the app before re-running the migration: DESIGN trap 18.)
            migrated = pulumi.all([migrate.exitCode, migrate.containerLogs]).apply(([code, logs]) => {
                if (code !== 0) {
                    throw new Error(`the app's migration (${args.migrateCommand}) exited with ${code}; the app was not replaced. Its output:\n${logs ?? ""}`);
                }
                return migrate;
            });
        }

        const container = new docker.Container(
            name,
            {
                name: `${namePrefix}-app`,
                // The image ID: a rebuilt image has a new one and replaces the container.
                image,
                envs,
                networksAdvanced: [{ name: args.stack.network, aliases: [alias] }],
                ports: args.publish ? [{ internal: APP_PORT, external: args.publish.port, ip: args.publish.address }] : [],
                healthcheck: healthcheck(
                    ["CMD", "node", "-e", healthProbe(APP_PORT, args.healthPath)],
                    runPolicy,
                    START_PERIOD_SECONDS,
                ),
                wait: true,
                waitTimeout: waitTimeoutSeconds(runPolicy, START_PERIOD_SECONDS),
                restart: runPolicy.restartPolicy,
                ...limitInputs(args.limits),
                destroyGraceSeconds: runPolicy.stopGraceSeconds,
                labels: dockerLabels(labels, "app"),
            },
            {
                parent: this,
                deleteBeforeReplace: true,
                replaceOnChanges: REPLACE_ON_CHANGES,
                dependsOn: migrated ? [...(args.dependsOn ?? []), migrated] : args.dependsOn,
            },
        );

        this.container = container;
        this.containerName = container.name;
        this.imageRef = image;
        if (secretsFile && !pulumi.runtime.isDryRun()) {
            // Both builds done (or nothing to build): the secrets are not needed any more.
            pulumi.all([image, migrateImage]).apply(() => removeBuildSecrets(projectDir, secretsFile));
        }
        // As declared: a proxy config built from the container's read-back outputs would be replaced with it (trap 18).
        this.alias = alias;
        this.host = pulumi.output(alias);
        this.port = pulumi.output(APP_PORT);
        this.registerOutputs({ containerName: this.containerName, imageRef: this.imageRef, host: this.host, port: this.port });
    }
}
