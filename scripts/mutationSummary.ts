// `npm run -s mutation:summary [report.json]`: the mutation score per file and in all from a StrykerJS report
// (default reports/stryker-incremental.json, which every run updates, interrupted ones too), as a Markdown table
// (each file, each part of the project, the program's code — components/ and policy/ — and all), then the surviving
// and uncovered mutants, one per line (file:line, mutator, replacement).
import * as fs from "fs";

interface Mutant {
    mutatorName: string;
    status: string;
    replacement?: string;
    location: { start: { line: number; column: number } };
}
interface Report {
    files: Record<string, { mutants: Mutant[] }>;
}

const DETECTED = ["Killed", "Timeout"];
const UNDETECTED = ["Survived", "NoCoverage"];
const count = (mutants: Mutant[], statuses: string[]) => mutants.filter((m) => statuses.includes(m.status)).length;

/** Stryker's mutation score: detected / (detected + undetected); compile and runtime errors and ignored mutants are left out. */
export function score(mutants: Mutant[]): number | undefined {
    const detected = count(mutants, DETECTED);
    const valid = detected + count(mutants, UNDETECTED);
    return valid === 0 ? undefined : (100 * detected) / valid;
}

/** Where a mutated file belongs: its top directory (`components/`), or under tests/ its own (`tests/e2e/model/`). */
export function area(file: string): string {
    const parts = file.split("/");
    return parts[0] === "tests" ? `${parts.slice(0, -1).join("/")}/` : `${parts[0]}/`;
}

/** The program's own code, whose score the project holds to a target (README: Mutation testing). */
const PROGRAM_AREAS = ["components/", "policy/"];

export function summary(report: Report): string {
    const files = Object.keys(report.files).sort();
    const pct = (s: number | undefined) => (s === undefined ? "n/a" : `${s.toFixed(1)} %`);
    const row = (name: string, m: Mutant[]) =>
        `| ${name} | ${count(m, ["Killed"])} | ${count(m, ["Timeout"])} | ${count(m, ["Survived"])} | ${count(m, ["NoCoverage"])} | ${count(m, ["CompileError", "RuntimeError"])} | ${count(m, ["Ignored"])} | ${count(m, ["Pending"])} | ${pct(score(m))} |`;
    const mutantsOf = (pick: (file: string) => boolean) => files.filter(pick).flatMap((f) => report.files[f].mutants);
    const lines = [
        "| Mutated | Killed | Timed out | Survived | No coverage | Errors | Ignored | Not tested yet | Score |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ...files.map((f) => row(`\`${f}\``, report.files[f].mutants)),
        ...[...new Set(files.map(area))].sort().map((a) => row(`**${a}**`, mutantsOf((f) => area(f) === a))),
        row(`**${PROGRAM_AREAS.join(" + ")}**`, mutantsOf((f) => PROGRAM_AREAS.includes(area(f)))),
        row("**all**", mutantsOf(() => true)),
        "",
        "Undetected mutants:",
    ];
    for (const f of files) {
        for (const m of report.files[f].mutants.filter((x) => UNDETECTED.includes(x.status)).sort((a, b) => a.location.start.line - b.location.start.line)) {
            lines.push(`- ${f}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName}: ${JSON.stringify((m.replacement ?? "").slice(0, 100))}`);
        }
    }
    return lines.join("\n");
}

if (require.main === module) {
    const file = process.argv[2] ?? "reports/stryker-incremental.json";
    process.stdout.write(summary(JSON.parse(fs.readFileSync(file, "utf8"))) + "\n");
}
