import { hashString } from '../generate/random.js'
import { DAY_MS, DEFAULT_END } from '../generate/time.js'

/**
 * Under `database` isolation the tests of a file share one database and their rows commit, so
 * two tests making the same factory calls would make the same unique keys (a candle's timestamp,
 * a trade's trade_id). Each test then makes its keys in a lane of its own: lane n starts its
 * timestamps n × 512 weeks after the usual start (2026-01-01) and its ids at n × 2³² + 1; every
 * other value is what lane 0 makes (prices and the rest are drawn on lane 0's timeline).
 */
export const LANES = 512

/** A lane's span of time: 512 weeks, a whole number of every candle interval (the 7d grid too). */
export const LANE_MS = 512 * 7 * DAY_MS

/** A lane's span of ids (trade_id, last_update_id). */
export const LANE_IDS = 2n ** 32n

const DEFAULT_END_MS = DEFAULT_END.getTime()

/** Where a lane puts its keys, and how its timestamps map back to lane 0's timeline. */
export class Lane {
  /** Where the timestamps of a series start (lane 0: 2026-01-01). */
  readonly startMs: number
  /** The first id of a series (lane 0: 1). */
  readonly firstId: bigint
  readonly #shiftMs: number

  constructor(readonly index = 0) {
    if (!Number.isInteger(index) || index < 0 || index >= LANES)
      throw new Error(`factories: lane must be a whole number from 0 to ${LANES - 1}, got ${index}`)
    this.#shiftMs = index * LANE_MS
    this.startMs = DEFAULT_END_MS + this.#shiftMs
    this.firstId = 1n + BigInt(index) * LANE_IDS
  }

  /** The day of lane 0's timeline a timestamp of this lane stands for (its prices are that day's). */
  day(ms: number): number {
    const inLane = this.#shiftMs > 0 && ms >= this.startMs - LANE_MS / 2
    return Math.floor((inLane ? ms - this.#shiftMs : ms) / DAY_MS)
  }
}

/**
 * The lane of test `index` among the full names of every test of its file (skipped and filtered-out
 * ones included, in the order collected): the hash of its name, or the next free lane when another
 * test of the file hashed there first, in name order. A function of the file's test names only —
 * not of which tests run, nor of their order — and two tests of a file never share a lane.
 */
export function laneOf(names: readonly string[], index: number): number {
  if (names.length > LANES)
    throw new Error(
      `factories: a database-isolation file has ${names.length} tests; their factories have ${LANES} lanes of keys, ` +
        'so split the file (or use transaction isolation, where each test rolls back)',
    )
  const order = names.map((name, at) => ({ name, at })).sort((a, b) => compare(a.name, b.name) || a.at - b.at)
  const taken = new Set<number>()
  for (const { name, at } of order) {
    let lane = hashString(name) % LANES
    while (taken.has(lane)) lane = (lane + 1) % LANES
    taken.add(lane)
    if (at === index) return lane
  }
  throw new Error(`factories: no test ${index} among ${names.length}`)
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
