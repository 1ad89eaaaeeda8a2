/** Label naming the role of a container (`db`, `app`, `proxy`): policies and leftover searches use it. */
export const ROLE_LABEL = "nextstack.role";

/** Labels in the Docker provider's list-of-pairs shape, with the role when one is given. */
export function dockerLabels(labels: Record<string, string>, role?: string): { label: string; value: string }[] {
    const all = role ? { ...labels, [ROLE_LABEL]: role } : labels;
    return Object.entries(all).map(([label, value]) => ({ label, value }));
}

/** Build arguments that make the image carry the stack's labels (the Dockerfiles turn them into `LABEL`s). */
export function labelBuildArgs(labels: Record<string, string>): Record<string, string> {
    return { NEXTSTACK_PROJECT: labels["nextstack.project"], NEXTSTACK_STACK: labels["nextstack.stack"] };
}
