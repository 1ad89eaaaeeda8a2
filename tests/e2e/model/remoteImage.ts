import * as fs from "fs";
import * as path from "path";
import { ContextArchive, contextArchive, packArchive, readIgnoreFile, runDockerBuild } from "./image";
import { checkInputs, diffState, engineMessage, plannedState, previewOfCreate, Schema, withAllDefaults } from "./sdkv2";
import { Engine, Props, ResourceModel } from "./types";

/**
 * docker:index/remoteImage:RemoteImage: pulumi-docker 5.2.0 maps kreuzwerker v4.5.0's `docker_image` to it
 * (provider/resources.go). Source: kreuzwerker v4.5.0 internal/provider/resource_docker_image.go (schema),
 * resource_docker_image_funcs.go (Create, buildImage, legacyBuildDockerImage, enableBuildKitIfSupported,
 * prepareBuildContext, decodeBuildMessages, parseBuildSecrets, Read, Update, Delete, findImage),
 * docker_buildx_build.go (canUseBuildx), resource_docker_registry_image_funcs.go (createImageBuildOptions),
 * data_source_docker_image.go (determineRepoDigest). `build` is modelled on its legacy-builder path only
 * (`useLegacyBuilder: true`: the Engine API's build with a BuildKit session that serves secrets); the buildx path
 * (a buildx builder, the provider's default when buildx is usable) is not, and fails here with its name.
 */
const TYPE = "docker:index/remoteImage:RemoteImage";

/**
 * kw v4.5.0 resource_docker_image.go buildSchema: the fields this model implements. Every one of them but `tag`,
 * `remove` and `label` is ForceNew (a change replaces the image, i.e. builds it again); `dockerfile` defaults to
 * "Dockerfile", `remove` to true, `use_legacy_builder` to false. Any other field of `build` fails as not modelled.
 */
const BUILD_SCHEMA: Schema = {
    context: { type: "string", required: true, forceNew: true },
    dockerfile: { type: "string", default: "Dockerfile", forceNew: true },
    target: { type: "string", forceNew: true },
    buildArgs: { type: "stringMap", forceNew: true },
    labels: { type: "stringMap", forceNew: true },
    label: { type: "stringMap" },
    tag: { type: "stringList" },
    remove: { type: "bool", default: true },
    useLegacyBuilder: { type: "bool", default: false, forceNew: true },
    secrets: {
        type: "objectList",
        fields: {
            id: { type: "string", required: true, forceNew: true },
            src: { type: "string", forceNew: true },
            env: { type: "string", forceNew: true },
        },
    },
};

/** kw v4.5.0 resource_docker_image.go resourceDockerImage: name ForceNew; keep_locally and force_remove update in place. */
export const REMOTE_IMAGE_SCHEMA: Schema = {
    name: { type: "string", required: true, forceNew: true },
    keepLocally: { type: "bool" },
    forceRemove: { type: "bool" },
    platform: { type: "string", default: "", forceNew: true },
    pullTriggers: { type: "stringSet", forceNew: true },
    triggers: { type: "stringMap", forceNew: true },
    // MaxItems 1 (a set of one, which the bridge flattens to an object), ConflictsWith pull_triggers.
    build: { type: "object", fields: BUILD_SCHEMA },
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

/**
 * kw Check (SDKv2 schema validation) for what the schema alone does not say: `build` ConflictsWith
 * `pull_triggers`; and the limits of this model (the buildx path and env-sourced secrets are not modelled).
 */
export function checkRemoteImage(name: string, news: Props): Props {
    const where = `${TYPE} ${name}`;
    const checked = checkInputs(where, REMOTE_IMAGE_SCHEMA, news);
    if (checked.build === undefined) return checked;
    if (checked.pullTriggers !== undefined) throw new Error(`${where}: "build": conflicts with pull_triggers`);
    if (checked.build.useLegacyBuilder !== true) {
        throw new Error(`${where}: input "build" without useLegacyBuilder: the provider's buildx path (docker_buildx_build.go runBuild) is not modelled`);
    }
    for (const [i, secret] of (checked.build.secrets ?? []).entries()) {
        if (secret.env) throw new Error(`${where}: input "build.secrets[${i}].env": secrets from the provider's environment are not modelled (give src)`);
        if (!secret.src) throw new Error(`${where}: input "build.secrets[${i}]": a secret without src or env (read from a file named by its id) is not modelled`);
    }
    return checked;
}

/** docker/cli v28.5.2 build.ReadDockerignore: `<context>/.dockerignore` only (no `<dockerfile>.dockerignore`), else none. */
export function contextDockerignore(cwd: string, context: string): string[] {
    const file = path.resolve(cwd, context, ".dockerignore");
    return fs.existsSync(file) ? readIgnoreFile(fs.readFileSync(file, "utf8")) : [];
}

/**
 * kw canUseBuildx: DOCKER_BUILDKIT, when set, must parse as a Go bool (strconv.ParseBool), else the build fails
 * before it starts. (Its other outcomes choose between buildx and legacy, and `useLegacyBuilder` forces legacy.)
 */
export function checkDockerBuildkitEnv(value: string | undefined): void {
    if (value === undefined || value === "") return;
    if (!["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"].includes(value)) {
        throw new Error(`DOCKER_BUILDKIT environment variable expects boolean value: strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
    }
}

/**
 * moby/buildkit session/secrets/secretsprovider/store.go NewStore (read at 0ab18001; kw pins v0.22.0): a secret
 * without an ID fails; a file source must stat (relative paths from the provider's working directory) and be at
 * most 500 KB. Returns each secret with its file's absolute path.
 */
export function secretSources(cwd: string, secrets: Props[]): { id: string; file: string }[] {
    return secrets.map((secret) => {
        if (!secret.id) throw new Error("secret missing ID");
        const file = path.resolve(cwd, secret.src);
        let size: number;
        try {
            size = fs.statSync(file).size;
        } catch (err: any) {
            throw new Error(`failed to stat ${secret.src}: ${err?.code === "ENOENT" ? "no such file or directory" : err?.message ?? err}`);
        }
        if (size > 500 * 1024) throw new Error(`secret ${secret.id} too big. max size 500KB`);
        return { id: secret.id, file };
    });
}

/**
 * legacyBuildDockerImage's ImageBuildOptions (createImageBuildOptions) as docker CLI arguments: Tags [name, ...tag],
 * Dockerfile (its name in the tar), BuildArgs, Labels (`labels`), Target, Remove (`remove`), Version "2" (BuildKit:
 * enableBuildKitIfSupported, every API version since 1.39, which both engines here exceed), the session's secrets
 * (`--secret`, which Debian's CLI 20.10 serves from the file), the context from stdin.
 */
export function remoteBuildCommand(imageName: string, build: Props, dockerfileInArchive: string, secrets: { id: string; file: string }[], dockerHost?: string): { argv: string[]; env: NodeJS.ProcessEnv } {
    const argv = ["build", "--progress=plain", `--rm=${build.remove !== false}`, "-f", dockerfileInArchive];
    for (const tag of [imageName, ...(build.tag ?? [])]) argv.push("-t", tag);
    if (build.target) argv.push("--target", build.target);
    for (const [key, value] of Object.entries(build.buildArgs ?? {})) argv.push("--build-arg", `${key}=${value}`);
    for (const [key, value] of Object.entries(build.labels ?? {})) argv.push("--label", `${key}=${value}`);
    for (const { id, file } of secrets) argv.push("--secret", `id=${id},src=${file}`);
    argv.push("-");
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_BUILDKIT: "1" };
    if (dockerHost) env.DOCKER_HOST = dockerHost;
    return { argv, env };
}

/**
 * kw resourceDockerImageCreate with `build`: buildImage (canUseBuildx, then the legacy path) → findImage(name) →
 * Read. legacyBuildDockerImage: secrets store (NewStore), prepareBuildContext (the context's .dockerignore,
 * TrimBuildFilesFromExcludes, a Dockerfile outside the context added to the tar), ImageBuild, decodeBuildMessages
 * (an error in the stream: "unable to build image" and the output). buildImage wraps it: "Error running legacy build: …".
 */
async function buildRemoteImage(engine: Engine, name: string, planned: Props): Promise<void> {
    const started = Date.now();
    const build: Props = planned.build;
    const failed = (message: string): never => {
        throw new Error(`Error running legacy build: ${message}`);
    };
    checkDockerBuildkitEnv(process.env.DOCKER_BUILDKIT);
    let secrets: { id: string; file: string }[] = [];
    let archive: ContextArchive;
    try {
        secrets = secretSources(engine.cwd, build.secrets ?? []);
        // prepareBuildContext: build.TrimBuildFilesFromExcludes(excludes, specifiedDockerfile, false), the path as given.
        archive = contextArchive(engine.cwd, build.context, build.dockerfile, { excludes: contextDockerignore(engine.cwd, build.context), trimmedDockerfile: build.dockerfile });
    } catch (err: any) {
        return failed(err.message);
    }
    const { argv, env } = remoteBuildCommand(planned.name, build, archive.dockerfileInArchive, secrets, engine.dockerHost);
    try {
        await runDockerBuild(argv, env, packArchive(archive.entries));
    } catch (err: any) {
        failed(`unable to build image\n\n${err.message}`);
    }
    const seconds = (Date.now() - started) / 1000;
    engine.log(`build   RemoteImage ${name} (${planned.name}) in ${seconds.toFixed(1)} s (legacy builder, BuildKit)`);
    engine.timing(`build ${planned.name}`, seconds);
}

export const remoteImageModel: ResourceModel = {
    type: TYPE,
    async check(name, news) {
        return checkRemoteImage(name, news);
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
        if (planned.build) await buildRemoteImage(engine, name, planned);
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
