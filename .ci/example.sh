#!/usr/bin/env bash
# The package as a user gets it: `npm pack`, installed into a copy of examples/vitest-basic, whose
# vitest.config.ts has one line (dstaDb()) and whose tests import from 'dsta-db/vitest'.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
cp -r examples/vitest-basic "$work/project"
cd "$work/project"
# The user's project: the packed dsta-db, its peers, and Node 24 for npx (as in this repository).
npm install --no-audit --no-fund --loglevel=error "$work/$tarball"  \
  node@24 slonik@^49 pg@^8 vitest@^5
PATH="$work/project/node_modules/.bin:$PATH" npx vitest run
# The chart command from the package: the library it inlines is found where npm put it.
PATH="$work/project/node_modules/.bin:$PATH" npx dsta-db chart --days 1 --symbols BTCUSDT -o "$work/chart.html"
grep -q 'window.LightweightCharts=' "$work/chart.html"
echo "example project passed against the packed package ($tarball)"
