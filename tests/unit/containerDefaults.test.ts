import { cpusAsReadBack, goDuration, healthcheck, limitInputs, RunPolicy } from "../../components/containerDefaults";
import { nanoToDecimalString, parseCpus } from "../e2e/model/container";

const policy: RunPolicy = { restartPolicy: "unless-stopped", healthcheckIntervalSeconds: 5, healthcheckStartIntervalSeconds: 1, stopGraceSeconds: 30 };

// The provider reads healthcheck durations back as Go's time.Duration.String(); inputs must already be in that form.
test.each([
    [0, "0s"],
    [1, "1s"],
    [59, "59s"],
    [60, "1m0s"],
    [90, "1m30s"],
    [600, "10m0s"],
    [3600, "1h0m0s"],
    [3661, "1h1m1s"],
])("%d s is written %s", (seconds, text) => {
    expect(goDuration(seconds)).toBe(text);
});

test("fractions and negatives are refused", () => {
    expect(() => goDuration(1.5)).toThrow(/whole seconds/);
    expect(() => goDuration(-1)).toThrow(/whole seconds/);
});

test("a start interval is set only when configured (the Docker client refuses it below API 1.44)", () => {
    expect(healthcheck(["CMD", "true"], policy, 60)).toEqual({ tests: ["CMD", "true"], interval: "5s", timeout: "5s", retries: 3, startPeriod: "1m0s", startInterval: "1s" });
    expect(healthcheck(["CMD", "true"], { ...policy, healthcheckStartIntervalSeconds: 0 }, 60)).not.toHaveProperty("startInterval");
    expect(healthcheck(["CMD", "true"], { ...policy, healthcheckIntervalSeconds: 120 }, 10).interval).toBe("2m0s");
});

test("a memory limit comes with the same swap limit; no limit sets neither", () => {
    expect(limitInputs({ memoryMb: 512, cpus: "0.5" })).toEqual({ memory: 512, memorySwap: 512, cpus: "0.5" });
    expect(limitInputs({})).toEqual({});
    expect(limitInputs(undefined)).toEqual({});
});

// kreuzwerker v4.5.0 helpers.go nanoInt64ToDecimalString: what the provider stores for a container's cpus.
test.each([
    ["1", "1.0"],
    ["2", "2.0"],
    ["0.5", "0.5"],
    ["0.25", "0.25"],
    ["1.5", "1.5"],
    ["0.1", "0.1"],
    ["10", "10."],
    ["1.0", "1.0"],
    ["0.123456789", "0.123456789"],
])("cpus %s is written %s, as the provider reads it back", (value, readBack) => {
    expect(cpusAsReadBack(value)).toBe(readBack);
});

test.each(["0.05", "0.01", "0.0000000001", "x"])("cpus %s has no stable read-back form", (value) => {
    expect(cpusAsReadBack(value)).toBeUndefined();
});

// The program and the provider model (tests/e2e/model/container.ts, written from the provider's source) agree:
// every CPU count the settings accept is written exactly as the provider reads it back.
test("every accepted CPU count from 0.01 to 16 in steps of 0.01 reads back as written", () => {
    for (let hundredths = 1; hundredths <= 1600; hundredths++) {
        const value = (hundredths / 100).toFixed(2);
        const written = cpusAsReadBack(value);
        if (written === undefined) continue;
        expect([value, nanoToDecimalString(parseCpus(written))]).toEqual([value, written]);
        expect([value, parseCpus(written)]).toEqual([value, parseCpus(value)]);
    }
});
