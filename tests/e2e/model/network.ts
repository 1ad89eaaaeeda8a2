import Docker from "dockerode";
import { checkInputs, diffState, engineMessage, previewOfCreate, REMOVE_RETRY_MS, REMOVE_TIMEOUT_MS, removeUntilGone, Schema, withAllDefaults } from "./sdkv2";
import { Engine, Props, ResourceModel } from "./types";

/**
 * docker:index/network:Network: pulumi-docker 5.2.0 bridging kreuzwerker/terraform-provider-docker v4.5.0
 * internal/provider/resource_docker_network.go (schema), resource_docker_network_funcs.go (Create, Read, Delete).
 * There is no Update: every input is ForceNew.
 */
const TYPE = "docker:index/network:Network";

/** kw v4.5.0 resource_docker_network.go resourceDockerNetwork: the attributes the model knows. */
export const NETWORK_SCHEMA: Schema = {
    name: { type: "string", required: true, forceNew: true },
    labels: {
        type: "objectSet",
        forceNew: true,
        fields: { label: { type: "string", required: true, forceNew: true }, value: { type: "string", required: true, forceNew: true } },
    },
    driver: { type: "string", computed: true, forceNew: true },
    options: { type: "stringMap", computed: true, forceNew: true },
    internal: { type: "bool", computed: true, forceNew: true },
    attachable: { type: "bool", forceNew: true },
    ipv6: { type: "bool", forceNew: true },
    ipamDriver: { type: "string", default: "default", forceNew: true },
};

/**
 * kw resourceDockerNetworkCreate through moby v28.5.2 client/network_create.go NetworkCreate: options set only
 * from d.GetOk (non-zero) values; the Go client adds CheckDuplicate=true when the API is older than 1.44.
 */
export function networkCreateRequest(planned: Props, apiVersion: string): Record<string, any> {
    const request: Record<string, any> = { Name: planned.name, Internal: !!planned.internal, Attachable: !!planned.attachable, Ingress: false };
    if (planned.labels?.length) request.Labels = Object.fromEntries(planned.labels.map((l: any) => [l.label, l.value]));
    if (planned.driver) request.Driver = planned.driver;
    if (planned.options && Object.keys(planned.options).length) request.Options = planned.options;
    if (planned.ipv6) request.EnableIPv6 = true;
    if (planned.ipamDriver) request.IPAM = { Driver: planned.ipamDriver };
    const [major, minor] = apiVersion.split(".").map(Number);
    if (major < 1 || (major === 1 && minor < 44)) request.CheckDuplicate = true;
    return request;
}

/** kw resourceDockerNetworkReadRefreshFunc: what state holds (labels, driver, options… as the engine reports them). */
export function readNetworkState(planned: Props, info: any): Props {
    return {
        ...planned,
        name: info.Name,
        labels: Object.entries(info.Labels ?? {}).map(([label, value]) => ({ label, value })),
        driver: info.Driver,
        internal: !!info.Internal,
        attachable: !!info.Attachable,
        ingress: !!info.Ingress,
        ipv6: !!info.EnableIPv6,
        ipamDriver: info.IPAM?.Driver ?? "",
        ipamOptions: info.IPAM?.Options ?? undefined,
        scope: info.Scope,
        options: info.Options ?? {},
        // kw resource_docker_network_structures.go flattenIpamConfigSpec: only non-empty fields.
        ipamConfigs: (info.IPAM?.Config ?? []).map((c: any) => ({
            ...(c.Subnet ? { subnet: c.Subnet } : {}),
            ...(c.IPRange ? { ipRange: c.IPRange } : {}),
            ...(c.Gateway ? { gateway: c.Gateway } : {}),
            ...(c.AuxiliaryAddresses && Object.keys(c.AuxiliaryAddresses).length ? { auxAddress: c.AuxiliaryAddresses } : {}),
        })),
    };
}

/**
 * kw resourceDockerNetworkRemoveRefreshFunc: inspect (gone → done), remove; "has active endpoints" is pending and
 * retried until the timeout: containers still attached are not disconnected.
 */
export async function deleteNetwork(engine: Engine, name: string, id: string, retryMs = REMOVE_RETRY_MS, timeoutMs = REMOVE_TIMEOUT_MS): Promise<void> {
    const network: Docker.Network = engine.docker.getNetwork(id);
    engine.log(`delete  Network ${name}`);
    await removeUntilGone(
        async () => {
            const exists = await network.inspect().then(() => true, () => false);
            if (exists) await network.remove();
        },
        "has active endpoints",
        "pending",
        retryMs,
        timeoutMs,
    );
}

export const networkModel: ResourceModel = {
    type: TYPE,
    async check(name, news) {
        return checkInputs(`${TYPE} ${name}`, NETWORK_SCHEMA, news);
    },
    diff(_olds, outputs, news) {
        return diffState(NETWORK_SCHEMA, outputs, news);
    },
    previewCreate(news) {
        return previewOfCreate(NETWORK_SCHEMA, news);
    },
    previewUpdate() {
        throw new Error(`${TYPE} has no Update (every input is ForceNew): a change is a replacement`);
    },
    async create(engine, name, news) {
        const planned = withAllDefaults(NETWORK_SCHEMA, news);
        engine.log(`create  Network ${name} (${planned.name})`);
        let created: Docker.Network;
        try {
            created = await engine.docker.createNetwork(networkCreateRequest(planned, engine.apiVersion) as Docker.NetworkCreateOptions);
        } catch (e: any) {
            throw new Error(`Unable to create network: ${engineMessage(e)}`);
        }
        return { id: created.id, outputs: readNetworkState(planned, await created.inspect()) };
    },
    async update() {
        throw new Error(`${TYPE} has no Update (every input is ForceNew): a change is a replacement`);
    },
    delete(engine, name, id) {
        return deleteNetwork(engine, name, id);
    },
};
