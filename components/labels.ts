/** Label naming the project on every Docker object. */
export const PROJECT_LABEL = "nextstack.project";
/** Label naming the stack on every Docker object: leftovers of a stack are found by it. */
export const STACK_LABEL = "nextstack.stack";

/** The labels every Docker object of a stack carries. */
export function stackLabels(project: string, stack: string): Record<string, string> {
    return { [PROJECT_LABEL]: project, [STACK_LABEL]: stack };
}

/** Label naming the role of a container (`db`, `app`, `proxy`): policies and leftover searches use it. */
export const ROLE_LABEL = "nextstack.role";

/** Labels in the Docker provider's list-of-pairs shape, with the role when one is given. */
export function dockerLabels(labels: Record<string, string>, role?: string): { label: string; value: string }[] {
    const all = role ? { ...labels, [ROLE_LABEL]: role } : labels;
    return Object.entries(all).map(([label, value]) => ({ label, value }));
}

/** Build arguments that make the image carry the stack's labels (the Dockerfiles turn them into `LABEL`s). */
export function labelBuildArgs(labels: Record<string, string>): Record<string, string> {
    return { NEXTSTACK_PROJECT: labels[PROJECT_LABEL], NEXTSTACK_STACK: labels[STACK_LABEL] };
}
