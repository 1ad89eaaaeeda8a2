# Multi-stage image for any Next.js app built with `output: "standalone"`.
# The build context is the app directory, or the root of the workspace that
# holds it (a monorepo: APP_DIR is then the app's path inside the context, e.g.
# apps/web). Needs BuildKit (the provider's default builder; engines since
# 18.09): the install and the build keep their caches in cache mounts, which
# survive a changed layer. No `# syntax=` line: the engine's own Dockerfile
# frontend parses it, nothing is pulled. For Alpine- or Debian-based Node
# images (the distro's package manager only for BUILD_PACKAGES; numeric user id).

ARG BASE_IMAGE=node:24-alpine

# ---------------------------------------------------------------------------
# The app's package manager at the version the program chose (components/packageManager.ts): "npm" (the base
# image's own npm) or name@version from package.json's packageManager field or the lockfile's format.
FROM ${BASE_IMAGE} AS pm
# Optional and unset by default: lets a build behind a registry mirror or a
# TLS-intercepting proxy reach the registry without editing this file
# (npm-compatible clients read npm_config_* from the environment; CA is PEM text).
ARG NPM_CONFIG_REGISTRY
ARG NPM_CONFIG_CA
ARG PACKAGE_MANAGER=npm
# System packages for installing and building only (native addons: python3 make g++); the runner stage starts
# again from the base image, so they are not in the image that runs.
ARG BUILD_PACKAGES=""
RUN set -eu; if [ -n "$BUILD_PACKAGES" ]; then \
      if command -v apk >/dev/null; then apk add --no-cache $BUILD_PACKAGES; \
      elif command -v apt-get >/dev/null; then \
        apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $BUILD_PACKAGES && rm -rf /var/lib/apt/lists/*; \
      else echo "nextjs.Dockerfile: BUILD_PACKAGES is set but the base image has neither apk nor apt-get" >&2; exit 1; fi; \
    fi
# Corepack would otherwise ask before downloading; Yarn Berry installs into node_modules (standalone output
# traces files there; Plug'n'Play has none).
# YARN_IGNORE_PATH: the version chosen here, not a yarnPath release of .yarnrc.yml (not copied for the install).
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0 \
    YARN_NODE_LINKER=node-modules \
    YARN_IGNORE_PATH=1 \
    NEXTSTACK_PACKAGE_MANAGER=${PACKAGE_MANAGER}
# corepack where the image has it and it can fetch that version; otherwise the same exact version from the
# registry with npm (Node 25+ images ship no corepack; corepack's signature check can fail behind a proxy).
# Bun is not a corepack tool: npm installs it (its package carries the binary for glibc and musl).
RUN set -eu; spec="${PACKAGE_MANAGER%%+*}"; name="${spec%%@*}"; version="${spec#*@}"; \
    if [ "$spec" = npm ]; then exit 0; fi; \
    case "$name" in \
      npm) npm install -g --no-audit --no-fund "npm@$version" ;; \
      bun) npm install -g --no-audit --no-fund "bun@$version" ;; \
      pnpm|yarn) \
        if ! { command -v corepack >/dev/null && corepack enable "$name" && corepack install -g "$PACKAGE_MANAGER"; }; then \
          echo "nextjs.Dockerfile: corepack could not provide $PACKAGE_MANAGER; installing $spec with npm" >&2; \
          case "$spec" in \
            yarn@1.*) npm install -g --force --no-audit --no-fund "yarn@$version" ;; \
            yarn@*) npm install -g --force --no-audit --no-fund "@yarnpkg/cli-dist@$version" ;; \
            *) npm install -g --force --no-audit --no-fund "$spec" ;; \
          esac; \
        fi ;; \
      *) echo "nextjs.Dockerfile: PACKAGE_MANAGER=$PACKAGE_MANAGER; expected npm or name@version with npm, pnpm, yarn or bun" >&2; exit 1 ;; \
    esac; \
    installed="$("$name" --version)"; \
    if [ "$installed" != "$version" ]; then \
      echo "nextjs.Dockerfile: $name --version says $installed, expected $version" >&2; exit 1; \
    fi

# ---------------------------------------------------------------------------
# What installing reads, and nothing else: every package.json (a workspace's packages have their own), and at the
# root the lockfile, the tools' settings and patch directories. The install below starts from these files, so it
# stays cached until one of them changes (BuildKit keys a copy by the content of what it copies).
FROM pm AS manifests
WORKDIR /src
COPY . .
RUN set -eu; mkdir -p /manifests; \
    find . \( -name node_modules -o -name .next -o -name .git \) -prune -o -type f -name package.json -print \
      | while IFS= read -r f; do mkdir -p "/manifests/${f%/*}"; cp "$f" "/manifests/$f"; done; \
    for f in package-lock.json npm-shrinkwrap.json pnpm-lock.yaml pnpm-workspace.yaml .pnpmfile.cjs yarn.lock bun.lock bun.lockb .npmrc .yarnrc.yml; do \
      if [ -f "$f" ]; then cp "$f" "/manifests/$f"; fi; \
    done; \
    for d in patches .yarn/patches; do \
      if [ -d "$d" ]; then mkdir -p "/manifests/$d" && cp -R "$d/." "/manifests/$d/"; fi; \
    done

# ---------------------------------------------------------------------------
FROM pm AS deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
ARG NPM_CONFIG_REGISTRY
ARG NPM_CONFIG_CA
# appBuildSecrets: NAME=value lines in a BuildKit secret, mounted for this step and the build only (a private
# registry's token for the install, say): never in a layer, the history or the build arguments. Set ("1") when the
# stack has build secrets, so a build that did not get them fails instead of running without.
ARG NEXTSTACK_BUILD_SECRETS=""
# The lockfile is the contract: each tool refuses to change it. A registry given to npm (build arg or the base
# image's npm_config_registry) is given to Yarn Berry and Bun too, which do not read npm's settings.
# Each tool's download cache (npm's cache, pnpm's store, Yarn's and Bun's caches) is in a cache mount: after a
# dependency change only what changed is downloaded. Locked: two builds of one `up` (app and migrate) take turns.
RUN --mount=type=cache,id=nextstack-pm-cache,target=/var/cache/nextstack-pm,sharing=locked \
    --mount=type=secret,id=nextstack-build-secrets \
    set -eu; s=/run/secrets/nextstack-build-secrets; \
    if [ -f "$s" ]; then while IFS= read -r line || [ -n "$line" ]; do if [ -n "$line" ]; then export "$line"; fi; done < "$s"; \
    elif [ -n "$NEXTSTACK_BUILD_SECRETS" ]; then echo "nextjs.Dockerfile: the build secrets (appBuildSecrets) did not reach the build" >&2; exit 1; fi; \
    name="${NEXTSTACK_PACKAGE_MANAGER%%@*}"; c=/var/cache/nextstack-pm; \
    export npm_config_cache="$c/npm" npm_config_store_dir="$c/pnpm-store" YARN_CACHE_FOLDER="$c/yarn" \
      YARN_GLOBAL_FOLDER="$c/yarn-berry" BUN_INSTALL_CACHE_DIR="$c/bun"; \
    registry="${NPM_CONFIG_REGISTRY:-${npm_config_registry:-}}"; \
    if [ -n "$registry" ]; then export YARN_NPM_REGISTRY_SERVER="$registry" BUN_CONFIG_REGISTRY="$registry"; fi; \
    case "$name" in \
      npm) npm ci --no-audit --no-fund ;; \
      pnpm) pnpm install --frozen-lockfile ;; \
      yarn) if [ "$(yarn --version | cut -d. -f1)" = 1 ]; then yarn install --frozen-lockfile; else yarn install --immutable; fi ;; \
      bun) bun install --frozen-lockfile ;; \
    esac; \
    mkdir -p .yarn

# ---------------------------------------------------------------------------
# The app's source with all its dependencies, dev tools included: what the build and the migrations run in.
FROM pm AS source
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1

ARG APP_DIR=.
COPY . .
# A host node_modules or .next that slipped past .dockerignore would be for the
# wrong platform or stale. public/ is optional in Next.js but the runner copies it.
RUN find . -name node_modules -prune -exec rm -rf {} + && rm -rf "$APP_DIR/.next" && mkdir -p "$APP_DIR/public"
# The install: node_modules wherever the tool put them (a workspace's packages may have their own), and Yarn
# Berry's install state in .yarn (`yarn run` needs it; an empty directory for the other tools).
COPY --from=deps /app/ ./
WORKDIR /app/${APP_DIR}

# ---------------------------------------------------------------------------
# The app's own build script, in its directory.
FROM source AS builder
ARG APP_DIR=.
# appBuildEnv: NAME=value lines, exported for the build only (NEXT_PUBLIC_* values are inlined into what it
# builds). Declared in this stage alone, so neither the runner's environment nor its history has them.
ARG NEXTSTACK_BUILD_ENV=""
# appBuildSecrets (see the deps stage): exported for the build too, after appBuildEnv.
ARG NEXTSTACK_BUILD_SECRETS=""
# Next.js's build cache (.next/cache) lives in a cache mount, one directory per package name, so a rebuild after
# an edit starts warm (webpack's cache; Turbopack's where the app turns its build cache on).
RUN --mount=type=cache,id=nextstack-next-cache,target=/var/cache/nextstack-next,sharing=locked \
    --mount=type=secret,id=nextstack-build-secrets \
    set -eu; \
    if [ -n "$NEXTSTACK_BUILD_ENV" ]; then \
      printf '%s\n' "$NEXTSTACK_BUILD_ENV" > /tmp/nextstack-build.env; \
      while IFS= read -r line; do if [ -n "$line" ]; then export "$line"; fi; done < /tmp/nextstack-build.env; \
      rm -f /tmp/nextstack-build.env; \
    fi; \
    s=/run/secrets/nextstack-build-secrets; \
    if [ -f "$s" ]; then while IFS= read -r line || [ -n "$line" ]; do if [ -n "$line" ]; then export "$line"; fi; done < "$s"; \
    elif [ -n "$NEXTSTACK_BUILD_SECRETS" ]; then echo "nextjs.Dockerfile: the build secrets (appBuildSecrets) did not reach the build" >&2; exit 1; fi; \
    cache="/var/cache/nextstack-next/$(node -p 'require("./package.json").name || "app"' | tr -c 'A-Za-z0-9._\n-' _)"; \
    mkdir -p "$cache" .next && ln -sfn "$cache" .next/cache; \
    "${NEXTSTACK_PACKAGE_MANAGER%%@*}" run build; \
    rm -f .next/cache; \
# Fail here with the cause rather than later with "file not found" in the runner. In a workspace, Next.js traces
# from the root (the lockfile's directory, or outputFileTracingRoot) and nests the server under the app's path.
    if [ ! -f ".next/standalone/$APP_DIR/server.js" ]; then \
      if [ "$APP_DIR" = . ]; then \
        echo "nextjs.Dockerfile: .next/standalone/server.js is missing; set output: \"standalone\" in next.config." >&2; \
      else \
        echo "nextjs.Dockerfile: .next/standalone/$APP_DIR/server.js is missing (found: $(cd .next/standalone 2>/dev/null && find . -name server.js -not -path '*/node_modules/*' | head -n 3 | tr '\n' ' ')); set output: \"standalone\" and outputFileTracingRoot to the workspace root in next.config." >&2; \
      fi; \
      exit 1; \
    fi

# ---------------------------------------------------------------------------
# Target `migrate` (built only when the stack has appMigrateCommand): the source stage, labelled for the stack.
# The migration's tools (drizzle-kit, prisma, node-pg-migrate, ...) are usually devDependencies, which the
# runner's standalone output does not have.
FROM source AS migrate
ARG NEXTSTACK_PROJECT=""
ARG NEXTSTACK_STACK=""
LABEL nextstack.project="${NEXTSTACK_PROJECT}" \
      nextstack.stack="${NEXTSTACK_STACK}"

# ---------------------------------------------------------------------------
# The default target (last stage): the standalone server on the bare base image.
FROM ${BASE_IMAGE} AS runner
ARG APP_DIR=.
WORKDIR /app

ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOSTNAME=0.0.0.0 \
    PORT=3000

# Owned by the runtime user so Next.js can write .next/cache (ISR, image
# optimisation). Numeric ids: no user has to exist in the base image.
# In a workspace the standalone output is the workspace's tree: server.js under APP_DIR, node_modules at the root.
COPY --from=builder --chown=1001:1001 /app/${APP_DIR}/.next/standalone ./
COPY --from=builder --chown=1001:1001 /app/${APP_DIR}/.next/static ./${APP_DIR}/.next/static
COPY --from=builder --chown=1001:1001 /app/${APP_DIR}/public ./${APP_DIR}/public
WORKDIR /app/${APP_DIR}

# Late, so other names don't invalidate the layers above.
ARG NEXTSTACK_PROJECT=""
ARG NEXTSTACK_STACK=""
LABEL nextstack.project="${NEXTSTACK_PROJECT}" \
      nextstack.stack="${NEXTSTACK_STACK}"

USER 1001:1001
EXPOSE 3000
CMD ["node", "server.js"]
