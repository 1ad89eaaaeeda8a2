import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { deriveSettings } from "./derive";
import { readConfig } from "./parse";
import { checkCrossKeys } from "./rules";
import { Settings, SettingsError, SettingsSource } from "./types";

// The stack's settings: checks.ts (value rules), keys.ts (the key table), parse.ts (reading the config),
// rules.ts and app.ts (rules across keys), derive.ts (the settings built from a valid config), types.ts.

export { memoryMb } from "./checks";
export { CONFIG_KEYS, CONFIG_NAMESPACE } from "./keys";
export type { ConfigKey } from "./keys";
export { SettingsError } from "./types";
export type { ContainerLimits, Settings, SettingsIssue, SettingsSource } from "./types";

/**
 * Reads and validates the stack's config. Every problem is collected and thrown together as a
 * {@link SettingsError} before the program declares any resource.
 */
export function parseSettings(source: SettingsSource): Settings {
    const parsed = readConfig(source);
    const derived = checkCrossKeys(source, parsed);
    if (parsed.issues.length > 0) throw new SettingsError(parsed.issues);
    return deriveSettings(source, parsed.get, derived);
}

/** Directory of `Pulumi.yaml`: relative paths in config (such as `appPath`) are read from here. */
export const PROJECT_DIR = path.resolve(__dirname, "../..");

/** The SDK marks `isConfigSecret` internal; it is the only way to know a value was set with `--secret`. */
const runtimeWithSecrets = pulumi.runtime as typeof pulumi.runtime & { isConfigSecret?: (key: string) => boolean };

/** Reads and validates the running stack's config (see {@link parseSettings}). */
export function loadSettings(): Settings {
    return parseSettings({
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        config: pulumi.runtime.allConfig(),
        isSecret: runtimeWithSecrets.isConfigSecret,
        fileExists: (p) => fs.existsSync(path.resolve(PROJECT_DIR, p)),
        readFile: (p) => (fs.existsSync(path.resolve(PROJECT_DIR, p)) ? fs.readFileSync(path.resolve(PROJECT_DIR, p), "utf8") : undefined),
    });
}
