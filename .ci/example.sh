#!/usr/bin/env bash
# The package as a user gets it: `npm pack`, installed into a copy of each project under examples/
# (or those named as arguments), with that project's own devDependencies; then its `npm test`, and its
# `npm run typecheck` when it has one. Then `dsta-db chart` from the package.
# DSTA_EXAMPLE_PROVIDER=container runs the named projects on the container provider instead: the user
# adds `provider: 'container'` to dstaDb() and installs testcontainers (Docker from .ci/docker.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PATH="$repo/node_modules/node/bin:$PATH" # Node 24, as in this repository
export npm_config_audit=false npm_config_fund=false npm_config_loglevel=error
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
provider=${DSTA_EXAMPLE_PROVIDER:-embedded}
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for dir in examples/*/; do [ -f "$dir/package.json" ] && names+=("$(basename "$dir")"); done
fi
for name in "${names[@]}"; do
  echo "== examples/$name (provider $provider)"
  cp -r "examples/$name" "$work/$name"
  (
    cd "$work/$name"
    extra=()
    if [ "$provider" != embedded ]; then
      sed -i "s/dstaDb({ seed: 42/dstaDb({ provider: '$provider', seed: 42/" vitest.config.ts
      grep -q "provider: '$provider'" vitest.config.ts || { echo "could not set the provider in vitest.config.ts"; exit 1; }
      if [ "$provider" = container ]; then
        extra=("testcontainers@$(node -p "require('$repo/package.json').devDependencies.testcontainers")")
      fi
    fi
    npm install "$work/$tarball" "${extra[@]}" # with the project's other devDependencies
    npm test
    if node -e "process.exit(require('./package.json').scripts?.typecheck ? 0 : 1)"; then npm run typecheck; fi
  )
  echo "examples/$name passed against the packed package ($tarball), provider $provider"
done
if [ "$provider" = embedded ]; then
  # The chart command from the package: the library it inlines is found where npm put it.
  mkdir -p "$work/chart" && cd "$work/chart" && npm init -y >/dev/null && npm install "$work/$tarball"
  npx dsta-db chart --days 1 --symbols BTCUSDT -o "$work/chart.html"
  grep -q 'window.LightweightCharts=' "$work/chart.html"
  echo "dsta-db chart from the packed package wrote a page with the library inlined"
fi
