import { BAD_INPUTS } from "../fixtures/badInputs";

// The first test compiles and loads the whole program (ts-jest): seconds on a busy machine. A timeout there
// would leave its isolated registry open and fail every later test ("isolateModulesAsync cannot be nested").
jest.setTimeout(60_000);

/**
 * Runs the whole program (index.ts) under the mock runtime with a config, in a fresh module registry, and
 * returns the error it stopped with and every resource it tried to declare.
 */
async function runWith(stack: string, config: Record<string, string>, plainText = false): Promise<{ error: unknown; declared: string[] }> {
    const declared: string[] = [];
    let error: unknown;
    await jest.isolateModulesAsync(async () => {
        const pulumi = await import("@pulumi/pulumi");
        pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    declared.push(`${args.type}::${args.name}`);
                    return { id: `${args.name}-id`, state: args.inputs };
                },
                call: (args) => args.inputs,
            },
            "nextstack",
            stack,
            false,
        );
        pulumi.runtime.setAllConfig(
            Object.fromEntries(Object.entries(config).map(([k, v]) => [`nextstack:${k}`, v])),
            plainText ? [] : ["nextstack:dbPassword", "nextstack:appSecretEnv", "nextstack:appBuildSecrets"],
        );
        error = await import("../../index").then(() => undefined, (e: unknown) => e);
        await new Promise((resolve) => setTimeout(resolve, 20));
    });
    return { error, declared };
}

test.each(BAD_INPUTS.map((b) => [b.name, b] as const))("%s: the program stops with the key's error and declares no resource", async (_, bad) => {
    const { error, declared } = await runWith(bad.stack ?? "dev", bad.config, bad.plainText);
    expect(String(error)).toMatch(bad.message);
    expect(String(error)).toMatch(/nothing was created or changed/);
    expect(declared).toEqual([]);
});

test("three mistakes at once are reported together", async () => {
    const { error, declared } = await runWith("dev", { proxyPort: "eighty", dbPublishPort: "5432", dbPublishAddress: "0.0.0.0", dbImag: "postgres:18-alpine" });
    expect(String(error)).toMatch(/3 problems[\s\S]*nextstack:proxyPort: got "eighty"[\s\S]*nextstack:dbImag: unknown key; did you mean nextstack:dbImage\?[\s\S]*nextstack:dbPublishAddress/);
    expect(declared).toEqual([]);
});

test("a good config does declare resources (so the tests above can fail)", async () => {
    const { error, declared } = await runWith("dev", {});
    expect(error).toBeUndefined();
    expect(declared).toContain("docker:index/container:Container::db");
});
