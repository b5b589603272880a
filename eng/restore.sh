#!/usr/bin/env bash
# Restores a DocAIche backup (eng/backup.sh) into a new data folder, to the end of the archived
# WAL or to a moment (point-in-time recovery), ready for ./run.sh --Infrastructure:DataPath=DIR.
#   1. the base backup is unpacked and PostgreSQL replays archived WAL up to the target, then
#      promotes (a new timeline: the old data folder's history is not touched);
#   2. the secrets folder comes back beside it (the databases' keys and passwords);
#   3. events the services published in the minutes before the target are marked unsent again:
#      RabbitMQ starts empty, so whatever was still in a queue at the target is delivered again,
#      and the consumers' inboxes (restored to the same moment) drop what they had handled.
# Redis holds only caches and rate limits; it starts empty.
# Usage: eng/restore.sh --from BACKUP_DIR --to NEW_DATA_DIR [--time 'YYYY-MM-DD HH:MM:SS+00'] [--wal DIR] [--republish-minutes N]
set -euo pipefail

from=""
to=""
target_time=""
wal=""
republish=15
while [ $# -gt 0 ]; do
  case $1 in
    --from) from=$2; shift 2 ;;
    --to) to=$2; shift 2 ;;
    --time) target_time=$2; shift 2 ;;
    --wal) wal=$2; shift 2 ;;
    --republish-minutes) republish=$2; shift 2 ;;
    *) echo "usage: $0 --from BACKUP_DIR --to NEW_DATA_DIR [--time TIMESTAMP] [--wal DIR] [--republish-minutes N]" >&2; exit 2 ;;
  esac
done
[ -n "$from" ] && [ -n "$to" ] || { echo "usage: $0 --from BACKUP_DIR --to NEW_DATA_DIR [--time TIMESTAMP]" >&2; exit 2; }
from=$(realpath "$from")
[ -f "$from/postgres/base.tar.gz" ] || { echo "[restore] $from holds no base backup" >&2; exit 1; }
if [ -z "$wal" ]; then
  wal=$(sed -n 's/.*"walArchive": "\([^"]*\)".*/\1/p' "$from/backup.json")
fi
if [ -e "$to" ] && [ -n "$(ls -A "$to" 2>/dev/null)" ]; then
  echo "[restore] $to is not empty: restore into a new folder" >&2
  exit 1
fi
pgbin=${DOCAICHE_PG_BIN:-/usr/lib/postgresql/15/bin}
log() { printf '[restore] %s\n' "$*" >&2; }

mkdir -p "$to"
to=$(realpath "$to")
chmod 755 "$to"
pgdata=$to/postgres/pgdata
sockets=$to/postgres/sockets
mkdir -p "$pgdata" "$sockets"
chmod 700 "$to/postgres" "$pgdata"

log "unpacking the base backup"
tar -xzf "$from/postgres/base.tar.gz" -C "$pgdata"
if [ -f "$from/postgres/pg_wal.tar.gz" ]; then
  tar -xzf "$from/postgres/pg_wal.tar.gz" -C "$pgdata/pg_wal"
fi
cp -a "$from/secrets" "$to/secrets"
chmod 700 "$to/secrets"

{
  echo "restore_command = 'cp \"$wal/%f\" \"%p\"'"
  echo "recovery_target_action = 'promote'"
  if [ -n "$target_time" ]; then
    echo "recovery_target_time = '$target_time'"
  fi
} >>"$pgdata/postgresql.auto.conf"
touch "$pgdata/recovery.signal"

as_server=()
if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres:postgres "$to/postgres"
  as_server=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi

# Recover on a private socket (no TCP), then publish again what may have been in flight.
port=$((40000 + RANDOM % 20000))
log "replaying WAL from $wal${target_time:+ up to $target_time}"
"${as_server[@]}" "$pgbin/pg_ctl" -D "$pgdata" -l "$to/postgres/recovery.log" -w -t 600 \
  -o "-p $port -k $sockets -c listen_addresses='' -c archive_mode=off -c max_connections=200" start >/dev/null \
  || { log "PostgreSQL did not start; its log:"; tail -n 30 "$to/postgres/recovery.log" >&2; exit 1; }
stop() { "${as_server[@]}" "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1 || true; }
trap stop EXIT
psql_as() { PGPASSWORD=$(cat "$to/secrets/postgres-password") "$pgbin/psql" -h "$sockets" -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
for _ in $(seq 1 600); do
  [ "$(psql_as -d postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = "f" ] && break
  sleep 0.5
done
[ "$(psql_as -d postgres -c 'SELECT pg_is_in_recovery()')" = "f" ] || { log "recovery did not finish; see $to/postgres/recovery.log"; exit 1; }

# The moment the data now stands at: the target, or the last transaction replayed.
at=$(psql_as -d postgres -c "SELECT coalesce(NULLIF('$target_time', '')::timestamptz, now())")
for database in identitydb documentsdb searchdb auditdb; do
  count=$(psql_as -d "$database" -c "WITH again AS (UPDATE outbox_messages SET \"SentAt\" = NULL WHERE \"SentAt\" >= '$at'::timestamptz - interval '$republish minutes' RETURNING 1) SELECT count(*) FROM again" 2>/dev/null || echo 0)
  log "$database: $count event(s) to publish again"
done
stop
trap - EXIT
# Recovery is over: the restored server starts as a primary from now on.
sed -i '/^restore_command = /d; /^recovery_target_action = /d; /^recovery_target_time = /d' "$pgdata/postgresql.auto.conf"
log "restored to $at; start it with: ./run.sh --Infrastructure:DataPath=$to"
echo "$to"
