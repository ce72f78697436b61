// The README's snippet, verbatim.

import { expect, test } from 'dsta-db/vitest'
import { sql } from 'slonik'

test('latest close', async ({ db, factories }) => {
  await factories.candlestick.createList(3, { symbol: 'BTCUSDT', interval: '1h' })
  expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM candlesticks`)).toBe(3)
})
