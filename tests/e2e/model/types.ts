import * as pulumi from "@pulumi/pulumi";
import Docker from "dockerode";

/**
 * The provider model's contract: one {@link ResourceModel} per resource type, each holding that provider's
 * facts (schema, Check, Diff, Create/Update/Delete as the provider calls the Engine API, Read). The engine
 * model (`../planner.ts`) calls them as the Pulumi engine calls a provider plugin:
 *
 *   check(news) → diff(old state, checked news) → same | update | replace → create / update / delete
 *
 * Every rule cites its source beside the code: repository, file, function, version. The versions modelled:
 *   - pulumi/pulumi-docker 5.2.0 (bridges kreuzwerker/terraform-provider-docker v4.5.0 for Container, Network,
 *     Volume, RemoteImage; `docker.Image` is native Go in provider/image.go);
 *   - the Docker Go client github.com/docker/docker v28.5.2 (kreuzwerker's go.mod), API version negotiated;
 *   - pulumi/pulumi-random 4.x for RandomPassword;
 *   - pulumi/pulumi (the engine: step generator, checkpoints) for the planner.
 */

/** Property values as the engine passes them: plain JSON, with unknowns (preview) as the SDK's sentinel. */
export type Props = Record<string, any>;

/** The sentinel an unknown value travels as in deserialized properties (the SDK's `runtime.unknownValue`). */
export const UNKNOWN: string = pulumi.runtime.unknownValue;

/** True for a value the engine does not know yet (an unknown output during preview or a dependent replacement). */
export const isUnknown = (value: unknown): boolean => value === UNKNOWN || pulumi.isUnknown(value);

/** One line per engine action, so a failed run shows what it did. */
export type Log = (line: string) => void;

/** The Docker engine the provider talks to, as the provider sees it after configure. */
export interface Engine {
    docker: Docker;
    /**
     * API version the Go client negotiated: the lower of the server's and the client's own maximum
     * (github.com/docker/docker v28.5.2 client: `client.WithAPIVersionNegotiation()`, kreuzwerker
     * internal/provider/config.go). Version gates of the Go client compare against this.
     */
    apiVersion: string;
    /** `DOCKER_HOST` for tools that talk to the same engine (the BuildKit build goes through the docker CLI). */
    dockerHost?: string;
    /** Directory relative paths are resolved from (the project root: the CLI's working directory). */
    cwd: string;
    log: Log;
    /** Told how long a phase took (image builds), for the e2e's phase times. */
    timing: (phase: string, seconds: number) => void;
}

/** What the provider's Diff says about one resource. */
export interface DiffResult {
    /** Top-level inputs (Pulumi names) whose value differs from state. */
    changed: string[];
    /** Of those, the ones whose change forces a replacement (ForceNew in the provider's schema). */
    replace: string[];
    /** Human-readable detail per changed path (`healthcheck.startPeriod: "1m0s" → "60s"`), for the preview. */
    details: string[];
}

/** The no-change diff. */
export const NO_DIFF: DiffResult = { changed: [], replace: [], details: [] };

/** A resource the provider created: its ID and the state it holds (what its Read returns). */
export interface Created {
    id: string;
    outputs: Props;
}

/**
 * An error the provider returns after the object was made on the engine (Create got as far as an ID, then
 * failed: `wait` timed out, the container exited). The engine records the object in state with init errors,
 * as pulumi/pulumi's step executor does for a partially created resource (`resource.NewState(... initErrors)`).
 */
export class PartialCreateError extends Error {
    constructor(message: string, readonly created: Created) {
        super(message);
    }
}

/** One provider's facts for one resource type. */
export interface ResourceModel {
    /** Pulumi type token, e.g. `docker:index/container:Container`. */
    readonly type: string;
    /**
     * The provider's Check: validates the inputs (unknown or invalid ones fail, naming them) and returns them
     * with the schema's defaults applied. `olds` are the previous inputs (undefined on create).
     * Must not touch the engine (a preview runs it).
     */
    check(name: string, news: Props, olds: Props | undefined, engine: Pick<Engine, "cwd">): Promise<Props>;
    /** The provider's Diff of the state it holds (`outputs`, as read back) against checked new inputs. */
    diff(olds: Props, outputs: Props, news: Props): DiffResult;
    /** Outputs a preview shows for a create or replacement: what the engine would compute is left out (unknown). */
    previewCreate(news: Props): Props;
    /** Outputs a preview shows for an in-place update of `outputs` to `news`. */
    previewUpdate(outputs: Props, news: Props): Props;
    /** Create on the engine, as the provider does; returns what state holds after (the provider's Read). */
    create(engine: Engine, name: string, news: Props): Promise<Created>;
    /** In-place update, as the provider does; returns the new state. */
    update(engine: Engine, name: string, id: string, outputs: Props, news: Props, diff: DiffResult): Promise<Props>;
    /** Delete from the engine, as the provider does (some providers' Delete does nothing). */
    delete(engine: Engine, name: string, id: string, outputs: Props): Promise<void>;
}
