/**
 * Go's `time.Duration` as the Docker provider sees it: `time.ParseDuration` turns an input into nanoseconds
 * (kreuzwerker v4.5.0 validators.go validateDurationGeq0, resource_docker_container_funcs.go
 * resourceDockerContainerCreate) and `Duration.String()` is what its Read stores back
 * (resourceDockerContainerRead: `Healthcheck.Interval.String()` …). Ported from golang/go src/time
 * (format.go ParseDuration, leadingInt, leadingFraction; time.go Duration.String, fmtFrac, fmtInt), Go 1.25
 * (kreuzwerker v4.5.0 go.mod: `go 1.25.8`). Nanoseconds are bigints: a Duration is an int64.
 */

const NANOSECOND = 1n;
const MICROSECOND = 1000n * NANOSECOND;
const MILLISECOND = 1000n * MICROSECOND;
const SECOND = 1000n * MILLISECOND;
const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;

/** golang/go src/time/format.go unitMap (both micro signs included). */
const UNITS: Record<string, bigint> = {
    ns: NANOSECOND,
    us: MICROSECOND,
    "\u00b5s": MICROSECOND,
    "\u03bcs": MICROSECOND,
    ms: MILLISECOND,
    s: SECOND,
    m: MINUTE,
    h: HOUR,
};

const TWO_63 = 1n << 63n;
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const quote = (s: string): string => JSON.stringify(s);

/** A Go `time.ParseDuration` error, with Go's message. */
export class GoDurationError extends Error {}

/** golang/go src/time/format.go leadingInt: digits as uint64, erroring past 1<<63. */
function leadingInt(s: string): { value: bigint; rest: string } | undefined {
    let i = 0;
    let x = 0n;
    for (; i < s.length && isDigit(s[i]); i++) {
        if (x > TWO_63 / 10n) return undefined;
        x = x * 10n + BigInt(s.charCodeAt(i) - 48);
        if (x > TWO_63) return undefined;
    }
    return { value: x, rest: s.slice(i) };
}

/** golang/go src/time/format.go leadingFraction: digits of a fraction, precision dropped (not an error) on overflow. */
function leadingFraction(s: string): { value: bigint; scale: number; rest: string } {
    let i = 0;
    let x = 0n;
    let scale = 1;
    let overflow = false;
    for (; i < s.length && isDigit(s[i]); i++) {
        if (overflow) continue;
        if (x > (TWO_63 - 1n) / 10n) {
            overflow = true;
            continue;
        }
        const y = x * 10n + BigInt(s.charCodeAt(i) - 48);
        if (y > TWO_63) {
            overflow = true;
            continue;
        }
        x = y;
        scale *= 10;
    }
    return { value: x, scale, rest: s.slice(i) };
}

/** Go's `time.ParseDuration`: nanoseconds, or a {@link GoDurationError} with Go's message. */
export function parseGoDuration(input: string): bigint {
    const invalid = () => new GoDurationError(`time: invalid duration ${quote(input)}`);
    let s = input;
    let total = 0n;
    let negative = false;
    if (s !== "" && (s[0] === "-" || s[0] === "+")) {
        negative = s[0] === "-";
        s = s.slice(1);
    }
    if (s === "0") return 0n;
    if (s === "") throw invalid();
    while (s !== "") {
        if (!(s[0] === "." || isDigit(s[0]))) throw invalid();
        const before = s.length;
        const whole = leadingInt(s);
        if (!whole) throw invalid();
        let value = whole.value;
        s = whole.rest;
        const hasWhole = before !== s.length;
        let fraction = 0n;
        let scale = 1;
        let hasFraction = false;
        if (s[0] === ".") {
            s = s.slice(1);
            const beforeFraction = s.length;
            ({ value: fraction, scale, rest: s } = leadingFraction(s));
            hasFraction = beforeFraction !== s.length;
        }
        if (!hasWhole && !hasFraction) throw invalid();
        let i = 0;
        while (i < s.length && s[i] !== "." && !isDigit(s[i])) i++;
        if (i === 0) throw new GoDurationError(`time: missing unit in duration ${quote(input)}`);
        const unitName = s.slice(0, i);
        s = s.slice(i);
        const unit = UNITS[unitName];
        if (unit === undefined) throw new GoDurationError(`time: unknown unit ${quote(unitName)} in duration ${quote(input)}`);
        if (value > TWO_63 / unit) throw invalid();
        value *= unit;
        if (fraction > 0n) {
            // Go: v += uint64(float64(f) * (float64(unit) / scale)), float64 arithmetic then truncation.
            value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
            if (value > TWO_63) throw invalid();
        }
        total += value;
        if (total > TWO_63) throw invalid();
    }
    if (negative) return -total;
    if (total > TWO_63 - 1n) throw invalid();
    return total;
}

/** golang/go src/time/time.go fmtFrac: the fraction of v/10**prec without trailing zeros (nor the point if zero). */
function fmtFrac(v: bigint, prec: number): { text: string; rest: bigint } {
    let text = "";
    let print = false;
    for (let i = 0; i < prec; i++) {
        const digit = v % 10n;
        print = print || digit !== 0n;
        if (print) text = digit.toString() + text;
        v /= 10n;
    }
    return { text: print ? `.${text}` : "", rest: v };
}

/** Go's `Duration.String()`: `60s` → `1m0s`, `90s` → `1m30s`, `500ms` → `500ms`, `0` → `0s`. */
export function formatGoDuration(nanoseconds: bigint): string {
    const negative = nanoseconds < 0n;
    let u = negative ? -nanoseconds : nanoseconds;
    let text: string;
    if (u < SECOND) {
        if (u === 0n) return "0s";
        let prec: number;
        let unit: string;
        if (u < MICROSECOND) [prec, unit] = [0, "ns"];
        else if (u < MILLISECOND) [prec, unit] = [3, "\u00b5s"];
        else [prec, unit] = [6, "ms"];
        const frac = fmtFrac(u, prec);
        text = `${frac.rest}${frac.text}${unit}`;
    } else {
        const frac = fmtFrac(u, 9);
        u = frac.rest;
        text = `${u % 60n}${frac.text}s`;
        u /= 60n;
        if (u > 0n) {
            text = `${u % 60n}m${text}`;
            u /= 60n;
            if (u > 0n) text = `${u}h${text}`;
        }
    }
    return negative ? `-${text}` : text;
}

/** The form the provider's Read stores for a duration input: `formatGoDuration(parseGoDuration(s))`. */
export const normaliseGoDuration = (input: string): string => formatGoDuration(parseGoDuration(input));
