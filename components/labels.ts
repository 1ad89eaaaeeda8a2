/** Labels in the Docker provider's list-of-pairs shape. */
export function dockerLabels(labels: Record<string, string>): { label: string; value: string }[] {
    return Object.entries(labels).map(([label, value]) => ({ label, value }));
}
