import { fileURLToPath } from "node:url";

// This app lives inside a repo that has its own package-lock.json; without a
// fixed root Next.js would pick the repo root and nest the standalone output
// (.next/standalone/app/server.js instead of .next/standalone/server.js).
const appDir = fileURLToPath(new URL(".", import.meta.url));

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The Docker image runs .next/standalone/server.js without a full node_modules.
  output: "standalone",
  outputFileTracingRoot: appDir,
  turbopack: { root: appDir },
  // Load pg from node_modules at run time instead of bundling it: it has an
  // optional native binding (pg-native) that bundlers can't resolve.
  serverExternalPackages: ["pg"],
  poweredByHeader: false,
};

export default nextConfig;
