import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { CONFIG_KEYS } from "../../components/settings";
import { renderPlanTable } from "../e2e/planTable";
import { renderConfigTable, renderPulumiYaml, ROOT } from "../tools/configDocs";

// Pulumi.yaml, the README table and the settings module must say the same thing: the CLI applies
// Pulumi.yaml's defaults, the program (and its tests under mocks) apply the module's.
test("Pulumi.yaml declares exactly the keys the program reads, with the same types and defaults", () => {
    expect(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).toBe(renderPulumiYaml());
    const declared = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).config;
    expect(Object.keys(declared).sort()).toEqual(Object.keys(CONFIG_KEYS).sort());
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
        expect(declared[key]).toMatchObject({ type: spec.type, default: spec.default, description: spec.description });
    }
});

test("the README lists every key with its default", () => {
    expect(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")).toContain(renderConfigTable());
});

// The rows are proven by the e2e (04-plan: preview and up on the engine); the README shows the same table.
test("the README's table of what a change does is the one the plan e2e proves", () => {
    expect(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")).toContain(renderPlanTable());
});

test("stack files set only declared keys of the project's namespace", () => {
    for (const file of fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))) {
        const config = parse(fs.readFileSync(path.join(ROOT, file), "utf8")).config ?? {};
        for (const key of Object.keys(config)) {
            expect(`${file}: ${key}`).toMatch(new RegExp(`: nextstack:(${Object.keys(CONFIG_KEYS).join("|")})$`));
        }
    }
});
