import { type CommonQueryMethods, type FragmentSqlToken, sql } from 'slonik'
import type { Interval } from '../schema/index.js'

/** Where a market's rows of one table (and interval) begin and end, epoch ms. */
export interface Extent {
  exchange: string
  symbol: string
  table: 'candlesticks' | 'trades' | 'order_books'
  interval: Interval | null
  first_ms: number
  last_ms: number
}

const TABLES = [
  { table: 'candlesticks', keys: ['exchange', 'symbol', 'interval'] },
  { table: 'trades', keys: ['exchange', 'symbol'] },
  { table: 'order_books', keys: ['exchange', 'symbol'] },
] as const

/**
 * The markets (and candle intervals) of the three market tables, with their first and last instants,
 * read through the indexes that start with (exchange, symbol[, interval]): the distinct keys by a
 * loose index scan (one index probe per key), each one's min and max timestamp by one probe each.
 * A year of trades costs a few dozen probes, not a scan of millions of rows.
 */
export async function marketExtents(db: CommonQueryMethods, filters: FragmentSqlToken[]): Promise<Extent[]> {
  const extents: Extent[] = []
  for (const { table, keys } of TABLES) {
    const name = sql.identifier([table])
    const list = (alias: string) =>
      sql.join(
        keys.map((key) => sql.identifier([alias, key])),
        sql.fragment`, `,
      )
    const same = sql.join(
      keys.map((key) => sql.fragment`${sql.identifier(['t', key])} = ${sql.identifier(['k', key])}`),
      sql.fragment` AND `,
    )
    const bound = (fn: 'min' | 'max') =>
      sql.fragment`(extract(epoch FROM (SELECT ${fn === 'min' ? sql.fragment`min("timestamp")` : sql.fragment`max("timestamp")`} FROM ${name} t WHERE ${same})) * 1000)::float8`
    const where = filters.length
      ? sql.fragment`WHERE ${sql.join(filters, sql.fragment` AND `)}`
      : sql.fragment``
    const rows = (await db.any(sql.unsafe`
      WITH RECURSIVE k AS (
        (SELECT ${list('t')} FROM ${name} t ORDER BY ${list('t')} LIMIT 1)
        UNION ALL
        SELECT n.* FROM k CROSS JOIN LATERAL (
          SELECT ${list('t')} FROM ${name} t WHERE (${list('t')}) > (${list('k')}) ORDER BY ${list('t')} LIMIT 1
        ) n
      )
      SELECT k.exchange, k.symbol, ${table} AS "table",
        ${keys.length === 3 ? sql.fragment`k."interval"` : sql.fragment`NULL::text`} AS "interval",
        ${bound('min')} AS first_ms, ${bound('max')} AS last_ms
      FROM k ${where}`)) as readonly Extent[]
    extents.push(...rows)
  }
  return extents
}
