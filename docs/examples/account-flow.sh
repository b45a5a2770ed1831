#!/usr/bin/env bash
# Sign up, create an API key, top up through the sandbox, spend through the gateway, and read the
# activity and the request log — all through Turnpike's APIs, with curl (and node to read JSON).
#   CONTROL=http://127.0.0.1:3000 GATEWAY=http://127.0.0.1:4000 bash docs/examples/account-flow.sh
# The server must run with the sandbox payment provider (`make run` does) and reach a provider
# for MODEL (with `make fake`: OPENAI_BASE_URL=http://127.0.0.1:9100/v1 OPENAI_API_KEY=fake).
set -euo pipefail
CONTROL=${CONTROL:-http://127.0.0.1:3000}
GATEWAY=${GATEWAY:-http://127.0.0.1:4000}
MODEL=${MODEL:-openai/gpt-4o-mini}
EMAIL=${EMAIL:-script-$RANDOM$RANDOM@example.com}
PASSWORD=${PASSWORD:-a-long-enough-password}

json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(eval("v."+process.argv[1]))})' "$1"; }
call() {  # method path [json body]: a control API call with the session token
  curl -sS --fail-with-body -X "$1" "$CONTROL$2" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' ${3:+-d "$3"}
}

# 1. Sign up: the answer carries a session token for scripts (browsers get a cookie).
TOKEN=$(curl -sS --fail-with-body -X POST "$CONTROL/api/auth/signup" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | json token)
echo "signed up as $EMAIL"

# 2. An API key with a $5 spending limit; the secret is shown only in this answer.
KEY=$(call POST /api/keys '{"name":"script","limit_usd":"5"}' | json secret)
echo "created key ${KEY:0:15}..."

# 3. Top up $10 through the sandbox provider (credited at once).
call POST /api/credits/checkout '{"amount_usd":"10"}' > /dev/null
echo "balance: $(call GET /api/credits | json balance_micros) micro-USD"

# 4. Spend through the gateway with the key.
curl -sS --fail-with-body "$GATEWAY/api/v1/chat/completions" -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' \
  -d "{\"model\":\"$MODEL\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}" | json 'usage.cost' \
  | sed 's/^/cost of the call (USD): /'

# 5. The request log and the activity (the log is written within a moment of the answer).
sleep 0.5
echo "logged requests: $(call GET /api/logs | json 'logs.length')"
ACTIVITY=$(call GET '/api/activity?group_by=model')
echo "activity: $(json totals.requests <<< "$ACTIVITY") requests, $(json totals.cost_micros <<< "$ACTIVITY") micro-USD"
echo "balance after: $(call GET /api/credits | json balance_micros) micro-USD"
