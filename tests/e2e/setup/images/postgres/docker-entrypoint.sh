#!/usr/bin/env bash
# Entrypoint of nextstack-e2e/postgres: the behaviour of the official postgres
# image's docker-entrypoint.sh that the project relies on, in less code.
#  - as root: fix ownership of PGDATA and the socket dir, then re-exec as postgres;
#  - first start (no PGDATA/PG_VERSION): initdb (superuser POSTGRES_USER with
#    POSTGRES_PASSWORD[_FILE]), `host all all all scram-sha-256` in pg_hba.conf,
#    a temporary server on the unix socket only (no TCP) to create POSTGRES_DB
#    and run /docker-entrypoint-initdb.d/*, then stop it;
#  - later starts skip all that (POSTGRES_PASSWORD is then ignored);
#  - finally exec the server, so it is PID 1 and gets the stop signal itself.
set -Eeo pipefail

log() { printf '%s [entrypoint] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*"; }

# file_env VAR [DEFAULT]: VAR or the contents of the file named by VAR_FILE.
file_env() {
  local var=$1 fileVar="${1}_FILE" def=${2:-}
  if [ -n "${!var:-}" ] && [ -n "${!fileVar:-}" ]; then
    log "error: both $var and $fileVar are set (but are exclusive)" >&2
    exit 1
  fi
  local val=$def
  if [ -n "${!var:-}" ]; then
    val=${!var}
  elif [ -n "${!fileVar:-}" ]; then
    val=$(< "${!fileVar}")
  fi
  export "$var"="$val"
  unset "$fileVar"
}

# `docker run IMAGE -c foo=bar` means `postgres -c foo=bar`.
if [ "${1:0:1}" = '-' ]; then
  set -- postgres "$@"
fi

if [ "$1" != 'postgres' ]; then
  exec "$@"
fi

if [ "$(id -u)" = '0' ]; then
  install -d -m 0700 -o postgres -g postgres "$PGDATA" 2>/dev/null || mkdir -p "$PGDATA"
  find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
  chmod 0700 "$PGDATA" || :
  install -d -m 3777 -o postgres -g postgres /var/run/postgresql
  # exec: no shell stays behind; setpriv execs the same script as postgres.
  exec setpriv --reuid=postgres --regid=postgres --init-groups \
    env HOME=/var/lib/postgresql "${BASH_SOURCE[0]}" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=}"

  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != 'trust' ]; then
    cat >&2 <<-'EOM'
	Error: Database is uninitialized and superuser password is not specified.
	       You must specify POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to a non-empty value for the
	       superuser, or POSTGRES_HOST_AUTH_METHOD=trust to allow all connections without a password.
	EOM
    exit 1
  fi

  install -d -m 0700 "$PGDATA" 2>/dev/null || :
  log "initdb in $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as in the official image
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS

  if [ -z "$POSTGRES_HOST_AUTH_METHOD" ]; then
    POSTGRES_HOST_AUTH_METHOD=$(postgres -C password_encryption)   # scram-sha-256
  fi
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >> "$PGDATA/pg_hba.conf"

  # Temporary server: unix socket only, so nothing can reach it over TCP
  # (and pg_isready -h 127.0.0.1 fails) until the database is ready.
  PGUSER=$POSTGRES_USER pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start

  psql_run() { PGHOST='' PGHOSTADDR='' psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"; }
  if [ "$POSTGRES_DB" != 'postgres' ]; then
    exists=$(psql_run --dbname postgres --set db="$POSTGRES_DB" --tuples-only --no-align \
      <<< "SELECT 1 FROM pg_database WHERE datname = :'db';")
    if [ -z "$exists" ]; then
      psql_run --dbname postgres --set db="$POSTGRES_DB" <<< 'CREATE DATABASE :"db";'
    fi
  fi

  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)
        # shellcheck disable=SC1090 # non-executable init scripts are sourced, as in the official image
        if [ -x "$f" ]; then log "running $f"; "$f"; else log "sourcing $f"; . "$f"; fi ;;
      *.sql)    log "running $f"; psql_run --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) log "running $f"; gunzip -c "$f" | psql_run --dbname "$POSTGRES_DB" ;;
      *.sql.xz) log "running $f"; xzcat "$f" | psql_run --dbname "$POSTGRES_DB" ;;
      *.sql.zst) log "running $f"; zstd -dc "$f" | psql_run --dbname "$POSTGRES_DB" ;;
      */\*) ;;   # empty directory
      *) log "ignoring $f" ;;
    esac
  done

  PGUSER=$POSTGRES_USER pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGPASSWORD
  log "PostgreSQL init process complete; ready for start up."
else
  log "PostgreSQL database directory appears to contain a database; skipping initialization"
fi

unset POSTGRES_PASSWORD
exec "$@"
