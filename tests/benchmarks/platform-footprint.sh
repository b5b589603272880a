#!/usr/bin/env bash
# Measures what the issue asks of the platform: the time from starting ./run.sh (already built) to
# a healthy gateway, and the memory of every process the AppHost started, grouped by role.
# Prints its numbers; asserts nothing. Usage: tests/benchmarks/platform-footprint.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
port=${DOCAICHE_GATEWAY_PORT:-8080}

dotnet build DocAIche.AppHost/DocAIche.AppHost.csproj -nologo -clp:ErrorsOnly >/dev/null

descendants() { local p; for p in $(pgrep -P "$1" || true); do echo "$p"; descendants "$p"; done; }
pss_kb() { awk '/^Pss:/ {print $2; exit}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
rss_kb() { awk '/^VmRSS:/ {print $2; exit}' "/proc/$1/status" 2>/dev/null || echo 0; }

for run in $(seq 1 "$runs"); do
  log=$(mktemp)
  start=$(date +%s.%N)
  setsid ./run.sh >"$log" 2>&1 &
  launcher=$!
  until curl -fs -m 2 "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"status":"Healthy"'; do
    if ! kill -0 "$launcher" 2>/dev/null; then echo "run.sh exited; see $log" >&2; exit 1; fi
    if (( $(date +%s) - ${start%.*} > 300 )); then echo "no healthy gateway after 300 s; see $log" >&2; exit 1; fi
    sleep 0.25
  done
  healthy=$(date +%s.%N)
  printf 'run %d: ./run.sh to healthy gateway: %.1f s\n' "$run" "$(awk -v a="$start" -v b="$healthy" 'BEGIN {print b - a}')"

  if [ "$run" -eq "$runs" ]; then
    sleep 10 # let start-up garbage settle
    apphost=$launcher
    dcp=$(pgrep -f "dcp start-apiserver --monitor $apphost" | head -n1)
    declare -A group_pss=() group_rss=() group_count=()
    for pid in $apphost $dcp $(descendants "$dcp"); do
      args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
      case "$args" in
        *DocAIche.AppHost*|*dcp\ start-apiserver*|*dcp\ run-controllers*|*Aspire.Dashboard*) group="orchestration (AppHost, DCP, dashboard)";;
        *dcp\ monitor-process*|dotnet\ run*) group="launch wrappers (dcp monitor, dotnet run)";;
        *postgres*|*beam.smp*|*erl_child_setup*|*inet_gethost*|*epmd*|*redis-server*|*rabbit_disk_monitor*) group="servers (PostgreSQL, RabbitMQ, Redis)";;
        */DocAIche.*) group="DocAIche services and gateway";;
        *) group="other";;
      esac
      group_pss[$group]=$(( ${group_pss[$group]:-0} + $(pss_kb "$pid") ))
      group_rss[$group]=$(( ${group_rss[$group]:-0} + $(rss_kb "$pid") ))
      group_count[$group]=$(( ${group_count[$group]:-0} + 1 ))
    done
    total_pss=0; total_rss=0
    for group in "${!group_pss[@]}"; do
      printf '  %-45s %3d processes  PSS %6d MB  RSS %6d MB\n' "$group" "${group_count[$group]}" $(( ${group_pss[$group]} / 1024 )) $(( ${group_rss[$group]} / 1024 ))
      total_pss=$(( total_pss + ${group_pss[$group]} )); total_rss=$(( total_rss + ${group_rss[$group]} ))
    done
    printf '  %-45s                PSS %6d MB  RSS %6d MB\n' "total" $(( total_pss / 1024 )) $(( total_rss / 1024 ))
  fi

  kill -TERM "$launcher"
  stop_start=$(date +%s)
  while kill -0 "$launcher" 2>/dev/null || pgrep -f "dcp start-apiserver --monitor $launcher" >/dev/null; do sleep 0.5; done
  stopped=$(( $(date +%s) - stop_start ))
  # Servers' own children (PostgreSQL backends) may take a moment longer; give them 30 s.
  for _ in $(seq 1 60); do
    left=$(ps -eo pid=,args= | grep -E "/var/lib/docaiche|postgres: |bin/Debug/net10.0/DocAIche\.|docaiche@localhost|epmd -address" | grep -v grep || true)
    [ -z "$left" ] && break
    sleep 0.5
  done
  printf 'run %d: AppHost and DCP gone %d s after SIGTERM; processes left 30 s later: %s\n' "$run" "$stopped" "${left:-none}"
  rm -f "$log"
done
