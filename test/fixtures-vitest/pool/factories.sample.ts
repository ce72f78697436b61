import { afterAll, expect, test } from '../../../src/vitest/index.js'
import { heavyLoaded, record } from './record.js'

afterAll(() => record({ file: 'factories', heavy: heavyLoaded() }))

test('factories over the pool, no Slonik', async ({ factories, pool }) => {
  await factories.trade.createList(3)
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM trades')
  expect(rows).toEqual([{ n: 3 }])
})
