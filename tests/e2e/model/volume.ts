import { checkInputs, diffState, engineMessage, plannedState, previewOfCreate, REMOVE_RETRY_MS, REMOVE_TIMEOUT_MS, removeUntilGone, Schema, withAllDefaults } from "./sdkv2";
import { Engine, Props, ResourceModel } from "./types";

/**
 * docker:index/volume:Volume: pulumi-docker 5.2.0 bridging kreuzwerker/terraform-provider-docker v4.5.0
 * internal/provider/resource_docker_volume.go (schema, Create, Read, Update, Delete).
 */
const TYPE = "docker:index/volume:Volume";

/**
 * kw v4.5.0 resource_docker_volume.go resourceDockerVolume. `name` is Optional+Computed there and the bridge would
 * autoname it (pulumi-docker resources.go SetAutonaming); the model does not autoname, so it requires a name.
 */
export const VOLUME_SCHEMA: Schema = {
    name: { type: "string", required: true, forceNew: true },
    labels: {
        type: "objectSet",
        forceNew: true,
        fields: { label: { type: "string", required: true, forceNew: true }, value: { type: "string", required: true, forceNew: true } },
    },
    driver: { type: "string", computed: true, forceNew: true },
    driverOpts: { type: "stringMap", forceNew: true },
};

const OUTPUTS_ONLY = ["mountpoint"];

/** kw resourceDockerVolumeCreate: volume.CreateOptions from the d.GetOk (non-zero) values. */
export function volumeCreateRequest(planned: Props): Record<string, any> {
    const request: Record<string, any> = { Name: planned.name };
    if (planned.labels?.length) request.Labels = Object.fromEntries(planned.labels.map((l: any) => [l.label, l.value]));
    if (planned.driver) request.Driver = planned.driver;
    if (planned.driverOpts && Object.keys(planned.driverOpts).length) request.DriverOpts = planned.driverOpts;
    return request;
}

/** kw resourceDockerVolumeRead: name, labels, driver, driver_opts and mountpoint as the engine reports them. */
export function readVolumeState(planned: Props, info: any): Props {
    return {
        ...planned,
        name: info.Name,
        labels: Object.entries(info.Labels ?? {}).map(([label, value]) => ({ label, value })),
        driver: info.Driver,
        driverOpts: info.Options ?? undefined,
        mountpoint: info.Mountpoint,
    };
}

/**
 * kw resourceDockerVolumeRemoveRefreshFunc: VolumeRemove with force; "volume is in use" is retried until the
 * timeout; any other error, a missing volume too (the engine answers 404 even with force), fails the delete.
 */
export async function deleteVolume(engine: Engine, name: string, id: string, retryMs = REMOVE_RETRY_MS, timeoutMs = REMOVE_TIMEOUT_MS): Promise<void> {
    engine.log(`delete  Volume ${name}`);
    await removeUntilGone(() => engine.docker.getVolume(id).remove({ force: true }), "volume is in use", "in_use", retryMs, timeoutMs);
}

export const volumeModel: ResourceModel = {
    type: TYPE,
    async check(name, news) {
        return checkInputs(`${TYPE} ${name}`, VOLUME_SCHEMA, news);
    },
    diff(_olds, outputs, news) {
        return diffState(VOLUME_SCHEMA, outputs, news);
    },
    previewCreate(news) {
        return previewOfCreate(VOLUME_SCHEMA, news);
    },
    previewUpdate(outputs, news) {
        return plannedState(VOLUME_SCHEMA, outputs, news, OUTPUTS_ONLY);
    },
    async create(engine, name, news) {
        const planned = withAllDefaults(VOLUME_SCHEMA, news);
        engine.log(`create  Volume ${name} (${planned.name})`);
        let created: any;
        try {
            created = await engine.docker.createVolume(volumeCreateRequest(planned) as any);
        } catch (e: any) {
            throw new Error(`Unable to create volume: ${engineMessage(e)}`);
        }
        // kw create: the ID is the volume's name.
        const id: string = created.Name ?? created.name;
        return { id, outputs: readVolumeState(planned, await engine.docker.getVolume(id).inspect()) };
    },
    // kw resourceDockerVolumeUpdate acts on cluster.availability only (not modelled): state takes the plan.
    async update(_engine, _name, _id, outputs, news) {
        return plannedState(VOLUME_SCHEMA, outputs, news, OUTPUTS_ONLY);
    },
    delete(engine, name, id) {
        return deleteVolume(engine, name, id);
    },
};
