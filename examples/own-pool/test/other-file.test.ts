import { afterAll, expect, test } from 'dsta-db/vitest'
import { pool, tradedQuantity } from '../src/app.js'

afterAll(() => pool.end())

test('another file starts from a clean database, whatever the first one committed', async ({
  databaseUrl,
}) => {
  expect(process.env.DATABASE_URL).toBe(databaseUrl)
  expect(await tradedQuantity('BTCUSDT')).toBe('0')
})
