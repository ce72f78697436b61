// The fault matrix, a few rounds (`.ci/faults.sh` runs more): kills at seeded random moments, then
// nothing of the killed runs survives the next start, the next run passes, no row is lost, nothing
// not ours is touched. Prints its figures.
import { existsSync } from 'node:fs'
import { expect, test } from 'vitest'
import { describeFigures, runMatrix } from './faults/matrix.js'

const rounds = Number(process.env.DSTA_FAULT_ROUNDS ?? 1)

test.skipIf(!existsSync('/proc/sysvipc/shm'))(
  `fault matrix: ${rounds} round(s) of kills of vitest run, up, generate, migrate, load`,
  async () => {
    const figures = await runMatrix({ rounds, seed: Number(process.env.DSTA_FAULT_SEED ?? 11) })
    console.log(describeFigures(figures))
    expect(figures.faultsInjected).toBeGreaterThan(0)
    expect(figures.orphansLeft).toEqual([])
    expect(figures.rowsLost).toBe(0)
    expect(figures.partialWrites).toEqual([])
    expect(figures.nextRunFailures).toEqual([])
    expect(figures.bystandersTouched).toEqual([])
    expect(figures.secretsPrinted).toBe(0)
  },
  rounds * 300_000,
)
