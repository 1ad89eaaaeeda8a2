import * as pulumi from "@pulumi/pulumi";

// A stack with three mistakes: the program must stop before declaring anything, listing all three.
test("bad config stops the program before any resource is declared", async () => {
    const declared: string[] = [];
    pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                declared.push(`${args.type}::${args.name}`);
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: (args) => args.inputs,
        },
        "nextstack",
        "broken",
        false,
    );
    pulumi.runtime.setAllConfig({
        "nextstack:proxyPort": "eighty",
        "nextstack:dbPublishPort": "5432",
        "nextstack:dbPublishAddress": "0.0.0.0",
        "nextstack:dbImag": "postgres:18-alpine",
    });
    await expect(import("../../index")).rejects.toThrow(
        /3 problems[\s\S]*nextstack:proxyPort: got "eighty"[\s\S]*nextstack:dbImag: unknown key; did you mean nextstack:dbImage\?[\s\S]*nextstack:dbPublishAddress/,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(declared).toEqual([]);
});
