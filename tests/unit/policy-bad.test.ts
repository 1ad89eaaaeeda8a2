import { policies } from "../../policy/policies";
import { fromRegistered, runPolicies, Violation } from "../../policy/testing";
import { ProgramRun, runProgram, stackConfig } from "./harness";

// A prod-like stack whose config the program accepts (its own validation passes) but the policy pack refuses:
// unprotected data, containers that do not restart, Postgres published on every interface (explicitly allowed).
let run: ProgramRun;
let violations: Violation[];
beforeAll(async () => {
    run = await runProgram({
        stack: "prod-eu",
        config: {
            ...stackConfig("Pulumi.prod.yaml"),
            "nextstack:protectData": "false",
            "nextstack:restartPolicy": "no",
            "nextstack:dbPublishPort": "5433",
            "nextstack:dbPublishAddress": "0.0.0.0",
            "nextstack:dbPublishAnyAddress": "true",
        },
    });
    violations = await runPolicies(policies, fromRegistered(run.resources));
});

test("the program itself accepts the config and declares the whole stack", () => {
    expect(run.resources.filter((r) => r.custom).map((r) => r.name).sort()).toEqual(
        ["app", "app-image", "db", "db-data", "db-image", "db-password", "network", "proxy", "proxy-image"],
    );
});

test("exactly these policies fail, on exactly these resources", () => {
    expect(violations.map((v) => `${v.policy} ${v.resource}`).sort()).toEqual([
        "containers-restart app",
        "containers-restart db",
        "containers-restart proxy",
        "only-proxy-publishes-beyond-loopback db",
        "prod-data-protected db-data",
    ]);
});

test("the others pass", () => {
    const failed = new Set(violations.map((v) => v.policy));
    expect(policies.map((p) => p.name).filter((name) => !failed.has(name))).toEqual([
        "container-healthcheck",
        "no-loopback-urls-in-container-env",
        "images-pinned",
    ]);
});

test("the messages name what to set", () => {
    const message = (policy: string, resource: string) => violations.find((v) => v.policy === policy && v.resource === resource)!.message;
    expect(message("prod-data-protected", "db-data")).toMatch(/"nextstack-prod-eu-pgdata"[\s\S]*"prod-eu"[\s\S]*nextstack:protectData to true/);
    expect(message("containers-restart", "app")).toMatch(/"nextstack-prod-eu-app" has restart "no"[\s\S]*nextstack:restartPolicy/);
    expect(message("only-proxy-publishes-beyond-loopback", "db")).toMatch(
        /"nextstack-prod-eu-db" \(nextstack\.role=db\) publishes port 5432 on 0\.0\.0\.0:5433[\s\S]*nextstack:dbPublishAnyAddress/,
    );
});
