#!/usr/bin/env bash
# The fault matrix, more rounds than `npm test` runs: kills `vitest run`, `dsta-db up`, `generate`,
# `migrate` and `load` at seeded random moments (SIGKILL of the group, SIGKILL of the main process,
# Ctrl-C; the kinds rotate, so every 3 rounds each command gets each kind once) and checks that nothing
# of the killed runs survives the next start. Prints its figures per kind and per command.
# DSTA_FAULT_ROUNDS (default 60: 20 faults of each kind for each command, 300 in all; see README
# "What we promise" for its time) and DSTA_FAULT_SEED (default 2026) replay a run exactly.
# Under a slow init (orphans reaped seconds late): REAP_EVERY=30 python3 test/faults/slow-reaper.py bash .ci/faults.sh
set -euo pipefail
cd "$(dirname "$0")/.."
test -f dist/cli/main.js || npm run build
export DSTA_FAULT_ROUNDS="${DSTA_FAULT_ROUNDS:-60}" DSTA_FAULT_SEED="${DSTA_FAULT_SEED:-2026}"
echo "fault matrix: ${DSTA_FAULT_ROUNDS} rounds, seed ${DSTA_FAULT_SEED}"
npx vitest run test/faults.test.ts
