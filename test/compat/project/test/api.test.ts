// The package's API in a strict project: its types must hold without skipLibCheck.

import { Candlestick, generate, generateTestData, INTERVALS } from 'dsta-db'
import { expect, test } from 'dsta-db/vitest'
import { sql } from 'slonik'

test('generateTestData fills the test transaction; its counts agree with the generators', async ({ db }) => {
  const counts = await generateTestData(db, { days: 1, symbols: ['BTCUSDT'], seed: 3 })
  expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM candlesticks`)).toBe(counts.candlesticks)
  const generated = [...generate.candlesticks({ days: 1, symbols: ['BTCUSDT'], seed: 3 })]
  expect(generated.length).toBe(counts.candlesticks)
  expect(Candlestick.parse(generated[0]).symbol).toBe('BTCUSDT')
  expect(INTERVALS).toContain('1h')
})
