import { ProgramRun, publishedPorts, runProgram, stackConfig, T, valueOf } from "./harness";

// prod with the database published on one LAN address (opted in) and the proxy on another: the URLs for the
// host dial exactly those addresses. A start interval of 3 s reaches every healthcheck. No app health route.
let run: ProgramRun;
beforeAll(async () => {
    run = await runProgram({
        stack: "prod",
        config: {
            ...stackConfig("Pulumi.prod.yaml"),
            "nextstack:dbPublishPort": "6543",
            "nextstack:dbPublishAddress": "192.168.77.5",
            "nextstack:dbPublishAnyAddress": "true",
            "nextstack:proxyPublishAddress": "10.20.30.40",
            "nextstack:healthcheckStartInterval": "3",
            // An app without a health route: the probe of / that any answer below 500 satisfies.
            "nextstack:appHealthPath": "",
        },
    });
});

const container = (role: string) => run.all(T.container).find((c) => c.inputs.name === `nextstack-prod-${role}`)!;

test("publishes the database and the proxy on their addresses, and not the app", () => {
    expect(publishedPorts(container("db"))).toEqual(["192.168.77.5:6543->5432"]);
    expect(publishedPorts(container("proxy"))).toEqual(["10.20.30.40:3000->80"]);
    expect(publishedPorts(container("app"))).toEqual([]);
});

test("the host URL and the proxy URL use those addresses as they are", async () => {
    expect(await valueOf(run.outputs.dbHostUrl)).toBe("postgresql://nextstack:Generated0Password0Of0Length0032@192.168.77.5:6543/nextstack");
    expect(await valueOf(run.outputs.url)).toBe("http://10.20.30.40:3000/");
});

test.each(["db", "app", "proxy"])("the %s container is probed every 3 s while it starts", (role) => {
    expect(container(role).inputs.healthcheck.startInterval).toBe("3s");
});

test("without a health route the app is probed at / and any answer below 500 counts (healthProbe.test.ts runs it)", () => {
    expect(container("app").inputs.healthcheck.tests).toEqual([
        "CMD",
        "node",
        "-e",
        'fetch("http://127.0.0.1:3000/", { redirect: "manual" }).then((r) => process.exit(r.status < 500 ? 0 : 1), () => process.exit(1))',
    ]);
});
