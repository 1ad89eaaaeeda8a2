#!/usr/bin/env bash
# Make sure a Docker engine answers on this machine (idempotent).
#
#   - If `docker info` already answers: do nothing.
#   - Otherwise: apt-get install docker.io + debootstrap (apt-get update only
#     when the package lists are missing/stale), start dockerd in the
#     background (log: $NEXTSTACK_E2E_DOCKERD_LOG, default /tmp/nextstack-e2e-dockerd.log),
#     and wait up to 30 s for it to answer.
#
# Uses Debian's /usr/bin/docker when present: a /usr/local/bin/docker CLI
# without buildx may shadow it and fails with DOCKER_BUILDKIT=1.
# Must run as root (Debian host, no systemd). Leaves dockerd running.
set -euo pipefail

log() { printf '[engine] %s\n' "$*" >&2; }
die() { printf '[engine] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

T0=$(now)
DOCKERD_LOG=${NEXTSTACK_E2E_DOCKERD_LOG:-/tmp/nextstack-e2e-dockerd.log}
WAIT_SECONDS=${NEXTSTACK_E2E_DOCKERD_WAIT:-30}
APT_LOG=${NEXTSTACK_E2E_APT_LOG:-/tmp/nextstack-e2e-apt.log}
export PATH="$PATH:/usr/sbin:/sbin"

docker_cli() {
  if [ -x /usr/bin/docker ]; then echo /usr/bin/docker
  elif command -v docker >/dev/null 2>&1; then command -v docker
  else echo ""; fi
}

engine_answers() {
  local cli; cli=$(docker_cli)
  [ -n "$cli" ] && timeout 10 "$cli" info >/dev/null 2>&1
}

if engine_answers && command -v debootstrap >/dev/null 2>&1; then
  log "docker engine already answers ($("$(docker_cli)" version --format '{{.Server.Version}}' 2>/dev/null)); nothing to do ($(elapsed "$T0") s)"
  exit 0
fi

[ "$(id -u)" = 0 ] || die "must run as root to install/start the engine"

# --- packages ---------------------------------------------------------------
need_pkgs=()
[ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] || need_pkgs+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need_pkgs+=(debootstrap)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  t=$(now)
  # apt-get update only if the candidate is unknown (lists missing or stale).
  if [ "$(apt-cache policy "${need_pkgs[@]}" 2>/dev/null | grep -c 'Candidate: [0-9]')" -lt ${#need_pkgs[@]} ]; then
    log "apt-get update (log: $APT_LOG)"
    apt-get update >>"$APT_LOG" 2>&1 || { tail -n 20 "$APT_LOG" >&2; die "apt-get update failed"; }
  fi
  log "apt-get install -y ${need_pkgs[*]} (log: $APT_LOG)"
  apt-get install -y --no-install-recommends "${need_pkgs[@]}" >>"$APT_LOG" 2>&1 \
    || { tail -n 20 "$APT_LOG" >&2; die "apt-get install ${need_pkgs[*]} failed"; }
  log "installed ${need_pkgs[*]} in $(elapsed "$t") s"
else
  log "docker.io and debootstrap already installed"
fi

# --- daemon -------------------------------------------------------------------
if engine_answers; then
  log "docker engine answers ($(elapsed "$T0") s in all)"
  exit 0
fi

if pgrep -x dockerd >/dev/null 2>&1; then
  log "a dockerd process exists but does not answer yet; waiting for it"
else
  t=$(now)
  log "starting dockerd in the background (log: $DOCKERD_LOG)"
  # setsid + nohup: survive the end of this shell / session.
  DOCKERD=$(command -v dockerd) || die "dockerd not found after install"
  setsid nohup "$DOCKERD" >>"$DOCKERD_LOG" 2>&1 < /dev/null &
  echo $! > /tmp/nextstack-e2e-dockerd.pid
fi

for _ in $(seq $((WAIT_SECONDS * 5))); do
  if engine_answers; then
    log "docker engine $("$(docker_cli)" version --format '{{.Server.Version}} (API {{.Server.APIVersion}})') answers; dockerd pid $(pgrep -xo dockerd || echo '?') ($(elapsed "$T0") s in all)"
    exit 0
  fi
  sleep 0.2
done
log "last lines of $DOCKERD_LOG:"
tail -n 20 "$DOCKERD_LOG" >&2 || true
die "dockerd did not answer within ${WAIT_SECONDS} s"
