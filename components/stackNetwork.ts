import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerLabels } from "./labels";

/** Arguments of a {@link StackNetwork}. */
export interface StackNetworkArgs {
    /** Docker name of the network, `<project>-<stack>`. */
    name: string;
    /** Labels naming project and stack. */
    labels: Record<string, string>;
}

/** The stack's user-defined bridge network: containers on it find each other by alias through Docker's DNS. */
export class StackNetwork extends pulumi.ComponentResource {
    /** Docker name of the network. */
    public readonly name: pulumi.Output<string>;

    constructor(name: string, args: StackNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nextstack:network:StackNetwork", name, {}, opts);
        const network = new docker.Network(
            name,
            { name: args.name, driver: "bridge", labels: dockerLabels(args.labels) },
            { parent: this },
        );
        this.name = network.name;
        this.registerOutputs({ name: this.name });
    }
}
