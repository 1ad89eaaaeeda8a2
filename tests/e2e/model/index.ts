import { T } from "../../unit/harness";
import { containerModel } from "./container";
import { imageModel } from "./image";
import { networkModel } from "./network";
import { randomPasswordModel } from "./randomPassword";
import { remoteImageModel } from "./remoteImage";
import { ResourceModel } from "./types";
import { volumeModel } from "./volume";

/** The resource types the model knows; any other type fails the run, naming it. */
export const MODELS: Record<string, ResourceModel> = {
    [T.network]: networkModel,
    [T.volume]: volumeModel,
    [T.container]: containerModel,
    [T.remoteImage]: remoteImageModel,
    [T.image]: imageModel,
    [T.password]: randomPasswordModel,
};
