#!/usr/bin/env bash
# Signs in to DocAIche as the command-line client does (authorization code + PKCE through the
# sign-in form) and prints an access token, for curl and scripts:
#   TOKEN=$(eng/sign-in.sh owner@docaiche.local)          # asks for the password
#   DOCAICHE_PASSWORD=... eng/sign-in.sh owner@docaiche.local
# With two-step sign-in on, it asks for the authenticator app's code (or takes DOCAICHE_CODE).
# The first owner's generated password is in /var/lib/docaiche/secrets/bootstrap-password (root).
# For long-running scripts create an API key instead (POST /api/v1/api-keys) and send X-Api-Key.
set -euo pipefail
email=${1:?usage: eng/sign-in.sh EMAIL}
gateway=${DOCAICHE_PUBLIC_URL:-${DOCAICHE_GATEWAY:-http://127.0.0.1:${DOCAICHE_GATEWAY_PORT:-8080}}}
gateway=${gateway%/}
password=${DOCAICHE_PASSWORD:-}
if [ -z "$password" ]; then
  read -r -s -p "Password for $email: " password </dev/tty; echo >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jar=$work/cookies
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
verifier=$(head -c 32 /dev/urandom | b64url)
challenge=$(printf '%s' "$verifier" | openssl dgst -sha256 -binary | b64url)
state=$(head -c 16 /dev/urandom | b64url)
redirect="http://127.0.0.1:$((20000 + RANDOM % 40000))/callback"
enc() { jq -rn --arg v "$1" '$v|@uri'; }

authorize="$gateway/connect/authorize?client_id=docaiche-cli&response_type=code&redirect_uri=$(enc "$redirect")&scope=$(enc 'openid profile offline_access docaiche.api')&code_challenge=$challenge&code_challenge_method=S256&state=$state"
signin=$(curl -fsS -o /dev/null -w '%{redirect_url}' -c "$jar" -b "$jar" "$authorize")
form=$(curl -fsS -c "$jar" -b "$jar" "$signin")
field() { printf '%s' "$form" | sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" | head -n1 | sed 's/&amp;/\&/g'; }

back=$(curl -sS -o "$work/answer" -w '%{http_code} %{redirect_url}' -c "$jar" -b "$jar" "$gateway/account/signin" \
  --data-urlencode "__RequestVerificationToken=$(field __RequestVerificationToken)" \
  --data-urlencode "returnUrl=$(field returnUrl)" \
  --data-urlencode "email=$email" --data-urlencode "password=$password")
if [ "${back%% *}" = 200 ] && grep -q 'name="ticket"' "$work/answer"; then
  # Two-step sign-in: the authenticator app's code (or a recovery code) comes next.
  if grep -q 'id="totp-secret"' "$work/answer"; then
    echo "your organisation requires two-step sign-in: set it up once in a browser (the console's sign-in), then use this script" >&2
    exit 1
  fi
  form=$(cat "$work/answer")
  code=${DOCAICHE_CODE:-}
  if [ -z "$code" ]; then
    read -r -p "Code from your authenticator app for $email: " code </dev/tty
  fi
  back=$(curl -sS -o "$work/answer" -w '%{http_code} %{redirect_url}' -c "$jar" -b "$jar" "$gateway/account/signin/code" \
    --data-urlencode "__RequestVerificationToken=$(field __RequestVerificationToken)" \
    --data-urlencode "returnUrl=$(field returnUrl)" --data-urlencode "ticket=$(field ticket)" --data-urlencode "code=$code")
fi
if [ "${back%% *}" != 302 ]; then
  sed -n 's/.*role="alert">\([^<]*\)<.*/\1/p' "$work/answer" | sed "s/&#39;/'/g; s/&quot;/\"/g; s/&amp;/\&/g" >&2
  echo "sign-in refused (HTTP ${back%% *})" >&2
  exit 1
fi
callback=$(curl -fsS -o /dev/null -w '%{redirect_url}' -c "$jar" -b "$jar" "${back#* }")
code=$(printf '%s' "$callback" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
[ -n "$code" ] || { echo "no authorization code in $callback" >&2; exit 1; }

curl -fsS "$gateway/connect/token" -d grant_type=authorization_code -d client_id=docaiche-cli \
  --data-urlencode "code=$(printf '%b' "${code//%/\\x}")" --data-urlencode "redirect_uri=$redirect" -d "code_verifier=$verifier" \
  | jq -r .access_token
