#!/usr/bin/env bash
# Makes sure a current Docker engine (Debian sid's docker.io, 28.x, API >= 1.44)
# answers on this machine, as a container on the host's Debian 12 engine
# (20.10, API 1.41), with the e2e's base images in it (idempotent).
#
#   1. engine.sh (the host engine) and base-images.sh (the sid base and the
#      postgres/nginx/node stand-ins); both do nothing when already done.
#   2. Builds, if missing, nextstack-e2e/dockerd:<hash> FROM the sid base
#      (images/dockerd/; <hash> as base-images.sh's tags: the files of
#      images/dockerd/, the base tag, the host's CA files).
#   3. Runs it, if not running, as container nextstack-e2e-current-engine
#      (flags of DESIGN §7) with its API on 127.0.0.1:$API_PORT and the port
#      range $PORTS published on 127.0.0.1 (same numbers inside): a stack on
#      the inner engine that publishes a port of the range, on 127.0.0.1 or
#      0.0.0.0, is reached from the host at 127.0.0.1:<port>
#      (images/dockerd/start-dockerd.sh). /var/lib/docker is the host
#      directory $DATA_DIR, so images and build cache survive a restart.
#      A container made with other settings is replaced.
#   4. Waits until the inner engine answers, then loads into it, with
#      `docker save | docker load`, the base images it lacks.
#
# Usage: engine-current.sh [ENV_FILE]
#   stdout: DOCKER_HOST=tcp://127.0.0.1:<port>, NEXTSTACK_E2E_CURRENT_PORTS=<first>-<last>
#           and NEXTSTACK_E2E_CURRENT_CONTAINER=<name> lines, also written to
#           ENV_FILE when given; everything else goes to stderr.
# Leaves the container running; stop it with
#   /usr/bin/docker stop nextstack-e2e-current-engine   (README.md beside this file)
# Must run as root (as engine.sh and base-images.sh).
#
# Environment (all optional):
#   NEXTSTACK_E2E_BASE_IMAGES_ENV     env file written by base-images.sh: use its image
#                                     names instead of running base-images.sh again
#   NEXTSTACK_E2E_CURRENT_API_PORT    host port of the inner engine's API (default 23750)
#   NEXTSTACK_E2E_CURRENT_PORTS       FIRST-LAST, at most 100 ports (default 24500-24519)
#   NEXTSTACK_E2E_CURRENT_DATA        its /var/lib/docker (default /var/lib/nextstack-e2e/current-engine)
#   NEXTSTACK_E2E_CURRENT_WAIT        seconds to wait for it to answer (default 60)
#   NEXTSTACK_E2E_LOG_DIR             build log and lock (default /tmp/nextstack-e2e-logs)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT_FILE=${1:-}
NAME=nextstack-e2e-current-engine
API_PORT=${NEXTSTACK_E2E_CURRENT_API_PORT:-23750}
PORTS=${NEXTSTACK_E2E_CURRENT_PORTS:-24500-24519}
DATA_DIR=${NEXTSTACK_E2E_CURRENT_DATA:-/var/lib/nextstack-e2e/current-engine}
WAIT_SECONDS=${NEXTSTACK_E2E_CURRENT_WAIT:-60}
LOG_DIR=${NEXTSTACK_E2E_LOG_DIR:-/tmp/nextstack-e2e-logs}
LABEL=nextstack.e2e=engine

# Debian's CLI: a /usr/local/bin/docker without buildx may come first on PATH.
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=$(command -v docker); fi
# The host engine, whatever DOCKER_HOST the caller has.
unset DOCKER_HOST DOCKER_CONTEXT
INNER_HOST=tcp://127.0.0.1:$API_PORT
inner() { DOCKER_HOST=$INNER_HOST "$DOCKER" "$@"; }
export DOCKER_BUILDKIT=0

log() { printf '[engine-current] %s\n' "$*" >&2; }
die() { printf '[engine-current] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# shellcheck source=hash-inputs.sh
. "$HERE/hash-inputs.sh"

T0=$(now)
[[ $API_PORT =~ ^[0-9]+$ ]] || die "NEXTSTACK_E2E_CURRENT_API_PORT must be a port number (got '$API_PORT')"
[[ $PORTS =~ ^([0-9]+)-([0-9]+)$ ]] || die "NEXTSTACK_E2E_CURRENT_PORTS must be FIRST-LAST (got '$PORTS')"
FIRST=${BASH_REMATCH[1]} LAST=${BASH_REMATCH[2]}
{ [ "$FIRST" -ge 1024 ] && [ "$LAST" -le 65535 ] && [ "$FIRST" -le "$LAST" ] && [ $((LAST - FIRST)) -lt 100 ]; } \
  || die "NEXTSTACK_E2E_CURRENT_PORTS: expected 1024 <= FIRST <= LAST <= 65535, at most 100 ports (got '$PORTS')"
{ [ "$API_PORT" -lt "$FIRST" ] || [ "$API_PORT" -gt "$LAST" ]; } || die "the API port $API_PORT is inside the port range $PORTS"

# --- 1. host engine and base images ---------------------------------------------
"$HERE/engine.sh" >&2
if [ -n "${NEXTSTACK_E2E_BASE_IMAGES_ENV:-}" ]; then
  [ -r "$NEXTSTACK_E2E_BASE_IMAGES_ENV" ] || die "NEXTSTACK_E2E_BASE_IMAGES_ENV: cannot read $NEXTSTACK_E2E_BASE_IMAGES_ENV"
  images_env=$(cat "$NEXTSTACK_E2E_BASE_IMAGES_ENV")
else
  images_env=$("$HERE/base-images.sh")
fi
declare -A base=()
while IFS='=' read -r key value; do
  case $key in NEXTSTACK_E2E_*_IMAGE) base[$key]=$value ;; esac
done <<<"$images_env"
for key in DEBIAN POSTGRES NGINX NODE; do
  [ -n "${base[NEXTSTACK_E2E_${key}_IMAGE]:-}" ] || die "no NEXTSTACK_E2E_${key}_IMAGE from base-images.sh"
done
DEBIAN_IMAGE=${base[NEXTSTACK_E2E_DEBIAN_IMAGE]}

mkdir -p "$LOG_DIR"
# One run at a time on a machine: a second one waits, then finds it all done.
exec 9>"$LOG_DIR/.current-engine.lock"
if ! flock -n 9; then
  log "another engine-current.sh is running; waiting for it (at most 10 min)"
  flock -w 600 9 || die "the other engine-current.sh did not finish within 10 min"
fi

# --- 2. the image ------------------------------------------------------------------
t=$(now)
CA_FILES=()
if [ -d /usr/local/share/ca-certificates ]; then
  mapfile -t CA_FILES < <(find -L /usr/local/share/ca-certificates -type f -name '*.crt' | LC_ALL=C sort)
fi
extra=("base=$DEBIAN_IMAGE")
for f in "${CA_FILES[@]}"; do extra+=("ca=$(sha256sum < "$f" | cut -c1-64)"); done
IMAGE=nextstack-e2e/dockerd:$(hash_inputs "$HERE/images/dockerd" "${extra[@]}")
if "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then
  log "image $IMAGE present ($(elapsed "$t") s)"
else
  ctx=$(mktemp -d /tmp/nextstack-e2e-dockerd-ctx.XXXXXX)
  trap 'rm -rf "$ctx"' EXIT
  cp -a "$HERE/images/dockerd/." "$ctx/"
  mkdir -p "$ctx/host-ca"
  i=0
  for f in "${CA_FILES[@]}"; do i=$((i + 1)); cp "$f" "$ctx/host-ca/$i-$(basename "$f")"; done
  log "building $IMAGE (log: $LOG_DIR/dockerd.log)"
  if ! "$DOCKER" build --force-rm --build-arg "BASE_IMAGE=$DEBIAN_IMAGE" \
      --label "$LABEL" --label nextstack.e2e.image=dockerd --label "nextstack.e2e.inputs=${IMAGE##*:}" \
      -t "$IMAGE" "$ctx" >"$LOG_DIR/dockerd.log" 2>&1; then
    tail -n 40 "$LOG_DIR/dockerd.log" >&2
    die "building $IMAGE failed"
  fi
  log "built $IMAGE in $(elapsed "$t") s"
fi

# --- 3. the container ----------------------------------------------------------------
# DESIGN §7: every capability but SYS_RESOURCE (not in this sandbox's bounding
# set, so --privileged fails), no seccomp/AppArmor/masked paths, all devices,
# the host's cgroup v1 hierarchy, /var/lib/docker on a host directory (overlay2;
# inside the container's own filesystem it falls back to vfs), /run on tmpfs.
# --init: tini reaps what dockerd orphans. route_localnet: see start-dockerd.sh.
# The inner engine's containers get their own cgroup parent, apart from the
# host engine's /docker.
RUN_ARGS=(
  --name "$NAME" --hostname "$NAME" --init --restart no
  --label "$LABEL" --label nextstack.e2e.image=dockerd
  --cap-add ALL --cap-drop SYS_RESOURCE
  --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined
  --device-cgroup-rule 'a *:* rwm'
  -v /sys/fs/cgroup:/sys/fs/cgroup:rw
  -v "$DATA_DIR:/var/lib/docker"
  --tmpfs /run
  --sysctl net.ipv4.conf.all.route_localnet=1
  -e "NEXTSTACK_E2E_PORTS=$FIRST-$LAST"
  -p "127.0.0.1:$API_PORT:2375"
  -p "127.0.0.1:$FIRST-$LAST:$FIRST-$LAST"
)
DOCKERD_ARGS=(--cgroup-parent /nextstack-e2e-current)
RUN_HASH=$(printf '%s\n' "$IMAGE" "${RUN_ARGS[@]}" -- "${DOCKERD_ARGS[@]}" | sha256sum | cut -c1-12)

t=$(now)
state=$("$DOCKER" container inspect -f '{{index .Config.Labels "nextstack.e2e.run"}} {{.State.Running}}' "$NAME" 2>/dev/null || true)
if [ -n "$state" ] && [ "${state% *}" != "$RUN_HASH" ]; then
  log "container $NAME was made with other settings; replacing it (its /var/lib/docker in $DATA_DIR stays)"
  "$DOCKER" stop -t 20 "$NAME" >/dev/null 2>&1 || true
  "$DOCKER" rm -f "$NAME" >/dev/null
  state=""
fi
if [ -z "$state" ]; then
  mkdir -p "$DATA_DIR"
  log "starting container $NAME (API on 127.0.0.1:$API_PORT, ports 127.0.0.1:$FIRST-$LAST, /var/lib/docker in $DATA_DIR)"
  if ! "$DOCKER" run -d --label "nextstack.e2e.run=$RUN_HASH" "${RUN_ARGS[@]}" "$IMAGE" "${DOCKERD_ARGS[@]}" >/dev/null; then
    "$DOCKER" rm -f "$NAME" >/dev/null 2>&1 || true
    die "docker run $NAME failed (another process on 127.0.0.1:$API_PORT or $FIRST-$LAST?)"
  fi
elif [ "${state#* }" != true ]; then
  log "starting the stopped container $NAME"
  "$DOCKER" start "$NAME" >/dev/null || die "docker start $NAME failed (another process on 127.0.0.1:$API_PORT or $FIRST-$LAST?)"
else
  log "container $NAME is running"
fi

# --- 4. answering, then the base images ---------------------------------------------------
answered=""
for _ in $(seq $((WAIT_SECONDS * 5))); do
  if version=$(timeout 5 "$DOCKER" --host "$INNER_HOST" version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null); then
    answered=1
    break
  fi
  if [ "$("$DOCKER" container inspect -f '{{.State.Running}}' "$NAME" 2>/dev/null)" != true ]; then
    break
  fi
  sleep 0.2
done
if [ -z "$answered" ]; then
  log "last lines of its log (/usr/bin/docker logs $NAME):"
  "$DOCKER" logs --tail 20 "$NAME" >&2 2>&1 || true
  die "the engine in $NAME did not answer on $INNER_HOST within ${WAIT_SECONDS} s"
fi
log "docker engine $version answers on $INNER_HOST ($(elapsed "$t") s)"

t=$(now)
missing=()
for key in DEBIAN POSTGRES NGINX NODE; do
  image=${base[NEXTSTACK_E2E_${key}_IMAGE]}
  want=$("$DOCKER" image inspect -f '{{.Id}}' "$image")
  have=$(inner image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
  [ "$want" = "$have" ] || missing+=("$image")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "loading ${missing[*]} into it (docker save | docker load)"
  # One save: the layers the images share go over once.
  "$DOCKER" save "${missing[@]}" | inner load -q >&2 || die "docker save | docker load failed"
  log "loaded ${#missing[@]} image(s) in $(elapsed "$t") s"
else
  log "base images present in it ($(elapsed "$t") s)"
fi

result="DOCKER_HOST=$INNER_HOST
NEXTSTACK_E2E_CURRENT_PORTS=$FIRST-$LAST
NEXTSTACK_E2E_CURRENT_CONTAINER=$NAME"
if [ -n "$OUT_FILE" ]; then
  mkdir -p "$(dirname "$OUT_FILE")"
  printf '%s\n' "$result" > "$OUT_FILE"
  log "wrote $OUT_FILE"
fi
log "done in $(elapsed "$T0") s"
printf '%s\n' "$result"
