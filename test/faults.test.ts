// The fault matrix, a few rounds (`.ci/faults.sh` runs more): kills at seeded random moments, then
// nothing of the killed runs survives the next start, the next run passes, no row is lost, nothing
// not ours is touched. Prints its figures.
import { existsSync } from 'node:fs'
import { expect, test } from 'vitest'
import { KINDS, kindOf, TARGETS } from './faults/figures.js'
import { describeFigures, runMatrix } from './faults/matrix.js'

const rounds = Number(process.env.DSTA_FAULT_ROUNDS ?? 1)

test.skipIf(!existsSync('/proc/sysvipc/shm'))(
  `fault matrix: ${rounds} round(s) of kills of vitest run, up, generate, migrate, load`,
  async () => {
    const figures = await runMatrix({ rounds, seed: Number(process.env.DSTA_FAULT_SEED ?? 11) })
    console.log(describeFigures(figures))
    expect(figures.faultsInjected).toBeGreaterThan(0)
    // Every command got each kind as often as the rotation gives it (a slot that ended before its
    // fault is tried again): faults that land after the command finished are not counted.
    for (const target of TARGETS)
      for (const kind of KINDS)
        expect({ target, kind, faults: figures.byTarget[target][kind] }).toEqual({
          target,
          kind,
          faults: Array.from({ length: rounds }, (_, i) => kindOf(i + 1, target)).filter((k) => k === kind)
            .length,
        })
    expect(figures.orphansLeft).toEqual([])
    expect(figures.rowsLost).toBe(0)
    expect(figures.partialWrites).toEqual([])
    expect(figures.nextRunFailures).toEqual([])
    expect(figures.bystandersTouched).toEqual([])
    expect(figures.secretsPrinted).toBe(0)
  },
  rounds * 300_000,
)
