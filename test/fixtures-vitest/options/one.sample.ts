import { expect, test } from '../../../src/vitest/index.js'

test('runs', async ({ db }) => {
  expect(db).toBeDefined()
})
