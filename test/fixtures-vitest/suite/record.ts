import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Faker } from '@faker-js/faker'
import { type CommonQueryMethods, sql } from 'slonik'
import { z } from 'zod'

/** What a sample test saw, appended as one JSON line to $DSTA_SAMPLE_OUT/records.jsonl for the outer test. */
export function record(entry: Record<string, unknown>): void {
  const dir = process.env.DSTA_SAMPLE_OUT
  if (!dir) return
  const line = JSON.stringify(
    { pid: process.pid, poolId: process.env.VITEST_POOL_ID, ...entry },
    (_key, value) => (typeof value === 'bigint' ? value.toString() : value),
  )
  appendFileSync(join(dir, 'records.jsonl'), `${line}\n`)
}

export function count(db: CommonQueryMethods, symbol?: string): Promise<number> {
  return db.oneFirst(
    symbol === undefined
      ? sql.type(countRow)`SELECT count(*)::int AS n FROM candlesticks`
      : sql.type(countRow)`SELECT count(*)::int AS n FROM candlesticks WHERE symbol = ${symbol}`,
  )
}

const countRow = z.object({ n: z.number() })

/** Inserts one candlestick whose values come from the test's seeded faker, and returns the stored row. */
export async function insertCandle(db: CommonQueryMethods, faker: Faker | undefined, symbol: string) {
  const price = faker?.finance.amount({ min: 100, max: 200, dec: 2 }) ?? '100.00'
  const at = faker?.date.recent({ days: 30 }) ?? new Date('2024-01-01T00:00:00Z')
  return db.one(sql.unsafe`
    INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price, low_price,
      close_price, volume, quote_volume)
    VALUES ('binance', ${symbol}, '1h', ${at.toISOString()}, ${price}, ${price}, ${price}, ${price}, 1, ${price})
    RETURNING symbol, "timestamp", close_price`)
}
