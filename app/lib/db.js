import pg from "pg";

// Keep one pool per process. Stored on globalThis so `next dev` hot reloads
// don't open a new pool (and new connections) on every edit.
const GLOBAL_KEY = Symbol.for("nextstack.app.pgPool");

export function getPool() {
  if (globalThis[GLOBAL_KEY]) return globalThis[GLOBAL_KEY];

  // Read lazily: `next build` imports this module without a database around.
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) {
    throw new Error(
      "DATABASE_URL is not set (expected e.g. postgresql://user:password@host:5432/dbname)"
    );
  }

  const pool = new pg.Pool({
    connectionString,
    max: 5,
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 10000,
    // Server-side limit, then a client-side one in case the server never answers.
    statement_timeout: 2000,
    query_timeout: 2500,
  });
  // An idle client losing its connection (database restart) emits 'error' on
  // the pool; without a listener that would crash the whole server.
  pool.on("error", (err) => {
    console.error("postgres pool error:", errorMessage(err));
  });

  globalThis[GLOBAL_KEY] = pool;
  return pool;
}

export function query(text, params) {
  return getPool().query(text, params);
}

// Node reports a refused connection to a name with several addresses (localhost)
// as an AggregateError with an empty message; dig out something readable.
export function errorMessage(err) {
  if (!err) return "unknown error";
  if (err.message) return err.message;
  if (Array.isArray(err.errors) && err.errors.length > 0) {
    return err.errors.map(errorMessage).join("; ");
  }
  if (err.code) return String(err.code);
  return String(err);
}

// Fails after `ms` so callers never wait longer than that on the database.
export function withTimeout(promise, ms, what = "database call") {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// CREATE TABLE IF NOT EXISTS is not race-free in Postgres (two concurrent
// requests can both try to create the table's type), so run it once per
// process and forget the attempt if it failed (the database may come up later).
const schemaPromises = new Map();

export function ensureTable(name, ddl) {
  let p = schemaPromises.get(name);
  if (!p) {
    p = query(ddl).catch((err) => {
      schemaPromises.delete(name);
      // Another process (or replica) created it at the same moment.
      if (err && (err.code === "23505" || err.code === "42P07")) return;
      throw err;
    });
    schemaPromises.set(name, p);
  }
  return p;
}

// Runs fn after making sure the table exists. If the database was replaced
// while this process kept running (fresh volume), the remembered "table exists"
// is stale: recreate it and try once more.
export async function withTable(name, ensure, fn) {
  await ensure();
  try {
    return await fn();
  } catch (err) {
    if (!err || err.code !== "42P01") throw err; // undefined_table
    schemaPromises.delete(name);
    await ensure();
    return fn();
  }
}

export function ensureVisitsTable() {
  return ensureTable(
    "visits",
    "create table if not exists visits (id serial primary key, at timestamptz default now())"
  );
}

export function ensureNotesTable() {
  return ensureTable(
    "notes",
    "create table if not exists notes (id serial primary key, note text not null, at timestamptz default now())"
  );
}
