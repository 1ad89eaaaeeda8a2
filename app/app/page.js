import { ensureVisitsTable, errorMessage, query, withTable } from "../lib/db.js";
import { APP_VERSION } from "../lib/version.js";
import ClickCounter from "./click-counter.js";

// Every request must hit the database; never prerender at build time.
export const dynamic = "force-dynamic";

async function recordVisit() {
  try {
    const count = await withTable("visits", ensureVisitsTable, async () => {
      await query("insert into visits default values");
      const { rows } = await query("select count(*)::int as count from visits");
      return rows[0].count;
    });
    return { visits: count, error: null };
  } catch (err) {
    console.error("visit tracking failed:", errorMessage(err));
    return { visits: null, error: errorMessage(err) };
  }
}

export default async function Home() {
  const { visits, error } = await recordVisit();

  return (
    <main>
      <h1>nextstack</h1>
      <p>
        Version: <span data-testid="version">{APP_VERSION}</span>
      </p>
      {error ? (
        <p data-testid="db-error" role="alert" style={{ color: "crimson" }}>
          Database unavailable: {error}
        </p>
      ) : (
        <p>
          Visits: <span data-testid="visits">{visits}</span>
        </p>
      )}
      <ClickCounter />
    </main>
  );
}
