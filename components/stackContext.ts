import * as pulumi from "@pulumi/pulumi";
import { RunPolicy } from "./containerDefaults";
import { Settings } from "./settings";

/**
 * What every component of a stack shares, handed over as one object (as pulumi-eks hands its cluster to node
 * groups): the network its containers join, the prefix of Docker object names, the labels every object
 * carries, and how containers are run.
 */
export interface StackContext {
    /** Name of the stack's network (the StackNetwork's output, so containers are created after it). */
    network: pulumi.Input<string>;
    /** Prefix of Docker object and image names, `<project>-<stack>`. */
    namePrefix: string;
    /** Labels naming project and stack, on every Docker object (and baked into built images). */
    labels: Record<string, string>;
    /** Restart policy, healthcheck timing and stop grace of every container. */
    runPolicy: RunPolicy;
}

/** The stack context for a stack's settings and its network. */
export function stackContext(settings: Settings, network: pulumi.Input<string>): StackContext {
    return {
        network,
        namePrefix: settings.prefix,
        labels: settings.labels,
        runPolicy: {
            restartPolicy: settings.restartPolicy,
            healthcheckIntervalSeconds: settings.healthcheckIntervalSeconds,
            healthcheckStartIntervalSeconds: settings.healthcheckStartIntervalSeconds,
            stopGraceSeconds: settings.stopGraceSeconds,
        },
    };
}
