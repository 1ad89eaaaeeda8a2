import { errorMessage, query, withTimeout } from "../../../lib/db.js";

export const dynamic = "force-dynamic";

const NO_STORE = { "cache-control": "no-store" };

export async function GET() {
  try {
    // The pool already limits connect (2 s) and statement (2 s) time; the outer
    // limit keeps the probe under 3 s even if both are slow in a row.
    await withTimeout(query("select 1"), 2800, "health check");
    return Response.json({ status: "ok", db: "up" }, { status: 200, headers: NO_STORE });
  } catch (err) {
    return Response.json(
      { status: "error", db: "down", error: errorMessage(err) },
      { status: 503, headers: NO_STORE }
    );
  }
}
