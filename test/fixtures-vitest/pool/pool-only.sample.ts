import { afterAll, expect, test } from '../../../src/vitest/index.js'
import { heavyLoaded, record } from './record.js'

afterAll(() => record({ file: 'pool-only', heavy: heavyLoaded() }))

test('a pg-style query in the test transaction', async ({ pool }) => {
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM candlesticks')
  expect(rows).toEqual([{ n: 0 }])
})
