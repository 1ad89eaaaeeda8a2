# Multi-stage image for any Next.js app built with `output: "standalone"`.
# The build context is the app directory. Written for the legacy builder as
# well as BuildKit (no BuildKit-only syntax) and for Alpine- or Debian-based
# Node images (no distro package manager, numeric user id).

ARG BASE_IMAGE=node:24-alpine

# ---------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS deps
WORKDIR /app

# Optional and unset by default: lets a build behind a registry mirror or a
# TLS-intercepting proxy reach the registry without editing this file
# (npm-compatible clients read npm_config_* from the environment; CA is PEM text).
ARG NPM_CONFIG_REGISTRY
ARG NPM_CONFIG_CA
# Corepack would otherwise ask before downloading pnpm.
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0

# Only the manifests, so the install layer stays cached until dependencies
# change. The globs let each lockfile (and .npmrc) be absent.
# pnpm: Node 25+ images no longer ship corepack, hence the npm fallback.
COPY package.json yarn.lock* package-lock.json* pnpm-lock.yaml* .npmrc* ./
RUN if [ -f yarn.lock ]; then \
      yarn install --frozen-lockfile; \
    elif [ -f package-lock.json ]; then \
      npm ci --no-audit --no-fund; \
    elif [ -f pnpm-lock.yaml ]; then \
      { corepack enable pnpm || npm install -g pnpm; } && \
      pnpm install --frozen-lockfile; \
    else \
      echo "nextjs.Dockerfile: no lockfile (yarn.lock, package-lock.json or pnpm-lock.yaml) in the app directory; commit one so the image installs exactly what was tested." >&2; \
      exit 1; \
    fi

# ---------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS builder
WORKDIR /app
ARG NPM_CONFIG_REGISTRY
ARG NPM_CONFIG_CA
ENV NEXT_TELEMETRY_DISABLED=1 \
    COREPACK_ENABLE_DOWNLOAD_PROMPT=0

COPY . .
# A host node_modules or .next that slipped past .dockerignore would be for the
# wrong platform or stale. public/ is optional in Next.js but the runner copies it.
RUN rm -rf node_modules .next && mkdir -p public
COPY --from=deps /app/node_modules ./node_modules

# deps already failed if there was no lockfile, so "else" is pnpm.
RUN if [ -f yarn.lock ]; then \
      yarn run build; \
    elif [ -f package-lock.json ]; then \
      npm run build; \
    else \
      { corepack enable pnpm || npm install -g pnpm; } && \
      pnpm run build; \
    fi
# Fail here with the cause rather than later with "file not found" in the runner.
RUN if [ ! -f .next/standalone/server.js ]; then \
      echo "nextjs.Dockerfile: .next/standalone/server.js is missing; set output: \"standalone\" in next.config and keep the app at the root of the build context." >&2; \
      exit 1; \
    fi

# ---------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS runner
WORKDIR /app

ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOSTNAME=0.0.0.0 \
    PORT=3000

# Owned by the runtime user so Next.js can write .next/cache (ISR, image
# optimisation). Numeric ids: no user has to exist in the base image.
COPY --from=builder --chown=1001:1001 /app/.next/standalone ./
COPY --from=builder --chown=1001:1001 /app/.next/static ./.next/static
COPY --from=builder --chown=1001:1001 /app/public ./public

# Late, so other names don't invalidate the layers above.
ARG NEXTSTACK_PROJECT=""
ARG NEXTSTACK_STACK=""
LABEL nextstack.project="${NEXTSTACK_PROJECT}" \
      nextstack.stack="${NEXTSTACK_STACK}"

USER 1001:1001
EXPOSE 3000
CMD ["node", "server.js"]
