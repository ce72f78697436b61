// @dsta-isolation database
import { afterAll, expect, test } from '../../../dist/vitest/index.js'
import { distLoaded, record } from '../pool/record.js'
import { insertAndCount } from './insert-count.js'

afterAll(() => record({ file: 'database', modules: distLoaded() }))

test('pool, in the file database', async ({ pool }) => {
  expect(await insertAndCount(pool)).toBe(1)
})
