#!/usr/bin/env bash
# The package as a user gets it: `npm pack`, installed into a copy of examples/vitest-basic, whose
# vitest.config.ts has one line (dstaDb()) and whose tests import from 'dsta-db/vitest'.
# DSTA_EXAMPLE_PROVIDER=container runs it on the container provider: the user adds
# `provider: 'container'` to that line and installs testcontainers (Docker from .ci/docker.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
cp -r examples/vitest-basic "$work/project"
cd "$work/project"
# The user's project: the packed dsta-db, its peers, and Node 24 for npx (as in this repository).
provider=${DSTA_EXAMPLE_PROVIDER:-embedded}
extra=()
if [ "$provider" != embedded ]; then
  sed -i "s/dstaDb({ seed: 42 })/dstaDb({ seed: 42, provider: '$provider' })/" vitest.config.ts
  grep -q "provider: '$provider'" vitest.config.ts || { echo "could not set the provider in vitest.config.ts"; exit 1; }
  if [ "$provider" = container ]; then
    extra=("testcontainers@$("$repo/node_modules/.bin/node" -p "require('$repo/package.json').devDependencies.testcontainers")")
  fi
fi
npm install --no-audit --no-fund --loglevel=error "$work/$tarball"  \
  node@24 slonik@^49 pg@^8 vitest@^5 "${extra[@]}"
PATH="$work/project/node_modules/.bin:$PATH" npx vitest run
echo "example project passed against the packed package ($tarball), provider $provider"
