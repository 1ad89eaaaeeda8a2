import { cpusAsReadBack, goDuration, healthcheck, hostAddressFor, isLoopbackPublishAddress, limitInputs, publishedUrl, REPLACE_ON_CHANGES, RunPolicy, waitTimeoutSeconds } from "../../components/containerDefaults";
import { nanoToDecimalString, parseCpus } from "../e2e/model/container";

const policy: RunPolicy = { restartPolicy: "unless-stopped", healthcheckIntervalSeconds: 5, healthcheckStartIntervalSeconds: 1, stopGraceSeconds: 30 };

// The provider reads healthcheck durations back as Go's time.Duration.String(); inputs must already be in that form.
test.each([
    [0, "0s"],
    [1, "1s"],
    [59, "59s"],
    [60, "1m0s"],
    [61, "1m1s"],
    [90, "1m30s"],
    [600, "10m0s"],
    [3599, "59m59s"],
    [3600, "1h0m0s"],
    [3661, "1h1m1s"],
    [7322, "2h2m2s"],
    [90000, "25h0m0s"], // Go has no day unit
])("%d s is written %s", (seconds, text) => {
    expect(goDuration(seconds)).toBe(text);
});

test.each([1.5, 0.5, -1, -60, NaN, Infinity])("%d s is refused (Go would print fractions as ms/µs)", (seconds) => {
    expect(() => goDuration(seconds)).toThrow(new Error(`goDuration: expected whole seconds ≥ 0, got ${seconds}`));
});

// Every duration in Go's form (the provider's read-back); a probe may take 5 s; 3 failures in a row make it unhealthy.
test("a start interval is set only when configured (the Docker client refuses it below API 1.44)", () => {
    expect(healthcheck(["CMD", "true"], policy, 60)).toEqual({ tests: ["CMD", "true"], interval: "5s", timeout: "5s", retries: 3, startPeriod: "1m0s", startInterval: "1s" });
    const without = healthcheck(["CMD", "true"], { ...policy, healthcheckStartIntervalSeconds: 0 }, 60);
    expect(without).toEqual({ tests: ["CMD", "true"], interval: "5s", timeout: "5s", retries: 3, startPeriod: "1m0s" });
    expect(Object.keys(without)).not.toContain("startInterval"); // absent, not undefined: the provider would send it
    expect(healthcheck(["CMD-SHELL", "pg_isready"], { ...policy, healthcheckIntervalSeconds: 120, healthcheckStartIntervalSeconds: 2 }, 0)).toEqual({
        tests: ["CMD-SHELL", "pg_isready"],
        interval: "2m0s",
        timeout: "5s",
        retries: 3,
        startPeriod: "0s",
        startInterval: "2s",
    });
});

// A change of any of these must replace the container: the provider cannot apply them in place.
test("replaced on a change of the healthcheck, memory or swap", () => {
    expect(REPLACE_ON_CHANGES).toEqual(["healthcheck", "memory", "memorySwap"]);
});

// The start period, then three probes (the retries) one interval apart, plus 10 s of slack.
test.each([
    [60, 5, 85],
    [7, 11, 50],
    [0, 1, 13],
])("start period %d s and interval %d s: wait at most %d s", (startPeriod, interval, seconds) => {
    expect(waitTimeoutSeconds({ ...policy, healthcheckIntervalSeconds: interval }, startPeriod)).toBe(seconds);
});

// A port published on every interface is dialled on loopback from the host; a specific address as it is.
test.each([
    ["0.0.0.0", "127.0.0.1"],
    ["127.0.0.1", "127.0.0.1"],
    ["127.0.0.2", "127.0.0.2"],
    ["192.168.1.10", "192.168.1.10"],
])("a port published on %s is dialled at %s", (bind, host) => {
    expect(hostAddressFor(bind)).toBe(host);
});

test.each([
    ["0.0.0.0", 3000, "http://127.0.0.1:3000/"],
    ["10.20.30.40", 8080, "http://10.20.30.40:8080/"],
])("a port published on %s:%d is reached at %s", (bind, port, url) => {
    expect(publishedUrl(bind, port)).toBe(url);
});

// Loopback means reachable from this machine only; missing, empty and 0.0.0.0 mean every interface.
test.each<[string | undefined, boolean]>([
    [undefined, false],
    ["", false],
    ["0.0.0.0", false],
    ["::", false],
    ["[::]", false],
    ["192.168.1.10", false],
    ["10.127.0.1", false],
    ["1270.0.0.1", false],
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["::1", true],
    ["[::1]", true],
])("a port published on %j is loopback only: %s", (ip, loopback) => {
    expect(isLoopbackPublishAddress(ip)).toBe(loopback);
});

// memorySwap = memory: no swap (the engine would set twice the memory, read back into state: a diff on every up).
test.each<[string, Parameters<typeof limitInputs>[0], ReturnType<typeof limitInputs>]>([
    ["memory and cpus", { memoryMb: 512, cpus: "0.5" }, { memory: 512, memorySwap: 512, cpus: "0.5" }],
    ["memory only", { memoryMb: 256 }, { memory: 256, memorySwap: 256 }],
    ["cpus only", { cpus: "2.0" }, { cpus: "2.0" }],
    ["no limits", {}, {}],
    ["a limits object left out", undefined, {}],
    ["zero memory and empty cpus (unset)", { memoryMb: 0, cpus: "" }, {}],
])("container limit inputs for %s", (_, limits, inputs) => {
    expect(limitInputs(limits)).toEqual(inputs);
    expect(Object.keys(limitInputs(limits)).sort()).toEqual(Object.keys(inputs).sort()); // unset limits are absent, not undefined
});

// kreuzwerker v4.5.0 helpers.go nanoInt64ToDecimalString: what the provider stores for a container's cpus.
test.each([
    ["1", "1.0"],
    ["2", "2.0"],
    ["0.5", "0.5"],
    ["0.25", "0.25"],
    ["1.5", "1.5"],
    ["0.1", "0.1"],
    ["10", "10."], // "10.000000000" holds ten 0s, not nine: trailing zeros trimmed, the point stays
    ["1.0", "1.0"],
    ["0.123456789", "0.123456789"],
    ["1.123456789", "1.123456789"], // no 0 at all in the nine-decimal text
    ["1.000000001", "1.000000001"],
    ["0.15", "0.15"], // "0.150000000": eight 0s, trimmed
    ["2.05", "2.05"],
    ["0.025", "0.025"], // the nanos are padded on the left: 025000000
    ["1.5000000000", "1.5"], // ten decimals, but the trailing zeros are no precision
    ["1.50000000000", "1.5"], // eleven: every trailing zero is dropped, not just one
    ["16", "16.0"],
    ["100", "100."],
])("cpus %s is written %s, as the provider reads it back", (value, readBack) => {
    expect(cpusAsReadBack(value)).toBe(readBack);
});

test.each([
    "0.05", // reads back as 0.1 (nine 0s: one decimal, half rounded up)
    "0.01", // reads back as 0.0
    "0.06", // reads back as 0.1
    "0.0000000001", // too precise: the provider refuses it
    "1.0000000001", // too precise, even though the first nine decimals alone would be fine
    "0.1234567891",
    "x",
    "",
    "-1",
    "1.5x",
    "1.",
    ".5",
    "1e3",
])("cpus %j has no stable read-back form", (value) => {
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
