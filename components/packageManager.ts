/**
 * Which package manager (and which version of it) installs and builds the app, chosen as the app's developers
 * would: the `packageManager` field of package.json (what corepack reads) when there is one, otherwise the
 * tool that wrote the lockfile, at the newest version that writes that lockfile format. The image build
 * installs exactly this version (nextjs.Dockerfile, build arg PACKAGE_MANAGER): left to itself, corepack takes
 * the newest pnpm, which refuses a lockfileVersion 6.0 lockfile (ERR_PNPM_BROKEN_LOCKFILE).
 */

/** The package managers the image build can install. */
export const PACKAGE_MANAGERS = ["npm", "pnpm", "yarn", "bun"] as const;
export type PackageManagerName = (typeof PACKAGE_MANAGERS)[number];

/** A package manager at an exact version. */
export interface PackageManager {
    name: PackageManagerName;
    /** Exact version; `undefined` for npm from a lockfile (the base image's own npm). */
    version?: string;
    /** The spec for corepack and the build arg: `pnpm@8.15.9` (with the field's `+sha…` hash, if it had one). */
    spec: string;
    /** The lockfile the install must follow, relative to the directory it was found in. */
    lockfile: string;
    /** What chose it, for messages: `packageManager field` or the lockfile's name and format. */
    chosenBy: string;
}

/**
 * The newest release of each line, per lockfile format it writes (checked on the npm registry, 2026-12).
 * pnpm: lockfile 5.x is written by pnpm 6–7, 6.0 by pnpm 8, 9.0 by pnpm 9 and 10 (pnpm 9 still runs
 * dependencies' install scripts by default, which native addons need). Yarn: a v1 yarn.lock is Yarn classic;
 * Yarn 4.18.1 writes a Berry lockfile of `__metadata.version: 10` and, under --immutable, refuses an older one
 * (version 8, from Yarn 4.0: measured here), so only version 10 has a default.
 */
export const DEFAULT_VERSIONS = {
    pnpm5: "7.33.7",
    pnpm6: "8.15.9",
    pnpm9: "9.15.9",
    yarnClassic: "1.22.22",
    yarnBerry10: "4.18.1",
    bun: "1.4.5",
} as const;

/** npm as the base image ships it: an app with package-lock.json and no packageManager field. */
export const NPM_OF_BASE_IMAGE: PackageManager = { name: "npm", spec: "npm", lockfile: "package-lock.json", chosenBy: "package-lock.json" };

/** Lockfile of each package manager, in the order they are looked for. */
export const LOCKFILES: ReadonlyArray<{ file: string; manager: PackageManagerName }> = [
    { file: "package-lock.json", manager: "npm" },
    { file: "npm-shrinkwrap.json", manager: "npm" },
    { file: "pnpm-lock.yaml", manager: "pnpm" },
    { file: "yarn.lock", manager: "yarn" },
    { file: "bun.lock", manager: "bun" },
    { file: "bun.lockb", manager: "bun" },
];

/** `name@x.y.z` with an optional `+algorithm.hash` (corepack's format); prereleases such as 9.0.0-rc.1 too. */
const FIELD = /^(npm|pnpm|yarn|bun)@(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)(\+[a-z0-9]+\.[0-9a-fA-F]+)?$/;

/** Reads a file of the directory the app's lockfile is in; `undefined` when it does not exist. */
export type ReadFile = (name: string) => string | undefined;

/** The choice, or why there is none: a sentence naming what to set. */
export type Detected = { manager: PackageManager } | { problem: string };

const setField = (example: string) =>
    `set the "packageManager" field in package.json to the version that wrote the lockfile (for example "${example}")`;

/**
 * Chooses the package manager of a directory holding package.json and (normally) a lockfile.
 * `read("package.json")` must return the manifest's text.
 */
export function detectPackageManager(read: ReadFile): Detected {
    const manifestText = read("package.json");
    if (manifestText === undefined) return { problem: "has no package.json" };
    let manifest: unknown;
    try {
        manifest = JSON.parse(manifestText);
    } catch (e) {
        return { problem: `has a package.json that is not valid JSON (${(e as Error).message})` };
    }
    const present = LOCKFILES.map((l) => ({ ...l, text: read(l.file) })).filter((l): l is typeof l & { text: string } => l.text !== undefined);

    const field = (manifest as { packageManager?: unknown } | null)?.packageManager;
    if (field !== undefined) {
        const match = typeof field === "string" ? FIELD.exec(field) : null;
        if (!match) {
            return {
                problem: `has "packageManager": ${JSON.stringify(field)} in package.json; expected <name>@<exact version> with name npm, pnpm, yarn or bun (for example "pnpm@${DEFAULT_VERSIONS.pnpm9}")`,
            };
        }
        const name = match[1] as PackageManagerName;
        const lock = present.find((l) => l.manager === name);
        if (!lock) {
            const others = present.map((l) => l.file);
            return {
                problem: `has "packageManager": "${field}" in package.json but no ${lockfilesOf(name)}${others.length ? ` (it has ${others.join(", ")})` : ""}; commit the lockfile ${name} writes so the image installs exactly what was tested`,
            };
        }
        return { manager: { name, version: match[2], spec: field as string, lockfile: lock.file, chosenBy: "packageManager field" } };
    }

    if (present.length === 0) {
        return {
            problem: `has no lockfile (${LOCKFILES.map((l) => l.file).join(", ")}); commit the one your package manager writes so the image installs exactly what was tested`,
        };
    }
    const families = [...new Set(present.map((l) => l.manager))];
    if (families.length > 1) {
        return {
            problem: `has lockfiles of several package managers (${present.map((l) => l.file).join(", ")}); delete the stale ones, or set the "packageManager" field in package.json to choose`,
        };
    }
    const [lock] = present;
    const text = lock.text;
    switch (lock.manager) {
        case "npm":
            return { manager: { ...NPM_OF_BASE_IMAGE, lockfile: lock.file, chosenBy: lock.file } };
        case "pnpm":
            return fromPnpmLockfile(text);
        case "yarn":
            return fromYarnLockfile(text);
        case "bun":
            return { manager: exact("bun", DEFAULT_VERSIONS.bun, lock.file, lock.file) };
    }
}

function lockfilesOf(name: PackageManagerName): string {
    return LOCKFILES.filter((l) => l.manager === name).map((l) => l.file).join(" or ");
}

function exact(name: PackageManagerName, version: string, lockfile: string, chosenBy: string): PackageManager {
    return { name, version, spec: `${name}@${version}`, lockfile, chosenBy };
}

function fromPnpmLockfile(text: string): Detected {
    const match = /^lockfileVersion:\s*['"]?([0-9][0-9.]*)['"]?\s*$/m.exec(text);
    if (!match) return { problem: `has a pnpm-lock.yaml without a lockfileVersion line; ${setField(`pnpm@${DEFAULT_VERSIONS.pnpm9}`)}` };
    const format = match[1];
    const major = Number(format.split(".")[0]);
    const version = major === 5 ? DEFAULT_VERSIONS.pnpm5 : major === 6 ? DEFAULT_VERSIONS.pnpm6 : major === 9 ? DEFAULT_VERSIONS.pnpm9 : undefined;
    if (!version) {
        return { problem: `has a pnpm-lock.yaml of lockfileVersion ${format}, which no known pnpm line writes; ${setField(`pnpm@${DEFAULT_VERSIONS.pnpm9}`)}` };
    }
    return { manager: exact("pnpm", version, "pnpm-lock.yaml", `pnpm-lock.yaml (lockfileVersion ${format})`) };
}

function fromYarnLockfile(text: string): Detected {
    if (/^__metadata:\s*$/m.test(text)) {
        const version = /^__metadata:\s*\n(?:[ \t].*\n)*?[ \t]+version:\s*['"]?(\d+)/m.exec(text)?.[1];
        if (version === "10") {
            return { manager: exact("yarn", DEFAULT_VERSIONS.yarnBerry10, "yarn.lock", "yarn.lock (Berry, __metadata version 10)") };
        }
        return {
            problem: `has a Yarn Berry yarn.lock of __metadata version ${version ?? "(none)"}, which Yarn ${DEFAULT_VERSIONS.yarnBerry10} would rewrite; set the "packageManager" field in package.json to the Yarn that wrote it ("yarn@" and what \`yarn --version\` prints in the app, for example "yarn@3.8.7")`,
        };
    }
    if (/^# yarn lockfile v1\s*$/m.test(text)) {
        return { manager: exact("yarn", DEFAULT_VERSIONS.yarnClassic, "yarn.lock", "yarn.lock (v1, Yarn classic)") };
    }
    return { problem: `has a yarn.lock that is neither a v1 lockfile nor a Berry one (no "# yarn lockfile v1" line, no __metadata); ${setField(`yarn@${DEFAULT_VERSIONS.yarnClassic}`)}` };
}
