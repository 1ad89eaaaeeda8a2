#!/usr/bin/env bash
# Keeps the e2e's disk use bounded on the engine DOCKER_HOST names (the host's
# engine when unset), then checks that enough room is left for a run.
#
# Why: the BuildKit cache of Debian's 20.10 engine has no garbage collection
# unless the daemon is configured for it, and every app build of the e2e adds
# to it (each fixture app, each changed page). Many runs on one machine grew it
# to 54 GB and filled the disk (ENOSPC in the middle of a run). The machine's
# disk is shared, so a run also needs room that others did not take.
#
#   1. `docker builder prune --keep-storage $KEEP`: the build cache down to
#      $KEEP, least recently used first (a warm cache keeps reruns quick);
#   2. `docker image prune`: dangling images only (layers an older build of a
#      tag left behind). Tagged images and anything a container uses stay.
#   3. Prints the engine's disk use and the free space of the filesystem that
#      holds its data ($DATA_DIR, default: the engine's DockerRootDir, read on
#      the host), and fails when less than $MIN_FREE_GB GB is free.
#
# Usage: disk.sh [DATA_DIR]          (root; the engine must answer)
# Environment (all optional):
#   NEXTSTACK_E2E_CACHE_KEEP      build cache kept, e.g. 6GB (default 6GB)
#   NEXTSTACK_E2E_MIN_FREE_GB     free space needed after pruning (default 8)
set -euo pipefail

KEEP=${NEXTSTACK_E2E_CACHE_KEEP:-6GB}
MIN_FREE_GB=${NEXTSTACK_E2E_MIN_FREE_GB:-8}
DATA_DIR=${1:-}
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=$(command -v docker); fi

log() { printf '[disk] %s\n' "$*" >&2; }
die() { printf '[disk] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $KEEP =~ ^[0-9]+(B|KB|MB|GB)$ ]] || die "NEXTSTACK_E2E_CACHE_KEEP: expected a size such as 6GB (got '$KEEP')"
[[ $MIN_FREE_GB =~ ^[0-9]+$ ]] || die "NEXTSTACK_E2E_MIN_FREE_GB: expected a whole number of GB (got '$MIN_FREE_GB')"

where=${DOCKER_HOST:-the host engine}
"$DOCKER" builder prune --force --keep-storage "$KEEP" >/dev/null \
  || die "docker builder prune failed on $where"
"$DOCKER" image prune --force >/dev/null || die "docker image prune failed on $where"

if [ -z "$DATA_DIR" ]; then
  DATA_DIR=$("$DOCKER" info --format '{{.DockerRootDir}}')
fi
[ -d "$DATA_DIR" ] || die "the engine's data directory $DATA_DIR is not on this machine"
free_kb=$(df -Pk "$DATA_DIR" | awk 'NR == 2 { print $4 }')
free_gb=$((free_kb / 1024 / 1024))
usage=$("$DOCKER" system df --format '{{.Type}} {{.Size}}' | tr '\n' ';' | sed 's/;$//; s/;/, /g')
log "$where: build cache pruned to at most $KEEP; now $usage; ${free_gb} GB free on the disk of $DATA_DIR"
if [ "$free_gb" -lt "$MIN_FREE_GB" ]; then
  die "only ${free_gb} GB free on the disk of $DATA_DIR (at least $MIN_FREE_GB GB needed for a run: app builds and their cache). Free space there, or lower NEXTSTACK_E2E_CACHE_KEEP / NEXTSTACK_E2E_MIN_FREE_GB"
fi
