import Docker from "dockerode";
import { PassThrough, Readable } from "stream";
import * as tar from "tar-stream";
import { Engine } from "../../e2e/model/types";

/**
 * A recording stand-in for the dockerode calls the provider models make: each call is recorded with its target
 * and request, answers come from `responses`, and an engine error can be injected per call name.
 */
export interface Call {
    op: string;
    target?: string;
    body?: any;
}

export interface FakeResponses {
    /** ContainerInspect answers, one per call (the last repeats). */
    containerInspect?: any[];
    /** Images by name or ID (ImageInspect). */
    images?: Record<string, any>;
    networkInspect?: any;
    volumeInspect?: any;
    /** Log bytes of the container (already demultiplexed). */
    logs?: string;
    /** Errors by call name (e.g. "container.stop"): an error object, or a function of the call count (undefined = succeed). */
    fail?: Record<string, any | ((n: number) => any)>;
}

export interface FakeUpload {
    name: string;
    mode: number;
    content: string;
}

export const engineError = (statusCode: number, message: string) =>
    Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message}`), { statusCode, json: { message } });

/** A tar's entries in order, with their headers' fields and their content as UTF-8 (a stream, or its bytes). */
export interface TarEntry {
    name: string;
    type: string | null | undefined;
    mode: number | undefined;
    uid: number | undefined;
    gid: number | undefined;
    linkname: string | null | undefined;
    mtime: Date | undefined;
    content: string;
}

export async function readTar(source: Buffer | { pipe(destination: tar.Extract): unknown }): Promise<TarEntry[]> {
    const entries: TarEntry[] = [];
    const extract = tar.extract();
    extract.on("entry", (header, body, next) => {
        const chunks: Buffer[] = [];
        body.on("data", (c: unknown) => chunks.push(c as Buffer));
        body.on("end", () => {
            const { name, type, mode, uid, gid, linkname, mtime } = header;
            entries.push({ name, type, mode, uid, gid, linkname, mtime, content: Buffer.concat(chunks).toString("utf8") });
            next();
        });
    });
    await new Promise<void>((resolve, reject) => {
        extract.on("finish", resolve);
        extract.on("error", reject);
        if (Buffer.isBuffer(source)) extract.end(source);
        else source.pipe(extract);
    });
    return entries;
}

export function fakeEngine(responses: FakeResponses = {}, apiVersion = "1.41"): { engine: Engine; calls: Call[]; uploads: FakeUpload[] } {
    const calls: Call[] = [];
    const uploads: FakeUpload[] = [];
    const counts: Record<string, number> = {};
    let inspectCount = 0;

    const act = async <T>(op: string, target: string | undefined, body: any, answer: () => T): Promise<T> => {
        calls.push({ op, target, ...(body === undefined ? {} : { body }) });
        counts[op] = (counts[op] ?? 0) + 1;
        const failure = responses.fail?.[op];
        const error = typeof failure === "function" ? failure(counts[op]) : failure;
        if (error) throw error;
        return answer();
    };

    const container = (id: string) => ({
        id,
        inspect: () =>
            act("container.inspect", id, undefined, () => {
                const answers = responses.containerInspect ?? [{}];
                return answers[Math.min(inspectCount++, answers.length - 1)];
            }),
        start: () => act("container.start", id, undefined, () => undefined),
        stop: (opts: any) => act("container.stop", id, opts, () => undefined),
        remove: (opts: any) => act("container.remove", id, opts, () => undefined),
        wait: (opts: any) => act("container.wait", id, opts, () => ({ StatusCode: 0 })),
        update: (body: any) => act("container.update", id, body, () => ({ Warnings: [] })),
        logs: (opts: any) => act("container.logs", id, opts, () => Readable.from([Buffer.from(responses.logs ?? "")])),
        putArchive: async (stream: NodeJS.ReadableStream, opts: any) => {
            for (const entry of await readTar(stream as unknown as Readable)) uploads.push({ name: entry.name, mode: entry.mode ?? 0, content: entry.content });
            return act("container.putArchive", id, opts, () => undefined);
        },
    });

    const network = (name: string) => ({
        id: name,
        inspect: () => act("network.inspect", name, undefined, () => responses.networkInspect),
        remove: () => act("network.remove", name, undefined, () => undefined),
        connect: (body: any) => act("network.connect", name, body, () => undefined),
        disconnect: (body: any) => act("network.disconnect", name, body, () => undefined),
    });

    const docker = {
        getImage: (name: string) => ({
            inspect: () =>
                act("image.inspect", name, undefined, () => {
                    const image = responses.images?.[name];
                    if (!image) throw engineError(404, `no such image: ${name}`);
                    return image;
                }),
            remove: (opts: any) => act("image.remove", name, opts, () => []),
        }),
        createContainer: (body: any) => act("container.create", body.name, body, () => container("c0ffee")),
        getContainer: (id: string) => container(id),
        getNetwork: (name: string) => network(name),
        createNetwork: (body: any) => act("network.create", body.Name, body, () => network("net-id")),
        createVolume: (body: any) => act("volume.create", body.Name, body, () => ({ name: body.Name })),
        getVolume: (name: string) => ({
            inspect: () => act("volume.inspect", name, undefined, () => responses.volumeInspect),
            remove: (opts: any) => act("volume.remove", name, opts, () => undefined),
        }),
        modem: {
            demuxStream: (stream: Readable, stdout: PassThrough) => stream.on("data", (c: Buffer) => stdout.write(c)),
        },
    } as unknown as Docker;

    const engine: Engine = { docker, apiVersion, cwd: process.cwd(), log: () => undefined, timing: () => undefined };
    return { engine, calls, uploads };
}

/** The operations recorded, in order (e.g. ["container.create", "container.start"]). */
export const ops = (calls: Call[]): string[] => calls.map((c) => c.op);
