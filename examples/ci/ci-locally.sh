#!/usr/bin/env bash
# What the workflow does, on this machine: a PostgreSQL "service" (dsta-db up, standing in for the
# postgres:18 container), reached through DATABASE_URL by two shards in turn, then stopped.
set -euo pipefail
log=$(mktemp)
# The bin itself, not through npx: npx does not pass Ctrl-C (SIGINT) on to the command it runs.
node_modules/.bin/dsta-db up --json >"$log" 2>&1 &
up=$!
trap 'kill -INT $up 2>/dev/null; wait $up 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 600); do grep -q '"databaseUrl"' "$log" && break; sleep 0.1; done
# up prints its address with the password masked, and where the password is (a file only we can read).
url=$(node -e "
  const fs = require('fs')
  for (const line of fs.readFileSync(process.argv[1], 'utf8').split('\n')) {
    let o; try { o = JSON.parse(line) } catch { continue }
    if (!o.databaseUrl) continue
    const password = o.passwordFile ? fs.readFileSync(o.passwordFile, 'utf8').trim() : ''
    console.log(o.databaseUrl.replace(':***@', password ? ':' + encodeURIComponent(password) + '@' : '@'))
    process.exit(0)
  }
  process.exit(1)" "$log") || { cat "$log"; echo 'dsta-db up did not print its address'; exit 1; }
export DATABASE_URL=$url DSTA_SEED=42
npx vitest run --shard=1/2
npx vitest run --shard=2/2
