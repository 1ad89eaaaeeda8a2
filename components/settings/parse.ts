import { CONFIG_KEYS, CONFIG_NAMESPACE, ConfigKey, full, Kind, KeySpec } from "./keys";
import { SettingsIssue, SettingsSource } from "./types";

/** Shows a value in an error message; secrets are masked. */
function shown(raw: string, secret: boolean | undefined): string {
    return secret ? "[secret]" : JSON.stringify(raw);
}

/** Levenshtein distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const cur = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
            prev = cur;
        }
    }
    return row[b.length];
}

/** Turns a raw config string into a value of the declared type, or a message saying what was expected. */
function coerce(raw: string, type: Kind, key: string, secret: boolean): { value: unknown } | { expected: string } {
    switch (type) {
        case "string":
            return { value: raw };
        case "integer":
            // (Number() ignores the blanks around the digits, as trim() does.)
            return /^-?\d+$/.test(raw.trim()) ? { value: Number(raw) } : { expected: "an integer" };
        case "boolean":
            return raw === "true" || raw === "false" ? { value: raw === "true" } : { expected: "true or false" };
        case "array": {
            try {
                const parsed: unknown = JSON.parse(raw);
                if (Array.isArray(parsed)) return { value: parsed };
            } catch {
                // fall through to the message below
            }
            return { expected: `a list (set it with \`pulumi config set${secret ? " --secret" : ""} --path '${key}[0]' value\`)` };
        }
    }
}

/** A config value by key: the stack's value if it was set and passed its checks, else the key's default. */
export type Get = <T = string>(key: ConfigKey) => T;

/** The stack's config read key by key. */
export interface ParsedConfig {
    /** Values (by key, without the namespace) that were set and passed their checks. */
    values: Record<string, unknown>;
    /** Problems found so far; the cross-key rules add theirs after these. */
    issues: SettingsIssue[];
    get: Get;
}

/**
 * Reads every key of the namespace in the config: unknown keys, values of the wrong type, values their rule
 * refuses and secrets stored in plain text become issues; the rest become values.
 */
export function readConfig(source: SettingsSource): ParsedConfig {
    const issues: SettingsIssue[] = [];
    const values: Record<string, unknown> = {};
    const known = Object.keys(CONFIG_KEYS);
    const prefix = `${CONFIG_NAMESPACE}:`;

    for (const [fullKey, raw] of Object.entries(source.config)) {
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        const spec: KeySpec | undefined = (CONFIG_KEYS as Record<string, KeySpec>)[key];
        if (!spec) {
            const best = known.map((k) => ({ k, d: distance(key, k) })).sort((a, b) => a.d - b.d)[0];
            const hint = best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? `; did you mean ${full(best.k)}?` : "";
            issues.push({ key: fullKey, message: `unknown key${hint} (known keys: see Pulumi.yaml)` });
            continue;
        }
        const coerced = coerce(raw, spec.type, key, spec.secret === true);
        if ("expected" in coerced) {
            issues.push({ key: fullKey, message: `got ${shown(raw, spec.secret)}; expected ${coerced.expected}` });
            continue;
        }
        const result = spec.check.safeParse(coerced.value);
        if (!result.success) {
            const expected = [...new Set(result.error.issues.map((i) => i.message))].join("; ");
            issues.push({ key: fullKey, message: `got ${shown(raw, spec.secret)}; expected ${expected}` });
            continue;
        }
        // An empty value (no password, no entries) holds no secret, wherever it is stored.
        const holdsSecret = raw !== "" && !(Array.isArray(result.data) && result.data.length === 0);
        if (spec.secret && holdsSecret && source.isSecret && !source.isSecret(fullKey)) {
            issues.push({ key: fullKey, message: `is stored in plain text; set it with \`pulumi config set --secret ${key}\`` });
            continue;
        }
        values[key] = result.data;
    }

    const get = <T = string>(key: ConfigKey): T => (key in values ? values[key] : (CONFIG_KEYS[key] as KeySpec).default) as T;
    return { values, issues, get };
}
