import * as fs from "fs";
import * as path from "path";
import { dockerLabels, labelBuildArgs, PROJECT_LABEL, ROLE_LABEL, STACK_LABEL, stackLabels } from "../../components/labels";

// Leftover searches (`docker ps --filter label=nextstack.stack=<stack>`), the policies and the Dockerfiles' LABEL
// lines all spell these names: a renamed label would hide a stack's objects from all of them.
test("the label names", () => {
    expect([PROJECT_LABEL, STACK_LABEL, ROLE_LABEL]).toEqual(["nextstack.project", "nextstack.stack", "nextstack.role"]);
});

test("every object of a stack carries the project and the stack", () => {
    expect(stackLabels("nextstack", "prod")).toEqual({ "nextstack.project": "nextstack", "nextstack.stack": "prod" });
});

test.each<[string, string | undefined, { label: string; value: string }[]]>([
    ["without a role (networks, volumes): the stack's labels only", undefined, [
        { label: "nextstack.project", value: "nextstack" },
        { label: "nextstack.stack", value: "prod" },
    ]],
    ["an empty role adds no role label", "", [
        { label: "nextstack.project", value: "nextstack" },
        { label: "nextstack.stack", value: "prod" },
    ]],
    ["with a role (containers): the stack's labels, then the role", "db", [
        { label: "nextstack.project", value: "nextstack" },
        { label: "nextstack.stack", value: "prod" },
        { label: "nextstack.role", value: "db" },
    ]],
])("the provider's list of pairs, %s", (_, role, pairs) => {
    const labels = stackLabels("nextstack", "prod");
    expect(dockerLabels(labels, role)).toEqual(pairs);
    expect(labels).toEqual({ "nextstack.project": "nextstack", "nextstack.stack": "prod" }); // not changed in place
});

test("other labels are passed on as they are", () => {
    expect(dockerLabels({ "com.example.team": "web" }, "app")).toEqual([
        { label: "com.example.team", value: "web" },
        { label: "nextstack.role", value: "app" },
    ]);
});

test("build arguments carry the project and stack into the image", () => {
    expect(labelBuildArgs({ ...stackLabels("shop", "dev"), "nextstack.role": "app" })).toEqual({ NEXTSTACK_PROJECT: "shop", NEXTSTACK_STACK: "dev" });
});

// The Dockerfiles turn exactly these build arguments into exactly these labels.
test.each(["nginx/Dockerfile", "components/nextjs.Dockerfile"])("%s labels its image from the build arguments", (file) => {
    const text = fs.readFileSync(path.resolve(__dirname, "../..", file), "utf8");
    for (const arg of Object.keys(labelBuildArgs(stackLabels("p", "s")))) expect(text).toMatch(new RegExp(`^ARG ${arg}=`, "m"));
    expect(text).toMatch(/nextstack\.project="?\$\{NEXTSTACK_PROJECT\}"?/);
    expect(text).toMatch(/nextstack\.stack="?\$\{NEXTSTACK_STACK\}"?/);
});
