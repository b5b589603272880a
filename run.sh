#!/usr/bin/env bash
# Runs DocAIche: installs the servers it needs when missing (root), builds, and starts everything
# through the Aspire AppHost. The gateway answers on http://127.0.0.1:${DOCAICHE_GATEWAY_PORT:-8080},
# the dashboard on http://localhost:15080. Ctrl-C or SIGTERM stops all of it, servers included.
set -euo pipefail
cd "$(dirname "$0")"

bash eng/install-servers.sh
# DOCAICHE_CONFIGURATION=Release builds (and so runs) every service optimised, as benchmarks want.
configuration=${DOCAICHE_CONFIGURATION:-Debug}
dotnet build DocAIche.AppHost/DocAIche.AppHost.csproj -c "$configuration" -nologo -clp:ErrorsOnly

# The same settings as the AppHost's "http" launch profile, applied to the AppHost process itself so
# that signals reach it directly (no `dotnet run` in between).
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
export DOTNET_ENVIRONMENT=${DOTNET_ENVIRONMENT:-Development}
export ASPNETCORE_URLS=${ASPNETCORE_URLS:-http://localhost:15080}
export ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=${ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL:-http://localhost:19080}
export ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=${ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL:-http://localhost:20080}
export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true
export ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=${ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS:-true}
# The AppHost's dashboard would otherwise keep every run's logs and traces (tenant ids, request
# paths, SQL, search queries: Aspire's development settings leave URL queries unredacted) in an
# unencrypted SQLite file under ~/.aspire: up to ten runs of hundreds of MB each, out of reach of
# DocAIche's erasure. "None": a temporary database, deleted when the dashboard
# stops. "Run" keeps the history.
export ASPIRE_DASHBOARD_PERSISTENCE_MODE=${ASPIRE_DASHBOARD_PERSISTENCE_MODE:-None}

echo "DocAIche: gateway http://127.0.0.1:${DOCAICHE_GATEWAY_PORT:-8080}  dashboard ${ASPNETCORE_URLS}"
exec "DocAIche.AppHost/bin/$configuration/net10.0/DocAIche.AppHost" "$@"
