import { afterAll, expect, test } from '../../../dist/vitest/index.js'
import { distLoaded, record } from '../pool/record.js'
import { insertAndCount } from './insert-count.js'

afterAll(() => record({ file: 'pool-only', modules: distLoaded() }))

test('pool, in the test transaction', async ({ pool }) => {
  expect(await insertAndCount(pool)).toBe(1)
})
