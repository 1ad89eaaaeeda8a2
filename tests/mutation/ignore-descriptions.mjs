// A Stryker ignorer: the `description` texts of the config key table (components/settings/keys.ts) are
// documentation. configDocs.test.ts compares Pulumi.yaml and the README's table with them as a whole, so every
// mutant of one is killed, but only after the whole unit suite has run against it (the key table is imported by
// every program test): ~50 mutants × a full run for nothing a mutant can teach. Ignored mutants are left out of
// the score (Stryker reports them as "Ignored", with this reason).
import { declareValuePlugin, PluginKind } from "@stryker-mutator/api/plugin";

/** An entry of the key table: an object literal with the properties type, description, default and check. */
function isKeyEntry(objectPath) {
    if (!objectPath?.isObjectExpression()) return false;
    const names = new Set(objectPath.node.properties.map((p) => (p.type === "ObjectProperty" && p.key.type === "Identifier" ? p.key.name : "")));
    return ["type", "description", "default", "check"].every((name) => names.has(name));
}

export const strykerPlugins = [
    declareValuePlugin(PluginKind.Ignore, "key-descriptions", {
        shouldIgnore(path) {
            const parent = path.parentPath;
            if (
                (path.isStringLiteral() || path.isTemplateLiteral()) &&
                parent?.isObjectProperty() &&
                parent.node.value === path.node &&
                parent.node.key.type === "Identifier" &&
                parent.node.key.name === "description" &&
                isKeyEntry(parent.parentPath)
            ) {
                return "a config key's description: documentation, compared as a whole with Pulumi.yaml and the README by configDocs.test.ts";
            }
            return undefined;
        },
    }),
];
