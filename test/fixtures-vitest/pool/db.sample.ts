import { sql } from 'slonik'
import { afterAll, expect, test } from '../../../src/vitest/index.js'
import { heavyLoaded, record } from './record.js'

afterAll(() => record({ file: 'db', heavy: heavyLoaded() }))

test('the db fixture', async ({ db }) => {
  expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM candlesticks`)).toBe(0)
})
