// Determinism at API level: the rows depend on the seed and on the calls of one factory set only,
// so a test creates the same rows alone, in the full suite, or in any order.
import type { CommonQueryMethods } from 'slonik'
import { describe, expect, test } from 'vitest'
import { createFactories } from '../src/factories/index.js'

const noDatabase = new Proxy({} as CommonQueryMethods, {
  get: () => {
    throw new Error('build must not touch the database')
  },
})
const factories = (seed = 1) => createFactories(noDatabase, { seed })

describe('determinism', () => {
  const session = (seed: number) => {
    const f = factories(seed)
    return [
      f.candlestick.buildList(5),
      f.trade.sell().buildList(3),
      f.orderBook.thin().build(),
      f.marketMetric.buildList(2),
      f.faker.person.fullName(),
      f.faker.date.recent().toISOString(),
    ]
  }

  test('the same seed and calls give the same rows; another seed gives other rows', () => {
    expect(session(42)).toEqual(session(42))
    expect(session(43)).not.toEqual(session(42))
  })

  test('a series does not depend on other tables or symbols drawn before it', () => {
    const alone = factories(6).candlestick.buildList(4)
    const f = factories(6)
    f.trade.buildList(10)
    f.candlestick.buildList(3, { symbol: 'ETHUSDT' })
    f.marketMetric.build()
    f.faker.lorem.paragraph()
    expect(f.candlestick.buildList(4)).toEqual(alone)
  })

  test('the exposed faker is seeded and never reads the clock', () => {
    const a = factories(12).faker
    const b = factories(12).faker
    expect([a.string.uuid(), a.date.past().toISOString()]).toEqual([
      b.string.uuid(),
      b.date.past().toISOString(),
    ])
    expect(a.date.past().getTime()).toBeLessThan(Date.UTC(2026, 0, 1))
  })
})
