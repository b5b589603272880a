#!/usr/bin/env bash
# Installs what the deployment-manifest tests need when it is missing: kubectl (its built-in
# Kustomize renders k8s/) and Node.js with npm (the offline schema validator under
# tests/DocAIche.DeploymentTests/schema), from the distribution's packages; then the validator's
# npm packages, exactly as locked. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[install-tools] %s\n' "$*" >&2; }

need=()
command -v kubectl >/dev/null || need+=(kubernetes-client)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
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
