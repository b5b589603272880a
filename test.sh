#!/usr/bin/env bash
# Runs every DocAIche test: installs the servers the integration tests start (root, once), builds
# warning-free, runs the unit and integration tests, and ends with one line of totals:
#   N passed, M failed, K skipped
# Exits non-zero when a test failed or when no test ran at all.
set -euo pipefail
cd "$(dirname "$0")"

bash eng/install-servers.sh
bash eng/install-tools.sh
dotnet build DocAIche.sln -nologo -clp:ErrorsOnly

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
dotnet test DocAIche.sln --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" \
  --results-directory "$results" || status=$?

# Totals from the TRX reports, one per test project.
read -r total executed passed failed < <(
  cat "$results"/*.trx 2>/dev/null | tr ' ' '\n' | awk -F'"' '
    /^total=/ {t+=$2} /^executed=/ {e+=$2} /^passed=/ {p+=$2} /^failed=/ {f+=$2}
    END {printf "%d %d %d %d\n", t, e, p, f}')
skipped=$((total - executed))

if [ "$total" -eq 0 ]; then
  echo "no test ran" >&2
  status=1
fi
if [ "$failed" -gt 0 ] && [ "$status" -eq 0 ]; then
  status=1
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
