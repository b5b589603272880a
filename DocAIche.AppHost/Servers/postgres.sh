#!/usr/bin/env bash
# Runs PostgreSQL 15 for the AppHost in executables mode: initialises the cluster on first use,
# then execs the postmaster so that the AppHost's process is the server itself and stopping it
# stops the server. PostgreSQL refuses to run as root, so as root it runs as the postgres user.
# Usage: postgres.sh DATA_DIR PORT   (superuser password in DOCAICHE_POSTGRES_PASSWORD)
# Every finished WAL segment is archived to DOCAICHE_WAL_ARCHIVE (default DATA_DIR/../backups/wal),
# at least once a minute while anything is written: with eng/backup.sh's base backups, that is
# what eng/restore.sh recovers from, to any moment since the oldest base backup kept.
set -euo pipefail
data=$1
port=$2
pgbin=${DOCAICHE_PG_BIN:-/usr/lib/postgresql/15/bin}
: "${DOCAICHE_POSTGRES_PASSWORD:?the superuser password must be given}"

pgdata=$data/pgdata
sockets=$data/sockets
archive=${DOCAICHE_WAL_ARCHIVE:-$(dirname "$data")/backups/wal}
mkdir -p "$data" "$sockets" "$archive"

as_server=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$data" "$sockets" "$archive"
  chmod 700 "$data"
  as_server=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi

if [ ! -s "$pgdata/PG_VERSION" ]; then
  pwfile=$(mktemp "$data/.pwfile.XXXXXX")
  trap 'rm -f "$pwfile"' EXIT
  printf '%s\n' "$DOCAICHE_POSTGRES_PASSWORD" >"$pwfile"
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$pwfile"
  "${as_server[@]}" "$pgbin/initdb" -D "$pgdata" -U postgres --pwfile="$pwfile" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$data/initdb.log" 2>&1 \
    || { cat "$data/initdb.log" >&2; exit 1; }
  rm -f "$pwfile"
  trap - EXIT
fi

exec "${as_server[@]}" "$pgbin/postgres" -D "$pgdata" -p "$port" -k "$sockets" \
  -c listen_addresses=127.0.0.1 -c unix_socket_permissions=0700 -c logging_collector=off \
  -c max_connections=200 \
  -c archive_mode=on -c archive_timeout=60 \
  -c "archive_command=test ! -f '$archive/%f' && cp '%p' '$archive/%f'"
