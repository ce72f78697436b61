import { afterAll, expect, test } from '../../../src/vitest/index.js'
import { heavyLoaded, record } from './record.js'

afterAll(() => record({ file: 'pool-only', heavy: heavyLoaded() }))

test('a pg-style query in the test transaction', async ({ pool }) => {
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM candlesticks')
  expect(rows).toEqual([{ n: 0 }])
})

test("the file's connection comes over the embedded server's own socket; databaseUrl stays TCP", async ({
  pool,
  databaseUrl,
}) => {
  const { rows } = await pool.query('SELECT inet_client_addr() AS addr, current_user AS who')
  expect(rows).toEqual([{ addr: null, who: 'postgres' }]) // null: a Unix socket
  expect(new URL(databaseUrl).hostname).toBe('127.0.0.1')
})
