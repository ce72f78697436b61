// @dsta-isolation database
import pg from 'pg'
import { expect, test } from '../../../src/vitest/index.js'

test('commits a row, then fails: its database is kept', async () => {
  const app = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 })
  try {
    await app.query(
      `INSERT INTO market_metrics (metric_type, "timestamp", value) VALUES ('other', '2026-01-01', 4242)`,
    )
  } finally {
    await app.end()
  }
  expect('the bug').toBe('fixed')
})
