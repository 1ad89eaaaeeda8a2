// Image references: the one place that reads tags and decides what "pinned" means, for the settings,
// the Postgres/nginx version checks and the policy pack.

const IMAGE_ID = /^sha256:[a-f0-9]{64}$/;
const DIGEST = /@sha256:[a-f0-9]{64}$/;

/** Tag of an image reference (`postgres:18-alpine` → `18-alpine`; `registry:5000/postgres` → undefined). */
export function imageTag(ref: string): string | undefined {
    const withoutDigest = ref.split("@")[0];
    const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
    const colon = lastSegment.indexOf(":");
    return colon < 0 ? undefined : lastSegment.slice(colon + 1);
}

/**
 * Why an image reference is not pinned, or undefined when it is: pinned means a digest (`…@sha256:<64 hex>`), a tag
 * other than `latest`, or (with `allowImageId`, for what a container runs) an image ID `sha256:<64 hex>`.
 */
export function unpinnedImageReason(ref: string, options: { allowImageId?: boolean } = {}): string | undefined {
    if (ref === "") return "is empty";
    if (DIGEST.test(ref)) return undefined;
    if (ref.startsWith("sha256:")) {
        if (!IMAGE_ID.test(ref)) return "is neither a full image ID (sha256:<64 hex>) nor a tagged reference";
        return options.allowImageId ? undefined : "is an image ID, not a reference that can be pulled or built from anywhere else";
    }
    const tag = imageTag(ref);
    if (tag === undefined || tag === "") return "has no tag or digest, so it is whatever `latest` is when it is pulled";
    if (tag === "latest") return "is tagged `latest`, a tag that moves";
    return undefined;
}

/** True when the reference is pinned (see {@link unpinnedImageReason}). */
export function isPinnedImage(ref: string, options: { allowImageId?: boolean } = {}): boolean {
    return unpinnedImageReason(ref, options) === undefined;
}

