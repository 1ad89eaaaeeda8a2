import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { healthcheck, hostAddressFor, limitInputs, Limits, REPLACE_ON_CHANGES, waitTimeoutSeconds } from "./containerDefaults";
import { dockerLabels } from "./labels";
import { connectionUrl, PASSWORD_SYNCED_MARKER, postgresStartScript, START_SCRIPT_PATH } from "./postgres";
import { StackContext } from "./stackContext";

/** Port Postgres listens on inside the network. */
export const POSTGRES_PORT = 5432;
/** Where the password file is put in the container (read through `POSTGRES_PASSWORD_FILE`). */
export const PASSWORD_FILE = "/run/secrets/postgres-password";
/** Seconds Postgres may take to initialise an empty volume before it must be healthy. */
const START_PERIOD_SECONDS = 60;

/** Arguments of a {@link Database}. */
export interface DatabaseArgs {
    /** Network, name prefix, labels and run policy of the stack. */
    stack: StackContext;
    /** Network alias other containers use as host name. Default `db`. */
    alias?: string;
    /** Postgres image, pinned by tag. */
    image: string;
    /** Mount point of the data volume for this image's major version. */
    dataPath: string;
    /** Database user (POSTGRES_USER). */
    user: string;
    /** Database name (POSTGRES_DB). */
    database: string;
    /** Password from config (treated as a secret); generated when undefined. */
    password?: string;
    /** Publish Postgres on this host address and port (for tools on the host); unpublished when undefined. */
    publish?: { address: string; port: number };
    /**
     * Protect the data volume: `pulumi destroy` and replacements refuse to delete it (`protect`), and should it be
     * deleted after `pulumi state unprotect`, it stays on the engine (`retainOnDelete`).
     */
    protectData: boolean;
    /** Memory and CPU limits of the container. */
    limits?: Limits;
}

/** PostgreSQL in a container on the stack's network, with its data in a named volume. */
export class Database extends pulumi.ComponentResource {
    /** Host name of the database inside the network (its alias). */
    public readonly host: pulumi.Output<string>;
    /** Port inside the network. */
    public readonly port: pulumi.Output<number>;
    /** Database user. */
    public readonly user: pulumi.Output<string>;
    /** Database name. */
    public readonly database: pulumi.Output<string>;
    /** Password (secret). */
    public readonly password: pulumi.Output<string>;
    /** URL for containers on the network: `postgresql://user:pw@db:5432/name` (secret). */
    public readonly url: pulumi.Output<string>;
    /** URL for programs on the host, through the published port (secret); undefined when not published. */
    public readonly hostUrl: pulumi.Output<string | undefined>;
    /** Docker name of the container. */
    public readonly containerName: pulumi.Output<string>;
    /** Docker name of the data volume. */
    public readonly volumeName: pulumi.Output<string>;
    /** The container, for dependents that must start after it is healthy. */
    public readonly container: docker.Container;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nextstack:db:Database", name, {}, opts);
        const alias = args.alias ?? "db";
        const { namePrefix, labels, runPolicy } = args.stack;

        const password = args.password !== undefined
            ? pulumi.secret(args.password)
            : pulumi.secret(new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this }).result);

        // keepLocally: the pulled image is shared by every stack on the engine; removing it on one stack's
        // destroy would fail while another uses it, or force a new pull.
        const image = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, { parent: this });

        // Name, driver and labels stay fixed: a change to any of them replaces the volume, and with it the data.
        const volume = new docker.Volume(
            `${name}-data`,
            { name: `${namePrefix}-pgdata`, driver: "local", labels: dockerLabels(labels) },
            { parent: this, protect: args.protectData, retainOnDelete: args.protectData },
        );

        const container = new docker.Container(
            name,
            {
                name: `${namePrefix}-db`,
                image: image.imageId,
                envs: [`POSTGRES_USER=${args.user}`, `POSTGRES_DB=${args.database}`, `POSTGRES_PASSWORD_FILE=${PASSWORD_FILE}`],
                // The start script sets the role's password from the file on every start (see postgresStartScript);
                // init reaps the script's background job and forwards the stop signal to Postgres.
                entrypoints: [START_SCRIPT_PATH],
                command: ["postgres"],
                init: true,
                uploads: [
                    { file: PASSWORD_FILE, content: password, permissions: "0444" },
                    { file: START_SCRIPT_PATH, content: postgresStartScript(), permissions: "0755" },
                ],
                mounts: [{ type: "volume", source: volume.name, target: args.dataPath }],
                networksAdvanced: [{ name: args.stack.network, aliases: [alias] }],
                ports: args.publish ? [{ internal: POSTGRES_PORT, external: args.publish.port, ip: args.publish.address }] : [],
                // Over TCP: the image's first-start init server listens on the socket only, so a socket probe
                // could call it ready before it accepts clients. Healthy also means the password is the current one.
                // (User and database are plain identifiers: validated in settings.)
                healthcheck: healthcheck(
                    ["CMD-SHELL", `pg_isready -h 127.0.0.1 -p ${POSTGRES_PORT} -U ${args.user} -d ${args.database} && test -f ${PASSWORD_SYNCED_MARKER}`],
                    runPolicy,
                    START_PERIOD_SECONDS,
                ),
                wait: true,
                waitTimeout: waitTimeoutSeconds(runPolicy, START_PERIOD_SECONDS),
                restart: runPolicy.restartPolicy,
                ...limitInputs(args.limits),
                destroyGraceSeconds: runPolicy.stopGraceSeconds,
                labels: dockerLabels(labels, "db"),
            },
            { parent: this, deleteBeforeReplace: true, replaceOnChanges: REPLACE_ON_CHANGES },
        );

        this.container = container;
        // The alias as declared, not as read back from the container: a URL built from the container's outputs
        // would make the engine replace every consumer whenever the database is replaced (DESIGN trap 18).
        this.host = pulumi.output(alias);
        this.port = pulumi.output(POSTGRES_PORT);
        this.user = pulumi.output(args.user);
        this.database = pulumi.output(args.database);
        this.password = password;
        this.containerName = container.name;
        this.volumeName = volume.name;
        this.url = pulumi.secret(
            password.apply((pw) => connectionUrl({ user: args.user, password: pw, host: alias, port: POSTGRES_PORT, database: args.database })),
        );
        const publish = args.publish;
        this.hostUrl = publish
            ? pulumi.secret(password.apply((pw) =>
                  connectionUrl({ user: args.user, password: pw, host: hostAddressFor(publish.address), port: publish.port, database: args.database }),
              ))
            : pulumi.output(undefined);

        this.registerOutputs({
            host: this.host,
            port: this.port,
            user: this.user,
            database: this.database,
            password: this.password,
            url: this.url,
            hostUrl: this.hostUrl,
            containerName: this.containerName,
            volumeName: this.volumeName,
        });
    }
}
