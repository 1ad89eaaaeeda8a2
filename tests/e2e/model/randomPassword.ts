import * as crypto from "crypto";
import { containsUnknown, isUnknown } from "./sdkv2";
import { DiffResult, Props, ResourceModel } from "./types";

/**
 * random:index/randomPassword:RandomPassword: pulumi/pulumi-random 4.21.2 bridging hashicorp/terraform-provider-random
 * at f8d869dc98d9 (pulumi-random provider/go.mod), a plugin-framework resource:
 * internal/provider/resource_password.go (passwordSchemaV3, Create, Update, generateHash) and
 * internal/random/string.go (CreateString). "tfr" below = that commit.
 */
const TYPE = "random:index/randomPassword:RandomPassword";

type Kind = "int" | "bool" | "string" | "map";

/**
 * tfr passwordSchemaV3: every input requires replacement (RequiresReplace plan modifiers), except overrideSpecial and
 * keepers, whose own plan modifiers (`requiresReplace`, below) decide.
 */
const INPUTS: Record<string, { kind: Kind; default?: unknown; requiresReplace?: (state: unknown, config: unknown) => boolean }> = {
    length: { kind: "int" },
    special: { kind: "bool", default: true },
    upper: { kind: "bool", default: true },
    lower: { kind: "bool", default: true },
    // tfr boolplanmodifiers NumberNumericAttributePlanModifier: numeric (and the deprecated number) default to true.
    numeric: { kind: "bool", default: true },
    minNumeric: { kind: "int", default: 0 },
    minUpper: { kind: "int", default: 0 },
    minLower: { kind: "int", default: 0 },
    minSpecial: { kind: "int", default: 0 },
    overrideSpecial: { kind: "string", requiresReplace: overrideSpecialReplaces },
    keepers: { kind: "map", requiresReplace: keepersReplace },
};

const MINIMUMS = ["minUpper", "minLower", "minNumeric", "minSpecial"];

function kindOf(value: unknown): Kind | undefined {
    if (Number.isInteger(value)) return "int";
    if (typeof value === "boolean") return "bool";
    if (typeof value === "string") return "string";
    if (value && typeof value === "object" && !Array.isArray(value)) return "map";
    return undefined;
}

/** tfr schema validators: length AtLeast(1) and AtLeastSumOf(min_*); numeric AtLeastOneOfTrue(special, upper, lower). */
function checkPassword(where: string, news: Props): Props {
    const out: Props = {};
    for (const [key, value] of Object.entries(news)) {
        if (value === undefined || value === null) continue;
        const input = INPUTS[key];
        if (!input) throw new Error(`${where}: input "${key}" is not modelled (known: ${Object.keys(INPUTS).join(", ")})`);
        if (!isUnknown(value) && kindOf(value) !== input.kind) throw new Error(`${where}: input "${key}": expected ${input.kind}, got ${JSON.stringify(value)}`);
        out[key] = value;
    }
    if (out.length === undefined) throw new Error(`${where}: input "length" is required`);
    if (!containsUnknown(out.length)) {
        if (out.length < 1) throw new Error(`${where}: input "length": value must be at least 1, got: ${out.length}`);
        const sum = MINIMUMS.reduce((total, k) => total + (typeof out[k] === "number" ? out[k] : 0), 0);
        if (out.length < sum) throw new Error(`${where}: input "length": value must be at least the sum of ${MINIMUMS.join(", ")} (${sum}), got: ${out.length}`);
    }
    if (out.numeric === false && out.special === false && out.upper === false && out.lower === false) {
        throw new Error(`${where}: input "numeric": at least one of numeric, special, upper, lower must be true`);
    }
    return out;
}

/** The planned state: config, else the schema default (framework Default / plan modifier). */
function planned(config: Props): Props {
    const plan: Props = {};
    for (const [key, input] of Object.entries(INPUTS)) {
        const value = config[key] ?? input.default;
        if (value !== undefined) plan[key] = value;
    }
    plan.number = plan.numeric;
    return plan;
}

const NUMBERS = "0123456789";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** tfr internal/random/string.go CreateString: the default special characters. */
export const DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/** tfr internal/random/string.go generateRandomBytes: crypto/rand.Int over the runes, uniform. */
const randomRunes = (charSet: string, count: number): string[] => {
    const runes = [...charSet];
    if (runes.length === 0 && count > 0) throw new Error("charSet is empty");
    return Array.from({ length: Math.max(0, count) }, () => runes[crypto.randomInt(runes.length)]);
};

/**
 * tfr internal/random/string.go CreateString: the min_* characters of each class first (even for a class that is
 * switched off), the rest from the enabled classes, then shuffled by sorting on random bytes.
 */
export function createPasswordString(plan: Props): string {
    const special = plan.overrideSpecial ? plan.overrideSpecial : DEFAULT_SPECIAL;
    const chars = (plan.upper ? UPPER : "") + (plan.lower ? LOWER : "") + (plan.numeric ? NUMBERS : "") + (plan.special ? special : "");
    if (chars === "") throw new Error("the character set specified is empty");
    const result = [
        ...randomRunes(NUMBERS, plan.minNumeric),
        ...randomRunes(LOWER, plan.minLower),
        ...randomRunes(UPPER, plan.minUpper),
        ...randomRunes(special, plan.minSpecial),
    ];
    result.push(...randomRunes(chars, plan.length - result.length));
    const order = crypto.randomBytes(result.length);
    return result
        .map((rune, i) => ({ rune, key: order[i] }))
        .sort((a, b) => a.key - b.key)
        .map((e) => e.rune)
        .join("");
}

// ---- bcrypt (golang.org/x/crypto/bcrypt, $2a$, as tfr generateHash: bcrypt.DefaultCost = 10) ----

/**
 * Blowfish's initial P-array and S-boxes are the fractional hex digits of pi (18 + 4×256 words): computed once
 * (Machin's formula in fixed point) rather than pasted as 1042 constants.
 */
let blowfishInit: Uint32Array | undefined;
function piWords(): Uint32Array {
    if (blowfishInit) return blowfishInit;
    const words = 18 + 4 * 256;
    const bits = BigInt(words * 32 + 64);
    const one = 1n << bits;
    const arctanInverse = (x: bigint): bigint => {
        let term = one / x;
        let sum = term;
        const x2 = x * x;
        for (let k = 1n; term !== 0n; k++) {
            term /= x2;
            sum += (k % 2n === 1n ? -term : term) / (2n * k + 1n);
        }
        return sum;
    };
    const fraction = 16n * arctanInverse(5n) - 4n * arctanInverse(239n) - 3n * one;
    blowfishInit = new Uint32Array(words);
    for (let i = 0; i < words; i++) blowfishInit[i] = Number((fraction >> (bits - 32n * BigInt(i + 1))) & 0xffffffffn);
    return blowfishInit;
}

class Blowfish {
    readonly p: Uint32Array;
    readonly s: Uint32Array;
    constructor() {
        const init = piWords();
        this.p = init.slice(0, 18);
        this.s = init.slice(18);
    }
    private f(x: number): number {
        const s = this.s;
        return ((((s[x >>> 24] + s[256 + ((x >>> 16) & 0xff)]) >>> 0) ^ s[512 + ((x >>> 8) & 0xff)]) + s[768 + (x & 0xff)]) >>> 0;
    }
    encrypt(l: number, r: number): [number, number] {
        let xl = l >>> 0;
        let xr = r >>> 0;
        xl = (xl ^ this.p[0]) >>> 0;
        for (let i = 1; i <= 16; i += 2) {
            xr = (xr ^ this.f(xl) ^ this.p[i]) >>> 0;
            xl = (xl ^ this.f(xr) ^ this.p[i + 1]) >>> 0;
        }
        xr = (xr ^ this.p[17]) >>> 0;
        return [xr, xl];
    }
    /** golang.org/x/crypto/blowfish ExpandKey / expandKeyWithSalt (salt empty = ExpandKey). */
    expand(key: Uint8Array, salt?: Uint8Array): void {
        const next = (data: Uint8Array, pos: { j: number }) => {
            let word = 0;
            for (let k = 0; k < 4; k++) {
                word = ((word << 8) | data[pos.j]) >>> 0;
                pos.j = (pos.j + 1) % data.length;
            }
            return word;
        };
        const keyPos = { j: 0 };
        for (let i = 0; i < 18; i++) this.p[i] = (this.p[i] ^ next(key, keyPos)) >>> 0;
        const saltPos = { j: 0 };
        let l = 0;
        let r = 0;
        const fill = (target: Uint32Array, offset: number, count: number) => {
            for (let i = 0; i < count; i += 2) {
                if (salt) {
                    l = (l ^ next(salt, saltPos)) >>> 0;
                    r = (r ^ next(salt, saltPos)) >>> 0;
                }
                [l, r] = this.encrypt(l, r);
                target[offset + i] = l;
                target[offset + i + 1] = r;
            }
        };
        fill(this.p, 0, 18);
        fill(this.s, 0, 1024);
    }
}

const BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const STANDARD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const bcryptBase64 = (bytes: Uint8Array): string =>
    [...Buffer.from(bytes).toString("base64").replace(/=+$/, "")].map((c) => BCRYPT_ALPHABET[STANDARD_ALPHABET.indexOf(c)]).join("");
const bcryptUnbase64 = (text: string): Buffer => {
    const standard = [...text].map((c) => STANDARD_ALPHABET[BCRYPT_ALPHABET.indexOf(c)]).join("");
    return Buffer.from(standard + "=".repeat((4 - (standard.length % 4)) % 4), "base64");
};

/** golang.org/x/crypto/bcrypt bcrypt + expensiveBlowfishSetup: `$2a$<cost>$<22 salt chars><31 hash chars>`. */
export function bcryptHash(password: string | Uint8Array, cost = 10, encodedSalt = bcryptBase64(crypto.randomBytes(16)).slice(0, 22)): string {
    const key = Buffer.concat([typeof password === "string" ? Buffer.from(password, "utf8") : password, Buffer.from([0])]);
    if (key.length > 73) throw new Error("bcrypt: password length exceeds 72 bytes");
    const salt = bcryptUnbase64(encodedSalt).subarray(0, 16);
    const cipher = new Blowfish();
    cipher.expand(key, salt);
    for (let i = 0; i < 2 ** cost; i++) {
        cipher.expand(key);
        cipher.expand(salt);
    }
    const data = Buffer.from("OrpheanBeholderScryDoubt", "latin1");
    for (let i = 0; i < 24; i += 8) {
        let [l, r] = [data.readUInt32BE(i), data.readUInt32BE(i + 4)];
        for (let j = 0; j < 64; j++) [l, r] = cipher.encrypt(l, r);
        data.writeUInt32BE(l, i);
        data.writeUInt32BE(r, i + 4);
    }
    // Bug compatibility with C bcrypt: 23 of the 24 bytes are encoded.
    return `$2a$${String(cost).padStart(2, "0")}$${encodedSalt}${bcryptBase64(data.subarray(0, 23))}`;
}

/** tfr generateHash: bcrypt of the first 72 bytes at DefaultCost (10). */
const generateHash = (result: string): string => bcryptHash(Buffer.from(result, "utf8").subarray(0, 72));

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * tfr internal/planmodifiers/string RequiresReplaceUnlessEmptyStringToNull (under the framework's RequiresReplaceIf,
 * which calls it only when the plan differs from a non-null state): an unknown config does not replace; a config
 * that is set, or a state that was null, replaces; from "" to null does not.
 */
function overrideSpecialReplaces(state: unknown, config: unknown): boolean {
    if (isUnknown(config)) return false;
    if (config != null || state == null) return true;
    return state !== "";
}

/**
 * tfr internal/planmodifiers/map RequiresReplaceIfValuesNotNull (the SDKv2 provider stored no null map values, so
 * null values must not replace). An unknown map has no elements (framework basetypes.MapValue.Elements).
 * From a null state: replace if a config value is not null. Otherwise replace if a config key is not null and not
 * equal to the state's (an unknown value equals nothing), or if a state key is gone from the config.
 */
function keepersReplace(state: unknown, config: unknown): boolean {
    const elements = (isUnknown(config) || config == null ? {} : config) as Record<string, unknown>;
    if (state == null) return Object.values(elements).some((v) => v != null);
    const stateMap = state as Record<string, unknown>;
    const changed = Object.entries(elements).some(([k, v]) => {
        if (!(k in stateMap)) return v != null;
        return isUnknown(v) || !sameJson(v, stateMap[k]);
    });
    return changed || Object.keys(stateMap).some((k) => !(k in elements));
}

/** Diff: a changed input replaces if its plan modifier says so (INPUTS); otherwise it updates state only. */
export function diffPassword(state: Props, config: Props): DiffResult {
    const plan = planned(config);
    const result: DiffResult = { changed: [], replace: [], details: [] };
    for (const key of Object.keys(INPUTS)) {
        const [old, now] = [state[key], plan[key]];
        if (!containsUnknown(now) && sameJson(old, now)) continue;
        result.changed.push(key);
        const show = (v: unknown) => (containsUnknown(v) ? "(unknown)" : v === undefined ? "(unset)" : JSON.stringify(v));
        result.details.push(`${key}: ${show(old)} → ${show(now)}`);
        if (INPUTS[key].requiresReplace?.(old, now) ?? true) result.replace.push(key);
    }
    return result;
}

export const randomPasswordModel: ResourceModel = {
    type: TYPE,
    async check(name, news) {
        return checkPassword(`${TYPE} ${name}`, news);
    },
    diff(_olds, outputs, news) {
        return diffPassword(outputs, news);
    },
    previewCreate(news) {
        return planned(news);
    },
    previewUpdate(outputs, news) {
        return { ...planned(news), result: outputs.result, bcryptHash: outputs.bcryptHash };
    },
    async create(engine, name, news) {
        const plan = planned(news);
        engine.log(`create  RandomPassword ${name}`);
        const result = createPasswordString(plan);
        // tfr Create: the ID is the static "none".
        return { id: "none", outputs: { ...plan, result, bcryptHash: generateHash(result) } };
    },
    // tfr Update copies the plan to state; result and bcrypt_hash keep their state (UseStateForUnknown).
    async update(_engine, _name, _id, outputs, news) {
        return { ...planned(news), result: outputs.result, bcryptHash: outputs.bcryptHash };
    },
    // tfr Delete does nothing: the framework drops the state.
    async delete() {},
};
