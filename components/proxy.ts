import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { healthcheck, limitInputs, Limits, publishedUrl, REPLACE_ON_CHANGES, waitTimeoutSeconds } from "./containerDefaults";
import { dockerLabels, labelBuildArgs } from "./labels";
import { renderNginxConf } from "./nginxConf";
import { StackContext } from "./stackContext";

/** Port nginx listens on inside its container. */
export const PROXY_LISTEN_PORT = 80;
/** Where the rendered config is put in the container. */
export const PROXY_CONF_FILE = "/etc/nginx/conf.d/default.conf";
/** nginx's own health endpoint (not proxied). */
export const PROXY_HEALTH_PATH = "/nginx-health";
const START_PERIOD_SECONDS = 10;

/** Arguments of a {@link Proxy}. */
export interface ProxyArgs {
    /** Network, name prefix, labels (also baked into the image) and run policy of the stack. */
    stack: StackContext;
    /** Network alias. Default `proxy`. */
    alias?: string;
    /** nginx base image of the proxy image. */
    baseImage: string;
    /** Directory of the proxy image's Dockerfile, relative to the project. Default `nginx`. */
    path?: string;
    /**
     * Alias of the app on the network, as declared: the config is rendered at declare time, so replacing the app
     * does not replace the proxy (nginx re-resolves the alias).
     */
    upstreamHost: string;
    /** Port of the app on the network. */
    upstreamPort: number;
    /** Host address and port the proxy is published on. */
    publish: { address: string; port: number };
    /** Memory and CPU limits of the container. */
    limits?: Limits;
    /** Resources that must be ready first (the app container). */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** nginx in front of the app: the only container a prod stack publishes. */
export class Proxy extends pulumi.ComponentResource {
    /** Docker name of the container. */
    public readonly containerName: pulumi.Output<string>;
    /** URL of the proxy from the host. */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: ProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nextstack:proxy:Proxy", name, {}, opts);
        const alias = args.alias ?? "proxy";
        const { namePrefix, labels, runPolicy } = args.stack;

        const image = new docker.Image(
            `${name}-image`,
            {
                imageName: `${namePrefix}-proxy:current`,
                build: {
                    context: args.path ?? "nginx",
                    args: {
                        BASE_IMAGE: args.baseImage,
                        ...labelBuildArgs(labels),
                    },
                },
                skipPush: true,
                buildOnPreview: false,
            },
            { parent: this },
        );

        const conf = renderNginxConf({ upstreamHost: args.upstreamHost, upstreamPort: args.upstreamPort, listenPort: PROXY_LISTEN_PORT, healthPath: PROXY_HEALTH_PATH });

        const container = new docker.Container(
            name,
            {
                name: `${namePrefix}-proxy`,
                image: image.repoDigest,
                // A config change replaces the container (uploads happen at create): no stale config keeps running.
                uploads: [{ file: PROXY_CONF_FILE, content: conf }],
                networksAdvanced: [{ name: args.stack.network, aliases: [alias] }],
                ports: [{ internal: PROXY_LISTEN_PORT, external: args.publish.port, ip: args.publish.address }],
                healthcheck: healthcheck(
                    ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${PROXY_LISTEN_PORT}${PROXY_HEALTH_PATH}`],
                    runPolicy,
                    START_PERIOD_SECONDS,
                ),
                wait: true,
                waitTimeout: waitTimeoutSeconds(runPolicy, START_PERIOD_SECONDS),
                restart: runPolicy.restartPolicy,
                ...limitInputs(args.limits),
                destroyGraceSeconds: runPolicy.stopGraceSeconds,
                labels: dockerLabels(labels, "proxy"),
            },
            { parent: this, deleteBeforeReplace: true, replaceOnChanges: REPLACE_ON_CHANGES, dependsOn: args.dependsOn },
        );

        this.containerName = container.name;
        this.url = pulumi.output(publishedUrl(args.publish.address, args.publish.port));
        this.registerOutputs({ containerName: this.containerName, url: this.url });
    }
}
