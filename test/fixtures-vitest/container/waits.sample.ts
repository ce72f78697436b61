import { sql } from 'slonik'
import { expect, test } from '../../../src/vitest/index.js'

// Says it is running (the test kills the run then), then waits to be killed; alone it passes.
test('has its database, then waits', async ({ db }) => {
  expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM candlesticks`)).toBe(0)
  console.log('DSTA-WAITING')
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.DSTA_WAIT_MS ?? 0)))
})
