import { checkInputs, diffState, engineMessage, plannedState, previewOfCreate, Schema, withAllDefaults } from "./sdkv2";
import { Engine, Props, ResourceModel } from "./types";

/**
 * docker:index/remoteImage:RemoteImage: pulumi-docker 5.2.0 maps kreuzwerker v4.5.0's `docker_image` to it
 * (provider/resources.go). Source: kreuzwerker v4.5.0 internal/provider/resource_docker_image.go (schema),
 * resource_docker_image_funcs.go (Create, Read, Update, Delete, findImage), data_source_docker_image.go
 * (determineRepoDigest). `build` is not modelled (the program builds with docker.Image).
 */
const TYPE = "docker:index/remoteImage:RemoteImage";

/** kw v4.5.0 resource_docker_image.go resourceDockerImage: name ForceNew; keep_locally and force_remove update in place. */
export const REMOTE_IMAGE_SCHEMA: Schema = {
    name: { type: "string", required: true, forceNew: true },
    keepLocally: { type: "bool" },
    forceRemove: { type: "bool" },
    platform: { type: "string", default: "", forceNew: true },
    pullTriggers: { type: "stringSet", forceNew: true },
    triggers: { type: "stringMap", forceNew: true },
};

const OUTPUTS_ONLY = ["imageId", "repoDigest"];

/**
 * kw data_source_docker_image.go determineRepoDigest: none → ""; one → it; else the first that starts with the
 * name without its tag; else the first.
 */
export function determineRepoDigest(imageName: string, repoDigests: string[] | undefined): string {
    const digests = repoDigests ?? [];
    if (digests.length === 0) return "";
    if (digests.length === 1) return digests[0];
    const colon = imageName.indexOf(":");
    const withoutTag = colon === -1 ? imageName : imageName.slice(0, colon);
    return digests.find((d) => d.startsWith(withoutTag)) ?? digests[0];
}

/**
 * kw findImage + searchLocalImages: the image is looked up locally by name (ImageInspect); a missing one would
 * be pulled, which this machine cannot do (no registry), so that fails here with what to do instead.
 */
async function findImage(engine: Engine, name: string): Promise<any> {
    try {
        return await engine.docker.getImage(name).inspect();
    } catch (e: any) {
        if (e?.statusCode !== 404) throw new Error(`unable to inspect image ${name}: ${engineMessage(e)}`);
        throw new Error(
            `Unable to read Docker image into resource: unable to pull image ${name}: the model does not pull (no registry here): ` +
                `build or load ${name} into the engine first`,
        );
    }
}

/** kw resourceDockerImageRead: image_id is the image ID, repo_digest per determineRepoDigest; the resource ID is ID + name. */
export function readRemoteImageState(planned: Props, info: any): { id: string; outputs: Props } {
    return {
        id: `${info.Id}${planned.name}`,
        outputs: { ...planned, imageId: info.Id, repoDigest: determineRepoDigest(planned.name, info.RepoDigests) },
    };
}

export const remoteImageModel: ResourceModel = {
    type: TYPE,
    async check(name, news) {
        return checkInputs(`${TYPE} ${name}`, REMOTE_IMAGE_SCHEMA, news);
    },
    diff(_olds, outputs, news) {
        return diffState(REMOTE_IMAGE_SCHEMA, outputs, news);
    },
    previewCreate(news) {
        return previewOfCreate(REMOTE_IMAGE_SCHEMA, news);
    },
    previewUpdate(outputs, news) {
        return plannedState(REMOTE_IMAGE_SCHEMA, outputs, news, OUTPUTS_ONLY);
    },
    async create(engine, name, news) {
        const planned = withAllDefaults(REMOTE_IMAGE_SCHEMA, news);
        engine.log(`find    RemoteImage ${name} (${planned.name})`);
        return readRemoteImageState(planned, await findImage(engine, planned.name));
    },
    // kw resourceDockerImageUpdate: find the image again (pull if missing), then Read.
    async update(engine, _name, _id, outputs, news) {
        const planned = plannedState(REMOTE_IMAGE_SCHEMA, outputs, news, OUTPUTS_ONLY);
        return readRemoteImageState(planned, await findImage(engine, planned.name)).outputs;
    },
    /**
     * kw resourceDockerImageDelete → removeImage: nothing when keep_locally; else, if the name is still found,
     * ImageRemove by name with force = force_remove (moby client/image_remove.go: noprune=1, PruneChildren unset).
     */
    async delete(engine, name, _id, outputs) {
        if (outputs.keepLocally) return;
        let found = true;
        try {
            await engine.docker.getImage(outputs.name).inspect();
        } catch (e: any) {
            if (e?.statusCode !== 404) throw new Error(`Unable to remove Docker image: ${engineMessage(e)}`);
            found = false;
        }
        if (!found) return;
        engine.log(`delete  RemoteImage ${name} (${outputs.name})`);
        await engine.docker
            .getImage(outputs.name)
            .remove({ ...(outputs.forceRemove ? { force: true } : {}), noprune: true })
            .catch((e: any) => {
                throw new Error(`Unable to remove Docker image: ${engineMessage(e)}`);
            });
    },
};
