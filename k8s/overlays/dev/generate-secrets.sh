#!/usr/bin/env bash
# Writes secrets.env beside this script: a random value for every secret the dev overlay's
# manifests reference, and the connection strings built from them. Run it once before
#   kubectl kustomize k8s/overlays/dev
# An existing secrets.env is kept (the database and broker already hold its passwords):
# delete it, and the cluster's data, to start afresh. Only a secret added to the manifests
# since it was written, which nothing holds yet, is appended to it. secrets.env is git-ignored.
set -euo pipefail
cd "$(dirname "$0")"

out=secrets.env

# Hex only: the values go into URIs and connection strings unescaped.
key() { openssl rand -hex 32; }      # 64 characters, for keys (32 or more needed)
password() { openssl rand -hex 24; } # 48 characters

if [[ -e $out ]]; then
  # Secrets added since the file was written: no server holds them yet, so a new value is safe.
  for name in console-client-secret; do
    if ! grep -q "^$name=" "$out"; then
      command -v openssl >/dev/null || { echo "openssl is needed." >&2; exit 1; }
      echo "$name=$(key)" >> "$out"
      echo "$out: added $name." >&2
    fi
  done
  echo "$out exists; keeping it." >&2
  exit 0
fi
command -v openssl >/dev/null || { echo "openssl is needed." >&2; exit 1; }

# Where the servers are (Services in the docaiche namespace; see k8s/base/servers).
pg_host=docaiche-postgres-rw
rabbitmq_host=docaiche-rabbitmq
redis_host=redis

pg() { # database user password
  printf 'Host=%s;Port=5432;Database=%s;Username=%s;Password=%s' "$pg_host" "$1" "$2" "$3"
}

pg_identity_owner=$(password);  pg_identity_runtime=$(password)
pg_documents_owner=$(password); pg_documents_runtime=$(password)
pg_search_owner=$(password);    pg_search_runtime=$(password)
pg_audit_owner=$(password);     pg_audit_runtime=$(password)
cache_password=$(password)
messaging_password=$(password)

umask 077
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
cat > "$tmp" <<ENV
identity-key-encryption-key=$(key)
identity-bootstrap-password=$(password)
gateway-client-secret=$(key)
console-client-secret=$(key)
documents-ingestion-credential-key=$(key)
audit-subject-key-protection=$(key)
audit-checkpoint-key=$(key)
pg-identity-owner-password=$pg_identity_owner
pg-identity-runtime-password=$pg_identity_runtime
pg-documents-owner-password=$pg_documents_owner
pg-documents-runtime-password=$pg_documents_runtime
pg-search-owner-password=$pg_search_owner
pg-search-runtime-password=$pg_search_runtime
pg-audit-owner-password=$pg_audit_owner
pg-audit-runtime-password=$pg_audit_runtime
identitydb-owner=$(pg identitydb identity_owner "$pg_identity_owner")
documentsdb-owner=$(pg documentsdb documents_owner "$pg_documents_owner")
searchdb-owner=$(pg searchdb search_owner "$pg_search_owner")
auditdb-owner=$(pg auditdb audit_owner "$pg_audit_owner")
auditdb-runtime=$(pg auditdb docaiche_audit_writer "$pg_audit_runtime")
cache-password=$cache_password
cache-connection-string=$redis_host:6379,password=$cache_password
messaging-password=$messaging_password
messaging-connection-string=amqp://docaiche:$messaging_password@$rabbitmq_host:5672/
ENV
# Every service works as its runtime login; its migration Job grants it the rows of its tables.
cat >> "$tmp" <<ENV
identitydb-runtime=$(pg identitydb identity_runtime "$pg_identity_runtime")
documentsdb-runtime=$(pg documentsdb documents_runtime "$pg_documents_runtime")
searchdb-runtime=$(pg searchdb search_runtime "$pg_search_runtime")
ENV
mv "$tmp" "$out"
trap - EXIT
echo "Wrote $(pwd)/$out"
