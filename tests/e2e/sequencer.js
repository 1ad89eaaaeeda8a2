const Sequencer = require("@jest/test-sequencer").default;

/** Runs the e2e scenarios in the order of their file names (01-…, 02-…): later ones build on earlier stacks. */
class ByName extends Sequencer {
    sort(tests) {
        return [...tests].sort((a, b) => a.path.localeCompare(b.path));
    }
}
module.exports = ByName;
