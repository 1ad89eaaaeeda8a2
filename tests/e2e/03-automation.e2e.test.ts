import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { e2eConfig, freePort, labelled, pruneStackImages, request, ROOT, WORK_DIR } from "./support";

// With a Pulumi CLI on PATH, the same program runs through the real CLI and Docker provider (Automation API,
// file backend); without one this mode is skipped, and the provider-model mode (01, 02, 04) is what ran.
const cli = (process.env.PATH ?? "").split(path.delimiter).map((dir) => path.join(dir, "pulumi")).find((file) => fs.existsSync(file));
const STACK = "e2e-auto";

if (!cli) {
    test.skip("Automation API mode (real `pulumi up`/`destroy`): skipped — no Pulumi CLI on PATH", () => undefined);
    process.stdout.write("Automation API mode skipped: no `pulumi` on PATH; the provider-model mode ran instead.\n");
} else {
    test("pulumi up and destroy of a prod-like stack through the CLI leave nothing behind", async () => {
        const backend = path.join(WORK_DIR, "backend");
        fs.mkdirSync(backend, { recursive: true });
        const stack = await LocalWorkspace.createOrSelectStack(
            { stackName: STACK, workDir: ROOT },
            { envVars: { PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "nextstack-e2e" } },
        );
        const port = await freePort();
        const config = e2eConfig("Pulumi.prod.yaml", { proxyPort: port, protectData: false });
        await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }])));
        try {
            await stack.up({ onOutput: (line) => process.stdout.write(line) });
            expect((await request(port, "/api/health")).status).toBe(200);
        } finally {
            await stack.destroy({ onOutput: (line) => process.stdout.write(line) });
            await pruneStackImages(STACK);
            await stack.workspace.removeStack(STACK);
        }
        expect(await labelled(STACK)).toEqual({ containers: [], networks: [], volumes: [], images: [] });
    });
}
