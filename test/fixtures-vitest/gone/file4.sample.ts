import { sql } from 'slonik'
import { expect, test } from '../../../src/vitest/index.js'
import { record } from '../suite/record.js'

// Each test waits a moment: the server dies while the run is under way.
test.for(Array.from({ length: 20 }, (_, i) => i))('query %i', async (i, { db }) => {
  if (i === 0) record({ started: true })
  await new Promise((resolve) => setTimeout(resolve, 100))
  expect(await db.oneFirst(sql.unsafe`SELECT 1`)).toBe(1)
})
