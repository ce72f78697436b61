import { sql } from 'slonik'
import { expect, test } from '../../../src/vitest/index.js'
import { reachGate } from './gate.js'

test('sees only its own rows', async ({ db }) => {
  await db.query(
    sql.unsafe`INSERT INTO market_metrics (metric_type, "timestamp", value) VALUES ('other', now(), 1)`,
  )
  await reachGate(db, 'transaction')
  expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM market_metrics`)).toBe(1)
})
