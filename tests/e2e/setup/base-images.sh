#!/usr/bin/env bash
# Builds, if missing, the local base images of the end-to-end tests (no image
# can be pulled on these machines):
#
#   nextstack-e2e/debian:<hash>       debootstrap --variant=minbase sid + docker import
#   nextstack-e2e/postgres:18-<hash>  stand-in for the official postgres:18 image
#   nextstack-e2e/nginx:<hash>        stand-in for the official nginx image (>= 1.27.3)
#   nextstack-e2e/node:<hash>         stand-in for node:24, trusting the host's CAs and
#                                     using the host's npm registry
#
# <hash> is a content hash of the image's build inputs: the files of
# images/<name>/ plus the parent image's tag (and, for debian, the mirror; for
# node, the npm registry and the host's CA files). A second run with unchanged
# inputs finds every tag and does nothing. The postgres tag starts with the
# major version, like the official tags, so a config that reads the major from
# the tag (components/postgres.ts majorFromImageTag) works unchanged.
#
# Usage: base-images.sh [ENV_FILE]
#   stdout: NEXTSTACK_E2E_{DEBIAN,POSTGRES,NGINX,NODE}_IMAGE=... lines, also
#           written to ENV_FILE when given; everything else goes to stderr.
# Needs a running engine (engine.sh) and root (debootstrap).
#
# Environment (all optional):
#   NEXTSTACK_E2E_DEBIAN_MIRROR   Debian mirror URL (default: read from the host's apt sources)
#   NEXTSTACK_E2E_NPM_REGISTRY    npm registry URL (default: host's `npm config get registry`)
#   NEXTSTACK_E2E_CACHE_DIR       where the debian rootfs tarball is kept (default /var/cache/nextstack-e2e)
#   NEXTSTACK_E2E_CACHE_ROOTFS    1 (default) keeps that tarball, 0 does not
#   NEXTSTACK_E2E_LOG_DIR         build logs (default /tmp/nextstack-e2e-logs)
#   NEXTSTACK_E2E_PARALLEL        1 (default) builds postgres, nginx and node at the same time
#   NEXTSTACK_E2E_VERBOSE         1 streams build output to stderr instead of only to the logs
#
# Registry and mirror addresses are read at run time and never written into
# the repository; the node image carries the registry in its environment.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGES=$HERE/images
OUT_FILE=${1:-}
REPO=nextstack-e2e
CACHE_DIR=${NEXTSTACK_E2E_CACHE_DIR:-/var/cache/nextstack-e2e}
CACHE_ROOTFS=${NEXTSTACK_E2E_CACHE_ROOTFS:-1}
LOG_DIR=${NEXTSTACK_E2E_LOG_DIR:-/tmp/nextstack-e2e-logs}
PARALLEL=${NEXTSTACK_E2E_PARALLEL:-1}
VERBOSE=${NEXTSTACK_E2E_VERBOSE:-0}
BASE_LABEL=nextstack.e2e=base

# Debian's CLI: a /usr/local/bin/docker without buildx may come first on PATH.
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=$(command -v docker); fi
# Legacy builder: no BuildKit needed, and none of these Dockerfiles has a
# `# syntax=` line (BuildKit would try to pull it).
export DOCKER_BUILDKIT=0
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf '[base-images] %s\n' "$*" >&2; }
die() { printf '[base-images] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

T0=$(now)
"$DOCKER" info >/dev/null 2>&1 || die "no Docker engine answers; run $HERE/engine.sh first"
mkdir -p "$LOG_DIR"

# One run at a time on a machine: a second one waits, then finds the images.
exec 9>"$LOG_DIR/.lock"
if ! flock -n 9; then
  log "another base-images.sh is running; waiting for it"
  flock 9
fi

# hash_inputs DIR [EXTRA...]: the content hash of the image tags.
# shellcheck source=hash-inputs.sh
. "$HERE/hash-inputs.sh"

image_exists() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

# run_logged LOGFILE CMD...: output to LOGFILE (and stderr when verbose);
# on failure, the log's tail on stderr.
run_logged() {
  local logf=$1; shift
  local rc=0
  if [ "$VERBOSE" = 1 ]; then
    "$@" 2>&1 | tee "$logf" >&2 || rc=$?
  else
    "$@" >"$logf" 2>&1 || rc=$?
  fi
  if [ "$rc" != 0 ]; then
    log "failed ($rc): $*; last lines of $logf:"
    tail -n 40 "$logf" >&2
  fi
  return "$rc"
}

# The Debian mirror of the host's apt sources (deb822 *.sources or one-line
# *.list): the first enabled `deb` entry that is not a security archive, of
# an entry signed by Debian's archive keyring or whose URL ends in /debian.
debian_mirror() {
  if [ -n "${NEXTSTACK_E2E_DEBIAN_MIRROR:-}" ]; then echo "${NEXTSTACK_E2E_DEBIAN_MIRROR%/}"; return; fi
  local files=() f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 1
  awk '
    function consider(uri, keyring) {
      if (uri == "" || uri ~ /security/) return
      if (keyring ~ /debian-archive-keyring/ || uri ~ /\/debian\/?$/) { sub(/\/$/, "", uri); print uri; found = 1; exit }
    }
    function flush() {
      if (types ~ /(^| )deb( |$)/ && tolower(enabled) != "no") { n = split(uris, u, " "); for (i = 1; i <= n; i++) consider(u[i], signed) }
      types = ""; uris = ""; enabled = ""; signed = ""
    }
    FNR == 1 { flush() }
    FILENAME ~ /\.sources$/ {
      if ($0 ~ /^[ \t]*$/) { flush(); next }
      if ($0 ~ /^#/) next
      if (tolower($1) == "types:")   { types = $0;   sub(/^[^:]*:[ \t]*/, "", types) }
      if (tolower($1) == "uris:")    { uris = $0;    sub(/^[^:]*:[ \t]*/, "", uris) }
      if (tolower($1) == "enabled:") { enabled = $2 }
      if (tolower($1) == "signed-by:") { signed = $0 }
      next
    }
    $1 == "deb" {
      line = $0; sub(/^deb[ \t]+/, "", line); opts = ""
      if (line ~ /^\[/) { opts = line; sub(/\].*/, "", opts); sub(/^[^\]]*\][ \t]*/, "", line) }
      split(line, w, /[ \t]+/); consider(w[1], opts)
    }
    END { if (!found) flush() }
  ' "${files[@]}"
}

npm_registry() {
  if [ -n "${NEXTSTACK_E2E_NPM_REGISTRY:-}" ]; then echo "$NEXTSTACK_E2E_NPM_REGISTRY"; return; fi
  (cd / && npm config get registry 2>/dev/null)
}

# The host's extra CAs (the intercepting proxy's among them).
host_ca_files() {
  [ -d /usr/local/share/ca-certificates ] || return 0
  find -L /usr/local/share/ca-certificates -type f -name '*.crt' | LC_ALL=C sort
}

# --- debian -------------------------------------------------------------------
t=$(now)
MIRROR=$(debian_mirror) || true
[ -n "$MIRROR" ] || die "found no Debian mirror in /etc/apt/sources.list*; set NEXTSTACK_E2E_DEBIAN_MIRROR"
mapfile -t CA_FILES < <(host_ca_files)
debian_extra=("mirror=$MIRROR")
DEBIAN_CAS=()
case "$MIRROR" in
  # apt in the images must then trust the host's CAs too.
  https:*) DEBIAN_CAS=("${CA_FILES[@]}")
           for f in "${DEBIAN_CAS[@]}"; do debian_extra+=("ca=$(sha256sum < "$f" | cut -c1-64)"); done ;;
esac
DEBIAN_HASH=$(hash_inputs "$IMAGES/debian" "${debian_extra[@]}")
DEBIAN_IMAGE=$REPO/debian:$DEBIAN_HASH
if image_exists "$DEBIAN_IMAGE"; then
  log "debian: $DEBIAN_IMAGE present ($(elapsed "$t") s)"
else
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap is missing; run $HERE/engine.sh first"
  [ "$(id -u)" = 0 ] || die "debootstrap needs root"
  tarball=$CACHE_DIR/debian-rootfs-$DEBIAN_HASH.tar
  if [ "$CACHE_ROOTFS" = 1 ] && [ -s "$tarball" ]; then
    log "debian: reusing cached rootfs $tarball"
  else
    log "debian: debootstrap --variant=minbase sid (log: $LOG_DIR/debian.log)"
    if [ "$CACHE_ROOTFS" = 1 ]; then
      mkdir -p "$CACHE_DIR"
    else
      tarball=$(mktemp /tmp/nextstack-e2e-debian.XXXXXX.tar)
    fi
    t1=$(now)
    run_logged "$LOG_DIR/debian.log" "$IMAGES/debian/mkrootfs.sh" "$MIRROR" "$tarball" "${DEBIAN_CAS[@]}" \
      || die "debian: making the root filesystem failed"
    log "debian: rootfs $(du -m "$tarball" | cut -f1) MB in $(elapsed "$t1") s"
  fi
  t1=$(now)
  "$DOCKER" import \
    --change "LABEL $BASE_LABEL nextstack.e2e.image=debian nextstack.e2e.inputs=$DEBIAN_HASH" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --message "nextstack-e2e debian sid minbase" \
    "$tarball" "$DEBIAN_IMAGE" >/dev/null || die "debian: docker import failed"
  log "debian: docker import in $(elapsed "$t1") s"
  if [ "$CACHE_ROOTFS" = 1 ]; then
    # Keep only the current tarball.
    find "$CACHE_DIR" -maxdepth 1 -name 'debian-rootfs-*.tar' ! -name "debian-rootfs-$DEBIAN_HASH.tar" -delete
  else
    rm -f "$tarball"
  fi
  log "debian: built $DEBIAN_IMAGE in $(elapsed "$t") s"
fi

# --- images FROM debian -----------------------------------------------------------
# build_image NAME TAG CONTEXT [docker build args...]
build_image() {
  local name=$1 tag=$2 ctx=$3; shift 3
  local t; t=$(now)
  log "$name: building $tag (log: $LOG_DIR/$name.log)"
  if run_logged "$LOG_DIR/$name.log" "$DOCKER" build --force-rm \
      --build-arg "BASE_IMAGE=$DEBIAN_IMAGE" \
      --label "$BASE_LABEL" --label "nextstack.e2e.image=$name" --label "nextstack.e2e.inputs=${tag##*:}" \
      -t "$tag" "$@" "$ctx"; then
    log "$name: built $tag in $(elapsed "$t") s"
  else
    log "$name: build FAILED after $(elapsed "$t") s"
    return 1
  fi
}

t=$(now)
PG_MAJOR=$(sed -n 's/^ARG PG_MAJOR=\([0-9][0-9]*\).*/\1/p' "$IMAGES/postgres/Dockerfile" | head -n 1)
[ -n "$PG_MAJOR" ] || die "postgres: no ARG PG_MAJOR=<n> in $IMAGES/postgres/Dockerfile"
POSTGRES_IMAGE=$REPO/postgres:$PG_MAJOR-$(hash_inputs "$IMAGES/postgres" "base=$DEBIAN_IMAGE")
NGINX_IMAGE=$REPO/nginx:$(hash_inputs "$IMAGES/nginx" "base=$DEBIAN_IMAGE")

REGISTRY=$(npm_registry) || true
case "$REGISTRY" in
  http://*|https://*) ;;
  *) die "no npm registry URL from \`npm config get registry\` (got '$REGISTRY'); set NEXTSTACK_E2E_NPM_REGISTRY";;
esac
node_extra=("base=$DEBIAN_IMAGE" "registry=$REGISTRY")
for f in "${CA_FILES[@]}"; do node_extra+=("ca=$(sha256sum < "$f" | cut -c1-64)"); done
NODE_IMAGE=$REPO/node:$(hash_inputs "$IMAGES/node" "${node_extra[@]}")
log "hashed inputs in $(elapsed "$t") s"

build_node() {
  local ctx ver packed i=0 f
  ctx=$(mktemp -d /tmp/nextstack-e2e-node-ctx.XXXXXX)
  # shellcheck disable=SC2064 # expand now
  trap "rm -rf '$ctx'" RETURN
  cp -a "$IMAGES/node/." "$ctx/"
  mkdir -p "$ctx/host-ca"
  for f in "${CA_FILES[@]}"; do
    i=$((i + 1)); cp "$f" "$ctx/host-ca/$i-$(basename "$f")"
  done
  ver=$(tr -d ' \n' < "$IMAGES/node/npm.version")
  packed=$(cd "$ctx" && npm pack "npm@$ver" --silent 2>>"$LOG_DIR/node.log" | tail -n 1) \
    || { log "node: npm pack npm@$ver failed (see $LOG_DIR/node.log)"; return 1; }
  mv "$ctx/$packed" "$ctx/npm.tgz"
  build_image node "$NODE_IMAGE" "$ctx" --build-arg "NPM_REGISTRY=$REGISTRY"
}

todo=()
if image_exists "$POSTGRES_IMAGE"; then log "postgres: $POSTGRES_IMAGE present"; else todo+=(postgres); fi
if image_exists "$NGINX_IMAGE"; then log "nginx: $NGINX_IMAGE present"; else todo+=(nginx); fi
if image_exists "$NODE_IMAGE"; then log "node: $NODE_IMAGE present"; else todo+=(node); fi

build_one() {
  case $1 in
    postgres) build_image postgres "$POSTGRES_IMAGE" "$IMAGES/postgres" ;;
    nginx)    build_image nginx "$NGINX_IMAGE" "$IMAGES/nginx" ;;
    node)     build_node ;;
  esac
}

if [ ${#todo[@]} -gt 0 ]; then
  t=$(now)
  failed=()
  if [ "$PARALLEL" = 1 ] && [ ${#todo[@]} -gt 1 ]; then
    declare -A pids=()
    for n in "${todo[@]}"; do build_one "$n" & pids[$n]=$!; done
    for n in "${todo[@]}"; do wait "${pids[$n]}" || failed+=("$n"); done
  else
    for n in "${todo[@]}"; do build_one "$n" || failed+=("$n"); done
  fi
  [ ${#failed[@]} -eq 0 ] || die "failed to build: ${failed[*]}"
  log "built ${todo[*]} in $(elapsed "$t") s"
fi

# Older builds of the same images are left alone (something may still use
# them); say how to remove them. The reference filter matters: images built
# FROM these inherit their labels.
stale=$("$DOCKER" image ls --filter "label=$BASE_LABEL" --filter "reference=$REPO/*" \
  --format '{{.Repository}}:{{.Tag}}' \
  | grep -vxF -e "$DEBIAN_IMAGE" -e "$POSTGRES_IMAGE" -e "$NGINX_IMAGE" -e "$NODE_IMAGE" || true)
if [ -n "$stale" ]; then
  log "older base images (remove with: $DOCKER rmi <image>): $(echo "$stale" | tr '\n' ' ')"
fi

result="NEXTSTACK_E2E_DEBIAN_IMAGE=$DEBIAN_IMAGE
NEXTSTACK_E2E_POSTGRES_IMAGE=$POSTGRES_IMAGE
NEXTSTACK_E2E_NGINX_IMAGE=$NGINX_IMAGE
NEXTSTACK_E2E_NODE_IMAGE=$NODE_IMAGE"
if [ -n "$OUT_FILE" ]; then
  mkdir -p "$(dirname "$OUT_FILE")"
  printf '%s\n' "$result" > "$OUT_FILE"
  log "wrote $OUT_FILE"
fi
log "done in $(elapsed "$T0") s"
printf '%s\n' "$result"
