import { containerModel } from "../../e2e/model/container";
import { imageModel } from "../../e2e/model/image";
import { MODELS } from "../../e2e/model/index";
import { networkModel } from "../../e2e/model/network";
import { randomPasswordModel } from "../../e2e/model/randomPassword";
import { remoteImageModel } from "../../e2e/model/remoteImage";
import { NO_DIFF } from "../../e2e/model/types";
import { volumeModel } from "../../e2e/model/volume";

/** tests/e2e/model/index.ts (the resource types the model knows) and types.ts's shared values. */

describe("MODELS", () => {
    test("each Pulumi type token the program uses maps to its model, and only those", () => {
        expect(MODELS).toEqual({
            "docker:index/network:Network": networkModel,
            "docker:index/volume:Volume": volumeModel,
            "docker:index/container:Container": containerModel,
            "docker:index/remoteImage:RemoteImage": remoteImageModel,
            "docker:index/image:Image": imageModel,
            "random:index/randomPassword:RandomPassword": randomPasswordModel,
        });
        for (const [type, model] of Object.entries(MODELS)) expect(model.type).toBe(type);
    });
});

describe("NO_DIFF", () => {
    test("the no-change diff: nothing changed, nothing replaced, nothing to show", () => {
        expect(NO_DIFF).toStrictEqual({ changed: [], replace: [], details: [] });
    });
});
