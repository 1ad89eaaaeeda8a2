import * as fs from "fs";
import * as path from "path";
import { DiffResult, Engine, isUnknown, PartialCreateError, Props, ResourceModel, UNKNOWN } from "./model/types";

/**
 * The engine model: what the Pulumi engine does with each resource the program registers (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go and step.go; read at the commit of 2026-08-21, SDK 3.26x/3.270).
 *
 * For each registration: the provider's Check, then its Diff against the state, then one of same / create /
 * update / replace; a replacement is create-before-delete unless `deleteBeforeReplace`, and a
 * delete-before-replace first deletes the dependents that the replacement would replace
 * (`calculateDependentReplacements`). State is checkpointed after every step. After the program finishes,
 * what it no longer declares is deleted (and what create-before-delete replaced). A preview runs the same
 * planning and applies nothing. A test harness: it stands in for the Pulumi CLI, which this machine cannot run.
 */

/** A registration as the engine receives it from the program (secrets unwrapped). */
export interface Registration {
    type: string;
    name: string;
    inputs: Props;
    protect: boolean;
    retainOnDelete: boolean;
    /** The `deleteBeforeReplace` option; undefined when the program did not set it. */
    deleteBeforeReplace?: boolean;
    replaceOnChanges: string[];
    /** Keys (`type::name`) of every resource it depends on: `dependsOn` and its inputs' resources. */
    dependencies: string[];
    /** Per input, the keys of the resources its value came from. */
    propertyDependencies: Record<string, string[]>;
}

/** One resource in the stack's state (the checkpoint). */
export interface StateResource extends Omit<Registration, "inputs"> {
    key: string;
    id: string;
    /** Inputs after the provider's Check (what the next Diff compares against, with `outputs`). */
    inputs: Props;
    /** What the provider's Read returned. */
    outputs: Props;
    /** Created, then the provider failed (step.go: `s.new.InitErrors = initErr.Reasons`). */
    initErrors?: string[];
    /** Deleted by a delete-before-replace whose create has not happened yet (step.go DeleteStep.Apply). */
    pendingReplacement?: boolean;
}

export type StepOp = "same" | "create" | "update" | "replace" | "delete";

/** One planned (preview) or applied (up) step, as the CLI lists it. */
export interface Step {
    op: StepOp;
    type: string;
    name: string;
    /** The properties that cause it (changed keys; for a replacement, the keys that force it). */
    keys: string[];
    /** Why, when not the resource's own diff: `deleted with db (delete-before-replace)`, `no longer declared`. */
    reason?: string;
    /** Property-level detail from the provider's Diff. */
    details?: string[];
}

/** `type::name`: unique in this program (names are unique per type). */
export const keyOf = (type: string, name: string) => `${type}::${name}`;
const kindOf = (type: string) => type.split(/[:/]/).pop();

/** The key a URN names: `urn:pulumi:<stack>::<project>::<parent$…$type>::<name>`. */
export function keyFromUrn(urn: string): string {
    const parts = urn.split("::");
    return keyOf(parts[2].split("$").pop()!, parts.slice(3).join("::"));
}

/**
 * Whether a replaceOnChanges path covers a changed path (step_generator.go applyReplaceOnChanges:
 * `replaceOnChangePath.Contains(diffPath)`; `*` matches any one segment).
 */
export function pathCovers(replaceOnChange: string, changed: string): boolean {
    const want = replaceOnChange.split(".");
    const got = changed.split(".");
    return want.length <= got.length && want.every((seg, i) => seg === "*" || seg === got[i]);
}

/** The diff after the engine applies `replaceOnChanges` and init errors (step_generator.go applyReplaceOnChanges). */
export function withReplaceOnChanges(diff: DiffResult, replaceOnChanges: string[]): DiffResult {
    const replace = new Set(diff.replace);
    for (const key of diff.changed) if (replaceOnChanges.some((p) => pathCovers(p, key))) replace.add(key);
    return { ...diff, replace: [...replace] };
}

export class Planner {
    private readonly state: StateResource[];
    /** Keys registered in this run. */
    private readonly registered = new Set<string>();
    /** Deleted by a dependent delete-before-replace in this run; they are re-created when they register. */
    private readonly condemned = new Map<string, string>();
    /** Old states that create-before-delete replacements leave to delete after the run. */
    private readonly replacedLater: StateResource[] = [];
    private failure: unknown;
    /** The steps of this run, in the order they were decided. */
    readonly steps: Step[] = [];

    constructor(
        private readonly models: Record<string, ResourceModel>,
        private readonly stateFile: string,
        /** The engine to apply steps on; undefined for a preview, which touches nothing. */
        private readonly engine: Engine | undefined,
        private readonly cwd: string,
        private readonly log: (line: string) => void = () => undefined,
    ) {
        this.state = fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, "utf8")).resources : [];
    }

    get preview(): boolean {
        return this.engine === undefined;
    }

    /** The checkpoint as it is now. */
    resources(): StateResource[] {
        return this.state.map((r) => ({ ...r }));
    }

    /** The step executor stops issuing steps after the first failure (step_executor.go: cancel on error). */
    get failed(): boolean {
        return this.failure !== undefined;
    }

    /** The program failed: no new step is issued. */
    abort(err: unknown): void {
        this.failure ??= err;
    }

    /** Writes the checkpoint: after every step, as the engine's snapshot manager does (mode 0600: it holds secrets). */
    private checkpoint(): void {
        if (this.preview) return;
        fs.mkdirSync(path.dirname(this.stateFile), { recursive: true });
        fs.writeFileSync(this.stateFile, JSON.stringify({ resources: this.state }, null, 2), { mode: 0o600 });
    }

    private model(type: string, name: string): ResourceModel {
        const model = this.models[type];
        if (!model) throw new Error(`model: resource type ${type} (${name}) is not modelled`);
        return model;
    }

    private find(key: string): StateResource | undefined {
        return this.state.find((r) => r.key === key);
    }

    private put(resource: StateResource): void {
        const at = this.state.findIndex((r) => r.key === resource.key);
        if (at >= 0) this.state.splice(at, 1);
        this.state.push(resource);
        this.checkpoint();
    }

    private drop(key: string): void {
        const at = this.state.findIndex((r) => r.key === key);
        if (at >= 0) this.state.splice(at, 1);
        this.checkpoint();
    }

    private record(step: Step): void {
        this.steps.push(step);
        const keys = step.keys.length ? ` [${step.keys.join(", ")}]` : "";
        this.log(`${this.preview ? "plan  " : "step  "} ${step.op.padEnd(7)} ${kindOf(step.type)} ${step.name}${keys}${step.reason ? ` (${step.reason})` : ""}`);
    }

    /** One registration: plans its step and, unless previewing, applies it. Returns the ID and outputs the program sees. */
    async register(reg: Registration): Promise<{ id: string; outputs: Props }> {
        if (this.failed) throw new Error(`${reg.type} ${reg.name}: not applied, the deployment already failed`);
        try {
            return await this.step(reg);
        } catch (err) {
            this.failure ??= err;
            throw err;
        }
    }

    private async step(reg: Registration): Promise<{ id: string; outputs: Props }> {
        const key = keyOf(reg.type, reg.name);
        const model = this.model(reg.type, reg.name);
        this.registered.add(key);
        const old = this.find(key);
        const news = await model.check(reg.name, reg.inputs, old?.inputs, { cwd: this.cwd });
        const base = { ...reg, key, inputs: news };

        if (!old) {
            this.record({ op: "create", type: reg.type, name: reg.name, keys: [] });
            return this.create(model, base);
        }

        // Deleted earlier in this run as a dependent of a delete-before-replace: re-created (step_generator.go
        // generateResourceSteps, "recreating").
        const condemnedBy = this.condemned.get(key);
        if (condemnedBy !== undefined) {
            this.record({ op: "replace", type: reg.type, name: reg.name, keys: [], reason: `deleted with ${condemnedBy} (delete-before-replace)` });
            return this.create(model, base);
        }

        const diff = withReplaceOnChanges(model.diff(old.inputs, old.outputs, news), reg.replaceOnChanges);
        const replace = diff.replace.length > 0 || old.pendingReplacement === true;
        if (diff.changed.length === 0 && !old.pendingReplacement) {
            if (old.initErrors?.length) {
                // step_generator.go continueStepsFromDiff: unchanged but with init errors → an update to "continue".
                this.record({ op: "update", type: reg.type, name: reg.name, keys: [], reason: "init errors" });
                return this.update(model, old, base, diff);
            }
            this.record({ op: "same", type: reg.type, name: reg.name, keys: [] });
            if (!this.preview) this.put({ ...old, ...base, id: old.id, outputs: old.outputs });
            return { id: old.id, outputs: old.outputs };
        }
        if (!replace) {
            this.record({ op: "update", type: reg.type, name: reg.name, keys: diff.changed, details: diff.details });
            return this.update(model, old, base, diff);
        }

        // continueStepsFromDiff: "unable to replace resource … as it is currently marked for protection".
        if (reg.protect && old.protect) {
            throw new Error(`unable to replace resource ${reg.name} (${reg.type}) as it is currently marked for protection; it would be replaced because of: ${diff.replace.join(", ")}`);
        }
        this.record({ op: "replace", type: reg.type, name: reg.name, keys: diff.replace, details: diff.details });
        if (reg.deleteBeforeReplace) {
            for (const dependent of this.dependentReplacements(old).reverse()) {
                if (dependent.protect) {
                    throw new Error(`unable to replace resource ${dependent.name} as part of replacing ${reg.name}: it is currently marked for protection`);
                }
                this.record({ op: "replace", type: dependent.type, name: dependent.name, keys: [], reason: `deleted with ${reg.name} (delete-before-replace)` });
                this.condemned.set(dependent.key, reg.name);
                await this.deleteReplaced(dependent);
            }
            if (!old.pendingReplacement) await this.deleteReplaced(old);
            return this.create(model, base);
        }
        // Create before delete: the old object is deleted after every create and update of the run.
        const created = await this.create(model, base, old);
        this.replacedLater.push(old);
        return created;
    }

    /**
     * step_generator.go calculateDependentReplacements: walk the resources after `root` in state order that
     * depend on it (any dependency, transitively); a dependent is replaced when the provider's Diff, with
     * every input that came from a resource in the replace set made unknown, says replace. A `dependsOn`
     * edge alone makes no input unknown, so it never cascades.
     */
    dependentReplacements(root: StateResource): StateResource[] {
        const replaceSet = new Set([root.key]);
        const dependentSet = new Set([root.key]);
        const replaced: StateResource[] = [];
        for (const candidate of this.state.slice(this.state.indexOf(root) + 1)) {
            if (this.registered.has(candidate.key) && !this.condemned.has(candidate.key)) continue; // impossibleDependents
            if (!candidate.dependencies.some((d) => dependentSet.has(d))) continue;
            dependentSet.add(candidate.key);
            const inputsForDiff: Props = {};
            let touched = false;
            for (const [k, v] of Object.entries(candidate.inputs)) {
                const fromReplaced = (candidate.propertyDependencies[k] ?? []).some((d) => replaceSet.has(d));
                touched ||= fromReplaced;
                inputsForDiff[k] = fromReplaced ? UNKNOWN : v;
            }
            if (!touched) continue;
            const model = this.model(candidate.type, candidate.name);
            const diff = withReplaceOnChanges(model.diff(candidate.inputs, candidate.outputs, inputsForDiff), candidate.replaceOnChanges);
            if (diff.replace.length) {
                replaced.push(candidate);
                replaceSet.add(candidate.key);
            }
        }
        return replaced;
    }

    private async create(model: ResourceModel, resource: Omit<StateResource, "id" | "outputs">, replacing?: StateResource): Promise<{ id: string; outputs: Props }> {
        if (!this.engine) return { id: UNKNOWN, outputs: model.previewCreate(resource.inputs) };
        try {
            const { id, outputs } = await model.create(this.engine, resource.name, resource.inputs);
            this.putCreated({ ...resource, id, outputs }, replacing);
            return { id, outputs };
        } catch (err) {
            if (err instanceof PartialCreateError) {
                this.putCreated({ ...resource, ...err.created, initErrors: [err.message] }, replacing);
            }
            throw err;
        }
    }

    /** A create-before-delete replacement keeps the old state until its delete; others overwrite it. */
    private putCreated(resource: StateResource, replacing: StateResource | undefined): void {
        if (replacing) {
            this.state.push(resource);
            this.checkpoint();
        } else {
            this.put(resource);
        }
    }

    private async update(model: ResourceModel, old: StateResource, resource: Omit<StateResource, "id" | "outputs">, diff: DiffResult): Promise<{ id: string; outputs: Props }> {
        if (!this.engine) return { id: old.id, outputs: model.previewUpdate(old.outputs, resource.inputs) };
        const outputs = await model.update(this.engine, resource.name, old.id, old.outputs, resource.inputs, diff);
        this.put({ ...resource, id: old.id, outputs });
        return { id: old.id, outputs };
    }

    /** The delete half of a delete-before-replace: the state keeps it, pending replacement (step.go DeleteStep.Apply). */
    private async deleteReplaced(resource: StateResource): Promise<void> {
        if (!this.engine) return;
        await this.providerDelete(resource);
        resource.pendingReplacement = true;
        this.checkpoint();
    }

    private async providerDelete(resource: StateResource): Promise<void> {
        // retainOnDelete: the engine skips the provider's Delete (step.go DeleteStep.Apply); so does a
        // resource already deleted for a replacement.
        if (resource.retainOnDelete || resource.pendingReplacement) {
            this.log(`        ${kindOf(resource.type)} ${resource.name}: left on the engine${resource.retainOnDelete ? " (retainOnDelete)" : ""}`);
            return;
        }
        await this.model(resource.type, resource.name).delete(this.engine!, resource.name, resource.id, resource.outputs);
    }

    /**
     * After the program has finished without error: deletes what it no longer declares and the old halves of
     * create-before-delete replacements, dependents first (step_generator.go GenerateDeletes; a protected
     * resource stops the deployment: "unable to delete resource … as it is currently marked for protection").
     */
    async finish(): Promise<void> {
        const gone = this.state.filter((r) => !this.registered.has(r.key) || this.replacedLater.includes(r));
        const blocked = gone.filter((r) => r.protect && !this.replacedLater.includes(r));
        if (blocked.length) throw new Error(`unable to delete resource ${blocked.map((r) => r.name).join(", ")}: it is no longer declared but is currently marked for protection`);
        for (const resource of gone.reverse()) {
            const replaced = this.replacedLater.includes(resource);
            if (!replaced) this.record({ op: "delete", type: resource.type, name: resource.name, keys: [], reason: "no longer declared" });
            if (!this.engine) continue;
            await this.providerDelete(resource);
            this.state.splice(this.state.indexOf(resource), 1);
            this.checkpoint();
        }
    }

    /**
     * `pulumi destroy`: every resource, dependents first. Protected resources make it refuse before anything is
     * deleted, unless `excludeProtected` (`--exclude-protected`), which keeps them in state and on the engine.
     */
    async destroy(excludeProtected: boolean): Promise<void> {
        const protectedOnes = this.state.filter((r) => r.protect);
        if (protectedOnes.length && !excludeProtected) {
            throw new Error(`unable to destroy: ${protectedOnes.map((r) => r.name).join(", ")} marked for protection (use --exclude-protected to keep them and delete the rest)`);
        }
        for (const resource of [...this.state].reverse()) {
            if (resource.protect) {
                this.log(`keep    ${kindOf(resource.type)} ${resource.name} (protected)`);
                continue;
            }
            this.record({ op: "delete", type: resource.type, name: resource.name, keys: [] });
            if (!this.engine) continue;
            await this.providerDelete(resource);
            this.drop(resource.key);
        }
        if (this.engine && this.state.length === 0) fs.rmSync(this.stateFile, { force: true });
    }
}

/** Plan lines as the preview prints them: `op type name [keys] (reason)`. */
export function formatPlan(steps: Step[]): string[] {
    return steps.map((s) => `${s.op.padEnd(7)} ${s.type} ${s.name}${s.keys.length ? ` [${s.keys.join(", ")}]` : ""}${s.reason ? ` (${s.reason})` : ""}`);
}

export { isUnknown };
