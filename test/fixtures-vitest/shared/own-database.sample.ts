// @dsta-isolation database
import { sql } from 'slonik'
import { expect, test } from '../../../src/vitest/index.js'

test('commits a row in its own database', async ({ db }) => {
  await db.query(
    sql.unsafe`INSERT INTO market_metrics (metric_type, "timestamp", value) VALUES ('other', now(), 7)`,
  )
  const pause = Number(process.env.DSTA_SAMPLE_PAUSE_MS ?? 0)
  if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause))
  expect(process.env.DSTA_SAMPLE_FAIL === '1' ? 'failed' : 'passed').toBe('passed')
})
