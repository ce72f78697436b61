import { sql } from 'slonik'
import { expect, test } from '../../../src/vitest/index.js'

test('fails with its candles', async ({ factories }) => {
  await factories.candlestick.createList(24, { symbol: 'ETHUSDT', interval: '1h' })
  await factories.orderBook.create({ symbol: 'ETHUSDT', timestamp: new Date('2026-01-01T23:00:00Z') })
  expect('the bug').toBe('fixed')
})

test('passes with its candles', async ({ factories }) => {
  await factories.candlestick.createList(3)
})

test('fails without the database', () => {
  expect(1).toBe(2)
})

test('fails after a failed statement', async ({ db }) => {
  await db.query(sql.unsafe`SELECT 1/0`).catch(() => {})
  expect('the transaction').toBe('usable')
})
