// @dsta-isolation transaction
// Code that takes a pool needs no database of its own: the `pool` fixture is a pg.Pool inside the
// test's transaction. Kysely's BEGIN / COMMIT / ROLLBACK become savepoints; each test starts clean.
import { describe, expect, test } from 'dsta-db/vitest'
import { createDb, readingsOf, recordReadings } from '../src/metrics.js'

const day = new Date('2026-01-01T00:00:00Z')

describe('recordReadings on Kysely, through the pool fixture', () => {
  test('commits its transaction (a savepoint of the test)', async ({ pool }) => {
    const db = createDb(pool)
    await recordReadings(db, day, [
      { metric: 'btc_dominance', value: '52.1' },
      { metric: 'fear_greed_index', value: '71' },
    ])
    expect(await readingsOf(db, 'btc_dominance')).toBe(1)
  })

  test('the next test does not see the rows the one before committed', async ({ pool }) => {
    expect(await readingsOf(createDb(pool), 'btc_dominance')).toBe(0)
  })

  test('a failing reading rolls the whole day back, and the test goes on', async ({ pool }) => {
    const db = createDb(pool)
    await expect(
      recordReadings(db, day, [
        { metric: 'btc_dominance', value: '52.1' },
        { metric: 'not_a_metric', value: '1' }, // refused by the schema's CHECK
      ]),
    ).rejects.toThrow(/market_metrics_metric_type_check/)
    expect(await readingsOf(db, 'btc_dominance')).toBe(0)
  })
})
