#!/usr/bin/env bash
# shellcheck disable=SC2015,SC2016 # `check && pass || fail` (pass never fails); literal $ in single quotes
# Checks that the base images made by base-images.sh behave like the official
# images the project expects, and prints timings. Removes every container,
# network and volume it makes (names start with nse2e-verify-); keeps images.
#
# Usage: verify-base-images.sh [ENV_FILE]   (ENV_FILE as written by base-images.sh;
#        without it, base-images.sh is run to get the image names)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=$(command -v docker); fi
export DOCKER_BUILDKIT=0

log() { printf '[verify] %s\n' "$*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
fails=0
pass() { log "PASS: $*"; }
fail() { log "FAIL: $*"; fails=$((fails + 1)); }

if [ -n "${1:-}" ]; then
  # shellcheck disable=SC1090
  . "$1"
else
  eval "$("$HERE/base-images.sh")"
fi
: "${NEXTSTACK_E2E_POSTGRES_IMAGE:?}" "${NEXTSTACK_E2E_NGINX_IMAGE:?}" "${NEXTSTACK_E2E_NODE_IMAGE:?}"

P=nse2e-verify-$$
NET=$P-net
VOL=$P-pgdata
tmp=$(mktemp -d)
cleanup() {
  "$DOCKER" rm -f "$P-pg" "$P-pg2" "$P-app" "$P-proxy" >/dev/null 2>&1 || true
  "$DOCKER" rmi "$P-node:check" >/dev/null 2>&1 || true
  "$DOCKER" volume rm "$VOL" >/dev/null 2>&1 || true
  "$DOCKER" network rm "$NET" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
"$DOCKER" network create "$NET" >/dev/null
"$DOCKER" volume create "$VOL" >/dev/null

# wait_for SECONDS CMD...: retry every 0.1 s.
wait_for() {
  local deadline; deadline=$(awk -v a="$(now)" -v s="$1" 'BEGIN { printf "%.1f", a + s }'); shift
  until "$@" >/dev/null 2>&1; do
    awk -v d="$deadline" -v n="$(now)" 'BEGIN { exit !(n > d) }' && return 1
    sleep 0.1
  done
}

# --- postgres -------------------------------------------------------------------
PG=$NEXTSTACK_E2E_POSTGRES_IMAGE
PW='pw with spaces & $igns'
printf '%s\n' "$PW" > "$tmp/pw"
printf "CREATE TABLE seeded(v text); INSERT INTO seeded VALUES ('from initdb.d');\n" > "$tmp/10-seed.sql"
"$DOCKER" create --name "$P-pg" --network "$NET" -v "$VOL:/var/lib/postgresql" \
  -e POSTGRES_USER=app -e POSTGRES_DB=appdb -e POSTGRES_PASSWORD_FILE=/run/pw "$PG" >/dev/null
"$DOCKER" cp "$tmp/pw" "$P-pg:/run/pw"
"$DOCKER" cp "$tmp/10-seed.sql" "$P-pg:/docker-entrypoint-initdb.d/10-seed.sql"
t=$(now)
"$DOCKER" start "$P-pg" >/dev/null
if wait_for 60 "$DOCKER" exec "$P-pg" pg_isready -q -h 127.0.0.1 -U app -d appdb; then
  pass "postgres: first start (initdb) ready in $(elapsed "$t") s"
else
  fail "postgres: not ready within 60 s"; "$DOCKER" logs "$P-pg" >&2
fi
[ "$("$DOCKER" exec "$P-pg" cat /proc/1/comm)" = postgres ] && pass "postgres: PID 1 is postgres" || fail "postgres: PID 1 is $("$DOCKER" exec "$P-pg" cat /proc/1/comm)"
url_pw=$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$PW" 2>/dev/null || printf '%s' "$PW" | sed 's/ /%20/g; s/&/%26/g; s/\$/%24/g')
psql_from_net() { "$DOCKER" run --rm --network "$NET" "$PG" psql "$@"; }
out=$(psql_from_net "postgresql://app:$url_pw@$P-pg:5432/appdb" -tA -c 'select v from seeded' 2>&1) \
  && [ "$out" = 'from initdb.d' ] && pass "postgres: password login over TCP from another container; initdb.d ran" \
  || fail "postgres: TCP login: $out"
out=$(psql_from_net "postgresql://app:wrong@$P-pg:5432/appdb" -c 'select 1' 2>&1) \
  && fail "postgres: a wrong password was accepted" \
  || { grep -q 'password authentication failed' <<< "$out" && pass "postgres: wrong password refused" || fail "postgres: wrong password: $out"; }
psql_from_net "postgresql://app:$url_pw@$P-pg:5432/appdb" -q -c "create table keep(v text); insert into keep values ('persisted')" >/dev/null
t=$(now)
"$DOCKER" stop "$P-pg" >/dev/null
s=$(elapsed "$t")
logs=$("$DOCKER" logs "$P-pg" 2>&1)
if grep -q 'received fast shutdown request' <<< "$logs" \
   && tail -n 3 <<< "$logs" | grep -q 'database system is shut down' \
   && [ "$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$P-pg")" = 0 ]; then
  pass "postgres: docker stop -> clean fast shutdown in $s s (exit 0)"
else
  fail "postgres: unclean stop ($s s, exit $("$DOCKER" inspect -f '{{.State.ExitCode}}' "$P-pg"))"
fi
"$DOCKER" rm "$P-pg" >/dev/null
t=$(now)
"$DOCKER" run -d --name "$P-pg2" --network "$NET" -v "$VOL:/var/lib/postgresql" \
  -e POSTGRES_USER=app -e POSTGRES_DB=appdb -e POSTGRES_PASSWORD=ignored "$PG" >/dev/null
wait_for 60 "$DOCKER" exec "$P-pg2" pg_isready -q -h 127.0.0.1 -U app -d appdb \
  && pass "postgres: restart on the existing volume ready in $(elapsed "$t") s" || fail "postgres: restart not ready"
out=$(psql_from_net "postgresql://app:$url_pw@$P-pg2:5432/appdb" -tA -c 'select v from keep' 2>&1) \
  && [ "$out" = persisted ] && pass "postgres: data persisted; the old password still works (POSTGRES_PASSWORD ignored)" \
  || fail "postgres: after restart: $out"
t=$(now)
"$DOCKER" kill -s TERM "$P-pg2" >/dev/null
code=$("$DOCKER" wait "$P-pg2")
logs=$("$DOCKER" logs "$P-pg2" 2>&1)
grep -q 'received smart shutdown request' <<< "$logs" && tail -n 2 <<< "$logs" | grep -q 'database system is shut down' && [ "$code" = 0 ] \
  && pass "postgres: SIGTERM -> clean shutdown in $(elapsed "$t") s" || fail "postgres: SIGTERM exit $code"

# --- nginx -----------------------------------------------------------------------
NG=$NEXTSTACK_E2E_NGINX_IMAGE
cat > "$tmp/proxy.conf" <<EOF
resolver 127.0.0.11 valid=2s ipv6=off;
upstream app {
    zone app 64k;
    server $P-app:80 resolve;
}
server {
    listen 80;
    location = /healthz { return 200 "proxy ok\n"; }
    location / { proxy_pass http://app; }
}
EOF
"$DOCKER" run -d --name "$P-app" --network "$NET" "$NG" >/dev/null
"$DOCKER" create --name "$P-proxy" --network "$NET" "$NG" >/dev/null
"$DOCKER" cp "$tmp/proxy.conf" "$P-proxy:/etc/nginx/conf.d/default.conf"
t=$(now)
"$DOCKER" start "$P-proxy" >/dev/null
wait_for 20 "$DOCKER" exec "$P-proxy" wget -q -O /dev/null http://127.0.0.1/healthz \
  && pass "nginx: $("$DOCKER" exec "$P-proxy" nginx -v 2>&1 | sed 's/.*\///') answers wget in $(elapsed "$t") s" \
  || { fail "nginx: no answer"; "$DOCKER" logs "$P-proxy" >&2; }
"$DOCKER" exec "$P-proxy" nginx -t >/dev/null 2>&1 \
  && pass "nginx: nginx -t accepts upstream zone + 'server ... resolve' + resolver 127.0.0.11" || fail "nginx: nginx -t"
"$DOCKER" exec "$P-proxy" wget -q -O- http://127.0.0.1/ 2>&1 | grep -c 'nextstack-e2e nginx' >/dev/null \
  && pass "nginx: proxied to the upstream by name" || fail "nginx: proxying"
"$DOCKER" rm -f "$P-app" >/dev/null
"$DOCKER" run -d --name "$P-app" --network "$NET" "$NG" >/dev/null
t=$(now)
wait_for 20 "$DOCKER" exec "$P-proxy" wget -q -O /dev/null http://127.0.0.1/ \
  && pass "nginx: reached the replaced upstream container after $(elapsed "$t") s" || fail "nginx: no re-resolve"
t=$(now)
"$DOCKER" stop "$P-proxy" >/dev/null
[ "$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$P-proxy")" = 0 ] \
  && pass "nginx: docker stop (SIGQUIT) -> exit 0 in $(elapsed "$t") s" || fail "nginx: stop"

# --- node ------------------------------------------------------------------------
NODE=$NEXTSTACK_E2E_NODE_IMAGE
v=$("$DOCKER" run --rm "$NODE" sh -c 'echo "node $(node -v), npm $(npm -v)"')
case "$v" in "node v24."*) pass "node: $v" ;; *) fail "node: $v" ;; esac
mkdir -p "$tmp/node"
cat > "$tmp/node/Dockerfile" <<EOF
FROM $NODE
WORKDIR /app
RUN npm view pg version
RUN npm init -y >/dev/null && npm install is-number@7.0.0 && node -e "require('is-number')"
EOF
t=$(now)
if out=$("$DOCKER" build --rm --force-rm -t "$P-node:check" "$tmp/node" 2>&1); then
  pass "node: a build FROM it ran 'npm view pg version' ($(echo "$out" | grep -E '^[0-9]+\.[0-9]+\.[0-9]+$' | head -n 1)) and npm install in $(elapsed "$t") s"
else
  fail "node: build FROM it"; echo "$out" | tail -n 20 >&2
fi

if [ "$fails" = 0 ]; then log "all checks passed"; else log "$fails check(s) failed"; exit 1; fi
