// Lanes: where a factory set's keys live (database isolation gives each test of a file its own).
import { describe, expect, test } from 'vitest'
import { createFactories, LANE_IDS, LANE_MS, LANES, laneOf } from '../src/factories/index.js'

const noDb = undefined as never // build* touches no database

describe('laneOf', () => {
  const names = Array.from({ length: LANES }, (_, i) => `suite > test ${i}`)

  test('every test of a file gets its own lane, even when all 512 lanes are taken', () => {
    const lanes = names.map((_, index) => laneOf(names, index))
    expect(new Set(lanes).size).toBe(LANES)
  })

  test('a function of the names only: the order the tests are listed in changes nothing', () => {
    const reversed = [...names].reverse()
    for (const index of [0, 17, 300])
      expect(laneOf(reversed, reversed.indexOf(names[index] as string))).toBe(laneOf(names, index))
  })

  test('two tests of the same name get two lanes', () => {
    expect(laneOf(['same', 'same'], 0)).not.toBe(laneOf(['same', 'same'], 1))
  })

  test('more tests than lanes: an error that says what to do', () => {
    expect(() => laneOf([...names, 'one more'], 0)).toThrow(/513 tests.*512 lanes.*split the file/)
  })
})

describe('a lane moves the keys only', () => {
  const lane0 = createFactories(noDb, { seed: 7 })
  const lane5 = createFactories(noDb, { seed: 7, lane: 5 })
  const shift = 5 * LANE_MS

  test('candles: the same prices, the timestamps 5 × 512 weeks later, still on the grid', () => {
    for (const interval of ['1m', '1h', '1d', '7d'] as const) {
      const a = lane0.candlestick.buildList(4, { interval })
      const b = lane5.candlestick.buildList(4, { interval })
      expect(b.map((row) => row.timestamp.getTime() - shift)).toEqual(a.map((row) => row.timestamp.getTime()))
      expect(b.map((row) => ({ ...row, timestamp: 0 }))).toEqual(a.map((row) => ({ ...row, timestamp: 0 })))
    }
  })

  test('trades and order books: ids 5 × 2³² further, the rest the same', () => {
    const [a, b] = [lane0, lane5].map((set) => set.trade.buildList(3))
    expect(b?.map((row) => row.trade_id - 5n * LANE_IDS)).toEqual(a?.map((row) => row.trade_id))
    expect(b?.map((row) => row.price)).toEqual(a?.map((row) => row.price))
    const [bookA, bookB] = [lane0, lane5].map((set) => set.orderBook.build())
    expect(bookB?.last_update_id).toBe((bookA?.last_update_id ?? 0n) + 5n * LANE_IDS)
    expect(bookB?.bids).toEqual(bookA?.bids)
  })

  test('a given timestamp is kept as given, in any lane', () => {
    const at = new Date('2024-03-01T00:00:00Z')
    expect(lane5.candlestick.build({ timestamp: at, interval: '1d' })).toEqual(
      lane0.candlestick.build({ timestamp: at, interval: '1d' }),
    )
  })

  test('a lane out of range is refused', () => {
    expect(() => createFactories(noDb, { seed: 7, lane: LANES })).toThrow(
      /lane must be a whole number from 0 to 511/,
    )
  })
})
