import { expect, test } from '../../../src/vitest/index.js'
import { record } from './record.js'

test('fails on purpose, with its seed in the report', async ({ seed, faker }) => {
  record({ file: 'failing', test: 'fails', seed, word: faker.string.alphanumeric(12) })
  expect(seed).toBe(-1)
})
