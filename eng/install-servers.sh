#!/usr/bin/env bash
# Installs the servers DocAIche runs as local executables when no container engine is available:
# PostgreSQL 15 with pgvector, Redis and RabbitMQ (and HAProxy for the HA profile), all from Debian's packages. Idempotent: every
# step is skipped when what it provides is already there.
set -euo pipefail

PG_MAJOR=15
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
VECTOR_CONTROL=/usr/share/postgresql/$PG_MAJOR/extension/vector.control

log() { printf '[install-servers] %s\n' "$*" >&2; }

need=()
[ -x "$PG_BIN/postgres" ] || need+=(postgresql postgresql-contrib)
[ -x "$PG_BIN/pg_config" ] && [ -d "/usr/include/postgresql/$PG_MAJOR/server" ] || need+=("postgresql-server-dev-$PG_MAJOR")
command -v redis-server >/dev/null || need+=(redis-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
command -v make >/dev/null || need+=(make)
command -v gcc >/dev/null || need+=(gcc)
command -v dpkg-source >/dev/null || need+=(dpkg-dev)
# The documents service reads repositories with git (and git http-backend serves the tests' ones).
command -v git >/dev/null || need+=(git)
# The high-availability profile (DOCAICHE_REPLICAS=2) puts HAProxy in front of the gateways.
command -v haproxy >/dev/null || need+=(haproxy)

if [ ${#need[@]} -eq 0 ] && [ -f "$VECTOR_CONTROL" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  log "missing: ${need[*]:-} ${VECTOR_CONTROL##*/}"
  log "installing them needs root. Run this script once as root (sudo $0), or install these"
  log "Debian packages yourself, then run again."
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -f "$VECTOR_CONTROL" ]; then
  # pgvector is not packaged for Debian 12; its source package from the next release builds
  # against PostgreSQL 15. A private sources list keeps the system's apt configuration untouched.
  log "building pgvector from Debian's source package"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || { log "cannot find the Debian mirror in the apt sources"; exit 1; }
  mkdir -p "$work/parts" "$work/lists/partial"
  printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" >"$work/parts/trixie-src.sources"
  aptopts=(-o Dir::Etc::sourcelist=/dev/null -o "Dir::Etc::sourceparts=$work/parts" -o "Dir::State::Lists=$work/lists")
  apt-get "${aptopts[@]}" update -qq
  (cd "$work" && apt-get "${aptopts[@]}" source --download-only pgvector >/dev/null 2>&1 || apt-get "${aptopts[@]}" source pgvector >/dev/null)
  if ! ls -d "$work"/pgvector-*/ >/dev/null 2>&1; then
    (cd "$work" && for dsc in pgvector_*.dsc; do dpkg-source -x "$dsc" >/dev/null; done)
  fi
  src=$(ls -d "$work"/pgvector-*/ | head -n1)
  make -s -C "$src" with_llvm=no PG_CONFIG="$PG_BIN/pg_config" >/dev/null
  make -s -C "$src" with_llvm=no PG_CONFIG="$PG_BIN/pg_config" install >/dev/null
  log "pgvector installed"
fi
