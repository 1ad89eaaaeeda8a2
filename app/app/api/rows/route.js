import { ensureNotesTable, errorMessage, query, withTable } from "../../../lib/db.js";

export const dynamic = "force-dynamic";

const NO_STORE = { "cache-control": "no-store" };

function dbError(err) {
  return Response.json({ error: errorMessage(err) }, { status: 503, headers: NO_STORE });
}

export async function GET() {
  try {
    const { rows } = await withTable("notes", ensureNotesTable, () =>
      query("select id, note, at from notes order by id")
    );
    return Response.json(rows, { headers: NO_STORE });
  } catch (err) {
    return dbError(err);
  }
}

export async function POST(request) {
  let body;
  try {
    body = await request.json();
  } catch {
    return Response.json({ error: "body must be JSON" }, { status: 400, headers: NO_STORE });
  }
  const note = body && body.note;
  if (typeof note !== "string" || note.length === 0) {
    return Response.json(
      { error: 'expected {"note": "<non-empty string>"}' },
      { status: 400, headers: NO_STORE }
    );
  }

  try {
    const { rows } = await withTable("notes", ensureNotesTable, () =>
      query("insert into notes (note) values ($1) returning id, note, at", [note])
    );
    return Response.json(rows[0], { status: 201, headers: NO_STORE });
  } catch (err) {
    return dbError(err);
  }
}
