// Stack sources for the settings tests: config given as bare keys, files read from a stub or the real project.
import * as fs from "fs";
import * as path from "path";
import { CONFIG_KEYS, parseSettings, PROJECT_DIR, SettingsError, SettingsSource } from "../../components/settings";

export const STANDALONE = 'export default { output: "standalone" };';

type Config = Record<string, string>;
type Extra = Partial<SettingsSource>;

const base = (config: Config): Pick<SettingsSource, "project" | "stack" | "config" | "isSecret"> => ({
    project: "nextstack",
    stack: "dev",
    config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`nextstack:${k}`, v])),
    // As the runtime answers for a stack whose secret keys were set with --secret, and only those.
    isSecret: (key) => SECRET_KEYS.has(key),
});

const SECRET_KEYS = new Set(Object.entries(CONFIG_KEYS).filter(([, spec]) => "secret" in spec && spec.secret).map(([key]) => `nextstack:${key}`));

/** The files of a standalone Next.js app installed with npm, by name. */
export const STANDALONE_APP: Readonly<Record<string, string>> = {
    "next.config.mjs": STANDALONE,
    "package.json": '{ "name": "web", "private": true }',
    "package-lock.json": '{ "name": "web", "lockfileVersion": 3 }',
};

/** A stack source whose app directory holds a standalone Next.js app, whatever `appPath` says. */
export const stubSource = (config: Config, extra: Extra = {}): SettingsSource => ({
    ...base(config),
    fileExists: () => true,
    readFile: (p) => STANDALONE_APP[path.posix.basename(p)],
    ...extra,
});

/** A stack source whose paths are read from the real project, as the program reads them. */
export const projectSource = (config: Config, extra: Extra = {}): SettingsSource => {
    const inProject = (p: string) => path.resolve(PROJECT_DIR, p);
    return {
        ...base(config),
        fileExists: (p) => fs.existsSync(inProject(p)),
        readFile: (p) => (fs.existsSync(inProject(p)) ? fs.readFileSync(inProject(p), "utf8") : undefined),
        ...extra,
    };
};

/** The problems parseSettings reports for a source, as `key: message` lines; [] when it accepts it. */
export function problemsOf(source: SettingsSource): string[] {
    try {
        parseSettings(source);
    } catch (e) {
        if (e instanceof SettingsError) return e.issues.map((i) => `${i.key}: ${i.message}`);
        throw e;
    }
    return [];
}
