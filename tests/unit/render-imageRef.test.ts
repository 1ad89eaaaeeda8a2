import { imageTag, isPinnedImage, unpinnedImageReason } from "../../components/imageRef";

const HEX = "0123456789abcdef".repeat(4); // 64 hex digits: a sha256
const NO_TAG = "has no tag or digest, so it is whatever `latest` is when it is pulled";
const LATEST = "is tagged `latest`, a tag that moves";
const IMAGE_ID = "is an image ID, not a reference that can be pulled or built from anywhere else";
const BAD_ID = "is neither a full image ID (sha256:<64 hex>) nor a tagged reference";

test.each<[string, string | undefined]>([
    ["postgres:18-alpine", "18-alpine"],
    ["postgres", undefined],
    ["library/postgres:17", "17"],
    // A registry's port is not a tag: only the last path segment is read.
    ["registry:5000/postgres", undefined],
    ["registry:5000/postgres:16", "16"],
    ["registry:5000/library/postgres:16-bookworm", "16-bookworm"],
    // The digest is not part of the tag.
    [`postgres:18@sha256:${HEX}`, "18"],
    [`postgres@sha256:${HEX}`, undefined],
    [`registry:5000/postgres@sha256:${HEX}`, undefined],
    ["postgres:", ""],
    ["postgres:18:extra", "18:extra"],
])("the tag of %s is %j", (ref, tag) => {
    expect(imageTag(ref)).toBe(tag);
});

// [reference, reason without allowImageId, reason with allowImageId]
test.each<[string, string | undefined, string | undefined]>([
    ["", "is empty", "is empty"],
    ["postgres:18-alpine", undefined, undefined],
    ["registry:5000/postgres:16", undefined, undefined],
    [`postgres@sha256:${HEX}`, undefined, undefined],
    [`postgres:latest@sha256:${HEX}`, undefined, undefined], // a digest pins even a moving tag
    [`registry:5000/postgres@sha256:${HEX}`, undefined, undefined],
    [`postgres@sha256:${HEX}0`, NO_TAG, NO_TAG], // 65 hex digits: no digest
    [`postgres@sha256:${HEX.slice(1)}`, NO_TAG, NO_TAG], // 63 hex digits: no digest
    ["postgres", NO_TAG, NO_TAG],
    ["registry:5000/postgres", NO_TAG, NO_TAG], // the port is not a tag
    ["postgres:", NO_TAG, NO_TAG],
    ["postgres:latest", LATEST, LATEST],
    ["registry:5000/postgres:latest", LATEST, LATEST],
    ["postgres:Latest", undefined, undefined], // tags are case-sensitive: only `latest` is Docker's default
    // What a container runs may be an image ID (a local build); a settings value must be pullable.
    [`sha256:${HEX}`, IMAGE_ID, undefined],
    [`sha256:${HEX.slice(1)}`, BAD_ID, BAD_ID],
    [`sha256:${HEX}0`, BAD_ID, BAD_ID],
    [`sha256:${HEX.toUpperCase()}`, BAD_ID, BAD_ID],
    ["sha256:", BAD_ID, BAD_ID],
    [`sha256:sha256:${HEX}`, BAD_ID, BAD_ID], // the ID must be the whole reference
])("%j: %s / with image IDs allowed: %s", (ref, reason, reasonWithIds) => {
    expect(unpinnedImageReason(ref)).toBe(reason);
    expect(unpinnedImageReason(ref, {})).toBe(reason);
    expect(unpinnedImageReason(ref, { allowImageId: false })).toBe(reason);
    expect(unpinnedImageReason(ref, { allowImageId: true })).toBe(reasonWithIds);
    expect(isPinnedImage(ref)).toBe(reason === undefined);
    expect(isPinnedImage(ref, { allowImageId: true })).toBe(reasonWithIds === undefined);
});
