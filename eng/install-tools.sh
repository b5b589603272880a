#!/usr/bin/env bash
# Installs what the deployment-manifest and console tests need when it is missing: kubectl (its
# built-in Kustomize renders k8s/), Node.js with npm (the offline schema validator under
# tests/DocAIche.DeploymentTests/schema, and axe-core for the console's accessibility checks) and
# Chromium (the console's browser tests drive it with Playwright; no browser is downloaded), from the
# distribution's packages; then the npm packages, exactly as locked. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[install-tools] %s\n' "$*" >&2; }

need=()
command -v kubectl >/dev/null || need+=(kubernetes-client)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing: ${need[*]}; installing them needs root (sudo $0), or install these Debian packages yourself."
    exit 1
  fi
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

schemas=tests/DocAIche.DeploymentTests/schema
if [ ! -d "$schemas/node_modules" ] || [ "$schemas/package-lock.json" -nt "$schemas/node_modules" ]; then
  log "installing the manifest schema packages"
  npm ci --prefix "$schemas" --no-audit --no-fund --loglevel=error >/dev/null
  touch "$schemas/node_modules"
fi

axe=tests/DocAIche.IntegrationTests/Console/axe
if [ ! -d "$axe/node_modules" ] || [ "$axe/package-lock.json" -nt "$axe/node_modules" ]; then
  log "installing axe-core for the console's accessibility checks"
  npm ci --prefix "$axe" --no-audit --no-fund --loglevel=error >/dev/null
  touch "$axe/node_modules"
fi
