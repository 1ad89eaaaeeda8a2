import { healthcheckProblem, isLoopbackUrlHost, isOneShot, labelValue, splitEnv, urlHosts } from "../../policy/policies";

// The pure helpers of the policy pack (policy/policies.ts), called directly. The policies built on them:
// policy-rules.test.ts; the pack over whole stacks: policy.test.ts, policy-prod.test.ts, policy-bad.test.ts.

describe("labelValue reads the Docker provider's [{ label, value }] list", () => {
    const list = [
        { label: "nextstack.stack", value: "prod" },
        { label: "nextstack.role", value: "db" },
        { label: "nextstack.role", value: "app" },
    ];

    test.each<[string, unknown, string, string | undefined]>([
        ["the first entry", list, "nextstack.stack", "prod"],
        // the first match wins: a later duplicate does not override it
        ["a later entry, first match", list, "nextstack.role", "db"],
        ["an absent label", list, "nextstack.project", undefined],
        ["an empty list", [], "nextstack.role", undefined],
        // holes and non-objects in the list are skipped, not dereferenced (that would throw)
        ["past a null and an undefined entry", [null, undefined, { label: "nextstack.role", value: "proxy" }], "nextstack.role", "proxy"],
        // a non-string value is not a label value: no "42" or "[object Object]"
        ["a number value", [{ label: "nextstack.role", value: 42 }], "nextstack.role", undefined],
        ["a missing value", [{ label: "nextstack.role" }], "nextstack.role", undefined],
        // a map (another provider's shape) is not read: the Docker provider always sends the list
        ["a map instead of a list", { "nextstack.role": "db" }, "nextstack.role", undefined],
        ["no labels at all", undefined, "nextstack.role", undefined],
        ["a string", "nextstack.role=db", "nextstack.role", undefined],
    ])("%s", (_title, labels, name, expected) => {
        expect(labelValue(labels, name)).toBe(expected);
    });
});

describe("splitEnv splits NAME=value at the first =", () => {
    test.each<[string, { name: string; value: string } | undefined]>([
        ["PORT=3000", { name: "PORT", value: "3000" }],
        // a value may itself hold = (base64, query strings): only the first one separates
        ["Q=a=b=c", { name: "Q", value: "a=b=c" }],
        ["EMPTY=", { name: "EMPTY", value: "" }],
        // "=x" has a separator at index 0: an empty name, still split
        ["=x", { name: "", value: "x" }],
        ["NO_SEPARATOR", undefined],
        ["", undefined],
    ])("%j", (entry, expected) => {
        expect(splitEnv(entry)).toEqual(expected);
    });
});

describe("urlHosts lists the host of every URL", () => {
    test.each<[string, string[]]>([
        // a URL at the very end of the text keeps its last character
        ["http://db", ["db"]],
        ["http://db:5432", ["db"]],
        // any scheme: letters, then letters, digits, +, . or -
        ["git+ssh://gitserver/repo", ["gitserver"]],
        ["coap.tcp://sensor/x", ["sensor"]],
        ["x-y://h1/", ["h1"]],
        ["s3://bucket/key", ["bucket"]],
        ["HTTP://Upper/", ["Upper"]],
        ["z://one-letter-scheme", ["one-letter-scheme"]],
        // no scheme, no URL
        ["://localhost", []],
        ["3://localhost", []],
        // the authority ends at any of / ? # whitespace " ' < > ;
        ["http://a/p", ["a"]],
        ["http://a?x=1", ["a"]],
        ["http://a#frag", ["a"]],
        ["http://a b", ["a"]],
        ["http://a\tb", ["a"]],
        ['"http://a"', ["a"]],
        ["'http://a'", ["a"]],
        ["<http://a>", ["a"]],
        ["http://a;http://b", ["a", "b"]],
        // user info is dropped up to the last @ (an @ in a password is encoded, but not always)
        ["http://user:p@ss@host:1/", ["host"]],
        ["http://@host/", ["host"]],
        // IPv6 keeps its brackets, port dropped
        ["redis://[::1]:6379/0", ["[::1]"]],
        ["http://[fe80::1]", ["[fe80::1]"]],
        ["postgresql://[::1]:5432,db:5433/x", ["[::1]", "db"]],
        // no host: nothing listed
        ["file:///etc/passwd", []],
        ["http://:80/", []],
        ["postgresql://a,,b/x", ["a", "b"]],
        ["no url here", []],
        ["", []],
    ])("%j", (text, expected) => {
        expect(urlHosts(text)).toEqual(expected);
    });
});

describe("isLoopbackUrlHost", () => {
    test.each<[string, boolean]>([
        ["localhost", true],
        // a trailing dot is the same (fully qualified) name
        ["localhost.", true],
        ["127.0.0.1.", true],
        ["app.localhost.", true],
        // only the one trailing dot goes: "localhost.." is not a name that resolves to loopback
        ["localhost..", false],
        // the dots inside stay: a host ending in localhost but not a subdomain of it is remote
        ["app.localhost", true],
        ["applocalhost", false],
        ["127.0.0.1", true],
        ["[::1]", true],
        ["0.0.0.0", true],
        ["db", false],
        ["db.", false],
    ])("%j is %s", (host, expected) => {
        expect(isLoopbackUrlHost(host)).toBe(expected);
    });
});

describe("healthcheckProblem says what is wrong with healthcheck.tests", () => {
    test.each<[string, unknown, string | undefined]>([
        ["CMD with a command", ["CMD", "pg_isready"], undefined],
        ["CMD-SHELL with a command", ["CMD-SHELL", "pg_isready -h 127.0.0.1"], undefined],
        // one real part is enough, wherever it is
        ["CMD with a blank part, then the command", ["CMD", "", "wget"], undefined],
        ["CMD with the command, then a blank part", ["CMD", "wget", " "], undefined],
        ["CMD-SHELL with padding around the command", ["CMD-SHELL", "  true  "], undefined],
        ["undefined", undefined, "has no healthcheck (healthcheck.tests is not set)"],
        ["null", null, "has no healthcheck (healthcheck.tests is not set)"],
        ["[]", [], "has an empty healthcheck.tests, which falls back to whatever the image declares"],
        // a string is not the list Docker takes
        ["a string", "CMD pg_isready", "has an empty healthcheck.tests, which falls back to whatever the image declares"],
        ["{}", {}, "has an empty healthcheck.tests, which falls back to whatever the image declares"],
        ['["NONE"]', ["NONE"], 'disables its healthcheck (healthcheck.tests is ["NONE"])'],
        ['["NONE", "x"]', ["NONE", "pg_isready"], 'disables its healthcheck (healthcheck.tests is ["NONE"])'],
        ["a bare command", ["pg_isready"], 'has healthcheck.tests starting with "pg_isready", not "CMD" or "CMD-SHELL"'],
        // kinds are case-sensitive in Docker
        ["lower-case cmd", ["cmd", "true"], 'has healthcheck.tests starting with "cmd", not "CMD" or "CMD-SHELL"'],
        ["a number first", [1, "true"], 'has healthcheck.tests starting with 1, not "CMD" or "CMD-SHELL"'],
        ['["CMD"]', ["CMD"], 'has healthcheck.tests ["CMD"] with no command'],
        ['["CMD-SHELL", "  "]', ["CMD-SHELL", "  "], 'has healthcheck.tests ["CMD-SHELL"] with no command'],
        ['["CMD", "", "\\t"]', ["CMD", "", "\t"], 'has healthcheck.tests ["CMD"] with no command'],
        // a non-string part is not a command
        ['["CMD", 5]', ["CMD", 5], 'has healthcheck.tests ["CMD"] with no command'],
    ])("%s", (_title, tests, expected) => {
        expect(healthcheckProblem(tests)).toBe(expected);
    });
});

describe("isOneShot: run to the end during the deployment, not kept running", () => {
    test.each<[Record<string, unknown>, boolean]>([
        [{ mustRun: false, attach: true }, true],
        [{ mustRun: true, attach: true }, false],
        [{ attach: true }, false],
        [{ mustRun: false, attach: false }, false],
        [{ mustRun: false }, false],
        [{}, false],
        // only booleans count: the provider sends booleans, a string is a mistake somewhere
        [{ mustRun: "false", attach: true }, false],
        [{ mustRun: false, attach: "true" }, false],
    ])("%j is %s", (props, expected) => {
        expect(isOneShot(props)).toBe(expected);
    });
});
