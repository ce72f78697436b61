// @dsta-isolation database
import { sql } from 'slonik'
import { expect, test } from '../../../src/vitest/index.js'
import { reachGate } from './gate.js'

test('commits a row in its own database', async ({ db }) => {
  await db.query(
    sql.unsafe`INSERT INTO market_metrics (metric_type, "timestamp", value) VALUES ('other', now(), 7)`,
  )
  await reachGate(db, 'own')
  expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM market_metrics`)).toBe(1)
  expect(process.env.DSTA_SAMPLE_FAIL === '1' ? 'failed' : 'passed').toBe('passed')
})
