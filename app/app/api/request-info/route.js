export const dynamic = "force-dynamic";

const HEADERS = [
  "host",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-forwarded-for",
  "x-real-ip",
  "connection",
  "upgrade",
];

// Echoes what the reverse proxy forwarded, for proxy tests.
export async function GET(request) {
  const headers = {};
  for (const name of HEADERS) headers[name] = request.headers.get(name);
  return Response.json(
    { method: request.method, url: request.url, headers },
    { headers: { "cache-control": "no-store" } }
  );
}
