#!/usr/bin/env bash
# What the workflow does, on this machine: a PostgreSQL "service" (dsta-db up, standing in for the
# postgres:18 container), reached through DATABASE_URL by two shards in turn, then stopped.
set -euo pipefail
log=$(mktemp)
npx dsta-db up >"$log" 2>&1 &
up=$!
trap 'kill -INT $up 2>/dev/null; wait $up 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 300); do grep -q '"url"\|Ready' "$log" && break; sleep 0.1; done
url=$(node -e "
  const lines = require('fs').readFileSync(process.argv[1], 'utf8').split('\n')
  for (const line of lines) {
    try { const o = JSON.parse(line); if (o.url) { console.log(o.url); process.exit(0) } } catch {}
    const m = /^DATABASE_URL=(\S+)/.exec(line); if (m) { console.log(m[1]); process.exit(0) }
  }
  process.exit(1)" "$log") || { cat "$log"; echo 'dsta-db up did not print its address'; exit 1; }
export DATABASE_URL=$url DSTA_SEED=42
npx vitest run --shard=1/2
npx vitest run --shard=2/2
