#!/usr/bin/env bash
# Backs up a DocAIche that runs in executables mode (./run.sh), while it runs:
#   - a base backup of PostgreSQL (all four databases, consistent, with the WAL it needs), taken
#     through the server's own socket; with the WAL archive the server keeps (postgres.sh archives
#     every segment, at least once a minute) it lets eng/restore.sh recover to any moment since;
#   - the secrets folder (signing-key encryption, audit subject keys, server passwords): without it
#     the databases cannot be read;
#   - RabbitMQ needs nothing: the services declare their queues when they start, and a restore
#     publishes again the events sent just before its target (the consumers' inboxes drop the ones
#     already handled).
# Usage: eng/backup.sh [--data DIR] [--to DIR] [--keep N]
#   --data  the DocAIche data folder (default: /var/lib/docaiche as root, ~/.local/share/docaiche otherwise)
#   --to    where backups go (default: DATA/backups); each one is a folder named by its UTC time
#   --keep  base backups to keep (default 7); older ones, and the WAL only they needed, are removed
# Prints the new backup's folder.
set -euo pipefail

data=""
to=""
keep=7
while [ $# -gt 0 ]; do
  case $1 in
    --data) data=$2; shift 2 ;;
    --to) to=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    *) echo "usage: $0 [--data DIR] [--to DIR] [--keep N]" >&2; exit 2 ;;
  esac
done
if [ -z "$data" ]; then
  if [ "$(id -u)" -eq 0 ]; then data=/var/lib/docaiche; else data=${XDG_DATA_HOME:-$HOME/.local/share}/docaiche; fi
fi
data=$(realpath "$data")
to=${to:-$data/backups}
pgbin=${DOCAICHE_PG_BIN:-/usr/lib/postgresql/15/bin}
log() { printf '[backup] %s\n' "$*" >&2; }

pid_file=$data/postgres/pgdata/postmaster.pid
[ -f "$pid_file" ] || { log "no PostgreSQL is running on $data (start DocAIche first)"; exit 1; }
port=$(sed -n 4p "$pid_file")
sockets=$data/postgres/sockets
password_file=$data/secrets/postgres-password
[ -r "$password_file" ] || { log "cannot read $password_file"; exit 1; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
target=$to/$stamp
mkdir -p "$to"
# Traversable but not listable: the server's WAL archive may live below it (DATA/backups/wal).
chmod 711 "$to"
mkdir "$target"

started=$(date -u +%FT%TZ)
log "base backup of PostgreSQL on port $port into $target"
# pg_basebackup is a client: it runs as whoever runs this script (the files are theirs).
PGPASSWORD=$(cat "$password_file") "$pgbin/pg_basebackup" \
  -h "$sockets" -p "$port" -U postgres -D "$target/postgres" -Ft -z -X fetch --checkpoint=fast --label="docaiche $stamp"

log "secrets"
cp -a "$data/secrets" "$target/secrets"
chmod -R go-rwx "$target/secrets"

cat >"$target/backup.json" <<JSON
{"started": "$started", "finished": "$(date -u +%FT%TZ)", "postgresPort": $port, "walArchive": "$data/backups/wal"}
JSON
chmod 700 "$target"

# Keep the newest N base backups; WAL older than the oldest kept one's start is no longer needed.
mapfile -t backups < <(find "$to" -mindepth 1 -maxdepth 1 -type d -name '20*Z' | sort)
if [ ${#backups[@]} -gt "$keep" ]; then
  for old in "${backups[@]:0:${#backups[@]}-$keep}"; do
    log "removing old backup $old"
    rm -rf "$old"
  done
fi
oldest=$(find "$to" -mindepth 1 -maxdepth 1 -type d -name '20*Z' | sort | head -n1)
archive=$data/backups/wal
if [ -n "$oldest" ] && [ -d "$archive" ]; then
  # The backup's start segment, from the label inside its base.tar.gz.
  first=$(tar -xzOf "$oldest/postgres/base.tar.gz" backup_label 2>/dev/null | sed -n 's/^START WAL LOCATION: .* (file \([0-9A-F]*\))$/\1/p')
  if [ -n "$first" ]; then
    "$pgbin/pg_archivecleanup" "$archive" "$first" || true
  fi
fi

echo "$target"
