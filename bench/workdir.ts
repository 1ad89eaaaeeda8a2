import * as os from "os";
import * as path from "path";

// Imported first by run.ts: the e2e support module reads NEXTSTACK_E2E_WORK when it loads, and the bench keeps
// its deploy state, outputs and phase log apart from a test:e2e run that may use the same engine.
process.env.NEXTSTACK_E2E_WORK ??= path.join(os.tmpdir(), "nextstack-bench");
