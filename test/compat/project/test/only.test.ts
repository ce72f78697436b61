import { describe, expect, test } from 'dsta-db/vitest'
import { sql } from 'slonik'

describe('only', () => {
  test.only('runs alone in its file', async ({ db }) => {
    expect(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM trades`)).toBe(0)
  })
  test('is skipped by the only above', async ({ db }) => {
    await db.query(sql.unsafe`SELECT 1/0`)
  })
})
