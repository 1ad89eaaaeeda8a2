import { score, summary } from "../../scripts/mutationSummary";

const m = (status: string, line = 1, replacement = "x") => ({ mutatorName: "StringLiteral", status, replacement, location: { start: { line, column: 2 } } });

test("the score counts killed and timed-out mutants against all but errors and ignored ones", () => {
    expect(score([m("Killed"), m("Timeout"), m("Survived"), m("NoCoverage"), m("CompileError"), m("RuntimeError"), m("Ignored")])).toBe(50);
    expect(score([m("Killed"), m("Killed"), m("Killed"), m("Survived")])).toBe(75);
    expect(score([m("CompileError"), m("Ignored")])).toBeUndefined();
});

test("the table has a row per file, sorted, and the total; undetected mutants are listed by file and line", () => {
    const text = summary({
        files: {
            "policy/p.ts": { mutants: [m("Killed"), m("NoCoverage", 9, '""')] },
            "components/a.ts": { mutants: [m("Survived", 12, "false"), m("Killed"), m("Survived", 3, "<=")] },
        },
    });
    const lines = text.split("\n");
    expect(lines[2]).toBe("| `components/a.ts` | 1 | 0 | 2 | 0 | 0 | 0 | 0 | 33.3 % |");
    expect(lines[3]).toBe("| `policy/p.ts` | 1 | 0 | 0 | 1 | 0 | 0 | 0 | 50.0 % |");
    expect(lines[4]).toBe("| **all** | 2 | 0 | 2 | 1 | 0 | 0 | 0 | 40.0 % |");
    expect(lines.slice(7)).toEqual([
        '- components/a.ts:3:2 Survived StringLiteral: "<="',
        '- components/a.ts:12:2 Survived StringLiteral: "false"',
        '- policy/p.ts:9:2 NoCoverage StringLiteral: "\\"\\""',
    ]);
});
