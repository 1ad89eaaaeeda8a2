import { formatGoDuration, normaliseGoDuration, parseGoDuration } from "../../e2e/model/goDuration";

/** One test per rule of tests/e2e/model/goDuration.ts (golang/go src/time ParseDuration, Duration.String). */

const S = 1_000_000_000n;

describe("parseGoDuration (time.ParseDuration)", () => {
    test.each([
        ["0", 0n],
        ["60s", 60n * S],
        ["1m30s", 90n * S],
        ["1.5h", 5400n * S],
        ["500ms", 500_000_000n],
        ["1µs", 1000n],
        ["1μs", 1000n],
        ["1us", 1000n],
        ["-1.5s", -1_500_000_000n],
        ["+2h45m", (2n * 3600n + 45n * 60n) * S],
        [".5s", 500_000_000n],
        ["1.s", S],
        ["9s", 9n * S],
        // The unit ends at a digit or a point, so a fraction may follow a unit: 1s + .5s.
        ["1s.5s", 1_500_000_000n],
        // int64's edges: leadingInt accepts up to 1<<63, the sign decides (format.go: `if !neg && d > 1<<63-1`).
        ["9223372036854775807ns", 9223372036854775807n],
        ["-9223372036854775808ns", -9223372036854775808n],
        // 9223372036854775 µs + .808 µs (float64) is exactly 1<<63 ns: still the minimum when negative.
        ["-9223372036854775.808us", -9223372036854775808n],
    ])("%s is %p ns", (input, expected) => {
        expect(parseGoDuration(input)).toBe(expected);
    });

    test.each([
        ["", 'time: invalid duration ""'],
        ["5", 'time: missing unit in duration "5"'],
        ["1m30", 'time: missing unit in duration "1m30"'],
        ["5x", 'time: unknown unit "x" in duration "5x"'],
        [".s", 'time: invalid duration ".s"'],
        ["s", 'time: invalid duration "s"'],
        ["9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"'],
        // leadingInt's overflow (past 1<<63) is an invalid duration before the unit is looked at.
        ["9223372036854775809x", 'time: invalid duration "9223372036854775809x"'],
        // The running total past 1<<63 is invalid, even negative.
        ["-9223372036854775808ns1ns", 'time: invalid duration "-9223372036854775808ns1ns"'],
        ["9223372036854775.808us", 'time: invalid duration "9223372036854775.808us"'],
    ])("%p fails with Go's message", (input, message) => {
        expect(() => parseGoDuration(input)).toThrow(new Error(message));
    });

    test("a fraction is added through float64, as Go does (not exact arithmetic)", () => {
        expect(parseGoDuration("1.0000000001s")).toBe(S);
        // Exact: 19 999 999 999 ns; float64(f) * (float64(unit) / scale) rounds up to 20 s.
        expect(parseGoDuration("0.3333333333333333m")).toBe(20n * S);
    });
});

describe("formatGoDuration (Duration.String)", () => {
    test.each([
        [0n, "0s"],
        [S, "1s"],
        [60n * S, "1m0s"],
        [90n * S, "1m30s"],
        [3600n * S, "1h0m0s"],
        [5400n * S, "1h30m0s"],
        [500_000_000n, "500ms"],
        [1_500_000n, "1.5ms"],
        [1500n, "1.5µs"],
        // The unit changes at 1 µs and 1 ms exactly (time.go String: `u < uint64(Microsecond)`, `u < uint64(Millisecond)`).
        [999n, "999ns"],
        [1000n, "1µs"],
        [999_999n, "999.999µs"],
        [1_000_000n, "1ms"],
        [7n, "7ns"],
        [1_500_000_000n, "1.5s"],
        [-90n * S, "-1m30s"],
    ])("%p ns prints %p", (ns, text) => {
        expect(formatGoDuration(ns)).toBe(text);
    });

    test("the read-back form of an input: 60s → 1m0s, 1m0s stays", () => {
        expect(normaliseGoDuration("60s")).toBe("1m0s");
        expect(normaliseGoDuration("1m0s")).toBe("1m0s");
        expect(normaliseGoDuration("0s")).toBe("0s");
    });
});
