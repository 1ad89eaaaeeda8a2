import { score, summary } from "../../scripts/mutationSummary";

const m = (status: string, line = 1, replacement = "x") => ({ mutatorName: "StringLiteral", status, replacement, location: { start: { line, column: 2 } } });

test("the score counts killed and timed-out mutants against all but errors and ignored ones", () => {
    expect(score([m("Killed"), m("Timeout"), m("Survived"), m("NoCoverage"), m("CompileError"), m("RuntimeError"), m("Ignored")])).toBe(50);
    expect(score([m("Killed"), m("Killed"), m("Killed"), m("Survived")])).toBe(75);
    expect(score([m("CompileError"), m("Ignored")])).toBeUndefined();
});

test("the table has a row per file, sorted, per part of the project, for the program's code, and the total; undetected mutants are listed by file and line", () => {
    const text = summary({
        files: {
            "policy/p.ts": { mutants: [m("Killed"), m("NoCoverage", 9, '""')] },
            "components/a.ts": { mutants: [m("Survived", 12, "false"), m("Killed"), m("Survived", 3, "<=")] },
            "components/settings/b.ts": { mutants: [m("Killed"), m("Timeout")] },
            "tests/e2e/model/c.ts": { mutants: [m("Killed"), m("Survived", 5, "{}"), m("Pending")] },
        },
    });
    const lines = text.split("\n");
    expect(lines.slice(2, 13)).toEqual([
        "| `components/a.ts` | 1 | 0 | 2 | 0 | 0 | 0 | 0 | 33.3 % |",
        "| `components/settings/b.ts` | 1 | 1 | 0 | 0 | 0 | 0 | 0 | 100.0 % |",
        "| `policy/p.ts` | 1 | 0 | 0 | 1 | 0 | 0 | 0 | 50.0 % |",
        "| `tests/e2e/model/c.ts` | 1 | 0 | 1 | 0 | 0 | 0 | 1 | 50.0 % |",
        "| **components/** | 2 | 1 | 2 | 0 | 0 | 0 | 0 | 60.0 % |",
        "| **policy/** | 1 | 0 | 0 | 1 | 0 | 0 | 0 | 50.0 % |",
        "| **tests/e2e/model/** | 1 | 0 | 1 | 0 | 0 | 0 | 1 | 50.0 % |",
        "| **components/ + policy/** | 3 | 1 | 2 | 1 | 0 | 0 | 0 | 57.1 % |",
        "| **all** | 4 | 1 | 3 | 1 | 0 | 0 | 1 | 55.6 % |",
        "",
        "Undetected mutants:",
    ]);
    expect(lines.slice(13)).toEqual([
        '- components/a.ts:3:2 Survived StringLiteral: "<="',
        '- components/a.ts:12:2 Survived StringLiteral: "false"',
        '- policy/p.ts:9:2 NoCoverage StringLiteral: "\\"\\""',
        '- tests/e2e/model/c.ts:5:2 Survived StringLiteral: "{}"',
    ]);
});
