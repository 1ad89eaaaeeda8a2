import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as tar from "tar-stream";
import { Created, DiffResult, Engine, isUnknown as isUnknownOutput, NO_DIFF, Props, ResourceModel, UNKNOWN } from "./types";

/**
 * `docker:index/image:Image` as pulumi/pulumi-docker 5.2.0 implements it: native Go, not bridged
 * (provider/hybrid.go: every call for `dockerImageTok` goes to `dockerNativeProvider`).
 *
 * Sources, read at pulumi/pulumi-docker 237b7899 (HEAD of the mirror). provider/image.go and provider/hybrid.go are
 * identical from v5.1.0 (e944612c) to HEAD and provider/provider.go differs only in one import path, so 5.2.0 (released
 * between them, untagged in the mirror) holds the same code. Its go.mod pins the libraries ported below:
 *   - github.com/moby/patternmatcher v0.6.0 (patternmatcher.go, ignorefile/ignorefile.go): ignore-file patterns;
 *   - github.com/tonistiigi/fsutil 586307ad452f (filter.go, fs.go, stat.go): the walk the context digest hashes;
 *   - github.com/moby/go-archive v0.1.0 (archive.go, Tarballer.Do): the walk the build context tar is made by;
 *   - github.com/docker/cli v28.5.2 (cli/command/image/build/context.go, dockerignore.go): context helpers.
 *
 * The provider builds through the Engine API (`ImageBuild` with the context tar as body, `Version: "2"` and a BuildKit
 * session that only serves registry auth). This model makes the same tar and hands it to Debian's docker CLI 20.10
 * as a stdin context (`docker build … -`), which uploads it the same way: the daemon sees the same context and runs
 * the same builder ("load remote build context"). Measured here on engines 20.10.24 and 28.5.2: BuildKit does not
 * apply a `.dockerignore` found inside an uploaded tar, so what the provider's tar holds is what `COPY . .` sees.
 */

const TYPE = "docker:index/image:Image";

/** Debian's CLI 20.10; `/usr/local/bin/docker` (CLI 28 without buildx) cannot build with BuildKit (DESIGN §7). */
const DOCKER_CLI = "/usr/bin/docker";

/** Lines of build output an error shows. */
const FAILURE_TAIL_LINES = 30;

/** provider/image.go: `defaultDockerfile = "Dockerfile"`. */
const DEFAULT_DOCKERFILE = "Dockerfile";

/** provider/image.go, marshalBuilder: the schema's enum values → ImageBuildOptions.Version. */
const BUILDER_VERSIONS: Record<string, "1" | "2"> = { BuilderV1: "1", BuilderBuildKit: "2" };

/**
 * provider/cmd/pulumi-resource-docker/schema.json, `docker:index/image:Image` inputProperties and
 * `docker:index/dockerBuild:DockerBuild` properties: what the provider accepts. `false` marks what this model does
 * not implement; such an input fails the run with its name instead of being dropped.
 */
const INPUTS: Record<string, boolean> = { imageName: true, build: true, skipPush: true, buildOnPreview: true, registry: false };
const BUILD_INPUTS: Record<string, boolean> = {
    context: true,
    dockerfile: true,
    args: true,
    target: true,
    platform: true,
    builderVersion: true,
    cacheFrom: false,
    addHosts: false,
    network: false,
};

/**
 * An unknown value in either form it reaches the model: the SDK's Unknown object (mock inputs in a preview) or the
 * wire sentinel string (the planner's stand-in for outputs of a resource being replaced). types.ts's `isUnknown`
 * (pulumi.isUnknown) recognises only the first.
 */
const isUnknown = (value: unknown): boolean => value === UNKNOWN || isUnknownOutput(value);

const fail = (name: string, message: string): never => {
    throw new Error(`docker.Image ${name}: ${message}`);
};

// ---------------------------------------------------------------------------------------------------------------
// Paths as Go handles them
// ---------------------------------------------------------------------------------------------------------------

/** Go's path.Clean (and filepath.Clean on Unix): no trailing slash, "." for empty, `..` folded where it can be. */
export function goClean(p: string): string {
    const rooted = p.startsWith("/");
    const out: string[] = [];
    for (const part of p.split("/")) {
        if (part === "" || part === ".") continue;
        if (part === "..") {
            if (out.length && out[out.length - 1] !== "..") out.pop();
            else if (!rooted) out.push("..");
        } else out.push(part);
    }
    const cleaned = (rooted ? "/" : "") + out.join("/");
    return cleaned === "" ? "." : cleaned;
}

/** Go's path.Join: joins the non-empty elements and cleans the result. */
const goJoin = (...parts: string[]): string => {
    const joined = parts.filter((p) => p !== "").join("/");
    return joined === "" ? "" : goClean(joined);
};

/** Go's os.FileMode bits as `os.Lstat` sets them on Linux (os/stat_linux.go fillFileStatFromSys). */
const GO_MODE = {
    dir: 1 << 31,
    symlink: 1 << 27,
    device: 1 << 26,
    namedPipe: 1 << 25,
    socket: 1 << 24,
    setuid: 1 << 23,
    setgid: 1 << 22,
    charDevice: 1 << 21,
    sticky: 1 << 20,
};

/** The Go os.FileMode of an lstat result; fsutil stat.go mkstat then clears the socket bit. */
export function goFileMode(stat: fs.Stats): number {
    let mode = stat.mode & 0o777;
    if (stat.isDirectory()) mode |= GO_MODE.dir;
    else if (stat.isSymbolicLink()) mode |= GO_MODE.symlink;
    else if (stat.isBlockDevice()) mode |= GO_MODE.device;
    else if (stat.isCharacterDevice()) mode |= GO_MODE.device | GO_MODE.charDevice;
    else if (stat.isFIFO()) mode |= GO_MODE.namedPipe;
    if (stat.mode & 0o4000) mode |= GO_MODE.setuid;
    if (stat.mode & 0o2000) mode |= GO_MODE.setgid;
    if (stat.mode & 0o1000) mode |= GO_MODE.sticky;
    return mode >>> 0;
}

/** Go's os.FileMode.String() (io/fs/fs.go): type letters "dalTLDpSugct?" (or "-") then rwxrwxrwx. */
export function goFileModeString(mode: number): string {
    const letters = "dalTLDpSugct?";
    let out = "";
    for (let i = 0; i < letters.length; i++) if ((mode >>> (31 - i)) & 1) out += letters[i];
    if (out === "") out = "-";
    const rwx = "rwxrwxrwx";
    for (let i = 0; i < 9; i++) out += (mode >>> (8 - i)) & 1 ? rwx[i] : "-";
    return out;
}

/** Go's runtime.GOARCH for Node's process.arch. */
const GOARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64", loong64: "loong64" };

/** provider.go Check: "OS defaults to Linux in all cases", architecture the provider's own (runtime.GOARCH). */
export const hostPlatform = (): string => `linux/${GOARCH[process.arch] ?? process.arch}`;

/** Directory entries as os.ReadDir returns them: sorted by name, byte-wise (Go compares strings as bytes). */
const readDirSorted = (dir: string): string[] => fs.readdirSync(dir).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

// ---------------------------------------------------------------------------------------------------------------
// Ignore files: github.com/moby/patternmatcher v0.6.0
// ---------------------------------------------------------------------------------------------------------------

/** ignorefile/ignorefile.go ReadAll: BOM stripped, `#` lines skipped, trimmed, cleaned, leading `/` dropped. */
export function readIgnoreFile(text: string): string[] {
    const excludes: string[] = [];
    text.replace(/^\uFEFF/, "")
        .split(/\r?\n/)
        .forEach((line) => {
            if (line.startsWith("#")) return;
            let pattern = line.trim();
            if (pattern === "") return;
            const invert = pattern[0] === "!";
            if (invert) pattern = pattern.slice(1).trim();
            if (pattern.length > 0) {
                pattern = goClean(pattern);
                if (pattern.length > 1 && pattern[0] === "/") pattern = pattern.slice(1);
            }
            excludes.push(invert ? `!${pattern}` : pattern);
        });
    return excludes;
}

/** patternmatcher.go Pattern: one cleaned pattern, compiled lazily as `compile` does. */
interface Pattern {
    cleaned: string;
    dirs: string[];
    exclusion: boolean;
    match: (file: string) => boolean;
}

/** patternmatcher.go compile: exact, prefix (`foo/**`), suffix (`**` + literal) or a regexp. */
function compilePattern(cleaned: string): (file: string) => boolean {
    let regex = "^";
    let type: "exact" | "prefix" | "suffix" | "regexp" = "exact";
    const chars = Array.from(cleaned);
    let pos = 0;
    for (let i = 0; pos < chars.length; i++) {
        const ch = chars[pos++];
        if (ch === "*") {
            if (chars[pos] === "*") {
                pos++;
                if (chars[pos] === "/") pos++;
                if (pos >= chars.length) {
                    if (type === "exact") type = "prefix";
                    else {
                        regex += ".*";
                        type = "regexp";
                    }
                } else {
                    regex += "(.*/)?";
                    type = "regexp";
                }
                if (i === 0) type = "suffix";
            } else {
                regex += "[^/]*";
                type = "regexp";
            }
        } else if (ch === "?") {
            regex += "[^/]";
            type = "regexp";
        } else if (".+()|{}$".includes(ch)) {
            regex += `\\${ch}`;
        } else if (ch === "\\") {
            if (pos < chars.length) {
                regex += `\\${chars[pos++]}`;
                type = "regexp";
            } else regex += "\\";
        } else if (ch === "[" || ch === "]") {
            regex += ch;
            type = "regexp";
        } else regex += ch;
    }
    switch (type) {
        case "exact":
            return (file) => file === cleaned;
        case "prefix":
            return (file) => file.startsWith(cleaned.slice(0, -2));
        case "suffix": {
            const suffix = cleaned.slice(2);
            return (file) => file.endsWith(suffix) || (suffix[0] === "/" && file === suffix.slice(1));
        }
        default: {
            const re = new RegExp(`${regex}$`);
            return (file) => re.test(file);
        }
    }
}

/** patternmatcher.go PatternMatcher. */
export class PatternMatcher {
    readonly patterns: Pattern[] = [];
    readonly exclusions: boolean = false;

    /** patternmatcher.go New: trimmed, cleaned, `!` marks an exception; a bad pattern is an error. */
    constructor(patterns: string[]) {
        for (const raw of patterns) {
            let p = raw.trim();
            if (p === "") continue;
            p = goClean(p);
            let exclusion = false;
            if (p[0] === "!") {
                if (p.length === 1) throw new Error('illegal exclusion pattern: "!"');
                exclusion = true;
                p = p.slice(1);
                this.exclusions = true;
            }
            let match: (file: string) => boolean;
            try {
                match = compilePattern(p);
            } catch {
                throw new Error(`syntax error in pattern ${JSON.stringify(p)}`);
            }
            this.patterns.push({ cleaned: p, dirs: p.split("/"), exclusion, match });
        }
    }

    /** patternmatcher.go Matches (deprecated; checks a single parent dir), as TrimBuildFilesFromExcludes uses it. */
    matches(file: string): boolean {
        let matched = false;
        const parentPath = path.posix.dirname(file);
        const parentPathDirs = parentPath.split("/");
        for (const pattern of this.patterns) {
            if (pattern.exclusion !== matched) continue;
            let match = pattern.match(file);
            if (!match && parentPath !== "." && pattern.dirs.length <= parentPathDirs.length) {
                match = pattern.match(parentPathDirs.slice(0, pattern.dirs.length).join("/"));
            }
            if (match) matched = !pattern.exclusion;
        }
        return matched;
    }

    /**
     * patternmatcher.go MatchesUsingParentResults: `parent` holds, per pattern, whether the parent directory matched
     * it (empty: not known, check every parent as MatchesOrParentMatches does).
     */
    matchesUsingParentResults(file: string, parent: boolean[]): { matched: boolean; info: boolean[] } {
        let matched = false;
        const info = new Array<boolean>(this.patterns.length).fill(false);
        this.patterns.forEach((pattern, i) => {
            let match = parent.length ? parent[i] : false;
            if (!match) {
                if (pattern.exclusion !== matched) return;
                match = pattern.match(file);
                if (!match && parent.length === 0) {
                    const parentPath = path.posix.dirname(file);
                    if (parentPath !== ".") {
                        const dirs = parentPath.split("/");
                        for (let j = 0; j < dirs.length && !match; j++) match = pattern.match(dirs.slice(0, j + 1).join("/"));
                    }
                }
            }
            info[i] = match;
            if (match) matched = !pattern.exclusion;
        });
        return { matched, info };
    }
}

/** patternmatcher.Matches (the package function): cleans the path; "." is never excluded. */
const matchesPatterns = (file: string, patterns: string[]): boolean => {
    const cleaned = goClean(file);
    return cleaned !== "." && new PatternMatcher(patterns).matches(cleaned);
};

/**
 * provider.go getIgnorePatterns: `<dockerfile>.dockerignore` if it exists, else `<context>/.dockerignore`, else none.
 * Only the first one found counts: they are not merged. Paths as the inputs give them, relative to the working dir.
 */
export function ignorePatterns(cwd: string, dockerfile: string, context: string): string[] {
    for (const candidate of [`${dockerfile}.dockerignore`, path.join(context, ".dockerignore")]) {
        let text: string;
        try {
            text = fs.readFileSync(path.resolve(cwd, candidate), "utf8");
        } catch (err: any) {
            if (err?.code === "ENOENT") continue;
            throw new Error(`reading ${JSON.stringify(candidate)}: ${err?.message ?? err}`);
        }
        return readIgnoreFile(text);
    }
    return [];
}

// ---------------------------------------------------------------------------------------------------------------
// Walking a context with exclusions
// ---------------------------------------------------------------------------------------------------------------

/** One walked path: slash-separated relative name, absolute path, lstat. */
interface ContextEntry {
    rel: string;
    abs: string;
    stat: fs.Stats;
}

/**
 * The walk both libraries do (filepath.WalkDir order, root skipped, symlinks not followed), each path matched with
 * MatchesUsingParentResults against its parent's results. An excluded directory is left out and, when
 * `mustDescend(rel)` is false, not entered (SkipDir); otherwise its children are matched one by one.
 */
function walkContext(root: string, excludes: string[], mustDescend: (pm: PatternMatcher, rel: string) => boolean): ContextEntry[] {
    const pm = new PatternMatcher(excludes);
    const out: ContextEntry[] = [];
    const visit = (relDir: string, parent: boolean[]) => {
        for (const name of readDirSorted(path.join(root, relDir))) {
            const rel = relDir ? `${relDir}/${name}` : name;
            const abs = path.join(root, rel);
            const stat = fs.lstatSync(abs);
            const { matched, info } = pm.patterns.length ? pm.matchesUsingParentResults(rel, parent) : { matched: false, info: [] };
            if (matched) {
                if (stat.isDirectory() && mustDescend(pm, rel)) visit(rel, info);
                continue;
            }
            out.push({ rel, abs, stat });
            if (stat.isDirectory()) visit(rel, info);
        }
    };
    visit("", []);
    return out;
}

/** fsutil filter.go patternWithoutTrailingGlob. */
const withoutTrailingGlob = (p: Pattern): string => p.cleaned.replace(/\/\*\*$/, "").replace(/\/\*$/, "");

/**
 * tonistiigi/fsutil filter.go filterFS.Walk: an excluded directory is skipped only when every exception (`!…`) is a
 * plain path (no `*[]?^\`) and none lies under it; with any wildcard exception every directory is walked.
 */
const fsutilMustDescend = (pm: PatternMatcher, rel: string): boolean => {
    const onlyPrefixExceptions = pm.patterns.every((p) => !p.exclusion || !/[*[\]?^\\]/.test(withoutTrailingGlob(p)));
    if (!onlyPrefixExceptions) return true;
    if (!pm.exclusions) return false;
    return pm.patterns.some((p) => p.exclusion && `${withoutTrailingGlob(p)}/`.startsWith(`${rel}/`));
};

/** moby/go-archive archive.go Tarballer.Do: an excluded directory is entered only if an exception's text starts with it. */
const tarballerMustDescend = (pm: PatternMatcher, rel: string): boolean =>
    pm.exclusions && pm.patterns.some((p) => p.exclusion && `${p.cleaned}/`.startsWith(`${rel}/`));

// ---------------------------------------------------------------------------------------------------------------
// Check's contextDigest: provider.go hashContext
// ---------------------------------------------------------------------------------------------------------------

/** Go's fs.ModeType: the bits that make a mode not regular (FileMode.IsRegular is `mode & ModeType == 0`). */
const GO_MODE_TYPE = GO_MODE.dir | GO_MODE.symlink | GO_MODE.namedPipe | GO_MODE.socket | GO_MODE.device | GO_MODE.charDevice | (1 << 19);

/**
 * provider.go contextHashAccumulator.hashPath: per path its slash name, its Go mode string and the SHA-256 of its
 * content, then a NUL. A regular file's content is its bytes; a symlink's is the path filepath.EvalSymlinks resolves
 * it to (its target's content is not read; a dangling link fails Check); anything else hashes nothing.
 * Modification times, owners and directories are not hashed. `linkBase`: EvalSymlinks answers relative to the
 * working directory for a relative context path, absolute for an absolute one.
 */
function hashPath(accumulator: Buffer[], filePath: string, name: string, mode: number, linkBase: string | undefined): void {
    const hash = crypto.createHash("sha256");
    if (mode & GO_MODE.symlink) {
        let target: string;
        try {
            target = fs.realpathSync(filePath);
        } catch (err: any) {
            throw new Error(`could not evaluate symlink at ${filePath}: ${err?.message ?? err}`);
        }
        hash.update(linkBase === undefined ? target : path.relative(linkBase, target));
    } else if ((mode & GO_MODE_TYPE) === 0) {
        hash.update(fs.readFileSync(filePath));
    }
    accumulator.push(Buffer.from(goClean(name)), Buffer.from(goFileModeString(mode)), hash.digest(), Buffer.from([0]));
}

/**
 * provider.go hashContext (called by Check, so on every preview and up): the Dockerfile's content under the fixed
 * name "Dockerfile" with mode 0 (its name and place do not count), then every non-directory path fsutil.Walk yields
 * from the context with the ignore file's patterns (getIgnorePatterns, without the build-file exceptions the build
 * adds). Build args, target and platform are not part of it: Diff compares them as inputs. The bytes hashed are the
 * provider's, so the hex is the provider's when paths resolve alike.
 */
export function contextDigest(cwd: string, context: string, dockerfile: string): string {
    const excludes = ignorePatterns(cwd, dockerfile, context);
    const accumulator: Buffer[] = [];
    const linkBase = path.isAbsolute(context) ? undefined : cwd;
    hashPath(accumulator, path.resolve(cwd, dockerfile), DEFAULT_DOCKERFILE, 0, linkBase);
    // fsutil fs.go NewFS: the root's symlinks are resolved and it must be a directory.
    let root: string;
    try {
        root = fs.realpathSync(path.resolve(cwd, context));
        if (!fs.statSync(root).isDirectory()) throw new Error(`${root}: not a directory`);
    } catch (err: any) {
        throw new Error(`unable to hash build context: ${err?.message ?? err}`);
    }
    for (const entry of walkContext(root, excludes, fsutilMustDescend)) {
        if (entry.stat.isDirectory()) continue;
        hashPath(accumulator, path.join(path.resolve(cwd, context), entry.rel), entry.rel, goFileMode(entry.stat), linkBase);
    }
    return crypto.createHash("sha256").update(Buffer.concat(accumulator)).digest("hex");
}

// ---------------------------------------------------------------------------------------------------------------
// Check: provider.go Check, image.go marshalBuildAndApplyDefaults
// ---------------------------------------------------------------------------------------------------------------

/** Drops absent inputs (the engine marshals with SkipNulls: an undefined input is no input). */
const present = (props: Props): Props => Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined && v !== null));

/** Inputs of the schema this model implements; the others, and names the schema does not have, fail naming them. */
function rejectUnmodelled(name: string, props: Props, known: Record<string, boolean>, prefix: string): void {
    for (const key of Object.keys(props)) {
        if (!(key in known)) fail(name, `unknown input ${prefix}${key} (not in pulumi-docker 5.2.0's schema)`);
        if (!known[key]) fail(name, `input ${prefix}${key} is not modelled by the e2e's provider model`);
    }
}

/**
 * provider.go Check, the Dockerfile check: it must exist (relative to the working directory); when it does not but
 * `<context>/<dockerfile>` does, the error suggests that path.
 */
function requireDockerfile(name: string, cwd: string, context: string, dockerfile: string): void {
    try {
        fs.statSync(path.resolve(cwd, dockerfile));
        return;
    } catch (err: any) {
        const statErr = `stat ${dockerfile}: ${err?.code === "ENOENT" ? "no such file or directory" : err?.message}`;
        if (path.isAbsolute(dockerfile)) fail(name, `expected a relative Dockerfile path; got ${JSON.stringify(dockerfile)} instead: ${statErr}`);
        const relPath = path.join(context, dockerfile);
        if (!fs.existsSync(path.resolve(cwd, relPath))) fail(name, `could not open dockerfile at relative path ${JSON.stringify(dockerfile)}: ${statErr}`);
        fail(name, `could not open dockerfile at relative path ${JSON.stringify(dockerfile)}. Try setting \`dockerfile\` to ${JSON.stringify(relPath)}`);
    }
}

/**
 * provider.go Check: returns the inputs with
 *   - `buildOnPreview` false when absent or unknown (marshalBuildOnPreview);
 *   - `build` defaulted (marshalBuildAndApplyDefaults): no build → context "." and dockerfile "Dockerfile"; no
 *     context → "."; no dockerfile → path.Join(context, "Dockerfile"); builderVersion only validated (absent means
 *     BuildKit, "2"; anything but BuilderV1/BuilderBuildKit is "invalid Docker Builder version");
 *   - `build.contextDigest` = hashContext(context, dockerfile) once the Dockerfile is known and found;
 *   - `build.platform` = "linux/<GOARCH>" when absent.
 * `imageName` is required by the SDK (@pulumi/docker 5.2.0 image.js: "Missing required property 'imageName'"). The
 * provider's canonical-name check only runs for a push or cacheFrom, neither of which this model implements.
 */
async function check(name: string, news: Props, _olds: Props | undefined, engine: Pick<Engine, "cwd">): Promise<Props> {
    const inputs = present(news);
    rejectUnmodelled(name, inputs, INPUTS, "");
    if (inputs.imageName === undefined) fail(name, "Missing required property 'imageName'");
    if (inputs.skipPush !== true) fail(name, "skipPush is not true: pushing to a registry is not modelled (and this machine has none)");
    inputs.buildOnPreview = isUnknown(inputs.buildOnPreview) ? false : (inputs.buildOnPreview ?? false);

    if (isUnknown(inputs.build)) return inputs;
    if (inputs.build !== undefined && (typeof inputs.build !== "object" || Array.isArray(inputs.build))) fail(name, "build must be an object");
    const build = present(inputs.build ?? {});
    rejectUnmodelled(name, build, BUILD_INPUTS, "build.");
    for (const key of ["context", "dockerfile"]) {
        if (isUnknown(build[key])) fail(name, `an unknown build.${key} is not modelled`);
    }
    if (build.builderVersion !== undefined && !isUnknown(build.builderVersion) && !(build.builderVersion in BUILDER_VERSIONS)) {
        fail(name, "invalid Docker Builder version");
    }
    if (!isUnknown(build.args)) {
        for (const [arg, value] of Object.entries(build.args ?? {})) {
            if (typeof value !== "string" && !isUnknown(value)) fail(name, `build.args.${arg} must be a string`);
        }
    }
    build.context ??= ".";
    build.dockerfile ??= goJoin(build.context, DEFAULT_DOCKERFILE);
    requireDockerfile(name, engine.cwd, build.context, build.dockerfile);
    try {
        build.contextDigest = contextDigest(engine.cwd, build.context, build.dockerfile);
    } catch (err: any) {
        fail(name, err.message);
    }
    build.platform ??= hostPlatform();
    inputs.build = build;
    return inputs;
}

// ---------------------------------------------------------------------------------------------------------------
// Diff: provider.go Diff
// ---------------------------------------------------------------------------------------------------------------

const hasValue = (v: unknown): boolean => v !== undefined && v !== null;

/** Paths where two property values differ, as pulumi's PropertyValue.Diff walks them (absent = null). */
function differences(old: unknown, now: unknown, at: string): string[] {
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
    if (isObject(old) && isObject(now)) {
        const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort();
        return keys.flatMap((k) => (hasValue(old[k]) || hasValue(now[k]) ? differences(old[k], now[k], `${at}.${k}`) : []));
    }
    if (Array.isArray(old) && Array.isArray(now)) {
        const n = Math.max(old.length, now.length);
        return Array.from({ length: n }, (_, i) => differences(old[i], now[i], `${at}[${i}]`)).flat();
    }
    if (JSON.stringify(old) === JSON.stringify(now)) return [];
    if (!hasValue(old)) return [`${at}: + ${JSON.stringify(now)}`];
    if (!hasValue(now)) return [`${at}: - ${JSON.stringify(old)}`];
    return [`${at}: ${JSON.stringify(old)} → ${JSON.stringify(now)}`];
}

/**
 * provider.go Diff: the old inputs are the `__inputs` Create/Update stored in state (parseCheckpointObject; none →
 * every new input is an add), compared with the checked new inputs by pulumi's PropertyMap.Diff, top-level key by
 * key. Any difference is an UPDATE; the response never asks for a replacement (no `Replaces`), so an Image is
 * rebuilt in place, even when `imageName` changes. `build.contextDigest`, `build.args`, `build.target`, … all live
 * under `build`: a change in any of them is a change of `build`. Nothing changed → DIFF_NONE: no build, and state
 * (with its `repoDigest`) stays as it is. (diffUpdates also ignores registry username/password changes; `registry`
 * is not modelled.)
 */
function diff(_olds: Props, outputs: Props, news: Props): DiffResult {
    const oldInputs: Props = outputs.__inputs ?? {};
    const changed: string[] = [];
    const details: string[] = [];
    for (const key of [...new Set([...Object.keys(oldInputs), ...Object.keys(news)])].sort()) {
        const paths = differences(oldInputs[key], news[key], key);
        if (paths.length === 0) continue;
        changed.push(key);
        details.push(...paths);
    }
    return changed.length ? { changed, replace: [], details } : NO_DIFF;
}

// ---------------------------------------------------------------------------------------------------------------
// Preview: provider.go Create/Update with req.Preview, canPreview
// ---------------------------------------------------------------------------------------------------------------

/**
 * provider.go Create/Update with `preview`: canPreview is false for `buildOnPreview: false`, and the provider then
 * returns the checked inputs as the properties, so every output it would compute (repoDigest, context, dockerfile,
 * platform, …) is unknown in the preview; an update's old outputs are not carried over either. `build.contextDigest`
 * is known: Check computed it. A preview build (`buildOnPreview: true`) is not modelled.
 */
function previewOutputs(news: Props): Props {
    if (news.buildOnPreview === true) throw new Error("docker.Image: buildOnPreview: true (a build during preview) is not modelled");
    return { ...news };
}

// ---------------------------------------------------------------------------------------------------------------
// Create/Update: image.go dockerBuild, runImageBuild
// ---------------------------------------------------------------------------------------------------------------

/** One entry of the build context tar. */
export interface ArchiveEntry {
    name: string;
    type: "file" | "directory" | "symlink";
    mode: number;
    mtime: Date;
    /** A file's bytes when the archive makes them (the added Dockerfile, the amended .dockerignore). */
    content?: Buffer;
    /** A file's path on disk, read when the tar is written. */
    source?: string;
    linkname?: string;
}

/** The context the provider uploads, and the names `ImageBuildOptions.Dockerfile` and its output `dockerfile` get. */
export interface ContextArchive {
    entries: ArchiveEntry[];
    /** `ImageBuildOptions.Dockerfile`: the Dockerfile's path in the tar. */
    dockerfileInArchive: string;
    /** docker/cli GetContextFromLocalDir's relDockerfile: the Dockerfile relative to the context (the `dockerfile` output). */
    relDockerfile: string;
}

/** docker/cli v28.5.2 dockerignore.go TrimBuildFilesFromExcludes: `.dockerignore` and the Dockerfile are re-included. */
export function trimBuildFilesFromExcludes(excludes: string[], dockerfile: string): string[] {
    const out = [...excludes];
    if (matchesPatterns(".dockerignore", out)) out.push("!.dockerignore");
    if (matchesPatterns(dockerfile, out)) out.push(`!${dockerfile}`);
    return out;
}

/**
 * image.go dockerBuild, up to the tar: getIgnorePatterns (`<dockerfile>.dockerignore` first); docker/cli
 * GetContextFromLocalDir (context and Dockerfile with symlinks resolved, Dockerfile relative to the context);
 * TrimBuildFilesFromExcludes; go-archive TarWithOptions with those excludes and `ChownOpts{0, 0}`; and, for a
 * Dockerfile outside the context (relDockerfile starting "../"), docker/cli AddDockerfileToBuildContext: the
 * Dockerfile added as `.dockerfile.<20 random hex>` (mode 0600, new name every build) and that name appended to the
 * tar's `.dockerignore` (made when absent, listing itself). Hard links are written as copies (go-archive writes a
 * link entry); fifos, sockets and devices are not modelled. `legacy`: kreuzwerker's prepareBuildContext (the
 * RemoteImage model) differs in two inputs: the context's .dockerignore only, and TrimBuildFilesFromExcludes given
 * the Dockerfile's path as configured (relative to the working directory), not relative to the context.
 */
export function contextArchive(cwd: string, context: string, dockerfile: string, legacy?: { excludes: string[]; trimmedDockerfile: string }): ContextArchive {
    const initial = legacy?.excludes ?? ignorePatterns(cwd, dockerfile, context);
    let contextDir: string;
    let relDockerfile: string;
    try {
        contextDir = fs.realpathSync(path.resolve(cwd, context));
        if (!fs.statSync(contextDir).isDirectory()) throw new Error(`context must be a directory: ${contextDir}`);
        relDockerfile = path.relative(contextDir, fs.realpathSync(path.resolve(cwd, dockerfile)));
    } catch (err: any) {
        throw new Error(`error resolving context: ${err?.message ?? err}`);
    }
    const excludes = trimBuildFilesFromExcludes(initial, legacy?.trimmedDockerfile ?? relDockerfile);
    const entries: ArchiveEntry[] = walkContext(contextDir, excludes, tarballerMustDescend).map(({ rel, abs, stat }) => {
        const base = { name: rel, mode: stat.mode & 0o7777, mtime: stat.mtime };
        if (stat.isDirectory()) return { ...base, type: "directory" };
        if (stat.isSymbolicLink()) return { ...base, type: "symlink", linkname: fs.readlinkSync(abs) };
        if (!stat.isFile()) throw new Error(`${rel} in the build context is neither a file, a directory nor a symlink: not modelled`);
        try {
            fs.accessSync(abs, fs.constants.R_OK);
        } catch {
            throw new Error(`error validating context: no permission to read from '${abs}'`);
        }
        return { ...base, type: "file", source: abs };
    });
    if (!relDockerfile.startsWith("../")) return { entries, dockerfileInArchive: relDockerfile, relDockerfile };

    const now = new Date();
    const randomName = `.dockerfile.${crypto.randomBytes(32).toString("hex").slice(0, 20)}`;
    entries.push({ name: randomName, type: "file", mode: 0o600, mtime: now, content: fs.readFileSync(path.resolve(cwd, dockerfile)) });
    const ignoreEntry = entries.find((e) => e.name === ".dockerignore" && e.type === "file");
    if (ignoreEntry) {
        ignoreEntry.content = Buffer.concat([ignoreEntry.content ?? fs.readFileSync(ignoreEntry.source!), Buffer.from(`\n${randomName}\n`)]);
        delete ignoreEntry.source;
    } else {
        entries.push({ name: ".dockerignore", type: "file", mode: 0o600, mtime: now, content: Buffer.from(`.dockerignore\n${randomName}\n`) });
    }
    return { entries, dockerfileInArchive: randomName, relDockerfile };
}

/** The archive as a tar stream, owner 0:0 (go-archive ChownOpts). */
export function packArchive(entries: ArchiveEntry[]): tar.Pack {
    const pack = tar.pack();
    for (const e of entries) {
        const header = { name: e.name, mode: e.mode, mtime: e.mtime, uid: 0, gid: 0 };
        if (e.type === "directory") pack.entry({ ...header, type: "directory" });
        else if (e.type === "symlink") pack.entry({ ...header, type: "symlink", linkname: e.linkname });
        else pack.entry(header, e.content ?? fs.readFileSync(e.source!));
    }
    pack.finalize();
    return pack;
}

/**
 * image.go dockerBuild's ImageBuildOptions as docker CLI arguments: Tags [imageName], Dockerfile (its name in the
 * tar), BuildArgs, Target, Platform (Check's default included), Version ("2" BuildKit unless builderVersion is
 * BuilderV1), Remove false (the Go client then sends rm=0: the legacy builder keeps intermediate containers), the
 * context from stdin. No CacheFrom/ExtraHosts/NetworkMode: Check refused them.
 */
export function buildCommand(imageName: string, build: Props, dockerfileInArchive: string, dockerHost?: string): { argv: string[]; env: NodeJS.ProcessEnv } {
    const buildKit = (BUILDER_VERSIONS[build.builderVersion ?? "BuilderBuildKit"] ?? "2") === "2";
    const argv = ["build", ...(buildKit ? ["--progress=plain"] : []), "--rm=false", "-f", dockerfileInArchive, "-t", imageName];
    if (build.platform !== undefined && !isUnknown(build.platform)) argv.push("--platform", build.platform);
    if (build.target !== undefined && !isUnknown(build.target)) argv.push("--target", build.target);
    // image.go marshalArgs: unknown values are left out.
    for (const [key, value] of Object.entries(build.args ?? {})) if (!isUnknown(value)) argv.push("--build-arg", `${key}=${value}`);
    argv.push("-");
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_BUILDKIT: buildKit ? "1" : "0" };
    if (dockerHost) env.DOCKER_HOST = dockerHost;
    return { argv, env };
}

/** Runs the docker CLI with the tar on stdin; fails with the output's last lines, as runImageBuild fails with the error. */
export function runDockerBuild(argv: string[], env: NodeJS.ProcessEnv, context: tar.Pack): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn(DOCKER_CLI, argv, { env, stdio: ["pipe", "pipe", "pipe"] });
        const tail: string[] = [];
        let partial = "";
        const collect = (chunk: Buffer) => {
            const lines = (partial + chunk.toString("utf8")).split("\n");
            partial = lines.pop() ?? "";
            tail.push(...lines);
            if (tail.length > FAILURE_TAIL_LINES) tail.splice(0, tail.length - FAILURE_TAIL_LINES);
        };
        child.stdout.on("data", collect);
        child.stderr.on("data", collect);
        // The CLI may exit before reading all of the context (bad flag, daemon error): its exit code tells why.
        child.stdin.on("error", () => undefined);
        context.pipe(child.stdin);
        child.on("error", reject);
        child.on("close", (code, signal) => {
            if (code === 0) return resolve();
            const lines = [...tail, partial].filter((l) => l !== "").slice(-FAILURE_TAIL_LINES).join("\n");
            reject(new Error(`docker build exited with ${code ?? signal}:\n${lines}`));
        });
    });
}

/**
 * image.go dockerBuild for `skipPush: true`: builds, then "We set repoDigest to the image ID returned from docker
 * inspect" (ImageInspect(imageName).ID); returns imageName as the resource ID. provider.go Create/Update store the
 * outputs plus the inputs under `__inputs` (checkpointObject), which the next Diff compares against.
 * The outputs: dockerfile (relative to the context), context (as checked), baseImageName and imageName (the input),
 * registryServer ("" without a registry), platform, repoDigest.
 */
async function build(engine: Engine, name: string, news: Props): Promise<Created> {
    const started = Date.now();
    const imageName: string = news.imageName;
    const buildInputs: Props = news.build;
    let archive: ContextArchive;
    try {
        archive = contextArchive(engine.cwd, buildInputs.context, buildInputs.dockerfile);
    } catch (err: any) {
        return fail(name, err.message);
    }
    const { argv, env } = buildCommand(imageName, buildInputs, archive.dockerfileInArchive, engine.dockerHost);
    try {
        await runDockerBuild(argv, env, packArchive(archive.entries));
    } catch (err: any) {
        fail(name, `error reading build output: building ${imageName} failed: ${err.message}`);
    }
    const { Id: imageId } = await engine.docker.getImage(imageName).inspect();
    const seconds = (Date.now() - started) / 1000;
    engine.log(`build   Image ${name} → ${imageId.slice(7, 19)} in ${seconds.toFixed(1)} s (${env.DOCKER_BUILDKIT === "1" ? "BuildKit" : "legacy builder"})`);
    engine.timing(`build ${imageName}`, seconds);
    return {
        id: imageName,
        outputs: {
            dockerfile: archive.relDockerfile,
            context: buildInputs.context,
            baseImageName: imageName,
            registryServer: "",
            imageName,
            platform: buildInputs.platform,
            repoDigest: imageId,
            __inputs: news,
        },
    };
}

export const imageModel: ResourceModel = {
    type: TYPE,
    check,
    diff,
    previewCreate: previewOutputs,
    previewUpdate: (_outputs, news) => previewOutputs(news),
    create: build,
    /** provider.go Update: builds again with the new inputs (dockerBuild); the resource keeps its ID. */
    update: async (engine, name, _id, _outputs, news) => (await build(engine, name, news)).outputs,
    /** provider.go Delete: returns without a call to the engine. Built images stay (prune them by label). */
    delete: async () => undefined,
};
